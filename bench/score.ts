// Scoring-throughput benchmark (not a test): how fast culturescope scores a GlobalOpinionQA-shaped workload, against
// node-llama-cpp's own API on the same model, in one process.
//
//   npm run bench:score                         # CPU defaults: 512-dim 4-layer F16 llama, 128k vocabulary, 8 questions
//   npm run bench:score -- --questions 4 --modes a,c --out bench/.cache/last.json
//   node --import tsx bench/score.ts --embd 1536 --layers 28 --heads 12 --kv-heads 2 --ff 8960 --gpu cuda --modes a,c
//
// Modes (each warmed up once on the first questions, then timed on the whole workload):
//   a  culturescope, prefix-shared: one request per question (prefix + 24 continuations), all in one score() call
//   b  node-llama-cpp 3.21.1, one prompt at a time: clear the sequence, controlledEvaluate(full prompt) with
//      generateNext.probabilities on the last token, read the candidates from the probability map
//   c  culturescope without prefix sharing: each full prompt its own request, all in one score() call
// Prints a table, the agreement checks, and a final `BENCH_JSON {...}` line (also written to --out FILE).
// Every option can also be given as an environment variable BENCH_<NAME> (e.g. BENCH_QUESTIONS=4).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadAddon, Model, type ScoreResult } from "../src/native/index.ts";
import { benchModel, cpuModel, DEFAULT_MODEL_SHAPE as M, defaultCacheDir, fmt, median, repoRoot } from "./common.ts";
import { ANSWER_LETTERS, questionText } from "./workload.ts";

// ---------------------------------------------------------------------------------------------------------------
// Options

const optionSpec = {
    // model
    model: { type: "string", default: "", help: "use this GGUF instead of generating one" },
    embd: { type: "string", default: String(M.nEmbd), help: "embedding width" },
    layers: { type: "string", default: String(M.nLayer), help: "transformer blocks" },
    heads: { type: "string", default: String(M.nHead), help: "attention heads" },
    "kv-heads": { type: "string", default: String(M.nHeadKv), help: "KV heads (GQA)" },
    ff: { type: "string", default: String(M.nFf), help: "feed-forward width" },
    vocab: { type: "string", default: String(M.nVocab), help: "vocabulary size (the llama-spm vocabulary extended)" },
    "weight-type": { type: "string", default: M.weightType, help: "f16 or f32" },
    seed: { type: "string", default: String(M.seed), help: "weight PRNG seed" },
    "cache-dir": { type: "string", default: defaultCacheDir, help: "where generated models are kept" },
    // workload
    questions: { type: "string", default: "8", help: "questions (24 prompts each)" },
    "warmup-questions": { type: "string", default: "2", help: "questions in each mode's warm-up run" },
    modes: { type: "string", default: "a,b,c", help: "which of a,b,c to run" },
    repeat: { type: "string", default: "1", help: "timed runs per mode (the median is reported)" },
    // our scorer
    gpu: { type: "string", default: "cpu", help: "addon variant: cpu, cuda, auto" },
    "addon-build": { type: "string", default: "", help: "prebuilt or source (default: the loader's choice, i.e. CULTURESCOPE_BUILD or the newest build)" },
    "gpu-layers": { type: "string", default: "", help: "layers to offload (default: all when --gpu is not cpu)" },
    threads: { type: "string", default: String(os.availableParallelism()), help: "CPU threads (ours and node-llama-cpp's)" },
    context: { type: "string", default: "2048", help: "scorer contextSize (KV cells)" },
    batch: { type: "string", default: "2048", help: "scorer batchSize (tokens per llama_decode)" },
    ubatch: { type: "string", default: "512", help: "scorer ubatchSize" },
    "max-seqs": { type: "string", default: "64", help: "scorer maxSequences" },
    "flash-attn": { type: "string", default: "auto", help: "auto, on, off (both implementations)" },
    "kv-type": { type: "string", default: "f16", help: "scorer KV cache type" },
    // node-llama-cpp
    "nlc-gpu": { type: "string", default: "false", help: "node-llama-cpp getLlama gpu: false, auto, cuda" },
    "nlc-context": { type: "string", default: "512", help: "node-llama-cpp contextSize" },
    "nlc-batch": { type: "string", default: "512", help: "node-llama-cpp batchSize" },
    // output
    out: { type: "string", default: "", help: "also write the BENCH_JSON object to this file" },
    "generate-only": { type: "boolean", default: false, help: "only generate (or find) the model, print `MODEL <path>`, exit" },
    help: { type: "boolean", default: false, help: "print this help" },
} as const;

type OptionName = keyof typeof optionSpec;

function readOptions() {
    const { values } = parseArgs({
        options: Object.fromEntries(Object.entries(optionSpec).map(([k, v]) => [k, { type: v.type }])) as {
            [K in OptionName]: { type: (typeof optionSpec)[K]["type"] };
        },
        strict: true,
    });
    if (values.help) {
        console.log("usage: node --import tsx bench/score.ts [options]\n");
        for (const [k, v] of Object.entries(optionSpec) as [string, { type: string; default: unknown; help: string }][])
            console.log(`  --${k.padEnd(18)} ${v.help}${v.type === "string" ? ` (default ${v.default || "none"}; env BENCH_${envName(k)})` : ""}`);
        process.exit(0);
    }
    type StringOption = Exclude<OptionName, "help" | "generate-only">;
    const str = (k: StringOption): string =>
        (values[k] as string | undefined) ?? process.env[`BENCH_${envName(k)}`] ?? (optionSpec[k].default as string);
    const int = (k: StringOption): number => {
        const v = Number(str(k));
        if (!Number.isInteger(v)) throw new Error(`--${k} must be an integer (got '${str(k)}')`);
        return v;
    };
    const modes = str("modes").split(",").map((m) => m.trim()).filter(Boolean);
    for (const m of modes) if (!["a", "b", "c"].includes(m)) throw new Error(`--modes: unknown mode '${m}' (a, b, c)`);
    const gpu = str("gpu") as "cpu" | "cuda" | "auto";
    const weightType = str("weight-type");
    if (weightType !== "f16" && weightType !== "f32") throw new Error("--weight-type must be f16 or f32");
    const flash = str("flash-attn");
    if (!["auto", "on", "off"].includes(flash)) throw new Error("--flash-attn must be auto, on or off");
    return {
        modelPath: str("model"),
        synthetic: {
            nEmbd: int("embd"),
            nLayer: int("layers"),
            nHead: int("heads"),
            nHeadKv: int("kv-heads"),
            nFf: int("ff"),
            nVocab: int("vocab"),
            weightType: weightType as "f16" | "f32",
            seed: int("seed"),
        },
        cacheDir: str("cache-dir"),
        questions: int("questions"),
        warmupQuestions: int("warmup-questions"),
        modes,
        repeat: Math.max(1, int("repeat")),
        gpu,
        addonBuild: str("addon-build") as "" | "prebuilt" | "source",
        gpuLayers: str("gpu-layers") === "" ? (gpu === "cpu" ? 0 : -1) : int("gpu-layers"),
        threads: int("threads"),
        scorer: {
            contextSize: int("context"),
            batchSize: int("batch"),
            ubatchSize: int("ubatch"),
            maxSequences: int("max-seqs"),
            flashAttention: flash as "auto" | "on" | "off",
            kvCacheType: str("kv-type") as "f16" | "f32" | "bf16" | "q8_0",
        },
        nlc: { gpu: str("nlc-gpu"), contextSize: int("nlc-context"), batchSize: int("nlc-batch") },
        out: str("out"),
        generateOnly: values["generate-only"] === true,
    };
}

function envName(k: string): string {
    return k.toUpperCase().replaceAll("-", "_");
}

type Options = ReturnType<typeof readOptions>;

// ---------------------------------------------------------------------------------------------------------------
// Workload: token arrays shared by all three modes

interface Question {
    prefix: Int32Array;
    continuations: Int32Array[];
    /** prefix ++ continuation, for each continuation */
    prompts: Int32Array[];
}

interface Workload {
    questions: Question[];
    candidates: Int32Array;
    candidatePieces: string[];
    prompts: number;
    promptTokens: number;
    prefixTokens: { min: number; max: number; mean: number };
    continuationTokens: { min: number; max: number; mean: number };
}

function buildWorkload(model: Model, n: number): Workload {
    const questions: Question[] = [];
    let candidates: Int32Array | undefined;
    const pre: number[] = [];
    const cont: number[] = [];
    for (let i = 0; i < n; i++) {
        const text = questionText(i);
        const prefix = model.tokenize(text.prefix, { addSpecial: true });
        const continuations: Int32Array[] = [];
        const prompts: Int32Array[] = [];
        for (const c of text.continuations) {
            // Tokenize the whole prompt and split it after the prefix, so every mode sees the tokens a
            // one-string tokenization gives (checked: the prefix's tokens must come out unchanged).
            const full = model.tokenize(text.prefix + c, { addSpecial: true });
            if (!startsWith(full, prefix)) throw new Error(`question ${i}: tokenizing prefix + options changes the prefix's tokens`);
            continuations.push(full.slice(prefix.length));
            prompts.push(full);
            cont.push(full.length - prefix.length);
        }
        pre.push(prefix.length);
        if (!candidates) candidates = answerCandidates(model, text.prefix + text.continuations[0]);
        questions.push({ prefix, continuations, prompts });
    }
    if (!candidates) throw new Error("--questions must be at least 1");
    const stats = (xs: number[]) => ({ min: Math.min(...xs), max: Math.max(...xs), mean: xs.reduce((a, b) => a + b, 0) / xs.length });
    return {
        questions,
        candidates,
        candidatePieces: model.tokenPieces(candidates),
        prompts: questions.reduce((s, q) => s + q.prompts.length, 0),
        promptTokens: questions.reduce((s, q) => s + q.prompts.reduce((t, p) => t + p.length, 0), 0),
        prefixTokens: stats(pre),
        continuationTokens: stats(cont),
    };
}

function startsWith(a: Int32Array, b: Int32Array): boolean {
    if (a.length < b.length) return false;
    for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
    return true;
}

/** The token each answer letter becomes right after the cue ("Answer:" + " A" → one more token, " A"). */
function answerCandidates(model: Model, promptText: string): Int32Array {
    const base = model.tokenize(promptText, { addSpecial: true });
    return Int32Array.from(
        ANSWER_LETTERS.map((letter) => {
            const withAnswer = model.tokenize(`${promptText} ${letter}`, { addSpecial: true });
            if (withAnswer.length !== base.length + 1 || !startsWith(withAnswer, base))
                throw new Error(`the answer " ${letter}" does not tokenize to one token after the cue`);
            return withAnswer[base.length];
        }),
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

interface ModeResult {
    mode: "a" | "b" | "c";
    label: string;
    prompts: number;
    promptTokens: number;
    evaluatedTokens: number;
    /** median wall seconds of the timed runs (JS-side, around the whole call) */
    seconds: number;
    allSeconds: number[];
    /** the addon's own stats.seconds (a, c) */
    nativeSeconds?: number;
    warmupSeconds: number;
    promptsPerSecond: number;
    promptTokensPerSecond: number;
    evaluatedTokensPerSecond: number;
    extra?: Record<string, unknown>;
}

/** Candidate log-probabilities, [question][permutation][candidate]. */
type LogProbs = Float64Array[][];

function summarize(
    mode: ModeResult["mode"],
    label: string,
    wl: Workload,
    evaluatedTokens: number,
    allSeconds: number[],
    warmupSeconds: number,
    extra: Partial<ModeResult> = {},
): ModeResult {
    const seconds = median(allSeconds);
    return {
        mode,
        label,
        prompts: wl.prompts,
        promptTokens: wl.promptTokens,
        evaluatedTokens,
        seconds,
        allSeconds,
        warmupSeconds,
        promptsPerSecond: wl.prompts / seconds,
        promptTokensPerSecond: wl.promptTokens / seconds,
        evaluatedTokensPerSecond: evaluatedTokens / seconds,
        ...extra,
    };
}

type OurScorer = ReturnType<Model["createScorer"]>;

async function runOurs(mode: "a" | "c", scorer: OurScorer, wl: Workload, opts: Options): Promise<{ result: ModeResult; logProbs: LogProbs }> {
    const requestsFor = (qs: Question[]) =>
        mode === "a"
            ? qs.map((q) => ({ prefix: q.prefix, continuations: q.continuations, candidates: wl.candidates }))
            : qs.flatMap((q) => q.prompts.map((p) => ({ prefix: p, candidates: wl.candidates })));
    const warm = requestsFor(wl.questions.slice(0, Math.max(1, opts.warmupQuestions)));
    let t0 = performance.now();
    await scorer.score(warm);
    const warmupSeconds = (performance.now() - t0) / 1000;
    const requests = requestsFor(wl.questions);
    const all: number[] = [];
    let last: ScoreResult | undefined;
    const native: number[] = [];
    for (let r = 0; r < opts.repeat; r++) {
        t0 = performance.now();
        last = await scorer.score(requests);
        all.push((performance.now() - t0) / 1000);
        native.push(last.stats.seconds);
    }
    const out = last!;
    const perQuestion = wl.questions[0].continuations.length;
    const logProbs: LogProbs =
        mode === "a"
            ? out.results.map((r) => r.continuations.map((c) => c.logProbs))
            : wl.questions.map((_, qi) => out.results.slice(qi * perQuestion, (qi + 1) * perQuestion).map((r) => r.continuations[0].logProbs));
    const label = mode === "a" ? "culturescope, prefix-shared" : "culturescope, no sharing";
    const result = summarize(mode, label, wl, out.stats.evaluatedTokens, all, warmupSeconds, {
        nativeSeconds: median(native),
        extra: { stats: out.stats, requests: requests.length },
    });
    if (out.stats.promptTokens !== wl.promptTokens) throw new Error(`mode ${mode}: the scorer counted ${out.stats.promptTokens} prompt tokens, the workload has ${wl.promptTokens}`);
    return { result, logProbs };
}

async function runNodeLlamaCpp(modelPath: string, wl: Workload, opts: Options): Promise<{ result: ModeResult; logProbs: LogProbs; info: Record<string, unknown> }> {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const gpu = opts.nlc.gpu === "false" ? false : (opts.nlc.gpu as "auto" | "cuda");
    // maxThreads: node-llama-cpp's default is max(cpuMathCores, 4), i.e. 4 threads on a 2-core machine.
    const llama = await getLlama({ gpu, build: "never", maxThreads: opts.threads, logLevel: LlamaLogLevel.error, progressLogs: false });
    const model = await llama.loadModel({ modelPath, gpuLayers: gpu === false ? 0 : "max" });
    const context = await model.createContext({
        contextSize: opts.nlc.contextSize,
        batchSize: opts.nlc.batchSize,
        sequences: 1,
        threads: { ideal: opts.threads, min: opts.threads },
        flashAttention: opts.scorer.flashAttention === "auto" ? "auto" : opts.scorer.flashAttention === "on",
    });
    const sequence = context.getSequence();
    const candidates = Array.from(wl.candidates);
    // One prompt: a cleared sequence, the full token sequence, and the next-token probability map on the last token.
    // The probabilities come from node-llama-cpp's sampler: with no sampling options it is the greedy sampler, which
    // leaves the logits as they are, so the map is the float32 softmax over the full vocabulary.
    const scoreOne = async (prompt: Int32Array): Promise<Float64Array> => {
        await sequence.clearHistory();
        const tokens = Array.from(prompt);
        const last = tokens.length - 1;
        const input = [...tokens.slice(0, last), [tokens[last], { generateNext: { probabilities: true } }] as const] as Parameters<typeof sequence.controlledEvaluate>[0];
        const out = await sequence.controlledEvaluate(input);
        const probs = out[last]?.next.probabilities;
        if (!probs) throw new Error("node-llama-cpp returned no probabilities for the last token");
        return Float64Array.from(candidates.map((t) => Math.log(probs.get(t as never) ?? 0)));
    };
    const warm = wl.questions.slice(0, Math.max(1, opts.warmupQuestions));
    let t0 = performance.now();
    for (const q of warm) for (const p of q.prompts) await scoreOne(p);
    const warmupSeconds = (performance.now() - t0) / 1000;
    const all: number[] = [];
    let logProbs: LogProbs = [];
    for (let r = 0; r < opts.repeat; r++) {
        logProbs = [];
        t0 = performance.now();
        for (const q of wl.questions) {
            const row: Float64Array[] = [];
            for (const p of q.prompts) row.push(await scoreOne(p));
            logProbs.push(row);
        }
        all.push((performance.now() - t0) / 1000);
    }
    // Where does (b)'s time go? Time a few prompts evaluated with only the sampled token's confidence requested
    // (same evaluation, no full-vocabulary probability map sorted and copied into a JS Map).
    const probe = wl.questions[0].prompts.slice(0, Math.min(8, wl.questions[0].prompts.length));
    t0 = performance.now();
    for (const p of probe) {
        await sequence.clearHistory();
        const tokens = Array.from(p);
        const last = tokens.length - 1;
        await sequence.controlledEvaluate([...tokens.slice(0, last), [tokens[last], { generateNext: { confidence: true } }]] as Parameters<
            typeof sequence.controlledEvaluate
        >[0]);
    }
    const noMapSecondsPerPrompt = (performance.now() - t0) / 1000 / probe.length;
    const info = {
        gpu: llama.gpu,
        buildType: llama.buildType,
        llamaCppRelease: llama.llamaCppRelease,
        threads: context.currentThreads,
        contextSize: context.contextSize,
        batchSize: context.batchSize,
        flashAttention: context.flashAttention,
    };
    const result = summarize("b", "node-llama-cpp, one prompt at a time", wl, wl.promptTokens, all, warmupSeconds, {
        extra: {
            api: "LlamaContextSequence.clearHistory() + controlledEvaluate(tokens, last token: generateNext.probabilities)",
            secondsPerPrompt: median(all) / wl.prompts,
            confidenceOnlySecondsPerPrompt: noMapSecondsPerPrompt,
            ...info,
        },
    });
    await context.dispose();
    await model.dispose();
    await llama.dispose();
    return { result, logProbs, info };
}

// ---------------------------------------------------------------------------------------------------------------
// Agreement

function compare(x: LogProbs, y: LogProbs) {
    let maxAbsLogProb = 0; // over every candidate of every prompt, full-vocabulary log-probabilities
    let maxAbsChoiceProb = 0; // over the 4-way distribution renormalised over the candidates
    let argmaxAgree = 0;
    let n = 0;
    for (let q = 0; q < x.length; q++)
        for (let p = 0; p < x[q].length; p++) {
            const a = x[q][p], b = y[q][p];
            for (let k = 0; k < a.length; k++) maxAbsLogProb = Math.max(maxAbsLogProb, Math.abs(a[k] - b[k]));
            const pa = renorm(a), pb = renorm(b);
            for (let k = 0; k < a.length; k++) maxAbsChoiceProb = Math.max(maxAbsChoiceProb, Math.abs(pa[k] - pb[k]));
            if (argmax(a) === argmax(b)) argmaxAgree++;
            n++;
        }
    return { maxAbsLogProb, maxAbsChoiceProb, argmaxAgreement: argmaxAgree / n, prompts: n };
}

function renorm(lp: Float64Array): number[] {
    const m = Math.max(...lp);
    const e = Array.from(lp, (v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
}

function argmax(xs: Float64Array): number {
    let best = 0;
    for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
    return best;
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
    const opts = readOptions();
    const started = new Date();
    if (opts.generateOnly) {
        const m = benchModel(opts);
        console.log(`MODEL ${m.path}`);
        return;
    }
    const { addon, build } = loadAddon({ gpu: opts.gpu, build: opts.addonBuild || undefined });
    const devices = addon.devices();
    const modelFile = benchModel(opts);
    const model = await Model.load(modelFile.path, { gpuLayers: opts.gpuLayers });
    const wl = buildWorkload(model, opts.questions);
    const scorerOptions = { ...opts.scorer, threads: opts.threads };
    console.log(
        `model: ${path.relative(process.cwd(), modelFile.path)}  ${model.info.description}, ${(model.info.nParams / 1e6).toFixed(1)}M params, ` +
            `n_vocab ${model.info.nVocab}, ${(model.info.sizeBytes / 2 ** 20).toFixed(0)} MiB${modelFile.generatedSeconds !== null ? ` (generated in ${modelFile.generatedSeconds.toFixed(1)} s)` : ""}`,
    );
    console.log(`addon: ${build.mode}/${build.variant}, llama.cpp ${build.llamaCppTag} (${build.llamaCppCommit.slice(0, 10)}), devices: ${devices.map((d) => `${d.name} (${d.description})`).join(", ")}`);
    console.log(
        `workload: ${wl.questions.length} questions × 24 permutations = ${wl.prompts} prompts, ${wl.promptTokens} prompt tokens; ` +
            `prefix ${wl.prefixTokens.min}-${wl.prefixTokens.max} tokens (mean ${wl.prefixTokens.mean.toFixed(1)}), options+cue ${wl.continuationTokens.min}-${wl.continuationTokens.max} (mean ${wl.continuationTokens.mean.toFixed(1)}); candidates ${JSON.stringify(wl.candidatePieces)} = [${Array.from(wl.candidates).join(", ")}]`,
    );
    console.log(`scorer: ${JSON.stringify(scorerOptions)}`);

    const results: ModeResult[] = [];
    const logProbs: Partial<Record<"a" | "b" | "c", LogProbs>> = {};
    let nlcInfo: Record<string, unknown> | undefined;
    if (opts.modes.includes("a") || opts.modes.includes("c")) {
        const scorer = model.createScorer(scorerOptions);
        for (const mode of ["a", "c"] as const) {
            if (!opts.modes.includes(mode)) continue;
            const { result, logProbs: lp } = await runOurs(mode, scorer, wl, opts);
            results.push(result);
            logProbs[mode] = lp;
            console.log(`  (${mode}) ${result.label}: ${fmt(result.seconds, 2)} s`);
        }
        scorer.dispose();
    }
    if (opts.modes.includes("b")) {
        const { result, logProbs: lp, info } = await runNodeLlamaCpp(modelFile.path, wl, opts);
        results.push(result);
        logProbs.b = lp;
        nlcInfo = info;
        console.log(`  (b) ${result.label}: ${fmt(result.seconds, 2)} s`);
    }
    model.dispose();

    const by = (m: string) => results.find((r) => r.mode === m);
    const ratio = (x: string, y: string) => (by(x) && by(y) ? by(x)!.promptsPerSecond / by(y)!.promptsPerSecond : null);
    const ratios = { a_over_b: ratio("a", "b"), a_over_c: ratio("a", "c"), c_over_b: ratio("c", "b") };
    const agreement = {
        a_vs_c: logProbs.a && logProbs.c ? compare(logProbs.a, logProbs.c) : null,
        b_vs_a: logProbs.a && logProbs.b ? compare(logProbs.b, logProbs.a) : null,
        b_vs_c: logProbs.c && logProbs.b ? compare(logProbs.b, logProbs.c) : null,
    };

    console.log("");
    console.log("| mode | implementation | prompts/s | prompt tok/s | evaluated tok/s | evaluated tokens | wall s | warm-up s |");
    console.log("|------|----------------|----------:|-------------:|----------------:|-----------------:|-------:|----------:|");
    for (const r of results)
        console.log(
            `| ${r.mode} | ${r.label} | ${fmt(r.promptsPerSecond, 2)} | ${fmt(r.promptTokensPerSecond)} | ${fmt(r.evaluatedTokensPerSecond)} | ${r.evaluatedTokens} | ${r.seconds.toFixed(2)} | ${r.warmupSeconds.toFixed(2)} |`,
        );
    console.log("");
    for (const [k, v] of Object.entries(ratios)) if (v !== null) console.log(`${k.replace("_over_", "/")} (prompts/s): ${v.toFixed(2)}×`);
    if (agreement.a_vs_c) console.log(`a vs c: max |Δ log p| ${agreement.a_vs_c.maxAbsLogProb.toExponential(2)}, max |Δ p| (4-way) ${agreement.a_vs_c.maxAbsChoiceProb.toExponential(2)}, argmax agreement ${(agreement.a_vs_c.argmaxAgreement * 100).toFixed(1)}%`);
    for (const k of ["b_vs_a", "b_vs_c"] as const) {
        const g = agreement[k];
        if (g) console.log(`${k.replace("_vs_", " vs ")}: max |Δ log p| ${g.maxAbsLogProb.toExponential(2)} (node-llama-cpp: log of its float32 post-sampler probability), max |Δ p| (4-way) ${g.maxAbsChoiceProb.toExponential(2)}, argmax agreement ${(g.argmaxAgreement * 100).toFixed(1)}%`);
    }

    const record = {
        date: started.toISOString(),
        host: { cpu: cpuModel(), cores: os.availableParallelism(), memoryBytes: os.totalmem(), platform: `${process.platform}-${process.arch}`, node: process.version },
        devices,
        addon: build,
        llamaCpp: { tag: build.llamaCppTag, commit: build.llamaCppCommit },
        nodeLlamaCpp: nlcInfo ?? null,
        options: { ...opts, scorer: scorerOptions },
        model: {
            path: path.relative(repoRoot, modelFile.path),
            description: model.info.description,
            nParams: model.info.nParams,
            sizeBytes: model.info.sizeBytes,
            nVocab: model.info.nVocab,
            nEmbd: model.info.nEmbd,
            nLayer: model.info.nLayer,
            nHead: model.info.nHead,
            nHeadKv: model.info.nHeadKv,
            generatedSeconds: modelFile.generatedSeconds,
        },
        workload: {
            questions: wl.questions.length,
            permutations: wl.questions[0].prompts.length,
            prompts: wl.prompts,
            promptTokens: wl.promptTokens,
            prefixTokens: wl.prefixTokens,
            continuationTokens: wl.continuationTokens,
            candidates: Array.from(wl.candidates),
            candidatePieces: wl.candidatePieces,
        },
        results,
        ratios,
        agreement,
    };
    const line = JSON.stringify(record);
    console.log(`BENCH_JSON ${line}`);
    if (opts.out) {
        fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
        fs.writeFileSync(opts.out, line + "\n");
    }
}

await main();
