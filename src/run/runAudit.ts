// `culturescope run` end to end: check the options, find the data and the models, open (or resume) the run
// directory, hand the shards to a Piscina pool in plan order, commit each finished shard atomically from this
// thread, then recompute the metrics from the answers table, write run.json and the report, and say what it all means.
import fs from "node:fs";
import path from "node:path";
import { Piscina } from "piscina";
import { defaultCacheDir } from "../datasets/installation.ts";
import { checkCanCreateDir } from "../output/atomicFile.ts";
import { loadAddon, Model } from "../native/index.ts";
import { checkModelSpec, resolveModel } from "../models/resolve.ts";
import { writeReport } from "../report/index.ts";
import { commitShardFiles, configHash, openRunDir, readManifest, readTable, tableRows, buildTable, commitShard, describeRun, readRunRecord, writeRunRecord, type RunRecord, type RunDirectory, type AnswerRow } from "../output/index.ts";
import { BUNDLED_MODEL, parseRunOptions, RunConfigError, type ExecutionOptions, type ModelSpec, type RunConfig, type RunOptionsInput, type TaskName } from "./config.ts";
import { createProgress } from "./progress.ts";
import type { ShardJob, ShardOutput } from "./shardWorker.ts";
import { summariseRun, SUMMARY_SHARD, type RunSummary } from "./summary.ts";
import { loadTaskDefinitions } from "../tasks/definitions.ts";
import { fileSize, loadTaskItems, modelName, planShards, promptsPerItem, shardShare, taskSource, type ShardPlan, type TaskItems } from "./workload.ts";

export interface RunOutcome {
    dir: string;
    record: RunRecord;
    /** Shards this invocation ran (not those a resumed run found done). */
    shardsRun: number;
    shardsTotal: number;
    /** Whether every shard of the run (or of this --shard share) is committed. */
    complete: boolean;
    interrupted: boolean;
    /** Shards whose worker failed (not committed, so --resume retries them). */
    failedShards: { id: string; error: string }[];
    summary: RunSummary | null;
    reportPath: string | null;
}

export interface RunHooks {
    /** Resolves when the user asked to stop (Ctrl-C): running shards finish and are committed, no new one starts. */
    stopRequested?: Promise<void>;
    /** Where messages go (default stderr). */
    log?: (line: string) => void;
}

const WORKER_ENTRY = new URL("./worker-entry.mjs", import.meta.url);

/** The data each selected task reads; a task that was asked for by name but is not installed is an error. */
function taskData(tasks: readonly TaskName[], explicit: boolean, cacheDir: string, settings: Pick<RunConfig, "country" | "limit">) {
    const available: { task: TaskName; file: string | null; dataset: string | null; items: TaskItems }[] = [];
    const skipped: { task: string; reason: string; fix: string }[] = [];
    for (const task of tasks) {
        const source = taskSource(task, cacheDir);
        if (!source.available) {
            if (explicit) throw new RunConfigError(`task ${task}: ${source.reason}; install it with \`${source.fix}\`, or leave ${task} out of --tasks`);
            skipped.push({ task, reason: source.reason, fix: source.fix });
            continue;
        }
        available.push({ task, file: source.file, dataset: source.dataset, items: loadTaskItems(task, source.file, settings) });
    }
    return { available, skipped };
}

/** Everything up to the first model load: options, tasks, data, model files. Fails fast with the fix. */
export async function prepareRun(input: RunOptionsInput, log: (line: string) => void = (l) => process.stderr.write(l + "\n")) {
    const parsed = parseRunOptions(input);
    for (const spec of parsed.modelSpecs) checkModelSpec(spec);
    const data = taskData(parsed.config.tasks, input.tasks !== undefined, defaultCacheDir(), parsed.config);
    if (data.available.length === 0) throw new RunConfigError(`none of the tasks can run: ${data.skipped.map((s) => `${s.task} (${s.reason}: ${s.fix})`).join("; ")}`);
    const models: ModelSpec[] = [];
    for (const spec of parsed.modelSpecs) {
        const resolved = await resolveModel(spec, { onProgress: ({ downloadedBytes, totalBytes }) => log(`downloading ${spec}: ${(downloadedBytes / 2 ** 20).toFixed(0)}/${(totalBytes / 2 ** 20).toFixed(0)} MiB`) });
        models.push({ spec, path: resolved.path, name: modelName(resolved.path), bytes: fileSize(resolved.path) });
    }
    const names = models.map((m) => m.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new RunConfigError(`two models are named ${dup} (the file name decides a model's name in the tables): rename or copy one of the files`);
    const config: RunConfig = { ...parsed.config, tasks: data.available.map((a) => a.task), models };
    return { config, execution: parsed.execution, data };
}

/** Warnings a reader must see next to the numbers. */
function warningsFor(config: RunConfig): string[] {
    const warnings: string[] = [];
    for (const m of config.models) {
        if (path.resolve(m.path) === BUNDLED_MODEL || /random/i.test(m.name)) {
            warnings.push(`${m.name} has random weights: its numbers only show that the pipeline works (a smoke test), not anything about a real model's culture`);
        }
    }
    if (config.limit !== null) warnings.push(`--limit ${config.limit}: only the first ${config.limit} questions of each task were asked, so the numbers are not the full benchmark's`);
    return warnings;
}

export async function runAudit(input: RunOptionsInput, hooks: RunHooks = {}): Promise<RunOutcome> {
    const log = hooks.log ?? ((line: string) => process.stderr.write(line + "\n"));
    const { config, execution, data } = await prepareRun(input, log);
    const runId = configHash(config).slice(0, 12);
    const dir = execution.out;
    if (!execution.resume && fs.existsSync(dir) && fs.existsSync(path.join(dir, "manifest.json"))) {
        const existing = readManifest(dir);
        if (existing && Object.keys(existing.shards).length) {
            throw new RunConfigError(`${dir} already holds a run (${Object.keys(existing.shards).length} shards done): pass --resume to continue it, or a new --out`);
        }
    }
    checkCanCreateDir(dir);
    // Load each model first: a bad file fails before anything is written or any worker starts, and the workers then
    // share these weights. They are held until the pool is done.
    const { addon, build } = loadAddon();
    const loaded: Model[] = [];
    let run: RunDirectory;
    let record: RunRecord;
    let plan: ShardPlan[];
    let mine: ShardPlan[];
    let outcome: Awaited<ReturnType<typeof runShards>>;
    const devices = addon.devices();
    try {
        for (const m of config.models) loaded.push(await Model.load(m.path, { gpuLayers: config.gpuLayers }));
        run = openRunDir(dir, config);
        if (run.cleaned.length) log(`removed ${run.cleaned.length} file(s) an interrupted run left half-written: ${run.cleaned.join(", ")}`);
        const previous = execution.resume && fs.existsSync(path.join(dir, "run.json")) ? readRunRecord(dir) : null;
        record = {
            ...(await describeRun({
                config,
                models: config.models.map((m, i) => ({ path: m.path, info: loaded[i].info })),
                build,
                devices,
                datasets: data.available.filter((a) => a.file).map((a) => ({ name: a.dataset!, path: a.file! })),
                startedAt: previous ? new Date(previous.startedAt) : new Date(),
            })),
            execution: { ...execution },
            skippedTasks: data.skipped,
            warnings: warningsFor(config),
            ...(execution.shard ? { shard: execution.shard } : {}),
        };
        writeRunRecord(dir, record);

        const definitions = loadTaskDefinitions();
        const itemPrompts = new Map(data.available.map((a) => [a.task, a.items.items.map((item) => promptsPerItem(definitions.get(a.task)!, item, config))] as const));
        plan = planShards(config, itemPrompts);
        mine = shardShare(plan, execution.shard);
        const done = new Set(Object.keys(run.manifest.shards));
        const todo = mine.filter((s) => !done.has(s.id));
        if (previous || done.size) log(`resuming ${dir}: ${mine.length - todo.length} of ${mine.length} shards already done`);
        const files = new Map(data.available.map((a) => [a.task, a.file]));
        outcome = await runShards(todo, { config, execution, runId, files, run, hooks, log });
    } finally {
        for (const m of loaded) m.dispose();
    }
    const complete = outcome.failedShards.length === 0 && !outcome.interrupted;
    const deviceName = devices.filter((d) => d.type !== "cpu" || config.gpuLayers === 0).map((d) => d.description || d.name).join(", ") || "CPU";
    record.throughput = {
        prompts: outcome.prompts,
        tokens: outcome.tokens,
        seconds: outcome.seconds,
        promptsPerSecond: outcome.seconds > 0 ? outcome.prompts / outcome.seconds : 0,
        tokensPerSecond: outcome.seconds > 0 ? outcome.tokens / outcome.seconds : 0,
        workers: execution.workers,
        device: deviceName,
    };
    let summary: RunSummary | null = null;
    let reportPath: string | null = null;
    if (complete) {
        if (!execution.shard) {
            summary = commitSummary(run, config, runId, new Map(data.available.map((a) => [a.task, a.items])));
            for (const note of summary.notes) log(note);
        }
        record.endedAt = new Date().toISOString();
    }
    if (execution.shard) record.plannedShards = plan.length;
    writeRunRecord(dir, record);
    if (complete && !execution.shard && execution.report) reportPath = await writeReportFor(dir, log);
    return { dir, record, shardsRun: outcome.shardsRun, shardsTotal: mine.length, complete, interrupted: outcome.interrupted, failedShards: outcome.failedShards, summary, reportPath };
}

interface PoolContext {
    config: RunConfig;
    execution: ExecutionOptions;
    runId: string;
    files: Map<TaskName, string | null>;
    run: RunDirectory;
    hooks: RunHooks;
    log: (line: string) => void;
}

function jobFor(shard: ShardPlan, ctx: PoolContext): ShardJob {
    const { config, execution } = ctx;
    const model = config.models[shard.modelIndex];
    return {
        shardId: shard.id,
        runId: ctx.runId,
        model: { path: model.path, name: model.name, gpuLayers: config.gpuLayers },
        scorer: { contextSize: config.contextSize, batchSize: config.batchSize, threads: execution.threads, kvCacheType: config.kvCacheType, flashAttention: config.flashAttention },
        task: shard.task,
        strategy: shard.strategy,
        dataFile: ctx.files.get(shard.task) ?? null,
        start: shard.start,
        end: shard.end,
        settings: { country: config.country, limit: config.limit, mode: config.mode, trials: config.trials, temperature: config.temperature, seed: config.seed, maxPermutations: config.maxPermutations },
    };
}

/**
 * Runs the shards on a pool of `workers` threads, at most `workers` at a time, starting them in plan order.
 * Each result is committed as it arrives; which worker ran a shard changes nothing in its bytes.
 */
async function runShards(todo: readonly ShardPlan[], ctx: PoolContext) {
    const { execution, hooks, log } = ctx;
    const totals = new Map<string, number>();
    for (const s of todo) totals.set(s.task, (totals.get(s.task) ?? 0) + (s.end - s.start));
    const progress = createProgress([...totals].map(([task, items]) => ({ task, items })), execution);
    const failedShards: { id: string; error: string }[] = [];
    let stopping = false;
    let interrupted = false;
    void hooks.stopRequested?.then(() => {
        if (!stopping) progress.log("stopping: the shards already running will finish and be saved; press Ctrl-C again to quit at once (saved shards are kept)");
        stopping = true;
        interrupted = true;
    });
    let prompts = 0;
    let tokens = 0;
    let shardsRun = 0;
    const started = performance.now();
    if (todo.length === 0) return { shardsRun, failedShards, interrupted, seconds: 0, prompts, tokens };
    const pool = new Piscina<ShardJob, ShardOutput>({ filename: WORKER_ENTRY.href, minThreads: execution.workers, maxThreads: execution.workers, idleTimeout: 60_000 });
    let next = 0;
    try {
        const runOne = async (): Promise<void> => {
            while (!stopping && next < todo.length) {
                const shard = todo[next++];
                let out: ShardOutput;
                try {
                    out = await pool.run(jobFor(shard, ctx));
                } catch (error) {
                    failedShards.push({ id: shard.id, error: (error as Error).message });
                    progress.log(`shard ${shard.id} failed and was not saved (--resume retries it): ${(error as Error).message}`);
                    continue;
                }
                try {
                    commitShardFiles(ctx.run, out.shardId, out.tables);
                } catch (error) {
                    // the directory cannot take more (disk full, permissions): scoring on would only lose more work
                    failedShards.push({ id: shard.id, error: (error as Error).message });
                    progress.log(`shard ${shard.id} could not be saved, so the run stops (the saved shards stay valid): ${(error as Error).message}`);
                    stopping = true;
                    continue;
                }
                shardsRun++;
                prompts += out.prompts;
                tokens += out.tokens;
                progress.advance(shard.task, out.items, out.prompts, out.tokens, out.seconds);
            }
        };
        await Promise.all(Array.from({ length: Math.min(execution.workers, todo.length) }, runOne));
    } finally {
        progress.stop();
        await pool.destroy();
    }
    if (interrupted) log(`interrupted: ${shardsRun} shard(s) saved this time, ${todo.length - shardsRun - failedShards.length} left; continue with the same options plus --resume --out ${ctx.run.dir}`);
    return { shardsRun, failedShards, interrupted, seconds: (performance.now() - started) / 1000, prompts, tokens };
}

/** Recomputes the metrics and map tables from the committed answers and commits them as the summary shard. */
export function commitSummary(run: RunDirectory, config: RunConfig, runId: string, taskItems: Map<TaskName, TaskItems>): RunSummary {
    const answers = tableRows(readTable(run.dir, "answers")) as unknown as AnswerRow[];
    const summary = summariseRun({ config, runId, answers, taskItems });
    commitShard(run, SUMMARY_SHARD, { metrics: buildTable("metrics", summary.metrics), map: buildTable("map", summary.map) });
    return summary;
}

/** report.html (src/report); a failed report never loses the run's tables. */
export async function writeReportFor(dir: string, log: (line: string) => void): Promise<string | null> {
    try {
        return await writeReport(dir);
    } catch (error) {
        log(`the report could not be written (${(error as Error).message}); the tables are complete: retry with \`culturescope report ${dir}\``);
        return null;
    }
}
