// The work of a run: which data file each task reads, the task's items, and the shards (model × task × strategy ×
// a fixed-size slice of items) in one fixed order. The plan depends only on the RunConfig and the data, never on
// --workers, so every item is scored in the same batch whatever the parallelism, and --shard i/N takes a fixed share.
import fs from "node:fs";
import { readCulturalBenchEasy, readCulturalBenchHard } from "../datasets/culturalBench.ts";
import { DEFAULT_INDIA_KEY, readGlobalOpinionQa, type GlobalOpinionQuestion } from "../datasets/globalOpinionQa.ts";
import { datasetStatus } from "../datasets/installation.ts";
import { readNormAd } from "../datasets/normad.ts";
import { DATASETS, type DatasetName } from "../datasets/registry.ts";
import type { Strategy, TaskDefinition } from "../tasks/definitions.ts";
import { answerOrders } from "../permutations/answerOrders.ts";
import { culturalBenchEasyItems, culturalBenchHardItems, culturalMapItems, normAdItems, opinionItems, type PromptItem } from "../tasks/items.ts";
import type { RunConfig, TaskName } from "./config.ts";

/** The data set each task reads (the cultural map's items ship in datasets/hindi/ and need none of these). */
export const TASK_DATASET: Readonly<Record<TaskName, DatasetName | null>> = {
    opinion: "globalopinionqa",
    "culturalbench-easy": "culturalbench-easy",
    "culturalbench-hard": "culturalbench-hard",
    normad: "normad",
    culturalmap: null,
};

export type TaskSource = { task: TaskName; available: true; dataset: DatasetName | null; file: string | null } | { task: TaskName; available: false; dataset: DatasetName; reason: string; fix: string };

/**
 * Where a task's data is: the shipped copy when there is one (pinned by sha256, so runs on different machines read
 * the same bytes), else the fetched original. Not installed: the reason and the command that fetches it.
 */
export function taskSource(task: TaskName, cacheDir: string): TaskSource {
    const dataset = TASK_DATASET[task];
    if (dataset === null) return { task, available: true, dataset: null, file: null };
    const status = datasetStatus(dataset, cacheDir);
    const copy = status.copies.find((c) => c.installed && c.kind === "shipped") ?? status.copies.find((c) => c.installed);
    if (!copy) return { task, available: false, dataset, reason: `${DATASETS[dataset].title} is not installed`, fix: status.install ?? `culturescope data fetch ${dataset}` };
    return { task, available: true, dataset, file: copy.path };
}

/** GlobalOpinionQA's key for a country name: India's current national sample for "India", else the name itself. */
export function opinionCountryKey(country: string): string {
    return country === "India" ? DEFAULT_INDIA_KEY : country;
}

export interface TaskItems {
    items: PromptItem[];
    /** GlobalOpinionQA rows by row index (the opinion metrics need every country's distribution). */
    opinionRows?: Map<number, GlobalOpinionQuestion>;
}

type ItemSettings = Pick<RunConfig, "country" | "limit">;

/** A task's items in data order, cut to the first `limit` questions (or stories): whole units, never half of one. */
export function loadTaskItems(task: TaskName, file: string | null, settings: ItemSettings): TaskItems {
    const need = (what: string) => {
        if (!file) throw new Error(`task ${task} needs its ${what} file`);
        return file;
    };
    let result: TaskItems;
    switch (task) {
        case "opinion": {
            const key = opinionCountryKey(settings.country);
            const all = readGlobalOpinionQa(need("GlobalOpinionQA")).rows;
            const rows = all.filter((r) => Object.hasOwn(r.selections, key));
            if (rows.length === 0) {
                throw new Error(
                    `no GlobalOpinionQA question in ${file} has answers from '${key}' (--country ${settings.country}); the shipped copy holds India and the United States only: ` +
                        `fetch the full file with \`culturescope data fetch globalopinionqa\`, or pick a country it has`,
                );
            }
            result = { items: opinionItems(rows), opinionRows: new Map(all.map((r) => [r.index, r])) };
            break;
        }
        case "culturalbench-hard":
            result = { items: culturalBenchHardItems(readCulturalBenchHard(need("CulturalBench-Hard")).rows) };
            break;
        case "culturalbench-easy":
            result = { items: culturalBenchEasyItems(readCulturalBenchEasy(need("CulturalBench-Easy")).rows) };
            break;
        case "normad":
            result = { items: normAdItems(readNormAd(need("NormAd")).rows) };
            break;
        case "culturalmap":
            result = { items: culturalMapItems() };
            break;
    }
    if (settings.limit !== null && task !== "culturalmap") result.items = firstUnits(result.items, settings.limit);
    return result;
}

/** The items of the first `n` distinct units, in order. */
export function firstUnits<T extends PromptItem>(items: readonly T[], n: number): T[] {
    const kept = new Set<string>();
    return items.filter((item) => {
        if (kept.has(item.unitId)) return true;
        if (kept.size >= n) return false;
        kept.add(item.unitId);
        return true;
    });
}

export interface ShardPlan {
    id: string;
    modelIndex: number;
    task: TaskName;
    strategy: Strategy;
    /** Items [start, end) of the task's item list. */
    start: number;
    end: number;
}

/** File-name-safe shard id, sortable in plan order within a model × task × strategy. */
export function shardId(modelIndex: number, task: TaskName, strategy: Strategy, chunk: number): string {
    return `m${modelIndex}.${task.replace(/-/g, "_")}.${strategy}.${String(chunk).padStart(4, "0")}`;
}

/** Prompts an item is scored with: one per answer order (sampling mode: one per trial). */
export function promptsPerItem(definition: TaskDefinition, item: PromptItem, config: Pick<RunConfig, "mode" | "trials" | "maxPermutations">): number {
    if (config.mode === "sample") return config.trials;
    const k = definition.answers.from === "labels" ? definition.answers.labels.length : item.options.length;
    return definition.permute ? answerOrders(k, { maxPermutations: config.maxPermutations ?? undefined }).length : 1;
}

/**
 * Every shard of the run, in plan order: models, then tasks and strategies in the config's (canonical) order, then
 * runs of consecutive items holding about `promptsPerShard` prompts. The cultural map is one shard per model ×
 * strategy: placing a model needs all its items together.
 */
export function planShards(config: Pick<RunConfig, "models" | "strategies" | "promptsPerShard">, itemPrompts: ReadonlyMap<TaskName, readonly number[]>): ShardPlan[] {
    const plan: ShardPlan[] = [];
    config.models.forEach((_, modelIndex) => {
        for (const [task, prompts] of itemPrompts) {
            const cuts = task === "culturalmap" ? [0, prompts.length] : cutByBudget(prompts, config.promptsPerShard);
            for (const strategy of config.strategies) {
                for (let chunk = 0; chunk + 1 < cuts.length; chunk++) {
                    plan.push({ id: shardId(modelIndex, task, strategy, chunk), modelIndex, task, strategy, start: cuts[chunk], end: cuts[chunk + 1] });
                }
            }
        }
    });
    return plan;
}

/** Boundaries [0, …, n] of runs of consecutive items whose prompts add up to at most `budget` (at least one item each). */
export function cutByBudget(prompts: readonly number[], budget: number): number[] {
    const cuts = [0];
    let used = 0;
    prompts.forEach((n, i) => {
        if (i > cuts[cuts.length - 1] && used + n > budget) {
            cuts.push(i);
            used = 0;
        }
        used += n;
    });
    if (prompts.length > 0) cuts.push(prompts.length);
    return cuts;
}

/** The shards --shard i/N runs: every N-th shard of the plan, starting at the i-th. */
export function shardShare<T>(plan: readonly T[], shard: { index: number; count: number } | null): T[] {
    return shard ? plan.filter((_, k) => k % shard.count === shard.index) : [...plan];
}

/** A model's short name for the tables: its file name without the .gguf extension. */
export function modelName(file: string): string {
    return file.split(/[\\/]/).pop()!.replace(/\.gguf$/i, "");
}

/** Size in bytes of a file, or a clear error naming it. */
export function fileSize(file: string): number {
    try {
        return fs.statSync(file).size;
    } catch (error) {
        throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
}
