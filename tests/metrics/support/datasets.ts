// Reads the real survey and benchmark files shipped in datasets/ for the metrics tests. Loading data is issue 3's
// product code; this is a deliberately small read of two known files, enough to feed real numbers to the metrics.
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { repoRoot } from "../../support/models.ts";

export const datasetsDir = path.join(repoRoot, "datasets");

function csvObjects(relative: string): Array<Record<string, string>> {
    const file = path.join(datasetsDir, relative);
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: it ships with the repository (see datasets/README.md)`);
    return parse(fs.readFileSync(file, "utf8"), { columns: true }) as Array<Record<string, string>>;
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
