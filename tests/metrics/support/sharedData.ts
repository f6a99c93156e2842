// Reads the real survey and benchmark files in ../shared/datasets for the metrics tests. Loading data is issue 3's
// product code; this is a deliberately small parse of two known files, enough to feed real numbers to the metrics.
import fs from "node:fs";
import path from "node:path";
import { repoRoot } from "../../support/models.ts";

export const sharedDatasets = path.join(repoRoot, "..", "shared", "datasets");

function readShared(relative: string): string {
    const file = path.join(sharedDatasets, relative);
    if (!fs.existsSync(file)) {
        throw new Error(`${file} is missing: the metrics tests read the shared datasets, which sit in shared/ beside the repository (see shared/datasets/README.md)`);
    }
    return fs.readFileSync(file, "utf8");
}

/** RFC 4180 records: fields quoted when they hold commas, quotes or newlines; "" escapes a quote. */
export function parseCsv(text: string): string[][] {
    const records: string[][] = [];
    let record: string[] = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') {
                field += '"';
                i++;
            } else if (c === '"') quoted = false;
            else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ",") {
            record.push(field);
            field = "";
        } else if (c === "\n") {
            record.push(field);
            records.push(record);
            record = [];
            field = "";
        } else field += c;
    }
    if (field !== "" || record.length > 0) records.push([...record, field]);
    return records;
}

function csvObjects(relative: string): Array<Record<string, string>> {
    const [header, ...rows] = parseCsv(readShared(relative));
    return rows.map((row) => Object.fromEntries(header.map((name, k) => [name, row[k]])));
}

export interface GlobalOpinionRow {
    /** row number in file order, 0-based */
    row: number;
    countryDistributions: Record<string, number[]>;
}

/** All rows of globalopinionqa/global_opinions_india.csv with their selections parsed. */
export function globalOpinionsIndia(): GlobalOpinionRow[] {
    return csvObjects("globalopinionqa/global_opinions_india.csv").map((r, row) => {
        // "defaultdict(<class 'list'>, {'India (Current national sample)': [0.62, ...], 'United States': [...]})"
        const literal = r.selections.slice(r.selections.indexOf("{"), r.selections.lastIndexOf("}") + 1);
        return { row, countryDistributions: JSON.parse(literal.replaceAll("'", '"')) as Record<string, number[]> };
    });
}

export interface CulturalBenchHardRow {
    dataIdx: string;
    questionIdx: string;
    answer: boolean;
    country: string;
}

export function culturalBenchHard(): CulturalBenchHardRow[] {
    return csvObjects("culturalbench/CulturalBench-Hard.csv").map((r) => ({
        dataIdx: r.data_idx,
        questionIdx: r.question_idx,
        answer: r.answer === "TRUE",
        country: r.country,
    }));
}
