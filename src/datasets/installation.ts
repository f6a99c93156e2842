// Where each data set is on this machine — shipped in datasets/, or fetched into the cache folder — and the three
// things `culturescope data` does with them: list, verify against the pins, fetch the original.
//
// The cache folder is `$CULTURESCOPE_CACHE/datasets` when that variable is set (it names culturescope's cache as a
// whole), else `$XDG_CACHE_HOME/culturescope/datasets`, else `~/.cache/culturescope/datasets`. A fetched file is
// `<cache>/<name>/<file name>`, with `<file name>.fetched.json` beside it recording what was fetched and how it
// was checked.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { downloadVerified, checkDigest, type VerifiedBy } from "./download.ts";
import { fileDigest } from "./fileDigest.ts";
import { DATASET_NAMES, DATASETS, datasetEntry, shippedPath, type DatasetEntry, type DatasetName } from "./registry.ts";

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
    if (env.CULTURESCOPE_CACHE) return path.join(env.CULTURESCOPE_CACHE, "datasets");
    return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "culturescope", "datasets");
}

export function fetchedPath(entry: DatasetEntry, cacheDir: string): string {
    if (!entry.original) throw new Error(`${entry.name} ships with culturescope and has no original to fetch`);
    return path.join(cacheDir, entry.name, entry.original.fileName);
}

export interface FetchRecord {
    name: DatasetName;
    url: string;
    revision: string | null;
    bytes: number;
    sha256: string;
    gitBlobSha1: string;
    /** The pin the file matched; null: there was no pin, the file is unverified. */
    verifiedBy: VerifiedBy | null;
    /** Rows its loader read; null when the loader could not read it (see `loaderError`). */
    rows: number | null;
    /** Only for a pinned file that verified but that culturescope's loader cannot read. */
    loaderError?: string;
    fetchedAt: string;
}

const recordPath = (file: string) => `${file}.fetched.json`;

function readRecord(file: string): FetchRecord | null {
    try {
        return JSON.parse(fs.readFileSync(recordPath(file), "utf8")) as FetchRecord;
    } catch {
        return null;
    }
}

export const fetchCommand = (name: string) => `culturescope data fetch ${name}`;

// ------------------------------------------------------------------------------------------------------ fetch

export interface FetchOptions {
    cacheDir: string;
    /** Download from here instead of the registry's URL (a mirror); the pins still apply. */
    url?: string;
    idleTimeoutMs?: number;
}

export interface FetchOutcome {
    file: string;
    record: FetchRecord;
    /** True when a checked copy was already there and nothing was downloaded. */
    alreadyThere: boolean;
    resumedFrom: number;
}

export async function fetchDataset(name: string, options: FetchOptions): Promise<FetchOutcome> {
    return fetchOriginal(datasetEntry(name), options);
}

/** fetchDataset for a registry entry given as such (tests give entries whose pins match their fixtures). */
export async function fetchOriginal(entry: DatasetEntry, options: FetchOptions): Promise<FetchOutcome> {
    if (!entry.original) throw new Error(`${entry.name} ships with culturescope (${entry.shipped!.main}); there is nothing to fetch`);
    const original = entry.original;
    const dest = fetchedPath(entry, options.cacheDir);
    const expected = { sha256: original.sha256, gitBlobSha1: original.gitBlobSha1 };

    if (fs.existsSync(dest)) {
        // A copy that still matches its pin and its fetch record is kept; anything else in its place is replaced.
        const digest = await fileDigest(dest);
        const record = readRecord(dest);
        let matchesPin = true;
        try {
            checkDigest(digest, expected, dest);
        } catch {
            matchesPin = false;
        }
        if (record && matchesPin && record.sha256 === digest.sha256) return { file: dest, record, alreadyThere: true, resumedFrom: 0 };
        fs.rmSync(dest, { force: true });
        fs.rmSync(recordPath(dest), { force: true });
    }

    const url = options.url ?? original.url;
    // Without a pin, reading the file with its loader is the only check there is, so a file it cannot read is
    // rejected. A file that matches its pin is the original by definition: it is kept even if the loader fails on
    // it, and the loader's error is recorded and shown, as that is culturescope's bug to fix.
    const pinned = Boolean(expected.sha256 || expected.gitBlobSha1);
    let counted: Pick<CopyStatus, "rows" | "error"> = { rows: null };
    const result = await downloadVerified({
        url,
        dest,
        expected,
        idleTimeoutMs: options.idleTimeoutMs,
        validate: pinned ? undefined : (file) => void (counted = { rows: entry.countRows(file) }),
    });
    if (pinned) counted = rowsOf(entry, dest);
    const record: FetchRecord = {
        name: entry.name,
        url,
        revision: original.revision,
        bytes: result.bytes,
        sha256: result.sha256,
        gitBlobSha1: result.gitBlobSha1,
        verifiedBy: result.verifiedBy,
        rows: counted.rows,
        ...(counted.error ? { loaderError: counted.error } : {}),
        fetchedAt: new Date().toISOString(),
    };
    fs.writeFileSync(recordPath(dest), JSON.stringify(record, null, 2) + "\n");
    return { file: dest, record, alreadyThere: false, resumedFrom: result.resumedFrom };
}

// ------------------------------------------------------------------------------------------------------ list

export interface CopyStatus {
    kind: "shipped" | "fetched";
    /** Absolute path of the file (or folder) the loader reads. */
    path: string;
    installed: boolean;
    /** Rows read by the loader; null when not installed or unreadable. */
    rows: number | null;
    /** The loader's error, when it could not read the copy. */
    error?: string;
    description: string;
}

export interface DatasetStatus {
    name: DatasetName;
    title: string;
    licence: string;
    copies: CopyStatus[];
    /** Set when the data set has no installed copy at all: the command that installs it. */
    install?: string;
}

function rowsOf(entry: DatasetEntry, file: string): Pick<CopyStatus, "rows" | "error"> {
    try {
        return { rows: entry.countRows(file) };
    } catch (error) {
        return { rows: null, error: (error as Error).message };
    }
}

export function datasetStatus(name: string, cacheDir: string): DatasetStatus {
    const entry = datasetEntry(name);
    const copies: CopyStatus[] = [];
    if (entry.shipped) {
        const file = shippedPath(entry.shipped.main);
        const installed = fs.existsSync(file);
        copies.push({ kind: "shipped", path: file, installed, description: entry.shipped.description, ...(installed ? rowsOf(entry, file) : { rows: null }) });
    }
    if (entry.original) {
        const file = fetchedPath(entry, cacheDir);
        const installed = fs.existsSync(file);
        const record = installed ? readRecord(file) : null;
        const documented = entry.original.documentedRows ? `${entry.original.documentedRows} rows documented` : "row count not documented";
        const description = !installed ? documented : record?.verifiedBy ? `verified by ${record.verifiedBy}` : "UNVERIFIED: no published hash to check it against";
        // The fetch record holds the row count its loader read, so listing does not re-read large originals.
        copies.push({ kind: "fetched", path: file, installed, description, ...(installed ? (record ? { rows: record.rows, ...(record.loaderError ? { error: record.loaderError } : {}) } : rowsOf(entry, file)) : { rows: null }) });
    }
    const status: DatasetStatus = { name: entry.name, title: entry.title, licence: entry.licence, copies };
    if (!copies.some((c) => c.installed)) status.install = fetchCommand(entry.name);
    return status;
}

export function allDatasetStatus(cacheDir: string): DatasetStatus[] {
    return DATASET_NAMES.map((name) => datasetStatus(name, cacheDir));
}

// ------------------------------------------------------------------------------------------------------ verify

export type FileCheckResult = "ok" | "mismatch" | "missing" | "unverified";

export interface FileCheck {
    name: DatasetName;
    kind: "shipped" | "fetched";
    path: string;
    result: FileCheckResult;
    detail: string;
}

/** Hashes every installed file and compares it with its pin. Not-installed fetchable originals are not checked. */
export async function verifyDatasets(cacheDir: string): Promise<FileCheck[]> {
    const checks: FileCheck[] = [];
    for (const name of DATASET_NAMES) {
        const entry = DATASETS[name];
        for (const shipped of entry.shipped?.files ?? []) {
            const file = shippedPath(shipped.path);
            if (!fs.existsSync(file)) {
                checks.push({ name, kind: "shipped", path: file, result: "missing", detail: "restore it from git (git checkout -- " + shipped.path + ")" });
                continue;
            }
            const { sha256 } = await fileDigest(file);
            checks.push(sha256 === shipped.sha256
                ? { name, kind: "shipped", path: file, result: "ok", detail: `sha256 ${sha256}` }
                : { name, kind: "shipped", path: file, result: "mismatch", detail: `sha256 is ${sha256}, the pin is ${shipped.sha256}; restore it from git (git checkout -- ${shipped.path})` });
        }
        if (!entry.original) continue;
        const file = fetchedPath(entry, cacheDir);
        if (!fs.existsSync(file)) continue;
        const digest = await fileDigest(file);
        const record = readRecord(file);
        const refetch = `delete it and run \`${fetchCommand(name)}\``;
        try {
            const by = checkDigest(digest, { sha256: entry.original.sha256, gitBlobSha1: entry.original.gitBlobSha1 }, file);
            if (by) checks.push({ name, kind: "fetched", path: file, result: "ok", detail: by === "sha256" ? `sha256 ${digest.sha256}` : `git blob ${digest.gitBlobSha1}` });
            else if (record && record.sha256 !== digest.sha256) checks.push({ name, kind: "fetched", path: file, result: "mismatch", detail: `changed since it was fetched (sha256 was ${record.sha256}, is ${digest.sha256}); ${refetch}` });
            else checks.push({ name, kind: "fetched", path: file, result: "unverified", detail: `no published hash to check against (${entry.original.pinNote}); sha256 ${digest.sha256}` });
        } catch (error) {
            checks.push({ name, kind: "fetched", path: file, result: "mismatch", detail: `${(error as Error).message}; ${refetch}` });
        }
    }
    return checks;
}
