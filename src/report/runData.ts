// A finished (or interrupted) run directory read back for the report: run.json, and every table as plain rows.
// Reading checks each committed file against its sha256 (readTable), so a report never shows numbers from a file
// that was changed after the run wrote it.
import fs from "node:fs";
import path from "node:path";
import { MANIFEST_FILE, readTable, RUN_RECORD_FILE, tableRows, type RowOf, type RunRecord, type TableName } from "../output/index.ts";

export type RunTables = { [N in TableName]: RowOf[N][] };

export interface RunData {
    dir: string;
    record: RunRecord;
    tables: RunTables;
}

/** The run's config fields the report reads; everything else in the config is shown as JSON. */
export interface RunConfigView {
    tasks: string[];
    strategies: string[];
    mode: string | null;
    country: string | null;
    compareCountry: string | null;
}

const notARunDir = (dir: string, what: string) =>
    new Error(`${dir} ${what}: it is not a culturescope run directory. Pass the directory a run wrote (the --out of \`culturescope run\`), or make one with \`culturescope run --out ${dir} ...\``);

/** Reads run.json and all tables; errors say what is missing and how to get a run directory. */
export function loadRunData(dir: string): RunData {
    const resolved = path.resolve(dir);
    if (!fs.existsSync(resolved)) throw notARunDir(dir, "does not exist");
    if (!fs.statSync(resolved).isDirectory()) throw notARunDir(dir, "is a file, not a directory");
    const recordFile = path.join(resolved, RUN_RECORD_FILE);
    if (!fs.existsSync(recordFile)) throw notARunDir(dir, `has no ${RUN_RECORD_FILE}`);
    if (!fs.existsSync(path.join(resolved, MANIFEST_FILE))) throw notARunDir(dir, `has no ${MANIFEST_FILE}`);
    let record: RunRecord;
    try {
        record = JSON.parse(fs.readFileSync(recordFile, "utf8")) as RunRecord;
    } catch (error) {
        throw new Error(`${recordFile} is not valid JSON (${(error as Error).message}): it is written atomically by \`culturescope run\`, so something else changed it; rerun the run to rewrite it`);
    }
    if (!record || typeof record !== "object" || !Array.isArray(record.models)) {
        throw new Error(`${recordFile} does not look like a run record (no "models" list): rerun \`culturescope run\` to rewrite it`);
    }
    const read = <N extends TableName>(name: N) => tableRows(readTable(resolved, name)) as unknown as RowOf[N][];
    const tables: RunTables = { items: read("items"), scores: read("scores"), answers: read("answers"), metrics: read("metrics"), map: read("map"), errors: read("errors") };
    return { dir: resolved, record, tables };
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const stringOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

export function configView(record: RunRecord): RunConfigView {
    const config = (record.config && typeof record.config === "object" ? record.config : {}) as Record<string, unknown>;
    return {
        tasks: stringList(config.tasks),
        strategies: stringList(config.strategies),
        mode: stringOrNull(config.mode),
        country: stringOrNull(config.country),
        compareCountry: stringOrNull(config.compareCountry),
    };
}
