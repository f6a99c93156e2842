// The real survey and benchmark files shipped in datasets/, read with culturescope's loaders and reduced to what
// the metrics tests need.
import path from "node:path";
import { readCulturalBenchHard } from "../../../src/datasets/culturalBench.ts";
import { readGlobalOpinionQa } from "../../../src/datasets/globalOpinionQa.ts";
import { repoRoot } from "../../support/models.ts";

export const datasetsDir = path.join(repoRoot, "datasets");

export interface GlobalOpinionRow {
    /** row number in file order, 0-based */
    row: number;
    countryDistributions: Record<string, number[]>;
}

/** All rows of globalopinionqa/global_opinions_india.csv with their selections parsed. */
export function globalOpinionsIndia(): GlobalOpinionRow[] {
    return readGlobalOpinionQa(path.join(datasetsDir, "globalopinionqa", "global_opinions_india.csv")).rows.map((r) => ({ row: r.index, countryDistributions: r.selections }));
}

export interface CulturalBenchHardRow {
    dataIdx: string;
    questionIdx: string;
    answer: boolean;
    country: string;
}

export function culturalBenchHard(): CulturalBenchHardRow[] {
    return readCulturalBenchHard(path.join(datasetsDir, "culturalbench", "CulturalBench-Hard.csv")).rows.map((r) => ({
        dataIdx: String(r.dataIdx),
        questionIdx: String(r.questionIdx),
        answer: r.answer,
        country: r.country,
    }));
}
