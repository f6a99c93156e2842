import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GGML_TYPE,
  GGUF_VALUE_TYPE,
  f16BitsToNumber,
  ggmlTensorBytes,
  readGguf,
  readTensorF64,
} from "../src/gguf/reader.ts";
import {
  copyMetadata,
  f64ToF16Bits,
  metaFromGguf,
  roundToF16,
  writeGguf,
  type GgufMetaValue,
} from "../src/gguf/writer.ts";
import {
  BROKEN_GGUF_BAD_VERSION,
  EXTRA_TOKEN_SCORE,
  EXTRA_TOKEN_TYPE_NORMAL,
  syntheticLlamaTensorShapes,
  writeBrokenGgufs,
  writeSyntheticLlama,
} from "../src/gguf/synthetic.ts";
import { llamaSpmVocab, tinyRandomLlama2 } from "./support/models.ts";


let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-gguf-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha256 = (p: string) => createHash("sha256").update(fs.readFileSync(p)).digest("hex");

describe("GGUF writer → reader round trip", () => {
  const metadata: Array<[string, GgufMetaValue]> = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["t.u8", { type: "u8", value: 255 }],
    ["t.i8", { type: "i8", value: -128 }],
    ["t.u16", { type: "u16", value: 65535 }],
    ["t.i16", { type: "i16", value: -32768 }],
    ["t.u32", { type: "u32", value: 4294967295 }],
    ["t.i32", { type: "i32", value: -2147483648 }],
    ["t.f32", { type: "f32", value: 0.1 }],
    ["t.f64", { type: "f64", value: 0.1 }],
    ["t.bool.true", { type: "bool", value: true }],
    ["t.bool.false", { type: "bool", value: false }],
    ["t.string", { type: "string", value: "héllo ▁wörld 🙂" }],
    ["t.string.empty", { type: "string", value: "" }],
    ["t.u64", { type: "u64", value: 18446744073709551615n }],
    ["t.i64", { type: "i64", value: -9223372036854775808n }],
    ["t.u64.fromNumber", { type: "u64", value: 42 }],
    ["t.arr.u8", { type: "array", itemType: "u8", value: [0, 1, 255] }],
    ["t.arr.i8", { type: "array", itemType: "i8", value: [-128, 0, 127] }],
    ["t.arr.u16", { type: "array", itemType: "u16", value: [0, 65535] }],
    ["t.arr.i16", { type: "array", itemType: "i16", value: [-32768, 32767] }],
    ["t.arr.u32", { type: "array", itemType: "u32", value: [0, 4294967295] }],
    ["t.arr.i32", { type: "array", itemType: "i32", value: [-2147483648, 2147483647, 6] }],
    ["t.arr.f32", { type: "array", itemType: "f32", value: [-1e6, 0.5, 1 / 3] }],
    ["t.arr.f64", { type: "array", itemType: "f64", value: [1 / 3, -0] }],
    ["t.arr.bool", { type: "array", itemType: "bool", value: [true, false, true] }],
    ["t.arr.string", { type: "array", itemType: "string", value: ["<unk>", "▁the", "", "日本"] }],
    ["t.arr.u64", { type: "array", itemType: "u64", value: [0n, 18446744073709551615n] }],
    ["t.arr.i64", { type: "array", itemType: "i64", value: [-1n, 9223372036854775807n] }],
    ["t.arr.empty", { type: "array", itemType: "i32", value: [] }],
  ];

  it("preserves every metadata value and its GGUF type", () => {
    const p = path.join(dir, "meta.gguf");
    writeGguf(p, { metadata, tensors: [] });
    const f = readGguf(p);
    expect(f.version).toBe(3);
    expect(f.tensors).toEqual([]);
    expect(f.dataOffset).toBe(f.fileSize); // no tensors → no data section, no padding
    expect([...f.metadata.keys()]).toEqual(metadata.map(([k]) => k));

    const m = f.metadata;
    expect(m.get("t.u8")).toBe(255);
    expect(m.get("t.i8")).toBe(-128);
    expect(m.get("t.u16")).toBe(65535);
    expect(m.get("t.i16")).toBe(-32768);
    expect(m.get("t.u32")).toBe(4294967295);
    expect(m.get("t.i32")).toBe(-2147483648);
    expect(m.get("t.f32")).toBe(Math.fround(0.1)); // 0.100000001490116...
    expect(m.get("t.f32")).not.toBe(0.1);
    expect(m.get("t.f64")).toBe(0.1);
    expect(m.get("t.bool.true")).toBe(true);
    expect(m.get("t.bool.false")).toBe(false);
    expect(m.get("t.string")).toBe("héllo ▁wörld 🙂");
    expect(m.get("t.string.empty")).toBe("");
    expect(m.get("t.u64")).toBe(18446744073709551615n);
    expect(m.get("t.i64")).toBe(-9223372036854775808n);
    expect(m.get("t.u64.fromNumber")).toBe(42n);
    expect(m.get("t.arr.u8")).toEqual([0, 1, 255]);
    expect(m.get("t.arr.i8")).toEqual([-128, 0, 127]);
    expect(m.get("t.arr.u16")).toEqual([0, 65535]);
    expect(m.get("t.arr.i16")).toEqual([-32768, 32767]);
    expect(m.get("t.arr.u32")).toEqual([0, 4294967295]);
    expect(m.get("t.arr.i32")).toEqual([-2147483648, 2147483647, 6]);
    expect(m.get("t.arr.f32")).toEqual([-1e6, 0.5, Math.fround(1 / 3)]);
    expect(m.get("t.arr.f64")).toEqual([1 / 3, -0]);
    expect(Object.is((m.get("t.arr.f64") as number[])[1], -0)).toBe(true);
    expect(m.get("t.arr.bool")).toEqual([true, false, true]);
    expect(m.get("t.arr.string")).toEqual(["<unk>", "▁the", "", "日本"]);
    expect(m.get("t.arr.u64")).toEqual([0n, 18446744073709551615n]);
    expect(m.get("t.arr.i64")).toEqual([-1n, 9223372036854775807n]);
    expect(m.get("t.arr.empty")).toEqual([]);

    const T = GGUF_VALUE_TYPE;
    expect(f.metadataTypes.get("t.u8")).toEqual({ type: T.UINT8 });
    expect(f.metadataTypes.get("t.i64")).toEqual({ type: T.INT64 });
    expect(f.metadataTypes.get("t.f32")).toEqual({ type: T.FLOAT32 });
    expect(f.metadataTypes.get("t.bool.true")).toEqual({ type: T.BOOL });
    expect(f.metadataTypes.get("t.arr.string")).toEqual({ type: T.ARRAY, itemType: T.STRING });
    expect(f.metadataTypes.get("t.arr.i32")).toEqual({ type: T.ARRAY, itemType: T.INT32 });
    expect(f.metadataTypes.get("t.arr.empty")).toEqual({ type: T.ARRAY, itemType: T.INT32 });
  });

  it("copies metadata byte-for-byte faithfully (copyMetadata → writeGguf reproduces the file)", () => {
    const p1 = path.join(dir, "copy1.gguf");
    const p2 = path.join(dir, "copy2.gguf");
    writeGguf(p1, { metadata, tensors: [] });
    writeGguf(p2, { metadata: copyMetadata(readGguf(p1)), tensors: [] });
    expect(sha256(p2)).toBe(sha256(p1));
    expect(metaFromGguf(readGguf(p1), "t.arr.f32")).toEqual({ type: "array", itemType: "f32", value: [-1e6, 0.5, Math.fround(1 / 3)] });
    // the shipped vocabulary copies exactly too (tokens/scores/token_type keep STRING/FLOAT32/INT32)
    const p3 = path.join(dir, "vocab-copy.gguf");
    writeGguf(p3, { metadata: copyMetadata(readGguf(llamaSpmVocab)), tensors: [] });
    expect(sha256(p3)).toBe(sha256(llamaSpmVocab));
  });

  it("rejects out-of-range and mistyped metadata values", () => {
    const p = path.join(dir, "bad-meta.gguf");
    expect(() => writeGguf(p, { metadata: [["x", { type: "u8", value: 256 }]], tensors: [] })).toThrow(/not a valid u8/);
    expect(() => writeGguf(p, { metadata: [["x", { type: "i32", value: 1.5 }]], tensors: [] })).toThrow(/not a valid i32/);
    expect(() => writeGguf(p, { metadata: [["x", { type: "u64", value: -1n }]], tensors: [] })).toThrow(/out of range for u64/);
    expect(() =>
      writeGguf(p, {
        metadata: [
          ["x", { type: "u8", value: 1 }],
          ["x", { type: "u8", value: 2 }],
        ],
        tensors: [],
      }),
    ).toThrow(/duplicate metadata key 'x'/);
  });

  it("round-trips F32 tensors exactly and aligns tensor data", () => {
    const p = path.join(dir, "f32.gguf");
    const a = new Float32Array([1.5, -2.25, Math.fround(1 / 3), 0, -0, 3.4028234663852886e38, 1e-45]);
    const b = new Float64Array([0.1, -7, 1e-3, 2, 3, 4]); // written as float32
    writeGguf(p, {
      metadata: [["general.architecture", { type: "string", value: "test" }]],
      tensors: [
        { name: "a", dims: [7], type: "f32", data: a },
        { name: "b", dims: [3, 2], type: "f32", data: b },
      ],
    });
    const f = readGguf(p);
    expect(f.alignment).toBe(32);
    expect(f.metadata.has("general.alignment")).toBe(false); // default alignment is not written
    expect(f.tensors.map((t) => [t.name, t.dims, t.type, t.nBytes])).toEqual([
      ["a", [7], GGML_TYPE.F32, 28],
      ["b", [3, 2], GGML_TYPE.F32, 24],
    ]);
    expect(f.dataOffset % 32).toBe(0);
    expect(f.tensors[0].offset).toBe(f.dataOffset);
    expect(f.tensors[1].offset).toBe(f.dataOffset + 32); // 28 bytes padded to 32
    expect(f.fileSize).toBe(f.dataOffset + 64); // last tensor padded too
    expect(Array.from(readTensorF64(f, "a"))).toEqual(Array.from(a));
    expect(Array.from(readTensorF64(f, "b"))).toEqual(Array.from(b, (x) => Math.fround(x)));
  });

  it("honours a custom alignment and writes general.alignment", () => {
    const p = path.join(dir, "align64.gguf");
    writeGguf(p, {
      metadata: [],
      alignment: 64,
      tensors: [
        { name: "x", dims: [3], type: "f32", data: new Float32Array([1, 2, 3]) },
        { name: "y", dims: [1], type: "f16", data: new Float32Array([4]) },
      ],
    });
    const f = readGguf(p);
    expect(f.alignment).toBe(64);
    expect(f.metadata.get("general.alignment")).toBe(64);
    expect(f.metadataTypes.get("general.alignment")).toEqual({ type: GGUF_VALUE_TYPE.UINT32 });
    expect(f.dataOffset % 64).toBe(0);
    expect(f.tensors[1].offset - f.tensors[0].offset).toBe(64);
    expect(Array.from(readTensorF64(f, "y"))).toEqual([4]);
  });

  it("converts to F16 with round-to-nearest-even (hand-computed half-precision values)", () => {
    // input → expected half value, worked out by hand:
    const cases: Array<[number, number]> = [
      [1 / 3, 0.333251953125], // 1.0101010101|0101…b × 2^-2 rounds down: 1365/4096
      [0.1, 0.0999755859375], // 1.6 × 2^-4, 1.6·1024 = 1638.4 → 1638/16384
      [1, 1],
      [-2.5, -2.5],
      [65504, 65504], // largest finite half
      [65519.99, 65504], // below the halfway point 65520
      [65520, Infinity], // halfway between 65504 (odd mantissa 0x3ff) and 2^16 → even → overflow
      [1e6, Infinity],
      [-1e6, -Infinity],
      [1 + 2 ** -11, 1], // tie between 1 and 1+2^-10 → even mantissa (1)
      [1 + 3 * 2 ** -11, 1 + 2 ** -9], // tie between 1+2^-10 (odd) and 1+2^-9 → even
      [1 + 2 ** -11 + 2 ** -30, 1 + 2 ** -10], // just above the tie → up
      [2049, 2048], // spacing 2 above 2048: tie → even
      [2051, 2052],
      [2 ** -24, 2 ** -24], // smallest subnormal
      [2 ** -25, 0], // tie between 0 and 2^-24 → even (0)
      [3 * 2 ** -25, 2 ** -23], // 1.5 units → tie → 2 units
      [2 ** -25 + 2 ** -40, 2 ** -24], // above the tie → up
      [1e-8, 0],
      [6.1e-5, 1023 * 2 ** -24], // subnormal: 6.1e-5 / 2^-24 = 1023.41… → 1023 units
      [2 ** -14 - 2 ** -26, 2 ** -14], // rounds up into the smallest normal
    ];
    for (const [x, want] of cases) {
      expect(roundToF16(x), `roundToF16(${x})`).toBe(want);
    }
    expect(f64ToF16Bits(1 / 3)).toBe(0x3555);
    expect(f64ToF16Bits(-0)).toBe(0x8000);
    expect(f64ToF16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(f64ToF16Bits(NaN) & 0x3ff).not.toBe(0);
    // every half value is a fixed point of the conversion and decodes exactly
    for (let h = 0; h < 0x7c00; h += 7) {
      expect(f64ToF16Bits(f16BitsToNumber(h))).toBe(h);
      expect(f64ToF16Bits(-f16BitsToNumber(h))).toBe(h | 0x8000);
    }

    const p = path.join(dir, "f16.gguf");
    const xs = new Float64Array(cases.map(([x]) => x));
    const xs32 = new Float32Array([1 / 3, 0.1, 65504, 2049]);
    writeGguf(p, {
      metadata: [],
      tensors: [
        { name: "h", dims: [xs.length], type: "f16", data: xs },
        { name: "h32", dims: [2, 2], type: "f16", data: xs32 },
      ],
    });
    const f = readGguf(p);
    expect(f.tensors[0].type).toBe(GGML_TYPE.F16);
    expect(f.tensors[0].nBytes).toBe(2 * xs.length);
    expect(Array.from(readTensorF64(f, "h"))).toEqual(cases.map(([, want]) => want));
    expect(Array.from(readTensorF64(f, "h32"))).toEqual([0.333251953125, 0.0999755859375, 65504, 2048]);
  });

  it("streams tensor data from a generator callback in order", () => {
    const p = path.join(dir, "gen.gguf");
    const n = (1 << 20) + 4; // more than one writer chunk
    const starts: number[] = [];
    writeGguf(p, {
      metadata: [],
      tensors: [
        {
          name: "g",
          dims: [4, (1 << 18) + 1],
          type: "f32",
          data: (start, out) => {
            starts.push(start);
            for (let i = 0; i < out.length; i++) out[i] = (start + i) % 1000;
          },
        },
      ],
    });
    expect(starts).toEqual([0, 1 << 20]);
    const v = readTensorF64(readGguf(p), "g");
    expect(v.length).toBe(n);
    expect(v[0]).toBe(0);
    expect(v[999]).toBe(999);
    expect(v[1000]).toBe(0);
    expect(v[n - 1]).toBe((n - 1) % 1000);
  });

  it("reads BF16 and Q8_0 tensors written as raw bytes", () => {
    const p = path.join(dir, "raw.gguf");
    // BF16: the upper 16 bits of the float32 pattern. 1.0 = 0x3f80, -2.5 = 0xc020, 1/3 → 0x3eaa = 0.33203125
    const bf16 = new Uint8Array([0x80, 0x3f, 0x20, 0xc0, 0xaa, 0x3e]);
    // Q8_0: one block of 32: f16 scale d = 0.5 (0x3800) then int8 quants; value = q · d
    const q = new Int8Array(32).map((_, i) => i * 8 - 128);
    const q8 = new Uint8Array(34);
    q8[0] = 0x00;
    q8[1] = 0x38;
    q8.set(new Uint8Array(q.buffer), 2);
    writeGguf(p, {
      metadata: [],
      tensors: [
        { name: "bf", dims: [3], type: "raw", ggmlType: GGML_TYPE.BF16, data: bf16 },
        { name: "q8", dims: [32], type: "raw", ggmlType: GGML_TYPE.Q8_0, data: q8 },
      ],
    });
    const f = readGguf(p);
    expect(f.tensors.map((t) => [t.type, t.nBytes])).toEqual([
      [GGML_TYPE.BF16, 6],
      [GGML_TYPE.Q8_0, 34],
    ]);
    expect(Array.from(readTensorF64(f, "bf"))).toEqual([1, -2.5, 0.33203125]);
    expect(Array.from(readTensorF64(f, "q8"))).toEqual(Array.from(q, (x) => x * 0.5));
    expect(() => readTensorF64(f, "nope")).toThrow(/no tensor named 'nope'/);
  });

  it("computes tensor byte sizes for block-quantized types", () => {
    expect(ggmlTensorBytes(GGML_TYPE.Q8_0, [64, 3])).toBe(2 * 34 * 3);
    expect(ggmlTensorBytes(GGML_TYPE.Q4_K, [256, 2])).toBe(2 * 144);
    expect(() => ggmlTensorBytes(GGML_TYPE.Q8_0, [33])).toThrow(/multiple of 32/);
  });
});

describe("reading the shipped GGUF files", () => {
  it("parses models/llama-2-tiny-random", () => {
    const f = readGguf(tinyRandomLlama2);
    expect(f.version).toBe(3);
    expect(f.metadata.get("general.architecture")).toBe("llama");
    expect(f.metadata.get("llama.embedding_length")).toBe(8);
    expect(f.metadata.get("llama.block_count")).toBe(1);
    expect(f.metadata.get("llama.attention.head_count")).toBe(2);
    expect((f.metadata.get("tokenizer.ggml.tokens") as string[]).length).toBe(32000);
    expect((f.metadata.get("tokenizer.ggml.tokens") as string[]).slice(0, 3)).toEqual(["<unk>", "<s>", "</s>"]);
    expect(f.metadata.get("llama.attention.layer_norm_rms_epsilon")).toBe(Math.fround(1e-5));
    expect(f.tensors).toHaveLength(12);
    const embd = f.tensors.find((t) => t.name === "token_embd.weight")!;
    expect(embd.dims).toEqual([8, 32000]);
    expect(embd.type).toBe(GGML_TYPE.F16);
    expect(embd.nBytes).toBe(8 * 32000 * 2);
    expect(f.tensors.find((t) => t.name === "output_norm.weight")!.type).toBe(GGML_TYPE.F32);
    expect(f.tensors.at(-1)!.offset + f.tensors.at(-1)!.nBytes).toBe(f.fileSize);
    const e = readTensorF64(f, "token_embd.weight");
    expect(e.length).toBe(256000);
    expect(e.every((x) => Number.isFinite(x))).toBe(true);
  });

  it("parses models/vocab/ggml-vocab-llama-spm as vocabulary-only", () => {
    const f = readGguf(llamaSpmVocab);
    expect(f.tensors).toEqual([]);
    expect(f.metadata.get("general.architecture")).toBe("llama");
    expect(f.metadata.get("tokenizer.ggml.model")).toBe("llama");
    expect((f.metadata.get("tokenizer.ggml.tokens") as string[]).length).toBe(32000);
    expect((f.metadata.get("tokenizer.ggml.scores") as number[]).length).toBe(32000);
    expect(f.metadataTypes.get("tokenizer.ggml.token_type")).toEqual({ type: GGUF_VALUE_TYPE.ARRAY, itemType: GGUF_VALUE_TYPE.INT32 });
  });
});

describe("broken GGUF files", () => {
  let broken: ReturnType<typeof writeBrokenGgufs>;
  beforeAll(() => {
    broken = writeBrokenGgufs(path.join(dir, "broken"), tinyRandomLlama2);
  });

  it("writes the files it promises", () => {
    expect(fs.existsSync(broken.missing)).toBe(false);
    for (const p of [broken.notGguf, broken.truncated, broken.vocabOnly, broken.badVersion]) expect(fs.existsSync(p)).toBe(true);
    expect(fs.statSync(broken.truncated).size).toBeLessThan(fs.statSync(tinyRandomLlama2).size);
    expect(fs.statSync(broken.badVersion).size).toBe(fs.statSync(tinyRandomLlama2).size);
  });

  it("rejects a missing file", () => {
    expect(() => readGguf(broken.missing)).toThrow(/GGUF file not found: .*missing\.gguf/);
  });

  it("rejects a non-GGUF file by its magic", () => {
    expect(() => readGguf(broken.notGguf)).toThrow(/not a GGUF file \(bad magic 54 68 69 73 "This", expected "GGUF"\)/);
  });

  it("rejects a file cut in the middle of its tensor data", () => {
    const size = fs.statSync(broken.truncated).size;
    expect(() => readGguf(broken.truncated)).toThrow(new RegExp(`truncated: tensor \\S+ ends at byte \\d+ but file has ${size} bytes`));
  });

  it("rejects an unsupported version", () => {
    expect(() => readGguf(broken.badVersion)).toThrow(new RegExp(`unsupported GGUF version ${BROKEN_GGUF_BAD_VERSION}\\b`));
  });

  it("parses the vocabulary-only file as a GGUF without tensors", () => {
    const f = readGguf(broken.vocabOnly);
    expect(f.tensors).toEqual([]);
    expect(f.metadata.get("general.architecture")).toBe("llama");
    expect((f.metadata.get("tokenizer.ggml.tokens") as string[]).length).toBe(32000);
    // (the model loader is what rejects it: see referenceLlama.test.ts)
  });

  it("rejects files truncated inside the header, and tiny files", () => {
    const buf = fs.readFileSync(tinyRandomLlama2);
    const cut = path.join(dir, "cut-header.gguf");
    fs.writeFileSync(cut, buf.subarray(0, 5000)); // inside the token list
    expect(() => readGguf(cut)).toThrow(/truncated: .*tokenizer\.ggml\.tokens|truncated: header ends unexpectedly/);
    fs.writeFileSync(cut, buf.subarray(0, 2));
    expect(() => readGguf(cut)).toThrow(/not a GGUF file \(only 2 bytes/);
    fs.writeFileSync(cut, buf.subarray(0, 10));
    expect(() => readGguf(cut)).toThrow(/truncated: header ends unexpectedly .* while reading tensor count/);
  });

  it("rejects GGUFv1, absurd counts and bad alignment", () => {
    const buf = Buffer.from(fs.readFileSync(tinyRandomLlama2));
    const p = path.join(dir, "patched.gguf");
    const v1 = Buffer.from(buf);
    v1.writeUInt32LE(1, 4);
    fs.writeFileSync(p, v1);
    expect(() => readGguf(p)).toThrow(/unsupported GGUF version 1/);
    const many = Buffer.from(buf);
    many.writeBigUInt64LE(1n << 40n, 8); // tensor count
    fs.writeFileSync(p, many);
    expect(() => readGguf(p)).toThrow(/implausible tensor count/);

    const q = path.join(dir, "align48.gguf");
    writeGguf(q, { metadata: [], tensors: [{ name: "x", dims: [1], type: "f32", data: new Float32Array([1]) }], alignment: 64 });
    const raw = fs.readFileSync(q);
    const at = raw.indexOf("general.alignment") + "general.alignment".length;
    expect(raw.readUInt32LE(at)).toBe(GGUF_VALUE_TYPE.UINT32);
    expect(raw.readUInt32LE(at + 4)).toBe(64);
    raw.writeUInt32LE(48, at + 4);
    fs.writeFileSync(q, raw);
    expect(() => readGguf(q)).toThrow(/general\.alignment 48 is not a power of 2/);
  });
});

describe("synthetic llama models", () => {
  const base = { nLayer: 2, nEmbd: 32, nHead: 4, nHeadKv: 2, nFf: 48, vocabFrom: llamaSpmVocab, nVocab: 40000, seed: 5 };
  let p1: string;
  beforeAll(() => {
    p1 = path.join(dir, "syn-a.gguf");
    writeSyntheticLlama(p1, base);
  });

  it("writes llama metadata and the copied, extended vocabulary", () => {
    const f = readGguf(p1);
    const m = f.metadata;
    expect(m.get("general.architecture")).toBe("llama");
    expect(m.get("general.name")).toBe("synthetic-llama");
    expect(m.get("general.file_type")).toBe(0);
    expect(m.get("llama.context_length")).toBe(2048);
    expect(m.get("llama.embedding_length")).toBe(32);
    expect(m.get("llama.block_count")).toBe(2);
    expect(m.get("llama.feed_forward_length")).toBe(48);
    expect(m.get("llama.attention.head_count")).toBe(4);
    expect(m.get("llama.attention.head_count_kv")).toBe(2);
    expect(m.get("llama.rope.dimension_count")).toBe(8);
    expect(m.get("llama.rope.freq_base")).toBe(10000);
    expect(m.get("llama.attention.layer_norm_rms_epsilon")).toBe(Math.fround(1e-5));
    expect(m.get("llama.vocab_size")).toBe(40000);

    const src = readGguf(llamaSpmVocab);
    for (const [k, v] of src.metadata) {
      if (!k.startsWith("tokenizer.")) continue;
      expect(f.metadataTypes.get(k), k).toEqual(src.metadataTypes.get(k));
      if (!Array.isArray(v)) expect(m.get(k), k).toEqual(v);
    }
    const tokens = m.get("tokenizer.ggml.tokens") as string[];
    const scores = m.get("tokenizer.ggml.scores") as number[];
    const types = m.get("tokenizer.ggml.token_type") as number[];
    expect([tokens.length, scores.length, types.length]).toEqual([40000, 40000, 40000]);
    expect(tokens.slice(0, 32000)).toEqual(src.metadata.get("tokenizer.ggml.tokens"));
    expect(scores.slice(0, 32000)).toEqual(src.metadata.get("tokenizer.ggml.scores"));
    expect(types.slice(0, 32000)).toEqual(src.metadata.get("tokenizer.ggml.token_type"));
    expect(tokens[32000]).toBe("<|extra_32000|>");
    expect(tokens[39999]).toBe("<|extra_39999|>");
    expect(new Set(tokens).size).toBe(40000);
    expect(scores[39999]).toBe(EXTRA_TOKEN_SCORE);
    expect(types[39999]).toBe(EXTRA_TOKEN_TYPE_NORMAL);
  });

  it("writes tensors with llama.cpp names, ne-order shapes and types", () => {
    const f = readGguf(p1);
    const got = f.tensors.map((t) => ({ name: t.name, dims: t.dims }));
    expect(got).toEqual(syntheticLlamaTensorShapes(base, 40000));
    const byName = new Map(f.tensors.map((t) => [t.name, t]));
    expect(byName.get("token_embd.weight")!.dims).toEqual([32, 40000]);
    expect(byName.get("output.weight")!.dims).toEqual([32, 40000]);
    expect(byName.get("blk.1.attn_q.weight")!.dims).toEqual([32, 32]);
    expect(byName.get("blk.1.attn_k.weight")!.dims).toEqual([32, 16]);
    expect(byName.get("blk.1.attn_v.weight")!.dims).toEqual([32, 16]);
    expect(byName.get("blk.1.attn_output.weight")!.dims).toEqual([32, 32]);
    expect(byName.get("blk.1.ffn_gate.weight")!.dims).toEqual([32, 48]);
    expect(byName.get("blk.1.ffn_up.weight")!.dims).toEqual([32, 48]);
    expect(byName.get("blk.1.ffn_down.weight")!.dims).toEqual([48, 32]);
    expect(byName.get("blk.1.attn_norm.weight")!.dims).toEqual([32]);
    expect(f.tensors).toHaveLength(1 + 2 * 9 + 2);
    expect(f.tensors.every((t) => t.type === GGML_TYPE.F32)).toBe(true);

    // weight statistics: matrices ~ N(0, 1/fan_in), norms ~ 1 + N(0, 0.1²)
    const q = readTensorF64(f, "blk.0.attn_q.weight");
    const meanQ = q.reduce((a, b) => a + b, 0) / q.length;
    const stdQ = Math.sqrt(q.reduce((a, b) => a + b * b, 0) / q.length);
    expect(Math.abs(meanQ)).toBeLessThan(0.02);
    expect(stdQ).toBeGreaterThan(0.9 / Math.sqrt(32));
    expect(stdQ).toBeLessThan(1.1 / Math.sqrt(32));
    const norm = readTensorF64(f, "blk.0.attn_norm.weight");
    expect(Math.abs(norm.reduce((a, b) => a + b, 0) / norm.length - 1)).toBeLessThan(0.1);
    expect(new Set(norm).size).toBe(32);
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const again = path.join(dir, "syn-a-again.gguf");
    const other = path.join(dir, "syn-b.gguf");
    writeSyntheticLlama(again, base);
    writeSyntheticLlama(other, { ...base, seed: 6 });
    expect(sha256(again)).toBe(sha256(p1));
    expect(sha256(other)).not.toBe(sha256(p1));
    expect(fs.statSync(other).size).toBe(fs.statSync(p1).size);
  });

  it("supports F16 weights (norms stay F32) and tied output", () => {
    const p = path.join(dir, "syn-f16.gguf");
    writeSyntheticLlama(p, { ...base, nVocab: undefined, weightType: "f16", tiedOutput: true, name: "tiny-f16" });
    const f = readGguf(p);
    expect(f.metadata.get("general.file_type")).toBe(1);
    expect(f.metadata.get("general.name")).toBe("tiny-f16");
    expect(f.metadata.get("llama.vocab_size")).toBe(32000);
    expect(f.tensors.some((t) => t.name === "output.weight")).toBe(false);
    for (const t of f.tensors) expect(t.type, t.name).toBe(t.dims.length === 1 ? GGML_TYPE.F32 : GGML_TYPE.F16);
    // F16 weights are the F32 weights of the same seed rounded to half precision
    const p32 = path.join(dir, "syn-f32-tied.gguf");
    writeSyntheticLlama(p32, { ...base, nVocab: undefined, tiedOutput: true });
    const w16 = readTensorF64(f, "blk.0.ffn_up.weight");
    const w32 = readTensorF64(readGguf(p32), "blk.0.ffn_up.weight");
    let worst = 0; // error in units of half an F16 ulp (normal) or half the subnormal spacing
    let differ = 0;
    for (let i = 0; i < w16.length; i++) {
      if (w16[i] !== w32[i]) differ++;
      worst = Math.max(worst, Math.abs(w16[i] - w32[i]) / Math.max(Math.abs(w32[i]) * 2 ** -11, 2 ** -25));
    }
    expect(differ).toBeGreaterThan(w16.length / 2);
    expect(worst).toBeLessThanOrEqual(1.001);
  });

  it("validates its options", () => {
    const p = path.join(dir, "invalid.gguf");
    expect(() => writeSyntheticLlama(p, { ...base, nHead: 3 })).toThrow(/not divisible by nHead/);
    expect(() => writeSyntheticLlama(p, { ...base, nHeadKv: 3 })).toThrow(/not divisible by nHeadKv/);
    expect(() => writeSyntheticLlama(p, { ...base, nVocab: 100 })).toThrow(/smaller than the 32000 tokens/);
    expect(() => writeSyntheticLlama(p, { ...base, vocabFrom: tinyRandomLlama2 + ".nope" })).toThrow(/not found/);
  });
});
