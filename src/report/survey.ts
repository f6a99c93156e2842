// The GlobalOpinionQA survey rows behind a run's opinion items (`goqa-<row index>` indexes the file the run read),
// and the two country keys its CAD contrasts. The per-question table and the comparison need the India and US
// respondents' distributions, which the output tables do not repeat.
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_INDIA_KEY, DEFAULT_US_KEY, readGlobalOpinionQa, type GlobalOpinionQuestion } from "../datasets/globalOpinionQa.ts";
import { DATASETS, REPO_ROOT } from "../datasets/registry.ts";
import type { MetricRow, RunRecord } from "../output/index.ts";
import { configView } from "./runData.ts";

export interface OpinionSurvey {
    /** The file read (the one run.json lists, else the shipped India subset). */
    file: string;
    byItemId: Map<string, GlobalOpinionQuestion>;
}

export const goqaItemId = (rowIndex: number) => `goqa-${rowIndex}`;

/** The GlobalOpinionQA file the run recorded in run.json, when it is still there; else the shipped subset. */
export function surveyFileOf(record: RunRecord): string {
    const listed = record.datasets?.find((d) => d.name === "globalopinionqa");
    if (listed) {
        const file = path.isAbsolute(listed.path) ? listed.path : path.join(REPO_ROOT, listed.path);
        if (fs.existsSync(file)) return file;
    }
    return path.join(REPO_ROOT, DATASETS.globalopinionqa.shipped!.main);
}

export function loadOpinionSurvey(record: RunRecord): OpinionSurvey {
    const file = surveyFileOf(record);
    const rows = readGlobalOpinionQa(file).rows;
    return { file, byItemId: new Map(rows.map((r) => [goqaItemId(r.index), r])) };
}

export interface CountryKeys {
    focus: string;
    comparison: string;
}

/**
 * The country keys the run's opinion metrics used: summariseOpinion writes the focus country's similarity before
 * the comparison country's, so the first two distinct similarity countries are (focus, comparison). Without opinion
 * metrics, the config's country keys when they are survey keys, else GlobalOpinionQA's India and US defaults.
 */
export function opinionCountryKeys(record: RunRecord, metrics: readonly MetricRow[]): CountryKeys {
    const seen: string[] = [];
    for (const m of metrics) {
        if (m.task !== "opinion" || m.metric !== "similarity" || m.country === null || m.subset !== null) continue;
        if (!seen.includes(m.country)) seen.push(m.country);
        if (seen.length === 2) return { focus: seen[0], comparison: seen[1] };
    }
    const config = configView(record);
    const looksLikeKey = (k: string | null) => k !== null && /[A-Z]/.test(k.charAt(0));
    return {
        focus: looksLikeKey(config.country) ? config.country! : DEFAULT_INDIA_KEY,
        comparison: looksLikeKey(config.compareCountry) ? config.compareCountry! : DEFAULT_US_KEY,
    };
}
