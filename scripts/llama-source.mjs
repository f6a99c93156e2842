// Where the llama.cpp that culturescope builds against comes from: node-llama-cpp@3.21.1 ships both the
// prebuilt libraries (@node-llama-cpp/<platform>) and the exact source they were built from, as a git
// bundle (llama/gitRelease.bundle). Everything here works offline: no clone, no download.
import { createRequire } from "node:module";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(repoRoot, "package.json"));

/** The installed node-llama-cpp package directory. */
export function nodeLlamaCppDir() {
    let entry;
    try {
        entry = require.resolve("node-llama-cpp");
    } catch {
        throw new Error("node-llama-cpp is not installed: run `npm install` in " + repoRoot);
    }
    let dir = path.dirname(entry);
    while (!fs.existsSync(path.join(dir, "package.json")) || readJson(path.join(dir, "package.json")).name !== "node-llama-cpp")
        dir = path.dirname(dir);
    return dir;
}

export function readJson(file) {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** { tag, bundle } of the llama.cpp release node-llama-cpp ships. */
export function llamaRelease() {
    const dir = nodeLlamaCppDir();
    const info = readJson(path.join(dir, "llama", "llama.cpp.info.json"));
    const bundle = path.join(dir, "llama", "gitRelease.bundle");
    if (!fs.existsSync(bundle)) throw new Error(`node-llama-cpp has no llama/gitRelease.bundle at ${bundle}: reinstall node-llama-cpp@3.21.1`);
    return { tag: info.tag, repo: info.llamaCppGithubRepo, bundle };
}

function git(args, opts = {}) {
    const r = spawnSync("git", args, { encoding: opts.encoding ?? "utf8", maxBuffer: 1 << 30, ...opts });
    if (r.error?.code === "ENOENT") throw new Error("`git` is needed to unpack llama.cpp from node-llama-cpp's git bundle: install git (apt-get install git) and rerun `npm install`");
    if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
}

/**
 * Unpacks llama.cpp from the bundle into native/vendor/llama.cpp-<tag>/ (headers only, or the whole tree for a
 * source build). Idempotent: a stamp file records what was unpacked.
 */
export function unpackLlamaSource({ full = false } = {}) {
    const { tag, bundle } = llamaRelease();
    const dest = path.join(repoRoot, "native", "vendor", `llama.cpp-${tag}`);
    const stampFile = path.join(dest, ".culturescope-stamp.json");
    const want = full ? "full" : "headers";
    if (fs.existsSync(stampFile)) {
        const stamp = readJson(stampFile);
        if (stamp.tag === tag && (stamp.content === "full" || stamp.content === want)) return { dir: dest, tag, commit: stamp.commit };
    }
    const gitDir = fs.mkdtempSync(path.join(repoRoot, "native", ".bundle-"));
    try {
        git(["init", "-q", "--bare", gitDir]);
        git(["--git-dir", gitDir, "fetch", "-q", bundle, "HEAD"]);
        const commit = git(["--git-dir", gitDir, "rev-parse", "FETCH_HEAD"]).trim();
        const paths = full ? [] : ["include", "ggml/include"];
        const tar = git(["--git-dir", gitDir, "archive", "--format=tar", "FETCH_HEAD", ...paths], { encoding: "buffer" });
        fs.rmSync(dest, { recursive: true, force: true });
        fs.mkdirSync(dest, { recursive: true });
        execFileSync("tar", ["-x", "-C", dest], { input: tar, maxBuffer: 1 << 30 });
        fs.writeFileSync(stampFile, JSON.stringify({ tag, commit, content: want }, null, 2) + "\n");
        return { dir: dest, tag, commit };
    } finally {
        fs.rmSync(gitDir, { recursive: true, force: true });
    }
}

/** Prebuilt library packages for this platform, CPU first. `gpu` is what the variant adds over the CPU. */
export function prebuiltVariants() {
    const platformPackages = {
        "linux-x64": [["cpu", "linux-x64", null], ["cuda", "linux-x64-cuda", "cuda"]],
        "linux-arm64": [["cpu", "linux-arm64", null]],
        "darwin-arm64": [["metal", "mac-arm64-metal", "metal"]],
        "darwin-x64": [["cpu", "mac-x64", null]],
    };
    const key = `${process.platform}-${process.arch}`;
    const nlc = nodeLlamaCppDir();
    const nlcRequire = createRequire(path.join(nlc, "package.json"));
    const found = [];
    for (const [variant, pkg, gpu] of platformPackages[key] ?? []) {
        // Resolved by directory: these packages' "exports" hide their package.json from require.resolve.
        const pkgDir = nlcRequire.resolve.paths("x")
            .map((nm) => path.join(nm, "@node-llama-cpp", pkg))
            .find((dir) => fs.existsSync(path.join(dir, "package.json")));
        if (!pkgDir) continue;
        const libDir = path.join(pkgDir, "bins", pkg);
        if (!fs.existsSync(libDir)) continue;
        const files = fs.readdirSync(libDir);
        const lib = (stem) => files.find((f) => new RegExp(`^lib${stem}(\\.[a-z]+)?\\.v[0-9.]+\\.(so|dylib)$`).test(f));
        const llama = lib("llama"), ggml = lib("ggml");
        const base = files.find((f) => /^libggml-base\.(so|dylib)$/.test(f));
        if (!llama || !ggml || !base) continue;
        found.push({ variant, gpu, pkg, libDir, libs: [llama, ggml, base] });
    }
    return found;
}
