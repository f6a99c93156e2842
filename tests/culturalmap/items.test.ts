// Item coding and the two derived indices, checked row by row on hand-made respondents, and against the WVS's own
// Y002/Y003 for every respondent of the real Finland + Singapore extract.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { codeModelAnswers } from "../../src/culturalmap/answers.ts";
import { autonomyMentionsFromQualities, codeItemValue, codeMention, deriveY002, deriveY003 } from "../../src/culturalmap/items.ts";
import { repoRoot } from "../support/models.ts";

describe("Y002, the 4-item post-materialist index", () => {
    // first choice, second choice → index. Goals: 1 order, 2 more say, 3 prices, 4 free speech.
    const respondents: [string, number, number, 1 | 2 | 3 | null][] = [
        ["order, then prices: both materialist", 1, 3, 1],
        ["prices, then order", 3, 1, 1],
        ["more say, then free speech: both post-materialist", 2, 4, 3],
        ["free speech, then more say", 4, 2, 3],
        ["order, then more say", 1, 2, 2],
        ["more say, then order", 2, 1, 2],
        ["prices, then free speech", 3, 4, 2],
        ["free speech, then prices", 4, 3, 2],
        ["order, then free speech", 1, 4, 2],
        ["more say, then prices", 2, 3, 2],
        ["order named twice (WVS files code it mixed)", 1, 1, 2],
        ["free speech named twice", 4, 4, 2],
        ["first choice missing (−1 don't know)", -1, 2, null],
        ["second choice out of range", 1, 5, null],
        ["no first choice (0)", 0, 3, null],
    ];
    it.each(respondents)("%s", (_, first, second, expected) => {
        expect(deriveY002(first, second)).toBe(expected);
    });
});

describe("Y003, the autonomy index", () => {
    // qualities named (up to five of eleven) → (independence + determination) − (religious faith + obedience)
    const respondents: [string[], number][] = [
        [["independence", "determination, perseverance", "hard work"], 2],
        [["religious faith", "obedience", "good manners"], -2],
        [["independence", "obedience"], 0],
        [["independence", "religious faith", "obedience", "thrift, saving money and things"], -1],
        [["determination, perseverance", "imagination", "tolerance and respect for other people"], 1],
        [["good manners", "hard work", "feeling of responsibility", "unselfishness", "imagination"], 0],
        [[], 0],
        [["independence", "determination, perseverance", "religious faith"], 1],
    ];
    it.each(respondents)("%j → %i", (qualities, expected) => {
        expect(deriveY003(autonomyMentionsFromQualities(qualities as never))).toBe(expected);
    });

    it("reads IVS 0/1 mention codes and rejects the wave-7 file's 2 = not mentioned", () => {
        expect(codeMention(1)).toBe(true);
        expect(codeMention(0)).toBe(false);
        expect(codeMention(-2)).toBeNull();
        expect(codeMention(NaN)).toBeNull();
        expect(() => codeMention(2)).toThrow(/recode it to 0/);
    });
});

describe("answer codes", () => {
    it("keeps Y003's negative values, which are valid, and treats only codes below −2 as missing", () => {
        expect(codeItemValue("Y003", -2)).toEqual({ kind: "valid", value: -2 });
        expect(codeItemValue("Y003", -1)).toEqual({ kind: "valid", value: -1 });
        expect(codeItemValue("Y003", -5)).toEqual({ kind: "missing" });
        expect(codeItemValue("Y003", 3).kind).toBe("invalid");
    });

    it("treats negative WVS codes and empty cells as missing and rejects codes off the scale", () => {
        expect(codeItemValue("F063", -1)).toEqual({ kind: "missing" });
        expect(codeItemValue("F063", -4)).toEqual({ kind: "missing" });
        expect(codeItemValue("A008", NaN)).toEqual({ kind: "missing" });
        expect(codeItemValue("F063", 10)).toEqual({ kind: "valid", value: 10 });
        expect(codeItemValue("F063", 11).kind).toBe("invalid");
        expect(codeItemValue("F063", 0).kind).toBe("invalid");
        expect(codeItemValue("G006", 5).kind).toBe("invalid"); // wave-6 V211 = 5 "not a national", unrecoded
        expect(codeItemValue("E018", 2.5).kind).toBe("invalid");
    });

    it("codes a model's raw answers like a respondent's", () => {
        const coded = codeModelAnswers({
            A008: 1, A165: 2, E018: 3, E025: 1, F063: 10, F118: 4, F120: 7, G006: 2,
            Y002: { first: 4, second: 2 },
            Y003: { mentioned: ["Independence", "obedience", "hard work", "religious faith"] },
        });
        // A008 A165 E018 E025 F063 F118 F120 G006 Y002 Y003; Y002: both post-materialist; Y003: 1 + 0 − (1 + 1).
        expect(coded).toEqual([1, 2, 3, 1, 10, 4, 7, 2, 3, -1]);
        const flags = codeModelAnswers({
            A008: 4, A165: 1, E018: 1, E025: 3, F063: 1, F118: 10, F120: 1, G006: 4,
            Y002: { first: 3, second: 1 },
            Y003: { independence: true, determination: true, religiousFaith: false, obedience: false },
        });
        expect(flags).toEqual([4, 1, 1, 3, 1, 10, 1, 4, 1, 2]);
    });

    it("refuses incomplete or off-scale model answers, naming each problem", () => {
        const attempt = () =>
            codeModelAnswers({ A008: 5, A165: 1, E018: 1, E025: 1, F063: null, F118: 1, F120: 1, G006: 1, Y002: { first: 1 }, Y003: { mentioned: ["a", "b"] }, typo: 1 });
        expect(attempt).toThrow(/A008 is 5: .* 1…4/);
        expect(attempt).toThrow(/F063 is missing/);
        expect(attempt).toThrow(/Y002 is .*first.*second/);
        expect(attempt).toThrow(/unknown qualities \["a","b"\]/);
        expect(attempt).toThrow(/unknown key 'typo'/);
        const six = ["good manners", "independence", "hard work", "imagination", "obedience", "thrift, saving money and things"];
        expect(() => codeModelAnswers({ A008: 1, A165: 1, E018: 1, E025: 1, F063: 1, F118: 1, F120: 1, G006: 1, Y002: { first: 1, second: 2 }, Y003: { mentioned: six } })).toThrow(/up to 5/);
    });
});

const extract = path.join(repoRoot, "..", "shared", "datasets", "cultural_map", "wvs6_items", "wvs6_items.csv.gz");

describe.skipIf(!fs.existsSync(extract))("against the WVS's own indices (Finland + Singapore extract, shared/)", () => {
    it("derives Y002 and Y003 from their components exactly as the WVS files hold them, for all 6,488 respondents", () => {
        // The extract has no quoted fields (its PROVENANCE.md), so a plain split reads it independently of our reader.
        const [header, ...lines] = zlib.gunzipSync(fs.readFileSync(extract)).toString("utf8").trim().split("\n");
        const col = Object.fromEntries(header.split(",").map((name, i) => [name, i]));
        const num = (cells: string[], name: string) => (cells[col[name]] === "" ? NaN : Number(cells[col[name]]));
        let mismatches = 0, y002Present = 0, y003Present = 0;
        for (const line of lines) {
            const c = line.split(",");
            const y002 = deriveY002(num(c, "goal_first"), num(c, "goal_second"));
            const flags = ["child_independence", "child_determination", "child_religious_faith", "child_obedience"].map((n) => codeMention(num(c, n)));
            const y003 = flags.includes(null) ? null : deriveY003({ independence: flags[0]!, determination: flags[1]!, religiousFaith: flags[2]!, obedience: flags[3]! });
            const wvsY002 = Number.isNaN(num(c, "Y002")) ? null : num(c, "Y002");
            const wvsY003 = Number.isNaN(num(c, "Y003")) ? null : num(c, "Y003");
            if (y002 !== wvsY002 || y003 !== wvsY003) mismatches++;
            if (wvsY002 !== null) y002Present++;
            if (wvsY003 !== null) y003Present++;
        }
        expect(lines).toHaveLength(6488);
        expect(mismatches).toBe(0);
        // Not vacuous: most respondents carry both indices (Y003 was not asked in Finland 1981).
        expect(y002Present).toBeGreaterThan(6000);
        expect(y003Present).toBeGreaterThan(5000);
    });
});
