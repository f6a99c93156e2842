// Model references. Hugging Face downloads run against an HTTP server on 127.0.0.1 started here, never the
// internet: node-llama-cpp takes the Hub's address from its `endpoints.huggingFace` option (resolveModel's
// `endpoint`), and the server answers the two URL shapes it requests, which were learned by logging them:
//   GET /<owner>/<repo>/resolve/main/<file>?download=true         (the file; then again with a Range header)
//   GET /v2/<owner>/<repo>/manifests/<tag>                         (for hf:owner/repo:TAG, a JSON manifest)
// Before node-llama-cpp's downloader starts, resolveModel requests the same URLs itself (the file with a 4-byte Range).
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkModelSpec, defaultModelCacheDir, ModelDownloadError, resolveModel } from "../../src/models/resolve.ts";
import { repoRoot, tempDir, tinyRandomLlama2 } from "../support/models.ts";

const GGUF = fs.readFileSync(tinyRandomLlama2);
// 24 MB: large enough that the shards' concurrent downloads overlap.
const BIG = Buffer.concat([GGUF, Buffer.alloc(24 * 1024 * 1024 - GGUF.length, 7)]);
const HTML = Buffer.from("<!doctype html><html><body>Sign in to continue</body></html>");

const requests: string[] = [];

function serve(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
        res.writeHead(206, { "Content-Length": end - start + 1, "Content-Range": `bytes ${start}-${end}/${body.length}`, "Accept-Ranges": "bytes" });
        res.end(body.subarray(start, end + 1));
        return;
    }
    res.writeHead(200, { "Content-Length": body.length, "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" });
    res.end(body);
}

const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    requests.push(url);
    const pathname = url.split("?")[0];
    if (pathname === "/") return void res.writeHead(200, { "Content-Type": "text/plain" }).end("a hub");
    if (pathname === "/owner/repo/resolve/main/tiny.gguf" || pathname === "/owner/repo/resolve/main/tiny-Q4_K_M.gguf") return serve(req, res, GGUF);
    if (pathname === "/v2/owner/repo/manifests/Q4_K_M") {
        return void res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ ggufFile: { rfilename: "tiny-Q4_K_M.gguf" } }));
    }
    if (pathname === "/owner/repo/resolve/main/big.gguf") return serve(req, res, BIG);
    if (pathname === "/owner/repo/resolve/main/login.gguf") return serve(req, res, HTML);
    if (pathname === "/owner/repo/resolve/main/busy.gguf") return void res.writeHead(503, { "Content-Type": "text/plain" }).end("overloaded");
    if (pathname === "/owner/repo/resolve/main/gated.gguf") return void res.writeHead(401, { "Content-Type": "text/plain" }).end("gated");
    if (pathname === "/owner/repo/resolve/main/stall.gguf") {
        // Headers and the first 64 kB, then nothing: a connection that hangs mid-download.
        res.writeHead(200, { "Content-Length": GGUF.length, "Accept-Ranges": "bytes" });
        res.write(GGUF.subarray(0, 65_536));
        return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("Entry not found");
});

// A server that accepts connections and never answers: a network that swallows packets.
const sockets = new Set<net.Socket>();
const silent = net.createServer((socket) => void sockets.add(socket));

let endpoint = "";
let silentEndpoint = "";
let closedEndpoint = "";

beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentEndpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    // A port that was just free: nobody listens on it.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    closedEndpoint = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => silent.close(() => resolve()));
});

/** What a failed resolveModel threw, with how long it took. */
async function failure(run: () => Promise<unknown>): Promise<{ message: string; ms: number; error: unknown }> {
    const start = Date.now();
    try {
        await run();
    } catch (error) {
        return { message: (error as Error).message, ms: Date.now() - start, error };
    }
    throw new Error("it resolved");
}

/** The cache folder's entries, hidden ones included: a failed or finished download must leave no staging folder. */
const entries = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

describe("checkModelSpec: local files", () => {
    it("accepts a GGUF file", () => {
        expect(() => checkModelSpec(tinyRandomLlama2)).not.toThrow();
    });

    it("names a missing path and says what to pass", () => {
        expect(() => checkModelSpec("models/nope.gguf")).toThrow(
            "models/nope.gguf does not exist: pass the path of a .gguf file, or an hf:owner/repo/file.gguf reference",
        );
    });

    it("says when the path is a directory", () => {
        const dir = path.dirname(tinyRandomLlama2);
        expect(() => checkModelSpec(dir)).toThrow(`${dir} is a directory, not a model file`);
    });

    it("rejects a file that does not start with the GGUF magic, and an empty one", () => {
        const dir = tempDir("models-spec");
        const safetensors = path.join(dir, "model.safetensors");
        fs.writeFileSync(safetensors, Buffer.from([0x08, 0x00, 0x00, 0x00, 0x7b, 0x22]));
        expect(() => checkModelSpec(safetensors)).toThrow(`${safetensors} is not a GGUF file`);
        const empty = path.join(dir, "empty.gguf");
        fs.writeFileSync(empty, "");
        expect(() => checkModelSpec(empty)).toThrow(`${empty} is not a GGUF file (it is empty, not "GGUF")`);
        // The magic alone is enough: deeper damage (a truncated file) is the native loader's to report.
        const truncated = path.join(dir, "truncated.gguf");
        fs.writeFileSync(truncated, GGUF.subarray(0, 100));
        expect(() => checkModelSpec(truncated)).not.toThrow();
    });

    it("rejects a URL, which would otherwise be taken for a relative path", () => {
        expect(() => checkModelSpec("https://huggingface.co/owner/repo/resolve/main/x.gguf")).toThrow("is a URL, which --model does not take");
    });
});

describe("checkModelSpec: Hugging Face references", () => {
    it.each(["hf:owner/repo/file.gguf", "hf:owner/repo/sub/dir/file-00001-of-00002.gguf", "hf:owner/repo/file.gguf#dev", "hf:owner/repo:Q4_K_M", "hf:owner/repo", "hf://owner/repo/file.gguf", "huggingface:owner/repo:Q8_0"])(
        "accepts %s without touching the network",
        (spec) => expect(() => checkModelSpec(spec)).not.toThrow(),
    );

    it.each([
        ["hf:owner", "it needs an owner and a repository"],
        ["hf:/repo/file.gguf", "it needs an owner and a repository"],
        ["hf:owner/repo/model.safetensors", "model.safetensors is not a .gguf file"],
        ["hf:owner/repo:Q4_K_M/file.gguf", "a quantization tag cannot be followed by a file path"],
    ])("rejects %s: %s", (spec, why) => {
        expect(() => checkModelSpec(spec)).toThrow(`${spec} is not a valid Hugging Face reference (${why}): use hf:owner/repo/file.gguf`);
    });
});

describe("defaultModelCacheDir", () => {
    it("sits beside the data-set cache", () => {
        expect(defaultModelCacheDir({ CULTURESCOPE_CACHE: "/big/cache" })).toBe(path.join("/big/cache", "models"));
        expect(defaultModelCacheDir({ XDG_CACHE_HOME: "/xdg" })).toBe(path.join("/xdg", "culturescope", "models"));
    });
});

describe("resolveModel", () => {
    it("returns a local file's absolute path without loading node-llama-cpp's downloader", async () => {
        const relative = path.relative(process.cwd(), tinyRandomLlama2);
        expect(await resolveModel(relative)).toEqual({ path: tinyRandomLlama2, spec: relative, source: "file" });
        await expect(resolveModel("models/nope.gguf")).rejects.toThrow("models/nope.gguf does not exist");
    });

    it("downloads hf:owner/repo/file.gguf into the cache folder, then uses the cached copy without a request", async () => {
        const cacheDir = tempDir("models-cache");
        requests.length = 0;
        const progress: Array<{ downloadedBytes: number; totalBytes: number }> = [];
        const first = await resolveModel("hf:owner/repo/tiny.gguf", { cacheDir, endpoint, onProgress: (p) => progress.push(p) });
        expect(first.source).toBe("hf");
        expect(first.spec).toBe("hf:owner/repo/tiny.gguf");
        expect(path.dirname(first.path)).toBe(cacheDir);
        expect(fs.readFileSync(first.path).equals(GGUF)).toBe(true);
        expect(requests.some((url) => url.startsWith("/owner/repo/resolve/main/tiny.gguf"))).toBe(true);
        expect(progress.at(-1)).toEqual({ downloadedBytes: GGUF.length, totalBytes: GGUF.length });
        expect(entries(cacheDir)).toEqual([path.basename(first.path)]);

        requests.length = 0;
        const second = await resolveModel("hf:owner/repo/tiny.gguf", { cacheDir, endpoint });
        expect(second).toEqual(first);
        expect(requests).toEqual([]);
    });

    it("resolves a quantization tag through the manifest, and caches it too", async () => {
        const cacheDir = tempDir("models-cache");
        requests.length = 0;
        const first = await resolveModel("hf:owner/repo:Q4_K_M", { cacheDir, endpoint });
        expect(requests).toContain("/v2/owner/repo/manifests/Q4_K_M");
        expect(requests.some((url) => url.startsWith("/owner/repo/resolve/main/tiny-Q4_K_M.gguf"))).toBe(true);
        expect(fs.readFileSync(first.path).equals(GGUF)).toBe(true);
        requests.length = 0;
        expect((await resolveModel("hf:owner/repo:Q4_K_M", { cacheDir, endpoint })).path).toBe(first.path);
        expect(requests).toEqual([]);
    });

    it("lets shards in separate processes that share a cache folder download the same model at once", async () => {
        // Separate processes, because within one process node-llama-cpp already serialises downloads of one file.
        const cacheDir = tempDir("models-cache");
        const script = `const { resolveModel } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, "src", "models", "resolve.ts")).href)});
            const model = await resolveModel("hf:owner/repo/big.gguf", { cacheDir: ${JSON.stringify(cacheDir)}, endpoint: ${JSON.stringify(endpoint)} });
            console.log(model.path);`;
        const shard = () =>
            new Promise<string>((resolve, reject) =>
                execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot }, (error, stdout, stderr) =>
                    error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
                ),
            );
        const paths = await Promise.all([shard(), shard(), shard()]);
        expect(new Set(paths).size).toBe(1);
        expect(fs.readFileSync(paths[0]).equals(BIG)).toBe(true);
        expect(entries(cacheDir)).toEqual([path.basename(paths[0])]);
    });

    it("finds a model fetched beforehand with `node-llama-cpp pull --dir <cache>` (docs/SCALING.md's pre-fetch step)", async () => {
        const cacheDir = tempDir("models-cache");
        const cli = path.join(repoRoot, "node_modules", "node-llama-cpp", "dist", "cli", "cli.js");
        await new Promise<void>((resolve, reject) =>
            execFile(process.execPath, [cli, "pull", "--dir", cacheDir, "hf:owner/repo/tiny.gguf"], { env: { ...process.env, HF_ENDPOINT: endpoint } }, (error, _stdout, stderr) =>
                error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
            ),
        );
        // An endpoint nobody listens on: finding the pulled file must not need the network.
        const model = await resolveModel("hf:owner/repo/tiny.gguf", { cacheDir, endpoint: closedEndpoint });
        expect(path.dirname(model.path)).toBe(cacheDir);
        expect(fs.readFileSync(model.path).equals(GGUF)).toBe(true);
    });

    it("reports a file the Hub does not have, and leaves nothing in the cache", async () => {
        const cacheDir = tempDir("models-cache");
        const { message } = await failure(() => resolveModel("hf:owner/repo/missing.gguf", { cacheDir, endpoint }));
        expect(message).toMatch(/^could not download hf:owner\/repo\/missing\.gguf \(not found: .*404.*\): check the owner, repository and file name/);
        expect(entries(cacheDir)).toEqual([]);
        const tag = await failure(() => resolveModel("hf:owner/repo:Q2_K", { cacheDir, endpoint }));
        expect(tag.message).toMatch(/^could not download hf:owner\/repo:Q2_K \(not found: /);
    });

    it("fails at once with the network advice when nothing listens on the endpoint", async () => {
        const cacheDir = tempDir("models-cache");
        const { message, ms, error } = await failure(() => resolveModel("hf:owner/repo/tiny.gguf", { cacheDir, endpoint: closedEndpoint }));
        expect(error).toBeInstanceOf(ModelDownloadError);
        expect(message).toBe(
            `could not download hf:owner/repo/tiny.gguf (cannot reach ${closedEndpoint}: ECONNREFUSED): check the network, or download the file yourself and pass its path with --model`,
        );
        // node-llama-cpp's downloader alone would retry a refused connection for minutes.
        expect(ms).toBeLessThan(5_000);
        expect(entries(cacheDir)).toEqual([]);
    });

    it("times out an endpoint that accepts the connection and never answers", async () => {
        const cacheDir = tempDir("models-cache");
        const { message, ms } = await failure(() => resolveModel("hf:owner/repo/tiny.gguf", { cacheDir, endpoint: silentEndpoint, timeoutMs: 1_000 }));
        expect(message).toBe(
            `could not download hf:owner/repo/tiny.gguf (${silentEndpoint} did not answer within 1 s): check the network, or download the file yourself and pass its path with --model`,
        );
        expect(ms).toBeGreaterThanOrEqual(900);
        expect(ms).toBeLessThan(5_000);
    });

    it("times out a download that stops making progress, and keeps no partial file", async () => {
        const cacheDir = tempDir("models-cache");
        const { message, ms } = await failure(() => resolveModel("hf:owner/repo/stall.gguf", { cacheDir, endpoint, timeoutMs: 1_500 }));
        expect(message).toBe(
            `could not download hf:owner/repo/stall.gguf (no data arrived from ${endpoint} for 1.5 s): check the network, or download the file yourself and pass its path with --model`,
        );
        expect(ms).toBeLessThan(8_000);
        expect(entries(cacheDir)).toEqual([]);
    });

    it("rejects a file that is not a GGUF (a login page served as 200) from its first bytes, and does not cache it", async () => {
        const cacheDir = tempDir("models-cache");
        requests.length = 0;
        const { message } = await failure(() => resolveModel("hf:owner/repo/login.gguf", { cacheDir, endpoint }));
        expect(message).toBe(
            `could not download hf:owner/repo/login.gguf (${endpoint}owner/repo/resolve/main/login.gguf?download=true is not a GGUF file: it starts with "<!do", not "GGUF"): check the reference and the endpoint (HF_ENDPOINT), or download the file yourself and pass its path with --model`,
        );
        expect(requests).toEqual(["/owner/repo/resolve/main/login.gguf?download=true"]);
        expect(entries(cacheDir)).toEqual([]);
    });

    it("reports a server error at once, without the downloader's retries going on behind it", async () => {
        const cacheDir = tempDir("models-cache");
        requests.length = 0;
        const { message, ms } = await failure(() => resolveModel("hf:owner/repo/busy.gguf", { cacheDir, endpoint }));
        expect(message).toBe(
            `could not download hf:owner/repo/busy.gguf (${endpoint}owner/repo/resolve/main/busy.gguf?download=true answered 503 Service Unavailable): the server failed or is limiting requests: try again later, or download the file yourself and pass its path with --model`,
        );
        expect(ms).toBeLessThan(2_000);
        // ipull retries a 503 for minutes, keeping the process alive; nothing may be retrying now.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(requests).toEqual(["/owner/repo/resolve/main/busy.gguf?download=true"]);
    });

    it("leaves a 401 to node-llama-cpp (which sends the user's token) and explains it", async () => {
        const cacheDir = tempDir("models-cache");
        requests.length = 0;
        const { message } = await failure(() => resolveModel("hf:owner/repo/gated.gguf", { cacheDir, endpoint }));
        expect(message).toMatch(/^could not download hf:owner\/repo\/gated\.gguf \(access denied: .*401.*\): for a gated or private repository accept its terms on the Hub and set HF_TOKEN/);
        expect(requests.filter((url) => url.startsWith("/owner/repo/resolve/main/gated.gguf")).length).toBeGreaterThan(1);
        expect(entries(cacheDir)).toEqual([]);
    });

    it("stops when its signal is aborted", async () => {
        const cacheDir = tempDir("models-cache");
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error("cancelled by the user")), 300);
        const { message } = await failure(() => resolveModel("hf:owner/repo/stall.gguf", { cacheDir, endpoint, signal: controller.signal, timeoutMs: 60_000 }));
        expect(message).toBe("cancelled by the user");
        expect(entries(cacheDir)).toEqual([]);
    });
});

describe("culturescope run --model hf:…", () => {
    it("downloads the model through the endpoint into the cache, runs on it and records it", async () => {
        const cache = tempDir("hf-run");
        const out = path.join(cache, "run");
        const args = [path.join(repoRoot, "bin", "culturescope.mjs"), "run", "--model", "hf:owner/repo/tiny.gguf", "--tasks", "culturalmap", "--strategies", "default", "--quiet", "--no-report", "--out", out];
        const stdout = await new Promise<string>((resolve, reject) =>
            execFile(process.execPath, args, { cwd: repoRoot, env: { ...process.env, HF_ENDPOINT: endpoint, CULTURESCOPE_CACHE: cache } }, (error, out, stderr) => (error ? reject(new Error(stderr)) : resolve(out))),
        );
        expect(stdout).toMatch(/results: /);
        const record = JSON.parse(fs.readFileSync(path.join(out, "run.json"), "utf8")) as { models: { path: string; sha256: string }[]; config: { models: { spec: string; name: string }[] } };
        expect(record.models[0].path.startsWith(defaultModelCacheDir({ CULTURESCOPE_CACHE: cache }))).toBe(true);
        expect(fs.readFileSync(record.models[0].path).equals(GGUF)).toBe(true);
        // node-llama-cpp names the cached file after the whole reference, and the tables name the model after the file
        expect(record.config.models[0]).toMatchObject({ spec: "hf:owner/repo/tiny.gguf", name: "hf_owner_repo_tiny" });
        fs.rmSync(cache, { recursive: true, force: true });
    }, 60_000);
});
