// A run directory: one Arrow IPC file per table per shard, committed atomically, and manifest.json listing the
// committed shards under the hash of the run's config. A shard is done exactly when the manifest lists it, so a
// resumed run redoes any shard whose files were written but not yet recorded, and never mixes two configs.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Table, type Schema } from "apache-arrow";
import { tableFromIpcFile, tableToIpcFile } from "./arrowTables.ts";
import { cleanUpTempFiles, unwritable, writeFileAtomic } from "./atomicFile.ts";
import { SCHEMAS, TABLE_NAMES, type TableName } from "./schemas.ts";

export const MANIFEST_FILE = "manifest.json";
const MANIFEST_FORMAT = 1;

export interface CommittedFile {
    file: string;
    rows: number;
    bytes: number;
    sha256: string;
}

export interface ShardEntry {
    committedAt: string;
    tables: Partial<Record<TableName, CommittedFile>>;
}

export interface Manifest {
    format: number;
    configHash: string;
    /** The config itself, so a refusal can name the fields that differ. */
    config: unknown;
    shards: Record<string, ShardEntry>;
}

export interface RunDirectory {
    dir: string;
    manifest: Manifest;
    /** Temp files of an interrupted write that opening removed. */
    cleaned: string[];
}

/** JSON with object keys sorted, so the hash does not depend on the order options were given in. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    );
}

export function configHash(config: unknown): string {
    return crypto.createHash("sha256").update(canonicalJson(config)).digest("hex");
}

/** Dotted paths of the fields whose values differ between two configs. */
export function differingFields(a: unknown, b: unknown, prefix = ""): string[] {
    const isObject = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);
    if (isObject(a) && isObject(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((k) => differingFields(a[k], b[k], prefix ? `${prefix}.${k}` : k));
    }
    return canonicalJson(a) === canonicalJson(b) ? [] : [prefix || "(the whole config)"];
}

const SHARD_ID = /^[A-Za-z0-9][A-Za-z0-9_.]*$/;

export function tableFileName(table: TableName, shardId: string): string {
    return `${table}-${shardId}.arrow`;
}

export function readManifest(dir: string): Manifest | null {
    const file = path.join(dir, MANIFEST_FILE);
    if (!fs.existsSync(file)) return null;
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
    } catch (error) {
        throw new Error(`${file} is not valid JSON (${(error as Error).message}): it is only ever replaced whole, so something else wrote it; move the directory aside and start a new run`);
    }
}

function writeManifest(dir: string, manifest: Manifest): void {
    writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
}

/** Table files that no committed shard lists: written by a run killed before it recorded them. */
function uncommittedTableFiles(dir: string, manifest: Manifest): string[] {
    const committed = new Set(Object.values(manifest.shards).flatMap((s) => Object.values(s.tables).map((t) => t!.file)));
    const ours = new RegExp(`^(${TABLE_NAMES.join("|")})-.+\\.arrow$`);
    return fs.readdirSync(dir).filter((name) => ours.test(name) && !committed.has(name));
}

/**
 * Creates a run directory for `config`, or reopens one made for the same config (to resume it). Refuses a directory
 * whose manifest has another config hash, naming the fields that differ. Removes the leftovers of an interrupted
 * write: temp files, and table files of a shard that was never recorded (so a glob over the directory sees only
 * committed shards).
 */
export function openRunDir(dir: string, config: unknown): RunDirectory {
    try {
        fs.mkdirSync(dir, { recursive: true });
        fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
        throw unwritable(dir, error);
    }
    const hash = configHash(config);
    const existing = readManifest(dir);
    if (existing && existing.configHash !== hash) {
        const fields = differingFields(existing.config, JSON.parse(canonicalJson(config)));
        throw new Error(
            `${dir} holds a run with another config (differing: ${fields.join(", ")}); its ${Object.keys(existing.shards).length} finished shard(s) cannot be mixed with this one: ` +
                `rerun with the config it was made with, or pass a new output directory`,
        );
    }
    const cleaned = cleanUpTempFiles(dir);
    const manifest: Manifest = existing ?? { format: MANIFEST_FORMAT, configHash: hash, config: JSON.parse(canonicalJson(config)), shards: {} };
    for (const name of uncommittedTableFiles(dir, manifest)) {
        fs.rmSync(path.join(dir, name), { force: true });
        cleaned.push(name);
    }
    if (!existing) writeManifest(dir, manifest);
    return { dir, manifest, cleaned };
}

/** Ids of the shards the manifest records as committed, sorted. */
export function completedShards(dir: string): string[] {
    const manifest = readManifest(dir);
    if (!manifest) throw new Error(`${dir} has no ${MANIFEST_FILE}: it is not a run directory (create one with openRunDir)`);
    return Object.keys(manifest.shards).sort();
}

/**
 * Commits one shard: each table to its own file atomically, then the manifest entry that makes the shard count as
 * done. A kill between the two leaves unrecorded files, which the next openRunDir removes. Call it from one thread
 * (the run's main thread): workers hand their rows back, because two writers of manifest.json could lose an entry.
 */
export function commitShard(run: RunDirectory, shardId: string, tables: Partial<Record<TableName, Table>>): ShardEntry {
    const files: EncodedTables = {};
    for (const name of TABLE_NAMES) {
        const table = tables[name];
        if (!table) continue;
        checkSchema(name, table.schema, shardId);
        files[name] = { bytes: tableToIpcFile(table), rows: table.numRows };
    }
    return writeShard(run, shardId, files);
}

/**
 * commitShard for tables already encoded as Arrow IPC files (by a worker thread): each file's schema is checked
 * against its table's before anything is written.
 */
export function commitShardFiles(run: RunDirectory, shardId: string, files: Partial<Record<TableName, Uint8Array>>): ShardEntry {
    const encoded: EncodedTables = {};
    for (const name of TABLE_NAMES) {
        const bytes = files[name];
        if (!bytes) continue;
        let table: Table;
        try {
            table = tableFromIpcFile(bytes);
        } catch (error) {
            throw new Error(`table ${name} of shard ${shardId} is not an Arrow IPC file (${(error as Error).message})`);
        }
        checkSchema(name, table.schema, shardId);
        encoded[name] = { bytes, rows: table.numRows };
    }
    return writeShard(run, shardId, encoded);
}

function checkSchema(name: TableName, schema: Schema, shardId: string): void {
    if (schemaSignature(schema) !== schemaSignature(SCHEMAS[name])) throw new Error(`table ${name} of shard ${shardId} does not have the ${name} schema: build it with buildTable("${name}", rows)`);
}

type EncodedTables = Partial<Record<TableName, { bytes: Uint8Array; rows: number }>>;

function writeShard(run: RunDirectory, shardId: string, files: EncodedTables): ShardEntry {
    if (!SHARD_ID.test(shardId)) throw new Error(`shard id "${shardId}" must be letters, digits, "_" and "." (it becomes part of file names)`);
    const manifest = readManifest(run.dir) ?? run.manifest;
    if (manifest.configHash !== run.manifest.configHash) throw new Error(`${run.dir}: manifest.json changed to another config while this run was writing; another run is using the directory`);
    const entry: ShardEntry = { committedAt: new Date().toISOString(), tables: {} };
    for (const name of TABLE_NAMES) {
        const encoded = files[name];
        if (!encoded) continue;
        const file = tableFileName(name, shardId);
        const sha256 = writeFileAtomic(path.join(run.dir, file), encoded.bytes);
        entry.tables[name] = { file, rows: encoded.rows, bytes: encoded.bytes.byteLength, sha256 };
    }
    manifest.shards[shardId] = entry;
    writeManifest(run.dir, manifest);
    run.manifest = manifest;
    return entry;
}

/** Column names, types and nullability: what two shards of one table must agree on. */
function schemaSignature(schema: Schema): string {
    return schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`).join(",");
}

/** A committed table file's bytes, checked against the sha256 its manifest entry recorded. */
export function readCommittedFile(dir: string, shardId: string, entry: CommittedFile): Buffer {
    const file = path.join(dir, entry.file);
    const bytes = fs.readFileSync(file);
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== entry.sha256) throw new Error(`${file} does not match the sha256 in ${MANIFEST_FILE}: the file was changed after it was committed; rerun shard ${shardId}`);
    return bytes;
}

/** One table over all committed shards (in shard-id order), each file checked against its recorded sha256. */
export function readTable(dir: string, name: TableName): Table {
    const manifest = readManifest(dir);
    if (!manifest) throw new Error(`${dir} has no ${MANIFEST_FILE}: it is not a run directory`);
    const parts = Object.keys(manifest.shards)
        .sort()
        .flatMap((id) => {
            const entry = manifest.shards[id].tables[name];
            return entry ? [tableFromIpcFile(readCommittedFile(dir, id, entry))] : [];
        });
    if (parts.length === 0) return new Table(SCHEMAS[name]);
    return parts.length === 1 ? parts[0] : parts[0].concat(...parts.slice(1));
}

