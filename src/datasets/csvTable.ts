// The CSV reading every data-set loader shares: the header is checked against the columns the original file has,
// every record keeps its row and line number, and problems are collected per row so that one run names every bad
// row instead of stopping at the first. Row N is the N-th data row (the header is not counted); line L is the line
// of the file where the record starts (quoted fields may span lines, so the two differ).
import fs from "node:fs";
import { parse } from "csv-parse/sync";

export interface RowProblem {
    /** 1-based data row; 0 for a problem with the file as a whole (header, CSV syntax). */
    row: number;
    /** 1-based line where the record starts; 0 when not known. */
    line: number;
    reason: string;
}

export function describeProblem(p: RowProblem): string {
    if (p.row === 0) return p.line ? `line ${p.line}: ${p.reason}` : p.reason;
    return `row ${p.row} (line ${p.line}): ${p.reason}`;
}

/** A data file that does not have the format its loader reads; `problems` lists every bad row. */
export class DatasetFormatError extends Error {
    constructor(
        readonly source: string,
        readonly problems: readonly RowProblem[],
        fix = "",
    ) {
        const shown = problems.slice(0, 12).map((p) => `  ${describeProblem(p)}`);
        const more = problems.length > shown.length ? [`  … and ${problems.length - shown.length} more`] : [];
        super([`${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}`, ...shown, ...more, ...(fix ? [fix] : [])].join("\n"));
        this.name = "DatasetFormatError";
    }
}

/** Thrown inside a row reader; the table turns it into a RowProblem with the row's numbers. */
export class RowError extends Error {}

export interface CsvRecord {
    /** 0-based position among the data rows, in file order. */
    index: number;
    /** 1-based line where the record starts. */
    line: number;
    fields: Record<string, string>;
}

export interface CsvFormat {
    /** What the file is, for messages, e.g. "GlobalOpinionQA CSV". */
    what: string;
    /** Columns the original file has; all must be present (extra columns are ignored). */
    columns: readonly string[];
}

/**
 * Splits CSV text into records with row and line numbers. File-level problems (CSV syntax, missing columns) throw
 * DatasetFormatError at once; rows with the wrong number of fields are returned as problems.
 */
export function csvRecords(text: string, source: string, format: CsvFormat): { records: CsvRecord[]; problems: RowProblem[] } {
    let parsed: Array<{ record: string[]; info: { lines: number } }>;
    try {
        parsed = parse(text, { bom: true, info: true, relax_column_count: true }) as unknown as typeof parsed;
    } catch (error) {
        const e = error as Error & { lines?: number };
        throw new DatasetFormatError(source, [{ row: 0, line: e.lines ?? 0, reason: `not valid CSV: ${e.message}` }], `Is this the ${format.what}?`);
    }
    if (!parsed.length) throw new DatasetFormatError(source, [{ row: 0, line: 0, reason: "the file is empty" }], `Expected the ${format.what}.`);

    const header = parsed[0].record;
    const missing = format.columns.filter((c) => !header.includes(c));
    if (missing.length) {
        throw new DatasetFormatError(
            source,
            [{ row: 0, line: 1, reason: `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; the header is: ${header.join(", ")}` }],
            `Expected the ${format.what} with columns ${format.columns.join(", ")}.`,
        );
    }

    const records: CsvRecord[] = [];
    const problems: RowProblem[] = [];
    // info.lines is the line where a record ends; the next record starts on the following line.
    let nextLine = parsed[0].info.lines + 1;
    for (let i = 1; i < parsed.length; i++) {
        const { record, info } = parsed[i];
        const line = nextLine;
        nextLine = info.lines + 1;
        if (record.length !== header.length) {
            problems.push({ row: i, line, reason: `has ${record.length} field${record.length === 1 ? "" : "s"}, the header has ${header.length}` });
            continue;
        }
        const fields: Record<string, string> = {};
        header.forEach((name, c) => (fields[name] = record[c]));
        records.push({ index: i - 1, line, fields });
    }
    return { records, problems };
}

/**
 * Reads every record with `readRow`, collecting a RowProblem for each one it rejects (by throwing RowError).
 * Throws DatasetFormatError listing all problems when there is any.
 */
export function readTable<T>(text: string, source: string, format: CsvFormat, readRow: (record: CsvRecord, warn: (reason: string) => void) => T): { rows: T[]; warnings: RowProblem[] } {
    const { records, problems } = csvRecords(text, source, format);
    const rows: T[] = [];
    const warnings: RowProblem[] = [];
    for (const record of records) {
        const at = { row: record.index + 1, line: record.line };
        try {
            rows.push(readRow(record, (reason) => warnings.push({ ...at, reason })));
        } catch (error) {
            if (!(error instanceof RowError)) throw error;
            problems.push({ ...at, reason: error.message });
        }
    }
    if (problems.length) {
        problems.sort((a, b) => a.row - b.row);
        throw new DatasetFormatError(source, problems, `The ${format.what} is damaged or not in the original format; fetch a fresh copy (culturescope data fetch) or restore the shipped file from git.`);
    }
    return { rows, warnings };
}

/** Reads a data file as UTF-8 text, with a message that says what to do when it is missing. */
export function readDataFile(file: string, what: string): string {
    if (!fs.existsSync(file)) throw new Error(`${file} does not exist: expected the ${what} there (see \`culturescope data list\`)`);
    return fs.readFileSync(file, "utf8");
}

/** A field that must be a non-negative integer. */
export function integerField(record: CsvRecord, column: string): number {
    const text = record.fields[column];
    if (!/^\d+$/.test(text.trim())) throw new RowError(`${column} is ${JSON.stringify(text)}, not a non-negative integer`);
    return Number(text);
}
