/**
 * Pure-TypeScript GGUF reader.
 *
 * Parses the header, key/value metadata and tensor infos of a GGUF (v2/v3)
 * file without reading the tensor data, and converts individual tensors to
 * float64 on request. The header is read through a growing buffer with
 * fs.readSync, so opening a multi-GB model with a 128k-token vocabulary only
 * touches the first few MB of the file.
 *
 * Layout (little endian), see ggml/src/gguf.cpp in llama.cpp:
 *   u32 magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
 *   n_kv × (string key, u32 value_type, value)
 *   n_tensors × (string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset)
 *   padding to `general.alignment` (default 32), then the tensor data section;
 *   tensor offsets are relative to the data section start.
 */
import * as fs from "node:fs";

/** ggml tensor element types (ggml/include/ggml.h). */
export const GGML_TYPE = {
  F32: 0,
  F16: 1,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q8_1: 9,
  Q2_K: 10,
  Q3_K: 11,
  Q4_K: 12,
  Q5_K: 13,
  Q6_K: 14,
  Q8_K: 15,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ2_S: 22,
  IQ4_XS: 23,
  I8: 24,
  I16: 25,
  I32: 26,
  I64: 27,
  F64: 28,
  IQ1_M: 29,
  BF16: 30,
  TQ1_0: 34,
  TQ2_0: 35,
  MXFP4: 39,
  NVFP4: 40,
  Q1_0: 41,
  Q2_0: 42,
} as const;

/** [elements per block, bytes per block] for every ggml type a GGUF may contain. */
const GGML_TYPE_SIZE: Record<number, readonly [number, number]> = {
  [GGML_TYPE.F32]: [1, 4],
  [GGML_TYPE.F16]: [1, 2],
  [GGML_TYPE.Q4_0]: [32, 18],
  [GGML_TYPE.Q4_1]: [32, 20],
  [GGML_TYPE.Q5_0]: [32, 22],
  [GGML_TYPE.Q5_1]: [32, 24],
  [GGML_TYPE.Q8_0]: [32, 34],
  [GGML_TYPE.Q8_1]: [32, 36],
  [GGML_TYPE.Q2_K]: [256, 84],
  [GGML_TYPE.Q3_K]: [256, 110],
  [GGML_TYPE.Q4_K]: [256, 144],
  [GGML_TYPE.Q5_K]: [256, 176],
  [GGML_TYPE.Q6_K]: [256, 210],
  [GGML_TYPE.Q8_K]: [256, 292],
  [GGML_TYPE.IQ2_XXS]: [256, 66],
  [GGML_TYPE.IQ2_XS]: [256, 74],
  [GGML_TYPE.IQ3_XXS]: [256, 98],
  [GGML_TYPE.IQ1_S]: [256, 50],
  [GGML_TYPE.IQ4_NL]: [32, 18],
  [GGML_TYPE.IQ3_S]: [256, 110],
  [GGML_TYPE.IQ2_S]: [256, 82],
  [GGML_TYPE.IQ4_XS]: [256, 136],
  [GGML_TYPE.I8]: [1, 1],
  [GGML_TYPE.I16]: [1, 2],
  [GGML_TYPE.I32]: [1, 4],
  [GGML_TYPE.I64]: [1, 8],
  [GGML_TYPE.F64]: [1, 8],
  [GGML_TYPE.IQ1_M]: [256, 56],
  [GGML_TYPE.BF16]: [1, 2],
  [GGML_TYPE.TQ1_0]: [256, 54],
  [GGML_TYPE.TQ2_0]: [256, 66],
  [GGML_TYPE.MXFP4]: [32, 17],
  [GGML_TYPE.NVFP4]: [64, 36],
  [GGML_TYPE.Q1_0]: [128, 18],
  [GGML_TYPE.Q2_0]: [64, 18],
};

/** Name of a ggml type number ("F16", "Q8_0", ...), or "type N" if unknown. */
export function ggmlTypeName(type: number): string {
  for (const [name, value] of Object.entries(GGML_TYPE)) if (value === type) return name;
  return `type ${type}`;
}

/** Bytes taken by a tensor of `type` with `nElements` elements whose row length is `ne0`. */
export function ggmlTensorBytes(type: number, dims: readonly number[]): number {
  const size = GGML_TYPE_SIZE[type];
  if (!size) throw new Error(`unknown ggml type ${type}`);
  const [blockElems, blockBytes] = size;
  const ne0 = dims.length > 0 ? dims[0] : 1;
  if (ne0 % blockElems !== 0) {
    throw new Error(`${ggmlTypeName(type)} needs rows that are a multiple of ${blockElems} elements, got ${ne0}`);
  }
  let rows = 1;
  for (let i = 1; i < dims.length; i++) rows *= dims[i];
  return (ne0 / blockElems) * blockBytes * rows;
}

/** GGUF metadata value types (gguf.h, enum gguf_type). */
export const GGUF_VALUE_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

const GGUF_VALUE_TYPE_NAMES = Object.fromEntries(Object.entries(GGUF_VALUE_TYPE).map(([k, v]) => [v, k])) as Record<
  number,
  string
>;

/** Size in bytes of a fixed-size GGUF value type; 0 for STRING/ARRAY. */
function ggufScalarSize(type: number): number {
  switch (type) {
    case GGUF_VALUE_TYPE.UINT8:
    case GGUF_VALUE_TYPE.INT8:
    case GGUF_VALUE_TYPE.BOOL:
      return 1;
    case GGUF_VALUE_TYPE.UINT16:
    case GGUF_VALUE_TYPE.INT16:
      return 2;
    case GGUF_VALUE_TYPE.UINT32:
    case GGUF_VALUE_TYPE.INT32:
    case GGUF_VALUE_TYPE.FLOAT32:
      return 4;
    case GGUF_VALUE_TYPE.UINT64:
    case GGUF_VALUE_TYPE.INT64:
    case GGUF_VALUE_TYPE.FLOAT64:
      return 8;
    default:
      return 0;
  }
}

export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** The stored GGUF type of a metadata value; `itemType` is set for arrays. */
export interface GgufValueType {
  type: number;
  itemType?: number;
}

export interface GgufTensorInfo {
  name: string;
  /** ne order: dims[0] is the contiguous dimension. */
  dims: number[];
  /** ggml_type */
  type: number;
  /** absolute byte offset in file */
  offset: number;
  nBytes: number;
}

export interface GgufFile {
  path: string;
  version: number;
  alignment: number;
  metadata: Map<string, GgufValue>;
  /** GGUF value type of each metadata key (for faithful copying). */
  metadataTypes: Map<string, GgufValueType>;
  tensors: GgufTensorInfo[];
  /** absolute byte offset of the tensor data section */
  dataOffset: number;
  fileSize: number;
}

export const GGUF_MAGIC = "GGUF";
export const GGUF_DEFAULT_ALIGNMENT = 32;
const MAX_DIMS = 4;

/** Sequential reader over a file descriptor with a growing read-ahead buffer. */
class HeaderCursor {
  private buf: Buffer = Buffer.alloc(0);
  /** absolute file offset of buf[0] */
  private bufStart = 0;
  /** absolute file offset of the next byte to read */
  pos = 0;
  private chunk = 1 << 16;
  /** what is being read, for error messages */
  what = "header";

  constructor(
    private readonly fd: number,
    readonly fileSize: number,
  ) {}

  /** Make sure `n` bytes starting at `pos` are in the buffer; returns the buffer index of `pos`. */
  private need(n: number): number {
    const rel = this.pos - this.bufStart;
    if (rel + n <= this.buf.length) return rel;
    if (this.pos + n > this.fileSize) {
      throw new Error(
        `truncated: header ends unexpectedly at byte ${this.fileSize} while reading ${this.what} ` +
          `(needed ${n} bytes at byte ${this.pos}, file has ${this.fileSize} bytes)`,
      );
    }
    // Grow the read size geometrically so huge vocabularies need few reads.
    this.chunk = Math.min(this.chunk * 2, 1 << 26);
    const size = Math.min(Math.max(n, this.chunk), this.fileSize - this.pos);
    const next = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const r = fs.readSync(this.fd, next, got, size - got, this.pos + got);
      if (r === 0) break;
      got += r;
    }
    if (got < n) {
      throw new Error(`truncated: could only read ${got} of ${n} bytes at byte ${this.pos} while reading ${this.what}`);
    }
    this.buf = got === size ? next : next.subarray(0, got);
    this.bufStart = this.pos;
    return 0;
  }

  remaining(): number {
    return this.fileSize - this.pos;
  }

  u8(): number {
    const i = this.need(1);
    this.pos += 1;
    return this.buf[i];
  }
  i8(): number {
    const i = this.need(1);
    this.pos += 1;
    return this.buf.readInt8(i);
  }
  u16(): number {
    const i = this.need(2);
    this.pos += 2;
    return this.buf.readUInt16LE(i);
  }
  i16(): number {
    const i = this.need(2);
    this.pos += 2;
    return this.buf.readInt16LE(i);
  }
  u32(): number {
    const i = this.need(4);
    this.pos += 4;
    return this.buf.readUInt32LE(i);
  }
  i32(): number {
    const i = this.need(4);
    this.pos += 4;
    return this.buf.readInt32LE(i);
  }
  f32(): number {
    const i = this.need(4);
    this.pos += 4;
    return this.buf.readFloatLE(i);
  }
  f64(): number {
    const i = this.need(8);
    this.pos += 8;
    return this.buf.readDoubleLE(i);
  }
  u64(): bigint {
    const i = this.need(8);
    this.pos += 8;
    return this.buf.readBigUInt64LE(i);
  }
  i64(): bigint {
    const i = this.need(8);
    this.pos += 8;
    return this.buf.readBigInt64LE(i);
  }
  /** u64 that must fit in a JS safe integer (lengths, counts, dims, offsets). */
  size(): number {
    const i = this.need(8);
    this.pos += 8;
    const lo = this.buf.readUInt32LE(i);
    const hi = this.buf.readUInt32LE(i + 4);
    if (hi > 0x1fffff) {
      throw new Error(`implausible 64-bit size ${(BigInt(hi) << 32n) | BigInt(lo)} at byte ${this.pos - 8} while reading ${this.what}`);
    }
    return hi * 0x100000000 + lo;
  }
  string(): string {
    const len = this.size();
    if (len > this.remaining()) {
      throw new Error(
        `truncated: string of ${len} bytes at byte ${this.pos - 8} while reading ${this.what} runs past the end of the file (${this.fileSize} bytes)`,
      );
    }
    const i = this.need(len);
    this.pos += len;
    return this.buf.toString("utf8", i, i + len);
  }
}

function readValue(c: HeaderCursor, type: number, key: string): GgufValue {
  switch (type) {
    case GGUF_VALUE_TYPE.UINT8:
      return c.u8();
    case GGUF_VALUE_TYPE.INT8:
      return c.i8();
    case GGUF_VALUE_TYPE.UINT16:
      return c.u16();
    case GGUF_VALUE_TYPE.INT16:
      return c.i16();
    case GGUF_VALUE_TYPE.UINT32:
      return c.u32();
    case GGUF_VALUE_TYPE.INT32:
      return c.i32();
    case GGUF_VALUE_TYPE.FLOAT32:
      return c.f32();
    case GGUF_VALUE_TYPE.BOOL: {
      const b = c.u8();
      if (b > 1) throw new Error(`invalid bool value ${b} for key '${key}'`);
      return b === 1;
    }
    case GGUF_VALUE_TYPE.STRING:
      return c.string();
    case GGUF_VALUE_TYPE.UINT64:
      return c.u64();
    case GGUF_VALUE_TYPE.INT64:
      return c.i64();
    case GGUF_VALUE_TYPE.FLOAT64:
      return c.f64();
    case GGUF_VALUE_TYPE.ARRAY:
      return readArray(c, key).value;
    default:
      throw new Error(`key '${key}' has invalid GGUF value type ${type}`);
  }
}

function readArray(c: HeaderCursor, key: string): { itemType: number; value: GgufValue[] } {
  const itemType = c.u32();
  if (!(itemType in GGUF_VALUE_TYPE_NAMES)) {
    throw new Error(`key '${key}' is an array of invalid GGUF type ${itemType}`);
  }
  const n = c.size();
  // strings take at least 8 bytes (their length), nested arrays at least 12
  const minSize = ggufScalarSize(itemType) || (itemType === GGUF_VALUE_TYPE.STRING ? 8 : 12);
  if (n * minSize > c.remaining()) {
    throw new Error(`truncated: array '${key}' claims ${n} elements but only ${c.remaining()} bytes remain in the file`);
  }
  const out: GgufValue[] = new Array(n);
  for (let j = 0; j < n; j++) out[j] = readValue(c, itemType, key);
  return { itemType, value: out };
}

/**
 * Parse the header, metadata and tensor infos of a GGUF file. Tensor data is
 * not read, only checked to lie within the file.
 */
export function readGguf(path: string): GgufFile {
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "ENOENT") throw new Error(`GGUF file not found: ${path}`);
    throw new Error(`cannot open GGUF file ${path}: ${err.message}`);
  }
  try {
    const fileSize = fs.fstatSync(fd).size;
    const c = new HeaderCursor(fd, fileSize);
    try {
      return parse(c, path, fileSize);
    } catch (e) {
      const err = e as Error;
      throw new Error(`${path}: ${err.message}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function parse(c: HeaderCursor, path: string, fileSize: number): GgufFile {
  if (fileSize < 4) {
    throw new Error(`not a GGUF file (only ${fileSize} bytes, too small to hold the "GGUF" magic)`);
  }
  c.what = "magic";
  const m = [c.u8(), c.u8(), c.u8(), c.u8()];
  const magic = String.fromCharCode(...m);
  if (magic !== GGUF_MAGIC) {
    const hex = m.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const printable = m.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    throw new Error(`not a GGUF file (bad magic ${hex} "${printable}", expected "GGUF")`);
  }
  c.what = "version";
  const version = c.u32();
  if (version === 1) throw new Error(`unsupported GGUF version 1 (GGUFv1 is obsolete; supported versions are 2 and 3)`);
  if (version !== 2 && version !== 3) {
    const hint = (version & 0xffff) === 0 ? " (byte-swapped? big-endian GGUF files are not supported)" : "";
    throw new Error(`unsupported GGUF version ${version}${hint}; supported versions are 2 and 3`);
  }
  c.what = "tensor count";
  const nTensors = c.size();
  c.what = "metadata count";
  const nKv = c.size();
  // Each KV takes at least 8 (key length) + 4 (type) + 1 bytes, each tensor info at least 8 + 4 + 4 + 8.
  if (nKv * 13 > c.remaining()) {
    throw new Error(`implausible metadata count ${nKv} for a file of ${fileSize} bytes`);
  }
  if (nTensors * 24 > c.remaining()) {
    throw new Error(`implausible tensor count ${nTensors} for a file of ${fileSize} bytes`);
  }

  const metadata = new Map<string, GgufValue>();
  const metadataTypes = new Map<string, GgufValueType>();
  for (let i = 0; i < nKv; i++) {
    c.what = `metadata key #${i}`;
    const key = c.string();
    if (key.length === 0) throw new Error(`metadata key #${i} is empty`);
    if (metadata.has(key)) throw new Error(`duplicate metadata key '${key}'`);
    c.what = `metadata value '${key}'`;
    const type = c.u32();
    if (type === GGUF_VALUE_TYPE.ARRAY) {
      const { itemType, value } = readArray(c, key);
      metadata.set(key, value);
      metadataTypes.set(key, { type, itemType });
    } else {
      metadata.set(key, readValue(c, type, key));
      metadataTypes.set(key, { type });
    }
  }

  let alignment = GGUF_DEFAULT_ALIGNMENT;
  if (metadata.has("general.alignment")) {
    const t = metadataTypes.get("general.alignment")!.type;
    const a = metadata.get("general.alignment");
    if (t !== GGUF_VALUE_TYPE.UINT32 || typeof a !== "number") {
      throw new Error(`general.alignment must be of type UINT32 but is ${GGUF_VALUE_TYPE_NAMES[t] ?? t}`);
    }
    if (a === 0 || (a & (a - 1)) !== 0) throw new Error(`general.alignment ${a} is not a power of 2`);
    alignment = a;
  }

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  const relOffsets: number[] = [];
  for (let i = 0; i < nTensors; i++) {
    c.what = `tensor info #${i}`;
    const name = c.string();
    if (names.has(name)) throw new Error(`duplicate tensor name '${name}'`);
    names.add(name);
    c.what = `tensor info '${name}'`;
    const nDims = c.u32();
    if (nDims > MAX_DIMS) throw new Error(`tensor '${name}' has ${nDims} dimensions, at most ${MAX_DIMS} are allowed`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(c.size());
    const type = c.u32();
    if (!GGML_TYPE_SIZE[type]) throw new Error(`tensor '${name}' has unknown ggml type ${type}`);
    const rel = c.size();
    let nBytes: number;
    try {
      nBytes = ggmlTensorBytes(type, dims);
    } catch (e) {
      throw new Error(`tensor '${name}' with shape [${dims.join(", ")}]: ${(e as Error).message}`);
    }
    relOffsets.push(rel);
    tensors.push({ name, dims, type, offset: rel, nBytes });
  }

  const headerEnd = c.pos;
  const dataOffset = nTensors > 0 ? alignUp(headerEnd, alignment) : headerEnd;
  // llama.cpp requires the tensors to be laid out back to back in order, each padded to the alignment.
  let expected = 0;
  for (const t of tensors) {
    if (t.offset !== expected) {
      throw new Error(`tensor '${t.name}' has data offset ${t.offset}, expected ${expected} (tensors must be stored in order, each aligned to ${alignment} bytes)`);
    }
    t.offset += dataOffset;
    const end = t.offset + t.nBytes;
    if (end > fileSize) {
      throw new Error(`truncated: tensor ${t.name} ends at byte ${end} but file has ${fileSize} bytes`);
    }
    expected += alignUp(t.nBytes, alignment);
  }

  return { path, version, alignment, metadata, metadataTypes, tensors, dataOffset, fileSize };
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

// ---------------------------------------------------------------------------
// Metadata accessors

/** A metadata value, or throws naming the missing key. */
export function metaValue(file: GgufFile, key: string): GgufValue {
  const v = file.metadata.get(key);
  if (v === undefined) throw new Error(`${file.path}: missing metadata key '${key}'`);
  return v;
}

/** A numeric (integer or float, 32 or 64 bit) metadata value as a JS number. */
export function metaNumber(file: GgufFile, key: string, fallback?: number): number {
  const v = file.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${file.path}: missing metadata key '${key}'`);
  }
  if (typeof v === "number") return v;
  if (typeof v === "bigint") {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`${file.path}: metadata '${key}' = ${v} does not fit in a JS number`);
    return n;
  }
  throw new Error(`${file.path}: metadata '${key}' is not a number`);
}

/** A string metadata value. */
export function metaString(file: GgufFile, key: string, fallback?: string): string {
  const v = file.metadata.get(key);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${file.path}: missing metadata key '${key}'`);
  }
  if (typeof v !== "string") throw new Error(`${file.path}: metadata '${key}' is not a string`);
  return v;
}

/** The tensor info with this name, or undefined. */
export function findTensor(file: GgufFile, name: string): GgufTensorInfo | undefined {
  return file.tensors.find((t) => t.name === name);
}

// ---------------------------------------------------------------------------
// Tensor data

let f16Table: Float64Array | undefined;

/** Exact float64 value of every IEEE half-precision bit pattern. */
export function f16ToF64Table(): Float64Array {
  if (f16Table) return f16Table;
  const t = new Float64Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = f16BitsToNumber(h);
  f16Table = t;
  return t;
}

/** Decode one IEEE 754 binary16 bit pattern exactly. */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/**
 * Read a tensor's data and convert it to float64 (exactly: every supported
 * type is representable in float64). Supports F32, F16, BF16, F64, Q8_0 and
 * the integer types I8/I16/I32.
 */
export function readTensorF64(file: GgufFile, name: string): Float64Array {
  const info = findTensor(file, name);
  if (!info) throw new Error(`${file.path}: no tensor named '${name}'`);
  let nElements = 1;
  for (const d of info.dims) nElements *= d;
  const out = new Float64Array(nElements);

  // bytes per conversion unit (element or block) and elements per unit
  let unitBytes: number;
  let unitElems = 1;
  let convert: (buf: Buffer, nUnits: number, dst: number) => void;
  switch (info.type) {
    case GGML_TYPE.F32:
      unitBytes = 4;
      convert = (buf, n, dst) => {
        for (let i = 0; i < n; i++) out[dst + i] = buf.readFloatLE(4 * i);
      };
      break;
    case GGML_TYPE.F64:
      unitBytes = 8;
      convert = (buf, n, dst) => {
        for (let i = 0; i < n; i++) out[dst + i] = buf.readDoubleLE(8 * i);
      };
      break;
    case GGML_TYPE.F16: {
      unitBytes = 2;
      const table = f16ToF64Table();
      convert = (buf, n, dst) => {
        for (let i = 0; i < n; i++) out[dst + i] = table[buf[2 * i] | (buf[2 * i + 1] << 8)];
      };
      break;
    }
    case GGML_TYPE.BF16: {
      unitBytes = 2;
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      convert = (buf, n, dst) => {
        for (let i = 0; i < n; i++) {
          u[0] = (buf[2 * i] | (buf[2 * i + 1] << 8)) << 16;
          out[dst + i] = f[0];
        }
      };
      break;
    }
    case GGML_TYPE.Q8_0: {
      // block_q8_0 { ggml_half d; int8_t qs[32]; }, value = qs[j] * d
      unitBytes = 34;
      unitElems = 32;
      const table = f16ToF64Table();
      convert = (buf, n, dst) => {
        for (let b = 0; b < n; b++) {
          const o = 34 * b;
          const d = table[buf[o] | (buf[o + 1] << 8)];
          for (let j = 0; j < 32; j++) {
            const q = buf[o + 2 + j];
            out[dst + 32 * b + j] = (q > 127 ? q - 256 : q) * d;
          }
        }
      };
      break;
    }
    case GGML_TYPE.I8:
      unitBytes = 1;
      convert = (buf, n, dst) => {
        for (let i = 0; i < n; i++) out[dst + i] = buf.readInt8(i);
      };
      break;
    case GGML_TYPE.I16:
      unitBytes = 2;
      convert = (buf, n, dst) => {
        for (let i = 0; i < n; i++) out[dst + i] = buf.readInt16LE(2 * i);
      };
      break;
    case GGML_TYPE.I32:
      unitBytes = 4;
      convert = (buf, n, dst) => {
        for (let i = 0; i < n; i++) out[dst + i] = buf.readInt32LE(4 * i);
      };
      break;
    default:
      throw new Error(
        `${file.path}: tensor '${name}' has type ${ggmlTypeName(info.type)}, which readTensorF64 cannot convert (supported: F32, F16, BF16, F64, Q8_0, I8, I16, I32)`,
      );
  }

  const nUnits = nElements / unitElems;
  if (nUnits * unitBytes !== info.nBytes) {
    throw new Error(`${file.path}: tensor '${name}' size mismatch (${info.nBytes} bytes for ${nElements} elements)`);
  }
  const fd = fs.openSync(file.path, "r");
  try {
    const unitsPerChunk = Math.max(1, Math.floor((1 << 24) / unitBytes));
    const buf = Buffer.allocUnsafe(Math.min(nUnits, unitsPerChunk) * unitBytes);
    for (let u = 0; u < nUnits; u += unitsPerChunk) {
      const n = Math.min(unitsPerChunk, nUnits - u);
      const want = n * unitBytes;
      let got = 0;
      while (got < want) {
        const r = fs.readSync(fd, buf, got, want - got, info.offset + u * unitBytes + got);
        if (r === 0) {
          throw new Error(`${file.path}: truncated while reading tensor '${name}' (file ended at byte ${info.offset + u * unitBytes + got})`);
        }
        got += r;
      }
      convert(buf, n, u * unitElems);
    }
  } finally {
    fs.closeSync(fd);
  }
  return out;
}
