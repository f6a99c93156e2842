// `culturescope run` end to end on the shipped tiny random-weight model (plumbing only: its answers mean nothing),
// through the real command in child processes: tables identical whatever --workers, a SIGKILLed run resumed to the
// same bytes as an uninterrupted one, --shard shares merged to the same run, Ctrl-C, the errors table, and the
// checks that fail before any model is loaded.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelOptionDistribution } from "../../src/metrics/distributions.ts";
import { scoreOpinionQuestions } from "../../src/metrics/opinion.ts";
import { readGlobalOpinionQa, DEFAULT_INDIA_KEY } from "../../src/datasets/globalOpinionQa.ts";
import { readCulturalBenchHard } from "../../src/datasets/culturalBench.ts";
import { readRunRecord, readTable, tableRows, SCHEMAS, TABLE_NAMES } from "../../src/output/index.ts";
import { repoRoot } from "../support/models.ts";
import { duckdbArrowReader } from "../output/duckdb.ts";
import { emptyCache, manifestOf, removeTempDirs, runCli, shardHashes, startCli, tempDir, waitForShards } from "./support.ts";

// Small but with several shards per model: 3 opinion questions × 4 strategies, 3 CulturalBench-Hard questions
// (12 judgements) × 4 strategies, and the cultural map × 4 strategies.
const SMALL = ["--tasks", "opinion,culturalbench-hard,culturalmap", "--limit", "3", "--max-permutations", "6", "--quiet", "--no-report"];

// DuckDB reads Arrow IPC only through its nanoarrow extension, which needs the network once to install
const duckdb = await duckdbArrowReader();
let cache: string;
let reference: string;
let referenceResult: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
    cache = emptyCache();
    reference = path.join(tempDir(), "reference");
    referenceResult = await runCli(["run", ...SMALL, "--workers", "1", "--out", reference], { CULTURESCOPE_CACHE: cache });
}, 120_000);
afterAll(removeTempDirs);

const env = () => ({ CULTURESCOPE_CACHE: cache });

describe("culturescope run", () => {
    it("completes, records the run, and prints the headline table, the paths and the smoke-test warning", () => {
        expect(referenceResult.stderr).not.toMatch(/Error|failed/i);
        expect(referenceResult.code).toBe(0);
        expect(referenceResult.stdout).toMatch(/CAD \[95% CI\]/);
        expect(referenceResult.stdout).toContain(`results: ${reference}`);
        expect(referenceResult.stdout).toMatch(/WARNING: llama-2-tiny-random has random weights: .*smoke test/);
        const record = readRunRecord(reference);
        expect(record.endedAt).not.toBeNull();
        expect(record.models[0].sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(record.datasets.map((d) => d.name).sort()).toEqual(["culturalbench-hard", "globalopinionqa"]);
        expect(record.throughput!.prompts).toBeGreaterThan(0);
        const shards = Object.keys(manifestOf(reference).shards);
        // every task × strategy has its shard, and the summary shard holds the metrics
        for (const task of ["opinion", "culturalbench_hard", "culturalmap"]) for (const s of ["default", "demographic", "crosslingual", "hindi"]) expect(shards).toContain(`m0.${task}.${s}.0000`);
        expect(shards).toContain("summary");
    });

    it("writes tables with the documented schemas and consistent row counts", () => {
        for (const name of TABLE_NAMES) expect(readTable(reference, name).schema.fields.map((f) => f.name)).toEqual(SCHEMAS[name].fields.map((f) => f.name));
        const items = tableRows(readTable(reference, "items"));
        const answers = tableRows(readTable(reference, "answers"));
        const scores = tableRows(readTable(reference, "scores"));
        expect(answers.length).toBe(items.length);
        // each scored item has (answer orders × options) score rows
        for (const item of items) {
            const rows = scores.filter((s) => s.item_id === item.item_id && s.strategy === item.strategy && s.task === item.task);
            const perms = new Set(rows.map((r) => r.permutation)).size;
            expect(rows.length).toBe(perms * (item.letters as string[]).length);
        }
        // each CulturalBench-Hard answer carries its question's country, as the data names it
        const hardCountry = new Map(readCulturalBenchHard(path.join(repoRoot, "datasets", "culturalbench", "CulturalBench-Hard.csv")).rows.map((r) => [`cbh-${r.dataIdx}`, r.country]));
        const hard = answers.filter((a) => a.task === "culturalbench-hard");
        expect(hard.length).toBeGreaterThan(0);
        for (const a of hard) expect(a.country).toBe(hardCountry.get(a.item_id as string));
        expect(answers.filter((a) => a.task !== "culturalbench-hard").every((a) => a.country === null)).toBe(true);
        // CulturalBench-Hard judgements without Hindi text are reported, not silently dropped
        const errors = tableRows(readTable(reference, "errors"));
        expect(errors.some((e) => e.task === "culturalbench-hard" && e.strategy === "hindi" && e.stage === "render")).toBe(true);
    });

    it.skipIf(!duckdb.available)(`reads the tables back with DuckDB${duckdb.available ? "" : ` (skipped: ${duckdb.reason})`}`, async () => {
        const [[n]] = await duckdb.query(`SELECT count(*) FROM read_arrow('${path.join(reference, "scores-*.arrow")}')`);
        expect(Number(n)).toBe(readTable(reference, "scores").numRows);
        const [[cad]] = await duckdb.query(`SELECT value FROM read_arrow('${path.join(reference, "metrics-*.arrow")}') WHERE task = 'opinion' AND strategy = 'default' AND metric = 'cad' AND subset IS NULL`);
        expect(cad).toBe(tableRows(readTable(reference, "metrics")).find((m) => m.task === "opinion" && m.strategy === "default" && m.metric === "cad" && m.subset === null)!.value);
    });

    it("recomputes the default strategy's CAD from the scores table to the metrics table's value", () => {
        const goqa = readGlobalOpinionQa(path.join(repoRoot, "datasets", "globalopinionqa", "global_opinions_india.csv")).rows;
        const scores = tableRows(readTable(reference, "scores")).filter((s) => s.task === "opinion" && s.strategy === "default");
        const byItem = new Map<string, typeof scores>();
        for (const s of scores) byItem.set(s.item_id as string, [...(byItem.get(s.item_id as string) ?? []), s]);
        const questions = [...byItem].map(([itemId, rows]) => {
            const perms = [...new Set(rows.map((r) => r.permutation as number))].sort((a, b) => a - b);
            const permutations = perms.map((p) => {
                const ofPerm = rows.filter((r) => r.permutation === p).sort((a, b) => (a.position as number) - (b.position as number));
                return { optionOrder: ofPerm[0].option_order as number[], letterLogProbs: ofPerm.map((r) => r.log_prob as number) };
            });
            const row = goqa[Number(itemId.replace("goqa-", ""))];
            const d = modelOptionDistribution(permutations);
            return { questionId: itemId, countryDistributions: row.selections, modelProbabilities: d.probabilities, modelOptionMass: d.optionMass };
        });
        const cads = scoreOpinionQuestions(questions, { focusCountry: DEFAULT_INDIA_KEY, comparisonCountry: "United States" }).map((s) => s.cad).filter((c): c is number => c !== null);
        const expected = cads.reduce((a, b) => a + b, 0) / cads.length;
        const metric = tableRows(readTable(reference, "metrics")).find((m) => m.task === "opinion" && m.strategy === "default" && m.metric === "cad" && m.subset === null)!;
        expect(metric.value as number).toBeCloseTo(expected, 12);
        expect(metric.n).toBe(cads.length);
    });

    it("culturescope report writes the run's report, with the metrics' intervals in its tables", async () => {
        const result = await runCli(["report", reference], env());
        expect(result.code, result.stderr).toBe(0);
        const html = fs.readFileSync(path.join(reference, "report.html"), "utf8");
        const share = tableRows(readTable(reference, "metrics")).find((m) => m.metric === "shareCloserToComparison" && m.strategy === "default")!;
        const interval = `[${(share.ci_lower as number).toFixed(3)}, ${(share.ci_upper as number).toFixed(3)}]`;
        expect(html).toMatch(new RegExp(`llama-2-tiny-random · default</td><td>share closer to United States</td>.*?<td>${interval.replace(/[[\]]/g, "\\$&")}</td>`));
    }, 60_000);

    it("gives bit-identical tables with --workers 4 and on a rerun", async () => {
        const out = path.join(tempDir(), "four");
        const result = await runCli(["run", ...SMALL, "--workers", "4", "--out", out], env());
        expect(result.code, result.stderr).toBe(0);
        expect(shardHashes(out, { withSummary: true })).toEqual(shardHashes(reference, { withSummary: true }));
    }, 120_000);

    it("resumes a SIGKILLed run to exactly the tables of an uninterrupted run", async () => {
        const out = path.join(tempDir(), "killed");
        const { child, done } = startCli(["run", ...SMALL, "--workers", "1", "--out", out], env());
        await waitForShards(out, 2, child);
        child.kill("SIGKILL");
        expect((await done).signal).toBe("SIGKILL");
        const before = Object.keys(manifestOf(out).shards).length;
        expect(before).toBeLessThan(Object.keys(manifestOf(reference).shards).length);
        // without --resume an existing run is not touched
        const refused = await runCli(["run", ...SMALL, "--out", out], env());
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/already holds a run .*--resume/);
        const resumed = await runCli(["run", ...SMALL, "--workers", "2", "--resume", "--out", out], env());
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(shardHashes(out, { withSummary: true })).toEqual(shardHashes(reference, { withSummary: true }));
        expect(fs.readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]);
    }, 180_000);

    it("runs several models in one run, each recorded, with its own shards", async () => {
        const dir = tempDir();
        // the same weights under another name: a second model whose answers must equal the first's
        const copy = path.join(dir, "tiny-copy.gguf");
        fs.copyFileSync(path.join(repoRoot, "models", "llama-2-tiny-random", "llama-2-tiny-random.gguf"), copy);
        const out = path.join(dir, "two");
        const result = await runCli(["run", "--model", path.join(repoRoot, "models", "llama-2-tiny-random", "llama-2-tiny-random.gguf"), "--model", copy, "--tasks", "opinion", "--strategies", "default", "--limit", "2", "--quiet", "--no-report", "--out", out], env());
        expect(result.code, result.stderr).toBe(0);
        const record = readRunRecord(out);
        expect(record.models.map((m) => m.name === "" ? m.path : path.basename(m.path))).toEqual(["llama-2-tiny-random.gguf", "tiny-copy.gguf"]);
        expect(record.models[0].sha256).toBe(record.models[1].sha256);
        expect(Object.keys(manifestOf(out).shards).sort()).toEqual(["m0.opinion.default.0000", "m1.opinion.default.0000", "summary"]);
        const answers = tableRows(readTable(out, "answers"));
        const of = (model: string) => answers.filter((a) => a.model === model).map((a) => [a.item_id, a.distribution]);
        expect(of("tiny-copy")).toEqual(of("llama-2-tiny-random"));
        expect(of("tiny-copy")).toHaveLength(2);
        expect(result.stdout).toMatch(/tiny-copy .* default/);
    }, 60_000);

    it("runs with the faster f16 KV cache on request: log-probs within 1e-2 of the exact default", async () => {
        const out = path.join(tempDir(), "f16");
        const result = await runCli(["run", ...SMALL, "--tasks", "opinion", "--strategies", "default", "--kv-cache", "f16", "--out", out], env());
        expect(result.code, result.stderr).toBe(0);
        expect(readRunRecord(out).config).toMatchObject({ kvCacheType: "f16", flashAttention: "off" });
        const key = (r: Record<string, unknown>) => `${r.item_id}/${r.permutation}/${r.position}`;
        const exact = new Map(tableRows(readTable(reference, "scores")).filter((r) => r.task === "opinion" && r.strategy === "default").map((r) => [key(r), r.log_prob as number]));
        const fast = tableRows(readTable(out, "scores"));
        expect(fast.length).toBe(exact.size);
        for (const r of fast) expect(Math.abs((r.log_prob as number) - exact.get(key(r))!)).toBeLessThan(1e-2);
    }, 60_000);

    it("refuses to resume with a changed config, naming what changed", async () => {
        const result = await runCli(["run", ...SMALL, "--seed", "7", "--resume", "--out", reference], env());
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/another config \(differing: seed\)/);
    }, 60_000);

    it("runs --shard shares that merge into the same run", async () => {
        const root = tempDir();
        const shares = [0, 1, 2].map((i) => path.join(root, `share-${i}`));
        for (const [i, dir] of shares.entries()) {
            const r = await runCli(["run", ...SMALL, "--shard", `${i}/3`, "--out", dir], env());
            expect(r.code, r.stderr).toBe(0);
            expect(r.stdout).toMatch(new RegExp(`shard ${i}/3 done`));
            expect(Object.keys(manifestOf(dir).shards)).not.toContain("summary");
        }
        const merged = path.join(root, "merged");
        const partial = await runCli(["merge", shares[0], shares[2], "--out", merged, "--no-report"], env());
        expect(partial.code).toBe(1);
        expect(partial.stderr).toMatch(/missing shares: 1\/3/);
        const result = await runCli(["merge", ...shares, "--out", merged, "--no-report"], env());
        expect(result.code, result.stderr).toBe(0);
        expect(shardHashes(merged, { withSummary: true })).toEqual(shardHashes(reference, { withSummary: true }));
        expect(readRunRecord(merged).mergedFrom).toEqual(shares);
    }, 240_000);

    it("records a prompt longer than the context in the errors table and goes on", async () => {
        const out = path.join(tempDir(), "short-context");
        const result = await runCli(["run", "--tasks", "opinion", "--strategies", "default", "--limit", "4", "--max-permutations", "2", "--ctx", "80", "--quiet", "--no-report", "--out", out], env());
        expect(result.code, result.stderr).toBe(0);
        const errors = tableRows(readTable(out, "errors")).filter((e) => e.stage === "context");
        expect(errors.length).toBeGreaterThan(0);
        expect(errors[0].message).toMatch(/longer than the context of 80: raise --ctx/);
        const answered = tableRows(readTable(out, "answers")).map((a) => a.item_id);
        for (const e of errors) expect(answered).not.toContain(e.item_id);
        expect(answered.length + errors.length).toBe(4);
    }, 60_000);

    it("finishes the running shard on Ctrl-C, exits 130 and says how to resume", async () => {
        const out = path.join(tempDir(), "interrupted");
        const { child, done } = startCli(["run", "--tasks", "culturalbench-hard", "--limit", "400", "--workers", "1", "--no-report", "--out", out], env());
        await waitForShards(out, 1, child);
        child.kill("SIGINT");
        const result = await done;
        expect(result.code).toBe(130);
        expect(result.stderr).toMatch(/interrupted: .*--resume --out/);
        const committed = Object.keys(manifestOf(out).shards);
        expect(committed.length).toBeGreaterThan(0);
        expect(committed).not.toContain("summary");
        expect(fs.readdirSync(out).filter((f) => f.startsWith("."))).toEqual([]);
        expect(readRunRecord(out).endedAt).toBeNull();
    }, 120_000);

    it.skipIf(process.getuid?.() === 0 && spawnSync("setpriv", ["--version"]).status !== 0)("stops when a shard cannot be saved, keeping the saved ones valid", async () => {
        const dir = tempDir();
        fs.chmodSync(dir, 0o777);
        const out = path.join(dir, "run");
        const home = path.join(dir, "home");
        fs.mkdirSync(home, { mode: 0o777 });
        fs.chmodSync(cache, 0o755);
        const { child, done } = startCli(["run", "--tasks", "culturalbench-hard", "--limit", "400", "--workers", "1", "--no-report", "--out", out], { ...env(), HOME: home }, { asNobody: true });
        await waitForShards(out, 1, child);
        fs.chmodSync(out, 0o555);
        const result = await done;
        fs.chmodSync(out, 0o755);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/could not be saved, so the run stops \(the saved shards stay valid\): the output directory .* is not writable/);
        const saved = Object.keys(manifestOf(out).shards);
        expect(saved.length).toBeGreaterThan(0);
        expect(saved.length).toBeLessThan(5);
        for (const id of saved) expect(fs.existsSync(path.join(out, `answers-${id}.arrow`))).toBe(true);
        expect(readTable(out, "answers").numRows).toBeGreaterThan(0);
    }, 120_000);

    it("runs in sampling mode with seeded trials", async () => {
        const out = path.join(tempDir(), "sample");
        const args = ["run", "--tasks", "opinion", "--strategies", "default", "--limit", "3", "--mode", "sample", "--trials", "3", "--quiet", "--no-report", "--out", out];
        const result = await runCli(args, env());
        expect(result.code, result.stderr).toBe(0);
        const answers = tableRows(readTable(out, "answers"));
        expect(answers).toHaveLength(3);
        for (const a of answers) {
            expect(a.mode).toBe("sample");
            expect(a.trials).toBe(3);
            const sampled = a.sampled_answers as (string | null)[];
            expect(sampled.length).toBe(3);
            // a trial without a parseable answer is counted and reported, never guessed
            expect(a.unparseable).toBe(sampled.filter((x) => x === null).length);
        }
        const parseErrors = tableRows(readTable(out, "errors")).filter((e) => e.stage === "parse");
        expect(parseErrors.length).toBe(answers.reduce((n, a) => n + (a.unparseable as number), 0));
        // the same run again, with --json: stdout holds only the outcome, as JSON
        const again = path.join(tempDir(), "sample-again");
        const json = await runCli([...args.slice(0, -3), "--json", "--out", again], env());
        expect(json.code, json.stderr).toBe(0);
        const outcome = JSON.parse(json.stdout) as { dir: string; complete: boolean; record: { config: { mode: string; trials: number } }; metrics: unknown[] };
        expect(outcome).toMatchObject({ dir: again, complete: true, record: { config: { mode: "sample", trials: 3 } } });
        expect(json.stderr).toMatch(/opinion: 3\/3 items/);
        expect(shardHashes(again)).toEqual(shardHashes(out));
    }, 120_000);
});

describe("culturescope run: checks before any model is loaded", () => {
    it.each([
        [["--tasks", "opinion,normadd"], /unknown tasks 'normadd': the valid tasks are opinion, culturalbench-easy, culturalbench-hard, normad, culturalmap/],
        [["--strategies", "persona"], /unknown strategies 'persona': the valid strategies are default, demographic, crosslingual, hindi/],
        [["--model", "/nonexistent/model.gguf"], /\/nonexistent\/model\.gguf does not exist/],
        [["--tasks", "normad"], /task normad: NormAd.* is not installed; install it with `culturescope data fetch normad`/],
        [["--shard", "3/3"], /--shard must be i\/N with 0 ≤ i < N/],
        [["--country", "India", "--compare-country", "India"], /compare two different countries/],
    ])("%j fails with a clear message", async (args, message) => {
        const out = path.join(tempDir(), "never");
        const result = await runCli(["run", ...args, "--out", out], env());
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(message);
        expect(fs.existsSync(out)).toBe(false);
    }, 60_000);

    it("a truncated GGUF or an output path under a file fails with the problem and the fix, writing nothing", async () => {
        const dir = tempDir();
        const truncated = path.join(dir, "truncated.gguf");
        fs.writeFileSync(truncated, fs.readFileSync(path.join(repoRoot, "models", "llama-2-tiny-random", "llama-2-tiny-random.gguf")).subarray(0, 100_000));
        const out = path.join(dir, "out");
        const bad = await runCli(["run", "--model", truncated, "--tasks", "culturalmap", "--out", out], env());
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/truncated\.gguf[\s\S]*complete GGUF model/);
        expect(fs.existsSync(out)).toBe(false);
        const file = path.join(dir, "a-file");
        fs.writeFileSync(file, "");
        const under = await runCli(["run", "--tasks", "culturalmap", "--out", path.join(file, "run")], env());
        expect(under.code).toBe(1);
        expect(under.stderr).toContain(`the output directory ${path.join(file, "run")} could not be written (${file} is not a directory): pass a writable directory with --out`);
    }, 60_000);

    it("reads options from a YAML config file, the command line winning, and saves the effective config", async () => {
        const dir = tempDir();
        const file = path.join(dir, "audit.yaml");
        fs.writeFileSync(file, "tasks: [culturalmap]\nstrategies: default,hindi\nseed: 11\nout: from-config\nno-such-option: 1\n");
        const bad = await runCli(["run", "--config", file], env());
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/audit\.yaml: unknown option 'no-such-option'; the options are/);
        fs.writeFileSync(file, "tasks: [culturalmap]\nstrategies: default,hindi\nseed: 11\nout: from-config\nquiet: true\nreport: false\n");
        const result = await runCli(["run", "--config", file, "--seed", "12"], env());
        expect(result.code, result.stderr).toBe(0);
        const out = path.join(dir, "from-config");
        const config = readRunRecord(out).config as { tasks: string[]; strategies: string[]; seed: number };
        expect(config).toMatchObject({ tasks: ["culturalmap"], strategies: ["default", "hindi"], seed: 12 });
        expect(fs.existsSync(path.join(out, "report.html"))).toBe(false);
    }, 60_000);

    it("skips tasks whose data is not installed in a default run, saying how to fetch them", async () => {
        const out = path.join(tempDir(), "default");
        const result = await runCli(["run", "--tasks", "culturalmap", "--out", out, "--quiet"], env());
        expect(result.code, result.stderr).toBe(0);
        // the report is written after every complete run, and its map panel says how to get a projection
        expect(result.stdout).toContain(`report:  ${path.join(out, "report.html")}`);
        expect(fs.readFileSync(path.join(out, "report.html"), "utf8")).toMatch(/map fit/);
        const all = await runCli(["run", "--strategies", "default", "--limit", "1", "--out", path.join(tempDir(), "all"), "--quiet", "--no-report"], env());
        expect(all.code, all.stderr).toBe(0);
        expect(all.stdout).toMatch(/not run: normad: .*not installed; install it with `culturescope data fetch normad`/);
        expect(all.stdout).toMatch(/not run: culturalbench-easy: .*`culturescope data fetch culturalbench-easy`/);
    }, 60_000);
});
