/**
 * Pure-TypeScript GGUF v3 writer.
 *
 * The header (metadata + tensor infos) is assembled in memory — a few MB even
 * for a 128k-token vocabulary — and the tensor data is then converted and
 * written in bounded chunks, so a model of hundreds of MB never needs one
 * giant buffer. Tensor data may also be supplied by a generator callback so the
 * caller does not have to hold it in memory either.
 *
 * The layout matches what ggml's gguf reader requires: tensors stored back to
 * back in declaration order, each starting at a multiple of the alignment
 * (offsets relative to the aligned start of the data section) and each padded
 * to the alignment with zero bytes.
 */
import * as fs from "node:fs";
import {
  GGML_TYPE,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_VALUE_TYPE,
  ggmlTensorBytes,
  ggmlTypeName,
  type GgufFile,
  type GgufValue,
} from "./reader.ts";

export type GgufScalarTypeName =
  | "u8"
  | "i8"
  | "u16"
  | "i16"
  | "u32"
  | "i32"
  | "f32"
  | "bool"
  | "string"
  | "u64"
  | "i64"
  | "f64";

export type GgufMetaValue =
  | { type: "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64"; value: number }
  | { type: "u64" | "i64"; value: bigint | number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "array"; itemType: GgufScalarTypeName; value: Array<number | bigint | boolean | string> };

/**
 * Tensor data: a typed array holding all elements in ne order, or a generator
 * that fills `out` (length = chunk size) with elements [start, start + out.length).
 * Generators are called with consecutive, non-overlapping ranges in order.
 */
export type GgufTensorData = Float32Array | Float64Array | ((start: number, out: Float64Array) => void);

export interface GgufTensorSpec {
  name: string;
  /** ne order: dims[0] is the contiguous dimension */
  dims: number[];
  type: "f32" | "f16";
  data: GgufTensorData;
}

/** A tensor whose bytes are already encoded in some ggml type (e.g. BF16, Q8_0 test fixtures). */
export interface GgufRawTensorSpec {
  name: string;
  dims: number[];
  type: "raw";
  /** ggml_type number (GGML_TYPE.*) */
  ggmlType: number;
  /** exactly ggmlTensorBytes(ggmlType, dims) bytes */
  data: Uint8Array;
}

export interface GgufWriteSpec {
  metadata: Array<[string, GgufMetaValue]>;
  tensors: Array<GgufTensorSpec | GgufRawTensorSpec>;
  /** data alignment in bytes (power of 2); written as general.alignment when not 32. Default 32. */
  alignment?: number;
}

const TYPE_CODES: Record<GgufScalarTypeName, number> = {
  u8: GGUF_VALUE_TYPE.UINT8,
  i8: GGUF_VALUE_TYPE.INT8,
  u16: GGUF_VALUE_TYPE.UINT16,
  i16: GGUF_VALUE_TYPE.INT16,
  u32: GGUF_VALUE_TYPE.UINT32,
  i32: GGUF_VALUE_TYPE.INT32,
  f32: GGUF_VALUE_TYPE.FLOAT32,
  bool: GGUF_VALUE_TYPE.BOOL,
  string: GGUF_VALUE_TYPE.STRING,
  u64: GGUF_VALUE_TYPE.UINT64,
  i64: GGUF_VALUE_TYPE.INT64,
  f64: GGUF_VALUE_TYPE.FLOAT64,
};

const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE_CODES).map(([k, v]) => [v, k])) as Record<
  number,
  GgufScalarTypeName
>;

/** Growable little-endian byte buffer for the header. */
class ByteWriter {
  buf = Buffer.alloc(1 << 16);
  len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
  }
  i8(v: number): void {
    this.reserve(1);
    this.buf.writeInt8(v, this.len);
    this.len += 1;
  }
  u16(v: number): void {
    this.reserve(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  i16(v: number): void {
    this.reserve(2);
    this.buf.writeInt16LE(v, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.buf.writeInt32LE(v, this.len);
    this.len += 4;
  }
  f32(v: number): void {
    this.reserve(4);
    this.buf.writeFloatLE(v, this.len);
    this.len += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }
  u64(v: bigint): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(v, this.len);
    this.len += 8;
  }
  i64(v: bigint): void {
    this.reserve(8);
    this.buf.writeBigInt64LE(v, this.len);
    this.len += 8;
  }
  string(s: string): void {
    const n = Buffer.byteLength(s, "utf8");
    this.u64(BigInt(n));
    this.reserve(n);
    this.buf.write(s, this.len, n, "utf8");
    this.len += n;
  }
  zeros(n: number): void {
    this.reserve(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
}

function checkInt(key: string, v: unknown, lo: number, hi: number, type: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`metadata '${key}': ${String(v)} is not a valid ${type}`);
  }
  return v;
}

function toBigInt(key: string, v: unknown, type: "u64" | "i64"): bigint {
  let b: bigint;
  if (typeof v === "bigint") b = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
  else throw new Error(`metadata '${key}': ${String(v)} is not a valid ${type}`);
  const ok = type === "u64" ? b >= 0n && b < 1n << 64n : b >= -(1n << 63n) && b < 1n << 63n;
  if (!ok) throw new Error(`metadata '${key}': ${b} is out of range for ${type}`);
  return b;
}

function writeScalar(w: ByteWriter, key: string, type: GgufScalarTypeName, v: unknown): void {
  switch (type) {
    case "u8":
      return w.u8(checkInt(key, v, 0, 0xff, type));
    case "i8":
      return w.i8(checkInt(key, v, -0x80, 0x7f, type));
    case "u16":
      return w.u16(checkInt(key, v, 0, 0xffff, type));
    case "i16":
      return w.i16(checkInt(key, v, -0x8000, 0x7fff, type));
    case "u32":
      return w.u32(checkInt(key, v, 0, 0xffffffff, type));
    case "i32":
      return w.i32(checkInt(key, v, -0x80000000, 0x7fffffff, type));
    case "f32":
    case "f64":
      if (typeof v !== "number") throw new Error(`metadata '${key}': ${String(v)} is not a number`);
      return type === "f32" ? w.f32(v) : w.f64(v);
    case "bool":
      if (typeof v !== "boolean") throw new Error(`metadata '${key}': ${String(v)} is not a boolean`);
      return w.u8(v ? 1 : 0);
    case "string":
      if (typeof v !== "string") throw new Error(`metadata '${key}': ${String(v)} is not a string`);
      return w.string(v);
    case "u64":
    case "i64": {
      const b = toBigInt(key, v, type);
      return type === "u64" ? w.u64(b) : w.i64(b);
    }
    default:
      throw new Error(`metadata '${key}': unknown value type '${String(type)}'`);
  }
}

function writeMetaValue(w: ByteWriter, key: string, mv: GgufMetaValue): void {
  if (mv.type === "array") {
    const itemCode = TYPE_CODES[mv.itemType];
    if (itemCode === undefined) throw new Error(`metadata '${key}': unsupported array item type '${String(mv.itemType)}'`);
    w.u32(GGUF_VALUE_TYPE.ARRAY);
    w.u32(itemCode);
    w.u64(BigInt(mv.value.length));
    for (const item of mv.value) writeScalar(w, key, mv.itemType, item);
    return;
  }
  const code = TYPE_CODES[mv.type];
  if (code === undefined) throw new Error(`metadata '${key}': unknown value type '${String((mv as { type: unknown }).type)}'`);
  w.u32(code);
  writeScalar(w, key, mv.type, mv.value);
}

// ---------------------------------------------------------------------------
// float16 conversion

const f64Scratch = new Float64Array(1);
const f64Words = new Uint32Array(f64Scratch.buffer);

function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f; // exact for q < 2^52
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * IEEE 754 binary16 bit pattern of `x`, rounded to nearest with ties to even
 * directly from the float64 value (no intermediate float32 rounding).
 * Overflow gives ±Inf, NaN gives a quiet NaN, signed zero is preserved.
 */
export function f64ToF16Bits(x: number): number {
  f64Scratch[0] = x;
  const hi = f64Words[1];
  const lo = f64Words[0];
  const sign = (hi >>> 16) & 0x8000;
  const bexp = (hi >>> 20) & 0x7ff;
  const e = bexp - 1023; // |x| = 1.mantissa × 2^e for normal doubles
  if (e >= -14 && e <= 15) {
    // half normal: keep the top 10 of the 52 mantissa bits, round on the other 42
    let h = ((e + 15) << 10) | ((hi >>> 10) & 0x3ff);
    const rest = hi & 0x3ff; // next 10 bits; `lo` holds the remaining 32
    if (rest > 0x200 || (rest === 0x200 && (lo !== 0 || (h & 1) === 1))) h += 1; // carry may reach 0x7c00 = Inf, correctly
    return sign | h;
  }
  if (bexp === 0x7ff) {
    const isNaN = (hi & 0xfffff) !== 0 || lo !== 0;
    return isNaN ? 0x7e00 : sign | 0x7c00;
  }
  if (e > 15) return sign | 0x7c00;
  // half subnormal range (or zero): count units of 2^-24; scaling by a power of two is exact.
  // A result of 1024 is the smallest normal, which encodes correctly as 0x0400.
  if (e < -26) return sign; // includes zero and float64 subnormals
  return sign | roundHalfEven(Math.abs(x) * 16777216);
}

/** Round a number to the nearest half-precision value (as a number). */
export function roundToF16(x: number): number {
  const h = f64ToF16Bits(x);
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1024 + m) * 2 ** (e - 25);
}

// ---------------------------------------------------------------------------

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

function elementCount(dims: number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

const CHUNK_ELEMS = 1 << 20;

/** Write a GGUF v3 file. */
export function writeGguf(path: string, spec: GgufWriteSpec): void {
  const alignment = spec.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new Error(`alignment ${alignment} is not a power of 2`);
  }

  const metadata = spec.metadata.slice();
  const keys = new Set<string>();
  for (const [k] of metadata) {
    if (!k) throw new Error("empty metadata key");
    if (keys.has(k)) throw new Error(`duplicate metadata key '${k}'`);
    keys.add(k);
  }
  const alignEntry = metadata.find(([k]) => k === "general.alignment");
  if (alignEntry) {
    const v = alignEntry[1];
    if (v.type !== "u32" || v.value !== alignment) {
      throw new Error(`general.alignment in metadata (${JSON.stringify(v)}) disagrees with alignment ${alignment}`);
    }
  } else if (alignment !== GGUF_DEFAULT_ALIGNMENT || spec.alignment !== undefined) {
    metadata.push(["general.alignment", { type: "u32", value: alignment }]);
  }

  const names = new Set<string>();
  for (const t of spec.tensors) {
    if (!t.name || Buffer.byteLength(t.name) >= 64) throw new Error(`tensor name '${t.name}' must be 1..63 bytes`);
    if (names.has(t.name)) throw new Error(`duplicate tensor name '${t.name}'`);
    names.add(t.name);
    if (t.dims.length < 1 || t.dims.length > 4 || t.dims.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new Error(`tensor '${t.name}': invalid dims [${t.dims.join(", ")}]`);
    }
    if (t.type === "raw") {
      const want = ggmlTensorBytes(t.ggmlType, t.dims);
      if (t.data.length !== want) throw new Error(`tensor '${t.name}': ${t.data.length} raw bytes, ${ggmlTypeName(t.ggmlType)} [${t.dims.join(", ")}] needs ${want}`);
      continue;
    }
    if (t.type !== "f32" && t.type !== "f16") throw new Error(`tensor '${t.name}': unsupported type '${String((t as { type: unknown }).type)}'`);
    if (typeof t.data !== "function" && t.data.length !== elementCount(t.dims)) {
      throw new Error(`tensor '${t.name}': data has ${t.data.length} elements, dims [${t.dims.join(", ")}] need ${elementCount(t.dims)}`);
    }
  }

  const w = new ByteWriter();
  w.u8(0x47); // G
  w.u8(0x47); // G
  w.u8(0x55); // U
  w.u8(0x46); // F
  w.u32(3);
  w.u64(BigInt(spec.tensors.length));
  w.u64(BigInt(metadata.length));
  for (const [key, mv] of metadata) {
    w.string(key);
    writeMetaValue(w, key, mv);
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const t of spec.tensors) {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(BigInt(d));
    w.u32(t.type === "raw" ? t.ggmlType : t.type === "f32" ? GGML_TYPE.F32 : GGML_TYPE.F16);
    w.u64(BigInt(offset));
    const nBytes = t.type === "raw" ? t.data.length : elementCount(t.dims) * (t.type === "f32" ? 4 : 2);
    sizes.push(nBytes);
    offset += alignUp(nBytes, alignment);
  }
  if (spec.tensors.length > 0) w.zeros(alignUp(w.len, alignment) - w.len);

  const fd = fs.openSync(path, "w");
  try {
    writeAll(fd, w.buf.subarray(0, w.len));
    const f64Chunk = new Float64Array(CHUNK_ELEMS);
    const out = Buffer.alloc(CHUNK_ELEMS * 4);
    const outF32 = new Float32Array(out.buffer, out.byteOffset, CHUNK_ELEMS);
    const outU16 = new Uint16Array(out.buffer, out.byteOffset, CHUNK_ELEMS);
    for (let ti = 0; ti < spec.tensors.length; ti++) {
      const t = spec.tensors[ti];
      const pad = alignUp(sizes[ti], alignment) - sizes[ti];
      if (t.type === "raw") {
        writeAll(fd, t.data);
        if (pad > 0) writeAll(fd, Buffer.alloc(pad));
        continue;
      }
      const n = elementCount(t.dims);
      const data = t.data;
      for (let start = 0; start < n; start += CHUNK_ELEMS) {
        const count = Math.min(CHUNK_ELEMS, n - start);
        let src: Float32Array | Float64Array;
        if (typeof data === "function") {
          src = count === CHUNK_ELEMS ? f64Chunk : f64Chunk.subarray(0, count);
          data(start, src as Float64Array);
        } else {
          src = data.subarray(start, start + count);
        }
        if (t.type === "f32") {
          if (src instanceof Float32Array) {
            writeAll(fd, Buffer.from(src.buffer, src.byteOffset, count * 4));
          } else {
            outF32.set(src);
            writeAll(fd, out.subarray(0, count * 4));
          }
        } else {
          for (let i = 0; i < count; i++) outU16[i] = f64ToF16Bits(src[i]);
          writeAll(fd, out.subarray(0, count * 2));
        }
      }
      if (pad > 0) writeAll(fd, Buffer.alloc(pad));
    }
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, buf: Uint8Array): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done);
}

// ---------------------------------------------------------------------------
// Copying metadata from an existing file

/**
 * Convert one metadata entry of a parsed file back into a writer value,
 * preserving its stored GGUF type (e.g. token_type stays an i32 array, scores
 * an f32 array). Nested arrays are not supported.
 */
export function metaFromGguf(file: GgufFile, key: string): GgufMetaValue {
  const value = file.metadata.get(key);
  const t = file.metadataTypes.get(key);
  if (value === undefined || t === undefined) throw new Error(`${file.path}: missing metadata key '${key}'`);
  return toMetaValue(key, value, t.type, t.itemType);
}

function toMetaValue(key: string, value: GgufValue, type: number, itemType?: number): GgufMetaValue {
  if (type === GGUF_VALUE_TYPE.ARRAY) {
    const item = itemType === undefined ? undefined : TYPE_NAMES[itemType];
    if (!item) throw new Error(`metadata '${key}': cannot copy an array of GGUF type ${String(itemType)} (nested arrays are not supported)`);
    return { type: "array", itemType: item, value: value as Array<number | bigint | boolean | string> };
  }
  const name = TYPE_NAMES[type];
  if (!name) throw new Error(`metadata '${key}': unknown GGUF type ${type}`);
  return { type: name, value } as GgufMetaValue;
}

/**
 * All metadata of `file` (in file order) whose key passes `filter`, as writer
 * entries with their original value types. `general.alignment` is never copied
 * (the writer emits it from its own `alignment` option).
 */
export function copyMetadata(file: GgufFile, filter: (key: string) => boolean = () => true): Array<[string, GgufMetaValue]> {
  const out: Array<[string, GgufMetaValue]> = [];
  for (const key of file.metadata.keys()) {
    if (key === "general.alignment" || !filter(key)) continue;
    out.push([key, metaFromGguf(file, key)]);
  }
  return out;
}
