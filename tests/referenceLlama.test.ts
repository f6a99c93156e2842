import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGguf, readTensorF64 } from "../src/gguf/reader.ts";
import { copyMetadata, writeGguf, type GgufMetaValue } from "../src/gguf/writer.ts";
import { writeBrokenGgufs, writeSyntheticLlama } from "../src/gguf/synthetic.ts";
import {
  ReferenceLlama,
  logSoftmax,
  logSumExp,
  matVec,
  rmsNorm,
  ropeNormInPlace,
  silu,
  softmax,
} from "./support/referenceLlama.ts";
import { llamaSpmVocab, tinyRandomLlama2 } from "./support/models.ts";


const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe("reference building blocks against hand-worked numbers", () => {
  it("matVec uses ggml's ne = [n_in, n_out] layout (row j of n_in values gives output j)", () => {
    // W ne=[3,2]: rows [1,2,3] and [4,5,6]; x = [1,1,2] → [1+2+6, 4+5+12]
    const y = matVec(new Float64Array([1, 2, 3, 4, 5, 6]), 3, 2, new Float64Array([1, 1, 2]));
    expect(Array.from(y)).toEqual([9, 21]);
    const yb = matVec(new Float64Array([1, 2, 3, 4, 5, 6]), 3, 2, new Float64Array([1, 1, 2]), new Float64Array([0.5, -1]));
    expect(Array.from(yb)).toEqual([9.5, 20]);
  });

  it("rmsNorm = x / sqrt(mean(x²) + eps) · weight", () => {
    // x = [1,2,3,4]: mean(x²) = (1+4+9+16)/4 = 7.5; + eps 0.5 = 8; 1/sqrt(8) = 1/(2√2) = √2/4
    // weight [1, 0.5, 2, 1] → [√2/4, 2·0.5·√2/4, 3·2·√2/4, 4·√2/4] = [√2/4, √2/4, 3√2/2, √2]
    const y = rmsNorm(new Float64Array([1, 2, 3, 4]), new Float64Array([1, 0.5, 2, 1]), 0.5);
    const r2 = Math.SQRT2;
    const want = [r2 / 4, r2 / 4, (3 * r2) / 2, r2];
    expect(maxAbsDiff(y, want)).toBeLessThan(1e-15);
    // eps matters: with eps 0 the scale is 1/sqrt(7.5)
    const y0 = rmsNorm(new Float64Array([1, 2, 3, 4]), null, 0);
    expect(y0[3]).toBeCloseTo(4 / Math.sqrt(7.5), 15);
  });

  it("RoPE rotates adjacent pairs (NORMAL mode), theta_i = pos · base^(-2i/n_rot)", () => {
    // head dim 4, base 10000, pos 1: theta_0 = 1, theta_1 = 10000^(-2/4) = 0.01
    // v = [1, 0, 0, 1]: pair (v0,v1) = (1,0) → (cos 1, sin 1); pair (v2,v3) = (0,1) → (-sin 0.01, cos 0.01)
    const v = new Float64Array([1, 0, 0, 1]);
    ropeNormInPlace(v, 0, 1, { nRot: 4, freqBase: 10000 });
    const want = [Math.cos(1), Math.sin(1), -Math.sin(0.01), Math.cos(0.01)];
    expect(maxAbsDiff(v, want)).toBeLessThan(1e-15);
    expect(v[1]).toBeCloseTo(0.8414709848078965, 15); // NeoX (half-split) would put sin 1 at v[2] instead
    expect(v[2]).toBeCloseTo(-0.009999833334166664, 15);

    // pos 3, second head at offset 4 of an 8-vector; the first head is untouched
    // theta_0 = 3, theta_1 = 0.03; (v4,v5) = (2,0) → (2cos3, 2sin3); (v6,v7) = (1,1) → (cos.03 - sin.03, sin.03 + cos.03)
    const w = new Float64Array([9, 9, 9, 9, 2, 0, 1, 1]);
    ropeNormInPlace(w, 4, 3, { nRot: 4, freqBase: 10000 });
    const c = Math.cos(0.03);
    const s = Math.sin(0.03);
    expect(maxAbsDiff(w, [9, 9, 9, 9, 2 * Math.cos(3), 2 * Math.sin(3), c - s, s + c])).toBeLessThan(1e-15);

    // position 0 is the identity; linear scaling (freqScale 0.5) halves theta
    const z = new Float64Array([0.3, -0.7, 1.1, 2.5]);
    ropeNormInPlace(z, 0, 0, { nRot: 4, freqBase: 10000 });
    expect(Array.from(z)).toEqual([0.3, -0.7, 1.1, 2.5]);
    const u = new Float64Array([1, 0, 1, 0]);
    ropeNormInPlace(u, 0, 2, { nRot: 4, freqBase: 10000, freqScale: 0.5 });
    expect(maxAbsDiff(u, [Math.cos(1), Math.sin(1), Math.cos(0.01), Math.sin(0.01)])).toBeLessThan(1e-15);
  });

  it("softmax / log-softmax / logsumexp / silu", () => {
    // logits ln1, ln2, ln3, ln4 → probabilities 1/10, 2/10, 3/10, 4/10
    const x = [Math.log(1), Math.log(2), Math.log(3), Math.log(4)];
    expect(maxAbsDiff(softmax(x), [0.1, 0.2, 0.3, 0.4])).toBeLessThan(1e-15);
    expect(maxAbsDiff(logSoftmax(x), [Math.log(0.1), Math.log(0.2), Math.log(0.3), Math.log(0.4)])).toBeLessThan(1e-15);
    expect(logSumExp(x)).toBeCloseTo(Math.log(10), 15);
    // stable for huge logits: [1000, 1000] → each ln(1/2)
    expect(Array.from(logSoftmax([1000, 1000]))).toEqual([-Math.LN2, -Math.LN2]);
    expect(logSumExp([1000, 1000])).toBe(1000 + Math.LN2);
    // silu(1) = 1 / (1 + e^-1)
    expect(silu(1)).toBeCloseTo(0.7310585786300049, 15);
    expect(silu(0)).toBe(0);
    expect(silu(-2)).toBeCloseTo(-2 / (1 + Math.exp(2)), 15);
  });
});

describe("ReferenceLlama forward pass", () => {
  let dir: string;
  let gqaPath: string;
  let ref: ReferenceLlama;
  const opts = { nLayer: 2, nEmbd: 32, nHead: 4, nHeadKv: 2, nFf: 64, vocabFrom: llamaSpmVocab, seed: 21 };
  const tokens = [1, 450, 4996, 17354, 1701, 29916, 432, 17204, 975, 278, 17366, 11203];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-ref-"));
    gqaPath = path.join(dir, "gqa.gguf");
    writeSyntheticLlama(gqaPath, opts);
    ref = ReferenceLlama.load(gqaPath);
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads the hyperparameters", () => {
    expect(ref.nVocab).toBe(32000);
    const hp = ref.hparams;
    expect([hp.nEmbd, hp.nLayer, hp.nHead, hp.nHeadKv, hp.headDim, hp.nFf]).toEqual([32, 2, 4, 2, 8, 64]);
    expect(hp.rmsEps).toBe(Math.fround(1e-5));
    expect(hp.rope).toMatchObject({ nRot: 8, freqBase: 10000, freqScale: 1, mscale: 1 });
    expect(hp.attnScale).toBe(1 / Math.sqrt(8));
    expect(hp.tiedOutput).toBe(false);
  });

  it("log-probabilities are normalized over the full vocabulary", () => {
    const lp = ref.logProbsAt(tokens);
    expect(lp.length).toBe(32000);
    expect(lp.every((x) => Number.isFinite(x) && x < 0)).toBe(true);
    expect(Math.abs(logSumExp(lp))).toBeLessThan(1e-12);
    // = logits − logsumexp(logits)
    const logits = ref.logitsAt(tokens);
    const lse = logSumExp(logits);
    expect(maxAbsDiff(lp, Array.from(logits, (x) => x - lse))).toBeLessThan(1e-12);
    // the default init gives a moderately peaked distribution, neither uniform nor one-hot
    const top = Math.max(...lp);
    expect(top).toBeGreaterThan(Math.log(1 / 32000) + 1);
    expect(top).toBeLessThan(Math.log(0.5));
  });

  it("is causal: position t only depends on tokens 0..t", () => {
    const all = ref.logitsAll(tokens);
    expect(all).toHaveLength(tokens.length);
    for (const t of [0, 1, 5, tokens.length - 1]) {
      expect(maxAbsDiff(ref.logitsAt(tokens.slice(0, t + 1)), all[t]), `position ${t}`).toBeLessThanOrEqual(1e-12);
    }
    // changing token 6 leaves positions 0..5 unchanged and changes 6.. (attention really mixes positions)
    const changed = tokens.slice();
    changed[6] = 3000;
    const all2 = ref.logitsAll(changed);
    for (let t = 0; t < 6; t++) expect(maxAbsDiff(all2[t], all[t])).toBe(0);
    for (let t = 6; t < tokens.length; t++) expect(maxAbsDiff(all2[t], all[t])).toBeGreaterThan(1e-3);
  });

  it("is sensitive to the order of earlier tokens (RoPE) even with one layer", () => {
    // In a 1-layer model the last position attends over K/V that depend only on each token's identity
    // and position; without RoPE, permuting the earlier tokens could not change the prediction.
    const p1 = path.join(dir, "one-layer.gguf");
    writeSyntheticLlama(p1, { ...opts, nLayer: 1 });
    const one = ReferenceLlama.load(p1);
    const a = one.logProbsAt([1, 450, 4996, 17354]);
    const b = one.logProbsAt([1, 4996, 450, 17354]);
    expect(maxAbsDiff(a, b)).toBeGreaterThan(1e-3);
  });

  it("matches a closed-form single-token computation (attention over one position returns V)", () => {
    const f = readGguf(gqaPath);
    const T = (name: string) => readTensorF64(f, name);
    const { nEmbd, nHead, nHeadKv, headDim, nFf, rmsEps } = ref.hparams;
    const tok = 4996;
    const x = T("token_embd.weight").slice(tok * nEmbd, (tok + 1) * nEmbd);
    for (let l = 0; l < 2; l++) {
      const h = rmsNorm(x, T(`blk.${l}.attn_norm.weight`), rmsEps);
      const v = matVec(T(`blk.${l}.attn_v.weight`), nEmbd, nHeadKv * headDim, h);
      // one position: softmax weight 1, so query head q reads kv head ⌊q / (nHead/nHeadKv)⌋ of V
      const a = new Float64Array(nHead * headDim);
      for (let q = 0; q < nHead; q++) {
        const g = Math.floor(q / (nHead / nHeadKv));
        for (let d = 0; d < headDim; d++) a[q * headDim + d] = v[g * headDim + d];
      }
      const o = matVec(T(`blk.${l}.attn_output.weight`), nEmbd, nEmbd, a);
      for (let i = 0; i < nEmbd; i++) x[i] += o[i];
      const h2 = rmsNorm(x, T(`blk.${l}.ffn_norm.weight`), rmsEps);
      const gate = matVec(T(`blk.${l}.ffn_gate.weight`), nEmbd, nFf, h2);
      const up = matVec(T(`blk.${l}.ffn_up.weight`), nEmbd, nFf, h2);
      const act = gate.map((g, i) => silu(g) * up[i]);
      const dn = matVec(T(`blk.${l}.ffn_down.weight`), nFf, nEmbd, act);
      for (let i = 0; i < nEmbd; i++) x[i] += dn[i];
    }
    const logits = matVec(T("output.weight"), nEmbd, 32000, rmsNorm(x, T("output_norm.weight"), rmsEps));
    expect(maxAbsDiff(ref.logitsAt([tok]), logits)).toBeLessThanOrEqual(1e-12);
  });

  /** Rewrite the GQA model with K/V heads duplicated to nHead, kv head for query head q chosen by `kvOf`. */
  function writeDuplicatedKv(out: string, kvOf: (q: number) => number): void {
    const f = readGguf(gqaPath);
    const { nEmbd, nHead, headDim } = ref.hparams;
    const metadata: Array<[string, GgufMetaValue]> = copyMetadata(f).map(([k, v]) =>
      k === "llama.attention.head_count_kv" ? [k, { type: "u32", value: nHead }] : [k, v],
    );
    const tensors = f.tensors.map((t) => {
      let data = readTensorF64(f, t.name);
      let dims = t.dims;
      if (/attn_[kv]\.weight$/.test(t.name)) {
        const dup = new Float64Array(nHead * headDim * nEmbd);
        for (let q = 0; q < nHead; q++) {
          const g = kvOf(q);
          dup.set(data.subarray(g * headDim * nEmbd, (g + 1) * headDim * nEmbd), q * headDim * nEmbd);
        }
        data = dup;
        dims = [nEmbd, nHead * headDim];
      }
      return { name: t.name, dims, type: "f32" as const, data };
    });
    writeGguf(out, { metadata, tensors });
  }

  it("grouped-query attention equals the model with explicitly duplicated KV heads", () => {
    const group = ref.hparams.nHead / ref.hparams.nHeadKv;
    const dupPath = path.join(dir, "dup.gguf");
    writeDuplicatedKv(dupPath, (q) => Math.floor(q / group));
    const dup = ReferenceLlama.load(dupPath);
    expect(dup.hparams.nHeadKv).toBe(4);
    expect(maxAbsDiff(dup.logProbsAt(tokens), ref.logProbsAt(tokens))).toBeLessThanOrEqual(1e-12);

    // control: the interleaved mapping q % nHeadKv is a different model
    const wrongPath = path.join(dir, "dup-interleaved.gguf");
    writeDuplicatedKv(wrongPath, (q) => q % ref.hparams.nHeadKv);
    expect(maxAbsDiff(ReferenceLlama.load(wrongPath).logProbsAt(tokens), ref.logProbsAt(tokens))).toBeGreaterThan(1e-3);
  });

  it("uses token_embd as the output matrix when output.weight is absent", () => {
    const tiedPath = path.join(dir, "tied.gguf");
    writeSyntheticLlama(tiedPath, { ...opts, tiedOutput: true, weightType: "f16" });
    const tied = ReferenceLlama.load(tiedPath);
    expect(tied.hparams.tiedOutput).toBe(true);
    const h = tied.hiddenAll(tokens.slice(0, 4))[3];
    const embd = readTensorF64(readGguf(tiedPath), "token_embd.weight");
    expect(maxAbsDiff(tied.logitsAt(tokens.slice(0, 4)), matVec(embd, 32, 32000, h))).toBeLessThanOrEqual(1e-12);
  });

  it("loads the shipped F16 tiny model", () => {
    const tiny = ReferenceLlama.load(tinyRandomLlama2);
    expect(tiny.nVocab).toBe(32000);
    expect(tiny.hparams.headDim).toBe(4);
    const lp = tiny.logProbsAt([1, 15043, 29892, 3186, 29991]);
    expect(Math.abs(logSumExp(lp))).toBeLessThan(1e-12);
  });

  it("rejects a vocabulary-only GGUF and out-of-range tokens", () => {
    const broken = writeBrokenGgufs(path.join(dir, "broken"), tinyRandomLlama2);
    expect(() => ReferenceLlama.load(broken.vocabOnly)).toThrow(/missing tensor 'token_embd\.weight'/);
    expect(() => ref.logitsAt([1, 32000])).toThrow(/token id 32000 out of range/);
    expect(() => ref.logitsAt([])).toThrow(/no tokens/);
  });
});
