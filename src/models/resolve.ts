// What `--model` accepts, and turning it into a GGUF file on this machine.
//
// A model is either a local path to a .gguf file, or a Hugging Face reference that node-llama-cpp's resolver
// understands: `hf:owner/repo/path/file.gguf` (optionally `#branch`), or `hf:owner/repo:Q4_K_M` (a quantization tag,
// looked up through the Hub's manifest API; `hf:owner/repo` alone takes its default). `hf://`, `huggingface:` and
// `huggingface://` are the same. Downloads go to `$CULTURESCOPE_CACHE/models` (or `~/.cache/culturescope/models`) and
// are reused from there without touching the network.
//
// We use node-llama-cpp's downloader rather than our own (src/datasets/download.ts) because it already knows the
// Hub's URL layout, quantization tags, split GGUFs and access tokens (HF_TOKEN or ~/.cache/huggingface/token). What we
// add around it: a first request of our own with a timeout, so that an unreachable network, a missing file or a failing
// server gives a clear error at once instead of the downloader's retry loop (ipull retries a refused connection or a
// 5xx 150 times, for about ten minutes); a stall timeout; a GGUF magic check; and downloads that are safe when several
// shards of one sweep share a cache folder.
import fs from "node:fs";
import path from "node:path";
import { defaultCacheDir } from "../datasets/installation.ts";

export type ModelSource = "file" | "hf";

export interface ResolvedModel {
    /** Absolute path of the GGUF file to load (the first part, for a split model). */
    path: string;
    /** The spec as given. */
    spec: string;
    source: ModelSource;
}

export interface ModelDownloadProgress {
    downloadedBytes: number;
    totalBytes: number;
}

export interface ResolveModelOptions {
    /** Where downloaded models are kept; default `defaultModelCacheDir()`. */
    cacheDir?: string;
    onProgress?: (progress: ModelDownloadProgress) => void;
    signal?: AbortSignal;
    /** The Hugging Face endpoint (a mirror); default `$MODEL_ENDPOINT`, `$HF_ENDPOINT`, else https://huggingface.co/ (node-llama-cpp's own order). */
    endpoint?: string;
    /** Fail when the endpoint does not answer, or a download makes no progress, for this long (ms). Default 30 s. */
    timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const GGUF_MAGIC = Buffer.from("GGUF", "latin1");
const HF_PREFIXES = ["hf://", "huggingface://", "hf:", "huggingface:"];
const FIX = "pass the path of a .gguf file, or an hf:owner/repo/file.gguf reference";
const NOT_GGUF_FIX = `${FIX} (llama.cpp's convert_hf_to_gguf.py converts other formats)`;

/** `$CULTURESCOPE_CACHE/models`, else `$XDG_CACHE_HOME/culturescope/models`, else `~/.cache/culturescope/models`. */
export function defaultModelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
    // The data-set cache folder is `<culturescope cache>/datasets`: models sit beside it.
    return path.join(path.dirname(defaultCacheDir(env)), "models");
}

export function isHuggingFaceSpec(spec: string): boolean {
    return HF_PREFIXES.some((prefix) => spec.startsWith(prefix));
}

/**
 * Checks a spec without loading or downloading anything, so a run fails before any model is loaded: a local file
 * must exist, be a regular file and start with the GGUF magic; an hf: reference must be well formed. Throws an Error
 * that says what is wrong and what to pass instead.
 */
export function checkModelSpec(spec: string): void {
    if (spec.trim() === "") throw new Error(`the model is empty: ${FIX}`);
    if (isHuggingFaceSpec(spec)) return void parseHuggingFaceSpec(spec);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
        throw new Error(`${spec} is a URL, which --model does not take: pass an hf:owner/repo/file.gguf reference, or download the file and pass its path`);
    }
    checkLocalGguf(spec, spec, NOT_GGUF_FIX);
}

/** Resolves a spec to a local GGUF file, downloading an hf: reference into the cache folder when it is not there yet. */
export async function resolveModel(spec: string, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
    checkModelSpec(spec);
    if (!isHuggingFaceSpec(spec)) return { path: path.resolve(spec), spec, source: "file" };
    const cacheDir = path.resolve(options.cacheDir ?? defaultModelCacheDir());
    const file = await resolveHuggingFace(spec, cacheDir, options);
    return { path: file, spec, source: "hf" };
}

// ------------------------------------------------------------------------------------------------------ local files

function checkLocalGguf(file: string, shown: string, fix = FIX): void {
    let stat: fs.Stats;
    try {
        stat = fs.statSync(file);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") throw new Error(`${shown} does not exist: ${FIX}`);
        throw new Error(`${shown} cannot be read (${(error as Error).message}): ${FIX}`);
    }
    if (stat.isDirectory()) throw new Error(`${shown} is a directory, not a model file: pass the path of the .gguf file inside it, or an hf:owner/repo/file.gguf reference`);
    if (!stat.isFile()) throw new Error(`${shown} is not a regular file: ${FIX}`);
    const head = Buffer.alloc(4);
    let read: number;
    try {
        const fd = fs.openSync(file, "r");
        try {
            read = fs.readSync(fd, head, 0, 4, 0);
        } finally {
            fs.closeSync(fd);
        }
    } catch (error) {
        throw new Error(`${shown} cannot be read (${(error as Error).message}): ${FIX}`);
    }
    if (read < 4 || !head.equals(GGUF_MAGIC)) {
        const found = read === 0 ? "it is empty" : `it starts with ${JSON.stringify(head.subarray(0, read).toString("latin1"))}`;
        throw new Error(`${shown} is not a GGUF file (${found}, not "GGUF"): ${fix}`);
    }
}

// ------------------------------------------------------------------------------------------------------ Hugging Face

interface HuggingFaceRef {
    owner: string;
    repo: string;
    /** The file inside the repository, or null for the `owner/repo[:tag]` form. */
    file: string | null;
    branch: string;
    tag: string | null;
}

/** The same split node-llama-cpp makes (parseModelUri.js), done here so a malformed reference fails synchronously. */
function parseHuggingFaceSpec(spec: string): HuggingFaceRef {
    const prefix = HF_PREFIXES.find((p) => spec.startsWith(p))!;
    const bad = (why: string) =>
        new Error(`${spec} is not a valid Hugging Face reference (${why}): use hf:owner/repo/file.gguf, or hf:owner/repo:QUANT (for example hf:owner/repo:Q4_K_M)`);
    const [owner, model, ...rest] = spec.slice(prefix.length).split("/");
    if (!owner || !model) throw bad("it needs an owner and a repository");
    if (rest.length === 0 || model.includes(":")) {
        const [repo, ...tag] = model.split(":");
        if (!repo) throw bad("the repository name is empty");
        if (rest.length > 0) throw bad("a quantization tag cannot be followed by a file path");
        return { owner, repo, file: null, branch: "main", tag: tag.length > 0 ? tag.join(":") : null };
    }
    const [file, branch] = rest.join("/").split("#");
    if (!/\.gguf$/i.test(file)) throw bad(`${file || "the file path"} is not a .gguf file`);
    return { owner, repo: model, file, branch: branch || "main", tag: null };
}

function endpointOf(options: ResolveModelOptions): string {
    const isHttp = (url: string | undefined): url is string => url != null && /^https?:\/\//i.test(url);
    const chosen = [options.endpoint, process.env.MODEL_ENDPOINT, process.env.HF_ENDPOINT].find(isHttp) ?? "https://huggingface.co/";
    return chosen.endsWith("/") ? chosen : `${chosen}/`;
}

const downloadHint = "check the network, or download the file yourself and pass its path with --model";

/** A download that failed, with what to do about it in its message. */
export class ModelDownloadError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ModelDownloadError";
    }
}

function downloadError(spec: string, reason: string, hint = downloadHint): ModelDownloadError {
    return new ModelDownloadError(`could not download ${spec} (${reason}): ${hint}`);
}

/** A network error's most specific description: undici wraps the system error (ECONNREFUSED, ENOTFOUND...) in `cause`. */
function networkReason(error: unknown): string {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (error as Error).message;
}

async function resolveHuggingFace(spec: string, cacheDir: string, options: ResolveModelOptions): Promise<string> {
    // Loaded only here: it takes about a second to import, and local models do not need it.
    const { resolveModelFile } = await import("node-llama-cpp");
    const endpoint = endpointOf(options);
    const endpoints = { huggingFace: endpoint };
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    options.signal?.throwIfAborted();

    // 1. The cache: download: false makes node-llama-cpp look only in the folder, with no request.
    try {
        const cached = await resolveModelFile(spec, { directory: cacheDir, download: false, cli: false, endpoints });
        checkLocalGguf(cached, `${cached} (the cached download of ${spec})`, "delete it, and it will be downloaded again");
        return cached;
    } catch (error) {
        if (!/download is disabled|No model file found/.test((error as Error).message)) throw error;
    }

    // 2. Ask for the file's first bytes ourselves, with a timeout, before node-llama-cpp's downloader starts: it
    // retries an unreachable host or a server error for about ten minutes, in a phase that cannot be cancelled, and
    // those retries would keep the process alive after we gave up. This also rejects a 404 or a non-GGUF answer early.
    await preflight(spec, parseHuggingFaceSpec(spec), endpoint, timeoutMs, options.signal);

    // 3. Download into a folder of our own inside the cache, then move the file(s) into the cache. Shards of one
    // sweep may share a cache folder; each downloads whole files in private and renames them in (atomic within a
    // file system), so no process ever sees or resumes another's partial file.
    fs.mkdirSync(cacheDir, { recursive: true });
    const staging = fs.mkdtempSync(path.join(cacheDir, `.download-${process.pid}-`));
    const stall = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let lastProgress = Date.now();
    try {
        const download = resolveModelFile(spec, {
            directory: staging,
            cli: false,
            endpoints,
            signal,
            onProgress: ({ totalSize, downloadedSize }) => {
                lastProgress = Date.now();
                options.onProgress?.({ downloadedBytes: downloadedSize, totalBytes: totalSize });
            },
        });
        // The download is raced with the stall watch rather than only given the signal: node-llama-cpp does not
        // pass the signal to its URI resolution and download set-up, so an abort alone could wait on their retries.
        download.catch(() => undefined);
        const stalled = new Promise<never>((_, reject) => {
            const check = () => {
                if (Date.now() - lastProgress >= timeoutMs) {
                    stall.abort();
                    reject(downloadError(spec, `no data arrived from ${endpoint} for ${timeoutMs / 1000} s`));
                } else timer = setTimeout(check, Math.min(1000, timeoutMs));
            };
            timer = setTimeout(check, Math.min(1000, timeoutMs));
        });
        const aborted = new Promise<never>((_, reject) => {
            onAbort = () => reject(options.signal!.reason);
            options.signal?.addEventListener("abort", onAbort, { once: true });
        });
        let downloaded: string;
        try {
            downloaded = await Promise.race([download, stalled, aborted]);
        } catch (error) {
            options.signal?.throwIfAborted();
            if (error instanceof ModelDownloadError) throw error;
            throw explainDownloadFailure(spec, error as Error);
        }
        checkLocalGguf(downloaded, `the file downloaded for ${spec} from ${endpoint}`, "check the reference and the endpoint (HF_ENDPOINT), or download the file yourself and pass its path with --model");
        const relative = path.relative(staging, downloaded);
        for (const name of fs.readdirSync(staging)) {
            // Only finished files: ipull keeps an unfinished one under `<name>.ipull`.
            if (name.endsWith(".ipull")) continue;
            fs.renameSync(path.join(staging, name), path.join(cacheDir, name));
        }
        return path.join(cacheDir, relative);
    } finally {
        clearTimeout(timer);
        if (onAbort) options.signal?.removeEventListener("abort", onAbort);
        fs.rmSync(staging, { recursive: true, force: true });
    }
}

const NOT_FOUND_HINT = "check the owner, repository and file name (or quantization tag) on the Hub, or pass a local path with --model";

/**
 * Fetches what node-llama-cpp would: for `owner/repo:TAG`, the Hub's manifest (which names the file), then the file's
 * first four bytes. Throws a ModelDownloadError when the endpoint cannot be reached or does not answer in time, the
 * reference does not exist, the server fails, or the file is not a GGUF. A 401/403 is left to node-llama-cpp, which
 * sends the user's Hugging Face token (HF_TOKEN, or ~/.cache/huggingface/token) and then reports it.
 */
async function preflight(spec: string, ref: HuggingFaceRef, endpoint: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const enc = encodeURIComponent;
    const get = async (url: string, headers: Record<string, string>): Promise<Response | null> => {
        let response: Response;
        try {
            response = await fetch(url, { headers, signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]) });
        } catch (error) {
            signal?.throwIfAborted();
            throw downloadError(spec, (error as Error).name === "TimeoutError"
                ? `${endpoint} did not answer within ${timeoutMs / 1000} s`
                : `cannot reach ${endpoint}: ${networkReason(error)}`);
        }
        if (response.ok) return response;
        await response.body?.cancel();
        if (response.status === 401 || response.status === 403) return null;
        if (response.status === 404 || response.status === 400) throw downloadError(spec, `not found: ${url} answered ${response.status}`, NOT_FOUND_HINT);
        throw downloadError(spec, `${url} answered ${response.status} ${response.statusText}`, "the server failed or is limiting requests: try again later, or download the file yourself and pass its path with --model");
    };

    let file = ref.file;
    let branch = ref.branch;
    if (file === null) {
        // node-llama-cpp asks for known quantization names in upper case, and for "latest" when there is no tag.
        const { ggufFileQuantNames } = await import("node-llama-cpp");
        const tag = ref.tag === null ? "latest" : ggufFileQuantNames.includes(ref.tag.toUpperCase()) ? ref.tag.toUpperCase() : ref.tag;
        // The Hub includes `ggufFile` in the manifest only for llama.cpp's user agent, as node-llama-cpp knows.
        const manifest = await get(`${endpoint}v2/${enc(ref.owner)}/${enc(ref.repo)}/manifests/${enc(tag)}`, { "User-Agent": "llama-cpp" });
        if (!manifest) return;
        const rfilename = ((await manifest.json().catch(() => null)) as { ggufFile?: { rfilename?: unknown } } | null)?.ggufFile?.rfilename;
        // A manifest without a file name is node-llama-cpp's to report ("Invalid manifest").
        if (typeof rfilename !== "string") return;
        file = rfilename;
        branch = "main";
    }
    const url = `${endpoint}${enc(ref.owner)}/${enc(ref.repo)}/resolve/${enc(branch)}/${file.split("/").map(enc).join("/")}?download=true`;
    const response = await get(url, { Range: "bytes=0-3" });
    if (!response) return;
    const head = await firstBytes(response, 4);
    if (!head.equals(GGUF_MAGIC)) {
        const found = head.length === 0 ? "it is empty" : `it starts with ${JSON.stringify(head.toString("latin1"))}`;
        throw downloadError(spec, `${url} is not a GGUF file: ${found}, not "GGUF"`, "check the reference and the endpoint (HF_ENDPOINT), or download the file yourself and pass its path with --model");
    }
}

/** The first `n` bytes of a response body (fewer if it is shorter); the rest is not downloaded. */
async function firstBytes(response: Response, n: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    const reader = response.body?.getReader();
    if (!reader) return Buffer.alloc(0);
    try {
        while (length < n) {
            const { done, value } = await reader.read();
            if (done) break;
            chunks.push(Buffer.from(value));
            length += value.length;
        }
    } finally {
        await reader.cancel().catch(() => undefined);
    }
    return Buffer.concat(chunks).subarray(0, n);
}

/** node-llama-cpp's and ipull's messages, turned into what to do. */
function explainDownloadFailure(spec: string, error: Error): ModelDownloadError {
    const message = error.message;
    const status = Number(/Status code: (\d+)/.exec(message)?.[1] ?? NaN);
    if (status === 404 || /or it does not exist/.test(message)) {
        return downloadError(spec, `not found: ${message}`, NOT_FOUND_HINT);
    }
    if (status === 401 || status === 403) {
        return downloadError(spec, `access denied: ${message}`, "for a gated or private repository accept its terms on the Hub and set HF_TOKEN, or download the file yourself and pass its path with --model");
    }
    return downloadError(spec, message);
}
