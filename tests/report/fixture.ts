// Small but real run directories for the report and compare tests: a few items of each task scored on the shipped
// tiny random Llama-2 (plumbing only: random weights, so no number means anything about culture), turned into rows
// and metrics with the library exactly as a run does, committed with commitShard, and described by run.json.
// The raw results are returned as well, so tests can recompute what the report shows without reading the report's
// own code.
import path from "node:path";
import { codeModelAnswers } from "../../src/culturalmap/answers.ts";
import { fitCulturalMap } from "../../src/culturalmap/fit.ts";
import { MicrodataBuilder } from "../../src/culturalmap/microdata.ts";
import { placeModel } from "../../src/culturalmap/place.ts";
import { readReferencePositions } from "../../src/culturalmap/reference.ts";
import { NORMAD_ANSWER_FOR_GOLD, scoreCulturalBenchHard, scoreNormAd, summariseAccuracy, type CulturalBenchHardJudgement, type NormAdAnswers } from "../../src/metrics/accuracy.ts";
import { scoreOpinionQuestions, summariseOpinion, summariseOpinionBaselines, type OpinionQuestion } from "../../src/metrics/opinion.ts";
import { loadAddon, type Model, type Scorer } from "../../src/native/index.ts";
import {
    accuracyMetricRows,
    commitShard,
    describeRun,
    logitRunToRows,
    mergeRows,
    opinionMetricRows,
    openRunDir,
    placementToMapRow,
    rowsToTables,
    writeRunRecord,
    type RunRecord,
    type TableRows,
} from "../../src/output/index.ts";
import type { Strategy } from "../../src/tasks/definitions.ts";
import type { OpinionItem } from "../../src/tasks/items.ts";
import { runCulturalBenchHard, runCulturalMap, runNormAd, runOpinion } from "../../src/tasks/run.ts";
import { ITEM_ORDER, syntheticRespondents } from "../culturalmap/synthetic.ts";
import { repoRoot, tinyRandomLlama2 } from "../support/models.ts";
import { definitions, goqaRows, items } from "../tasks/support.ts";

export const MODEL_NAME = "llama-2-tiny-random";
export const INDIA_KEY = "India (Current national sample)";
export const US_KEY = "United States";
const RESAMPLES = 200;

/** Opinion items with both countries' respondents (the Hindi-translated rows have both). */
export const opinionSample: OpinionItem[] = items.opinion.filter((i) => i.hindi).slice(0, 4);
/** Two India questions and two others of CulturalBench-Hard, four judgements each. */
const hardIndia = items["culturalbench-hard"].filter((i) => i.country === "India").slice(0, 8);
const hardOther = items["culturalbench-hard"].filter((i) => i.country !== "India").slice(0, 8);
export const hardSample = [...hardIndia, ...hardOther];

export type FixtureTask = "opinion" | "culturalbench-hard" | "normad" | "culturalmap";

export interface FixtureOptions {
    strategy: Strategy;
    tasks: readonly FixtureTask[];
    opinionItems?: readonly OpinionItem[];
    /** write the survey-only baselines into the metrics table (the report computes them itself otherwise) */
    opinionBaselines?: boolean;
    runId?: string;
    /** the GGUF the model was loaded from and the name the tables give it (default: the tiny random Llama-2) */
    modelPath?: string;
    modelName?: string;
}

export interface FixtureRun {
    dir: string;
    record: RunRecord;
    /** per opinion item id: the model's canonical distribution */
    opinion: Map<string, number[]>;
    hard: CulturalBenchHardJudgement[];
    normad: NormAdAnswers[];
}

let projection: ReturnType<typeof fitCulturalMap> | null = null;
/** A projection fitted on synthetic two-factor microdata (tests/culturalmap/synthetic.ts): plumbing, not the IVS. */
function syntheticProjection() {
    if (projection) return projection;
    const builder = new MicrodataBuilder("synthetic.csv", ["S025", "S017", ...ITEM_ORDER]);
    for (const r of syntheticRespondents({ seed: 3, perCountry: 150, missing: 0, weights: "random" })) builder.add([r.country, String(r.weight), ...r.cells]);
    projection = fitCulturalMap(builder.finish());
    return projection;
}

export async function buildFixtureRun(dir: string, model: Model, scorer: Scorer, options: FixtureOptions): Promise<FixtureRun> {
    const runId = options.runId ?? path.basename(dir);
    const strategy = options.strategy;
    const modelName = options.modelName ?? MODEL_NAME;
    const modelPath = options.modelPath ?? tinyRandomLlama2;
    const context = (task: string) => ({ runId, model: modelName, task, strategy });
    const parts: TableRows[] = [];
    const result: FixtureRun = { dir, record: undefined as unknown as RunRecord, opinion: new Map(), hard: [], normad: [] };

    if (options.tasks.includes("opinion")) {
        const run = await runOpinion(model, scorer, definitions.get("opinion")!, options.opinionItems ?? opinionSample, { strategy, maxPermutations: 4 });
        parts.push(logitRunToRows(run, context("opinion")));
        const questions: OpinionQuestion[] = run.answers.map((a) => ({
            questionId: `goqa-${a.rowIndex}`,
            countryDistributions: goqaRows[a.rowIndex].selections,
            modelProbabilities: a.distribution.probabilities,
            modelOptionMass: a.distribution.optionMass,
        }));
        for (const q of questions) result.opinion.set(q.questionId, [...q.modelProbabilities]);
        const aggregates = summariseOpinion(scoreOpinionQuestions(questions), { resamples: RESAMPLES });
        const baselines = options.opinionBaselines ? summariseOpinionBaselines(questions, {}, { resamples: RESAMPLES }) : [];
        parts.push({ metrics: opinionMetricRows([...aggregates, ...baselines], context("opinion"), { base: 2 }) });
    }
    if (options.tasks.includes("culturalbench-hard")) {
        const gold = new Map(hardSample.map((i) => [i.id, i.gold]));
        const run = await runCulturalBenchHard(model, scorer, definitions.get("culturalbench-hard")!, hardSample, { strategy });
        parts.push(logitRunToRows(run, context("culturalbench-hard"), (id, answer) => (answer === "true") === gold.get(id)));
        result.hard = run.answers;
        parts.push({ metrics: accuracyMetricRows(summariseAccuracy(scoreCulturalBenchHard(run.answers), { resamples: RESAMPLES }), context("culturalbench-hard")) });
    }
    if (options.tasks.includes("normad")) {
        const gold = new Map(items.normad.map((i) => [i.id, i.gold]));
        const run = await runNormAd(model, scorer, definitions.get("normad")!, items.normad, { strategy });
        parts.push(logitRunToRows(run, context("normad"), (id, answer) => answer === NORMAD_ANSWER_FOR_GOLD[gold.get(id)!]));
        result.normad = run.answers;
        parts.push({ metrics: accuracyMetricRows(summariseAccuracy(scoreNormAd(run.answers), { resamples: RESAMPLES }), context("normad")) });
    }
    if (options.tasks.includes("culturalmap")) {
        const run = await runCulturalMap(model, scorer, definitions.get("culturalmap")!, items.culturalmap, { strategy, maxPermutations: 2 });
        parts.push(logitRunToRows(run, context("culturalmap")));
        const placement = placeModel(syntheticProjection(), codeModelAnswers(run.answers), readReferencePositions());
        parts.push({ map: [placementToMapRow(placement, { runId, model: modelName, strategy })] });
    }

    const config = { tasks: [...options.tasks], strategies: [strategy], country: INDIA_KEY, compareCountry: US_KEY, mode: "logit", models: [modelPath] };
    commitShard(openRunDir(dir, config), "0000", rowsToTables(mergeRows(...parts)));
    const { build, addon } = loadAddon();
    const record = await describeRun({
        config,
        models: [{ path: modelPath, info: model.info }],
        build,
        devices: addon.devices(),
        datasets: [
            { name: "globalopinionqa", path: path.join(repoRoot, "datasets", "globalopinionqa", "global_opinions_india.csv") },
            { name: "culturalbench-hard", path: path.join(repoRoot, "datasets", "culturalbench", "CulturalBench-Hard.csv") },
        ],
        startedAt: new Date("2026-01-01T00:00:00Z"),
        endedAt: new Date("2026-01-01T00:01:00Z"),
    });
    record.throughput = { prompts: 120, tokens: 24000, seconds: 2, promptsPerSecond: 60, tokensPerSecond: 12000, workers: 1, device: "CPU" };
    record.warnings = [`${modelName} has random weights: plumbing only, its numbers say nothing about culture`];
    writeRunRecord(dir, record);
    result.record = record;
    return result;
}
