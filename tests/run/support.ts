// Running the real `culturescope` command in a child process, and reading a run directory back, for the run tests.
// The data-set cache points at an empty folder so the result does not depend on what this machine has fetched.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Manifest } from "../../src/output/index.ts";
import { repoRoot } from "../support/models.ts";

export const cli = path.join(repoRoot, "bin", "culturescope.mjs");

const made: string[] = [];
export function tempDir(prefix = "culturescope-run-"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
}
export function removeTempDirs(): void {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** An empty cache, so NormAd and CulturalBench-Easy are "not installed" whatever this machine has fetched. */
export const emptyCache = () => tempDir("culturescope-cache-");

export interface CliResult {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}

/** As root, permissions do not stop writes: `asNobody` runs the command as uid 65534 (setpriv) so they do. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, options: { asNobody?: boolean } = {}): { child: ChildProcess; done: Promise<CliResult> } {
    const command = [process.execPath, cli, ...args];
    if (options.asNobody && process.getuid?.() === 0) command.unshift("setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups");
    const child = spawn(command[0], command.slice(1), { cwd: repoRoot, env: { ...process.env, CI: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const done = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
    return { child, done };
}

export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => startCli(args, env).done;

export function manifestOf(dir: string): Manifest {
    return JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as Manifest;
}

/** shard id → table → sha256 of the committed file (what must be identical between equivalent runs). */
export function shardHashes(dir: string, options: { withSummary?: boolean } = {}): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [id, entry] of Object.entries(manifestOf(dir).shards).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (id === "summary" && !options.withSummary) continue;
        out[id] = Object.fromEntries(Object.entries(entry.tables).map(([name, t]) => [name, t!.sha256]));
    }
    return out;
}

/** Waits until the run directory's manifest lists at least `n` shards (or the child exits). */
export async function waitForShards(dir: string, n: number, child: ChildProcess, timeoutMs = 120_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`the run exited (code ${child.exitCode}) before ${n} shards were committed`);
        try {
            const count = Object.keys(manifestOf(dir).shards).length;
            if (count >= n) return count;
        } catch {
            // manifest not written yet
        }
        if (Date.now() > until) throw new Error(`no ${n} shards within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
    }
}
