// Output tables from real results: GlobalOpinionQA items scored on the shipped tiny random model (plumbing only),
// plus hand-built accuracy rows and a map placement, written as one shard and read back with apache-arrow (and with
// DuckDB where its Arrow reader is installed). Checks schemas and row counts, and recomputes from `scores` what
// `answers` and `metrics` hold.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DataType, type Table } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccuracyRow } from "../../src/metrics/accuracy.ts";
import { letterDistribution } from "../../src/metrics/distributions.ts";
import { scoreOpinionQuestions, summariseOpinion } from "../../src/metrics/opinion.ts";
import type { Placement } from "../../src/culturalmap/place.ts";
import { loadAddon, Model, type Scorer } from "../../src/native/index.ts";
import {
    accuracyMetricRows,
    commitShard,
    describeRun,
    logitRunToRows,
    mergeRows,
    opinionMetricRows,
    openRunDir,
    placementToMapRow,
    readRunRecord,
    readTable,
    rowsToTables,
    sampledTaskToRows,
    SCHEMAS,
    tableRows,
    TABLE_NAMES,
    writeRunRecord,
    type TableRows,
} from "../../src/output/index.ts";
import { runOpinion } from "../../src/tasks/run.ts";
import { sampleTask } from "../../src/tasks/sampling.ts";
import { tinyRandomLlama2 } from "../support/models.ts";
import { definitions, goqaRows, items } from "../tasks/support.ts";
import { duckdbArrowReader } from "./duckdb.ts";

let model: Model;
let scorer: Scorer;
let dir: string;
let rows: TableRows;
const runId = "test-run";

beforeAll(async () => {
    model = await Model.load(tinyRandomLlama2);
    scorer = model.createScorer({ contextSize: 2048, maxSequences: 8 });
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-tables-")), "run");
    const withHindi = items.opinion.filter((i) => i.hindi);
    const sample = [withHindi[0], items.opinion.find((i) => !i.hindi)!, withHindi[1]];
    const definition = definitions.get("opinion")!;
    const parts: TableRows[] = [];
    for (const strategy of ["default", "crosslingual"] as const) {
        const context = { runId, model: "llama-2-tiny-random", task: "opinion", strategy };
        const run = await runOpinion(model, scorer, definition, sample, { strategy, maxPermutations: 6 });
        parts.push(logitRunToRows(run, context));
        const questions = run.answers.map((a) => ({
            questionId: `goqa-${a.rowIndex}`,
            countryDistributions: goqaRows[a.rowIndex].selections,
            modelProbabilities: a.distribution.probabilities,
            modelOptionMass: a.distribution.optionMass,
        }));
        parts.push({ metrics: opinionMetricRows(summariseOpinion(scoreOpinionQuestions(questions), { resamples: 200 }), context, { base: 2 }) });
    }
    const accuracy: AccuracyRow = {
        benchmark: "normad", contextLevel: "value", country: null, metric: "accuracy", trialAggregation: "mean", label: null, items: 30, questions: 10, trials: 1, value: 0.6, trialSd: null, ciLower: 0.45, ciUpper: 0.75,
    };
    parts.push({ metrics: accuracyMetricRows([accuracy], { runId, model: "llama-2-tiny-random", task: "normad", strategy: "default" }) });
    const placement = {
        position: { factors: { trad: 0.1, surv: -0.2 }, TradAgg: 0.5, SurvSAgg: -0.3 },
        reference: [
            { geo: "india", name: "India", year: 2022, TradAgg: 0.4, SurvSAgg: -0.2, distance: 0.14 },
            { geo: "united_states", name: "United States", year: 2017, TradAgg: -0.1, SurvSAgg: 1.1, distance: 1.52 },
        ],
        india: { geo: "india", name: "India", year: 2022, TradAgg: 0.4, SurvSAgg: -0.2, distance: 0.14 },
        unitedStates: { geo: "united_states", name: "United States", year: 2017, TradAgg: -0.1, SurvSAgg: 1.1, distance: 1.52 },
        fittedCountryYears: [],
        caveat: "",
    } as unknown as Placement;
    parts.push({ map: [placementToMapRow(placement, { runId, model: "llama-2-tiny-random", strategy: "default" })] });
    rows = mergeRows(...parts);
    const runDir = openRunDir(dir, { tasks: ["opinion"], strategies: ["default", "crosslingual"], maxPermutations: 6 });
    commitShard(runDir, "0000", rowsToTables(rows));
});
afterAll(() => {
    scorer?.dispose();
    model?.dispose();
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

const typeName = (t: DataType) => String(t);

describe("output tables from a real opinion run", () => {
    it("writes every table with its schema and the expected row counts", () => {
        for (const name of TABLE_NAMES) {
            const table = readTable(dir, name);
            expect(table.schema.fields.map((f) => [f.name, typeName(f.type), f.nullable]), name).toEqual(SCHEMAS[name].fields.map((f) => [f.name, typeName(f.type), f.nullable]));
            expect(table.numRows, name).toBe(rows[name]?.length ?? 0);
        }
        // 3 items under default; 2 under crosslingual (one has no Hindi text and is an error row instead)
        expect(readTable(dir, "items").numRows).toBe(5);
        expect(readTable(dir, "answers").numRows).toBe(5);
        const errors = tableRows(readTable(dir, "errors"));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ strategy: "crosslingual", stage: "render", item_id: items.opinion.find((i) => !i.hindi)!.id });
        const scores = tableRows(readTable(dir, "scores"));
        const expected = tableRows(readTable(dir, "items")).reduce((n, item) => n + (item.letters as string[]).length * (item.prompt_continuations as string[]).length, 0);
        expect(scores).toHaveLength(expected);
        expect(String(readTable(dir, "scores").schema.fields.find((f) => f.name === "strategy")!.type)).toMatch(/^Dictionary/);
    });

    it("stores each prompt once: prefix + continuation is the text that was scored", () => {
        const item = tableRows(readTable(dir, "items"))[0];
        expect(item.prompt_prefix).toContain("Question:");
        expect((item.prompt_continuations as string[]).length).toBe(6);
        for (const c of item.prompt_continuations as string[]) expect(c).toMatch(/A\./);
    });

    it("recomputes each item's canonical distribution from its letter log-probs in `scores` to match `answers`", () => {
        const scores = tableRows(readTable(dir, "scores"));
        for (const answer of tableRows(readTable(dir, "answers"))) {
            const mine = scores.filter((s) => s.item_id === answer.item_id && s.strategy === answer.strategy);
            const permutations = [...new Set(mine.map((s) => s.permutation as number))];
            const k = (answer.distribution as number[]).length;
            const byHand = new Array<number>(k).fill(0);
            for (const p of permutations) {
                const rowsOfP = mine.filter((s) => s.permutation === p).sort((a, b) => (a.position as number) - (b.position as number));
                letterDistribution(rowsOfP.map((s) => s.log_prob as number)).probabilities.forEach((q, j) => (byHand[rowsOfP[j].option_index as number] += q / permutations.length));
            }
            byHand.forEach((q, i) => expect((answer.distribution as number[])[i]).toBeCloseTo(q, 12));
            expect(answer.correct).toBeNull();
        }
    });

    it("recomputes the optionMass metric from `scores` to match `metrics`", () => {
        const scores = tableRows(readTable(dir, "scores"));
        const metrics = tableRows(readTable(dir, "metrics"));
        for (const strategy of ["default", "crosslingual"]) {
            const perItem = new Map<string, Map<number, number>>();
            for (const s of scores.filter((s) => s.strategy === strategy)) {
                const m = perItem.get(s.item_id as string) ?? new Map<number, number>();
                m.set(s.permutation as number, s.option_mass as number);
                perItem.set(s.item_id as string, m);
            }
            const itemMeans = [...perItem.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0) / m.size);
            const mean = itemMeans.reduce((a, b) => a + b, 0) / itemMeans.length;
            const row = metrics.find((m) => m.strategy === strategy && m.metric === "optionMass")!;
            expect(row.n).toBe(itemMeans.length);
            expect(row.value as number).toBeCloseTo(mean, 12);
            expect(row.ci_lower as number).toBeLessThanOrEqual(row.value as number);
        }
        const accuracy = metrics.find((m) => m.task === "normad")!;
        expect(accuracy).toMatchObject({ metric: "accuracy", subset: "value", value: 0.6, n: 30, excluded: 0 });
        expect(JSON.parse(accuracy.parameters as string)).toMatchObject({ trialAggregation: "mean", questions: 10 });
        expect(tableRows(readTable(dir, "map"))[0]).toMatchObject({ trad_agg: 0.5, distance_india: 0.14, nearest_countries: ["India", "United States"] });
    });

    it("log-probs in `scores` are over the full vocabulary: each row's log-sum-exp is finite and letters' mass ≤ 1", () => {
        for (const s of tableRows(readTable(dir, "scores"))) {
            expect(Number.isFinite(s.log_sum_exp)).toBe(true);
            expect(s.option_mass as number).toBeGreaterThan(0);
            expect(s.option_mass as number).toBeLessThanOrEqual(1);
            expect(s.token_id as number).toBeGreaterThan(0);
        }
    });

    it("run.json records the config, the model's streamed sha256, llama.cpp, backend, datasets and times", async () => {
        const { build, addon } = loadAddon();
        const startedAt = new Date("2026-01-01T00:00:00Z");
        const record = await describeRun({
            config: { tasks: ["opinion"] },
            models: [{ path: tinyRandomLlama2, info: model.info }],
            build,
            devices: addon.devices(),
            datasets: [{ name: "globalopinionqa", path: path.join("datasets", "globalopinionqa", "global_opinions_india.csv") }],
            startedAt,
            endedAt: new Date("2026-01-01T00:01:00Z"),
        });
        writeRunRecord(dir, record);
        const back = readRunRecord(dir);
        const expectedSha = (await import("node:crypto")).createHash("sha256").update(fs.readFileSync(tinyRandomLlama2)).digest("hex");
        expect(back.models[0]).toMatchObject({ sha256: expectedSha, architecture: "llama" });
        expect(back.llamaCpp).toEqual({ tag: build.llamaCppTag, commit: build.llamaCppCommit });
        expect(back.backend).toEqual({ mode: build.mode, variant: build.variant, gpu: build.gpu });
        expect(back.datasets[0]).toMatchObject({ name: "globalopinionqa", path: "datasets/globalopinionqa/global_opinions_india.csv", sha256: "aaae22a0dfbd4e54fd2f765ef1aa37fa25b43c057283161c5b59d9b79901a411" });
        expect(back.devices.length).toBeGreaterThan(0);
        expect(back).toMatchObject({ startedAt: "2026-01-01T00:00:00.000Z", endedAt: "2026-01-01T00:01:00.000Z", packageVersion: "0.1.0" });
    });
});

describe("output tables from a sampling run", () => {
    it("answers hold every trial's parsed answer (null where unparseable) and each unparseable trial is an error row", async () => {
        const sample = items.opinion.slice(0, 2);
        const task = await sampleTask(model, scorer, definitions.get("opinion")!, sample, { strategy: "default", runSeed: 7, trials: 3 });
        const context = { runId, model: "llama-2-tiny-random", task: "opinion", strategy: "default" };
        const sampledDir = path.join(path.dirname(dir), "sampled");
        commitShard(openRunDir(sampledDir, { mode: "sample" }), "0000", rowsToTables(sampledTaskToRows(task, context, () => true)));
        const answers = tableRows(readTable(sampledDir, "answers"));
        expect(answers).toHaveLength(2);
        const errors = tableRows(readTable(sampledDir, "errors"));
        for (const [i, a] of answers.entries()) {
            expect(a).toMatchObject({ mode: "sample", distribution: null, option_mass: null, trials: 3, unparseable: task.results[i].unparseable.length });
            expect(a.sampled_answers).toEqual(task.results[i].answers);
            expect(a.correct).toBe(a.answer === null ? null : true);
            expect(errors.filter((e) => e.item_id === a.item_id && e.stage === "parse")).toHaveLength(a.unparseable as number);
        }
        const item = tableRows(readTable(sampledDir, "items"))[0];
        expect(item).toMatchObject({ letter_form: null, prompt_continuations: [expect.stringContaining("A.")] });
        expect(readTable(sampledDir, "scores").numRows).toBe(0);
    });
});

const duckdb = await duckdbArrowReader();

describe.skipIf(!duckdb.available)(`DuckDB reads the Arrow files (${duckdb.available ? "nanoarrow loaded" : duckdb.reason})`, () => {
    it("counts rows with a glob over the shards and recomputes option mass per strategy", async () => {
        const glob = (name: string) => path.join(dir, `${name}-*.arrow`);
        for (const name of TABLE_NAMES) {
            const [[n]] = await duckdb.query(`SELECT count(*)::INTEGER FROM read_arrow('${glob(name)}')`);
            expect(Number(n), name).toBe(readTable(dir, name).numRows);
        }
        const byDuck = await duckdb.query(
            `SELECT strategy::VARCHAR, avg(m) FROM (SELECT strategy, item_id, avg(option_mass) AS m FROM (SELECT DISTINCT strategy, item_id, permutation, option_mass FROM read_arrow('${glob("scores")}')) GROUP BY ALL) GROUP BY ALL ORDER BY 1`,
        );
        const metrics = tableRows(readTable(dir, "metrics") as Table);
        for (const [strategy, value] of byDuck) expect(value as number).toBeCloseTo(metrics.find((m) => m.strategy === strategy && m.metric === "optionMass")!.value as number, 12);
    });
});
