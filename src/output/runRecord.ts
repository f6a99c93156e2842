// run.json: everything needed to say what a run was and to reproduce it: the effective config (and its hash, the
// one the manifest is keyed by), each model file with its sha256 and metadata, the llama.cpp release and addon
// variant, the devices, the package version, the data files with their sha256, and start and end times.
import fs from "node:fs";
import path from "node:path";
import type { AddonDevice, AddonModelInfo } from "../native/AddonTypes.ts";
import type { LoadedAddon } from "../native/loader.ts";
import { packageRoot } from "../native/loader.ts";
import { fileDigest } from "../datasets/fileDigest.ts";
import { writeFileAtomic } from "./atomicFile.ts";
import { configHash } from "./runDirectory.ts";

export const RUN_RECORD_FILE = "run.json";

export interface ModelRecord {
    path: string;
    bytes: number;
    /** sha256 of the GGUF file, hashed as a stream (models are many GB). */
    sha256: string;
    description: string;
    architecture: string;
    name: string;
    nParams: number;
    quantization: string;
    nVocab: number;
    nCtxTrain: number;
    hasChatTemplate: boolean;
}

export interface DatasetRecord {
    name: string;
    path: string;
    bytes: number;
    sha256: string;
}

export interface RunRecord {
    format: 1;
    packageVersion: string;
    config: unknown;
    configHash: string;
    models: ModelRecord[];
    llamaCpp: { tag: string; commit: string };
    /** Which addon build ran: prebuilt or source, its variant (cpu, cuda, metal) and GPU backend. */
    backend: { mode: string; variant: string; gpu: string | null };
    devices: { name: string; description: string; type: string }[];
    datasets: DatasetRecord[];
    node: string;
    platform: string;
    startedAt: string;
    /** null while the run is in progress. */
    endedAt: string | null;
    /** Scoring throughput of this process's work (absent until the run ends; a resumed run counts only what it did). */
    throughput?: Throughput;
    /** Tasks asked for but not run, each with why and the command that fixes it (e.g. a data set not installed). */
    skippedTasks?: { task: string; reason: string; fix: string }[];
    /** Things a reader must know before trusting the numbers (e.g. a random-weight model: smoke test only). */
    warnings?: string[];
    /** Set by `culturescope run --shard i/N`: this directory holds that share of the work. */
    shard?: { index: number; count: number };
    /** With --shard: how many shards the whole run has (so merge can tell a missing share). */
    plannedShards?: number;
    /** How this invocation did the work (workers, threads, output, shard): not part of the config, since no result depends on it. */
    execution?: Record<string, unknown>;
    /** Set by `culturescope merge`: the directories merged. */
    mergedFrom?: string[];
}

export interface Throughput {
    prompts: number;
    tokens: number;
    seconds: number;
    promptsPerSecond: number;
    tokensPerSecond: number;
    workers: number;
    /** The devices the scorer ran on, e.g. "CPU" or "NVIDIA H200". */
    device: string;
}

export interface RunRecordInput {
    config: unknown;
    models: { path: string; info: AddonModelInfo }[];
    build: LoadedAddon["build"];
    devices: readonly AddonDevice[];
    datasets: { name: string; path: string }[];
    startedAt: Date;
    endedAt?: Date | null;
}

export function packageVersion(): string {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

export async function modelRecord(file: string, info: AddonModelInfo): Promise<ModelRecord> {
    const { bytes, sha256 } = await fileDigest(file);
    return {
        path: path.resolve(file),
        bytes,
        sha256,
        description: info.description,
        architecture: info.architecture,
        name: info.name,
        nParams: info.nParams,
        quantization: info.quantization,
        nVocab: info.nVocab,
        nCtxTrain: info.nCtxTrain,
        hasChatTemplate: info.chatTemplate !== null,
    };
}

export async function describeRun(input: RunRecordInput): Promise<RunRecord> {
    const models = [];
    for (const m of input.models) models.push(await modelRecord(m.path, m.info));
    const datasets = [];
    for (const d of input.datasets) {
        const { bytes, sha256 } = await fileDigest(d.path);
        datasets.push({ name: d.name, path: path.relative(packageRoot, path.resolve(d.path)) || d.path, bytes, sha256 });
    }
    return {
        format: 1,
        packageVersion: packageVersion(),
        config: input.config,
        configHash: configHash(input.config),
        models,
        llamaCpp: { tag: input.build.llamaCppTag, commit: input.build.llamaCppCommit },
        backend: { mode: input.build.mode, variant: input.build.variant, gpu: input.build.gpu },
        devices: input.devices.map((d) => ({ name: d.name, description: d.description, type: d.type })),
        datasets,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        startedAt: input.startedAt.toISOString(),
        endedAt: input.endedAt ? input.endedAt.toISOString() : null,
    };
}

/** Writes run.json atomically (at the start with endedAt null, and again at the end). */
export function writeRunRecord(dir: string, record: RunRecord): void {
    writeFileAtomic(path.join(dir, RUN_RECORD_FILE), JSON.stringify(record, null, 2) + "\n");
}

export function readRunRecord(dir: string): RunRecord {
    return JSON.parse(fs.readFileSync(path.join(dir, RUN_RECORD_FILE), "utf8")) as RunRecord;
}
