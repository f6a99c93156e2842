// Helpers shared by the benchmark scripts (bench/score.ts, bench/run.ts): the generated benchmark model, cached under
// bench/.cache so every script and every run measures the very same file, and small reporting helpers.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticLlama, type SyntheticLlamaOptions } from "../src/gguf/synthetic.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const defaultCacheDir = path.join(repoRoot, "bench", ".cache");

/** The shape of a generated benchmark model (random weights, the Llama SPM vocabulary extended to nVocab). */
export interface BenchModelShape {
    nEmbd: number;
    nLayer: number;
    nHead: number;
    nHeadKv: number;
    nFf: number;
    nVocab: number;
    weightType: "f16" | "f32";
    seed: number;
}

/**
 * The CPU benchmark model: 512 wide, 4 blocks, 128k vocabulary (143 M params, 274 MiB). Small enough for 2 cores, with
 * a real model's vocabulary, so reading the logits rows costs what it costs with a real model.
 */
export const DEFAULT_MODEL_SHAPE: BenchModelShape = { nEmbd: 512, nLayer: 4, nHead: 8, nHeadKv: 2, nFf: 1536, nVocab: 128256, weightType: "f16", seed: 1 };

export function sha256(data: string | Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/**
 * The benchmark model: `modelPath` when given, else the model of this shape, generated once and cached in `cacheDir`
 * (written to a temporary name, then renamed, so a killed generation never leaves a truncated file under the real name).
 */
export function benchModel(opts: { modelPath: string; synthetic: BenchModelShape; cacheDir: string }): { path: string; generatedSeconds: number | null } {
    if (opts.modelPath) return { path: path.resolve(opts.modelPath), generatedSeconds: null };
    const vocabFrom = path.join(repoRoot, "models", "vocab", "ggml-vocab-llama-spm.gguf");
    const s = opts.synthetic;
    const spec: SyntheticLlamaOptions = {
        nLayer: s.nLayer,
        nEmbd: s.nEmbd,
        nHead: s.nHead,
        nHeadKv: s.nHeadKv,
        nFf: s.nFf,
        nVocab: s.nVocab,
        vocabFrom,
        weightType: s.weightType,
        seed: s.seed,
        nCtxTrain: 4096,
        name: "culturescope-bench-llama",
    };
    // The key covers the options and the bytes of everything that decides the file's content.
    const inputs = ["src/gguf/synthetic.ts", "src/gguf/writer.ts"].map((f) => sha256(fs.readFileSync(path.join(repoRoot, f))));
    const key = sha256(JSON.stringify({ ...spec, vocabFrom: sha256(fs.readFileSync(vocabFrom)), inputs })).slice(0, 12);
    const file = path.join(opts.cacheDir, `llama-e${s.nEmbd}-l${s.nLayer}-h${s.nHead}-kv${s.nHeadKv}-ff${s.nFf}-v${s.nVocab}-${s.weightType}-${key}.gguf`);
    if (fs.existsSync(file)) return { path: file, generatedSeconds: null };
    fs.mkdirSync(opts.cacheDir, { recursive: true });
    console.log(`generating ${path.relative(process.cwd(), file)} ...`);
    const t0 = performance.now();
    const tmp = `${file}.${process.pid}.tmp`;
    try {
        writeSyntheticLlama(tmp, spec);
        fs.renameSync(tmp, file);
    } finally {
        fs.rmSync(tmp, { force: true });
    }
    return { path: file, generatedSeconds: (performance.now() - t0) / 1000 };
}

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function cpuModel(): string {
    try {
        const m = /^model name\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
        if (m) return m[1].trim();
    } catch {}
    return os.cpus()[0]?.model ?? "unknown";
}

export function fmt(x: number, digits = 1): string {
    return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}
