/**
 * Opinion alignment on GlobalOpinionQA-style survey questions.
 *
 * - Similarity(model, country) for a question = 1 − Jensen–Shannon distance between the model's answer distribution
 *   and the country's respondents' answer shares (Durmus et al. 2023); aggregate = mean over questions.
 * - CAD(q) = Sim(model, focus country) − Sim(model, comparison country) (Agarwal et al. 2025, "Fluent but Foreign");
 *   model CAD = mean over the questions that have both countries.
 * - nCAD(q) = CAD(q) / JS distance(focus, comparison): culturescope's own normalisation (the paper's formula is not
 *   available), in [−1, 1] by the triangle inequality; questions whose two countries barely differ are excluded.
 * - Baselines computed from the survey alone, scored exactly like a model.
 *
 * docs/METRICS.md gives every formula with its source.
 */
import {
    bootstrapIntervals,
    pairedBootstrapDifferences,
    type BootstrapOptions,
    type WeightedStatistic,
} from "./bootstrap.ts";

export interface OpinionOptions {
    /** logarithm base of the Jensen–Shannon divergence; 2 puts the distance, and so the similarity, in [0, 1] */
    base: number;
    /** country key whose alignment is measured (CAD's first term) */
    focusCountry: string;
    /** country key it is contrasted with (CAD's second term) */
    comparisonCountry: string;
    /** questions whose focus–comparison JS distance is below this are left out of nCAD (and counted) */
    ncadMinCountryDistance: number;
    /** how far from 1 a distribution's sum may be before it is rejected */
    sumTolerance: number;
}

export const DEFAULT_OPINION_OPTIONS: Readonly<OpinionOptions> = Object.freeze({
    base: 2,
    focusCountry: "India (Current national sample)",
    comparisonCountry: "United States",
    ncadMinCountryDistance: 0.05,
    sumTolerance: 1e-6,
});

export function resolveOpinionOptions(options: Partial<OpinionOptions> = {}): OpinionOptions {
    const resolved = { ...DEFAULT_OPINION_OPTIONS, ...options };
    checkBase(resolved.base);
    if (!(resolved.ncadMinCountryDistance >= 0)) {
        throw new Error(`ncadMinCountryDistance must be a number ≥ 0, got ${resolved.ncadMinCountryDistance}: pass e.g. { ncadMinCountryDistance: 0.05 }`);
    }
    if (!(resolved.sumTolerance >= 0)) {
        throw new Error(`sumTolerance must be a number ≥ 0, got ${resolved.sumTolerance}: pass e.g. { sumTolerance: 1e-6 }`);
    }
    if (resolved.focusCountry === resolved.comparisonCountry) {
        throw new Error(`focusCountry and comparisonCountry are both "${resolved.focusCountry}": CAD contrasts two different country keys`);
    }
    return resolved;
}

function checkBase(base: number): void {
    if (!(Number.isFinite(base) && base > 1)) {
        throw new Error(`logarithm base must be a finite number > 1, got ${base}: use 2 (similarity in [0, 1]) or Math.E (scipy's default)`);
    }
}

/**
 * Validates a probability vector and returns it divided by its sum: inputs within the tolerance of 1 (survey shares
 * rounded in their last bit, a model average off by 1e-15) then give exactly bounded divergences.
 */
export function checkedDistribution(values: readonly number[], what: string, sumTolerance = DEFAULT_OPINION_OPTIONS.sumTolerance): number[] {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`${what} is empty: pass one probability per answer option`);
    let sum = 0;
    for (const [i, v] of values.entries()) {
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
            throw new Error(`${what} has entry ${i} = ${v}: probabilities must be finite numbers ≥ 0`);
        }
        sum += v;
    }
    if (Math.abs(sum - 1) > sumTolerance) {
        throw new Error(`${what} sums to ${sum}, not 1 (tolerance ${sumTolerance}): pass a probability distribution, e.g. divide the shares by their total first`);
    }
    return values.map((v) => v / sum);
}

function checkSameLength(p: readonly number[], q: readonly number[], what: string): void {
    if (p.length !== q.length) {
        throw new Error(`${what}: distributions have ${p.length} and ${q.length} options; both must list the same options in the same order`);
    }
}

/**
 * Jensen–Shannon divergence JSD(P‖Q) = ½ KL(P‖M) + ½ KL(Q‖M), M = ½(P + Q), in the given logarithm base.
 * Computed term by term as p·log(2p/(p+q)), which never subtracts nearly equal entropies, with 0·log 0 = 0.
 */
export function jensenShannonDivergence(p: readonly number[], q: readonly number[], base = DEFAULT_OPINION_OPTIONS.base, sumTolerance = DEFAULT_OPINION_OPTIONS.sumTolerance): number {
    checkBase(base);
    checkSameLength(p, q, "Jensen–Shannon divergence");
    const pn = checkedDistribution(p, "first distribution", sumTolerance);
    const qn = checkedDistribution(q, "second distribution", sumTolerance);
    let nats = 0;
    for (let i = 0; i < pn.length; i++) {
        const m2 = pn[i] + qn[i];
        const pTerm = pn[i] > 0 ? pn[i] * Math.log((2 * pn[i]) / m2) : 0;
        const qTerm = qn[i] > 0 ? qn[i] * Math.log((2 * qn[i]) / m2) : 0;
        // adding the pair first makes JSD(P, Q) and JSD(Q, P) bit-identical (floating-point + commutes)
        nats += pTerm + qTerm;
    }
    // Mathematically 0 ≤ JSD ≤ log_b 2; rounding can step a few ulps outside, and a negative value would make the
    // distance's square root NaN.
    return Math.min(Math.max((0.5 * nats) / Math.log(base), 0), Math.LN2 / Math.log(base));
}

/** Jensen–Shannon distance: the square root of the divergence, a metric on distributions (Endres & Schindelin 2003). */
export function jensenShannonDistance(p: readonly number[], q: readonly number[], base = DEFAULT_OPINION_OPTIONS.base, sumTolerance = DEFAULT_OPINION_OPTIONS.sumTolerance): number {
    return Math.sqrt(jensenShannonDivergence(p, q, base, sumTolerance));
}

/** Durmus et al.'s similarity: 1 − Jensen–Shannon distance. In [0, 1] for base 2. */
export function opinionSimilarity(p: readonly number[], q: readonly number[], base = DEFAULT_OPINION_OPTIONS.base, sumTolerance = DEFAULT_OPINION_OPTIONS.sumTolerance): number {
    return 1 - jensenShannonDistance(p, q, base, sumTolerance);
}

/** A survey question: each country's answer shares over the same options, in canonical option order. */
export interface SurveyQuestion {
    questionId: string;
    countryDistributions: Readonly<Record<string, readonly number[]>>;
}

/** A survey question with the model's answer distribution over the same options. */
export interface OpinionQuestion extends SurveyQuestion {
    /** e.g. modelOptionDistribution(...).probabilities */
    modelProbabilities: readonly number[];
    /** mass the model put on the option letters before renormalising, when known (null for baselines) */
    modelOptionMass?: number | null;
}

/** Per-question opinion scores; null where the question lacks the country the value needs. */
export interface OpinionQuestionScore {
    questionId: string;
    /** the country keys this score compares, so a row says what its CAD is a difference of */
    focusCountry: string;
    comparisonCountry: string;
    optionCount: number;
    modelOptionMass: number | null;
    /** Sim(model, focus country) */
    similarityFocus: number | null;
    /** Sim(model, comparison country) */
    similarityComparison: number | null;
    /** similarityFocus − similarityComparison, when the question has both countries */
    cad: number | null;
    /** JS distance between the two countries' distributions, when the question has both */
    countryDistance: number | null;
    /** cad / countryDistance, unless the question lacks a country or is excluded */
    ncad: number | null;
    /** both countries present but countryDistance < ncadMinCountryDistance */
    ncadExcluded: boolean;
}

function checkCountryKeysOccur(questions: readonly SurveyQuestion[], options: OpinionOptions): void {
    if (questions.length === 0) throw new Error("no questions: pass at least one survey question");
    const seen = new Set<string>();
    for (const question of questions) for (const key of Object.keys(question.countryDistributions)) seen.add(key);
    for (const [role, key] of [["focusCountry", options.focusCountry], ["comparisonCountry", options.comparisonCountry]] as const) {
        if (!seen.has(key)) {
            const known = [...seen].sort().map((k) => JSON.stringify(k)).join(", ");
            throw new Error(`${role} "${key}" occurs in none of the ${questions.length} questions; country keys present: ${known}. Pass one of them as ${role}`);
        }
    }
}

function checkUniqueIds(ids: readonly string[], what: string): void {
    const seen = new Set<string>();
    for (const id of ids) {
        if (seen.has(id)) throw new Error(`${what}: question id "${id}" occurs twice; every question needs its own id`);
        seen.add(id);
    }
}

/** Scores each question against the focus and comparison countries. */
export function scoreOpinionQuestions(questions: readonly OpinionQuestion[], options: Partial<OpinionOptions> = {}): OpinionQuestionScore[] {
    const o = resolveOpinionOptions(options);
    checkCountryKeysOccur(questions, o);
    checkUniqueIds(questions.map((q) => q.questionId), "opinion questions");
    return questions.map((question) => {
        const id = question.questionId;
        const model = checkedDistribution(question.modelProbabilities, `model distribution of question "${id}"`, o.sumTolerance);
        const mass = question.modelOptionMass ?? null;
        if (mass !== null && !(mass >= 0 && mass <= 1)) {
            throw new Error(`modelOptionMass of question "${id}" is ${mass}: it is a probability mass in [0, 1] (or null when unknown)`);
        }
        const country = (key: string): number[] | null => {
            const shares = question.countryDistributions[key];
            if (shares === undefined) return null;
            checkSameLength(model, shares, `question "${id}", model vs "${key}"`);
            return checkedDistribution(shares, `"${key}" distribution of question "${id}"`, o.sumTolerance);
        };
        const focus = country(o.focusCountry);
        const comparison = country(o.comparisonCountry);
        const similarityFocus = focus === null ? null : opinionSimilarity(model, focus, o.base, o.sumTolerance);
        const similarityComparison = comparison === null ? null : opinionSimilarity(model, comparison, o.base, o.sumTolerance);
        let cad: number | null = null;
        let countryDistance: number | null = null;
        let ncad: number | null = null;
        let ncadExcluded = false;
        if (similarityFocus !== null && similarityComparison !== null) {
            cad = similarityFocus - similarityComparison;
            countryDistance = jensenShannonDistance(focus!, comparison!, o.base, o.sumTolerance);
            ncadExcluded = countryDistance < o.ncadMinCountryDistance;
            // |CAD| ≤ distance by the triangle inequality; clamping removes only rounding when CAD ≈ ±distance
            if (!ncadExcluded) ncad = Math.min(1, Math.max(-1, cad / countryDistance));
        }
        return {
            questionId: id,
            focusCountry: o.focusCountry,
            comparisonCountry: o.comparisonCountry,
            optionCount: model.length,
            modelOptionMass: mass,
            similarityFocus,
            similarityComparison,
            cad,
            countryDistance,
            ncad,
            ncadExcluded,
        };
    });
}

export type OpinionMetric = "similarity" | "cad" | "ncad" | "optionMass";

/** One aggregate over questions with its bootstrap interval. */
export interface OpinionAggregateRow {
    metric: OpinionMetric;
    /** the country a similarity is to; null for CAD, nCAD and option mass */
    country: string | null;
    /** questions averaged */
    questions: number;
    /** questions that had the countries but were left out (nCAD's distance threshold); 0 otherwise */
    excludedQuestions: number;
    value: number;
    ciLower: number;
    ciUpper: number;
}

interface MetricColumn {
    metric: OpinionMetric;
    country: string | null;
    values: (score: OpinionQuestionScore) => number | null;
}

/** The focus and comparison countries the scores share; mixing scores made with different keys is an error. */
function scoredCountries(scores: readonly OpinionQuestionScore[], what: string): { focusCountry: string; comparisonCountry: string } {
    const { focusCountry, comparisonCountry } = scores[0];
    const other = scores.find((s) => s.focusCountry !== focusCountry || s.comparisonCountry !== comparisonCountry);
    if (other) {
        throw new Error(
            `${what}: question "${other.questionId}" compares "${other.focusCountry}" with "${other.comparisonCountry}" but "${scores[0].questionId}" compares "${focusCountry}" with "${comparisonCountry}"; score every question with the same country keys`,
        );
    }
    return { focusCountry, comparisonCountry };
}

function metricColumns(countries: { focusCountry: string; comparisonCountry: string }): MetricColumn[] {
    return [
        { metric: "similarity", country: countries.focusCountry, values: (s) => s.similarityFocus },
        { metric: "similarity", country: countries.comparisonCountry, values: (s) => s.similarityComparison },
        { metric: "cad", country: null, values: (s) => s.cad },
        { metric: "ncad", country: null, values: (s) => s.ncad },
        { metric: "optionMass", country: null, values: (s) => s.modelOptionMass },
    ];
}

/** Column values as a dense array with NaN where a question has no value, and the mean over defined entries. */
function definedMeanStatistic(columns: Array<Array<number | null>>): WeightedStatistic {
    const dense = columns.map((column) => Float64Array.from(column, (v) => (v === null ? Number.NaN : v)));
    return (weights) =>
        dense.map((values) => {
            let sum = 0;
            let weight = 0;
            for (let i = 0; i < values.length; i++) {
                if (Number.isNaN(values[i])) continue;
                sum += weights[i] * values[i];
                weight += weights[i];
            }
            return weight > 0 ? sum / weight : Number.NaN;
        });
}

/**
 * Means over questions of every per-question metric, each over the questions where it is defined, with percentile
 * bootstrap intervals from one set of resamples over all questions. The option-mass row appears only when the
 * scores carry the model's option mass.
 */
export function summariseOpinion(scores: readonly OpinionQuestionScore[], bootstrap: Partial<BootstrapOptions> = {}): OpinionAggregateRow[] {
    if (scores.length === 0) throw new Error("no scored questions: score at least one question before summarising");
    const columns = metricColumns(scoredCountries(scores, "summariseOpinion")).filter((c) => c.metric !== "optionMass" || scores.some((s) => s.modelOptionMass !== null));
    const values = columns.map((c) => scores.map(c.values));
    const intervals = bootstrapIntervals(scores.length, definedMeanStatistic(values), bootstrap);
    return columns.map((c, k) => ({
        metric: c.metric,
        country: c.country,
        questions: values[k].filter((v) => v !== null).length,
        excludedQuestions: c.metric === "ncad" ? scores.filter((s) => s.ncadExcluded).length : 0,
        ...intervals[k],
    }));
}

/**
 * Answer distributions computed from the survey alone, to put model numbers in context:
 * - "comparison-country": the comparison country's respondents answer in the model's place (the paper's "a U.S.
 *   respondent is a closer proxy for Indian values" comparison); defined where the question has that country;
 * - "uniform": every option equally likely;
 * - "first-option": always the first option in canonical order.
 */
export type OpinionBaseline = "comparison-country" | "uniform" | "first-option";

export const OPINION_BASELINES: readonly OpinionBaseline[] = ["comparison-country", "uniform", "first-option"];

function optionCountOf(question: SurveyQuestion): number {
    const lengths = new Set(Object.values(question.countryDistributions).map((d) => d.length));
    if (lengths.size !== 1) {
        throw new Error(`question "${question.questionId}" has country distributions of lengths ${[...lengths].join(", ")}: every country must list the same options`);
    }
    return [...lengths][0];
}

/** The baseline's answer distribution for a question, or null where it is not defined. */
export function baselineDistribution(baseline: OpinionBaseline, question: SurveyQuestion, options: Partial<OpinionOptions> = {}): number[] | null {
    const o = { ...DEFAULT_OPINION_OPTIONS, ...options };
    switch (baseline) {
        case "comparison-country": {
            const shares = question.countryDistributions[o.comparisonCountry];
            return shares === undefined ? null : [...shares];
        }
        case "uniform": {
            const n = optionCountOf(question);
            return new Array<number>(n).fill(1 / n);
        }
        case "first-option": {
            const n = optionCountOf(question);
            return Array.from({ length: n }, (_, i) => (i === 0 ? 1 : 0));
        }
        default:
            throw new Error(`unknown opinion baseline "${baseline as string}": use one of ${OPINION_BASELINES.join(", ")}`);
    }
}

/** Scores a baseline exactly like a model, on the questions where the baseline is defined. */
export function scoreOpinionBaseline(baseline: OpinionBaseline, questions: readonly SurveyQuestion[], options: Partial<OpinionOptions> = {}): OpinionQuestionScore[] {
    const asModel: OpinionQuestion[] = [];
    for (const question of questions) {
        const distribution = baselineDistribution(baseline, question, options);
        if (distribution !== null) asModel.push({ ...question, modelProbabilities: distribution, modelOptionMass: null });
    }
    return scoreOpinionQuestions(asModel, options);
}

export interface OpinionBaselineRow extends OpinionAggregateRow {
    baseline: OpinionBaseline;
}

/** Aggregates of every baseline, each with its bootstrap intervals. */
export function summariseOpinionBaselines(
    questions: readonly SurveyQuestion[],
    options: Partial<OpinionOptions> = {},
    bootstrap: Partial<BootstrapOptions> = {},
): OpinionBaselineRow[] {
    return OPINION_BASELINES.flatMap((baseline) =>
        summariseOpinion(scoreOpinionBaseline(baseline, questions, options), bootstrap).map((row) => ({ baseline, ...row })),
    );
}

/** Run B − run A for one aggregate, with a paired bootstrap interval. */
export interface OpinionDifferenceRow {
    metric: OpinionMetric;
    country: string | null;
    /** questions where both runs have the value */
    questions: number;
    valueA: number;
    valueB: number;
    difference: number;
    ciLower: number;
    ciUpper: number;
}

/**
 * Compares two runs on the same questions (e.g. a base model and its regional fine-tune): each aggregate's
 * difference B − A with a paired bootstrap over questions. The runs must cover the same question ids.
 */
export function compareOpinionRuns(
    scoresA: readonly OpinionQuestionScore[],
    scoresB: readonly OpinionQuestionScore[],
    bootstrap: Partial<BootstrapOptions> = {},
): OpinionDifferenceRow[] {
    const byId = new Map(scoresB.map((s) => [s.questionId, s]));
    checkUniqueIds(scoresA.map((s) => s.questionId), "run A");
    checkUniqueIds(scoresB.map((s) => s.questionId), "run B");
    if (scoresA.length === 0) throw new Error("no scored questions: compare runs of at least one question");
    const pairedB = scoresA.map((a) => {
        const b = byId.get(a.questionId);
        if (b === undefined) throw new Error(`question "${a.questionId}" is in run A but not in run B: compare runs over the same questions`);
        return b;
    });
    if (scoresB.length !== scoresA.length) {
        const inA = new Set(scoresA.map((s) => s.questionId));
        const extra = scoresB.find((s) => !inA.has(s.questionId))!;
        throw new Error(`question "${extra.questionId}" is in run B but not in run A: compare runs over the same questions`);
    }
    const countries = scoredCountries([...scoresA, ...scoresB], "compareOpinionRuns");
    const columns = metricColumns(countries).filter((c) => c.metric !== "optionMass" || (scoresA.some((s) => s.modelOptionMass !== null) && pairedB.some((s) => s.modelOptionMass !== null)));
    // a question enters an aggregate's difference only when both runs define it, so both means cover the same questions
    const valuesA = columns.map((c) => scoresA.map((a, i) => (c.values(a) === null || c.values(pairedB[i]) === null ? null : c.values(a))));
    const valuesB = columns.map((c) => pairedB.map((b, i) => (c.values(b) === null || c.values(scoresA[i]) === null ? null : c.values(b))));
    const differences = pairedBootstrapDifferences(scoresA.length, definedMeanStatistic(valuesA), definedMeanStatistic(valuesB), bootstrap);
    return columns.map((c, k) => ({
        metric: c.metric,
        country: c.country,
        questions: valuesA[k].filter((v) => v !== null).length,
        ...differences[k],
    }));
}
