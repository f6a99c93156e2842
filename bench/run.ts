// Whole-audit benchmark (not a test): times `culturescope run` of the opinion task end to end at several --workers
// counts, each run a fresh child process exactly as a user starts it, and checks that every run wrote identical tables.
//
//   npm run bench:run                                    # 200 questions × ≤24 orders × 4 strategies, workers 1,2,4
//   npm run bench:run -- --limit 20 --workers 1,2 --repeat 2
//   npm run bench:run -- --model some.gguf --gpu-layers -1 --threads 4 --out bench/.cache/gpu-run.json
//
// What is timed: the child process from spawn to exit ("wall": start-up, model load and hashing, scoring, metrics with
// bootstrap intervals, run.json) and, from the run's own run.json, `throughput.seconds` (the shard pool only: what the
// workers change). Speed-ups are relative to the first --workers entry (1 by default).
// The model defaults to the generated 143M-parameter one bench/score.ts uses (bench/common.ts), so the figures sit
// next to bench:score's. Every run has the same RunConfig, so the runs' manifest.json must list the same sha256 for
// every table; any difference fails the benchmark (exit 1), since --workers must never change a result.
// Prints a table and a final `BENCH_RUN_JSON {...}` line (also written to --out FILE).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchModel, cpuModel, DEFAULT_MODEL_SHAPE, defaultCacheDir, fmt, median, repoRoot } from "./common.ts";
import type { Throughput } from "../src/output/runRecord.ts";

const cores = os.availableParallelism();

const optionSpec = {
    model: { type: "string", default: "", help: "GGUF to run (default: generate/reuse bench:score's 143M model in --cache-dir)" },
    "cache-dir": { type: "string", default: defaultCacheDir, help: "where the generated model is kept" },
    workers: { type: "string", default: "1,2,4", help: "comma-separated --workers values, one measurement each" },
    threads: { type: "string", default: "auto", help: `threads per worker: auto = max(1, floor(${cores} cores / workers)), or a number for every run` },
    tasks: { type: "string", default: "opinion", help: "--tasks of the run" },
    strategies: { type: "string", default: "default,demographic,crosslingual,hindi", help: "--strategies of the run" },
    limit: { type: "string", default: "200", help: "--limit: questions per task" },
    "max-permutations": { type: "string", default: "24", help: "--max-permutations: answer orders per question at most" },
    "gpu-layers": { type: "string", default: "0", help: "--gpu-layers (-1: all)" },
    ctx: { type: "string", default: "", help: "--ctx of each worker's scorer (default: the CLI's)" },
    batch: { type: "string", default: "", help: "--batch (default: the CLI's)" },
    repeat: { type: "string", default: "1", help: "runs per workers value (the median wall time is reported)" },
    "run-dir": { type: "string", default: "", help: "where the runs' directories go (default: a fresh folder in the OS temp dir, removed at the end)" },
    keep: { type: "boolean", default: false, help: "keep the run directories" },
    out: { type: "string", default: "", help: "write the BENCH_RUN_JSON object here (default bench/.cache/bench-run-<time>.json)" },
    help: { type: "boolean", default: false, help: "print this help" },
} as const;

function readOptions() {
    const { values } = parseArgs({
        options: Object.fromEntries(Object.entries(optionSpec).map(([k, v]) => [k, { type: v.type }])) as { [K in keyof typeof optionSpec]: { type: (typeof optionSpec)[K]["type"] } },
        strict: true,
    });
    if (values.help) {
        console.log("usage: node --import tsx bench/run.ts [options]   (npm run bench:run -- [options])\n");
        for (const [k, v] of Object.entries(optionSpec) as [string, { type: string; default: unknown; help: string }][])
            console.log(`  --${k.padEnd(18)} ${v.help}${v.type === "string" && v.default ? ` (default ${v.default})` : ""}`);
        process.exit(0);
    }
    const str = (k: Exclude<keyof typeof optionSpec, "help" | "keep">): string => (values[k] as string | undefined) ?? optionSpec[k].default;
    const int = (k: Parameters<typeof str>[0], min: number): number => {
        const v = Number(str(k));
        if (!Number.isInteger(v) || v < min) throw new Error(`--${k} must be an integer ≥ ${min} (got '${str(k)}')`);
        return v;
    };
    const workers = str("workers").split(",").map((w) => Number(w.trim()));
    if (workers.length === 0 || workers.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`--workers must list integers ≥ 1, e.g. 1,2,4 (got '${str("workers")}')`);
    const threads = str("threads");
    if (threads !== "auto" && !(Number.isInteger(Number(threads)) && Number(threads) >= 1)) throw new Error(`--threads must be auto or an integer ≥ 1 (got '${threads}')`);
    return {
        modelPath: str("model"),
        cacheDir: str("cache-dir"),
        workers,
        threads: threads === "auto" ? ("auto" as const) : Number(threads),
        tasks: str("tasks"),
        strategies: str("strategies"),
        limit: int("limit", 1),
        maxPermutations: int("max-permutations", 1),
        gpuLayers: int("gpu-layers", -1),
        ctx: str("ctx") ? int("ctx", 64) : null,
        batch: str("batch") ? int("batch", 32) : null,
        repeat: int("repeat", 1),
        runDir: str("run-dir"),
        keep: values.keep === true,
        out: str("out"),
    };
}

type Options = ReturnType<typeof readOptions>;

/** The CLI's own default is floor(cores / workers) too; passing it explicitly makes the table say what ran. */
function threadsFor(opts: Options, workers: number): number {
    return opts.threads === "auto" ? Math.max(1, Math.floor(cores / workers)) : opts.threads;
}

interface Measurement {
    workers: number;
    threads: number;
    repeat: number;
    wallSeconds: number;
    throughput: Throughput;
    loadBefore: number[];
    /** table file name → sha256, from manifest.json (shard id + table) */
    tables: Record<string, string>;
}

/** Runs the CLI once, as a child process; resolves with the wall time, or rejects with its stderr. */
function runCli(args: string[]): Promise<{ seconds: number; stdout: string }> {
    return new Promise((resolve, reject) => {
        const t0 = performance.now();
        const child = spawn(process.execPath, [path.join(repoRoot, "bin", "culturescope.mjs"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code, signal) => {
            const seconds = (performance.now() - t0) / 1000;
            if (code === 0) resolve({ seconds, stdout });
            else reject(new Error(`culturescope ${args.join(" ")} exited with ${code ?? signal}:\n${stderr.trim().split("\n").slice(-20).join("\n")}`));
        });
    });
}

async function measure(opts: Options, model: string, workers: number, repeat: number, runDir: string): Promise<Measurement> {
    const threads = threadsFor(opts, workers);
    const out = path.join(runDir, `w${workers}-r${repeat}`);
    fs.rmSync(out, { recursive: true, force: true });
    const args = [
        "run", "--model", model, "--tasks", opts.tasks, "--strategies", opts.strategies,
        "--limit", String(opts.limit), "--max-permutations", String(opts.maxPermutations),
        "--workers", String(workers), "--threads", String(threads), "--gpu-layers", String(opts.gpuLayers),
        ...(opts.ctx !== null ? ["--ctx", String(opts.ctx)] : []), ...(opts.batch !== null ? ["--batch", String(opts.batch)] : []),
        "--quiet", "--no-report", "--json", "--out", out,
    ];
    const loadBefore = os.loadavg();
    const { seconds } = await runCli(args);
    const record = JSON.parse(fs.readFileSync(path.join(out, "run.json"), "utf8")) as { throughput?: Throughput; endedAt?: string };
    if (!record.throughput || !record.endedAt) throw new Error(`${out}/run.json: the run did not finish (no throughput or endedAt)`);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, "manifest.json"), "utf8")) as { shards: Record<string, { tables: Record<string, { sha256: string }> }> };
    const tables: Record<string, string> = {};
    for (const [shard, s] of Object.entries(manifest.shards)) for (const [table, t] of Object.entries(s.tables)) tables[`${shard}/${table}`] = t.sha256;
    if (!opts.keep && !opts.runDir) fs.rmSync(out, { recursive: true, force: true });
    return { workers, threads, repeat, wallSeconds: seconds, throughput: record.throughput, loadBefore, tables };
}

/** Every table of every run against the first run's: same set of tables, same bytes. */
function tableDifferences(runs: Measurement[]): string[] {
    const [ref, ...rest] = runs;
    const diffs: string[] = [];
    for (const r of rest) {
        const keys = new Set([...Object.keys(ref.tables), ...Object.keys(r.tables)]);
        for (const k of keys) {
            if (ref.tables[k] !== r.tables[k]) diffs.push(`workers=${r.workers} (repeat ${r.repeat}) ${k}: ${r.tables[k] ?? "missing"} vs workers=${ref.workers}: ${ref.tables[k] ?? "missing"}`);
        }
    }
    return diffs;
}

async function main() {
    const opts = readOptions();
    const started = new Date();
    const modelFile = benchModel({ modelPath: opts.modelPath, synthetic: DEFAULT_MODEL_SHAPE, cacheDir: opts.cacheDir });
    const runDir = opts.runDir ? path.resolve(opts.runDir) : fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-bench-run-"));
    fs.mkdirSync(runDir, { recursive: true });
    console.log(`model: ${path.relative(process.cwd(), modelFile.path)} (${(fs.statSync(modelFile.path).size / 2 ** 20).toFixed(0)} MiB)`);
    console.log(`workload: --tasks ${opts.tasks} --strategies ${opts.strategies} --limit ${opts.limit} --max-permutations ${opts.maxPermutations} --gpu-layers ${opts.gpuLayers}`);
    console.log(`host: ${cpuModel()}, ${cores} cores; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    for (const w of opts.workers) {
        const t = threadsFor(opts, w);
        // llama.cpp's threads spin while they wait for work, so more threads than cores costs rather than helps
        if (w * t > cores) console.log(`note: workers=${w} × threads=${t} = ${w * t} threads on ${cores} cores: oversubscribed`);
    }

    const runs: Measurement[] = [];
    try {
        for (const w of opts.workers) {
            for (let r = 0; r < opts.repeat; r++) {
                const m = await measure(opts, modelFile.path, w, r, runDir);
                runs.push(m);
                console.log(`  workers=${w} threads=${m.threads}: wall ${m.wallSeconds.toFixed(1)} s, scoring ${m.throughput.seconds.toFixed(1)} s, ${fmt(m.throughput.promptsPerSecond, 2)} prompts/s (${m.throughput.prompts} prompts, load before ${m.loadBefore[0].toFixed(2)})`);
            }
        }
    } finally {
        if (!opts.keep && !opts.runDir) fs.rmSync(runDir, { recursive: true, force: true });
    }

    const rows = opts.workers.map((w) => {
        const mine = runs.filter((m) => m.workers === w);
        const wall = median(mine.map((m) => m.wallSeconds));
        const scoring = median(mine.map((m) => m.throughput.seconds));
        const t = mine[0].throughput;
        return {
            workers: w,
            threads: mine[0].threads,
            oversubscribed: w * mine[0].threads > cores,
            wallSeconds: wall,
            allWallSeconds: mine.map((m) => m.wallSeconds),
            scoringSeconds: scoring,
            prompts: t.prompts,
            tokens: t.tokens,
            promptsPerSecond: t.prompts / scoring,
            tokensPerSecond: t.tokens / scoring,
            wallPromptsPerSecond: t.prompts / wall,
            device: t.device,
        };
    });
    const base = rows[0];
    const table = rows.map((r) => ({ ...r, speedup: r.promptsPerSecond / base.promptsPerSecond, wallSpeedup: base.wallSeconds / r.wallSeconds }));

    console.log("");
    console.log(`| workers | threads/worker | wall s | scoring s | prompts/s | tokens/s | speed-up vs workers=${base.workers} | wall speed-up |`);
    console.log("|--------:|---------------:|-------:|----------:|----------:|---------:|----------:|----------:|");
    for (const r of table)
        console.log(`| ${r.workers} | ${r.threads}${r.oversubscribed ? " (oversubscribed)" : ""} | ${r.wallSeconds.toFixed(1)} | ${r.scoringSeconds.toFixed(1)} | ${fmt(r.promptsPerSecond, 2)} | ${fmt(r.tokensPerSecond)} | ${r.speedup.toFixed(2)}× | ${r.wallSpeedup.toFixed(2)}× |`);
    console.log(`prompts/s and tokens/s: run.json's throughput (the shard pool); wall: the whole process. ${base.prompts} prompts, ${base.tokens} tokens evaluated (each prefix once) on ${base.device}.`);

    const diffs = tableDifferences(runs);
    const identical = diffs.length === 0;
    console.log(identical ? `tables: identical across all ${runs.length} runs (${Object.keys(runs[0].tables).length} tables, manifest sha256)` : `TABLES DIFFER across runs (${diffs.length} differences):\n  ${diffs.slice(0, 20).join("\n  ")}`);

    const record = {
        date: started.toISOString(),
        host: { cpu: cpuModel(), cores, memoryBytes: os.totalmem(), platform: `${process.platform}-${process.arch}`, node: process.version },
        model: { path: path.relative(repoRoot, modelFile.path), bytes: fs.statSync(modelFile.path).size, generated: !opts.modelPath, generatedSeconds: modelFile.generatedSeconds },
        options: opts,
        results: table,
        runs: runs.map(({ tables, ...m }) => ({ ...m, tableCount: Object.keys(tables).length })),
        tablesIdentical: identical,
        tableDifferences: diffs,
    };
    const line = JSON.stringify(record);
    console.log(`BENCH_RUN_JSON ${line}`);
    const out = opts.out || path.join(defaultCacheDir, `bench-run-${started.toISOString().replace(/[-:]/g, "").slice(0, 15)}.json`);
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(record, null, 2) + "\n");
    console.log(`written: ${path.relative(process.cwd(), path.resolve(out))}`);
    if (!identical) {
        console.error("bench:run FAILED: --workers changed the tables; a run's results must not depend on its parallelism");
        process.exit(1);
    }
}

await main();
