// Opens a run directory, makes it read-only and tries to commit into it and to create a run below it; prints what
// happened as JSON. Run as a non-root user (root writes through read-only permissions). Usage: readonly-in-child.ts DIR
import fs from "node:fs";
import path from "node:path";
import { buildTable, commitShard, openRunDir } from "../../src/output/index.ts";
import { scoreRows } from "./support.ts";

const dir = process.argv[2];
const run = openRunDir(dir, { test: "read-only" });
fs.chmodSync(dir, 0o555);
const attempt = (f: () => unknown) => {
    try {
        f();
        return null;
    } catch (error) {
        return (error as Error).message;
    }
};
const commitError = attempt(() => commitShard(run, "a", { scores: buildTable("scores", scoreRows(4)) }));
const openError = attempt(() => openRunDir(path.join(dir, "sub"), {}));
process.stdout.write(JSON.stringify({ commitError, openError, files: fs.readdirSync(dir) }) + "\n");
