// Fetching data sets, against an HTTP server on 127.0.0.1 started here: never the internet. The server serves
// fixtures for each way a download can go: a good file, a file whose hash is not the pin, a connection dropped
// mid-body (then resumed with a Range request, or restarted by a server that ignores Range), a stall, a 404, and a
// port nobody listens on.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CULTURAL_BENCH_EASY_COLUMNS } from "../../src/datasets/culturalBench.ts";
import { downloadVerified, DownloadError, type DownloadFailure } from "../../src/datasets/download.ts";
import { fileDigest } from "../../src/datasets/fileDigest.ts";
import { datasetStatus, defaultCacheDir, fetchDataset, fetchOriginal, verifyDatasets } from "../../src/datasets/installation.ts";
import { NORMAD_COLUMNS } from "../../src/datasets/normad.ts";
import { DATASETS, type DatasetEntry } from "../../src/datasets/registry.ts";
import { csvText } from "./support.ts";

const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
const gitBlob = (data: string | Buffer) => crypto.createHash("sha1").update(`blob ${Buffer.byteLength(data)}\0`).update(data).digest("hex");
const GOOD = Buffer.from("question,answer\n" + "a row of fixture data,42\n".repeat(4000)); // ~100 kB: several body chunks
// SYNTHETIC NormAd rows in the published column format (not NormAd data).
const NORMAD = csvText(NORMAD_COLUMNS, [["1", "india", "SYNTHETIC background", "Etiquette", "eating", "v", "r", "SYNTHETIC story?", "e", "no"]]);
const EASY = csvText(CULTURAL_BENCH_EASY_COLUMNS, [
    ["0", "0", "SYNTHETIC question?", "w", "x", "y", "z", "B", "India"],
    ["1", "1", "SYNTHETIC question 2?", "w", "x", "y", "z", "D", "United States"],
]);

/** Every request the server saw: path and Range header. */
const requests: Array<{ path: string; range: string | undefined }> = [];
const dropped = new Set<string>();

function serveRange(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const etag = `"${sha256(body).slice(0, 16)}"`;
    if (range && (req.headers["if-range"] === undefined || req.headers["if-range"] === etag)) {
        const start = Number(range[1]);
        if (start >= body.length) {
            res.writeHead(416, { "Content-Range": `bytes */${body.length}` }).end();
            return;
        }
        res.writeHead(206, { "Content-Length": body.length - start, "Content-Range": `bytes ${start}-${body.length - 1}/${body.length}`, ETag: etag });
        res.end(body.subarray(start));
        return;
    }
    res.writeHead(200, { "Content-Length": body.length, ETag: etag, "Accept-Ranges": "bytes" });
    res.end(body);
}

/** Sends the headers and the first `bytes` of the body, then cuts the connection. */
function dropAfter(res: http.ServerResponse, body: Buffer, bytes: number): void {
    res.writeHead(200, { "Content-Length": body.length, ETag: `"${sha256(body).slice(0, 16)}"` });
    res.write(body.subarray(0, bytes), () => setTimeout(() => res.socket?.destroy(), 50));
}

const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    requests.push({ path: url, range: req.headers.range });
    const firstTime = !dropped.has(url);
    if (url.startsWith("/good.csv") || url === "/wrong.csv") return serveRange(req, res, GOOD);
    if (url === "/easy.csv") return serveRange(req, res, Buffer.from(EASY));
    if (url === "/normad.csv") return serveRange(req, res, Buffer.from(NORMAD));
    if (url.startsWith("/drop.csv")) {
        if (firstTime) { dropped.add(url); return dropAfter(res, GOOD, 30_000); }
        return serveRange(req, res, GOOD);
    }
    if (url === "/drop-no-range.csv") {
        if (firstTime) { dropped.add(url); return dropAfter(res, GOOD, 30_000); }
        res.writeHead(200, { "Content-Length": GOOD.length }).end(GOOD); // ignores Range: the whole file again
        return;
    }
    if (url === "/stall.csv") {
        res.writeHead(200, { "Content-Length": GOOD.length });
        res.write(GOOD.subarray(0, 1000)); // and then nothing
        return;
    }
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
});

let base = "";
let deadPort = 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-fetch-"));

beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port that was just free and is closed again: connecting to it is refused, as when offline.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    deadPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
});

const pins = { sha256: sha256(GOOD), gitBlobSha1: null };
const fresh = (name: string) => path.join(fs.mkdtempSync(path.join(dir, "case-")), name);
const leftovers = (dest: string) => fs.readdirSync(path.dirname(dest));

async function failure(promise: Promise<unknown>, kind: DownloadFailure): Promise<string> {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).failure).toBe(kind);
    return (error as Error).message;
}

describe("downloadVerified against a local server", () => {
    it("installs a good file whose sha256 matches the pin", async () => {
        const dest = fresh("good.csv");
        const result = await downloadVerified({ url: `${base}/good.csv`, dest, expected: pins });
        expect(result).toMatchObject({ file: dest, bytes: GOOD.length, sha256: sha256(GOOD), verifiedBy: "sha256", resumedFrom: 0 });
        expect(fs.readFileSync(dest).equals(GOOD)).toBe(true);
        expect(leftovers(dest)).toEqual(["good.csv"]);
    });

    it("checks git's blob id when that is the only pin", async () => {
        const dest = fresh("good.csv");
        expect((await downloadVerified({ url: `${base}/good.csv`, dest, expected: { sha256: null, gitBlobSha1: gitBlob(GOOD) } })).verifiedBy).toBe("git-blob-sha1");
        // `git hash-object` of "hello\n" is ce013625…, so the blob id is computed as git does.
        const hello = path.join(dir, "hello.txt");
        fs.writeFileSync(hello, "hello\n");
        expect((await fileDigest(hello)).gitBlobSha1).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    });

    it("rejects a file whose hash is not the pin and leaves nothing behind", async () => {
        const dest = fresh("wrong.csv");
        const message = await failure(downloadVerified({ url: `${base}/wrong.csv`, dest, expected: { sha256: "0".repeat(64), gitBlobSha1: null } }), "hash-mismatch");
        expect(message).toMatch(/sha256 is [0-9a-f]{64}, the pin is 0{64}\. The download was deleted/);
        expect(leftovers(dest)).toEqual([]);
    });

    it("resumes a dropped download with a Range request and verifies the whole file", async () => {
        const dest = fresh("drop.csv");
        const message = await failure(downloadVerified({ url: `${base}/drop.csv`, dest, expected: pins }), "interrupted");
        expect(message).toMatch(/the download stopped after \d+ of 100016 bytes .*Run the same command again to resume it/);
        expect(fs.existsSync(dest)).toBe(false); // nothing half-written in place
        const kept = fs.statSync(`${dest}.part`).size;
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(GOOD.length);

        const result = await downloadVerified({ url: `${base}/drop.csv`, dest, expected: pins });
        expect(result).toMatchObject({ verifiedBy: "sha256", resumedFrom: kept });
        expect(requests.filter((r) => r.path === "/drop.csv").map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
        expect(fs.readFileSync(dest).equals(GOOD)).toBe(true);
        expect(leftovers(dest)).toEqual(["drop.csv"]);
    });

    it("restarts from the beginning when the server ignores the Range request", async () => {
        const dest = fresh("drop-no-range.csv");
        await failure(downloadVerified({ url: `${base}/drop-no-range.csv`, dest, expected: pins }), "interrupted");
        const result = await downloadVerified({ url: `${base}/drop-no-range.csv`, dest, expected: pins });
        expect(result.verifiedBy).toBe("sha256");
        expect(fs.readFileSync(dest).equals(GOOD)).toBe(true);
    });

    it("does not resume a partial file that came from another URL", async () => {
        const dest = fresh("good.csv");
        await failure(downloadVerified({ url: `${base}/drop.csv?other`, dest, expected: pins }), "interrupted");
        const result = await downloadVerified({ url: `${base}/good.csv?second`, dest, expected: pins });
        expect(result.resumedFrom).toBe(0);
        expect(requests.find((r) => r.path === "/good.csv?second")!.range).toBeUndefined();
    });

    it("gives up on a stalled server after the idle timeout", async () => {
        const dest = fresh("stall.csv");
        expect(await failure(downloadVerified({ url: `${base}/stall.csv`, dest, expected: pins, idleTimeoutMs: 300 }), "interrupted")).toMatch(/no data for 0\.3 s/);
        expect(fs.existsSync(dest)).toBe(false);
    });

    it("reports a 404 with the URL and installs nothing", async () => {
        const dest = fresh("missing.csv");
        expect(await failure(downloadVerified({ url: `${base}/missing.csv`, dest, expected: pins }), "http")).toBe(`${base}/missing.csv: the server answered 404 Not Found (the file is not there: the URL or revision may have changed)`);
        expect(leftovers(dest)).toEqual([]);
    });

    it("says the host cannot be reached when nobody listens (as when offline)", async () => {
        const dest = fresh("offline.csv");
        const message = await failure(downloadVerified({ url: `http://127.0.0.1:${deadPort}/good.csv`, dest, expected: pins }), "offline");
        expect(message).toMatch(new RegExp(`^cannot reach 127\\.0\\.0\\.1:${deadPort} \\(ECONNREFUSED.*Are you offline or behind a proxy\\?.*--url file:///`));
        expect(leftovers(dest)).toEqual([]);
    });

    it("installs a copy obtained by other means from a file: URL, with the same checks", async () => {
        const copy = path.join(dir, "by-hand.csv");
        fs.writeFileSync(copy, GOOD);
        const dest = fresh("good.csv");
        expect((await downloadVerified({ url: pathToFileURL(copy).href, dest, expected: pins })).verifiedBy).toBe("sha256");
        await failure(downloadVerified({ url: pathToFileURL(copy).href, dest: fresh("x.csv"), expected: { sha256: "f".repeat(64), gitBlobSha1: null } }), "hash-mismatch");
    });

    it("deletes a download its loader cannot read", async () => {
        const dest = fresh("good.csv");
        const message = await failure(downloadVerified({ url: `${base}/good.csv`, dest, expected: pins, validate: () => { throw new Error("row 1: not the format"); } }), "invalid-content");
        expect(message).toMatch(/Its hash matched the pin, so culturescope's loader may be at fault[\s\S]*row 1: not the format/);
        expect(leftovers(dest)).toEqual([]);
    });
});

describe("fetchDataset and the cache", () => {
    it("puts the cache under $CULTURESCOPE_CACHE, else XDG_CACHE_HOME, else ~/.cache", () => {
        expect(defaultCacheDir({ CULTURESCOPE_CACHE: "/data/cs" })).toBe(path.join("/data/cs", "datasets"));
        expect(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" })).toBe(path.join("/xdg", "culturescope", "datasets"));
        expect(defaultCacheDir({})).toBe(path.join(os.homedir(), ".cache", "culturescope", "datasets"));
    });

    it("installs an unpinned original as unverified, lists it, and keeps it on a second fetch", async () => {
        const cacheDir = fs.mkdtempSync(path.join(dir, "cache-"));
        expect(datasetStatus("culturalbench-easy", cacheDir).install).toBe("culturescope data fetch culturalbench-easy");

        const first = await fetchDataset("culturalbench-easy", { cacheDir, url: `${base}/easy.csv` });
        expect(first.file).toBe(path.join(cacheDir, "culturalbench-easy", "CulturalBench-Easy.csv"));
        expect(first.record).toMatchObject({ name: "culturalbench-easy", verifiedBy: null, rows: 2, sha256: sha256(EASY), url: `${base}/easy.csv` });
        expect(first.alreadyThere).toBe(false);

        const status = datasetStatus("culturalbench-easy", cacheDir);
        expect(status.install).toBeUndefined();
        expect(status.copies).toEqual([{ kind: "fetched", path: first.file, installed: true, rows: 2, description: "UNVERIFIED: no published hash to check it against" }]);

        const before = requests.length;
        expect((await fetchDataset("culturalbench-easy", { cacheDir, url: `${base}/easy.csv` })).alreadyThere).toBe(true);
        expect(requests.length).toBe(before);

        const check = (await verifyDatasets(cacheDir)).find((c) => c.name === "culturalbench-easy")!;
        expect(check.result).toBe("unverified");
        fs.appendFileSync(first.file, "tampered\n");
        const tampered = (await verifyDatasets(cacheDir)).find((c) => c.name === "culturalbench-easy")!;
        expect(tampered.result).toBe("mismatch");
        expect(tampered.detail).toMatch(/changed since it was fetched/);
    });

    /** The NormAd entry with its URL and pin pointed at a fixture of the local server. */
    const normadServedAs = (file: string, pinnedContent: string | Buffer): DatasetEntry => ({
        ...DATASETS.normad,
        original: { ...DATASETS.normad.original!, url: `${base}/${file}`, gitBlobSha1: gitBlob(pinnedContent) },
    });

    it("installs a pinned original that matches its pin, verified, with its rows counted", async () => {
        const cacheDir = fs.mkdtempSync(path.join(dir, "cache-"));
        const outcome = await fetchOriginal(normadServedAs("normad.csv", NORMAD), { cacheDir });
        expect(outcome.record).toMatchObject({ name: "normad", verifiedBy: "git-blob-sha1", rows: 1, gitBlobSha1: gitBlob(NORMAD) });
        expect(outcome.record.loaderError).toBeUndefined();
        expect(fs.readdirSync(path.join(cacheDir, "normad")).sort()).toEqual(["normad_etiquette_final_data.csv", "normad_etiquette_final_data.csv.fetched.json"]);
    });

    it("keeps a pinned original its loader cannot read, and records the loader's error", async () => {
        const cacheDir = fs.mkdtempSync(path.join(dir, "cache-"));
        const outcome = await fetchOriginal(normadServedAs("good.csv", GOOD), { cacheDir });
        expect(outcome.record).toMatchObject({ verifiedBy: "git-blob-sha1", rows: null });
        expect(outcome.record.loaderError).toMatch(/missing columns ID, Country/);
        expect(fs.readFileSync(outcome.file).equals(GOOD)).toBe(true);
    });

    it("refuses a NormAd download that is not the pinned file and leaves the cache empty", async () => {
        const cacheDir = fs.mkdtempSync(path.join(dir, "cache-"));
        const message = await failure(fetchDataset("normad", { cacheDir, url: `${base}/easy.csv` }), "hash-mismatch");
        expect(message).toMatch(/git blob id is [0-9a-f]{40}, the pin is d439e6a18c5b3944ea1c3f38f1adb4dae69853d3/);
        expect(fs.readdirSync(path.join(cacheDir, "normad"))).toEqual([]);
        expect(datasetStatus("normad", cacheDir).install).toBe("culturescope data fetch normad");
    });

    it("deletes an unpinned download its loader rejects", async () => {
        const cacheDir = fs.mkdtempSync(path.join(dir, "cache-"));
        const message = await failure(fetchDataset("culturalbench-easy", { cacheDir, url: `${base}/good.csv` }), "invalid-content");
        expect(message).toMatch(/missing columns data_idx/);
        expect(message).not.toMatch(/hash matched/);
        expect(fs.readdirSync(path.join(cacheDir, "culturalbench-easy"))).toEqual([]);
    });

    it("refuses to fetch a shipped-only data set or an unknown name", async () => {
        await expect(fetchDataset("cultural-map", { cacheDir: dir })).rejects.toThrow(/ships with culturescope .* nothing to fetch/);
        await expect(fetchDataset("globalopinions", { cacheDir: dir })).rejects.toThrow(/unknown data set 'globalopinions'; the data sets are: globalopinionqa, culturalbench-hard, culturalbench-easy, normad, cultural-map/);
    });
});
