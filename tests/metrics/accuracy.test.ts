import { beforeAll, describe, expect, it } from "vitest";
import {
    compareAccuracyRuns,
    majorityVoteCredit,
    scoreCulturalBenchEasy,
    scoreCulturalBenchHard,
    scoreNormAd,
    summariseAccuracy,
    type AccuracyRow,
    type CulturalBenchEasyAnswers,
    type CulturalBenchHardJudgement,
    type NormAdAnswers,
} from "../../src/metrics/accuracy.ts";
import { culturalBenchHard, type CulturalBenchHardRow } from "./support/datasets.ts";

const FAST = { resamples: 500 };

function find(rows: AccuracyRow[], where: Partial<AccuracyRow>): AccuracyRow {
    const matches = rows.filter((r) =>
        Object.entries({ contextLevel: null, country: null, label: null, trialAggregation: "mean", ...where }).every(([k, v]) => r[k as keyof AccuracyRow] === v),
    );
    expect(matches.length, JSON.stringify(where)).toBe(1);
    return matches[0];
}

describe("majority vote", () => {
    it("scores the most frequent answer and shares ties, whatever the trial order", () => {
        const isA = (a: string) => a === "A";
        expect(majorityVoteCredit(["A", "A", "B"], isA)).toBe(1);
        expect(majorityVoteCredit(["B", "A", "B"], isA)).toBe(0);
        // tie between A and B: A wins half the time under random tie-breaking
        expect(majorityVoteCredit(["A", "B"], isA)).toBe(0.5);
        expect(majorityVoteCredit(["B", "A"], isA)).toBe(0.5);
        // three-way tie
        expect(majorityVoteCredit(["C", "B", "A"], isA)).toBeCloseTo(1 / 3, 15);
        // no answer is an answer that is never right: two blanks beat one A
        expect(majorityVoteCredit([null, null, "A"], isA)).toBe(0);
        expect(majorityVoteCredit([null, "A"], isA)).toBe(0.5);
    });
});

describe("CulturalBench-Easy", () => {
    const questions: CulturalBenchEasyAnswers[] = [
        { questionId: "q1", country: "India", gold: "A", answers: ["A"] },
        { questionId: "q2", country: "India", gold: "B", answers: ["C"] },
        { questionId: "q3", country: "United States", gold: "D", answers: ["D"] },
        { questionId: "q4", country: "United States", gold: "A", answers: ["A"] },
    ];

    it("accuracy over questions, overall and per country", () => {
        const rows = summariseAccuracy(scoreCulturalBenchEasy(questions), FAST);
        // 3 of 4 right; India 1 of 2; US 2 of 2
        expect(find(rows, { metric: "accuracy" })).toMatchObject({ benchmark: "culturalbench-easy", value: 0.75, items: 4, questions: 4, trials: 1, trialSd: null });
        expect(find(rows, { metric: "accuracy", country: "India" }).value).toBe(0.5);
        expect(find(rows, { metric: "accuracy", country: "United States" })).toMatchObject({ value: 1, ciLower: 1, ciUpper: 1 });
        // one trial: no majority-vote rows, no label rows
        expect(rows.some((r) => r.trialAggregation === "majority-vote")).toBe(false);
        expect(rows.length).toBe(3);
    });

    it("sampled answers: mean ± sd across trials and majority vote", () => {
        const sampled: CulturalBenchEasyAnswers[] = [
            { questionId: "q1", country: "India", gold: "A", answers: ["A", "A", "A"] },
            { questionId: "q2", country: "India", gold: "B", answers: ["B", "C", "C"] },
            { questionId: "q3", country: "India", gold: "A", answers: ["A", "B", "C"] },
        ];
        const rows = summariseAccuracy(scoreCulturalBenchEasy(sampled), FAST);
        // trial accuracies: t1 (1 + 1 + 1)/3 = 1, t2 (1 + 0 + 0)/3 = 1/3, t3 (1 + 0 + 0)/3 = 1/3
        // mean 5/9; deviations 4/9, −2/9, −2/9 → sample variance (16 + 4 + 4)/81 / 2 = 12/81 → sd √12 / 9
        const mean = find(rows, { metric: "accuracy" });
        expect(mean.value).toBeCloseTo(5 / 9, 15);
        expect(mean.trialSd).toBeCloseTo(Math.sqrt(12) / 9, 15);
        expect(mean.trials).toBe(3);
        // majority: q1 A (right, 1), q2 C (wrong, 0), q3 three-way tie with A among them (1/3) → (1 + 0 + 1/3)/3 = 4/9
        const majority = find(rows, { metric: "accuracy", trialAggregation: "majority-vote" });
        expect(majority.value).toBeCloseTo(4 / 9, 15);
        expect(majority.trialSd).toBeNull();
    });

    it("rejects bad input", () => {
        expect(() => scoreCulturalBenchEasy([])).toThrow(/no CulturalBench-Easy questions/);
        expect(() => scoreCulturalBenchEasy([questions[0], questions[0]])).toThrow(/question id "q1" occurs twice/);
        expect(() => scoreCulturalBenchEasy([{ ...questions[0], answers: [] }])).toThrow(/has no answers: pass one answer per trial/);
        expect(() => scoreCulturalBenchEasy([{ ...questions[0], gold: "" }])).toThrow(/gold option of question "q1" must be a non-empty string/);
        const mixed = scoreCulturalBenchEasy([questions[0], { ...questions[1], answers: ["C", "B"] }]);
        expect(() => summariseAccuracy(mixed)).toThrow(/item "q2" has 2 trials but "q1" has 1/);
        expect(() => summariseAccuracy([])).toThrow(/no scored items/);
    });
});

function hardQuestion(questionId: string, country: string, gold: boolean[], answers: boolean[][]): CulturalBenchHardJudgement[] {
    return gold.map((g, j) => ({ questionId, optionId: `${questionId}.${j}`, country, gold: g, answers: answers[j] }));
}

describe("CulturalBench-Hard", () => {
    it("a question is right only when all four judgements are right; per-judgement accuracy beside it", () => {
        const judgements = [
            ...hardQuestion("h1", "India", [true, false, false, false], [[true], [false], [false], [false]]), // 4 of 4
            ...hardQuestion("h2", "India", [true, true, false, false], [[true], [false], [false], [false]]), // 3 of 4
            ...hardQuestion("h3", "United States", [false, true, false, false], [[true], [false], [true], [true]]), // 0 of 4
        ];
        const rows = summariseAccuracy(scoreCulturalBenchHard(judgements), FAST);
        // questions: h1 only → 1/3; judgements: (4 + 3 + 0)/12 = 7/12
        expect(find(rows, { metric: "accuracy" })).toMatchObject({ benchmark: "culturalbench-hard", items: 3, questions: 3 });
        expect(find(rows, { metric: "accuracy" }).value).toBeCloseTo(1 / 3, 15);
        expect(find(rows, { metric: "judgementAccuracy" }).value).toBeCloseTo(7 / 12, 15);
        expect(find(rows, { metric: "accuracy", country: "India" }).value).toBe(0.5);
        expect(find(rows, { metric: "judgementAccuracy", country: "India" }).value).toBe(7 / 8);
    });

    it("sampled: per-trial all-right, and majority credit = product of the judgements' credits", () => {
        // judgement 2 splits 1:1 over two trials (credit ½); the others are right both times
        const judgements = hardQuestion("h", "India", [true, false, false, false], [[true, true], [true, false], [false, false], [false, false]]);
        const [item] = scoreCulturalBenchHard(judgements);
        expect(item.trialScores).toEqual([0, 1]);
        expect(item.judgementTrialScores).toEqual([0.75, 1]);
        expect(item.majorityVoteScore).toBe(0.5); // 1 · ½ · 1 · 1
        expect(item.judgementMajorityVoteScore).toBe(0.875); // (1 + ½ + 1 + 1)/4
        const rows = summariseAccuracy([item], FAST);
        // trial accuracies 0 and 1: mean ½, sample sd √((½² + ½²)/1) = √½
        expect(find(rows, { metric: "accuracy" }).trialSd).toBeCloseTo(Math.SQRT1_2, 15);
        expect(find(rows, { metric: "judgementAccuracy", trialAggregation: "majority-vote" }).value).toBe(0.875);
    });

    it("rejects incomplete or inconsistent questions", () => {
        const four = hardQuestion("h", "India", [true, false, false, false], [[true], [false], [false], [false]]);
        expect(() => scoreCulturalBenchHard(four.slice(0, 3))).toThrow(/question "h" has 3 judgements, expected 4: .*pass every option/);
        expect(scoreCulturalBenchHard(four.slice(0, 3), { judgementsPerQuestion: 3 }).length).toBe(1);
        expect(() => scoreCulturalBenchHard([...four, four[0]])).toThrow(/judgement \(question\/option\) "h\/h\.0" occurs twice/);
        expect(() => scoreCulturalBenchHard([{ ...four[0], country: "Nepal" }, ...four.slice(1)])).toThrow(/judgements from countries Nepal, India/);
        expect(() => scoreCulturalBenchHard([{ ...four[0], answers: [true, true] }, ...four.slice(1)])).toThrow(/different numbers of trials/);
        expect(() => scoreCulturalBenchHard([{ ...four[0], gold: "TRUE" as unknown as boolean }, ...four.slice(1)])).toThrow(/gold is true or false/);
    });

    describe("on the real CulturalBench-Hard file (1,227 questions, 4,908 judgements)", () => {
        let rows: CulturalBenchHardRow[];
        beforeAll(() => {
            rows = culturalBenchHard();
        });
        const judge = (answer: (row: CulturalBenchHardRow, index: number) => boolean) =>
            scoreCulturalBenchHard(rows.map((r, i) => ({ questionId: r.questionIdx, optionId: r.dataIdx, country: r.country, gold: r.answer, answers: [answer(r, i)] })));

        it("answering FALSE everywhere gets no question right but 3,582 of 4,908 judgements", () => {
            // PROVENANCE.md: 1,141 questions with 1 TRUE, 73 with 2, 13 with 3 → 1141 + 146 + 39 = 1,326 TRUE rows;
            // no question is all FALSE, so none is right; 4908 − 1326 = 3582 judgements are
            const summary = summariseAccuracy(judge(() => false), FAST);
            expect(find(summary, { metric: "accuracy" })).toMatchObject({ value: 0, items: 1227 });
            expect(find(summary, { metric: "judgementAccuracy" }).value).toBeCloseTo(3582 / 4908, 15);
            expect(find(summary, { metric: "accuracy", country: "India" }).items).toBe(46);
            expect(find(summary, { metric: "accuracy", country: "United States" }).items).toBe(20);
        });

        it("marking only each question's first TRUE option gets exactly the 1,141 single-answer questions right", () => {
            const seen = new Set<string>();
            const firstTrueOnly = (r: CulturalBenchHardRow) => {
                if (!r.answer || seen.has(r.questionIdx)) return false;
                seen.add(r.questionIdx);
                return true;
            };
            const summary = summariseAccuracy(judge(firstTrueOnly), FAST);
            const accuracy = find(summary, { metric: "accuracy" });
            expect(accuracy.value).toBeCloseTo(1141 / 1227, 15);
            expect(accuracy.ciLower).toBeLessThan(accuracy.value);
            expect(accuracy.ciUpper).toBeGreaterThan(accuracy.value);
            // judgements wrong: the 73·1 + 13·2 = 99 unmarked second and third TRUE options
            expect(find(summary, { metric: "judgementAccuracy" }).value).toBeCloseTo((4908 - 99) / 4908, 15);
            // 45 countries, one row each, plus the overall row, for each of the two metrics
            expect(summary.length).toBe(2 * 46);
        });
    });
});

describe("NormAd", () => {
    const story = (storyId: string, country: string, gold: NormAdAnswers["gold"]) => ({ storyId, country, gold });
    const s1 = story("s1", "india", "yes");
    const s2 = story("s2", "india", "no");
    const s3 = story("s3", "united_states", "neutral");
    const s4 = story("s4", "united_states", "yes");
    const items: NormAdAnswers[] = [
        // COUNTRY level: s1 right, s2 wrong, s3 wrong (answers "no" to a neutral story), s4 wrong
        { ...s1, contextLevel: "country", answers: ["yes"] },
        { ...s2, contextLevel: "country", answers: ["yes"] },
        { ...s3, contextLevel: "country", answers: ["no"] },
        { ...s4, contextLevel: "country", answers: ["no"] },
        // RULE-OF-THUMB level: all right ("neither" is the exact match of gold "neutral")
        { ...s1, contextLevel: "rule-of-thumb", answers: ["yes"] },
        { ...s2, contextLevel: "rule-of-thumb", answers: ["no"] },
        { ...s3, contextLevel: "rule-of-thumb", answers: ["neither"] },
        { ...s4, contextLevel: "rule-of-thumb", answers: ["yes"] },
    ];

    it("exact match per context level, pooled, per country, and macro-averaged over gold labels", () => {
        const rows = summariseAccuracy(scoreNormAd(items), FAST);
        // COUNTRY: 1/4 right. Per label: yes (s1 ✓, s4 ✗) ½, no (s2 ✗) 0, neutral (s3 ✗) 0 → macro (½ + 0 + 0)/3 = 1/6
        expect(find(rows, { metric: "accuracy", contextLevel: "country" }).value).toBe(0.25);
        expect(find(rows, { metric: "labelAccuracy", contextLevel: "country", label: "yes" })).toMatchObject({ value: 0.5, items: 2 });
        expect(find(rows, { metric: "labelMacroAccuracy", contextLevel: "country" }).value).toBeCloseTo(1 / 6, 15);
        // RULE-OF-THUMB: all right
        expect(find(rows, { metric: "accuracy", contextLevel: "rule-of-thumb" }).value).toBe(1);
        expect(find(rows, { metric: "labelMacroAccuracy", contextLevel: "rule-of-thumb" }).value).toBe(1);
        // pooled over levels: 5/8 right; yes 3/4, no 1/2, neutral 1/2 → macro (¾ + ½ + ½)/3 = 7/12
        expect(find(rows, { metric: "accuracy" })).toMatchObject({ value: 5 / 8, items: 8, questions: 4 });
        expect(find(rows, { metric: "labelMacroAccuracy" }).value).toBeCloseTo(7 / 12, 15);
        // per country at COUNTRY level: india s1 ✓ s2 ✗ → ½ (macro (1 + 0)/2 = ½); united_states 0
        expect(find(rows, { metric: "accuracy", contextLevel: "country", country: "india" }).value).toBe(0.5);
        expect(find(rows, { metric: "labelMacroAccuracy", contextLevel: "country", country: "india" }).value).toBe(0.5);
        expect(find(rows, { metric: "accuracy", contextLevel: "country", country: "united_states" }).value).toBe(0);
        // no VALUE-level items, so no VALUE rows
        expect(rows.some((r) => r.contextLevel === "value")).toBe(false);
    });

    it("resamples stories, not story × level answers, so a story's levels move together", () => {
        // s1 right at all three levels, s2 wrong at all three. Drawing 2 stories, the pooled accuracy is 0, ½ or 1
        // (P(0) = ¼), so the 95% interval is [0, 1]. Drawing 6 answers instead, P(0) = (½)⁶ < 2.5% and the lower
        // end would be 1/6.
        const levels = ["country", "value", "rule-of-thumb"] as const;
        const twoStories = levels.flatMap((contextLevel) => [
            { ...s1, contextLevel, answers: ["yes" as const] },
            { ...s2, contextLevel, answers: ["yes" as const] },
        ]);
        const pooled = find(summariseAccuracy(scoreNormAd(twoStories), { resamples: 2000 }), { metric: "accuracy" });
        expect(pooled).toMatchObject({ value: 0.5, items: 6, questions: 2, ciLower: 0, ciUpper: 1 });
    });

    it("rejects labels outside NormAd's", () => {
        expect(() => scoreNormAd([{ ...s3, contextLevel: "country", answers: ["neutral" as "neither"] }])).toThrow(/answer "neutral": map the model's reply to yes, no or neither/);
        expect(() => scoreNormAd([{ ...s3, gold: "neither" as "neutral", contextLevel: "country", answers: ["no"] }])).toThrow(/gold label "neither": NormAd's gold labels are yes, no, neutral/);
        expect(() => scoreNormAd([{ ...s3, contextLevel: "COUNTRY" as "country", answers: ["no"] }])).toThrow(/context level "COUNTRY": use one of country, value, rule-of-thumb/);
        expect(() => scoreNormAd([items[0], items[0]])).toThrow(/story@contextLevel "s1@country" occurs twice/);
        expect(() => scoreNormAd([items[0], { ...items[4], gold: "no" }])).toThrow(/story "s1" has country\/gold india\/yes at one context level and india\/no at another/);
        expect(() => scoreNormAd([])).toThrow(/no NormAd items/);
        // hand-built items of one story with two gold labels
        const [a, b] = scoreNormAd([items[0], items[4]]);
        expect(() => summariseAccuracy([a, { ...b, goldLabel: "no" }])).toThrow(/items of "s1" carry different gold labels/);
    });
});

describe("comparing two runs", () => {
    const base: CulturalBenchEasyAnswers[] = Array.from({ length: 40 }, (_, i) => ({ questionId: `q${i}`, country: i < 20 ? "India" : "Nepal", gold: "A", answers: [i % 2 === 0 ? "A" : "B"] }));
    // the fine-tune fixes 10 of the 20 wrong answers and breaks none
    const tuned = base.map((q, i) => (i % 4 === 1 ? { ...q, answers: ["A"] } : q));

    it("differences are B − A over the same questions, with a paired interval", () => {
        const rows = compareAccuracyRuns(scoreCulturalBenchEasy(base), scoreCulturalBenchEasy(tuned), FAST);
        const overall = rows.find((r) => r.metric === "accuracy" && r.country === null)!;
        // A: 20/40 = ½; B: 30/40 = ¾
        expect(overall).toMatchObject({ valueA: 0.5, valueB: 0.75, difference: 0.25, items: 40, trialsA: 1, trialsB: 1 });
        // every question either improves by 1 or stays: the paired resampled difference is never below 0
        expect(overall.ciLower).toBeGreaterThan(0);
        expect(rows.filter((r) => r.country !== null).map((r) => r.country)).toEqual(["India", "Nepal"]);
    });

    it("the runs must hold the same questions", () => {
        const a = scoreCulturalBenchEasy(base);
        const b = scoreCulturalBenchEasy(tuned);
        expect(() => compareAccuracyRuns(a, b.slice(1))).toThrow(/item "q0" \(culturalbench-easy\) is in run A but not in run B/);
        expect(() => compareAccuracyRuns(a.slice(1), b)).toThrow(/item "q0" \(culturalbench-easy\) is in run B but not in run A/);
        expect(() => compareAccuracyRuns(a, b.map((x) => (x.itemId === "q0" ? { ...x, country: "Bhutan" } : x)))).toThrow(/both runs must be scored on the same data/);
    });
});
