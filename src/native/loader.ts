// Finds the addon that scripts/build-native.mjs built (its manifest: build/culturescope-build.json), loads it once
// per process, and initialises ggml's backends. Every failure says what to run to fix it.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Addon } from "./AddonTypes.ts";

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const manifestPath = path.join(packageRoot, "build", "culturescope-build.json");

export type GpuChoice = "auto" | "cuda" | "metal" | "cpu";

export interface BuildVariant {
    variant: string;
    gpu: string | null;
    addon: string;
    backendDir: string | null;
}
export interface BuildRecord {
    mode: "prebuilt" | "source";
    llamaCpp: { tag: string; commit: string };
    variants: BuildVariant[];
}
export interface BuildManifest {
    preferred: "prebuilt" | "source";
    builds: Partial<Record<"prebuilt" | "source", BuildRecord>>;
}

export interface LoadedAddon {
    addon: Addon;
    /** Which build and variant was loaded, for run records. */
    build: { mode: string; variant: string; gpu: string | null; llamaCppTag: string; llamaCppCommit: string; addonPath: string };
}

export interface LoadAddonOptions {
    /** Which addon variant: "auto" (default: CUDA when built and an NVIDIA driver is present), "cuda", "metal", "cpu". */
    gpu?: GpuChoice;
    /** Which build to use when both exist (default: the most recent build). */
    build?: "prebuilt" | "source";
    logLevel?: number;
}

let loaded: LoadedAddon | undefined;

const rebuildHint = "run `npm install` (or `npm run build:native`) in " + packageRoot;

export function readManifest(file = manifestPath): BuildManifest {
    if (!fs.existsSync(file)) throw new Error(`culturescope's native addon is not built (no ${path.relative(packageRoot, file)}): ${rebuildHint}`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as BuildManifest;
    } catch (error) {
        throw new Error(`${file} is unreadable (${(error as Error).message}): ${rebuildHint}`);
    }
}

function nvidiaDriverPresent(): boolean {
    return fs.existsSync("/proc/driver/nvidia/version");
}

export function chooseVariant(record: BuildRecord, gpu: GpuChoice, hasNvidiaDriver = nvidiaDriverPresent()): BuildVariant {
    const byGpu = (name: string | null) => record.variants.find((v) => v.gpu === name);
    if (gpu === "cpu") {
        const cpu = byGpu(null);
        if (!cpu) throw new Error(`the ${record.mode} build has no CPU-only addon (built: ${record.variants.map((v) => v.variant).join(", ")})`);
        return cpu;
    }
    if (gpu === "cuda" || gpu === "metal") {
        const v = byGpu(gpu);
        if (!v)
            throw new Error(
                `no ${gpu} addon was built (built: ${record.variants.map((v) => v.variant).join(", ")}); ` +
                    (gpu === "cuda"
                        ? "install @node-llama-cpp/linux-x64-cuda and rerun `npm install`, or `CULTURESCOPE_BUILD=source npm run build:native -- --cuda`"
                        : "on Apple silicon `npm install` builds it; elsewhere Metal is unavailable"),
            );
        return v;
    }
    const cuda = byGpu("cuda");
    if (cuda && hasNvidiaDriver) return cuda;
    return byGpu("metal") ?? byGpu(null) ?? record.variants[0];
}

/** Loads the native addon (once per process; later calls return the same one). */
export function loadAddon(options: LoadAddonOptions = {}): LoadedAddon {
    if (loaded) return loaded;
    const manifest = readManifest();
    const mode = options.build ?? (process.env.CULTURESCOPE_BUILD as "prebuilt" | "source" | undefined) ?? manifest.preferred;
    const record = manifest.builds[mode];
    if (!record) throw new Error(`no ${mode} build of the native addon exists: ${mode === "source" ? "run `CULTURESCOPE_BUILD=source npm run build:native`" : rebuildHint}`);
    const gpu = options.gpu ?? (process.env.CULTURESCOPE_GPU as GpuChoice | undefined) ?? "auto";
    const variant = chooseVariant(record, gpu);
    const addonPath = path.join(packageRoot, variant.addon);
    if (!fs.existsSync(addonPath)) throw new Error(`the native addon ${addonPath} is missing: ${rebuildHint}`);
    let addon: Addon;
    try {
        addon = createRequire(import.meta.url)(addonPath) as Addon;
    } catch (error) {
        throw new Error(`could not load the native addon ${addonPath}: ${(error as Error).message}\n${rebuildHint}`);
    }
    addon.init({ backendDir: variant.backendDir ?? undefined, logLevel: options.logLevel ?? Number(process.env.CULTURESCOPE_LLAMA_LOG ?? 5) });
    loaded = {
        addon,
        build: { mode: record.mode, variant: variant.variant, gpu: variant.gpu, llamaCppTag: record.llamaCpp.tag, llamaCppCommit: record.llamaCpp.commit, addonPath },
    };
    return loaded;
}
