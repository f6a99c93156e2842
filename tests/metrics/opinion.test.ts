import { describe, expect, it } from "vitest";
import {
    baselineDistribution,
    checkedDistribution,
    compareOpinionRuns,
    jensenShannonDistance,
    jensenShannonDivergence,
    opinionSimilarity,
    scoreOpinionBaseline,
    scoreOpinionQuestions,
    summariseOpinion,
    type OpinionQuestion,
} from "../../src/metrics/opinion.ts";
import { seededUniform } from "./support/random.ts";

const INDIA = "India (Current national sample)";
const US = "United States";

/** A random distribution over n options, with some exact zeros so 0·log 0 is exercised. */
function randomDistribution(next: () => number, n: number): number[] {
    const raw = Array.from({ length: n }, () => (next() < 0.2 ? 0 : next()));
    if (!raw.some((x) => x > 0)) raw[0] = 1;
    const sum = raw.reduce((s, x) => s + x, 0);
    return raw.map((x) => x / sum);
}

/** Independent formulation: JSD = H(M) − ½H(P) − ½H(Q), entropies in the given base. */
function jsdViaEntropies(p: number[], q: number[], base: number): number {
    const entropy = (d: number[]) => -d.reduce((s, x) => (x > 0 ? s + x * Math.log(x) : s), 0) / Math.log(base);
    const m = p.map((x, i) => (x + q[i]) / 2);
    return entropy(m) - entropy(p) / 2 - entropy(q) / 2;
}

describe("Jensen–Shannon divergence, distance and similarity", () => {
    it("identical distributions: divergence 0, similarity 1, in any base", () => {
        const p = [0.2, 0.3, 0.5];
        expect(jensenShannonDivergence(p, p)).toBe(0);
        expect(opinionSimilarity(p, p)).toBe(1);
        expect(opinionSimilarity(p, p, Math.E)).toBe(1);
    });

    it("disjoint supports: divergence log_b 2, so 1 bit and similarity 0 in base 2", () => {
        // M = [½, ½]; KL(P‖M) = 1·log2(1/½) = 1; KL(Q‖M) = 1; JSD = ½(1 + 1) = 1
        expect(jensenShannonDivergence([1, 0], [0, 1])).toBe(1);
        expect(opinionSimilarity([1, 0], [0, 1])).toBe(0);
        expect(opinionSimilarity([0.5, 0.5, 0, 0], [0, 0, 0.25, 0.75])).toBe(0);
        // base e: JSD = ln 2 nats, distance √(ln 2) = 0.8325546111576977
        expect(jensenShannonDistance([1, 0], [0, 1], Math.E)).toBeCloseTo(Math.sqrt(Math.LN2), 15);
    });

    it("worked example P = [½, ½], Q = [1, 0]", () => {
        // M = [¾, ¼]
        // KL(P‖M) = ½·log2(½ / ¾) + ½·log2(½ / ¼) = ½(1 − log2 3) + ½ = 1 − ½·log2 3
        // KL(Q‖M) = 1·log2(1 / ¾) = 2 − log2 3
        // JSD = ½[(1 − ½·log2 3) + (2 − log2 3)] = 1.5 − 0.75·log2 3 = 0.31127812445913283
        const jsd = 1.5 - 0.75 * Math.log2(3);
        expect(jsd).toBeCloseTo(0.31127812445913283, 15);
        expect(jensenShannonDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(jsd, 15);
        expect(jensenShannonDistance([0.5, 0.5], [1, 0])).toBeCloseTo(Math.sqrt(jsd), 15); // 0.5579230457...
        expect(opinionSimilarity([0.5, 0.5], [1, 0])).toBeCloseTo(1 - Math.sqrt(jsd), 15);
    });

    it("worked example P = [½, ½, 0], Q = [0, ½, ½]: JSD ½ bit, similarity 1 − √½", () => {
        // M = [¼, ½, ¼]; KL(P‖M) = ½·log2(½ / ¼) + ½·log2(½ / ½) = ½; KL(Q‖M) = ½ by mirror symmetry
        expect(jensenShannonDivergence([0.5, 0.5, 0], [0, 0.5, 0.5])).toBeCloseTo(0.5, 15);
        expect(opinionSimilarity([0.5, 0.5, 0], [0, 0.5, 0.5])).toBeCloseTo(1 - Math.SQRT1_2, 15); // 0.2928932188134524
    });

    it("agrees with the entropy formulation to 1e-12, is symmetric and bounded, on 2000 random pairs", () => {
        const next = seededUniform(1);
        for (let k = 0; k < 2000; k++) {
            const n = 2 + Math.floor(next() * 9);
            const p = randomDistribution(next, n);
            const q = randomDistribution(next, n);
            for (const base of [2, Math.E, 10]) {
                const jsd = jensenShannonDivergence(p, q, base);
                expect(Math.abs(jsd - jsdViaEntropies(p, q, base))).toBeLessThan(1e-12);
                expect(jensenShannonDivergence(q, p, base)).toBe(jsd);
                expect(jsd).toBeGreaterThanOrEqual(0);
                expect(jsd).toBeLessThanOrEqual(Math.LN2 / Math.log(base));
            }
            const sim = opinionSimilarity(p, q);
            expect(sim).toBeGreaterThanOrEqual(0);
            expect(sim).toBeLessThanOrEqual(1);
        }
    });

    it("the distance satisfies the triangle inequality on random triples", () => {
        const next = seededUniform(2);
        for (let k = 0; k < 2000; k++) {
            const n = 2 + Math.floor(next() * 6);
            const [a, b, c] = [0, 1, 2].map(() => randomDistribution(next, n));
            expect(jensenShannonDistance(a, c)).toBeLessThanOrEqual(jensenShannonDistance(a, b) + jensenShannonDistance(b, c) + 1e-15);
        }
    });

    it("never returns NaN for nearly identical distributions (rounding below 0 is clamped)", () => {
        const p = [0.1, 0.2, 0.30000000000000004, 0.39999999999999997];
        const q = [0.1, 0.2, 0.3, 0.4];
        const d = jensenShannonDistance(p, q);
        expect(Number.isNaN(d)).toBe(false);
        expect(d).toBeLessThan(1e-7);
    });

    it("rejects bad distributions with errors that name the problem and the fix", () => {
        expect(() => jensenShannonDivergence([0.5, 0.4], [0.5, 0.5])).toThrow(/sums to 0\.9, not 1.*divide the shares by their total/);
        expect(() => jensenShannonDivergence([1.5, -0.5], [0.5, 0.5])).toThrow(/entry 1 = -0\.5: probabilities must be finite numbers ≥ 0/);
        expect(() => jensenShannonDivergence([0.5, 0.5], [0.2, 0.3, 0.5])).toThrow(/2 and 3 options; both must list the same options/);
        expect(() => jensenShannonDivergence([], [])).toThrow(/is empty: pass one probability per answer option/);
        expect(() => jensenShannonDivergence([Number.NaN, 1], [0.5, 0.5])).toThrow(/entry 0 = NaN/);
        expect(() => jensenShannonDivergence([0.5, 0.5], [0.5, 0.5], 1)).toThrow(/base must be a finite number > 1/);
        expect(() => jensenShannonDivergence([0.5, 0.5], [0.5, 0.5], 0.5)).toThrow(/base must be a finite number > 1/);
    });

    it("accepts sums within the tolerance and divides them out", () => {
        expect(checkedDistribution([0.5, 0.5 + 1e-9], "d")).toEqual([0.5 / (1 + 1e-9), (0.5 + 1e-9) / (1 + 1e-9)]);
        expect(() => checkedDistribution([0.5, 0.5 + 1e-5], "d")).toThrow(/tolerance 0\.000001/);
        expect(() => checkedDistribution([0.5, 0.5 + 1e-5], "d", 1e-4)).not.toThrow();
    });
});

/** Q1: model on India's answer, US disjoint. Q2: model on the US's answer. Q3: India only. */
const handQuestions: OpinionQuestion[] = [
    { questionId: "q1", modelProbabilities: [1, 0], modelOptionMass: 0.9, countryDistributions: { [INDIA]: [1, 0], [US]: [0, 1] } },
    { questionId: "q2", modelProbabilities: [0.5, 0.5], modelOptionMass: 0.5, countryDistributions: { [INDIA]: [1, 0], [US]: [0.5, 0.5] } },
    { questionId: "q3", modelProbabilities: [0, 1], modelOptionMass: 0.1, countryDistributions: { [INDIA]: [0, 1] } },
];
/** JS distance between [½, ½] and [1, 0] in bits, from the worked example above */
const D_HALF = Math.sqrt(1.5 - 0.75 * Math.log2(3)); // 0.5579230457...

describe("per-question CAD and nCAD", () => {
    it("scores the hand-made questions", () => {
        const [q1, q2, q3] = scoreOpinionQuestions(handQuestions);
        // q1: Sim(m, India) = 1, Sim(m, US) = 1 − 1 = 0, CAD = 1, d(India, US) = 1, nCAD = 1
        expect(q1).toEqual({ questionId: "q1", focusCountry: INDIA, comparisonCountry: US, optionCount: 2, modelOptionMass: 0.9, similarityFocus: 1, similarityComparison: 0, cad: 1, countryDistance: 1, ncad: 1, ncadExcluded: false });
        // q2: Sim(m, India) = 1 − D_HALF, Sim(m, US) = 1, CAD = −D_HALF, d(India, US) = D_HALF, nCAD = −1
        expect(q2.similarityFocus).toBeCloseTo(1 - D_HALF, 15);
        expect(q2.similarityComparison).toBe(1);
        expect(q2.cad).toBeCloseTo(-D_HALF, 15);
        expect(q2.countryDistance).toBeCloseTo(D_HALF, 15);
        expect(q2.ncad).toBeCloseTo(-1, 15);
        // q3: no US sample, so no CAD
        expect(q3).toMatchObject({ similarityFocus: 1, similarityComparison: null, cad: null, countryDistance: null, ncad: null, ncadExcluded: false });
    });

    it("|CAD| ≤ JS distance(India, US) (triangle inequality) and nCAD ∈ [−1, 1] on random questions", () => {
        const next = seededUniform(3);
        const questions: OpinionQuestion[] = Array.from({ length: 3000 }, (_, k) => {
            const n = 2 + Math.floor(next() * 5);
            return {
                questionId: `r${k}`,
                modelProbabilities: randomDistribution(next, n),
                countryDistributions: { [INDIA]: randomDistribution(next, n), [US]: randomDistribution(next, n) },
            };
        });
        for (const s of scoreOpinionQuestions(questions, { ncadMinCountryDistance: 0 })) {
            expect(Math.abs(s.cad!)).toBeLessThanOrEqual(s.countryDistance! + 1e-15);
            if (s.countryDistance! > 0) {
                expect(s.ncad!).toBeGreaterThanOrEqual(-1);
                expect(s.ncad!).toBeLessThanOrEqual(1);
            }
        }
    });

    it("excludes questions whose countries are closer than the threshold, and counts them", () => {
        // d([0.5, 0.5], [0.52, 0.48]) is ≈ 0.0144 bits (well under 0.05); d([1, 0], [0, 1]) = 1
        const questions: OpinionQuestion[] = [
            { questionId: "close", modelProbabilities: [1, 0], countryDistributions: { [INDIA]: [0.5, 0.5], [US]: [0.52, 0.48] } },
            { questionId: "far", modelProbabilities: [1, 0], countryDistributions: { [INDIA]: [1, 0], [US]: [0, 1] } },
        ];
        const [close, far] = scoreOpinionQuestions(questions);
        expect(close.countryDistance).toBeLessThan(0.05);
        expect(close).toMatchObject({ ncad: null, ncadExcluded: true });
        expect(close.cad).not.toBeNull();
        expect(far).toMatchObject({ ncad: 1, ncadExcluded: false });
        const ncadRow = summariseOpinion(scoreOpinionQuestions(questions), { resamples: 200 }).find((r) => r.metric === "ncad")!;
        expect(ncadRow).toMatchObject({ questions: 1, excludedQuestions: 1, value: 1 });
        // with the threshold at 0 nothing is excluded
        expect(scoreOpinionQuestions(questions, { ncadMinCountryDistance: 0 })[0].ncadExcluded).toBe(false);
    });

    it("country keys are parameters, and an unknown key is an error that lists the keys present", () => {
        const questions: OpinionQuestion[] = [{ questionId: "a", modelProbabilities: [1, 0], countryDistributions: { Japan: [1, 0], Brazil: [0, 1] } }];
        expect(scoreOpinionQuestions(questions, { focusCountry: "Japan", comparisonCountry: "Brazil" })[0].cad).toBe(1);
        expect(() => scoreOpinionQuestions(questions)).toThrow(/focusCountry "India \(Current national sample\)" occurs in none of the 1 questions; country keys present: "Brazil", "Japan"/);
        expect(() => scoreOpinionQuestions(questions, { focusCountry: "Japan" })).toThrow(/comparisonCountry "United States" occurs in none/);
        expect(() => scoreOpinionQuestions(questions, { focusCountry: "Japan", comparisonCountry: "Japan" })).toThrow(/both "Japan"/);
    });

    it("rejects bad questions", () => {
        const base = handQuestions[0];
        expect(() => scoreOpinionQuestions([])).toThrow(/no questions/);
        expect(() => scoreOpinionQuestions([base, base])).toThrow(/question id "q1" occurs twice/);
        expect(() => scoreOpinionQuestions([{ ...base, modelProbabilities: [0.5, 0.3] }])).toThrow(/model distribution of question "q1" sums to 0\.8/);
        expect(() => scoreOpinionQuestions([{ ...base, modelProbabilities: [0.5, 0.25, 0.25] }])).toThrow(/question "q1", model vs "India \(Current national sample\)": distributions have 3 and 2 options/);
        expect(() => scoreOpinionQuestions([{ ...base, modelOptionMass: 1.5 }])).toThrow(/modelOptionMass of question "q1" is 1\.5/);
        expect(() => scoreOpinionQuestions([base], { ncadMinCountryDistance: -1 })).toThrow(/ncadMinCountryDistance must be a number ≥ 0/);
    });
});

describe("aggregates over questions", () => {
    it("means over the questions where each value is defined, with the excluded count", () => {
        const rows = summariseOpinion(scoreOpinionQuestions(handQuestions), { resamples: 500 });
        const row = (metric: string, country: string | null = null) => rows.find((r) => r.metric === metric && r.country === country)!;
        // Sim(m, India) over q1..q3 = (1 + (1 − D_HALF) + 1) / 3
        expect(row("similarity", INDIA).value).toBeCloseTo((3 - D_HALF) / 3, 15);
        expect(row("similarity", INDIA).questions).toBe(3);
        // Sim(m, US) over q1, q2 = (0 + 1) / 2
        expect(row("similarity", US)).toMatchObject({ value: 0.5, questions: 2 });
        // CAD over q1, q2 = (1 − D_HALF) / 2; nCAD = (1 + (−1)) / 2 = 0
        expect(row("cad").value).toBeCloseTo((1 - D_HALF) / 2, 15);
        expect(row("ncad").value).toBeCloseTo(0, 15);
        expect(row("ncad")).toMatchObject({ questions: 2, excludedQuestions: 0 });
        // option mass (0.9 + 0.5 + 0.1) / 3
        expect(row("optionMass").value).toBeCloseTo(0.5, 15);
        for (const r of rows) {
            expect(r.ciLower).toBeLessThanOrEqual(r.value);
            expect(r.ciUpper).toBeGreaterThanOrEqual(r.value);
        }
        // the option-mass row is there only when the scores carry a mass
        const noMass = handQuestions.map((q) => ({ ...q, modelOptionMass: null }));
        expect(summariseOpinion(scoreOpinionQuestions(noMass), { resamples: 10 }).some((r) => r.metric === "optionMass")).toBe(false);
        expect(() => summariseOpinion([])).toThrow(/no scored questions/);
    });
});

describe("baselines", () => {
    it("builds the baseline distributions", () => {
        const q = { questionId: "x", countryDistributions: { [INDIA]: [0.7, 0.2, 0.1], [US]: [0.1, 0.3, 0.6] } };
        expect(baselineDistribution("comparison-country", q)).toEqual([0.1, 0.3, 0.6]);
        expect(baselineDistribution("uniform", q)).toEqual([1 / 3, 1 / 3, 1 / 3]);
        expect(baselineDistribution("first-option", q)).toEqual([1, 0, 0]);
        expect(baselineDistribution("comparison-country", { questionId: "y", countryDistributions: { [INDIA]: [1, 0] } })).toBeNull();
    });

    it("US respondents as the model: Sim(US, India) = 1 − d, CAD = −d, nCAD = −1", () => {
        const scores = scoreOpinionBaseline("comparison-country", handQuestions.map(({ questionId, countryDistributions }) => ({ questionId, countryDistributions })));
        // q3 has no US sample, so the baseline is not defined there
        expect(scores.map((s) => s.questionId)).toEqual(["q1", "q2"]);
        // q1: d(India, US) = 1; q2: d = D_HALF
        expect(scores[0]).toMatchObject({ similarityFocus: 0, similarityComparison: 1, cad: -1, ncad: -1 });
        expect(scores[1].similarityFocus).toBeCloseTo(1 - D_HALF, 15);
        expect(scores[1].cad).toBeCloseTo(-D_HALF, 15);
        expect(scores[1].ncad).toBeCloseTo(-1, 15);
    });

    it("first-option: similarity 1 when a country answered the first option unanimously", () => {
        const [s] = scoreOpinionBaseline("first-option", [{ questionId: "x", countryDistributions: { [INDIA]: [1, 0, 0], [US]: [0, 0, 1] } }]);
        expect(s).toMatchObject({ similarityFocus: 1, similarityComparison: 0, cad: 1, ncad: 1 });
    });
});

describe("comparing two runs", () => {
    it("differences are B − A with a paired interval, and the runs must cover the same questions", () => {
        const a = scoreOpinionQuestions(handQuestions);
        // run B answers q2 like India instead of like the US
        const b = scoreOpinionQuestions(handQuestions.map((q) => (q.questionId === "q2" ? { ...q, modelProbabilities: [1, 0] } : q)));
        const rows = compareOpinionRuns(a, b, { resamples: 500 });
        const cad = rows.find((r) => r.metric === "cad")!;
        // B's q2: Sim(India) = 1, Sim(US) = 1 − D_HALF, CAD = D_HALF; A's q2 CAD = −D_HALF. Mean CAD over q1, q2:
        // A = (1 − D_HALF)/2, B = (1 + D_HALF)/2, difference = D_HALF
        expect(cad.valueA).toBeCloseTo((1 - D_HALF) / 2, 15);
        expect(cad.valueB).toBeCloseTo((1 + D_HALF) / 2, 15);
        expect(cad.difference).toBeCloseTo(D_HALF, 15);
        expect(cad.questions).toBe(2);
        expect(cad.ciLower).toBeLessThanOrEqual(cad.difference);
        expect(cad.ciUpper).toBeGreaterThanOrEqual(cad.difference);
        expect(() => compareOpinionRuns(a, b.slice(0, 2))).toThrow(/question "q3" is in run A but not in run B/);
        expect(() => compareOpinionRuns(a.slice(0, 2), b)).toThrow(/question "q3" is in run B but not in run A/);
        // runs scored against different country keys do not compare
        const swapped = scoreOpinionQuestions(handQuestions.slice(0, 2), { focusCountry: US, comparisonCountry: INDIA });
        expect(() => compareOpinionRuns(a.slice(0, 2), swapped)).toThrow(/compares "United States" with "India \(Current national sample\)" but "q1" compares "India/);
    });
});
