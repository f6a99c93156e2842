// NormAd-Eti (Rao et al. 2024): `normad_etiquette_final_data.csv` as published (datasets PROVENANCE:
// shared/datasets/normad/PROVENANCE.md). One row per story: `ID, Country, Background, Axis, Subaxis, Value,
// Rule-of-Thumb, Story, Explanation, Gold Label`. `Country` is snake_case (`india`, `south_sudan`); `Background`
// repeats the country's Cultural Atlas text on every row; `Gold Label` is yes, no or neutral. The three context
// levels of the paper read `Country`, `Value` and `Rule-of-Thumb` respectively.
import { NORMAD_GOLD_LABELS, type NormAdGoldLabel } from "../metrics/accuracy.ts";
import { readDataFile, readTable, RowError, type CsvRecord, type RowProblem } from "./csvTable.ts";

export const NORMAD_COLUMNS = ["ID", "Country", "Background", "Axis", "Subaxis", "Value", "Rule-of-Thumb", "Story", "Explanation", "Gold Label"] as const;

export interface NormAdStory {
    index: number;
    line: number;
    id: string;
    /** As in the data: snake_case, e.g. `india`. */
    country: string;
    background: string;
    axis: string;
    subaxis: string;
    value: string;
    ruleOfThumb: string;
    story: string;
    explanation: string;
    goldLabel: NormAdGoldLabel;
}

export interface NormAdData {
    file: string;
    rows: NormAdStory[];
    warnings: RowProblem[];
}

function required(record: CsvRecord, column: string): string {
    const value = record.fields[column];
    if (!value.trim()) throw new RowError(`${column} is empty`);
    return value;
}

export function parseNormAd(text: string, source: string): Omit<NormAdData, "file"> {
    return readTable(text, source, { what: "NormAd CSV (normad_etiquette_final_data.csv)", columns: NORMAD_COLUMNS }, (record, warn) => {
        const gold = record.fields["Gold Label"].trim().toLowerCase();
        if (!(NORMAD_GOLD_LABELS as readonly string[]).includes(gold)) {
            throw new RowError(`Gold Label is ${JSON.stringify(record.fields["Gold Label"])}, expected one of ${NORMAD_GOLD_LABELS.join(", ")}`);
        }
        // Only what a prompt cannot do without is required; the rest is reported when empty.
        const optional = (column: string) => {
            if (!record.fields[column].trim()) warn(`${column} is empty`);
            return record.fields[column];
        };
        return {
            index: record.index,
            line: record.line,
            id: required(record, "ID"),
            country: required(record, "Country"),
            background: optional("Background"),
            axis: optional("Axis"),
            subaxis: optional("Subaxis"),
            value: optional("Value"),
            ruleOfThumb: optional("Rule-of-Thumb"),
            story: required(record, "Story"),
            explanation: optional("Explanation"),
            goldLabel: gold as NormAdGoldLabel,
        };
    });
}

export function readNormAd(file: string): NormAdData {
    return { file, ...parseNormAd(readDataFile(file, "NormAd CSV"), file) };
}
