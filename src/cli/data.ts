// `culturescope data list|verify|fetch`: which data sets are installed and where, whether every installed file
// matches its pinned hash, and fetching an original into the cache folder.
import path from "node:path";
import { Command } from "commander";
import { allDatasetStatus, defaultCacheDir, fetchDataset, verifyDatasets, type DatasetStatus, type FileCheck, type FetchOutcome } from "../datasets/installation.ts";
import { DATASET_NAMES, REPO_ROOT } from "../datasets/registry.ts";

/** Paths inside the repository are shown relative to it; others (the cache) as they are. */
function shown(file: string): string {
    const relative = path.relative(REPO_ROOT, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative + (file.endsWith(path.sep) ? path.sep : "");
}

export function formatList(statuses: readonly DatasetStatus[]): string {
    const lines: string[] = [];
    for (const s of statuses) {
        lines.push(`${s.name}  ${s.title}  licence: ${s.licence}`);
        for (const c of s.copies) {
            const label = (c.kind === "shipped" ? "shipped" : "original").padEnd(8);
            if (!c.installed) lines.push(`  ${label}  not installed — run \`culturescope data fetch ${s.name}\` (${c.description})`);
            else if (c.error) lines.push(`  ${label}  ${shown(c.path)}: UNREADABLE: ${c.error.split("\n").join("\n      ")}`);
            else lines.push(`  ${label}  ${c.rows} rows  ${shown(c.path)}  (${c.description})`);
        }
    }
    return lines.join("\n");
}

export function formatChecks(checks: readonly FileCheck[]): string {
    const width = Math.max(...checks.map((c) => c.result.length));
    return checks.map((c) => `${c.result.toUpperCase().padEnd(width)}  ${c.name}  ${shown(c.path)}  ${c.detail}`).join("\n");
}

export function formatFetch(outcome: FetchOutcome): string {
    const r = outcome.record;
    const how = r.verifiedBy
        ? `verified by ${r.verifiedBy === "sha256" ? `sha256 ${r.sha256}` : `git blob id ${r.gitBlobSha1}`}`
        : `UNVERIFIED: no published hash to check it against; its sha256 is ${r.sha256}`;
    const what = outcome.alreadyThere ? "already in the cache" : outcome.resumedFrom ? `fetched (resumed after ${outcome.resumedFrom} bytes)` : "fetched";
    const rows = r.rows === null ? "" : `${r.rows} rows, `;
    const loader = r.loaderError ? `\nbut culturescope's loader cannot read it (please report this):\n${r.loaderError}` : "";
    return `${r.name}: ${what}, ${rows}${r.bytes} bytes, ${how}\n  ${outcome.file}\n  from ${r.url}${loader}`;
}

const cacheDirHelp = "cache folder (default: $CULTURESCOPE_CACHE/datasets, else ~/.cache/culturescope/datasets)";

export function dataCommand(): Command {
    const data = new Command("data").description("list, verify and fetch the survey and benchmark data sets");

    data.command("list")
        .description("each data set: installed or not, where, rows, licence")
        .option("--cache-dir <dir>", cacheDirHelp)
        .option("--json", "print JSON", false)
        .action((options: { cacheDir?: string; json: boolean }) => {
            const statuses = allDatasetStatus(options.cacheDir ?? defaultCacheDir());
            console.log(options.json ? JSON.stringify(statuses, null, 2) : formatList(statuses));
            if (statuses.some((s) => s.copies.some((c) => c.error))) process.exitCode = 1;
        });

    data.command("verify")
        .description("check the sha256 of every installed data file against its pin (exit 1 on any mismatch)")
        .option("--cache-dir <dir>", cacheDirHelp)
        .option("--json", "print JSON", false)
        .action(async (options: { cacheDir?: string; json: boolean }) => {
            const checks = await verifyDatasets(options.cacheDir ?? defaultCacheDir());
            console.log(options.json ? JSON.stringify(checks, null, 2) : formatChecks(checks));
            const bad = checks.filter((c) => c.result === "mismatch" || c.result === "missing");
            if (bad.length) {
                if (!options.json) console.error(`${bad.length} file${bad.length > 1 ? "s" : ""} did not verify`);
                process.exitCode = 1;
            }
        });

    data.command("fetch")
        .description("download a data set's original into the cache folder, checked against its pinned hash")
        .argument("<name>", `one of ${DATASET_NAMES.join(", ")}`)
        .option("--cache-dir <dir>", cacheDirHelp)
        .option("--url <url>", "fetch from this mirror or local copy (http(s):// or file://) instead; the pinned hash still applies")
        .action(async (name: string, options: { cacheDir?: string; url?: string }) => {
            const outcome = await fetchDataset(name, { cacheDir: options.cacheDir ?? defaultCacheDir(), url: options.url });
            console.log(formatFetch(outcome));
            if (outcome.record.loaderError) process.exitCode = 1;
        });

    return data;
}
