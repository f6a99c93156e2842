// Answer parsers on hand-written model outputs: plain answers are read, anything else is reported, never guessed.
import { describe, expect, it } from "vitest";
import { parseLetterAnswer, parseLetterListAnswer, parseRenderedAnswer, parseTrueFalseAnswer, parseYesNoNeitherAnswer } from "../../src/tasks/answerParsers.ts";

const value = <T>(p: { ok: true; value: T } | { ok: false }) => (p.ok ? p.value : null);

describe("answer parsers", () => {
    it("reads a multiple-mention answer (Y003: up to five of eleven qualities)", () => {
        const letters = "ABCDEFGHIJK".split("");
        for (const [text, expected] of [
            ["A, C, F", ["A", "C", "F"]], ["B", ["B"]], ["Answer: (A), (K)", ["A", "K"]], ["D E and G.", ["D", "E", "G"]], ["H, I और J", ["H", "I", "J"]], ["A, B\nbecause…", ["A", "B"]],
        ] as const) expect(value(parseLetterListAnswer(text, letters, 5)), text).toEqual(expected);
        expect(parseLetterListAnswer("A, B, C, D, E, F", letters, 5)).toEqual({ ok: false, text: "A, B, C, D, E, F", reason: "names 6 options; at most 5 may be chosen" });
        expect(parseLetterListAnswer("A, A", letters, 5)).toMatchObject({ ok: false, reason: "letter A is named twice" });
        expect(parseLetterListAnswer("A, L", letters, 5)).toMatchObject({ ok: false, reason: "letter L is not one of A, B, C, D, E, F, G, H, I, J, K" });
        for (const text of ["", "Independence, tolerance", "AB, C", "I think A"]) expect(parseLetterListAnswer(text, letters, 5).ok, text).toBe(false);
    });

    it("reads a leading option letter in its usual spellings", () => {
        const letters = ["A", "B", "C", "D"];
        for (const [text, expected] of [
            ["B", "B"], [" C.", "C"], ["(D) Never", "D"], ["A) Yes", "A"], ["Answer: B", "B"], ["उत्तर: C", "C"], ["**B**", "B"], ["B\nBecause…", "B"], ["D: Fighting rising prices", "D"],
        ] as const) expect(value(parseLetterAnswer(text, letters)), text).toBe(expected);
    });

    it("reports what is not a plain letter answer", () => {
        const letters = ["A", "B", "C", "D"];
        expect(parseLetterAnswer("A good question", letters)).toEqual({ ok: false, text: "A good question", reason: "does not start with an option letter" });
        expect(parseLetterAnswer("E.", letters)).toEqual({ ok: false, text: "E.", reason: "letter E is not one of A, B, C, D" });
        for (const text of ["", "I think B", "Both A and B", "b", "AB", "B, C", "A or D", "C; D."]) expect(parseLetterAnswer(text, letters).ok, text).toBe(false);
        expect(parseLetterAnswer("B, C", letters)).toMatchObject({ reason: "names more than one option" });
        expect(value(parseLetterAnswer("B, because it is polite", letters))).toBe("B");
    });

    it("reads TRUE/FALSE in English and Hindi", () => {
        for (const [text, expected] of [["TRUE", "true"], ["False.", "false"], ["true, because", "true"], ["सही", "true"], ["गलत।", "false"], ["ग़लत", "false"], ["Answer: False", "false"]] as const)
            expect(value(parseTrueFalseAnswer(text)), text).toBe(expected);
        for (const text of ["Truely", "Not true", "It is false", "सहीं", "maybe"]) expect(parseTrueFalseAnswer(text).ok, text).toBe(false);
    });

    it("reads yes/no/neither in English and Hindi, and does not read 'not' as 'no'", () => {
        for (const [text, expected] of [
            ["Yes", "yes"], ["no.", "no"], ["Neither", "neither"], ["neutral", "neither"], ["हाँ", "yes"], ["हां, क्योंकि", "yes"], ["नहीं", "no"], ["न तो हाँ न नहीं", "neither"], ["दोनों में से कोई नहीं", "neither"],
        ] as const) expect(value(parseYesNoNeitherAnswer(text)), text).toBe(expected);
        for (const text of ["Not really", "Nope", "Yesterday", "maybe", ""]) expect(parseYesNoNeitherAnswer(text).ok, text).toBe(false);
    });

    it("maps a lettered answer back through the answer order, or reads the label word", () => {
        // shown order [1, 0]: letter A shows canonical option 1 (false)
        expect(parseRenderedAnswer("A", ["A", "B"], ["true", "false"], [1, 0])).toEqual({ ok: true, value: "false" });
        expect(parseRenderedAnswer("सही", ["A", "B"], ["true", "false"], [1, 0])).toEqual({ ok: true, value: "true" });
        expect(parseRenderedAnswer("neither", ["A", "B", "C"], ["yes", "no", "neither"], [0, 1, 2])).toEqual({ ok: true, value: "neither" });
        expect(parseRenderedAnswer("C", ["A", "B", "C"], ["0", "1", "2"], [2, 0, 1])).toEqual({ ok: true, value: "1" });
        expect(parseRenderedAnswer("perhaps", ["A", "B"], ["true", "false"], [0, 1]).ok).toBe(false);
    });
});
