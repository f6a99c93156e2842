// Commits shards into a run directory in a loop until killed, printing "committed <id>" after each, so the SIGKILL
// test can kill it in the middle of a write. Usage: commit-in-child.ts RUN_DIR ROWS
import { buildTable, commitShard, openRunDir } from "../../src/output/index.ts";
import { scoreRows } from "./support.ts";

const [dir, rows] = process.argv.slice(2);
const run = openRunDir(dir, { test: "sigkill" });
const scores = buildTable("scores", scoreRows(Number(rows)));
for (let shard = 0; ; shard++) {
    commitShard(run, `s${String(shard).padStart(4, "0")}`, { scores });
    process.stdout.write(`committed ${shard}\n`);
}
