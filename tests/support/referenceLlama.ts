/**
 * Float64 reference forward pass of llama.cpp's "llama" architecture, used as
 * ground truth for the native addon's log-probabilities.
 *
 * It follows llama.cpp's graph (src/models/llama.cpp, src/llama-graph.cpp,
 * ggml-cpu rope/rms_norm) step by step, but every operation is carried out in
 * float64 on the exact float64 values of the stored weights:
 *
 *   x = token_embd[token]
 *   per layer:
 *     h   = rms_norm(x) * attn_norm
 *     q,k,v = Wq h (+bq), Wk h (+bk), Wv h (+bv)
 *     q,k = rope_norm(q, pos), rope_norm(k, pos)      (adjacent pairs, GGML_ROPE_TYPE_NORMAL)
 *     a   = causal softmax(scale · q·k) v per head, query head h → kv head ⌊h / (n_head/n_head_kv)⌋
 *     x   = x + Wo a (+bo)
 *     h   = rms_norm(x) * ffn_norm
 *     x   = x + Wdown (silu(Wgate h) ⊙ Wup h)
 *   logits = output · (rms_norm(x) * output_norm)     (output = token_embd when output.weight is absent)
 *
 * rms_norm(x) = x / sqrt(mean(x²) + eps). Positions start at 0 at the first token.
 * Weight matrices are stored by ggml as ne = [n_in, n_out]: row j (n_in contiguous
 * values) produces output j.
 */
import {
  findTensor,
  metaNumber,
  metaString,
  readGguf,
  readTensorF64,
  type GgufFile,
} from "../../src/gguf/reader.ts";

// ---------------------------------------------------------------------------
// Building blocks (exported so tests can check them against hand-worked numbers)

/** y = W x (+ b) with W stored row-major as nOut rows of nIn values (ggml ne = [nIn, nOut]). */
export function matVec(w: Float64Array, nIn: number, nOut: number, x: Float64Array, bias?: Float64Array): Float64Array {
  if (x.length !== nIn || w.length !== nIn * nOut) {
    throw new Error(`matVec shape mismatch: W has ${w.length} values, nIn ${nIn} × nOut ${nOut}, x has ${x.length}`);
  }
  const y = new Float64Array(nOut);
  for (let j = 0; j < nOut; j++) {
    let s = 0;
    const o = j * nIn;
    for (let i = 0; i < nIn; i++) s += w[o + i] * x[i];
    y[j] = bias ? s + bias[j] : s;
  }
  return y;
}

/** ggml_rms_norm followed by the elementwise weight: x / sqrt(mean(x²) + eps) * weight. */
export function rmsNorm(x: Float64Array, weight: Float64Array | null, eps: number): Float64Array {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const scale = 1 / Math.sqrt(ss / x.length + eps);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] * scale * (weight ? weight[i] : 1);
  return y;
}

export interface RopeParams {
  /** rotated dimensions per head (llama: = head dim) */
  nRot: number;
  freqBase: number;
  /** linear scaling: theta is multiplied by this (1 / rope scale factor); default 1 */
  freqScale?: number;
  /** per-pair frequency divisors (rope_freqs.weight, llama 3.x); default none */
  freqFactors?: Float64Array;
  /** cos/sin multiplier (attn_factor); default 1 */
  mscale?: number;
}

/**
 * RoPE in ggml's NORMAL mode (the mode of the llama architecture), in place on
 * one head's vector `v[off .. off+headDim)`: for i < nRot/2 the adjacent pair
 * (v[2i], v[2i+1]) is rotated by theta_i = pos · freqScale · base^(−2i/nRot) / ff_i.
 * Dimensions beyond nRot are left unchanged.
 */
export function ropeNormInPlace(v: Float64Array, off: number, pos: number, p: RopeParams): void {
  const freqScale = p.freqScale ?? 1;
  const mscale = p.mscale ?? 1;
  for (let i = 0; 2 * i < p.nRot; i++) {
    const ff = p.freqFactors ? p.freqFactors[i] : 1;
    const theta = (freqScale * pos * Math.pow(p.freqBase, (-2 * i) / p.nRot)) / ff;
    const c = Math.cos(theta) * mscale;
    const s = Math.sin(theta) * mscale;
    const x0 = v[off + 2 * i];
    const x1 = v[off + 2 * i + 1];
    v[off + 2 * i] = x0 * c - x1 * s;
    v[off + 2 * i + 1] = x0 * s + x1 * c;
  }
}

/** log(Σ exp(x)) computed stably. */
export function logSumExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

/** log-softmax: x − logsumexp(x), computed as (x − max) − log Σ exp(x − max) to avoid cancellation. */
export function logSoftmax(x: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  const ls = Math.log(s);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i] - m - ls;
  return y;
}

/** softmax, max-subtracted. */
export function softmax(x: ArrayLike<number>): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  const y = new Float64Array(x.length);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    y[i] = Math.exp(x[i] - m);
    s += y[i];
  }
  for (let i = 0; i < x.length; i++) y[i] /= s;
  return y;
}

/** SiLU: x · sigmoid(x). */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

// ---------------------------------------------------------------------------

interface Layer {
  attnNorm: Float64Array;
  wq: Float64Array;
  wk: Float64Array;
  wv: Float64Array;
  wo: Float64Array;
  bq?: Float64Array;
  bk?: Float64Array;
  bv?: Float64Array;
  bo?: Float64Array;
  ffnNorm: Float64Array;
  wGate: Float64Array;
  wUp: Float64Array;
  wDown: Float64Array;
  bGate?: Float64Array;
  bUp?: Float64Array;
  bDown?: Float64Array;
}

export interface ReferenceLlamaHparams {
  nVocab: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  headDim: number;
  nFf: number;
  rmsEps: number;
  rope: RopeParams;
  attnScale: number;
  tiedOutput: boolean;
}

export class ReferenceLlama {
  readonly nVocab: number;
  readonly hparams: ReferenceLlamaHparams;
  private readonly tokEmbd: Float64Array;
  private readonly output: Float64Array;
  private readonly outputNorm: Float64Array;
  private readonly layers: Layer[];

  private constructor(hp: ReferenceLlamaHparams, tokEmbd: Float64Array, output: Float64Array, outputNorm: Float64Array, layers: Layer[]) {
    this.hparams = hp;
    this.nVocab = hp.nVocab;
    this.tokEmbd = tokEmbd;
    this.output = output;
    this.outputNorm = outputNorm;
    this.layers = layers;
  }

  /** Load every tensor of a llama GGUF (F32/F16/BF16/Q8_0) into float64 arrays. */
  static load(path: string): ReferenceLlama {
    const f = readGguf(path);
    const arch = metaString(f, "general.architecture");
    if (arch !== "llama") throw new Error(`${path}: architecture '${arch}' is not supported by the reference (only 'llama')`);
    const key = (k: string) => `llama.${k}`;

    const nEmbd = metaNumber(f, key("embedding_length"));
    const nLayer = metaNumber(f, key("block_count"));
    const nHead = scalarPerLayer(f, key("attention.head_count"));
    const nHeadKv = f.metadata.has(key("attention.head_count_kv")) ? scalarPerLayer(f, key("attention.head_count_kv")) : nHead;
    const nFf = scalarPerLayer(f, key("feed_forward_length"));
    const headDim = metaNumber(f, key("attention.key_length"), nEmbd / nHead);
    const headDimV = metaNumber(f, key("attention.value_length"), nEmbd / nHead);
    if (headDimV !== headDim) throw new Error(`${path}: key_length ${headDim} != value_length ${headDimV}`);
    if (!Number.isInteger(headDim)) throw new Error(`${path}: n_embd ${nEmbd} not divisible by n_head ${nHead}`);
    if (nHead % nHeadKv !== 0) throw new Error(`${path}: n_head ${nHead} not divisible by n_head_kv ${nHeadKv}`);
    const nRot = metaNumber(f, key("rope.dimension_count"), headDim);
    if (nRot !== headDim) throw new Error(`${path}: invalid n_rot ${nRot}, expected ${headDim} (llama.cpp rejects this too)`);
    // llama.cpp requires the epsilon (no default)
    const rmsEps = metaNumber(f, key("attention.layer_norm_rms_epsilon"));
    const freqBase = metaNumber(f, key("rope.freq_base"), 10000);

    const scalingType = f.metadata.has(key("rope.scaling.type")) ? metaString(f, key("rope.scaling.type")) : "linear";
    let ropeScale = metaNumber(f, key("rope.scaling.factor"), 0);
    if (ropeScale === 0) ropeScale = metaNumber(f, key("rope.scale_linear"), 0);
    let freqScale = ropeScale === 0 ? 1 : 1 / ropeScale;
    if (scalingType === "none") freqScale = 1;
    else if (scalingType !== "linear") {
      throw new Error(`${path}: rope scaling type '${scalingType}' is not supported by the reference (only none/linear)`);
    }
    const mscale = metaNumber(f, key("rope.scaling.attn_factor"), 1);
    const attnScaleMeta = metaNumber(f, key("attention.scale"), 0);
    const attnScale = attnScaleMeta === 0 ? 1 / Math.sqrt(headDim) : attnScaleMeta;
    if (metaNumber(f, key("expert_count"), 0) > 0) throw new Error(`${path}: MoE llama models are not supported by the reference`);
    for (const k of ["attention.clamp_kqv", "attention.sliding_window", "attn_logit_softcapping", "final_logit_softcapping"]) {
      if (f.metadata.has(key(k)) && metaNumber(f, key(k)) !== 0) throw new Error(`${path}: llama.${k} is not supported by the reference`);
    }

    const need = (name: string, dims: number[]): Float64Array => {
      const info = findTensor(f, name);
      if (!info) throw new Error(`${path}: missing tensor '${name}'`);
      if (info.dims.length !== dims.length || info.dims.some((d, i) => d !== dims[i])) {
        throw new Error(`${path}: tensor '${name}' has shape [${info.dims.join(", ")}], expected [${dims.join(", ")}]`);
      }
      return readTensorF64(f, name);
    };
    const opt = (name: string, dims: number[]): Float64Array | undefined => (findTensor(f, name) ? need(name, dims) : undefined);

    const tokEmbdInfo = findTensor(f, "token_embd.weight");
    if (!tokEmbdInfo) throw new Error(`${path}: missing tensor 'token_embd.weight'`);
    const nVocab = tokEmbdInfo.dims[1];
    const tokEmbd = need("token_embd.weight", [nEmbd, nVocab]);
    const outputNorm = need("output_norm.weight", [nEmbd]);
    const outputW = opt("output.weight", [nEmbd, nVocab]);
    const freqFactors = opt("rope_freqs.weight", [nRot / 2]);
    if (findTensor(f, "blk.0.attn_qkv.weight")) throw new Error(`${path}: fused attn_qkv is not supported by the reference`);

    const nEmbdQ = headDim * nHead;
    const nEmbdKv = headDim * nHeadKv;
    const layers: Layer[] = [];
    for (let l = 0; l < nLayer; l++) {
      const b = `blk.${l}.`;
      if (findTensor(f, `${b}ffn_gate_inp.weight`)) throw new Error(`${path}: MoE layers are not supported by the reference`);
      layers.push({
        attnNorm: need(`${b}attn_norm.weight`, [nEmbd]),
        wq: need(`${b}attn_q.weight`, [nEmbd, nEmbdQ]),
        wk: need(`${b}attn_k.weight`, [nEmbd, nEmbdKv]),
        wv: need(`${b}attn_v.weight`, [nEmbd, nEmbdKv]),
        wo: need(`${b}attn_output.weight`, [nEmbdQ, nEmbd]),
        bq: opt(`${b}attn_q.bias`, [nEmbdQ]),
        bk: opt(`${b}attn_k.bias`, [nEmbdKv]),
        bv: opt(`${b}attn_v.bias`, [nEmbdKv]),
        bo: opt(`${b}attn_output.bias`, [nEmbd]),
        ffnNorm: need(`${b}ffn_norm.weight`, [nEmbd]),
        wGate: need(`${b}ffn_gate.weight`, [nEmbd, nFf]),
        wUp: need(`${b}ffn_up.weight`, [nEmbd, nFf]),
        wDown: need(`${b}ffn_down.weight`, [nFf, nEmbd]),
        bGate: opt(`${b}ffn_gate.bias`, [nFf]),
        bUp: opt(`${b}ffn_up.bias`, [nFf]),
        bDown: opt(`${b}ffn_down.bias`, [nEmbd]),
      });
    }

    const hp: ReferenceLlamaHparams = {
      nVocab,
      nEmbd,
      nLayer,
      nHead,
      nHeadKv,
      headDim,
      nFf,
      rmsEps,
      rope: { nRot, freqBase, freqScale, freqFactors, mscale },
      attnScale,
      tiedOutput: !outputW,
    };
    return new ReferenceLlama(hp, tokEmbd, outputW ?? tokEmbd, outputNorm, layers);
  }

  /**
   * Final hidden states (after output_norm) at every position of `tokens`,
   * positions 0..n-1. Each position only sees itself and earlier tokens.
   */
  hiddenAll(tokens: number[]): Float64Array[] {
    const { nEmbd, nHead, nHeadKv, headDim, nFf, rmsEps, rope, attnScale } = this.hparams;
    const n = tokens.length;
    if (n === 0) throw new Error("no tokens");
    const nEmbdQ = nHead * headDim;
    const nEmbdKv = nHeadKv * headDim;
    const group = nHead / nHeadKv;

    // residual stream per position
    const xs: Float64Array[] = tokens.map((t) => {
      if (!Number.isInteger(t) || t < 0 || t >= this.nVocab) throw new Error(`token id ${t} out of range [0, ${this.nVocab})`);
      return this.tokEmbd.slice(t * nEmbd, (t + 1) * nEmbd);
    });

    for (const L of this.layers) {
      const qs: Float64Array[] = [];
      const ks: Float64Array[] = [];
      const vs: Float64Array[] = [];
      for (let p = 0; p < n; p++) {
        const h = rmsNorm(xs[p], L.attnNorm, rmsEps);
        const q = matVec(L.wq, nEmbd, nEmbdQ, h, L.bq);
        const k = matVec(L.wk, nEmbd, nEmbdKv, h, L.bk);
        const v = matVec(L.wv, nEmbd, nEmbdKv, h, L.bv);
        for (let hh = 0; hh < nHead; hh++) ropeNormInPlace(q, hh * headDim, p, rope);
        for (let hh = 0; hh < nHeadKv; hh++) ropeNormInPlace(k, hh * headDim, p, rope);
        qs.push(q);
        ks.push(k);
        vs.push(v);
      }
      for (let p = 0; p < n; p++) {
        const attn = new Float64Array(nEmbdQ);
        const scores = new Float64Array(p + 1);
        for (let hh = 0; hh < nHead; hh++) {
          const kvh = Math.floor(hh / group);
          const qo = hh * headDim;
          const ko = kvh * headDim;
          const q = qs[p];
          for (let j = 0; j <= p; j++) {
            const k = ks[j];
            let s = 0;
            for (let d = 0; d < headDim; d++) s += q[qo + d] * k[ko + d];
            scores[j] = s * attnScale;
          }
          const w = softmax(scores);
          for (let j = 0; j <= p; j++) {
            const v = vs[j];
            const wj = w[j];
            for (let d = 0; d < headDim; d++) attn[qo + d] += wj * v[ko + d];
          }
        }
        const o = matVec(L.wo, nEmbdQ, nEmbd, attn, L.bo);
        const x = xs[p];
        for (let i = 0; i < nEmbd; i++) x[i] += o[i];

        const h = rmsNorm(x, L.ffnNorm, rmsEps);
        const g = matVec(L.wGate, nEmbd, nFf, h, L.bGate);
        const u = matVec(L.wUp, nEmbd, nFf, h, L.bUp);
        for (let i = 0; i < nFf; i++) g[i] = silu(g[i]) * u[i];
        const dn = matVec(L.wDown, nFf, nEmbd, g, L.bDown);
        for (let i = 0; i < nEmbd; i++) x[i] += dn[i];
      }
    }
    return xs.map((x) => rmsNorm(x, this.outputNorm, rmsEps));
  }

  private project(h: Float64Array): Float64Array {
    return matVec(this.output, this.hparams.nEmbd, this.nVocab, h);
  }

  /** Next-token logits at every position of `tokens`. */
  logitsAll(tokens: number[]): Float64Array[] {
    return this.hiddenAll(tokens).map((h) => this.project(h));
  }

  /** Next-token logits after the last token of `tokens`. */
  logitsAt(tokens: number[]): Float64Array {
    const hs = this.hiddenAll(tokens);
    return this.project(hs[hs.length - 1]);
  }

  /** log-softmax over the full vocabulary of the next-token logits after the last token. */
  logProbsAt(tokens: number[]): Float64Array {
    return logSoftmax(this.logitsAt(tokens));
  }
}

/** A per-layer hyperparameter that llama.cpp allows to be a scalar or an array; the reference needs it uniform. */
function scalarPerLayer(f: GgufFile, key: string): number {
  const v = f.metadata.get(key);
  if (Array.isArray(v)) {
    const nums = v.map(Number);
    if (nums.some((x) => x !== nums[0])) throw new Error(`${f.path}: per-layer ${key} values differ; not supported by the reference`);
    return nums[0];
  }
  return metaNumber(f, key);
}
