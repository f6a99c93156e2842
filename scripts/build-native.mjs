// Builds culturescope's native addon. Runs as `npm install`'s install step and as `npm run build:native`.
//
//   default ("prebuilt"): node-gyp compiles native/ against the headers of the llama.cpp release that
//       node-llama-cpp ships and links node-llama-cpp's prebuilt libraries: seconds, no llama.cpp compile.
//   CULTURESCOPE_BUILD=source [-- --cuda | --metal] [--cuda-arch=90]: cmake-js builds llama.cpp itself from
//       node-llama-cpp's bundled source (CPU by default), statically linked into the addon: ~4 min on 2 cores.
//
// Neither path touches the network. Writes build/culturescope-build.json, which src/native/loader.ts reads.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { llamaRelease, prebuiltVariants, repoRoot, unpackLlamaSource } from "./llama-source.mjs";

const require = createRequire(import.meta.url);
const manifestPath = path.join(repoRoot, "build", "culturescope-build.json");

function run(cmd, args, env = process.env) {
    console.log(`[culturescope] ${[cmd, ...args].join(" ")}`);
    const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: "inherit", env });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${path.basename(cmd)} exited with status ${r.status}`);
}

// Node's own headers, so node-gyp and cmake-js never try to download them.
function nodeHeadersDir() {
    const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), "..")].filter(Boolean);
    return candidates.find((dir) => fs.existsSync(path.join(dir, "include", "node", "node_api.h")));
}

function nodeGypScript() {
    if (process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
    const npmDir = path.dirname(path.dirname(fs.realpathSync(path.join(path.dirname(process.execPath), "npm"))));
    const bundled = path.join(npmDir, "node_modules", "node-gyp", "bin", "node-gyp.js");
    if (fs.existsSync(bundled)) return bundled;
    try {
        return require.resolve("node-gyp/bin/node-gyp.js");
    } catch {
        throw new Error("node-gyp was not found (it ships with npm): reinstall npm, or build from source with CULTURESCOPE_BUILD=source npm run build:native");
    }
}

function buildPrebuilt() {
    const variants = prebuiltVariants();
    if (variants.length === 0)
        throw new Error(`node-llama-cpp has no prebuilt llama.cpp libraries for ${process.platform}-${process.arch}: build from source with CULTURESCOPE_BUILD=source npm run build:native`);
    const { tag, commit } = unpackLlamaSource();
    const nodedir = nodeHeadersDir();
    run(process.execPath, [nodeGypScript(), "rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])]);
    const targetOf = { cpu: "culturescope", metal: "culturescope", cuda: "culturescope_cuda" };
    return {
        mode: "prebuilt",
        llamaCpp: { tag, commit },
        variants: variants.map((v) => ({
            variant: v.variant,
            gpu: v.gpu,
            addon: path.join("build", "Release", `${targetOf[v.variant]}.node`),
            backendDir: v.libDir,
        })),
    };
}

// Whether build-source/ was configured for another checkout location or another llama.cpp tree: CMake refuses the
// first and would keep stale cache entries for the second, so such a build directory is started afresh.
function staleSourceBuild(outDir, llamaDir) {
    const cacheFile = path.join(outDir, "CMakeCache.txt");
    if (!fs.existsSync(cacheFile)) return false;
    const cache = fs.readFileSync(cacheFile, "utf8");
    const entry = (name) => cache.match(new RegExp(`^${name}:[A-Z]+=(.*)$`, "m"))?.[1];
    return entry("CMAKE_HOME_DIRECTORY") !== repoRoot || entry("LLAMA_SOURCE_DIR") !== llamaDir;
}

// cmake-js in Node-API mode (package.json has "binary": {"napi_versions": [8]}) compiles against the node-api-headers
// package and never downloads Node's headers, so no nodedir is needed here.
function buildSource(args) {
    const gpu = args.includes("--cuda") ? "cuda" : args.includes("--metal") ? "metal" : null;
    const arch = args.find((a) => a.startsWith("--cuda-arch="))?.split("=")[1] ?? process.env.CULTURESCOPE_CUDA_ARCH ?? "native";
    const { dir, tag, commit } = unpackLlamaSource({ full: true });
    const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
    const outDir = path.join(repoRoot, "build-source");
    const config = "Release";
    // Every option is passed on every configure, so switching CPU <-> CUDA <-> Metal reconfigures the same build
    // directory and recompiles only what changed. `rm -rf build-source` forces a clean build.
    const defines = [
        `--CDLLAMA_SOURCE_DIR=${dir}`,
        `--CDGGML_CUDA=${gpu === "cuda" ? "ON" : "OFF"}`,
        `--CDGGML_METAL=${gpu === "metal" ? "ON" : "OFF"}`,
        ...(gpu === "cuda" ? [`--CDCMAKE_CUDA_ARCHITECTURES=${arch}`] : []),
        // llama.cpp's own version header (LLAMA_COMMIT) gets the commit it was really unpacked from
        `--CDLLAMA_BUILD_COMMIT=${commit}`,
    ];
    if (staleSourceBuild(outDir, dir)) {
        console.log(`[culturescope] ${path.relative(repoRoot, outDir)} was configured for another checkout or llama.cpp tree: starting afresh`);
        fs.rmSync(outDir, { recursive: true, force: true });
    }
    const jobs = process.env.CMAKE_BUILD_PARALLEL_LEVEL ?? String(os.availableParallelism());
    const common = ["--directory", repoRoot, "--out", outDir, "--config", config];
    // The unpacked tree has no .git, so llama.cpp's and ggml's CMake `git rev-parse` would find culturescope's
    // checkout around it: its commit would land in LLAMA_COMMIT/GGML_COMMIT and every new culturescope commit would
    // recompile ggml.c and llama.cpp. Stop git's repository discovery above the vendor directory.
    const ceiling = [path.dirname(dir), process.env.GIT_CEILING_DIRECTORIES].filter(Boolean).join(path.delimiter);
    const env = { ...process.env, CMAKE_BUILD_PARALLEL_LEVEL: jobs, GIT_CEILING_DIRECTORIES: ceiling };
    const started = Date.now();
    // configure always (it applies this run's defines), then build incrementally on all cores
    run(process.execPath, [cmakeJs, "configure", ...common, ...defines], env);
    run(process.execPath, [cmakeJs, "build", ...common, "--parallel", jobs], env);
    const addon = path.join("build-source", config, "culturescope.node");
    if (!fs.existsSync(path.join(repoRoot, addon))) throw new Error(`cmake-js finished but ${addon} is missing`);
    console.log(`[culturescope] source build took ${((Date.now() - started) / 1000).toFixed(0)} s on ${jobs} jobs`);
    return {
        mode: "source",
        llamaCpp: { tag, commit },
        variants: [{ variant: gpu ?? "cpu", gpu, addon, backendDir: null }],
    };
}

function main() {
    const mode = process.env.CULTURESCOPE_BUILD ?? "prebuilt";
    const args = process.argv.slice(2);
    let manifest;
    if (mode === "prebuilt") manifest = buildPrebuilt();
    else if (mode === "source") manifest = buildSource(args);
    else throw new Error(`CULTURESCOPE_BUILD must be 'prebuilt' (default) or 'source', not '${mode}'`);
    manifest.builtAt = new Date().toISOString();
    manifest.llamaCpp.bundle = path.relative(repoRoot, llamaRelease().bundle);
    fs.mkdirSync(path.dirname(manifestPath), { recursive: true });
    // A source build is recorded next to the prebuilt one, not instead of it: the loader prefers the newest.
    const previous = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, "utf8")) : {};
    const builds = { ...(previous.builds ?? {}), [manifest.mode]: manifest };
    // temp file + rename: a loader starting meanwhile reads the old manifest or the new one, never half of one
    const tmp = `${manifestPath}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ preferred: manifest.mode, builds }, null, 2) + "\n");
    fs.renameSync(tmp, manifestPath);
    console.log(`[culturescope] built ${manifest.variants.map((v) => v.addon).join(", ")} (${manifest.mode}, llama.cpp ${manifest.llamaCpp.tag})`);
}

try {
    main();
} catch (error) {
    console.error(`[culturescope] native build failed: ${error.message}`);
    process.exit(1);
}
