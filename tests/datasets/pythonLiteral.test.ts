// The safe Python-literal reader: what Python's repr/str writes is read back exactly, anything else is refused with
// its position. Expected values here are what CPython 3 gives for the same text (ast.literal_eval, or float() for
// nan/inf, which literal_eval cannot read).
import { describe, expect, it } from "vitest";
import { parsePythonLiteral, PythonLiteralError, PythonNumber, withPlainNumbers } from "../../src/datasets/pythonLiteral.ts";

const dict = (...entries: Array<[string | number, unknown]>) => new Map(entries);

describe("parsePythonLiteral: what repr writes", () => {
    it("reads scalars", () => {
        expect(parsePythonLiteral("None")).toBe(null);
        expect(parsePythonLiteral("True")).toBe(true);
        expect(parsePythonLiteral("False")).toBe(false);
        expect(parsePythonLiteral("0")).toBe(0);
        expect(parsePythonLiteral("-12")).toBe(-12);
        expect(parsePythonLiteral("0.2564102564102564")).toBe(0.2564102564102564);
        expect(parsePythonLiteral("1e-05")).toBe(1e-5);
        expect(parsePythonLiteral("2.5E+3")).toBe(2500);
        expect(parsePythonLiteral(".5")).toBe(0.5);
        expect(parsePythonLiteral("1.")).toBe(1);
        expect(parsePythonLiteral("nan")).toBeNaN();
        expect(parsePythonLiteral("inf")).toBe(Infinity);
        expect(parsePythonLiteral("-inf")).toBe(-Infinity);
    });

    it("reads strings with both quote kinds, escapes and non-ASCII text", () => {
        expect(parsePythonLiteral(`"Don't know/Refused"`)).toBe("Don't know/Refused");
        expect(parsePythonLiteral(`'He said "no"'`)).toBe('He said "no"');
        expect(parsePythonLiteral(String.raw`'It\'s a \"test\"'`)).toBe(`It's a "test"`);
        expect(parsePythonLiteral(String.raw`'a\nb\tc\\d'`)).toBe("a\nb\tc\\d");
        expect(parsePythonLiteral(String.raw`'\x41\u00e9\U0001F600\101\0'`)).toBe("Aé😀A\0");
        expect(parsePythonLiteral(String.raw`'C:\data'`)).toBe("C:\\data"); // unknown escapes stay as written
        expect(parsePythonLiteral("'(survey country)’s “quoted”'")).toBe("(survey country)’s “quoted”");
        expect(parsePythonLiteral("''")).toBe("");
        expect(parsePythonLiteral("u'x'")).toBe("x");
    });

    it("reads lists and dicts, nested, with trailing commas and any whitespace", () => {
        expect(parsePythonLiteral("[]")).toEqual([]);
        expect(parsePythonLiteral("[1, 2.0, 'three', None, [True]]")).toEqual([1, 2, "three", null, [true]]);
        expect(parsePythonLiteral("[1,\n 2,\t]")).toEqual([1, 2]);
        expect(parsePythonLiteral("{}")).toEqual(new Map());
        expect(parsePythonLiteral("{'a': [0.5, 0.5], 1: 'one', }")).toEqual(dict(["a", [0.5, 0.5]], [1, "one"]));
    });

    it("keeps dict key order and tells 1 from '1'", () => {
        const d = parsePythonLiteral("{'b': 1, 'a': 2, '1': 3, 1: 4}") as Map<unknown, unknown>;
        expect([...d.keys()]).toEqual(["b", "a", "1", 1]);
    });

    it("reads the defaultdict wrapper as the dict it holds", () => {
        expect(parsePythonLiteral("defaultdict(<class 'list'>, {'India (Current national sample)': [0.62, 0.38], 'United States': [0.5, 0.5]})"))
            .toEqual(dict(["India (Current national sample)", [0.62, 0.38]], ["United States", [0.5, 0.5]]));
        expect(parsePythonLiteral("defaultdict(<class 'list'>, {})")).toEqual(new Map());
    });

    it("returns numbers with their source text when asked, so str() of a float option is kept (1.0, not 1)", () => {
        const options = parsePythonLiteral("['Not important at all', 1.0, 'Very important', 10.0]", { numberText: true }) as unknown[];
        expect(options[1]).toEqual(new PythonNumber(1, "1.0"));
        expect((options[3] as PythonNumber).text).toBe("10.0");
        expect(withPlainNumbers(options as never)).toEqual(["Not important at all", 1, "Very important", 10]);
    });

    it("reads real GlobalOpinionQA cells: a selections string and an options list with mixed quotes", () => {
        const selections = "defaultdict(<class 'list'>, {'India (Current national sample)': [0.28, 0.42, 0.12, 0.14, 0.0, 0.04], 'United States': [0.09, 0.3, 0.32, 0.27, 0.0, 0.02]})";
        expect(parsePythonLiteral(selections)).toEqual(dict(["India (Current national sample)", [0.28, 0.42, 0.12, 0.14, 0.0, 0.04]], ["United States", [0.09, 0.3, 0.32, 0.27, 0.0, 0.02]]));
        const options = `['Very satisfied', 'Somewhat satisfied', 'Not too satisfied', 'Not at all satisfied', "Don't know/Refused", 'DK/Refused']`;
        expect(parsePythonLiteral(options)).toEqual(["Very satisfied", "Somewhat satisfied", "Not too satisfied", "Not at all satisfied", "Don't know/Refused", "DK/Refused"]);
        expect(parsePythonLiteral("[0.0, 9.0, 10.0, 'DK/Refused', 1.0]")).toEqual([0, 9, 10, "DK/Refused", 1]);
    });
});

describe("parsePythonLiteral: what it refuses, with the position", () => {
    const refusal = (text: string) => {
        try {
            parsePythonLiteral(text);
        } catch (error) {
            expect(error).toBeInstanceOf(PythonLiteralError);
            return error as PythonLiteralError;
        }
        throw new Error(`accepted ${text}`);
    };

    it.each([
        ["__import__('os').system('x')", 0, /unknown name '__import__'/],
        ["[1, 2", 5, /expected ',' or '\]' after list item 2, found the end of the text/],
        ["[1 2]", 3, /expected ',' or '\]'/],
        ["{'a' 1}", 5, /expected ':' after a dict key/],
        ["{'a': 1, 'a': 2}", 9, /duplicate dict key "a"/],
        ["{[1]: 2}", 1, /dict keys must be strings or numbers/],
        ["'abc", 0, /unterminated string/],
        ["'a\nb'", 2, /line break inside a string/],
        ["'''doc'''", 0, /triple-quoted/],
        ["b'x'", 0, /b-prefixed strings/],
        ["(1, 2)", 0, /tuples are not supported/],
        ["0x1F", 0, /malformed number/],
        ["1j", 0, /malformed number/],
        ["007", 0, /leading zeros/],
        ["'\\x4'", 1, /\\x needs 2 hex digits/],
        ["'\\N{DASH}'", 1, /named escapes/],
        ["[1] [2]", 4, /unexpected text after the end/],
        ["", 0, /expected a value, found the end/],
        ["defaultdict(list, {})", 12, /expected the default factory/],
        ["defaultdict(<class 'list'>, [1])", 28, /expected '\{'/],
        ["defaultdict(<class 'list'>, {}", 30, /expected '\)' to close defaultdict/],
    ])("%j is refused at char %i", (text, position, reason) => {
        const error = refusal(text);
        expect(error.position).toBe(position);
        expect(error.reason).toMatch(reason);
        expect(error.message).toMatch(new RegExp(`at char ${position}: `));
    });

    it("refuses nesting deeper than 64 levels instead of overflowing the stack", () => {
        expect(refusal("[".repeat(100_000)).reason).toMatch(/nesting deeper than 64/);
    });

    it("shows the text around the problem in the message", () => {
        const error = refusal("defaultdict(<class 'list'>, {'India': [0.5, 0.5}, 'US': [1.0]})");
        expect(error.message).toContain("⟨here⟩");
        expect(error.message).toMatch(/at char 47: .*0\.5, 0\.5⟨here⟩\}/);
    });
});
