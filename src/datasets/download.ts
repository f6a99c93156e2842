// Downloads one file so that the destination only ever holds a complete, checked copy: bytes go to `<dest>.part` in
// the same folder, an interrupted download is resumed with an HTTP Range request (restarted when the server does not
// honour it), the finished file is hashed and checked against its pin, optionally read by its loader, and only then
// renamed onto `<dest>` (a rename within one folder is atomic). A failed check deletes the partial file.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fileDigest, type FileDigest } from "./fileDigest.ts";

export interface ExpectedDigest {
    sha256: string | null;
    gitBlobSha1: string | null;
}

export type VerifiedBy = "sha256" | "git-blob-sha1";

export interface DownloadRequest {
    url: string;
    dest: string;
    expected: ExpectedDigest;
    /** Reads the downloaded file before it is installed; throwing rejects it. */
    validate?: (file: string) => void;
    /** Abort when no byte arrives for this long (ms). */
    idleTimeoutMs?: number;
}

export interface DownloadResult extends FileDigest {
    file: string;
    /** Which pin the file matched; null when there was none to check (the file is unverified). */
    verifiedBy: VerifiedBy | null;
    /** Bytes already on disk from an earlier, interrupted download. */
    resumedFrom: number;
}

export type DownloadFailure = "offline" | "http" | "interrupted" | "hash-mismatch" | "invalid-content";

export class DownloadError extends Error {
    constructor(
        readonly failure: DownloadFailure,
        message: string,
    ) {
        super(message);
        this.name = "DownloadError";
    }
}

/** What is remembered next to a `.part` file, so that only a download of the same URL is resumed. */
interface PartState {
    url: string;
    /** A strong validator for If-Range, so a changed file on the server restarts the download instead of splicing. */
    validator: string | null;
}

const partFile = (dest: string) => `${dest}.part`;
const stateFile = (dest: string) => `${dest}.part.json`;

function removePartial(dest: string): void {
    fs.rmSync(partFile(dest), { force: true });
    fs.rmSync(stateFile(dest), { force: true });
}

/** Compares a file's digest with the pins; returns which pin matched, null when there is no pin, throws on mismatch. */
export function checkDigest(digest: FileDigest, expected: ExpectedDigest, what: string): VerifiedBy | null {
    if (expected.sha256) {
        if (digest.sha256 !== expected.sha256) throw new DownloadError("hash-mismatch", `${what}: sha256 is ${digest.sha256}, the pin is ${expected.sha256}`);
        return "sha256";
    }
    if (expected.gitBlobSha1) {
        if (digest.gitBlobSha1 !== expected.gitBlobSha1) throw new DownloadError("hash-mismatch", `${what}: git blob id is ${digest.gitBlobSha1}, the pin is ${expected.gitBlobSha1}`);
        return "git-blob-sha1";
    }
    return null;
}

function resumableOffset(dest: string, url: string): { offset: number; state: PartState | null } {
    try {
        const state = JSON.parse(fs.readFileSync(stateFile(dest), "utf8")) as PartState;
        if (state.url === url && fs.existsSync(partFile(dest))) return { offset: fs.statSync(partFile(dest)).size, state };
    } catch {
        // no state, or unreadable: start over
    }
    removePartial(dest);
    return { offset: 0, state: null };
}

function networkError(error: unknown, url: string): DownloadError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const code = cause?.code ?? (error as Error).message;
    return new DownloadError(
        "offline",
        `cannot reach ${new URL(url).host} (${code}${cause?.message && cause.message !== code ? `: ${cause.message}` : ""}). Are you offline or behind a proxy? ` +
            `Run the command again when the network is up, or download ${url} by other means and install it with --url file:///path/to/the/file.`,
    );
}

/** Parses `Content-Range: bytes START-END/TOTAL`. */
function contentRangeStart(header: string | null): number | null {
    const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(header ?? "");
    return m ? Number(m[1]) : null;
}

async function request(url: string, offset: number, state: PartState | null, signal: AbortSignal): Promise<Response> {
    // Byte ranges and Content-Length must count the file's own bytes, not a compressed transfer of them.
    const headers: Record<string, string> = { "Accept-Encoding": "identity" };
    if (offset > 0) {
        headers.Range = `bytes=${offset}-`;
        if (state?.validator) headers["If-Range"] = state.validator;
    }
    try {
        return await fetch(url, { headers, redirect: "follow", signal });
    } catch (error) {
        throw networkError(error, url);
    }
}

/**
 * Fetches `url` (http, https, or file: for a copy obtained by other means) to `dest` through a checked `.part` file.
 * Throws DownloadError; what is at `dest` is then unchanged.
 */
export async function downloadVerified(req: DownloadRequest): Promise<DownloadResult> {
    const { url, dest } = req;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    let resumedFrom = 0;
    if (url.startsWith("file:")) {
        removePartial(dest);
        fs.copyFileSync(fileURLToPath(url), partFile(dest));
    } else {
        resumedFrom = await receive(url, dest, req.idleTimeoutMs ?? 60_000);
    }
    return install(req, resumedFrom);
}

/** Downloads into the part file, resuming what an earlier attempt left; returns the offset it resumed from. */
async function receive(url: string, dest: string, idleMs: number): Promise<number> {
    let { offset, state } = resumableOffset(dest, url);
    const resumedFrom = offset;

    const controller = new AbortController();
    let idle = setTimeout(() => controller.abort(), idleMs);
    try {
        let response = await request(url, offset, state, controller.signal);
        if (response.status === 416 && offset > 0) {
            // The partial file is not a prefix the server recognises: start from nothing.
            await response.body?.cancel();
            removePartial(dest);
            offset = 0;
            state = null;
            response = await request(url, 0, null, controller.signal);
        }
        if (!response.ok) {
            await response.body?.cancel();
            throw new DownloadError("http", `${url}: the server answered ${response.status} ${response.statusText}${response.status === 404 ? " (the file is not there: the URL or revision may have changed)" : ""}`);
        }
        const append = response.status === 206 && contentRangeStart(response.headers.get("content-range")) === offset;
        if (!append) offset = 0; // a 200 (or a range we did not ask for) carries the whole file
        const etag = response.headers.get("etag");
        const validator = etag && !etag.startsWith("W/") ? etag : response.headers.get("last-modified");
        fs.writeFileSync(stateFile(dest), JSON.stringify({ url, validator } satisfies PartState));

        const length = response.headers.get("content-length");
        const expectedTotal = length === null || response.headers.has("content-encoding") ? null : offset + Number(length);
        let received = offset;
        const out = await fs.promises.open(partFile(dest), append ? "a" : "w");
        try {
            // Each chunk is written before the next is read, so the part file is always a prefix of the download.
            for await (const chunk of response.body ?? []) {
                await out.write(chunk as Uint8Array);
                received += (chunk as Uint8Array).byteLength;
                clearTimeout(idle);
                idle = setTimeout(() => controller.abort(), idleMs);
            }
        } catch (error) {
            const why = controller.signal.aborted ? `no data for ${idleMs / 1000} s` : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
            throw new DownloadError("interrupted", `${url}: the download stopped after ${received}${expectedTotal ? ` of ${expectedTotal}` : ""} bytes (${why}). Run the same command again to resume it.`);
        } finally {
            await out.close();
        }
        if (expectedTotal !== null && received !== expectedTotal) {
            throw new DownloadError("interrupted", `${url}: got ${received} of ${expectedTotal} bytes. Run the same command again to resume it.`);
        }
    } finally {
        clearTimeout(idle);
    }
    return resumedFrom;
}

/** Checks the part file against the pins and the validator, then renames it onto the destination. */
async function install(req: DownloadRequest, resumedFrom: number): Promise<DownloadResult> {
    const { url, dest } = req;
    const digest = await fileDigest(partFile(dest));
    let verifiedBy: VerifiedBy | null;
    try {
        verifiedBy = checkDigest(digest, req.expected, url);
    } catch (error) {
        removePartial(dest);
        throw new DownloadError("hash-mismatch", `${(error as Error).message}. The download was deleted; the server may now serve another version of the file.`);
    }
    try {
        req.validate?.(partFile(dest));
    } catch (error) {
        removePartial(dest);
        const blame = verifiedBy ? " Its hash matched the pin, so culturescope's loader may be at fault: please report it." : "";
        throw new DownloadError("invalid-content", `${url}: the download is not in the expected format and was deleted.${blame}\n${(error as Error).message}`);
    }
    fs.renameSync(partFile(dest), dest);
    fs.rmSync(stateFile(dest), { force: true });
    return { file: dest, ...digest, verifiedBy, resumedFrom };
}
