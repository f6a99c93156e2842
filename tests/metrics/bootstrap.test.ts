import { describe, expect, it } from "vitest";
import {
    bootstrapIntervals,
    bootstrapMean,
    pairedBootstrapMeanDifference,
    quantileSorted,
    weightedMean,
} from "../../src/metrics/bootstrap.ts";
import { seededUniform } from "./support/random.ts";

const bernoulli = (next: () => number, p: number, n: number) => Array.from({ length: n }, () => (next() < p ? 1 : 0));
const width = (ci: { ciLower: number; ciUpper: number }) => ci.ciUpper - ci.ciLower;

describe("percentile bootstrap", () => {
    it("quantiles interpolate linearly between order statistics (numpy's default)", () => {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1 + 0.75·(2 − 1) = 1.75; 0.975 → 3 + 0.925·1 = 3.925
        expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
        expect(quantileSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 15);
        expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
        expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
        expect(quantileSorted([5], 0.3)).toBe(5);
        expect(() => quantileSorted([], 0.5)).toThrow(/empty set/);
    });

    it("the point estimate is the plain mean and the same seed gives the same interval", () => {
        // continuous values: with 0/1 values the percentiles of different seeds often land on the same multiple of 1/n
        const next = seededUniform(1);
        const values = Array.from({ length: 300 }, () => next());
        const mean = values.reduce((s, v) => s + v, 0) / values.length;
        const a = bootstrapMean(values, { seed: 7, resamples: 2000 });
        const b = bootstrapMean(values, { seed: 7, resamples: 2000 });
        const c = bootstrapMean(values, { seed: 8, resamples: 2000 });
        expect(a.value).toBe(mean);
        expect(b).toEqual(a);
        expect(c.value).toBe(a.value);
        expect([c.ciLower, c.ciUpper]).not.toEqual([a.ciLower, a.ciUpper]);
    });

    it("a constant sample has a zero-width interval", () => {
        expect(bootstrapMean([1, 1, 1, 1], { resamples: 100 })).toEqual({ value: 1, ciLower: 1, ciUpper: 1 });
    });

    it("on a large sample the interval holds the true mean and matches the normal-theory width", () => {
        // Bernoulli(0.3), n = 4000: SE = √(0.3·0.7/4000) = 0.0072457; 95% normal width = 2·1.95996·SE = 0.028402
        const values = bernoulli(seededUniform(2), 0.3, 4000);
        const ci = bootstrapMean(values, { resamples: 4000 });
        expect(ci.ciLower).toBeLessThan(0.3);
        expect(ci.ciUpper).toBeGreaterThan(0.3);
        expect(width(ci)).toBeGreaterThan(0.028402 * 0.9);
        expect(width(ci)).toBeLessThan(0.028402 * 1.1);
    });

    it("the interval narrows like 1/√n", () => {
        const next = seededUniform(3);
        const small = bootstrapMean(bernoulli(next, 0.5, 100), { resamples: 4000 });
        const large = bootstrapMean(bernoulli(next, 0.5, 1600), { resamples: 4000 });
        // 16 times the questions: a quarter of the width, give or take sampling noise
        expect(width(large) / width(small)).toBeGreaterThan(0.2);
        expect(width(large) / width(small)).toBeLessThan(0.3);
    });

    it("covers the true mean about 95% of the time over repeated samples", () => {
        const next = seededUniform(4);
        let covered = 0;
        const experiments = 300;
        for (let e = 0; e < experiments; e++) {
            const ci = bootstrapMean(bernoulli(next, 0.4, 200), { seed: e, resamples: 1000 });
            if (ci.ciLower <= 0.4 && 0.4 <= ci.ciUpper) covered++;
        }
        // binomial(300, 0.95) has sd 3.8 points; percentile intervals run slightly narrow at n = 200
        expect(covered / experiments).toBeGreaterThan(0.89);
        expect(covered / experiments).toBeLessThan(0.99);
    });

    it("computes several aggregates from the same resamples, leaving undefined replicates out", () => {
        // aggregate 0: mean of all; aggregate 1: mean of the only unit-3 value, NaN when unit 3 is not drawn
        const values = [0, 1, 0, 1];
        const [all, onlyLast] = bootstrapIntervals(
            4,
            (w) => [weightedMean(values, w), w[3] > 0 ? values[3] : Number.NaN],
            { resamples: 500 },
        );
        expect(all.value).toBe(0.5);
        expect(onlyLast).toEqual({ value: 1, ciLower: 1, ciUpper: 1 });
    });

    it("weightedMean counts a unit as often as it was drawn", () => {
        // units drawn (2, 0, 1) times: (2·4 + 1·10) / 3 = 6
        expect(weightedMean([4, 100, 10], [2, 0, 1])).toBe(6);
        expect(Number.isNaN(weightedMean([1, 2], [0, 0]))).toBe(true);
    });

    it("rejects empty input, non-finite values and bad options", () => {
        expect(() => bootstrapMean([])).toThrow(/empty set of questions/);
        expect(() => bootstrapMean([1, Number.NaN])).toThrow(/finite number, got NaN/);
        expect(() => bootstrapIntervals(0, () => [0])).toThrow(/at least one question/);
        expect(() => bootstrapMean([1], { resamples: 0 })).toThrow(/resamples must be a positive integer/);
        expect(() => bootstrapMean([1], { confidence: 95 })).toThrow(/confidence must lie strictly between 0 and 1/);
        expect(() => bootstrapMean([1], { seed: 1.5 })).toThrow(/seed must be an integer/);
    });
});

describe("paired bootstrap", () => {
    it("the difference is mean(B) − mean(A) and its interval is much narrower for correlated runs than unpaired", () => {
        // run A's per-question scores vary a lot between questions; run B = A + a small shift and small noise
        const next = seededUniform(5);
        const a = Array.from({ length: 400 }, () => next());
        const b = a.map((x) => x + 0.02 + (next() - 0.5) * 0.05);
        const meanA = a.reduce((s, x) => s + x, 0) / a.length;
        const meanB = b.reduce((s, x) => s + x, 0) / b.length;
        const paired = pairedBootstrapMeanDifference(a, b, { resamples: 3000 });
        expect(paired.valueA).toBe(meanA);
        expect(paired.valueB).toBe(meanB);
        expect(paired.difference).toBe(meanB - meanA);
        expect(paired.ciLower).toBeGreaterThan(0); // the shift is detected
        // unpaired: the two means' intervals combined as if independent, √(wA² + wB²)
        const wA = width(bootstrapMean(a, { resamples: 3000 }));
        const wB = width(bootstrapMean(b, { resamples: 3000, seed: 99 }));
        expect(width(paired)).toBeLessThan(Math.hypot(wA, wB) / 5);
    });

    it("identical runs differ by exactly 0", () => {
        expect(pairedBootstrapMeanDifference([0, 1, 1], [0, 1, 1], { resamples: 100 })).toEqual({ valueA: 2 / 3, valueB: 2 / 3, difference: 0, ciLower: 0, ciUpper: 0 });
    });

    it("rejects unpaired input", () => {
        expect(() => pairedBootstrapMeanDifference([1, 0], [1])).toThrow(/run A has 2 questions but run B 1/);
        expect(() => pairedBootstrapMeanDifference([], [])).toThrow(/empty set of questions/);
        expect(() => pairedBootstrapMeanDifference([1], [Infinity])).toThrow(/finite number, got Infinity/);
    });
});
