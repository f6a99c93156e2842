// Fitting the map on synthetic microdata drawn from two known latent factors (with weights and missing values):
// the fit must recover which items load on which axis with which sign, and the order of the synthetic countries.
// Expected values come from the generator (tests/culturalmap/synthetic.ts) and from arithmetic done here.
import { describe, expect, it } from "vitest";
import { fitCulturalMap } from "../../src/culturalmap/fit.ts";
import { MicrodataBuilder, type Microdata } from "../../src/culturalmap/microdata.ts";
import { projectCoded, type MapProjection } from "../../src/culturalmap/projection.ts";
import { COUNTRIES, EXPECTED, ITEM_ORDER, syntheticRespondents, weightedCorrelation, type SyntheticRow } from "./synthetic.ts";

function microdata(rows: readonly SyntheticRow[], transform: (code: string, cell: string) => string = (_, c) => c): Microdata {
    const builder = new MicrodataBuilder("synthetic.csv", ["S025", "S017", ...ITEM_ORDER]);
    for (const r of rows) builder.add([r.country, String(r.weight), ...r.cells.map((c, i) => transform(ITEM_ORDER[i], c))]);
    return builder.finish();
}

const ranks = (values: number[]) => values.map((v) => values.filter((u) => u < v).length);
const item = (p: MapProjection, code: string) => p.items.find((i) => i.code === code)!;

describe("fitting the map on synthetic two-factor microdata", () => {
    const rows = syntheticRespondents({ seed: 7, perCountry: 400, missing: 0.05, weights: "random" });
    const projection = fitCulturalMap(microdata(rows));

    it("puts each item on its own axis with Inglehart & Welzel's sign", () => {
        for (const code of ITEM_ORDER) {
            const { loadings } = item(projection, code);
            const own = EXPECTED[code].axis === "t" ? loadings.traditionalSecular : loadings.survivalSelfExpression;
            const other = EXPECTED[code].axis === "t" ? loadings.survivalSelfExpression : loadings.traditionalSecular;
            expect(Math.sign(own), code).toBe(EXPECTED[code].sign);
            expect(Math.abs(own), code).toBeGreaterThan(0.45);
            expect(Math.abs(own), code).toBeGreaterThan(2 * Math.abs(other));
        }
        expect(projection.fit.itemsAgainstTheory).toEqual([]);
        expect(projection.fit.varimax.converged).toBe(true);
    });

    it("orders the synthetic countries as their latent positions on both axes", () => {
        const byKey = new Map(projection.countryYears.map((c) => [c.key, c]));
        expect(projection.countryYears).toHaveLength(COUNTRIES.length);
        expect(ranks(COUNTRIES.map((c) => byKey.get(c.key)!.TradAgg))).toEqual(ranks(COUNTRIES.map((c) => c.t)));
        expect(ranks(COUNTRIES.map((c) => byKey.get(c.key)!.SurvSAgg))).toEqual(ranks(COUNTRIES.map((c) => c.s)));
    });

    it("computes each correlation on the respondents who answered both items (pairwise deletion), weighted", () => {
        const w = rows.map((r) => r.weight);
        const column = (code: string) => rows.map((r) => r.items[ITEM_ORDER.indexOf(code)]);
        for (let a = 0; a < ITEM_ORDER.length; a++) {
            for (let b = a + 1; b < ITEM_ORDER.length; b++) {
                const expected = weightedCorrelation(column(ITEM_ORDER[a]), column(ITEM_ORDER[b]), w);
                expect(projection.fit.correlation[a][b]).toBeCloseTo(expected, 10);
                const both = rows.filter((r) => r.items[a] !== null && r.items[b] !== null).length;
                expect(projection.fit.pairwiseRespondents[a][b]).toBe(both);
            }
        }
        // 5% of cells are missing, so pairs really were computed on different respondents.
        expect(new Set(projection.fit.pairwiseRespondents.flat()).size).toBeGreaterThan(10);
    });

    it("standardises with the weighted mean and SD of each item's valid answers", () => {
        for (const [i, code] of ITEM_ORDER.entries()) {
            const valid = rows.filter((r) => r.items[i] !== null);
            const sw = valid.reduce((s, r) => s + r.weight, 0);
            const mean = valid.reduce((s, r) => s + r.weight * r.items[i]!, 0) / sw;
            const variance = valid.reduce((s, r) => s + r.weight * (r.items[i]! - mean) ** 2, 0) / sw;
            expect(item(projection, code).mean).toBeCloseTo(mean, 10);
            expect(item(projection, code).sd).toBeCloseTo(Math.sqrt(variance), 10);
        }
    });

    it("uses regression scores: R·B reproduces the loadings", () => {
        const r = projection.fit.correlation;
        for (const axis of ["traditionalSecular", "survivalSelfExpression"] as const) {
            r.forEach((row, i) => {
                const rb = row.reduce((s, rij, j) => s + rij * projection.items[j].scoreCoefficients[axis], 0);
                expect(rb).toBeCloseTo(projection.items[i].loadings[axis], 10);
            });
        }
    });

    it("scores with z·B, the published rescaling, and weighted means over complete respondents", () => {
        const means = projection.items.map((i) => i.mean);
        const atMeans = projectCoded(projection, means);
        expect(atMeans.TradAgg).toBeCloseTo(-0.1, 12);
        expect(atMeans.SurvSAgg).toBeCloseTo(0.038, 12);
        const f063 = ITEM_ORDER.indexOf("F063");
        const oneSdUp = projectCoded(projection, means.map((m, i) => (i === f063 ? m + projection.items[i].sd : m)));
        expect(oneSdUp.TradAgg).toBeCloseTo(1.61 * projection.items[f063].scoreCoefficients.traditionalSecular - 0.1, 12);
        expect(oneSdUp.SurvSAgg).toBeCloseTo(1.81 * projection.items[f063].scoreCoefficients.survivalSelfExpression + 0.038, 12);

        const country = COUNTRIES[2].key;
        const complete = rows.filter((r) => r.country === country && r.items.every((v) => v !== null));
        let sw = 0, st = 0;
        for (const r of complete) {
            const t = projection.items.reduce((s, it, i) => s + ((r.items[i]! - it.mean) / it.sd) * it.scoreCoefficients.traditionalSecular, 0);
            sw += r.weight;
            st += r.weight * (1.61 * t - 0.1);
        }
        const placed = projection.countryYears.find((c) => c.key === country)!;
        expect(placed.respondents).toBe(complete.length);
        expect(placed.TradAgg).toBeCloseTo(st / sw, 10);
        expect(complete.length).toBeLessThan(400); // respondents with a missing item were left out
    });

    it("reads Y003 coded the longitudinal file's way (+2 = obedience) and still fits the same map", () => {
        const flipped = fitCulturalMap(microdata(rows, (code, cell) => (code === "Y003" && cell !== "" && Number(cell) >= -2 ? String(-Number(cell)) : cell)));
        expect(flipped.source.y003.convention).toBe("obedience-positive");
        expect(projection.source.y003.convention).toBe("autonomy-positive");
        expect(Math.sign(flipped.source.y003.correlationWithF063)).toBe(-Math.sign(projection.source.y003.correlationWithF063));
        flipped.countryYears.forEach((c, i) => {
            expect(c.TradAgg).toBeCloseTo(projection.countryYears[i].TradAgg, 10);
            expect(c.SurvSAgg).toBeCloseTo(projection.countryYears[i].SurvSAgg, 10);
        });
        expect(item(flipped, "Y003").mean).toBeCloseTo(item(projection, "Y003").mean, 10);
    });
});

describe("properties of the fit that hold for any data", () => {
    it("gives complete-case regression scores weighted mean 0, variance 1 and no correlation when nothing is missing", () => {
        const rows = syntheticRespondents({ seed: 3, perCountry: 150, missing: 0, weights: "random" });
        const p = fitCulturalMap(microdata(rows));
        let sw = 0, st = 0, ss = 0, stt = 0, sss = 0, sts = 0;
        for (const r of rows) {
            let t = 0, s = 0;
            p.items.forEach((it, i) => {
                const z = (r.items[i]! - it.mean) / it.sd;
                t += z * it.scoreCoefficients.traditionalSecular;
                s += z * it.scoreCoefficients.survivalSelfExpression;
            });
            sw += r.weight;
            st += r.weight * t;
            ss += r.weight * s;
            stt += r.weight * t * t;
            sss += r.weight * s * s;
            sts += r.weight * t * s;
        }
        expect(st / sw).toBeCloseTo(0, 10);
        expect(ss / sw).toBeCloseTo(0, 10);
        expect(stt / sw).toBeCloseTo(1, 10);
        expect(sss / sw).toBeCloseTo(1, 10);
        expect(sts / sw).toBeCloseTo(0, 10);
    });

    it("treats a weight of k like k copies of the respondent", () => {
        const rows = syntheticRespondents({ seed: 11, perCountry: 120, missing: 0.04, weights: "integer" });
        const copies = rows.flatMap((r) => Array.from({ length: r.weight }, () => ({ ...r, weight: 1 })));
        const weighted = fitCulturalMap(microdata(rows));
        const replicated = fitCulturalMap(microdata(copies));
        weighted.items.forEach((it, i) => {
            expect(it.mean).toBeCloseTo(replicated.items[i].mean, 10);
            expect(it.loadings.traditionalSecular).toBeCloseTo(replicated.items[i].loadings.traditionalSecular, 9);
            expect(it.loadings.survivalSelfExpression).toBeCloseTo(replicated.items[i].loadings.survivalSelfExpression, 9);
        });
        weighted.countryYears.forEach((c, i) => {
            expect(c.TradAgg).toBeCloseTo(replicated.countryYears[i].TradAgg, 9);
            expect(c.SurvSAgg).toBeCloseTo(replicated.countryYears[i].SurvSAgg, 9);
        });
        // Not vacuous: the weights differ between respondents.
        expect(new Set(rows.map((r) => r.weight)).size).toBe(3);
    });

    it("leaves a country-year off the map when it never asked an item, or when its weights are all zero", () => {
        const rows = syntheticRespondents({ seed: 5, perCountry: 100, missing: 0.02 });
        const e025 = ITEM_ORDER.indexOf("E025");
        const edited = rows.map((r) => {
            if (r.country === COUNTRIES[1].key) return { ...r, cells: r.cells.map((c, i) => (i === e025 ? "-4" : c)) };
            if (r.country === COUNTRIES[2].key) return { ...r, weight: 0 };
            return r;
        });
        const p = fitCulturalMap(microdata(edited));
        expect(p.countryYears.map((c) => c.key)).toEqual([COUNTRIES[0].key, COUNTRIES[3].key, COUNTRIES[4].key]);
        expect(p.unplacedCountryYears).toEqual([
            { key: COUNTRIES[1].key, respondents: 100, reason: "no respondent answered E025" },
            { key: COUNTRIES[2].key, respondents: 100, reason: expect.stringMatching(/respondents with all ten items all have weight 0/) },
        ]);
    });
});
