// GlobalOpinionQA loader on the shipped India subset (all 766 rows, in the original's format) and on malformed
// copies written here. Expected values are read off the shipped CSV with Python's csv + ast.literal_eval.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DatasetFormatError } from "../../src/datasets/csvTable.ts";
import {
    countryKeyCounts,
    DEFAULT_INDIA_KEY,
    DEFAULT_US_KEY,
    parseGlobalOpinionQa,
    readGlobalOpinionQa,
    rowsWithCountries,
} from "../../src/datasets/globalOpinionQa.ts";
import { shippedPath } from "../../src/datasets/registry.ts";
import { csvText, formatError } from "./support.ts";

const shipped = shippedPath("datasets/globalopinionqa/global_opinions_india.csv");
const data = readGlobalOpinionQa(shipped);
const HEADER = ["question", "selections", "options", "source"];

describe("GlobalOpinionQA, the shipped India subset", () => {
    it("reads all 766 rows in file order, with no warnings", () => {
        expect(data.rows).toHaveLength(766);
        expect(data.rows.map((r) => r.index)).toEqual([...Array(766).keys()]);
        expect(data.warnings).toEqual([]);
        expect(new Set(data.rows.map((r) => r.source))).toEqual(new Set(["GAS"]));
    });

    it("matches the per-row record of datasets/globalopinionqa/global_opinions_india.offsets.jsonl", () => {
        const offsets = fs.readFileSync(path.join(path.dirname(shipped), "global_opinions_india.offsets.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { question: string });
        expect(offsets).toHaveLength(766);
        offsets.forEach((o, i) => expect(data.rows[i].question.startsWith(o.question), `row ${i + 1}`).toBe(true));
    });

    it("exposes the country keys as they are in the data, and the documented default pair", () => {
        expect(Object.fromEntries(countryKeyCounts(data.rows))).toEqual({
            "India (Current national sample)": 470,
            "United States": 477,
            "India (Non-national sample)": 340,
            "India (Old national sample)": 122,
        });
        expect([DEFAULT_INDIA_KEY, DEFAULT_US_KEY]).toEqual(["India (Current national sample)", "United States"]);
        expect(rowsWithCountries(data.rows)).toHaveLength(244);
    });

    it("gives every distribution as many entries as options, each summing to 1", () => {
        for (const r of data.rows) {
            for (const [country, p] of Object.entries(r.selections)) {
                expect(p.length, `row ${r.index + 1} ${country}`).toBe(r.options.length);
                expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
            }
        }
    });

    it("reads row 1 exactly: zeros for merged options a country was not asked", () => {
        const r = data.rows[0];
        expect(r.line).toBe(2);
        expect(r.question).toMatch(/^Which statement comes closer to your own views, even if neither is exactly right\? Using overwhelming/);
        expect(r.options).toHaveLength(9);
        expect(r.options[6]).toBe("DK/Refused");
        expect(r.selections).toEqual({
            "India (Current national sample)": [0.62, 0.0, 0.0, 0.21, 0.0, 0.0, 0.17, 0.0, 0.0],
            "United States": [0.0, 0.0, 0.54, 0.0, 0.0, 0.45, 0.01, 0.0, 0.0],
        });
    });

    it("reads an option written with double quotes because it holds an apostrophe (row 11)", () => {
        const r = data.rows[10];
        expect(r.options).toEqual(["Very satisfied", "Somewhat satisfied", "Not too satisfied", "Not at all satisfied", "Don't know/Refused", "DK/Refused"]);
        expect(r.selections[DEFAULT_US_KEY]).toEqual([0.09, 0.3, 0.32, 0.27, 0.0, 0.02]);
    });

    it("keeps numeric options as Python writes them (rows 17 and 101)", () => {
        expect(data.rows[16].options).toEqual(["0.0", "1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0"]);
        expect(data.rows[16].optionIsNumber.every(Boolean)).toBe(true);
        const mixed = data.rows[100];
        expect(mixed.options.slice(0, 4)).toEqual(["Not important at all", "1.0", "Very important", "2.0"]);
        expect(mixed.optionIsNumber.slice(0, 4)).toEqual([false, true, false, true]);
        expect(mixed.selections[DEFAULT_US_KEY][0]).toBe(0.01020408163265306);
    });

    it("keeps curly quotes, line breaks and the 'Total N=' option as they are", () => {
        expect(data.rows[262].options[0]).toBe("Improving human rights around the world should be one of (survey country)’s most important foreign policy goals");
        expect(data.rows[7].question).toContain(" \nh. ensuring that elections are conducted freely and fairly");
        expect(data.rows[8].line).toBe(11); // row 8 spans lines 9–10
        const total = data.rows[320];
        expect(total.options.at(-1)).toBe("Total          N=");
        expect(total.selections[DEFAULT_INDIA_KEY].at(-1)).toBe(0.5);
    });
});

describe("GlobalOpinionQA, malformed copies", () => {
    const good = ["Q1?", "defaultdict(<class 'list'>, {'United States': [0.25, 0.75]})", "['Yes', 'No']", "GAS"];

    it("names the row and the reason for every bad row in one error", () => {
        const text = csvText(HEADER, [
            good,
            ["Q2?", "defaultdict(<class 'list'>, {'United States': [0.1, 0.2, 0.3, 0.2, 0.2]})", "['A', 'B', 'C', 'D']", "GAS"],
            ["Q3?", "defaultdict(<class 'list'>, {'United States': [0.5, 0.5}", "['Yes', 'No']", "GAS"],
            ["Q4?", "{'India (Current national sample)': [0.5, -0.5]}", "['Yes', 'No']", "WVS"],
            ["Q5?", "defaultdict(<class 'list'>, {'United States': [nan, 1.0]})", "['Yes', 'No']", "GAS"],
            ["Q6?", "defaultdict(<class 'list'>, {'United States': [1.0]})", "'Yes'", "GAS"],
            ["Q7?", "defaultdict(<class 'list'>, {'United States': 1.0})", "['Yes']", "GAS"],
            ["Q8?", "[0.5, 0.5]", "['Yes', 'No']", "GAS"],
            ["Q9?", "defaultdict(<class 'list'>, {'United States': [1.0]})", "['Yes', None]", "GAS"],
        ]);
        const error = formatError(() => parseGlobalOpinionQa(text, "bad.csv"));
        expect(error.problems.map((p) => p.row)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
        const reasons = error.problems.map((p) => `row ${p.row}: ${p.reason}`);
        expect(reasons[0]).toBe("row 2: options has 4 entries but 'United States' has 5 probabilities");
        expect(reasons[1]).toMatch(/^row 3: selections is not a Python dict literal: expected ',' or '\]' after list item 2, found '\}' at char 55: /);
        expect(reasons[2]).toBe("row 4: 'India (Current national sample)' has the probability -0.5 at entry 1 (must be finite and ≥ 0)");
        expect(reasons[3]).toBe("row 5: 'United States' has the probability NaN at entry 0 (must be finite and ≥ 0)");
        expect(reasons[4]).toBe(`row 6: options is not a Python list (it is the string "Yes")`);
        expect(reasons[5]).toBe("row 7: 'United States' maps to the number 1, not a list of probabilities");
        expect(reasons[6]).toBe("row 8: selections is not a dict (it is a list)");
        expect(reasons[7]).toBe("row 9: options entry 1 is None, not a string or a number");
        expect(error.message).toMatch(/^bad\.csv: 8 problems\n {2}row 2 \(line 3\): options has 4 entries/);
        expect(error.message).toMatch(/culturescope data fetch/);
    });

    it("reports a distribution that does not sum to 1 and an empty question, and keeps the values as they are", () => {
        const text = csvText(HEADER, [good, ["", "defaultdict(<class 'list'>, {'United States': [0.25, 0.7]})", "['Yes', 'No']", "GAS"]]);
        const { rows, warnings } = parseGlobalOpinionQa(text, "odd.csv");
        expect(rows[1].selections[DEFAULT_US_KEY]).toEqual([0.25, 0.7]);
        expect(warnings).toEqual([
            { row: 2, line: 3, reason: "'United States' sums to 0.95, not 1 (kept as it is)" },
            { row: 2, line: 3, reason: "the question is empty" },
        ]);
        expect(parseGlobalOpinionQa(text, "odd.csv", { sumTolerance: 0.1 }).warnings).toHaveLength(1);
    });

    it("finds a damaged row inside the real file by its row and line number", () => {
        const real = fs.readFileSync(shipped, "utf8");
        const damaged = real.replace("[0.28, 0.42, 0.12, 0.14, 0.0, 0.04]", "[0.28, 0.42, 0.12, 0.14, 0.04]");
        expect(damaged).not.toBe(real);
        const error = formatError(() => parseGlobalOpinionQa(damaged, "damaged.csv"));
        expect(error.problems).toEqual([{ row: 11, line: 13, reason: "options has 6 entries but 'India (Current national sample)' has 5 probabilities" }]);
    });

    it("rejects a file without the original's columns, naming the missing ones", () => {
        const error = formatError(() => parseGlobalOpinionQa(csvText(["question", "options", "source"], [["Q", "['a']", "GAS"]]), "x.csv"));
        expect(error.message).toMatch(/missing column selections; the header is: question, options, source/);
    });

    it("rejects a row with the wrong number of fields and CSV that does not parse", () => {
        const short = `${HEADER.join(",")}\nQ1,"{'US': [1.0]}",['a'],GAS\nQ2,only two\n`;
        expect(formatError(() => parseGlobalOpinionQa(short, "short.csv")).problems).toEqual([{ row: 2, line: 3, reason: "has 2 fields, the header has 4" }]);
        expect(() => parseGlobalOpinionQa(`${HEADER.join(",")}\n"Q1"x,a,b,c\n`, "bad-quote.csv")).toThrow(DatasetFormatError);
        expect(formatError(() => parseGlobalOpinionQa(`${HEADER.join(",")}\n"Q1"x,a,b,c\n`, "bad-quote.csv")).message).toMatch(/not valid CSV/);
    });

    it("says where the file should be when it is missing", () => {
        expect(() => readGlobalOpinionQa("/nonexistent/global_opinions.csv")).toThrow(/does not exist: expected the GlobalOpinionQA CSV there \(see `culturescope data list`\)/);
    });
});
