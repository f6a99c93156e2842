// The data behind each chart, from hand-built table rows: expected values are worked out here (Jensen–Shannon
// distances with a formula written in this file, shares counted by hand), not taken from the code under test.
import { describe, expect, it } from "vitest";
import type { AnswerRow, MapRow, MetricRow, ScoreRow } from "../../src/output/index.ts";
import {
    accuracyChartData,
    closerShares,
    indiaVersusOthers,
    mapChartData,
    modelDistribution,
    opinionChartData,
    opinionQuestionRows,
    positionBiasItems,
    summarisePositionBias,
    surveyBaseline,
    formatCount,
} from "../../src/report/chartData.ts";
import type { GlobalOpinionQuestion } from "../../src/datasets/globalOpinionQa.ts";
import { countriesFromAnswers, pairConfigs, scoredItemsFromAnswers } from "../../src/report/compare.ts";
import type { SurveyQuestion } from "../../src/metrics/opinion.ts";
import { js } from "../support/jsDistance.ts";


const key = { run_id: "r", model: "m", strategy: "default" };

describe("cultural map data", () => {
    const reference = [
        { geo: "india", name: "India", year: 2023, TradAgg: -0.6, SurvSAgg: -0.4 },
        { geo: "united_states", name: "United States", year: 2017, TradAgg: 0.3, SurvSAgg: 1.2 },
        { geo: "japan", name: "Japan", year: 2019, TradAgg: 1.6, SurvSAgg: 0.9 },
    ];
    const row = (strategy: string, x: number, y: number): MapRow => ({
        ...key,
        strategy,
        trad_agg: x,
        surv_s_agg: y,
        distance_india: Math.hypot(x + 0.6, y + 0.4),
        distance_united_states: Math.hypot(x - 0.3, y - 1.2),
        nearest_countries: ["Japan"],
        nearest_distances: [0.5],
    });

    it("marks India and the US among the reference countries and adds one point per model × strategy", () => {
        const { points, distances } = mapChartData([row("hindi", 0, 1), row("default", -0.5, -0.5)], reference);
        expect(points.map((p) => [p.kind, p.label])).toEqual([
            ["India", "India 2023"],
            ["United States", "United States 2017"],
            ["reference", "Japan 2019"],
            ["model", "m · default"],
            ["model", "m · hindi"],
        ]);
        // (−0.5, −0.5) is 0.14 from India and 1.87 from the US; (0, 1) is 1.52 from India and 0.36 from the US
        expect(distances.map((d) => [d.config, d.closerTo])).toEqual([
            ["m · default", "India"],
            ["m · hindi", "United States"],
        ]);
        expect(distances[0].nearest).toEqual([{ country: "Japan", distance: 0.5 }]);
    });

    it("has no model points when the map table is empty", () => {
        expect(mapChartData([], reference).points.filter((p) => p.kind === "model")).toEqual([]);
    });
});

const metric = (m: Partial<MetricRow>): MetricRow => ({
    ...key,
    task: "opinion",
    metric: "cad",
    country: null,
    subset: null,
    value: 0,
    ci_lower: null,
    ci_upper: null,
    n: 10,
    excluded: 0,
    parameters: "{}",
    ...m,
});

describe("opinion data", () => {
    it("separates model aggregates from baselines and keeps one US-respondent baseline per metric", () => {
        const metrics = [
            metric({ metric: "similarity", country: "India", value: 0.7 }),
            metric({ metric: "similarity", country: "United States", value: 0.75 }),
            metric({ metric: "cad", value: -0.05, ci_lower: -0.08, ci_upper: -0.02 }),
            metric({ metric: "ncad", value: -0.2 }),
            metric({ metric: "cad", subset: "baseline:comparison-country", value: -0.3 }),
            metric({ strategy: "hindi", metric: "cad", subset: "baseline:comparison-country", value: -0.3 }),
            metric({ metric: "cad", subset: "baseline:uniform", value: 0.01 }),
            metric({ task: "normad", metric: "accuracy", value: 0.5 }),
        ];
        const data = opinionChartData(metrics);
        expect(data.similarity.map((r) => [r.country, r.value])).toEqual([
            ["India", 0.7],
            ["United States", 0.75],
        ]);
        expect(data.cad.map((r) => [r.metric, r.value, r.ciLower, r.ciUpper])).toEqual([
            ["cad", -0.05, -0.08, -0.02],
            ["ncad", -0.2, null, null],
        ]);
        expect(data.baselines).toEqual([{ metric: "cad", country: null, value: -0.3, source: "metrics" }]);
    });

    it("computes the US-respondent baseline from the survey: CAD = Sim(US, India) − 1 = −JS(India, US)", () => {
        const questions: SurveyQuestion[] = [
            { questionId: "q1", countryDistributions: { India: [0.8, 0.2], US: [0.3, 0.7] } },
            { questionId: "q2", countryDistributions: { India: [0.5, 0.5], US: [0.5, 0.5] } },
            { questionId: "q3", countryDistributions: { India: [0.1, 0.9] } },
        ];
        const baseline = surveyBaseline(questions, { focus: "India", comparison: "US" });
        const cad = baseline.find((b) => b.metric === "cad")!;
        expect(cad.value).toBeCloseTo((-js([0.8, 0.2], [0.3, 0.7]) + 0) / 2, 12);
        // nCAD = −1 where the countries differ; q2 (distance 0) is below the threshold and left out
        expect(baseline.find((b) => b.metric === "ncad")!.value).toBeCloseTo(-1, 12);
        expect(surveyBaseline([questions[2]], { focus: "India", comparison: "US" })).toEqual([]);
    });

    const answer = (itemId: string, a: Partial<AnswerRow>): AnswerRow => ({
        ...key,
        task: "opinion",
        item_id: itemId,
        unit_id: itemId,
        country: null,
        mode: "logit",
        distribution: null,
        option_mass: null,
        min_option_mass: null,
        answer: null,
        sampled_answers: null,
        trials: 1,
        unparseable: 0,
        correct: null,
        ...a,
    });

    it("turns sampled trials into option shares, with multiple mentions split evenly and unparsed trials left out", () => {
        expect(modelDistribution(answer("x", { distribution: [0.25, 0.75] }), 2)).toEqual([0.25, 0.75]);
        expect(modelDistribution(answer("x", { mode: "sample", sampled_answers: ["0", "2", null, "2"] }), 3)).toEqual([1 / 3, 0, 2 / 3]);
        expect(modelDistribution(answer("x", { mode: "sample", sampled_answers: ["0,1", "1"] }), 2)).toEqual([0.25, 0.75]);
        expect(modelDistribution(answer("x", { mode: "sample", sampled_answers: [null, null] }), 2)).toBeNull();
    });

    it("scores each question against both countries and counts the questions closer to the US", () => {
        const survey = new Map<string, GlobalOpinionQuestion>([
            ["goqa-1", { index: 1, line: 2, question: "Q1?", options: ["Yes", "No"], optionIsNumber: [false, false], selections: { India: [0.9, 0.1], US: [0.2, 0.8] }, source: "GAS" }],
            ["goqa-2", { index: 2, line: 3, question: "Q2?", options: ["Yes", "No"], optionIsNumber: [false, false], selections: { India: [0.6, 0.4], US: [0.1, 0.9] }, source: "GAS" }],
            ["goqa-3", { index: 3, line: 4, question: "Q3?", options: ["Yes", "No"], optionIsNumber: [false, false], selections: { India: [0.5, 0.5] }, source: "GAS" }],
        ]);
        const answers = [
            answer("goqa-1", { distribution: [0.8, 0.2] }), // near India
            answer("goqa-2", { distribution: [0.15, 0.85] }), // near the US
            answer("goqa-3", { distribution: [0.5, 0.5] }), // no US respondents: no CAD
            answer("goqa-9", { distribution: [0.5, 0.5] }), // not in the survey file
        ];
        const rows = opinionQuestionRows(answers, survey, { focus: "India", comparison: "US" });
        expect(rows.map((r) => r.itemId)).toEqual(["goqa-1", "goqa-2", "goqa-3", "goqa-9"]);
        expect(rows[0].simFocus).toBeCloseTo(1 - js([0.8, 0.2], [0.9, 0.1]), 12);
        expect(rows[0].simComparison).toBeCloseTo(1 - js([0.8, 0.2], [0.2, 0.8]), 12);
        expect(rows[0].cad).toBeCloseTo(js([0.8, 0.2], [0.2, 0.8]) - js([0.8, 0.2], [0.9, 0.1]), 12);
        expect(rows.map((r) => r.closer)).toEqual(["focus", "comparison", null, null]);
        expect(rows[3].question).toMatch(/not in the survey/);
        expect(closerShares(rows)).toEqual([{ config: "m · default", model: "m", strategy: "default", questions: 2, closerToComparison: 1, share: 0.5 }]);
    });
});

describe("accuracy data", () => {
    const acc = (country: string | null, value: number, extra: Partial<MetricRow> = {}) =>
        metric({ task: "culturalbench-hard", metric: "accuracy", country, value, parameters: JSON.stringify({ trialAggregation: "mean" }), ...extra });

    it("charts plain mean accuracy per country, marks India, and compares India with the other countries' mean", () => {
        const metrics = [
            acc(null, 0.5),
            acc("India", 0.4),
            acc("Japan", 0.6),
            acc("Peru", 0.9),
            acc("India", 0.1, { metric: "judgementAccuracy" }),
            acc("India", 0.3, { parameters: JSON.stringify({ trialAggregation: "majority-vote" }) }),
            metric({ task: "normad", metric: "accuracy", country: "india", subset: "value", value: 0.2, parameters: "{}" }),
        ];
        const rows = accuracyChartData(metrics);
        expect(rows.map((r) => [r.task, r.country, r.group, r.value])).toEqual([
            ["culturalbench-hard", "all countries", "all countries", 0.5],
            ["culturalbench-hard", "India", "India", 0.4],
            ["culturalbench-hard", "Japan", "other countries", 0.6],
            ["culturalbench-hard", "Peru", "other countries", 0.9],
            ["normad", "india", "India", 0.2],
        ]);
        const versus = indiaVersusOthers(rows);
        expect(versus.find((v) => v.task === "culturalbench-hard")).toMatchObject({ india: 0.4, otherCountries: 2 });
        expect(versus.find((v) => v.task === "culturalbench-hard")!.otherCountriesMean).toBeCloseTo(0.75, 12);
        expect(versus.find((v) => v.task === "normad")).toMatchObject({ level: "value", india: 0.2, otherCountriesMean: null });
    });
});

describe("position bias data", () => {
    /** Score rows of one item: per permutation, the option order and the letters' probabilities (as log-probs). */
    const scoreRows = (itemId: string, perms: { order: number[]; probs: number[] }[]): ScoreRow[] =>
        perms.flatMap((p, permutation) =>
            p.order.map((option, position) => ({
                ...key,
                task: "opinion",
                item_id: itemId,
                permutation,
                option_order: p.order,
                position,
                option_index: option,
                letter: "ABCD"[position],
                token_id: 300 + position,
                log_prob: Math.log(p.probs[position]),
                log_sum_exp: 1,
                option_mass: p.probs.reduce((a, b) => a + b, 0),
            })),
        );

    it("maps each order back to canonical options before measuring: a model that follows the content has no bias", () => {
        // option 0 gets 0.3 of the letters' mass whichever letter it sits at (the mass sums to 0.5: renormalised 0.6/0.4)
        const rows = scoreRows("goqa-1", [
            { order: [0, 1], probs: [0.3, 0.2] },
            { order: [1, 0], probs: [0.2, 0.3] },
        ]);
        const [item] = positionBiasItems(rows);
        expect(item.meanPairwiseJs).toBeCloseTo(0, 7);
        expect(item.topOptionChanges).toBe(false);
    });

    it("a model that always picks letter A moves with the order: mean pairwise JS distance over all pairs", () => {
        const rows = [
            ...scoreRows("goqa-2", [
                { order: [0, 1], probs: [0.8, 0.2] },
                { order: [1, 0], probs: [0.8, 0.2] },
                { order: [0, 1], probs: [0.5, 0.5] },
            ]),
            ...scoreRows("goqa-3", [{ order: [0, 1], probs: [0.9, 0.1] }]),
        ];
        const items = positionBiasItems(rows);
        // goqa-3 has one order: nothing to compare
        expect(items.map((i) => i.itemId)).toEqual(["goqa-2"]);
        const canonical = [[0.8, 0.2], [0.2, 0.8], [0.5, 0.5]];
        const expected = (js(canonical[0], canonical[1]) + js(canonical[0], canonical[2]) + js(canonical[1], canonical[2])) / 3;
        expect(items[0].meanPairwiseJs).toBeCloseTo(expected, 12);
        expect(items[0].topOptionChanges).toBe(true);
        const [summary] = summarisePositionBias(items);
        expect(summary).toMatchObject({ task: "opinion", config: "m · default", items: 1, topChangeShare: 1 });
        expect(summary.meanJs).toBeCloseTo(expected, 12);
    });
});

describe("header formatting", () => {
    it("writes parameter counts the way model cards do", () => {
        expect([formatCount(1_100_048_384), formatCount(68_000_000), formatCount(4_600), formatCount(12)]).toEqual(["1.1 B", "68 M", "4.6 k", "12"]);
    });
});

describe("pairing two runs' results", () => {
    const c = (model: string, strategy: string) => ({ model, strategy });
    it("pairs the same model × strategy, one against one, by strategy for two models, by model for two strategies", () => {
        expect(pairConfigs("t", [c("m", "default"), c("m", "hindi")], [c("m", "hindi"), c("m", "default")]).map((p) => [p.a.strategy, p.b.strategy])).toEqual([
            ["default", "default"],
            ["hindi", "hindi"],
        ]);
        expect(pairConfigs("t", [c("base", "default")], [c("tuned", "hindi")]).map((p) => p.label)).toEqual(["base · default → tuned · hindi"]);
        expect(pairConfigs("t", [c("base", "default"), c("base", "hindi")], [c("tuned", "hindi"), c("tuned", "default")]).map((p) => [p.a.strategy, p.b.model, p.b.strategy])).toEqual([
            ["default", "tuned", "default"],
            ["hindi", "tuned", "hindi"],
        ]);
        expect(pairConfigs("t", [c("a", "default"), c("b", "default")], [c("a", "hindi"), c("b", "hindi")]).map((p) => [p.a.model, p.b.model])).toEqual([
            ["a", "a"],
            ["b", "b"],
        ]);
    });

    it("refuses an ambiguous pairing, listing both sides", () => {
        expect(() => pairConfigs("opinion", [c("a", "default"), c("b", "hindi")], [c("c", "default")])).toThrow(/opinion: cannot tell which results of run A go with which of run B \(A has a · default, b · hindi; B has c · default\)/);
    });
});

describe("countries for compare's per-country rows", () => {
    const row = (itemId: string, unitId: string, country: string | null, correct: boolean): AnswerRow => ({
        ...key,
        task: "culturalbench-hard",
        item_id: itemId,
        unit_id: unitId,
        country,
        mode: "logit",
        distribution: [0.3, 0.7],
        option_mass: 0.5,
        min_option_mass: 0.5,
        answer: correct ? "true" : "false",
        sampled_answers: null,
        trials: 1,
        unparseable: 0,
        correct,
    });

    it("come from the answers' own country column, one per question, so no data file is needed", () => {
        const answers = [row("cbh-1", "cbh-q1", "India", true), row("cbh-2", "cbh-q1", "India", true), row("cbh-3", "cbh-q2", "Japan", false)];
        const countries = countriesFromAnswers(answers)!;
        expect([...countries]).toEqual([["cbh-q1", "India"], ["cbh-q2", "Japan"]]);
        const items = scoredItemsFromAnswers("culturalbench-hard", answers, countries);
        expect(items.map((i) => [i.unitId, i.country, i.trialScores[0]])).toEqual([["cbh-q1", "India", 1], ["cbh-q2", "Japan", 0]]);
    });

    it("are not taken from answers written before the column existed (a null country)", () => {
        expect(countriesFromAnswers([row("cbh-1", "cbh-q1", "India", true), row("cbh-3", "cbh-q2", null, false)])).toBeNull();
    });
});
