// NormAd loader on rows in NormAd's exact column format. No NormAd file can be shipped or fetched here, so these
// rows are SYNTHETIC: written for this test, imitating the published layout (long multi-line Background repeated
// per country, snake_case countries, yes/no/neutral gold labels). They are not NormAd data.
import { describe, expect, it } from "vitest";
import { NORMAD_COLUMNS, parseNormAd } from "../../src/datasets/normad.ts";
import { csvText, formatError } from "./support.ts";

const background = "SYNTHETIC background.\n- Greetings: people often greet elders first, with \"namaste\".\n- Eating: the right hand is used, never the left.";
const story = (id: string, country: string, gold: string, storyText = "SYNTHETIC: Asha visits her friend's family and eats with her left hand. Is what Asha did socially acceptable?") =>
    [id, country, background, "Etiquette", "eating", "Respect for shared meals.", "It is expected to eat with the right hand.", storyText, "SYNTHETIC explanation.", gold];

describe("NormAd, synthetic rows in the published format", () => {
    it("reads every column, multi-line text and the three gold labels", () => {
        const text = csvText(NORMAD_COLUMNS, [story("1", "india", "no"), story("2", "india", "yes"), story("3", "south_sudan", "neutral")]);
        const { rows, warnings } = parseNormAd(text, "normad.csv");
        expect(warnings).toEqual([]);
        expect(rows.map((r) => [r.id, r.country, r.goldLabel])).toEqual([["1", "india", "no"], ["2", "india", "yes"], ["3", "south_sudan", "neutral"]]);
        expect(rows[0]).toMatchObject({ background, axis: "Etiquette", subaxis: "eating", value: "Respect for shared meals.", ruleOfThumb: "It is expected to eat with the right hand.", explanation: "SYNTHETIC explanation." });
        expect(rows[1].line).toBe(5); // row 1 spans lines 2–4 (two line breaks in Background)
    });

    it("names the row of a bad gold label or a missing story, and accepts capitalised labels", () => {
        const text = csvText(NORMAD_COLUMNS, [story("1", "india", "Yes"), story("2", "india", "maybe"), story("3", "india", "no", " ")]);
        expect(formatError(() => parseNormAd(text, "normad.csv")).problems.map((p) => `row ${p.row}: ${p.reason}`)).toEqual([
            'row 2: Gold Label is "maybe", expected one of yes, no, neutral',
            "row 3: Story is empty",
        ]);
    });

    it("rejects a file without NormAd's columns", () => {
        const text = csvText(NORMAD_COLUMNS.filter((c) => c !== "Gold Label"), [story("1", "india", "no").slice(0, 9)]);
        expect(formatError(() => parseNormAd(text, "other.csv")).message).toMatch(/missing column Gold Label; .*\nExpected the NormAd CSV/);
    });
});
