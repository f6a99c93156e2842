// CulturalBench (Chiu et al. 2024, Hugging Face `kellycyy/CulturalBench`): the Easy and Hard CSVs as published.
//
// Hard: one row per (question, option) judgement, `data_idx, question_idx, prompt_question, prompt_option, answer,
// country`; `answer` is TRUE or FALSE and a question may have several TRUE options. Easy: one row per question,
// `data_idx, question_idx, prompt_question, prompt_option_a … prompt_option_d, answer, country` with answer A–D.
// Text fields are kept exactly (the data has typos, double spaces and one leading backspace in Hard data_idx 4592).
import { integerField, readDataFile, readTable, RowError, type CsvRecord, type RowProblem } from "./csvTable.ts";

export const CULTURAL_BENCH_HARD_COLUMNS = ["data_idx", "question_idx", "prompt_question", "prompt_option", "answer", "country"] as const;
export const CULTURAL_BENCH_EASY_COLUMNS = [
    "data_idx", "question_idx", "prompt_question", "prompt_option_a", "prompt_option_b", "prompt_option_c", "prompt_option_d", "answer", "country",
] as const;
export const EASY_ANSWER_LETTERS = ["A", "B", "C", "D"] as const;
export type EasyAnswerLetter = (typeof EASY_ANSWER_LETTERS)[number];

export interface CulturalBenchHardRow {
    /** 0-based position among the data rows. */
    index: number;
    line: number;
    dataIdx: number;
    questionIdx: number;
    question: string;
    option: string;
    /** The gold judgement: is this option a right answer to the question? */
    answer: boolean;
    country: string;
}

export interface CulturalBenchEasyRow {
    index: number;
    line: number;
    dataIdx: number;
    questionIdx: number;
    question: string;
    /** Options A–D in file order. */
    options: [string, string, string, string];
    answer: EasyAnswerLetter;
    country: string;
}

export interface CulturalBenchData<Row> {
    file: string;
    rows: Row[];
    warnings: RowProblem[];
}

// An empty text cell is reported, not rejected: a published file with one must still load, exactly as it is.
function textField(record: CsvRecord, column: string, warn: (reason: string) => void): string {
    const value = record.fields[column];
    if (!value.trim()) warn(`${column} is empty`);
    return value;
}

function country(record: CsvRecord): string {
    const value = record.fields.country;
    if (!value.trim()) throw new RowError("country is empty");
    return value;
}

// The original writes TRUE/FALSE; pandas would write True/False, so both spellings are read.
function hardAnswer(record: CsvRecord): boolean {
    const text = record.fields.answer;
    if (/^true$/i.test(text)) return true;
    if (/^false$/i.test(text)) return false;
    throw new RowError(`answer is ${JSON.stringify(text)}, expected TRUE or FALSE`);
}

export function parseCulturalBenchHard(text: string, source: string): Omit<CulturalBenchData<CulturalBenchHardRow>, "file"> {
    // A question's rows must agree on its text and country: otherwise options of two questions would be mixed up.
    const questions = new Map<number, { question: string; country: string; row: number }>();
    return readTable(text, source, { what: "CulturalBench-Hard CSV", columns: CULTURAL_BENCH_HARD_COLUMNS }, (record, warn) => {
        const row: CulturalBenchHardRow = {
            index: record.index,
            line: record.line,
            dataIdx: integerField(record, "data_idx"),
            questionIdx: integerField(record, "question_idx"),
            question: textField(record, "prompt_question", warn),
            option: textField(record, "prompt_option", warn),
            answer: hardAnswer(record),
            country: country(record),
        };
        const first = questions.get(row.questionIdx);
        if (!first) questions.set(row.questionIdx, { question: row.question, country: row.country, row: record.index + 1 });
        else if (first.question !== row.question || first.country !== row.country) {
            throw new RowError(`question_idx ${row.questionIdx} has a different prompt_question or country than on row ${first.row}`);
        }
        return row;
    });
}

export function parseCulturalBenchEasy(text: string, source: string): Omit<CulturalBenchData<CulturalBenchEasyRow>, "file"> {
    return readTable(text, source, { what: "CulturalBench-Easy CSV", columns: CULTURAL_BENCH_EASY_COLUMNS }, (record, warn) => {
        const answer = record.fields.answer.trim().toUpperCase();
        if (!(EASY_ANSWER_LETTERS as readonly string[]).includes(answer)) throw new RowError(`answer is ${JSON.stringify(record.fields.answer)}, expected one of A, B, C, D`);
        return {
            index: record.index,
            line: record.line,
            dataIdx: integerField(record, "data_idx"),
            questionIdx: integerField(record, "question_idx"),
            question: textField(record, "prompt_question", warn),
            options: [textField(record, "prompt_option_a", warn), textField(record, "prompt_option_b", warn), textField(record, "prompt_option_c", warn), textField(record, "prompt_option_d", warn)],
            answer: answer as EasyAnswerLetter,
            country: country(record),
        };
    });
}

export function readCulturalBenchHard(file: string): CulturalBenchData<CulturalBenchHardRow> {
    return { file, ...parseCulturalBenchHard(readDataFile(file, "CulturalBench-Hard CSV"), file) };
}

export function readCulturalBenchEasy(file: string): CulturalBenchData<CulturalBenchEasyRow> {
    return { file, ...parseCulturalBenchEasy(readDataFile(file, "CulturalBench-Easy CSV"), file) };
}
