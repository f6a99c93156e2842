// IVS respondent microdata for fitting the map: a CSV (optionally gzipped) with the ten item columns, a country-year
// column and a weight column, as exported from the WVS/EVS trend files. Only the needed columns are kept, as
// Float64Arrays with NaN for missing answers. Every problem is reported with the row, the column and the fix.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { parse } from "csv-parse";
import { codeItemValue, codeMention, deriveY002, deriveY003, ITEM_CODES, type ItemCode } from "./items.ts";

export interface MicrodataOptions {
    /** Country-year column: the IVS's S025 (ISO numeric code × 10000 + year) by default. */
    countryColumn?: string;
    /** Case weight: the IVS's S017, which the official map syntax uses, by default. */
    weightColumn?: string;
    delimiter?: string;
}

export const DEFAULT_COUNTRY_COLUMN = "S025";
export const DEFAULT_WEIGHT_COLUMN = "S017";

/** Raw IVS components a derived item can be rebuilt from when the file lacks the derived column. */
export const DERIVATION_SOURCES = {
    Y002: ["E003", "E004"],
    Y003: ["A029", "A039", "A040", "A042"],
} as const;

export interface Microdata {
    source: string;
    countryColumn: string;
    weightColumn: string;
    rows: number;
    items: Record<ItemCode, Float64Array>;
    weight: Float64Array;
    /** Per row, an index into `groups` (the country-year keys, in order of first appearance). */
    group: Int32Array;
    groups: string[];
    /** Derived items that were rebuilt from their components because the file had no column for them. */
    derived: ItemCode[];
    /** sha256 of the file's bytes, when read from a file: records which data a projection was fitted on. */
    sha256?: string;
}

type ItemSource = { kind: "column"; index: number } | { kind: "Y002"; first: number; second: number } | { kind: "Y003"; independence: number; determination: number; religiousFaith: number; obedience: number };

/** Builds a Microdata from a header and records; shared by the CSV reader and by callers holding rows in memory. */
export class MicrodataBuilder {
    private readonly sources: Record<ItemCode, ItemSource>;
    private readonly countryIndex: number;
    private readonly weightIndex: number;
    private readonly columns: Record<ItemCode, number[]>;
    private readonly weights: number[] = [];
    private readonly groupOfRow: number[] = [];
    private readonly groupIndex = new Map<string, number>();
    private readonly derived: ItemCode[] = [];
    private readonly countryColumn: string;
    private readonly weightColumn: string;
    private rowCount = 0;

    constructor(private readonly source: string, private readonly header: readonly string[], options: MicrodataOptions = {}) {
        const countryColumn = (this.countryColumn = options.countryColumn ?? DEFAULT_COUNTRY_COLUMN);
        const weightColumn = (this.weightColumn = options.weightColumn ?? DEFAULT_WEIGHT_COLUMN);
        const find = (name: string): number => {
            const matches = header.flatMap((h, i) => (h.trim().toLowerCase() === name.toLowerCase() ? [i] : []));
            if (matches.length > 1) throw new Error(`${source}: column '${name}' appears ${matches.length} times in the header; keep one`);
            return matches.length ? matches[0] : -1;
        };
        const missing: string[] = [];
        const required = (name: string, what: string, option: string): number => {
            const i = find(name);
            if (i < 0) missing.push(`'${name}' (${what}${option ? `; name another column with ${option}` : ""})`);
            return i;
        };
        this.countryIndex = required(countryColumn, "country-year", "--country-col");
        this.weightIndex = required(weightColumn, "case weight", "--weight-col");
        const sources = {} as Record<ItemCode, ItemSource>;
        for (const code of ITEM_CODES) {
            const index = find(code);
            if (index >= 0) {
                sources[code] = { kind: "column", index };
                continue;
            }
            if (code === "Y002" || code === "Y003") {
                const parts = DERIVATION_SOURCES[code].map(find);
                if (parts.every((i) => i >= 0)) {
                    sources[code] = code === "Y002" ? { kind: "Y002", first: parts[0], second: parts[1] } : { kind: "Y003", independence: parts[0], determination: parts[1], religiousFaith: parts[2], obedience: parts[3] };
                    this.derived.push(code);
                    continue;
                }
                missing.push(`'${code}' (item; or its components ${DERIVATION_SOURCES[code].join(", ")} to derive it from)`);
                continue;
            }
            missing.push(`'${code}' (item)`);
        }
        if (missing.length) {
            throw new Error(`${source}: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}. The header has: ${header.slice(0, 30).join(", ")}${header.length > 30 ? ", …" : ""}`);
        }
        this.sources = sources;
        this.columns = Object.fromEntries(ITEM_CODES.map((c) => [c, [] as number[]])) as unknown as Record<ItemCode, number[]>;
    }

    add(record: readonly string[]): void {
        const row = ++this.rowCount;
        const where = (column: string) => `${this.source}: data row ${row}, column '${column}'`;
        if (record.length !== this.header.length) {
            throw new Error(`${this.source}: data row ${row} has ${record.length} fields but the header has ${this.header.length}; check the delimiter (--delimiter) and quoting`);
        }
        const number = (index: number): number => {
            const cell = record[index].trim();
            if (cell === "") return NaN;
            const value = Number(cell);
            if (!Number.isFinite(value)) {
                throw new Error(`${where(this.header[index])}: '${cell}' is not a number. Code missing answers as an empty cell or a negative WVS code (e.g. R's write.csv(na = ""))`);
            }
            return value;
        };
        const country = record[this.countryIndex].trim();
        if (country === "") throw new Error(`${where(this.header[this.countryIndex])}: the country-year is empty; every respondent needs one`);
        const weight = number(this.weightIndex);
        if (Number.isNaN(weight) || weight < 0) {
            throw new Error(`${where(this.header[this.weightIndex])}: the weight is ${Number.isNaN(weight) ? "empty" : weight}; weights must be numbers ≥ 0 (use 1 for unweighted data)`);
        }
        for (const code of ITEM_CODES) {
            const source = this.sources[code];
            let value: number;
            if (source.kind === "column") {
                const coded = codeItemValue(code, number(source.index));
                if (coded.kind === "invalid") throw new Error(`${where(this.header[source.index])}: ${coded.reason}`);
                value = coded.kind === "valid" ? coded.value : NaN;
            } else if (source.kind === "Y002") {
                const goal = (index: number) => {
                    const v = number(index);
                    if (v > 4 || (v > 0 && !Number.isInteger(v))) throw new Error(`${where(this.header[index])}: ${v} is not a national-goal code (1…4; missing: negative or empty)`);
                    return v;
                };
                value = deriveY002(goal(source.first), goal(source.second)) ?? NaN;
            } else {
                const mention = (index: number) => {
                    try {
                        return codeMention(number(index));
                    } catch (error) {
                        throw new Error(`${where(this.header[index])}: ${(error as Error).message}`);
                    }
                };
                const flags = [mention(source.independence), mention(source.determination), mention(source.religiousFaith), mention(source.obedience)];
                value = flags.includes(null) ? NaN : deriveY003({ independence: flags[0]!, determination: flags[1]!, religiousFaith: flags[2]!, obedience: flags[3]! });
            }
            this.columns[code].push(value);
        }
        let group = this.groupIndex.get(country);
        if (group === undefined) this.groupIndex.set(country, (group = this.groupIndex.size));
        this.groupOfRow.push(group);
        this.weights.push(weight);
    }

    finish(): Microdata {
        if (this.rowCount === 0) throw new Error(`${this.source}: no data rows after the header`);
        return {
            source: this.source,
            countryColumn: this.countryColumn,
            weightColumn: this.weightColumn,
            rows: this.rowCount,
            items: Object.fromEntries(ITEM_CODES.map((c) => [c, Float64Array.from(this.columns[c])])) as Record<ItemCode, Float64Array>,
            weight: Float64Array.from(this.weights),
            group: Int32Array.from(this.groupOfRow),
            groups: [...this.groupIndex.keys()],
            derived: [...this.derived],
        };
    }
}

/** Streams a CSV (or .csv.gz) file: the full IVS trend files run to gigabytes, and only 12 columns are kept. */
export async function readMicrodataCsv(file: string, options: MicrodataOptions = {}): Promise<Microdata> {
    if (!fs.existsSync(file)) throw new Error(`microdata file not found: ${file}`);
    const name = path.basename(file);
    const streams: Readable[] = [fs.createReadStream(file)];
    const hash = crypto.createHash("sha256");
    streams[0].on("data", (chunk) => hash.update(chunk));
    if (file.endsWith(".gz")) streams.push(streams[0].pipe(zlib.createGunzip()));
    // Column counts are checked by the builder, which can name the row and suggest the fix.
    const parser = streams[streams.length - 1].pipe(parse({ bom: true, delimiter: options.delimiter ?? ",", relax_column_count: true, skip_empty_lines: true }));
    streams.push(parser);
    let builder: MicrodataBuilder | undefined;
    try {
        for await (const record of parser as AsyncIterable<string[]>) {
            if (!builder) builder = new MicrodataBuilder(name, record, options);
            else builder.add(record);
        }
    } catch (error) {
        const message = (error as Error).message;
        throw new Error(message.startsWith(name) ? message : `${name}: could not read it as CSV: ${message}`);
    } finally {
        // A bad row stops the read early: close the file instead of leaving it to the garbage collector.
        for (const stream of streams) stream.destroy();
    }
    if (!builder) throw new Error(`${name}: the file is empty; it needs a header row and respondent rows`);
    return { ...builder.finish(), sha256: hash.digest("hex") };
}
