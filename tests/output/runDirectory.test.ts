// The run directory without a model: atomic shard commits survive SIGKILL mid-write, a changed config is refused
// with the fields that differ, an unwritable directory fails with the path and the fix, and readTable concatenates
// the committed shards of a table.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildTable, commitShard, completedShards, MANIFEST_FILE, openRunDir, readTable, tableRows, tableToIpcFile, type Manifest } from "../../src/output/index.ts";
import { repoRoot } from "../support/models.ts";
import { scoreRows } from "./support.ts";

const made: string[] = [];
function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-output-"));
    made.push(dir);
    return dir;
}
afterEach(() => {
    // the read-only test leaves a 0555 directory, whose files its owner cannot delete until it is writable again
    const writable = (dir: string) => {
        fs.chmodSync(dir, 0o755);
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) writable(path.join(dir, entry.name));
    };
    for (const dir of made.splice(0)) {
        writable(dir);
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

/** Whether the read-only test can run: as a non-root user, or as root able to drop to nobody with setpriv. */
const canDropRoot = process.getuid?.() !== 0 || spawnSync("setpriv", ["--version"]).status === 0;

const config = { model: "m.gguf", tasks: ["opinion"], strategies: ["default", "demographic"], seed: 1, sampling: { trials: 5, temperature: 0.3 } };

describe("run directory", () => {
    it("commits shards and reads a table back across them, in shard order", () => {
        const run = openRunDir(path.join(tempDir(), "run"), config);
        // the two shards' dictionary columns hold different values: each file has its own dictionary
        commitShard(run, "b", { scores: buildTable("scores", scoreRows(8).map((r) => ({ ...r, strategy: "demographic" }))) });
        commitShard(run, "a", { scores: buildTable("scores", scoreRows(4)), errors: buildTable("errors", []) });
        expect(completedShards(run.dir)).toEqual(["a", "b"]);
        const scores = readTable(run.dir, "scores");
        expect(scores.numRows).toBe(12);
        expect(tableRows(scores).map((r) => `${r.strategy}:${r.letter}`)).toEqual([..."ABCD", ..."ABCDABCD"].map((l, i) => `${i < 4 ? "default" : "demographic"}:${l}`));
        expect(readTable(run.dir, "errors").numRows).toBe(0);
        expect(readTable(run.dir, "map").numRows).toBe(0);
        const manifest = JSON.parse(fs.readFileSync(path.join(run.dir, MANIFEST_FILE), "utf8")) as Manifest;
        expect(manifest.shards.b.tables.scores).toMatchObject({ file: "scores-b.arrow", rows: 8 });
        expect(manifest.shards.b.tables.scores!.sha256).toMatch(/^[0-9a-f]{64}$/);
        // reopening with the same config (keys in another order) resumes: the shards stay done
        const again = openRunDir(run.dir, { sampling: { temperature: 0.3, trials: 5 }, seed: 1, strategies: ["default", "demographic"], tasks: ["opinion"], model: "m.gguf" });
        expect(Object.keys(again.manifest.shards).sort()).toEqual(["a", "b"]);
    });

    it("refuses to reopen a run directory with another config, naming the differing fields and the fix", () => {
        const dir = path.join(tempDir(), "run");
        openRunDir(dir, config);
        const changed = { ...config, seed: 2, sampling: { trials: 5, temperature: 0.7 } };
        expect(() => openRunDir(dir, changed)).toThrow(/another config \(differing: sampling\.temperature, seed\).*pass a new output directory/);
    });

    it("says which directory is unwritable and how to fix it", () => {
        const file = path.join(tempDir(), "plain-file");
        fs.writeFileSync(file, "not a directory");
        expect(() => openRunDir(path.join(file, "run"), config)).toThrow(new RegExp(`output directory ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/run could not be written .*--out`));
    });

    it.skipIf(!canDropRoot)("a read-only directory: a clear error naming it, and no file left behind", () => {
        // root writes through read-only permissions, so as root the check runs as nobody (setpriv)
        const parent = tempDir();
        fs.chmodSync(parent, 0o777);
        const dir = path.join(parent, "run");
        const script = [process.execPath, "--import", "tsx", path.join(repoRoot, "tests", "output", "readonly-in-child.ts"), dir];
        const command = process.getuid?.() === 0 ? ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", ...script] : script;
        const out = execFileSync(command[0], command.slice(1), { cwd: repoRoot, encoding: "utf8", env: { ...process.env, HOME: parent } });
        const result = JSON.parse(out) as { commitError: string; openError: string; files: string[] };
        expect(result.commitError).toBe(`the output directory ${dir} is not writable: pass a writable directory with --out, or fix the permissions of ${dir} (chmod u+w)`);
        expect(result.openError).toBe(`the output directory ${path.join(dir, "sub")} is not writable: pass a writable directory with --out, or fix the permissions of ${dir} (chmod u+w)`);
        expect(result.files).toEqual([MANIFEST_FILE]);
    });

    it("removes torn temp files and unrecorded table files on reopen", () => {
        const run = openRunDir(path.join(tempDir(), "run"), config);
        commitShard(run, "a", { scores: buildTable("scores", scoreRows(4)) });
        fs.writeFileSync(path.join(run.dir, ".scores-b.arrow.tmp-123-abcd"), "ARROW1\0\0half");
        fs.writeFileSync(path.join(run.dir, ".manifest.json.tmp-123-abcd"), '{"format": 1, "shar');
        fs.copyFileSync(path.join(run.dir, "scores-a.arrow"), path.join(run.dir, "scores-c.arrow"));
        const reopened = openRunDir(run.dir, config);
        expect(reopened.cleaned.sort()).toEqual([".manifest.json.tmp-123-abcd", ".scores-b.arrow.tmp-123-abcd", "scores-c.arrow"]);
        expect(fs.readdirSync(run.dir).sort()).toEqual([MANIFEST_FILE, "scores-a.arrow"]);
        expect(readTable(run.dir, "scores").numRows).toBe(4);
    });

    it("rejects a table whose schema is not its kind's", () => {
        const run = openRunDir(path.join(tempDir(), "run"), config);
        expect(() => commitShard(run, "a", { errors: buildTable("scores", scoreRows(4)) })).toThrow(/does not have the errors schema/);
        expect(() => commitShard(run, "../a", {})).toThrow(/shard id/);
    });

    it("survives SIGKILL in the middle of a commit: manifest and committed tables readable, torn files cleaned", async () => {
        const dir = path.join(tempDir(), "run");
        const rows = 50_000;
        const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "tests", "output", "commit-in-child.ts"), dir, String(rows)], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
        await new Promise<void>((resolve, reject) => {
            let out = "";
            child.stdout.on("data", (d) => {
                out += d;
                // kill while shard 2 (or later) is being written: shards 0 and 1 are known to be committed
                if (out.includes("committed 1\n")) setTimeout(() => { child.kill("SIGKILL"); resolve(); }, 5 + Math.floor(Math.random() * 40));
            });
            child.on("exit", () => reject(new Error(`the child exited before it was killed: ${stderr}`)));
        });
        expect(await exited).toBe("SIGKILL");
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8")) as Manifest;
        const done = completedShards(dir);
        expect(done.length).toBeGreaterThanOrEqual(2);
        expect(Object.keys(manifest.shards).sort()).toEqual(done);
        expect(readTable(dir, "scores").numRows).toBe(done.length * rows);
        const reopened = openRunDir(dir, { test: "sigkill" });
        expect(completedShards(dir)).toEqual(done);
        const left = fs.readdirSync(dir).sort();
        expect(left).toEqual([MANIFEST_FILE, ...done.map((id) => `scores-${id}.arrow`)].sort());
        expect(reopened.cleaned.every((name) => name.startsWith(".") || /^scores-s\d+\.arrow$/.test(name))).toBe(true);
        expect(readTable(dir, "scores").numRows).toBe(done.length * rows);
        // every committed file holds exactly what an uninterrupted write of the same table holds
        const uninterrupted = Buffer.from(tableToIpcFile(buildTable("scores", scoreRows(rows))));
        for (const id of done) expect(fs.readFileSync(path.join(dir, `scores-${id}.arrow`)).equals(uninterrupted), id).toBe(true);
    });
});
