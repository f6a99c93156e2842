// Opinion metrics on the real GlobalOpinionQA rows that carry India (datasets/globalopinionqa). Reference
// numbers come from scipy (scipy.spatial.distance.jensenshannon, base 2), computed by
// tests/metrics/reference/goqa_reference.py, not by the code under test.
import { beforeAll, describe, expect, it } from "vitest";
import {
    jensenShannonDistance,
    opinionSimilarity,
    scoreOpinionBaseline,
    scoreOpinionQuestions,
    summariseOpinion,
    summariseOpinionBaselines,
    type SurveyQuestion,
} from "../../src/metrics/opinion.ts";
import { globalOpinionsIndia } from "./support/datasets.ts";

const INDIA = "India (Current national sample)";
const US = "United States";

let questions: SurveyQuestion[];
let both: SurveyQuestion[];
beforeAll(() => {
    questions = globalOpinionsIndia().map((r) => ({ questionId: `row${r.row}`, countryDistributions: r.countryDistributions }));
    both = questions.filter((q) => INDIA in q.countryDistributions && US in q.countryDistributions);
});

describe("GlobalOpinionQA, India (Current national sample) vs United States", () => {
    it("has the rows its PROVENANCE.md counts", () => {
        expect(questions.length).toBe(766);
        expect(both.length).toBe(244);
        expect(questions.filter((q) => INDIA in q.countryDistributions).length).toBe(470);
        expect(questions.filter((q) => US in q.countryDistributions).length).toBe(477);
    });

    it("JS distances match scipy's to 1e-12", () => {
        const d = (q: SurveyQuestion, base = 2) => jensenShannonDistance(q.countryDistributions[INDIA], q.countryDistributions[US], base);
        // rows 0, 8 and 10 are the first three with both countries
        expect(both.slice(0, 3).map((q) => q.questionId)).toEqual(["row0", "row8", "row10"]);
        expect(d(both[0])).toBeCloseTo(0.9859721554772584, 12);
        expect(d(both[1])).toBeCloseTo(0.4721335181580666, 12);
        expect(d(both[2])).toBeCloseTo(0.30947553122665544, 12);
        // scipy's default natural-log base, which third-party GlobalOpinionQA code often uses
        expect(d(both[0], Math.E)).toBeCloseTo(0.8208756645156859, 12);
    });

    it("similarity is symmetric and in [0, 1] on every real pair", () => {
        for (const q of both) {
            const [india, us] = [q.countryDistributions[INDIA], q.countryDistributions[US]];
            const sim = opinionSimilarity(india, us);
            expect(opinionSimilarity(us, india)).toBe(sim);
            expect(sim).toBeGreaterThanOrEqual(0);
            expect(sim).toBeLessThanOrEqual(1);
        }
    });

    it("US respondents as a proxy for India: mean Sim(US, India) over the 244 questions matches scipy", () => {
        const scores = scoreOpinionBaseline("comparison-country", questions);
        expect(scores.length).toBe(477); // every question with a US sample
        const withIndia = scores.filter((s) => s.similarityFocus !== null);
        expect(withIndia.length).toBe(244);
        const mean = withIndia.reduce((s, x) => s + x.similarityFocus!, 0) / withIndia.length;
        expect(mean).toBeCloseTo(0.6529514045244348, 12);
        // CAD of the US as "model" = Sim(US, India) − Sim(US, US) = −d(India, US), so nCAD = −1 on every kept question
        for (const s of withIndia) {
            expect(s.cad!).toBeCloseTo(-s.countryDistance!, 14);
            if (!s.ncadExcluded) expect(s.ncad!).toBeCloseTo(-1, 12);
        }
    });

    it("3 of the 244 questions fall under the 0.05 nCAD threshold (count from scipy's distances)", () => {
        const scores = scoreOpinionBaseline("uniform", questions);
        expect(scores.filter((s) => s.ncadExcluded).length).toBe(3);
        expect(scores.filter((s) => s.ncad !== null).length).toBe(241);
        const row = summariseOpinion(scores, { resamples: 1000 }).find((r) => r.metric === "ncad")!;
        expect(row).toMatchObject({ questions: 241, excludedQuestions: 3 });
    });

    it("uniform and first-option baselines match scipy's mean similarities", () => {
        const rows = summariseOpinionBaselines(questions, {}, { resamples: 1000 });
        const sim = (baseline: string, country: string) => rows.find((r) => r.baseline === baseline && r.metric === "similarity" && r.country === country)!;
        expect(sim("uniform", INDIA).value).toBeCloseTo(0.6726425490906792, 12);
        expect(sim("uniform", INDIA).questions).toBe(470);
        expect(sim("uniform", US).value).toBeCloseTo(0.661032638314433, 12);
        expect(sim("first-option", INDIA).value).toBeCloseTo(0.3555373257923343, 12);
        expect(sim("first-option", US).value).toBeCloseTo(0.33570130652132324, 12);
        // the comparison-country baseline's India row is the 244-question mean above
        expect(sim("comparison-country", INDIA)).toMatchObject({ questions: 244 });
        expect(sim("comparison-country", INDIA).value).toBeCloseTo(0.6529514045244348, 12);
        for (const r of rows) {
            expect(r.ciLower).toBeLessThanOrEqual(r.value);
            expect(r.ciUpper).toBeGreaterThanOrEqual(r.value);
        }
    });

    it("|CAD| ≤ d(India, US) and nCAD ∈ [−1, 1] for mixtures of the two countries as the model", () => {
        for (const weight of [0, 0.1, 0.5, 0.9, 1]) {
            const asModel = both.map((q) => ({
                ...q,
                modelProbabilities: q.countryDistributions[INDIA].map((x, i) => weight * x + (1 - weight) * q.countryDistributions[US][i]),
            }));
            for (const s of scoreOpinionQuestions(asModel)) {
                expect(Math.abs(s.cad!)).toBeLessThanOrEqual(s.countryDistance! + 1e-15);
                if (s.ncad !== null) {
                    expect(s.ncad).toBeGreaterThanOrEqual(-1);
                    expect(s.ncad).toBeLessThanOrEqual(1);
                }
            }
        }
    });
});
