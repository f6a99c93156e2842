// `culturescope data list|verify|fetch` through the real command, on the shipped data and an empty cache folder (so
// whatever is in the user's own cache does not matter). Fetch is pointed at a local server; nothing leaves the machine.
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CULTURAL_BENCH_EASY_COLUMNS } from "../../src/datasets/culturalBench.ts";
import { repoRoot } from "../support/models.ts";
import { csvText } from "./support.ts";

const bin = path.join(repoRoot, "bin", "culturescope.mjs");
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-data-cli-"));
const EASY = csvText(CULTURAL_BENCH_EASY_COLUMNS, [["0", "0", "SYNTHETIC question?", "w", "x", "y", "z", "B", "India"]]);
const server = http.createServer((req, res) => (req.url === "/easy.csv" ? res.end(EASY) : res.writeHead(404).end()));
let base = "";

beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(cacheDir, { recursive: true, force: true });
});

/** Runs the command without blocking this process, so the local server can answer it. */
function run(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [bin, "data", ...args], { cwd: repoRoot, env: { ...process.env, CULTURESCOPE_CACHE: path.join(cacheDir, "unused") } }, (error, stdout, stderr) =>
            resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    });
}

describe("culturescope data", () => {
    it("list: every data set, installed or not, where, rows and licence", async () => {
        const { status, stdout, stderr } = await run("list", "--cache-dir", cacheDir);
        expect(stderr).toBe("");
        expect(status).toBe(0);
        expect(stdout).toContain("globalopinionqa  GlobalOpinionQA (Durmus et al. 2023)  licence: CC BY-NC-SA 4.0");
        expect(stdout).toMatch(/shipped {3}766 rows  datasets\/globalopinionqa\/global_opinions_india\.csv/);
        expect(stdout).toMatch(/shipped {3}4908 rows  datasets\/culturalbench\/CulturalBench-Hard\.csv/);
        expect(stdout).toMatch(/shipped {3}408 rows  datasets\/cultural_map\/open_numbers_ivs_indicators\//);
        expect(stdout).toMatch(/normad  NormAd-Eti \(Rao et al\. 2024\)  licence: CC BY 4\.0\n {2}original {2}not installed — run `culturescope data fetch normad` \(2633 rows documented\)/);
        const json = JSON.parse((await run("list", "--cache-dir", cacheDir, "--json")).stdout);
        expect(json.map((s: { name: string }) => s.name)).toEqual(["globalopinionqa", "culturalbench-hard", "culturalbench-easy", "normad", "cultural-map"]);
    });

    it("verify: every shipped file matches its sha256 pin", async () => {
        const { status, stdout } = await run("verify", "--cache-dir", cacheDir);
        expect(status).toBe(0);
        expect(stdout.trim().split("\n")).toHaveLength(8);
        expect(stdout).toMatch(/^OK {2}culturalbench-hard {2}datasets\/culturalbench\/CulturalBench-Hard\.csv {2}sha256 4bfe770b7a18d912479f725afc7816c6720f650bbfa6822bf6e723a479c896d9$/m);
        expect(stdout).not.toMatch(/MISMATCH|MISSING/);
    });

    it("fetch: installs from a mirror, says it is unverified; verify then fails once the file is changed", async () => {
        const fetched = await run("fetch", "culturalbench-easy", "--cache-dir", cacheDir, "--url", `${base}/easy.csv`);
        expect(fetched.stderr).toBe("");
        expect(fetched.stdout).toMatch(/^culturalbench-easy: fetched, 1 rows, \d+ bytes, UNVERIFIED: no published hash to check it against; its sha256 is [0-9a-f]{64}/);
        expect((await run("list", "--cache-dir", cacheDir)).stdout).toMatch(/culturalbench-easy .*\n {2}original {2}1 rows  .*CulturalBench-Easy\.csv {2}\(UNVERIFIED: no published hash/);

        fs.appendFileSync(path.join(cacheDir, "culturalbench-easy", "CulturalBench-Easy.csv"), "x\n");
        const verify = await run("verify", "--cache-dir", cacheDir);
        expect(verify.status).toBe(1);
        expect(verify.stdout).toMatch(/^MISMATCH {2}culturalbench-easy .*changed since it was fetched/m);
        expect(verify.stderr).toBe("1 file did not verify\n");
    });

    it("fetch: a clear message and exit 1 when the server answers an error", async () => {
        const { status, stderr } = await run("fetch", "normad", "--cache-dir", cacheDir, "--url", `${base}/nothing.csv`);
        expect(status).toBe(1);
        expect(stderr).toBe(`culturescope: ${base}/nothing.csv: the server answered 404 Not Found (the file is not there: the URL or revision may have changed)\n`);
    });
});
