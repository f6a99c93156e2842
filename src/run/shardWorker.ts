// One shard of a run, start to finish, inside a Piscina worker thread: the task's items (read once per worker),
// rendering and tokenising, scoring (or sampling) through this worker's own llama.cpp context, and the rows encoded
// as Arrow IPC bytes that the main thread only has to write. The model's weights are loaded once per process: the
// native registry hands every worker the same weights (src/native, model.cpp).
import { tableToIpcFile } from "../output/arrowTables.ts";
import { logitRunToRows, mergeRows, rowsToTables, sampledTaskToRows, type Correctness, type RowContext, type TableRows } from "../output/resultRows.ts";
import type { TableName } from "../output/schemas.ts";
import { Model, type Scorer } from "../native/index.ts";
import { optionLetter } from "../permutations/answerOrders.ts";
import { NORMAD_ANSWER_FOR_GOLD } from "../metrics/accuracy.ts";
import { loadTaskDefinitions, type Strategy, type TaskDefinition } from "../tasks/definitions.ts";
import type { CulturalBenchEasyItem, CulturalBenchHardItem, NormAdItem, PromptItem } from "../tasks/items.ts";
import { scoreTaskLogits, type LogitItemResult, type LogitRun, type RunOptions } from "../tasks/run.ts";
import { sampleTask, type SampledTask, type SamplingOptions } from "../tasks/sampling.ts";
import type { SkippedItem } from "../tasks/render.ts";
import type { FlashAttention, KvCacheType, Mode, TaskName } from "./config.ts";
import { loadTaskItems } from "./workload.ts";

export interface ShardJob {
    shardId: string;
    runId: string;
    model: { path: string; name: string; gpuLayers: number };
    scorer: { contextSize: number; batchSize: number; threads: number; kvCacheType: KvCacheType; flashAttention: FlashAttention };
    task: TaskName;
    strategy: Strategy;
    dataFile: string | null;
    start: number;
    end: number;
    settings: { country: string; limit: number | null; mode: Mode; trials: number; temperature: number; seed: number; maxPermutations: number | null };
}

export interface ShardOutput {
    shardId: string;
    /** Arrow IPC file bytes per table. */
    tables: Partial<Record<TableName, Uint8Array>>;
    items: number;
    /** Prompts scored (one per answer order) or trials generated. */
    prompts: number;
    /** Tokens evaluated: each prefix once, plus every continuation (or prompt and generated tokens). */
    tokens: number;
    errors: number;
    seconds: number;
}

const models = new Map<string, Promise<Model>>();
const scorers = new Map<string, Scorer>();
const itemCache = new Map<string, PromptItem[]>();
let definitions: Map<string, TaskDefinition> | undefined;

function modelFor(job: ShardJob): Promise<Model> {
    const key = `${job.model.path}\u0000${job.model.gpuLayers}`;
    let model = models.get(key);
    if (!model) {
        model = Model.load(job.model.path, { gpuLayers: job.model.gpuLayers });
        models.set(key, model);
        model.catch(() => models.delete(key));
    }
    return model;
}

function scorerFor(model: Model, job: ShardJob): Scorer {
    const key = `${job.model.path}\u0000${job.model.gpuLayers}\u0000${JSON.stringify(job.scorer)}`;
    let scorer = scorers.get(key);
    if (!scorer) {
        scorer = model.createScorer({
            contextSize: job.scorer.contextSize,
            batchSize: Math.min(job.scorer.batchSize, job.scorer.contextSize),
            threads: job.scorer.threads,
            kvCacheType: job.scorer.kvCacheType,
            flashAttention: job.scorer.flashAttention,
        });
        scorers.set(key, scorer);
    }
    return scorer;
}

function itemsFor(job: ShardJob): PromptItem[] {
    const key = JSON.stringify([job.task, job.dataFile, job.settings.country, job.settings.limit]);
    let items = itemCache.get(key);
    if (!items) itemCache.set(key, (items = loadTaskItems(job.task, job.dataFile, job.settings).items));
    return items;
}

/** Whether an answer (an answer value: a label's value, or an option index as a string) is right, per task kind. */
function correctness(task: TaskName, items: readonly PromptItem[]): Correctness | undefined {
    const byId = new Map(items.map((i) => [i.id, i]));
    switch (task) {
        case "culturalbench-easy":
            return (id, answer) => (answer === null ? null : optionLetter(Number(answer)) === (byId.get(id) as CulturalBenchEasyItem).gold);
        case "culturalbench-hard":
            return (id, answer) => (answer === null ? null : (answer === "true") === (byId.get(id) as CulturalBenchHardItem).gold);
        case "normad":
            return (id, answer) => (answer === null ? null : answer === NORMAD_ANSWER_FOR_GOLD[(byId.get(id) as NormAdItem).gold]);
        default:
            return undefined;
    }
}

const sum = (xs: Iterable<number>) => {
    let s = 0;
    for (const x of xs) s += x;
    return s;
};

/**
 * Runs `call` on all the items together; if that fails as a whole, item by item, so one bad item costs only itself
 * (recorded as skipped at stage "score" with its error). Fails only when no item at all could be run.
 */
async function withItemFallback<R extends { skipped: SkippedItem[] }>(items: readonly PromptItem[], call: (items: readonly PromptItem[]) => Promise<R>, merge: (into: R, one: R) => void, empty: () => R): Promise<R> {
    try {
        return await call(items);
    } catch (batchError) {
        const merged = empty();
        let ran = 0;
        for (const item of items) {
            try {
                merge(merged, await call([item]));
                ran++;
            } catch (error) {
                merged.skipped.push({ itemId: item.id, stage: "score", reason: (error as Error).message });
            }
        }
        if (ran === 0 && items.length > 1) throw batchError;
        return merged;
    }
}

const scoreLogits = (model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly PromptItem[], options: RunOptions) =>
    withItemFallback<LogitRun<LogitItemResult>>(
        items,
        (some) => scoreTaskLogits(model, scorer, definition, some, options),
        (into, one) => (into.results.push(...one.results), into.skipped.push(...one.skipped)),
        () => ({ results: [], skipped: [] }),
    );

const sampleItems = (model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly PromptItem[], options: RunOptions & SamplingOptions) =>
    withItemFallback<SampledTask>(
        items,
        (some) => sampleTask(model, scorer, definition, some, options),
        (into, one) => (into.results.push(...one.results), into.skipped.push(...one.skipped)),
        () => ({ results: [], skipped: [], unparseableRate: 0 }),
    );

export async function runShard(job: ShardJob): Promise<ShardOutput> {
    const started = performance.now();
    definitions ??= loadTaskDefinitions();
    const definition = definitions.get(job.task);
    if (!definition) throw new Error(`no task definition named ${job.task}`);
    const model = await modelFor(job);
    const scorer = scorerFor(model, job);
    const all = itemsFor(job);
    const items = all.slice(job.start, job.end);
    const context: RowContext = { runId: job.runId, model: job.model.name, task: job.task, strategy: job.strategy };
    const options: RunOptions = {
        strategy: job.strategy,
        country: job.settings.country,
        ...(job.settings.maxPermutations !== null ? { maxPermutations: job.settings.maxPermutations } : {}),
        contextSize: job.scorer.contextSize,
    };
    const correct = correctness(job.task, items);
    const countries = new Map(items.map((i) => [i.id, "country" in i && typeof i.country === "string" ? i.country : null]));
    const countryOf = (id: string) => countries.get(id) ?? null;
    let rows: TableRows;
    let prompts = 0;
    let tokens = 0;
    if (job.settings.mode === "logit") {
        const run = await scoreLogits(model, scorer, definition, items, options);
        rows = logitRunToRows(run, context, correct, countryOf);
        prompts = sum(run.results.map((r) => r.permutations.length));
        // the scorer evaluates each prefix once and each continuation once
        tokens = sum(run.results.map((r) => r.tokens));
    } else {
        const sampled = await sampleItems(model, scorer, definition, items, { ...options, runSeed: job.settings.seed, trials: job.settings.trials, temperature: job.settings.temperature });
        rows = sampledTaskToRows(sampled, context, correct, countryOf);
        prompts = sum(sampled.results.map((r) => r.answers.length));
        tokens = sum(sampled.results.map((r) => r.tokens));
    }
    rows = mergeRows({ items: [], scores: [], answers: [], errors: [] }, rows);
    const tables: Partial<Record<TableName, Uint8Array>> = {};
    for (const [name, table] of Object.entries(rowsToTables(rows)) as [TableName, Parameters<typeof tableToIpcFile>[0]][]) tables[name] = tableToIpcFile(table);
    return { shardId: job.shardId, tables, items: items.length, prompts, tokens, errors: rows.errors?.length ?? 0, seconds: (performance.now() - started) / 1000 };
}

export default runShard;
