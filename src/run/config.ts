// What a run is: the options of `culturescope run` (from the command line, a YAML/JSON config file, or both), checked
// before anything is loaded, and split into the part that decides the results (RunConfig: hashed, saved in run.json,
// compared on --resume and merge) and the part that only decides how the work is done (workers, output, display).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { REPO_ROOT } from "../datasets/registry.ts";
import { STRATEGIES, TASK_KINDS, type Strategy, type TaskKind } from "../tasks/definitions.ts";

export const TASK_NAMES = TASK_KINDS;
export type TaskName = TaskKind;
export const MODES = ["logit", "sample"] as const;
export const KV_CACHE_TYPES = ["f32", "f16", "bf16", "q8_0"] as const;
export type KvCacheType = (typeof KV_CACHE_TYPES)[number];
export const FLASH_ATTENTION = ["off", "on", "auto"] as const;
export type FlashAttention = (typeof FLASH_ATTENTION)[number];
export type Mode = (typeof MODES)[number];

/** The model a run uses when none is named: random weights, so its numbers only show that the pipeline works. */
export const BUNDLED_MODEL = path.join(REPO_ROOT, "models", "llama-2-tiny-random", "llama-2-tiny-random.gguf");

/**
 * Prompts (item × answer order) per shard, about: shards are cut from consecutive items by this budget, which is
 * fixed (not derived from --workers), so the same items are always scored together in the same batches. Big enough
 * that committing a shard costs little next to scoring it; small enough that Ctrl-C or a kill loses little work.
 */
export const PROMPTS_PER_SHARD = 1024;

export interface ModelSpec {
    /** As given: a path, or an hf: reference. */
    spec: string;
    /** The GGUF file on disk. */
    path: string;
    /** Short name used in the tables (file name without .gguf). */
    name: string;
    bytes: number;
}

/** Everything the results depend on. Two runs with equal RunConfigs produce identical tables. */
export interface RunConfig {
    models: ModelSpec[];
    tasks: TaskName[];
    strategies: Strategy[];
    country: string;
    compareCountry: string;
    mode: Mode;
    trials: number;
    temperature: number;
    seed: number;
    maxPermutations: number | null;
    /** First N questions (or stories) per task; null: all. */
    limit: number | null;
    gpuLayers: number;
    contextSize: number;
    batchSize: number;
    /** KV cache precision: f32 (exact, the default) or a faster one that moves log-probs by ~1e-3 (src/native). */
    kvCacheType: KvCacheType;
    /** Flash attention: off (exact, the default), or on/auto (faster on GPUs; log-probs move by ~1e-3). */
    flashAttention: FlashAttention;
    /** A projection fitted with `culturescope map fit`, to place models on the cultural map; null: no placement. */
    mapProjection: string | null;
    bootstrapResamples: number;
    promptsPerShard: number;
}

/** How the work is done; none of it changes a result. */
export interface ExecutionOptions {
    workers: number;
    /** CPU threads per worker. */
    threads: number;
    out: string;
    resume: boolean;
    shard: { index: number; count: number } | null;
    report: boolean;
    quiet: boolean;
    json: boolean;
}

/** The options as the command line or a config file give them, before checking. */
export interface RunOptionsInput {
    config?: string;
    model?: string | string[];
    tasks?: string | string[];
    strategies?: string | string[];
    country?: string;
    compareCountry?: string;
    mode?: string;
    trials?: number | string;
    temperature?: number | string;
    seed?: number | string;
    maxPermutations?: number | string;
    limit?: number | string;
    workers?: number | string;
    threads?: number | string;
    gpuLayers?: number | string;
    ctx?: number | string;
    batch?: number | string;
    kvCache?: string;
    flashAttention?: string;
    out?: string;
    resume?: boolean;
    shard?: string;
    mapProjection?: string;
    bootstrapResamples?: number | string;
    report?: boolean;
    quiet?: boolean;
    json?: boolean;
}

const OPTION_KEYS: readonly (keyof RunOptionsInput)[] = [
    "model", "tasks", "strategies", "country", "compareCountry", "mode", "trials", "temperature", "seed", "maxPermutations", "limit",
    "workers", "threads", "gpuLayers", "ctx", "batch", "kvCache", "flashAttention", "out", "resume", "shard", "mapProjection", "bootstrapResamples", "report", "quiet", "json",
];

export const DEFAULTS = {
    tasks: [...TASK_NAMES] as TaskName[],
    strategies: [...STRATEGIES] as Strategy[],
    country: "India",
    compareCountry: "United States",
    mode: "logit" as Mode,
    trials: 5,
    temperature: 0.3,
    seed: 20250527,
    gpuLayers: 0,
    contextSize: 4096,
    // Tokens per decode: every token attends to all KV cells of its batch (the unified cache holds many sequences),
    // so the attention work grows with the batch squared; 512 keeps that small next to the weights' work.
    batchSize: 512,
    bootstrapResamples: 2000,
};

export class RunConfigError extends Error {}

/** "a,b" or ["a", "b,c"] → ["a", "b", "c"], each name checked against the valid ones, duplicates dropped. */
export function parseNames<T extends string>(value: string | string[] | undefined, valid: readonly T[], what: string, fallback: readonly T[]): T[] {
    if (value === undefined) return [...fallback];
    const names = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(",")).map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new RunConfigError(`--${what} is empty: name at least one of ${valid.join(", ")}`);
    const unknown = names.filter((n) => !(valid as readonly string[]).includes(n));
    if (unknown.length) throw new RunConfigError(`unknown ${what} ${unknown.map((u) => `'${u}'`).join(", ")}: the valid ${what} are ${valid.join(", ")}`);
    // keep the canonical order, so "--tasks normad,opinion" and "--tasks opinion,normad" are the same run
    return valid.filter((v) => names.includes(v));
}

function integerOption(value: number | string | undefined, name: string, min: number, fallback: number): number;
function integerOption(value: number | string | undefined, name: string, min: number, fallback: null): number | null;
function integerOption(value: number | string | undefined, name: string, min: number, fallback: number | null): number | null {
    if (value === undefined || value === null) return fallback;
    const n = typeof value === "number" ? value : Number(String(value).trim());
    if (!Number.isInteger(n) || n < min) throw new RunConfigError(`--${kebab(name)} must be an integer ≥ ${min} (got ${JSON.stringify(value)})`);
    return n;
}

function numberOption(value: number | string | undefined, name: string, min: number, fallback: number): number {
    if (value === undefined) return fallback;
    const n = typeof value === "number" ? value : Number(String(value).trim());
    if (!Number.isFinite(n) || n < min) throw new RunConfigError(`--${kebab(name)} must be a number ≥ ${min} (got ${JSON.stringify(value)})`);
    return n;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** "2/8" → { index: 2, count: 8 }; the index is 0-based, as Slurm array and Kubernetes Indexed Job indices are. */
export function parseShard(value: string | undefined): { index: number; count: number } | null {
    if (value === undefined) return null;
    const m = /^(\d+)\/(\d+)$/.exec(String(value).trim());
    const index = m ? Number(m[1]) : NaN;
    const count = m ? Number(m[2]) : NaN;
    if (!m || count < 1 || index >= count) throw new RunConfigError(`--shard must be i/N with 0 ≤ i < N, e.g. 0/8 (got ${JSON.stringify(value)})`);
    return { index, count };
}

/** Reads a YAML or JSON config file (same keys as the long options, camelCase or kebab-case). */
export function readConfigFile(file: string): RunOptionsInput {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new RunConfigError(`cannot read the config file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): pass an existing YAML or JSON file with --config`);
    }
    let parsed: unknown;
    try {
        parsed = YAML.parse(text);
    } catch (error) {
        throw new RunConfigError(`${file} is not valid YAML or JSON: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new RunConfigError(`${file} must hold a mapping of options (e.g. "tasks: [opinion]"), not ${Array.isArray(parsed) ? "a list" : typeof parsed}`);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed)) {
        const camel = key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
        if (!(OPTION_KEYS as readonly string[]).includes(camel)) throw new RunConfigError(`${file}: unknown option '${key}'; the options are ${OPTION_KEYS.map(kebab).join(", ")}`);
        out[camel] = value;
    }
    // a relative path in a config file means relative to that file, as in every other tool's config
    const base = path.dirname(path.resolve(file));
    const rel = (p: unknown) => (typeof p === "string" && !p.startsWith("hf:") && !path.isAbsolute(p) ? path.join(base, p) : p);
    if (out.model !== undefined) out.model = Array.isArray(out.model) ? out.model.map(rel) : rel(out.model);
    for (const key of ["out", "mapProjection"]) if (out[key] !== undefined) out[key] = rel(out[key]);
    return out as RunOptionsInput;
}

/** Command-line options over the config file's; only options actually given on the command line override. */
export function mergeOptions(file: RunOptionsInput, cli: RunOptionsInput): RunOptionsInput {
    const merged: RunOptionsInput = { ...file };
    for (const [k, v] of Object.entries(cli)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    return merged;
}

export function defaultOutDir(now = new Date()): string {
    const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return path.resolve("culturescope-runs", `run-${stamp}`);
}

export interface ParsedRunOptions {
    /** RunConfig minus the resolved models: model specs are resolved (and maybe downloaded) later. */
    config: Omit<RunConfig, "models">;
    modelSpecs: string[];
    execution: ExecutionOptions;
}

/** Checks every option without touching a model, so a typo fails at once with the valid names. */
export function parseRunOptions(input: RunOptionsInput): ParsedRunOptions {
    const specs = input.model === undefined ? [BUNDLED_MODEL] : (Array.isArray(input.model) ? input.model : [input.model]).map(String);
    if (specs.length === 0 || specs.some((s) => !s.trim())) throw new RunConfigError("--model is empty: pass a GGUF file, or an hf: reference");
    const mode = parseNames(input.mode, MODES, "mode", [DEFAULTS.mode]);
    if (mode.length !== 1) throw new RunConfigError(`--mode takes one of ${MODES.join(", ")}`);
    const shard = parseShard(input.shard);
    const workers = integerOption(input.workers, "workers", 1, defaultWorkers());
    const config: Omit<RunConfig, "models"> = {
        tasks: parseNames(input.tasks, TASK_NAMES, "tasks", DEFAULTS.tasks),
        strategies: parseNames(input.strategies, STRATEGIES, "strategies", DEFAULTS.strategies),
        country: nonEmpty(input.country, "country", DEFAULTS.country),
        compareCountry: nonEmpty(input.compareCountry, "compare-country", DEFAULTS.compareCountry),
        mode: mode[0],
        trials: mode[0] === "sample" ? integerOption(input.trials, "trials", 1, DEFAULTS.trials) : 1,
        temperature: mode[0] === "sample" ? numberOption(input.temperature, "temperature", 0, DEFAULTS.temperature) : 0,
        seed: integerOption(input.seed, "seed", 0, DEFAULTS.seed),
        maxPermutations: integerOption(input.maxPermutations, "maxPermutations", 1, null),
        limit: integerOption(input.limit, "limit", 1, null),
        gpuLayers: integerOption(input.gpuLayers, "gpuLayers", -1, DEFAULTS.gpuLayers),
        contextSize: integerOption(input.ctx, "ctx", 64, DEFAULTS.contextSize),
        batchSize: integerOption(input.batch, "batch", 32, DEFAULTS.batchSize),
        kvCacheType: oneOf(input.kvCache, KV_CACHE_TYPES, "kv-cache", "f32"),
        flashAttention: oneOf(input.flashAttention, FLASH_ATTENTION, "flash-attention", "off"),
        mapProjection: input.mapProjection ? path.resolve(String(input.mapProjection)) : null,
        bootstrapResamples: integerOption(input.bootstrapResamples, "bootstrapResamples", 100, DEFAULTS.bootstrapResamples),
        promptsPerShard: PROMPTS_PER_SHARD,
    };
    if (config.country === config.compareCountry) throw new RunConfigError(`--country and --compare-country are both '${config.country}': compare two different countries`);
    if (config.mapProjection && !fs.existsSync(config.mapProjection)) throw new RunConfigError(`the map projection ${config.mapProjection} does not exist: make one with \`culturescope map fit\`, or leave out --map-projection`);
    const cores = os.availableParallelism();
    return {
        config,
        modelSpecs: specs,
        execution: {
            workers,
            threads: integerOption(input.threads, "threads", 1, Math.max(1, Math.floor(cores / workers))),
            out: path.resolve(input.out ? String(input.out) : defaultOutDir()),
            resume: input.resume === true,
            shard,
            report: input.report !== false,
            quiet: input.quiet === true,
            json: input.json === true,
        },
    };
}

/** One worker per two cores, at most 4: each worker runs a llama.cpp context with its own threads. */
export function defaultWorkers(): number {
    return Math.min(4, Math.max(1, Math.floor(os.availableParallelism() / 2)));
}

function oneOf<T extends string>(value: string | undefined, valid: readonly T[], name: string, fallback: T): T {
    if (value === undefined) return fallback;
    if (!(valid as readonly string[]).includes(String(value))) throw new RunConfigError(`--${name} must be one of ${valid.join(", ")} (got ${JSON.stringify(value)})`);
    return value as T;
}

function nonEmpty(value: string | undefined, name: string, fallback: string): string {
    if (value === undefined) return fallback;
    const v = String(value).trim();
    if (!v) throw new RunConfigError(`--${name} is empty: name a country, e.g. "${fallback}"`);
    return v;
}
