// GlobalOpinionQA (Durmus et al. 2023, Hugging Face `Anthropic/llm_global_opinions`, `data/global_opinions.csv`):
// reads the original CSV as published, and the India subset shipped in datasets/globalopinionqa/ (same columns).
//
// Columns: `question`; `selections`, Python's str() of `defaultdict(<class 'list'>, {'Country': [p0, p1, …], …})`
// where each list is a country's answer distribution aligned with `options`; `options`, str() of a Python list
// (entries may be numbers such as `1.0`, and strings with either quote kind, escapes and curly quotes); `source`
// (`GAS` Pew Global Attitudes, `WVS` World Values Survey). Both literal columns are read with the safe parser.
//
// What the data holds and is kept as it is: zeros where a merged option was not asked in a country's wave; numeric
// options; a 'Total   N=' option in three shipped rows (320, 347, 640 0-based) that carries about half of each
// country's mass (a Pew table total normalised along with the answers; tasks decide what to do with it). What is reported but kept: a
// distribution whose sum is off 1 by more than the tolerance, an empty question. What rejects a row: a column that is
// not the literal it should be, a distribution whose length differs from the options', a negative or non-finite
// probability.
import { readDataFile, readTable, RowError, type CsvRecord, type RowProblem } from "./csvTable.ts";
import { parsePythonLiteral, PythonLiteralError, PythonNumber, type PythonValue } from "./pythonLiteral.ts";

export const GLOBAL_OPINION_QA_COLUMNS = ["question", "selections", "options", "source"] as const;

/**
 * The default country keys for the India vs United States comparison. India appears under three keys; the default
 * is the current national sample: it is nationally representative and the most recent wave, as the
 * "Fluent but Foreign" India comparison needs. `India (Non-national sample)` (urban-skewed Pew samples) and
 * `India (Old national sample)` are exposed as they are, for whoever wants them.
 */
export const DEFAULT_INDIA_KEY = "India (Current national sample)";
export const DEFAULT_US_KEY = "United States";
export const INDIA_KEYS = ["India (Current national sample)", "India (Non-national sample)", "India (Old national sample)"] as const;

/** How far a distribution's sum may be from 1 before it is reported (the shipped rows are within 2.3e-16). */
export const DEFAULT_SUM_TOLERANCE = 1e-6;

export interface GlobalOpinionQuestion {
    /** 0-based position among the data rows, in file order. */
    index: number;
    /** 1-based line of the file where the row starts. */
    line: number;
    question: string;
    /** Each option as Python's str() writes it: strings as they are, numbers as written (`1.0`, `10.0`). */
    options: string[];
    /** True where the option was a number in the data (the Pew "ladder" and 1–5 scale questions). */
    optionIsNumber: boolean[];
    /** Country key exactly as in the data → distribution over `options`, in the data's key order. */
    selections: Record<string, number[]>;
    source: string;
}

export interface GlobalOpinionQaData {
    file: string;
    rows: GlobalOpinionQuestion[];
    /** Rows kept as they are but worth knowing about (sums off 1, empty questions). */
    warnings: RowProblem[];
}

export interface GlobalOpinionQaOptions {
    sumTolerance?: number;
}

/** Reads GlobalOpinionQA's CSV (the original or the shipped India subset). Throws DatasetFormatError naming every bad row. */
export function readGlobalOpinionQa(file: string, options: GlobalOpinionQaOptions = {}): GlobalOpinionQaData {
    return { file, ...parseGlobalOpinionQa(readDataFile(file, "GlobalOpinionQA CSV"), file, options) };
}

export function parseGlobalOpinionQa(text: string, source: string, options: GlobalOpinionQaOptions = {}): Omit<GlobalOpinionQaData, "file"> {
    const tolerance = options.sumTolerance ?? DEFAULT_SUM_TOLERANCE;
    return readTable(text, source, { what: "GlobalOpinionQA CSV", columns: GLOBAL_OPINION_QA_COLUMNS }, (record, warn) => readQuestion(record, tolerance, warn));
}

function literal(record: CsvRecord, column: string, expected: string, numberText = false): PythonValue {
    try {
        return parsePythonLiteral(record.fields[column], { numberText });
    } catch (error) {
        if (!(error instanceof PythonLiteralError)) throw error;
        throw new RowError(`${column} is not ${expected}: ${error.message}`);
    }
}

function readQuestion(record: CsvRecord, tolerance: number, warn: (reason: string) => void): GlobalOpinionQuestion {
    const parsedOptions = literal(record, "options", "a Python list literal", true);
    if (!Array.isArray(parsedOptions)) throw new RowError(`options is not a Python list (it is ${kind(parsedOptions)})`);
    if (!parsedOptions.length) throw new RowError("options is an empty list");
    const options: string[] = [];
    const optionIsNumber: boolean[] = [];
    parsedOptions.forEach((o, i) => {
        if (typeof o === "string") options.push(o);
        else if (o instanceof PythonNumber) options.push(o.text);
        else throw new RowError(`options entry ${i} is ${kind(o)}, not a string or a number`);
        optionIsNumber.push(o instanceof PythonNumber);
    });

    const parsedSelections = literal(record, "selections", "a Python dict literal");
    if (!(parsedSelections instanceof Map)) throw new RowError(`selections is not a dict (it is ${kind(parsedSelections)})`);
    const selections: Record<string, number[]> = {};
    for (const [country, distribution] of parsedSelections) {
        if (typeof country !== "string") throw new RowError(`selections has the non-string key ${country}`);
        const where = `'${country}'`;
        if (!Array.isArray(distribution)) throw new RowError(`${where} maps to ${kind(distribution)}, not a list of probabilities`);
        if (distribution.length !== options.length) throw new RowError(`options has ${options.length} entries but ${where} has ${distribution.length} probabilities`);
        const probabilities = distribution.map((p, i) => {
            if (typeof p !== "number") throw new RowError(`${where} entry ${i} is ${kind(p)}, not a number`);
            if (!Number.isFinite(p) || p < 0) throw new RowError(`${where} has the probability ${p} at entry ${i} (must be finite and ≥ 0)`);
            return p;
        });
        const sum = probabilities.reduce((a, b) => a + b, 0);
        if (Math.abs(sum - 1) > tolerance) warn(`${where} sums to ${sum}, not 1 (kept as it is)`);
        Object.defineProperty(selections, country, { value: probabilities, enumerable: true, writable: true, configurable: true });
    }

    const question = record.fields.question;
    if (!question.trim()) warn("the question is empty");
    return { index: record.index, line: record.line, question, options, optionIsNumber, selections, source: record.fields.source };
}

function kind(value: PythonValue): string {
    if (value === null) return "None";
    if (Array.isArray(value)) return "a list";
    if (value instanceof Map) return "a dict";
    if (value instanceof PythonNumber) return `the number ${value.text}`;
    if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
    if (typeof value === "number") return `the number ${value}`;
    return String(value);
}

/** How many rows carry each country key, in order of first appearance. */
export function countryKeyCounts(rows: readonly GlobalOpinionQuestion[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of rows) for (const key of Object.keys(r.selections)) counts.set(key, (counts.get(key) ?? 0) + 1);
    return counts;
}

/** The rows that carry every one of `keys` (by default the India vs United States pair). */
export function rowsWithCountries(rows: readonly GlobalOpinionQuestion[], keys: readonly string[] = [DEFAULT_INDIA_KEY, DEFAULT_US_KEY]): GlobalOpinionQuestion[] {
    return rows.filter((r) => keys.every((k) => Object.hasOwn(r.selections, k)));
}
