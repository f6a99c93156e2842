// CulturalBench loaders: Hard on the shipped file (all 4,908 rows; facts from datasets/culturalbench/PROVENANCE.md
// and Python's csv module), Easy on rows in its published column format written here (no Easy file is shipped).
import { describe, expect, it } from "vitest";
import { parseCulturalBenchEasy, parseCulturalBenchHard, readCulturalBenchHard, CULTURAL_BENCH_EASY_COLUMNS, CULTURAL_BENCH_HARD_COLUMNS } from "../../src/datasets/culturalBench.ts";
import { shippedPath } from "../../src/datasets/registry.ts";
import { csvText, formatError } from "./support.ts";

describe("CulturalBench-Hard, the shipped file", () => {
    const { rows, warnings } = readCulturalBenchHard(shippedPath("datasets/culturalbench/CulturalBench-Hard.csv"));

    it("reads all 4,908 rows: data_idx 0..4907, four judgements for each of 1,227 questions", () => {
        expect(rows).toHaveLength(4908);
        expect(warnings).toEqual([]);
        expect(rows.every((r, i) => r.dataIdx === i && r.index === i && r.questionIdx === Math.floor(i / 4))).toBe(true);
        expect(rows.filter((r) => r.answer)).toHaveLength(1326);
        const questions = (country: string) => new Set(rows.filter((r) => r.country === country).map((r) => r.questionIdx)).size;
        expect([questions("India"), questions("United States")]).toEqual([46, 20]);
        expect(new Set(rows.map((r) => r.country)).size).toBe(45);
    });

    it("reads known rows exactly", () => {
        expect(rows[21]).toEqual({
            index: 21, line: 23, dataIdx: 21, questionIdx: 5,
            question: "In India, what are the common tools people do not use to consume food?",
            option: "With chopsticks", answer: true, country: "India",
        });
        expect(rows[0].question).toBe("In the Netherlands, which of the following is an unusual common public practice?");
        expect(rows[4592].option).toBe("\bSun-saeng-nim"); // the source's leading backspace, kept
    });
});

describe("CulturalBench-Hard, malformed copies", () => {
    const row = (dataIdx: string, questionIdx: string, question: string, answer: string, country = "India") => [dataIdx, questionIdx, question, `option ${dataIdx}`, answer, country];

    it("names every bad row: answers, indices, and a question whose rows disagree", () => {
        const text = csvText(CULTURAL_BENCH_HARD_COLUMNS, [
            row("0", "0", "Q0, with a comma?", "TRUE"),
            row("1", "0", "Q0, with a comma?", "True"),
            row("2", "0", "Q0, with a comma?", "YES"),
            row("x", "0", "Q0, with a comma?", "FALSE"),
            row("4", "1", "Q1?", "FALSE"),
            row("5", "1", "Q1 reworded?", "FALSE"),
            row("6", "-1", "Q2?", "FALSE"),
            row("7", "3", "Q3?", "FALSE", ""),
        ]);
        const error = formatError(() => parseCulturalBenchHard(text, "hard.csv"));
        expect(error.problems.map((p) => `row ${p.row}: ${p.reason}`)).toEqual([
            'row 3: answer is "YES", expected TRUE or FALSE',
            'row 4: data_idx is "x", not a non-negative integer',
            "row 6: question_idx 1 has a different prompt_question or country than on row 5",
            'row 7: question_idx is "-1", not a non-negative integer',
            "row 8: country is empty",
        ]);
    });

    it("reports an empty option text without rejecting the row", () => {
        const text = csvText(CULTURAL_BENCH_HARD_COLUMNS, [["0", "0", "Q?", "", "FALSE", "India"]]);
        expect(parseCulturalBenchHard(text, "hard.csv").warnings).toEqual([{ row: 1, line: 2, reason: "prompt_option is empty" }]);
    });
});

describe("CulturalBench-Easy, rows in the published column format (synthetic: written for this test)", () => {
    it("reads questions with four options and a letter answer", () => {
        const text = csvText(CULTURAL_BENCH_EASY_COLUMNS, [
            ["0", "0", "SYNTHETIC: In India, which gesture greets an elder?", "Touching their feet", "A \"high five\"", "Waving, from afar", "A fist bump", "A", "India"],
            ["1", "1", "SYNTHETIC: Which is multi-answer encoded?", "i", "ii", "i, ii", "none", "c", "United States"],
        ]);
        const { rows, warnings } = parseCulturalBenchEasy(text, "easy.csv");
        expect(warnings).toEqual([]);
        expect(rows[0]).toMatchObject({ dataIdx: 0, questionIdx: 0, options: ["Touching their feet", 'A "high five"', "Waving, from afar", "A fist bump"], answer: "A", country: "India" });
        expect(rows[1].answer).toBe("C");
    });

    it("rejects an answer outside A–D and a file with Hard's columns", () => {
        const text = csvText(CULTURAL_BENCH_EASY_COLUMNS, [["0", "0", "Q?", "a", "b", "c", "d", "E", "India"]]);
        expect(formatError(() => parseCulturalBenchEasy(text, "easy.csv")).problems).toEqual([{ row: 1, line: 2, reason: 'answer is "E", expected one of A, B, C, D' }]);
        const hard = csvText(CULTURAL_BENCH_HARD_COLUMNS, [["0", "0", "Q?", "a", "TRUE", "India"]]);
        expect(formatError(() => parseCulturalBenchEasy(hard, "hard.csv")).message).toMatch(/missing columns prompt_option_a, prompt_option_b, prompt_option_c, prompt_option_d/);
    });
});
