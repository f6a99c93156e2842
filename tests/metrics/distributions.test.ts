import { describe, expect, it } from "vitest";
import { letterDistribution, modelOptionDistribution } from "../../src/metrics/distributions.ts";

describe("one permutation's letter distribution", () => {
    it("restricts to the letters, renormalises and keeps the mass on them", () => {
        // P(A) = 0.3, P(B) = 0.1 over the vocabulary: mass 0.4, renormalised [0.3/0.4, 0.1/0.4] = [0.75, 0.25]
        const { probabilities, optionMass } = letterDistribution([Math.log(0.3), Math.log(0.1)]);
        expect(optionMass).toBeCloseTo(0.4, 15);
        expect(probabilities[0]).toBeCloseTo(0.75, 15);
        expect(probabilities[1]).toBeCloseTo(0.25, 15);
    });

    it("still gives a distribution when the letters hold almost no mass", () => {
        // e^-800 underflows to 0, but the ratio survives: P(A) = 1 / (1 + e^-1) = 0.7310585786300049
        const { probabilities, optionMass } = letterDistribution([-800, -801]);
        expect(optionMass).toBe(0);
        expect(probabilities[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 15);
        expect(probabilities[1]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 15);
    });

    it("a letter with probability 0 stays at 0", () => {
        expect(letterDistribution([Math.log(0.5), -Infinity]).probabilities).toEqual([1, 0]);
    });

    it("rejects what is not a log-softmax over one vocabulary", () => {
        expect(() => letterDistribution([])).toThrow(/empty: pass one log-probability per option letter/);
        expect(() => letterDistribution([0.3, -1])).toThrow(/letter log-probability 0 is 0\.3: log-probabilities must be numbers ≤ 0.*not logits or probabilities/);
        expect(() => letterDistribution([Number.NaN, -1])).toThrow(/letter log-probability 0 is NaN/);
        expect(() => letterDistribution([-Infinity, -Infinity])).toThrow(/every option letter has probability 0/);
        // 0.7 + 0.6 = 1.3 > 1
        expect(() => letterDistribution([Math.log(0.7), Math.log(0.6)])).toThrow(/hold 1\.3\d* of the probability mass, more than 1/);
    });
});

describe("averaging permutations in canonical order", () => {
    it("maps each letter back to its option and averages probabilities", () => {
        // permutation 1 shows options in order [0, 1, 2], letter probabilities [0.5, 0.3, 0.2] (mass 1)
        //   → canonical [0.5, 0.3, 0.2]
        // permutation 2 shows [2, 0, 1]: letter A = option 2, B = option 0, C = option 1; letters [0.3, 0.06, 0.24]
        //   (mass 0.6, renormalised [0.5, 0.1, 0.4]) → option 2 = 0.5, option 0 = 0.1, option 1 = 0.4 → [0.1, 0.4, 0.5]
        // mean: [(0.5 + 0.1)/2, (0.3 + 0.4)/2, (0.2 + 0.5)/2] = [0.3, 0.35, 0.35]; mass (1 + 0.6)/2 = 0.8, min 0.6
        const d = modelOptionDistribution([
            { optionOrder: [0, 1, 2], letterLogProbs: [0.5, 0.3, 0.2].map(Math.log) },
            { optionOrder: [2, 0, 1], letterLogProbs: [0.3, 0.06, 0.24].map(Math.log) },
        ]);
        expect(d.probabilities.map((p) => +p.toFixed(15))).toEqual([0.3, 0.35, 0.35]);
        expect(d.optionMass).toBeCloseTo(0.8, 15);
        expect(d.minOptionMass).toBeCloseTo(0.6, 15);
        expect(d.permutations).toBe(2);
    });

    it("a model that always answers letter A comes out uniform over cyclic orders", () => {
        const cyclic = [
            [0, 1, 2, 3],
            [1, 2, 3, 0],
            [2, 3, 0, 1],
            [3, 0, 1, 2],
        ];
        const d = modelOptionDistribution(cyclic.map((optionOrder) => ({ optionOrder, letterLogProbs: [0.85, 0.05, 0.05, 0.05].map(Math.log) })));
        for (const p of d.probabilities) expect(p).toBeCloseTo(0.25, 15);
    });

    it("a model that follows the option, not the letter, keeps its opinion across orders", () => {
        // it gives option 1 probability 0.7 and the others 0.1 wherever option 1 is shown
        const orders = [
            [0, 1, 2, 3],
            [3, 2, 1, 0],
            [1, 3, 0, 2],
        ];
        const byOption = [0.1, 0.7, 0.1, 0.1];
        const d = modelOptionDistribution(orders.map((optionOrder) => ({ optionOrder, letterLogProbs: optionOrder.map((o) => Math.log(byOption[o])) })));
        d.probabilities.forEach((p, i) => expect(p).toBeCloseTo(byOption[i], 15));
    });

    it("rejects inconsistent permutations", () => {
        const ok = { optionOrder: [0, 1], letterLogProbs: [Math.log(0.5), Math.log(0.5)] };
        expect(() => modelOptionDistribution([])).toThrow(/no permutations/);
        expect(() => modelOptionDistribution([ok, { optionOrder: [0, 0], letterLogProbs: ok.letterLogProbs }])).toThrow(/permutation 1 has optionOrder \[0, 0\], which is not a permutation of 0\.\.1/);
        expect(() => modelOptionDistribution([ok, { optionOrder: [0, 2], letterLogProbs: ok.letterLogProbs }])).toThrow(/not a permutation of 0\.\.1/);
        expect(() => modelOptionDistribution([{ optionOrder: [0, 1, 2], letterLogProbs: ok.letterLogProbs }])).toThrow(/lists 3 options but has 2 letter log-probabilities/);
        expect(() => modelOptionDistribution([ok, { optionOrder: [0, 1, 2], letterLogProbs: [-1, -2, -3] }])).toThrow(/permutation 1 has 3 letter log-probabilities but permutation 0 has 2/);
    });
});
