// The shipped official positions, read with self-expression positive. Expected numbers are the ones the data scout
// recorded in shared/datasets/cultural_map/PROVENANCE.md (survsagg as stored, survival positive).
import { describe, expect, it } from "vitest";
import { mapDistance } from "../../src/culturalmap/place.ts";
import { latestPerCountry, readReferencePositions } from "../../src/culturalmap/reference.ts";

describe("reference positions (datasets/cultural_map)", () => {
    const all = readReferencePositions();
    const at = (geo: string, year: number) => all.find((p) => p.geo === geo && p.year === year)!;

    it("holds every country-year of the IVS aggregates", () => {
        expect(all).toHaveLength(408);
        expect(latestPerCountry(all)).toHaveLength(118);
    });

    it("negates survsagg so that self-expression is positive, and keeps tradagg", () => {
        // Stored: india 2023 tradagg −0.5691, survsagg +0.4380; united_states 2017 +0.2976, −1.2056; Sweden 2017 survsagg −3.11.
        expect(at("india", 2023)).toMatchObject({ name: "India" });
        expect(at("india", 2023).TradAgg).toBeCloseTo(-0.5691, 4);
        expect(at("india", 2023).SurvSAgg).toBeCloseTo(-0.438, 4);
        expect(at("united_states", 2017).TradAgg).toBeCloseTo(0.2976, 4);
        expect(at("united_states", 2017).SurvSAgg).toBeCloseTo(1.2056, 4);
        expect(at("sweden", 2017).SurvSAgg).toBeCloseTo(3.11, 2);
    });

    it("uses each country's latest survey year", () => {
        const latest = new Map(latestPerCountry(all).map((p) => [p.geo, p.year]));
        expect(latest.get("india")).toBe(2023);
        expect(latest.get("united_states")).toBe(2017);
        expect(latest.get("moldova_rep_of")).toBe(2008); // surveyed 2008 only
    });

    it("measures Euclidean distance on (TradAgg, SurvSAgg)", () => {
        expect(mapDistance({ TradAgg: 0, SurvSAgg: 0 }, { TradAgg: 3, SurvSAgg: -4 })).toBe(5);
        const india = at("india", 2023), us = at("united_states", 2017);
        expect(mapDistance(india, us)).toBeCloseTo(Math.hypot(-0.5691 - 0.2976, -0.438 - 1.2056), 3);
    });
});
