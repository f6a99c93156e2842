/**
 * Tiny random-weight llama models (and deliberately broken GGUF files) for
 * tests and benchmarks.
 *
 * Weights come from a seeded PRNG (xoshiro128** + Box–Muller), one independent
 * stream per tensor derived from (seed, tensor name), so the bytes of a model
 * depend only on its options. Data is generated while it is written, so even a
 * 128k-vocabulary × 2048-dim model never exists in memory as a whole.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readGguf, type GgufFile } from "./reader.ts";
import { copyMetadata, writeGguf, type GgufMetaValue, type GgufTensorSpec } from "./writer.ts";

export interface SyntheticLlamaOptions {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  /** llama.context_length; default 2048 */
  nCtxTrain?: number;
  /** path of a GGUF whose tokenizer.* metadata is copied, e.g. models/vocab/ggml-vocab-llama-spm.gguf */
  vocabFrom: string;
  /**
   * Vocabulary size. Defaults to the source vocabulary's size; if larger,
   * synthetic tokens "<|extra_N|>" (N = token id, type NORMAL, score -1e6) are
   * appended. Smaller than the source is an error.
   */
  nVocab?: number;
  /** type of the 2-D weight matrices; norms are always F32. Default "f32". */
  weightType?: "f32" | "f16";
  /** PRNG seed; default 1 */
  seed?: number;
  /**
   * Standard deviation of every weight matrix (including token_embd/output).
   * Default: 1/sqrt(fan_in) per matrix, fan_in = dims[0] (the contiguous
   * dimension, i.e. the input size of the product), which keeps Q/K/V, FFN
   * activations and logits at unit scale whatever the width.
   */
  std?: number;
  /** norm weights are 1 + N(0, normStd); default 0.1 */
  normStd?: number;
  /** llama.rope.freq_base; default 10000 */
  ropeFreqBase?: number;
  /** llama.attention.layer_norm_rms_epsilon; default 1e-5 */
  rmsEps?: number;
  /** omit output.weight so token_embd is used for the output projection */
  tiedOutput?: boolean;
  /** general.name; default "synthetic-llama" */
  name?: string;
}

/** The shape of every tensor of a synthetic llama model, in write order. */
export function syntheticLlamaTensorShapes(
  opts: Pick<SyntheticLlamaOptions, "nLayer" | "nEmbd" | "nHead" | "nHeadKv" | "nFf" | "tiedOutput">,
  nVocab: number,
): Array<{ name: string; dims: number[] }> {
  const { nLayer, nEmbd, nHead, nHeadKv, nFf } = opts;
  const headDim = nEmbd / nHead;
  const nEmbdKv = nHeadKv * headDim;
  const out: Array<{ name: string; dims: number[] }> = [{ name: "token_embd.weight", dims: [nEmbd, nVocab] }];
  for (let l = 0; l < nLayer; l++) {
    out.push(
      { name: `blk.${l}.attn_norm.weight`, dims: [nEmbd] },
      { name: `blk.${l}.attn_q.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${l}.attn_k.weight`, dims: [nEmbd, nEmbdKv] },
      { name: `blk.${l}.attn_v.weight`, dims: [nEmbd, nEmbdKv] },
      { name: `blk.${l}.attn_output.weight`, dims: [nEmbd, nEmbd] },
      { name: `blk.${l}.ffn_norm.weight`, dims: [nEmbd] },
      { name: `blk.${l}.ffn_gate.weight`, dims: [nEmbd, nFf] },
      { name: `blk.${l}.ffn_up.weight`, dims: [nEmbd, nFf] },
      { name: `blk.${l}.ffn_down.weight`, dims: [nFf, nEmbd] },
    );
  }
  out.push({ name: "output_norm.weight", dims: [nEmbd] });
  if (!opts.tiedOutput) out.push({ name: "output.weight", dims: [nEmbd, nVocab] });
  return out;
}

// ---------------------------------------------------------------------------
// Seeded PRNG

/** 32-bit FNV-1a hash of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** splitmix32 step, used to expand a seed into xoshiro state. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Deterministic normal-variate stream (xoshiro128** + Box–Muller). */
export class GaussianStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number, stream: string) {
    const st = { s: (seed ^ Math.imul(fnv1a(stream), 0x9e3779b1)) | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** uniform uint32 (xoshiro128**) */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r >>> 0;
  }

  /** uniform in the open interval (0, 1) */
  nextUniform(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }

  /** standard normal variate (Marsaglia polar method) */
  nextGaussian(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number, v: number, s: number;
    do {
      u = this.nextU32() * (2 / 4294967296) - 1;
      v = this.nextU32() * (2 / 4294967296) - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---------------------------------------------------------------------------

export const EXTRA_TOKEN_TYPE_NORMAL = 1;
export const EXTRA_TOKEN_SCORE = -1e6;

/** Text of the synthetic token appended at id `id` when extending a vocabulary. */
export function extraTokenText(id: number): string {
  return `<|extra_${id}|>`;
}

function vocabMetadata(src: GgufFile, nVocab: number | undefined): { meta: Array<[string, GgufMetaValue]>; nVocab: number } {
  const tokens = src.metadata.get("tokenizer.ggml.tokens");
  if (!Array.isArray(tokens)) throw new Error(`${src.path}: no tokenizer.ggml.tokens array, cannot copy its vocabulary`);
  const srcN = tokens.length;
  const n = nVocab ?? srcN;
  if (!Number.isInteger(n) || n < srcN) {
    throw new Error(`nVocab ${n} is smaller than the ${srcN} tokens of ${src.path}; a vocabulary can only be extended`);
  }
  const meta = copyMetadata(src, (k) => k.startsWith("tokenizer."));
  if (n > srcN) {
    const existing = new Set(tokens as string[]);
    for (const entry of meta) {
      const [key, mv] = entry;
      if (mv.type !== "array") continue;
      if (key === "tokenizer.ggml.tokens") {
        const ext = (mv.value as string[]).slice();
        for (let id = srcN; id < n; id++) {
          const text = extraTokenText(id);
          if (existing.has(text)) throw new Error(`synthetic token ${text} already exists in ${src.path}`);
          ext.push(text);
        }
        entry[1] = { type: "array", itemType: mv.itemType, value: ext };
      } else if (key === "tokenizer.ggml.scores") {
        const ext = (mv.value as number[]).slice();
        for (let id = srcN; id < n; id++) ext.push(EXTRA_TOKEN_SCORE);
        entry[1] = { type: "array", itemType: mv.itemType, value: ext };
      } else if (key === "tokenizer.ggml.token_type") {
        const ext = (mv.value as number[]).slice();
        for (let id = srcN; id < n; id++) ext.push(EXTRA_TOKEN_TYPE_NORMAL);
        entry[1] = { type: "array", itemType: mv.itemType, value: ext };
      }
    }
  }
  return { meta, nVocab: n };
}

/** Write a random-weight llama GGUF model that llama.cpp can load. */
export function writeSyntheticLlama(filePath: string, opts: SyntheticLlamaOptions): void {
  const { nLayer, nEmbd, nHead, nHeadKv, nFf } = opts;
  for (const [k, v] of Object.entries({ nLayer, nEmbd, nHead, nHeadKv, nFf })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
  }
  if (nEmbd % nHead !== 0) throw new Error(`nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
  if (nHead % nHeadKv !== 0) throw new Error(`nHead ${nHead} is not divisible by nHeadKv ${nHeadKv}`);
  const headDim = nEmbd / nHead;
  if (headDim % 2 !== 0) throw new Error(`head dimension ${headDim} must be even for RoPE`);
  const weightType = opts.weightType ?? "f32";
  if (weightType !== "f32" && weightType !== "f16") throw new Error(`weightType must be "f32" or "f16"`);
  const seed = opts.seed ?? 1;
  const normStd = opts.normStd ?? 0.1;

  const src = readGguf(opts.vocabFrom);
  const { meta: vocabMeta, nVocab } = vocabMetadata(src, opts.nVocab);

  const metadata: Array<[string, GgufMetaValue]> = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: opts.name ?? "synthetic-llama" }],
    // llama_ftype: 0 = ALL_F32, 1 = MOSTLY_F16
    ["general.file_type", { type: "u32", value: weightType === "f32" ? 0 : 1 }],
    ["llama.context_length", { type: "u32", value: opts.nCtxTrain ?? 2048 }],
    ["llama.embedding_length", { type: "u32", value: nEmbd }],
    ["llama.block_count", { type: "u32", value: nLayer }],
    ["llama.feed_forward_length", { type: "u32", value: nFf }],
    ["llama.attention.head_count", { type: "u32", value: nHead }],
    ["llama.attention.head_count_kv", { type: "u32", value: nHeadKv }],
    ["llama.rope.dimension_count", { type: "u32", value: headDim }],
    ["llama.rope.freq_base", { type: "f32", value: opts.ropeFreqBase ?? 10000 }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: opts.rmsEps ?? 1e-5 }],
    ["llama.vocab_size", { type: "u32", value: nVocab }],
    ...vocabMeta,
  ];

  const tensors: GgufTensorSpec[] = syntheticLlamaTensorShapes(opts, nVocab).map(({ name, dims }) => {
    const isNorm = dims.length === 1;
    const std = isNorm ? normStd : (opts.std ?? 1 / Math.sqrt(dims[0]));
    const mean = isNorm ? 1 : 0;
    let rng: GaussianStream | undefined;
    return {
      name,
      dims,
      type: isNorm ? "f32" : weightType,
      data: (start: number, out: Float64Array) => {
        if (start === 0 || !rng) rng = new GaussianStream(seed, name);
        for (let i = 0; i < out.length; i++) out[i] = mean + std * rng.nextGaussian();
      },
    };
  });

  writeGguf(filePath, { metadata, tensors });
}

// ---------------------------------------------------------------------------

export interface BrokenGgufs {
  /** a path that does not exist */
  missing: string;
  /** a text file with a .gguf name */
  notGguf: string;
  /** `source` cut in the middle of its tensor data */
  truncated: string;
  /** all of `source`'s metadata (tokenizer + architecture) but no tensors */
  vocabOnly: string;
  /** `source` with its version field set to 4 */
  badVersion: string;
}

export const BROKEN_GGUF_BAD_VERSION = 4;

/** Write broken/unusable GGUF files into `dir` (created if needed) derived from the model `source`. */
export function writeBrokenGgufs(dir: string, source: string): BrokenGgufs {
  fs.mkdirSync(dir, { recursive: true });
  const src = readGguf(source);
  if (src.tensors.length === 0) throw new Error(`${source} has no tensors; writeBrokenGgufs needs a model`);

  const missing = path.join(dir, "missing.gguf");
  fs.rmSync(missing, { force: true });

  const notGguf = path.join(dir, "not-a-model.gguf");
  fs.writeFileSync(notGguf, "This is a plain text file that merely has a .gguf name.\nIt is not a model.\n");

  const truncated = path.join(dir, "truncated.gguf");
  fs.copyFileSync(source, truncated);
  fs.truncateSync(truncated, src.dataOffset + Math.floor((src.fileSize - src.dataOffset) / 2));

  const vocabOnly = path.join(dir, "vocab-only.gguf");
  writeGguf(vocabOnly, { metadata: copyMetadata(src), tensors: [], alignment: src.alignment === 32 ? undefined : src.alignment });

  const badVersion = path.join(dir, "bad-version.gguf");
  fs.copyFileSync(source, badVersion);
  const fd = fs.openSync(badVersion, "r+");
  try {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(BROKEN_GGUF_BAD_VERSION, 0);
    fs.writeSync(fd, b, 0, 4, 4);
  } finally {
    fs.closeSync(fd);
  }

  return { missing, notGguf, truncated, vocabOnly, badVersion };
}
