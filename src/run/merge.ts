// `culturescope merge`: the shares of a sweep run with --shard i/N (on other machines, by a Slurm array or a
// Kubernetes Indexed Job) combined into one run directory: configs must be identical, every share present (unless
// --partial), each shard file checked against its sha256, then metrics, run.json and the report as after a run.
import fs from "node:fs";
import path from "node:path";
import { fileDigest } from "../datasets/fileDigest.ts";
import { packageRoot } from "../native/loader.ts";
import { commitShardFiles, differingFields, readCommittedFile, openRunDir, readManifest, readRunRecord, writeRunRecord, TABLE_NAMES, type Manifest, type RunRecord, type TableName } from "../output/index.ts";
import { RunConfigError, type RunConfig } from "./config.ts";
import { commitSummary, writeReportFor, type RunOutcome } from "./runAudit.ts";
import { SUMMARY_SHARD } from "./summary.ts";
import { loadTaskItems, taskSource, type TaskItems } from "./workload.ts";
import { defaultCacheDir } from "../datasets/installation.ts";

interface Source {
    dir: string;
    manifest: Manifest;
    record: RunRecord;
}

function readSource(dir: string): Source {
    const manifest = readManifest(dir);
    if (!manifest) throw new RunConfigError(`${dir} is not a run directory (no manifest.json): pass the --out directories of \`culturescope run --shard i/N\``);
    if (!fs.existsSync(path.join(dir, "run.json"))) throw new RunConfigError(`${dir} has no run.json: it was never started by \`culturescope run\``);
    return { dir, manifest, record: readRunRecord(dir) };
}

export async function mergeRuns(dirs: readonly string[], out: string, options: { partial?: boolean; report?: boolean; log?: (line: string) => void } = {}): Promise<RunOutcome> {
    const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
    if (dirs.length === 0) throw new RunConfigError("merge needs at least one run directory");
    const sources = dirs.map((d) => readSource(path.resolve(d)));
    const first = sources[0];
    for (const s of sources.slice(1)) {
        if (s.manifest.configHash !== first.manifest.configHash) {
            throw new RunConfigError(`${s.dir} and ${first.dir} were run with different configs (differing: ${differingFields(first.manifest.config, s.manifest.config).join(", ")}): only shares of one run can be merged`);
        }
    }
    // Which shard comes from where; the same shard in two directories must hold the same bytes.
    const origin = new Map<string, { source: Source; tables: Manifest["shards"][string]["tables"] }>();
    for (const s of sources) {
        for (const [id, entry] of Object.entries(s.manifest.shards)) {
            if (id === SUMMARY_SHARD) continue;
            const seen = origin.get(id);
            if (seen && JSON.stringify(tableHashes(seen.tables)) !== JSON.stringify(tableHashes(entry.tables))) {
                throw new RunConfigError(`shard ${id} is in ${seen.source.dir} and ${s.dir} with different contents: the runs are not deterministic shares of one run; rerun one of them`);
            }
            if (!seen) origin.set(id, { source: s, tables: entry.tables });
        }
    }
    const planned = sources.map((s) => s.record.plannedShards).find((n) => n !== undefined);
    const counts = sources.map((s) => s.record.shard?.count).filter((n): n is number => n !== undefined);
    if (planned !== undefined && origin.size < planned && !options.partial) {
        const count = counts[0];
        const have = new Set(sources.map((s) => s.record.shard?.index).filter((i) => i !== undefined));
        const missing = count ? Array.from({ length: count }, (_, i) => i).filter((i) => !have.has(i)) : [];
        throw new RunConfigError(
            `only ${origin.size} of the run's ${planned} shards are in these directories` +
                (missing.length ? ` (missing shares: ${missing.map((i) => `${i}/${count}`).join(", ")}: run them with --shard)` : " (some shares are unfinished: finish them with --resume)") +
                `; pass --partial to merge what is there`,
        );
    }
    const config = first.manifest.config as RunConfig;
    await checkDatasets(first.record);
    const run = openRunDir(path.resolve(out), config);
    let copied = 0;
    for (const [id, { source, tables }] of [...origin].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const existing = run.manifest.shards[id];
        if (existing && JSON.stringify(tableHashes(existing.tables)) === JSON.stringify(tableHashes(tables))) continue;
        const files: Partial<Record<TableName, Uint8Array>> = {};
        for (const name of TABLE_NAMES) {
            const entry = tables[name];
            if (entry) files[name] = readCommittedFile(source.dir, id, entry);
        }
        commitShardFiles(run, id, files);
        copied++;
    }
    const taskItems = new Map(
        config.tasks.map((task) => {
            const source = taskSource(task, defaultCacheDir());
            if (!source.available) throw new RunConfigError(`task ${task} needs ${source.reason.replace(/ is not installed$/, "")} on this machine to compute its metrics: ${source.fix}`);
            return [task, loadTaskItems(task, source.file, config) as TaskItems] as const;
        }),
    );
    const runId = first.manifest.configHash.slice(0, 12);
    const summary = commitSummary(run, config, runId, taskItems);
    for (const note of summary.notes) log(note);
    const record = mergedRecord(sources);
    writeRunRecord(run.dir, record);
    const reportPath = options.report === false ? null : await writeReportFor(run.dir, log);
    return { dir: run.dir, record, shardsRun: copied, shardsTotal: origin.size, complete: true, interrupted: false, failedShards: [], summary, reportPath };
}

const tableHashes = (tables: Manifest["shards"][string]["tables"]) => TABLE_NAMES.map((n) => tables[n]?.sha256 ?? null);

/** The metrics are recomputed from the data on this machine: it must be the data the shares were scored on. */
async function checkDatasets(record: RunRecord): Promise<void> {
    for (const d of record.datasets) {
        const file = path.isAbsolute(d.path) ? d.path : path.join(packageRoot, d.path);
        const digest = fs.existsSync(file) ? await fileDigest(file) : null;
        if (!digest || digest.sha256 !== d.sha256) {
            throw new RunConfigError(`${d.name}: ${file} ${digest ? "differs from" : "is missing, unlike"} the file the shards were scored on (sha256 ${d.sha256.slice(0, 12)}…): merge on a machine with the same data`);
        }
    }
}

/** One run.json for the merged run: earliest start, latest end, summed throughput, and where the shares came from. */
function mergedRecord(sources: readonly Source[]): RunRecord {
    const records = sources.map((s) => s.record);
    const { shard: _shard, plannedShards: _planned, ...base } = records[0];
    const ended = records.map((r) => r.endedAt).filter((e): e is string => e !== null).sort();
    const seconds = records.reduce((n, r) => n + (r.throughput?.seconds ?? 0), 0);
    const prompts = records.reduce((n, r) => n + (r.throughput?.prompts ?? 0), 0);
    const tokens = records.reduce((n, r) => n + (r.throughput?.tokens ?? 0), 0);
    return {
        ...base,
        startedAt: records.map((r) => r.startedAt).sort()[0],
        endedAt: ended.length === records.length ? ended[ended.length - 1] : null,
        throughput: {
            prompts,
            tokens,
            seconds,
            promptsPerSecond: seconds ? prompts / seconds : 0,
            tokensPerSecond: seconds ? tokens / seconds : 0,
            workers: records[0].throughput?.workers ?? 1,
            device: [...new Set(records.map((r) => r.throughput?.device).filter(Boolean))].join(", "),
        },
        mergedFrom: sources.map((s) => s.dir),
    };
}
