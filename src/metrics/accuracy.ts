/**
 * Accuracies on the knowledge and adaptation benchmarks, as their papers define them:
 * - CulturalBench-Easy (Chiu et al. 2024): one of four options; accuracy over questions.
 * - CulturalBench-Hard: each option judged true/false; a question is right only when all its judgements are right
 *   (accuracy at question level, per question_idx); per-judgement accuracy is reported beside it.
 * - NormAd (Rao et al. 2024): exact match of the answer yes / no / neither against the gold yes / no / neutral, per
 *   context level, pooled over levels, overall and per country, plus the macro-average over gold labels.
 *
 * Each answer list holds one answer per trial. With one trial (greedy decoding) accuracy is the plain accuracy;
 * with k > 1 sampled trials, "mean" rows give the mean over trials with its standard deviation across trials and
 * "majority-vote" rows score the most frequent answer. Every aggregate carries a bootstrap interval over questions
 * (stories for NormAd, so a story's three context levels move together).
 *
 * The work is split in two: score* turns answers into flat per-item scores, summariseAccuracy and
 * compareAccuracyRuns aggregate them.
 */
import {
    bootstrapIntervals,
    pairedBootstrapDifferences,
    type BootstrapOptions,
    type WeightedStatistic,
} from "./bootstrap.ts";

export type AccuracyBenchmark = "culturalbench-easy" | "culturalbench-hard" | "normad";
export type NormAdContextLevel = "country" | "value" | "rule-of-thumb";
export type NormAdGoldLabel = "yes" | "no" | "neutral";
export type NormAdAnswer = "yes" | "no" | "neither";

export const NORMAD_CONTEXT_LEVELS: readonly NormAdContextLevel[] = ["country", "value", "rule-of-thumb"];
export const NORMAD_GOLD_LABELS: readonly NormAdGoldLabel[] = ["yes", "no", "neutral"];
/** The answer that exactly matches each gold label: the model is asked yes / no / neither, the data says neutral. */
export const NORMAD_ANSWER_FOR_GOLD: Readonly<Record<NormAdGoldLabel, NormAdAnswer>> = Object.freeze({ yes: "yes", no: "no", neutral: "neither" });

/** A CulturalBench-Easy question: the gold option and the model's chosen option per trial (null: no parseable answer). */
export interface CulturalBenchEasyAnswers {
    questionId: string;
    country: string;
    gold: string;
    answers: readonly (string | null)[];
}

/** One CulturalBench-Hard judgement (one option of a question): is this option a right answer? */
export interface CulturalBenchHardJudgement {
    questionId: string;
    /** distinguishes the question's options, e.g. the data_idx */
    optionId: string;
    country: string;
    gold: boolean;
    answers: readonly (boolean | null)[];
}

/** A NormAd story asked at one context level. */
export interface NormAdAnswers {
    storyId: string;
    country: string;
    contextLevel: NormAdContextLevel;
    gold: NormAdGoldLabel;
    answers: readonly (NormAdAnswer | null)[];
}

/** One scored item: a question (CulturalBench) or a story at one context level (NormAd). Flat, one row per item. */
export interface ScoredItem {
    benchmark: AccuracyBenchmark;
    /** question id, or story id for NormAd (with contextLevel it identifies the item) */
    itemId: string;
    /** the bootstrap unit the item belongs to: the question, or the NormAd story */
    unitId: string;
    country: string;
    contextLevel: NormAdContextLevel | null;
    /** NormAd's gold label (for per-label and macro accuracy); null for CulturalBench */
    goldLabel: NormAdGoldLabel | null;
    /** per trial: 1 if the item was answered right, else 0 */
    trialScores: number[];
    /** credit of the majority-vote answer in [0, 1]; a tie between t answers earns 1/t per right answer among them */
    majorityVoteScore: number;
    /** CulturalBench-Hard: per trial, the fraction of the question's judgements that were right; otherwise null */
    judgementTrialScores: number[] | null;
    /** CulturalBench-Hard: mean majority-vote credit of the question's judgements; otherwise null */
    judgementMajorityVoteScore: number | null;
}

function checkAnswers(answers: readonly unknown[], where: string): void {
    if (!Array.isArray(answers) || answers.length === 0) {
        throw new Error(`${where} has no answers: pass one answer per trial (null for a trial without a parseable answer)`);
    }
}

function checkId(id: unknown, what: string): void {
    if (typeof id !== "string" || id.length === 0) throw new Error(`${what} must be a non-empty string, got ${JSON.stringify(id)}`);
}

/**
 * Credit of the majority vote over one item's trials: the most frequent answer (no answer counts as an answer that
 * is never right). A tie is not broken by position or order; each of the t tied answers earns 1/t, the expected
 * score of breaking the tie at random, so the result does not depend on the order of the trials.
 */
export function majorityVoteCredit<T>(answers: readonly (T | null)[], isRight: (answer: T) => boolean): number {
    const counts = new Map<T | null, number>();
    for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
    const top = Math.max(...counts.values());
    const tied = [...counts.entries()].filter(([, c]) => c === top).map(([a]) => a);
    return tied.filter((a) => a !== null && isRight(a)).length / tied.length;
}

function checkUnique(keys: readonly string[], what: string): void {
    const seen = new Set<string>();
    for (const key of keys) {
        if (seen.has(key)) throw new Error(`${what} "${key}" occurs twice: each must appear once`);
        seen.add(key);
    }
}

/** CulturalBench-Easy: right when the chosen option is the gold one. */
export function scoreCulturalBenchEasy(questions: readonly CulturalBenchEasyAnswers[]): ScoredItem[] {
    if (questions.length === 0) throw new Error("no CulturalBench-Easy questions: pass at least one");
    checkUnique(questions.map((q) => q.questionId), "CulturalBench-Easy question id");
    return questions.map((q) => {
        checkId(q.questionId, "questionId");
        checkId(q.country, `country of question "${q.questionId}"`);
        checkId(q.gold, `gold option of question "${q.questionId}"`);
        checkAnswers(q.answers, `CulturalBench-Easy question "${q.questionId}"`);
        for (const a of q.answers) {
            if (a !== null && typeof a !== "string") throw new Error(`question "${q.questionId}" has answer ${JSON.stringify(a)}: answers are option strings such as "A", or null`);
        }
        return {
            benchmark: "culturalbench-easy",
            itemId: q.questionId,
            unitId: q.questionId,
            country: q.country,
            contextLevel: null,
            goldLabel: null,
            trialScores: q.answers.map((a) => (a === q.gold ? 1 : 0)),
            majorityVoteScore: majorityVoteCredit(q.answers, (a) => a === q.gold),
            judgementTrialScores: null,
            judgementMajorityVoteScore: null,
        };
    });
}

/**
 * CulturalBench-Hard: a question is right in a trial only when every one of its judgements is right in that trial.
 * Its majority-vote credit is the product of its judgements' credits (each judgement voted on separately), i.e. the
 * chance that all four majority answers are right when ties are broken at random.
 */
export function scoreCulturalBenchHard(judgements: readonly CulturalBenchHardJudgement[], options: { judgementsPerQuestion?: number } = {}): ScoredItem[] {
    const perQuestion = options.judgementsPerQuestion ?? 4;
    if (judgements.length === 0) throw new Error("no CulturalBench-Hard judgements: pass at least one");
    checkUnique(judgements.map((j) => `${j.questionId}/${j.optionId}`), "CulturalBench-Hard judgement (question/option)");
    const byQuestion = new Map<string, CulturalBenchHardJudgement[]>();
    for (const j of judgements) {
        checkId(j.questionId, "questionId");
        checkId(j.optionId, `optionId of question "${j.questionId}"`);
        checkId(j.country, `country of question "${j.questionId}"`);
        if (typeof j.gold !== "boolean") throw new Error(`judgement ${j.questionId}/${j.optionId} has gold ${JSON.stringify(j.gold)}: gold is true or false`);
        checkAnswers(j.answers, `judgement ${j.questionId}/${j.optionId}`);
        for (const a of j.answers) {
            if (a !== null && typeof a !== "boolean") throw new Error(`judgement ${j.questionId}/${j.optionId} has answer ${JSON.stringify(a)}: answers are true, false or null`);
        }
        const list = byQuestion.get(j.questionId) ?? [];
        list.push(j);
        byQuestion.set(j.questionId, list);
    }
    return [...byQuestion.entries()].map(([questionId, list]) => {
        if (list.length !== perQuestion) {
            throw new Error(
                `CulturalBench-Hard question "${questionId}" has ${list.length} judgements, expected ${perQuestion}: a question is right only when all of its options are judged, so pass every option (or set judgementsPerQuestion)`,
            );
        }
        const countries = new Set(list.map((j) => j.country));
        if (countries.size !== 1) throw new Error(`CulturalBench-Hard question "${questionId}" has judgements from countries ${[...countries].join(", ")}: one question has one country`);
        const trials = list[0].answers.length;
        if (list.some((j) => j.answers.length !== trials)) {
            throw new Error(`CulturalBench-Hard question "${questionId}" has judgements with different numbers of trials: every judgement needs one answer per trial`);
        }
        const trialIndices = Array.from({ length: trials }, (_, t) => t);
        const rightInTrial = (t: number) => list.filter((j) => j.answers[t] === j.gold).length;
        const credits = list.map((j) => majorityVoteCredit(j.answers, (a) => a === j.gold));
        return {
            benchmark: "culturalbench-hard",
            itemId: questionId,
            unitId: questionId,
            country: list[0].country,
            contextLevel: null,
            goldLabel: null,
            trialScores: trialIndices.map((t) => (rightInTrial(t) === list.length ? 1 : 0)),
            majorityVoteScore: credits.reduce((product, c) => product * c, 1),
            judgementTrialScores: trialIndices.map((t) => rightInTrial(t) / list.length),
            judgementMajorityVoteScore: credits.reduce((s, c) => s + c, 0) / list.length,
        };
    });
}

/** NormAd: exact match of yes / no / neither against the gold yes / no / neutral. */
export function scoreNormAd(items: readonly NormAdAnswers[]): ScoredItem[] {
    if (items.length === 0) throw new Error("no NormAd items: pass at least one story at one context level");
    checkUnique(items.map((i) => `${i.storyId}@${i.contextLevel}`), "NormAd story@contextLevel");
    const storyFacts = new Map<string, { country: string; gold: NormAdGoldLabel }>();
    return items.map((item) => {
        checkId(item.storyId, "storyId");
        checkId(item.country, `country of story "${item.storyId}"`);
        if (!NORMAD_CONTEXT_LEVELS.includes(item.contextLevel)) {
            throw new Error(`story "${item.storyId}" has context level ${JSON.stringify(item.contextLevel)}: use one of ${NORMAD_CONTEXT_LEVELS.join(", ")}`);
        }
        if (!NORMAD_GOLD_LABELS.includes(item.gold)) {
            throw new Error(`story "${item.storyId}" has gold label ${JSON.stringify(item.gold)}: NormAd's gold labels are ${NORMAD_GOLD_LABELS.join(", ")}`);
        }
        const facts = storyFacts.get(item.storyId);
        if (facts && (facts.country !== item.country || facts.gold !== item.gold)) {
            throw new Error(`story "${item.storyId}" has country/gold ${facts.country}/${facts.gold} at one context level and ${item.country}/${item.gold} at another: a story keeps its country and gold label at every level`);
        }
        storyFacts.set(item.storyId, { country: item.country, gold: item.gold });
        checkAnswers(item.answers, `story "${item.storyId}" at ${item.contextLevel}`);
        for (const a of item.answers) {
            if (a !== null && !Object.values(NORMAD_ANSWER_FOR_GOLD).includes(a)) {
                throw new Error(`story "${item.storyId}" has answer ${JSON.stringify(a)}: map the model's reply to yes, no or neither (or null when it gave none) before scoring`);
            }
        }
        const right = NORMAD_ANSWER_FOR_GOLD[item.gold];
        return {
            benchmark: "normad",
            itemId: item.storyId,
            unitId: item.storyId,
            country: item.country,
            contextLevel: item.contextLevel,
            goldLabel: item.gold,
            trialScores: item.answers.map((a) => (a === right ? 1 : 0)),
            majorityVoteScore: majorityVoteCredit(item.answers, (a) => a === right),
            judgementTrialScores: null,
            judgementMajorityVoteScore: null,
        };
    });
}

export type AccuracyMetric = "accuracy" | "judgementAccuracy" | "labelAccuracy" | "labelMacroAccuracy";
export type TrialAggregation = "mean" | "majority-vote";

/** The subset a row is computed over: null in a field means "not split by it" (all levels, all countries). */
export interface AccuracySubset {
    benchmark: AccuracyBenchmark;
    contextLevel: NormAdContextLevel | null;
    country: string | null;
}

interface RowKey extends AccuracySubset {
    metric: AccuracyMetric;
    trialAggregation: TrialAggregation;
    /** the gold label of a labelAccuracy row; null otherwise */
    label: NormAdGoldLabel | null;
    /** items averaged (questions; NormAd: story × context level answers, only those of the label for labelAccuracy) */
    items: number;
    /** distinct bootstrap units among them (questions; NormAd: stories) */
    questions: number;
}

export interface AccuracyRow extends RowKey {
    /** answers per item */
    trials: number;
    value: number;
    /** sample standard deviation of the metric across trials; null for one trial and for majority-vote rows */
    trialSd: number | null;
    ciLower: number;
    ciUpper: number;
}

export interface AccuracyDifferenceRow extends RowKey {
    trialsA: number;
    trialsB: number;
    valueA: number;
    valueB: number;
    /** valueB − valueA */
    difference: number;
    ciLower: number;
    ciUpper: number;
}

interface MetricSpec {
    metric: AccuracyMetric;
    label: NormAdGoldLabel | null;
}

/** Which item score a metric reads: per trial t, the trial mean, or the majority-vote credit. */
type ScoreSource = { kind: "trial"; trial: number } | { kind: "mean" } | { kind: "majority" };

function itemScore(item: ScoredItem, judgement: boolean, source: ScoreSource): number {
    const trials = judgement ? item.judgementTrialScores! : item.trialScores;
    switch (source.kind) {
        case "trial":
            return trials[source.trial];
        case "mean":
            return trials.reduce((s, x) => s + x, 0) / trials.length;
        case "majority":
            return judgement ? item.judgementMajorityVoteScore! : item.majorityVoteScore;
    }
}

/** The metrics one subset of items supports, and a weighted statistic that computes all of them from one pass. */
class SubsetMetrics {
    readonly specs: MetricSpec[];
    readonly unitCount: number;
    private readonly unitOf: Int32Array;
    private readonly labelOf: Int32Array;
    private readonly labels: NormAdGoldLabel[];

    /** `units` numbers the resampled units; it may hold units this subset does not use */
    constructor(readonly items: readonly ScoredItem[], units: ReadonlyMap<string, number>) {
        this.unitOf = Int32Array.from(items, (item) => units.get(item.unitId)!);
        this.unitCount = units.size;
        this.labels = NORMAD_GOLD_LABELS.filter((l) => items.some((item) => item.goldLabel === l));
        this.labelOf = Int32Array.from(items, (item) => (item.goldLabel === null ? -1 : this.labels.indexOf(item.goldLabel)));
        const hasJudgements = items.every((item) => item.judgementTrialScores !== null);
        this.specs = [
            { metric: "accuracy", label: null },
            ...(hasJudgements ? [{ metric: "judgementAccuracy" as const, label: null }] : []),
            ...this.labels.map((label) => ({ metric: "labelAccuracy" as const, label })),
            ...(this.labels.length > 0 ? [{ metric: "labelMacroAccuracy" as const, label: null }] : []),
        ];
    }

    /** items and distinct units a metric averages over */
    counts(spec: MetricSpec): { items: number; questions: number } {
        const members = this.items.filter((item) => spec.label === null || item.goldLabel === spec.label);
        return { items: members.length, questions: new Set(members.map((m) => m.unitId)).size };
    }

    statistic(source: ScoreSource): WeightedStatistic {
        // Sum the items of each unit once, so each resample loops over units, not items.
        const units = this.unitCount;
        const labelCount = this.labels.length;
        const unitSum = new Float64Array(units);
        const unitItems = new Float64Array(units);
        const unitJudgementSum = new Float64Array(units);
        // a unit has one gold label (a NormAd story keeps its label at every context level): -1 for none
        const unitLabel = new Int32Array(units).fill(-1);
        const withJudgements = this.specs.some((s) => s.metric === "judgementAccuracy");
        this.items.forEach((item, i) => {
            const u = this.unitOf[i];
            unitSum[u] += itemScore(item, false, source);
            unitItems[u] += 1;
            if (withJudgements) unitJudgementSum[u] += itemScore(item, true, source);
            if (unitItems[u] > 1 && unitLabel[u] !== this.labelOf[i]) {
                throw new Error(`items of "${item.unitId}" carry different gold labels: the items of one question or story must share its gold label`);
            }
            unitLabel[u] = this.labelOf[i];
        });
        const labelSlot = this.specs.map((spec) => (spec.label === null ? -1 : this.labels.indexOf(spec.label)));
        const metrics = this.specs.map((spec) => spec.metric);
        // reused across calls: most subsets (a country at one context level) have a few dozen units, where
        // allocating per resample would cost more than the sums
        const labelSum = new Float64Array(labelCount);
        const labelWeight = new Float64Array(labelCount);
        const labelAccuracy = new Float64Array(labelCount);
        return (unitWeights) => {
            let sum = 0;
            let judgementSum = 0;
            let weight = 0;
            labelSum.fill(0);
            labelWeight.fill(0);
            for (let u = 0; u < units; u++) {
                const w = unitWeights[u];
                if (w === 0) continue;
                sum += w * unitSum[u];
                weight += w * unitItems[u];
                judgementSum += w * unitJudgementSum[u];
                const l = unitLabel[u];
                if (l >= 0) {
                    labelSum[l] += w * unitSum[u];
                    labelWeight[l] += w * unitItems[u];
                }
            }
            let macro = 0;
            for (let l = 0; l < labelCount; l++) {
                // a label with no weight in a resample has no accuracy there: NaN leaves that replicate out
                labelAccuracy[l] = labelWeight[l] > 0 ? labelSum[l] / labelWeight[l] : Number.NaN;
                macro += labelAccuracy[l] / labelCount;
            }
            const values = new Array<number>(metrics.length);
            for (let k = 0; k < metrics.length; k++) {
                const metric = metrics[k];
                if (metric === "accuracy") values[k] = sum / weight;
                else if (metric === "judgementAccuracy") values[k] = judgementSum / weight;
                else if (metric === "labelAccuracy") values[k] = labelAccuracy[labelSlot[k]];
                else values[k] = macro;
            }
            return values;
        };
    }
}

function trialCount(items: readonly ScoredItem[], what: string): number {
    const trials = items[0].trialScores.length;
    const other = items.find((item) => item.trialScores.length !== trials);
    if (other) {
        throw new Error(
            `${what}: item "${other.itemId}" has ${other.trialScores.length} trials but "${items[0].itemId}" has ${trials}; aggregate runs with the same number of trials per item`,
        );
    }
    return trials;
}

function sampleSd(values: readonly number[]): number {
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
}

type Subset = AccuracySubset & { members: ScoredItem[] };

const subsetKey = (s: AccuracySubset) => `${s.benchmark}\u0000${s.contextLevel ?? ""}\u0000${s.country ?? ""}`;

/**
 * The subsets rows are computed over: per benchmark, all items; for NormAd also each context level; and within each
 * of those, every country.
 */
function subsets(items: readonly ScoredItem[]): Subset[] {
    const out = new Map<string, Subset>();
    const add = (subset: AccuracySubset, item: ScoredItem) => {
        const key = subsetKey(subset);
        if (!out.has(key)) out.set(key, { ...subset, members: [] });
        out.get(key)!.members.push(item);
    };
    const sorted = [...items].sort(
        (a, b) =>
            a.benchmark.localeCompare(b.benchmark) ||
            NORMAD_CONTEXT_LEVELS.indexOf(a.contextLevel!) - NORMAD_CONTEXT_LEVELS.indexOf(b.contextLevel!) ||
            a.country.localeCompare(b.country),
    );
    for (const item of sorted) add({ benchmark: item.benchmark, contextLevel: null, country: null }, item);
    for (const item of sorted) if (item.contextLevel !== null) add({ benchmark: item.benchmark, contextLevel: item.contextLevel, country: null }, item);
    for (const item of sorted) add({ benchmark: item.benchmark, contextLevel: null, country: item.country }, item);
    for (const item of sorted) if (item.contextLevel !== null) add({ benchmark: item.benchmark, contextLevel: item.contextLevel, country: item.country }, item);
    return [...out.values()];
}

/**
 * Subsets over the same units share their resamples: a NormAd country's stories pooled and at each context level are
 * one set of stories, so one draw serves all four, as it serves all metrics of one subset. This is also what makes
 * the intervals of one country's levels comparable.
 */
function resamplingGroups(all: readonly Subset[]): Array<{ units: Map<string, number>; subsets: Subset[] }> {
    const groups = new Map<string, { units: Map<string, number>; subsets: Subset[] }>();
    for (const subset of all) {
        const unitIds = [...new Set(subset.members.map((m) => m.unitId))].sort();
        const key = `${subset.benchmark}\u0000${unitIds.join("\u0000")}`;
        if (!groups.has(key)) groups.set(key, { units: new Map(unitIds.map((id, u) => [id, u])), subsets: [] });
        groups.get(key)!.subsets.push(subset);
    }
    return [...groups.values()];
}

/** One statistic that returns the statistics' values one after another. */
function concatenated(statistics: readonly WeightedStatistic[]): WeightedStatistic {
    return (unitWeights) => {
        // a plain loop: Array.prototype.flatMap costs more than the sums themselves here
        const values: number[] = [];
        for (const statistic of statistics) for (const value of statistic(unitWeights)) values.push(value);
        return values;
    };
}

/** The keys of a group's rows, in the order its concatenated statistic returns the values. */
function groupRowKeys(subsets: readonly Subset[], metrics: readonly SubsetMetrics[], aggregation: TrialAggregation): Array<{ key: RowKey; subset: number; spec: number }> {
    return subsets.flatMap((subset, s) =>
        metrics[s].specs.map((spec, k) => ({
            key: {
                benchmark: subset.benchmark,
                contextLevel: subset.contextLevel,
                country: subset.country,
                metric: spec.metric,
                trialAggregation: aggregation,
                label: spec.label,
                ...metrics[s].counts(spec),
            },
            subset: s,
            spec: k,
        })),
    );
}

const sourceOf = (aggregation: TrialAggregation): ScoreSource => (aggregation === "mean" ? { kind: "mean" } : { kind: "majority" });

/**
 * Every accuracy aggregate of the scored items: per benchmark, overall and per country, for NormAd also per
 * context level; mean over trials (± sd across trials when there are several) and, for k > 1 trials, majority vote.
 */
export function summariseAccuracy(items: readonly ScoredItem[], bootstrap: Partial<BootstrapOptions> = {}): AccuracyRow[] {
    if (items.length === 0) throw new Error("no scored items: score at least one question before summarising");
    const trials = trialCount(items, "summariseAccuracy");
    const aggregations: TrialAggregation[] = trials > 1 ? ["mean", "majority-vote"] : ["mean"];
    const rows: AccuracyRow[] = [];
    for (const group of resamplingGroups(subsets(items))) {
        const metrics = group.subsets.map((subset) => new SubsetMetrics(subset.members, group.units));
        const ones = new Float64Array(group.units.size).fill(1);
        // per subset and trial: the metrics of that trial alone, for the spread across trials
        const perTrial = metrics.map((m) => (trials > 1 ? Array.from({ length: trials }, (_, t) => m.statistic({ kind: "trial", trial: t })(ones)) : null));
        for (const aggregation of aggregations) {
            const intervals = bootstrapIntervals(group.units.size, concatenated(metrics.map((m) => m.statistic(sourceOf(aggregation)))), bootstrap);
            groupRowKeys(group.subsets, metrics, aggregation).forEach(({ key, subset, spec }, i) => {
                const trialValues = aggregation === "mean" ? perTrial[subset] : null;
                rows.push({
                    ...key,
                    trials,
                    value: intervals[i].value,
                    trialSd: trialValues ? sampleSd(trialValues.map((values) => values[spec])) : null,
                    ciLower: intervals[i].ciLower,
                    ciUpper: intervals[i].ciUpper,
                });
            });
        }
    }
    return rows;
}

const itemKey = (item: ScoredItem) => `${item.benchmark}\u0000${item.contextLevel ?? ""}\u0000${item.itemId}`;

/**
 * Run B − run A for every aggregate, with a paired bootstrap over questions: both runs are resampled on the same
 * questions, as a base-vs-fine-tuned comparison on one benchmark needs. The runs must hold the same items;
 * majority-vote rows appear when both runs have several trials.
 */
export function compareAccuracyRuns(itemsA: readonly ScoredItem[], itemsB: readonly ScoredItem[], bootstrap: Partial<BootstrapOptions> = {}): AccuracyDifferenceRow[] {
    if (itemsA.length === 0) throw new Error("no scored items: compare runs of at least one question");
    const trialsA = trialCount(itemsA, "run A");
    const trialsB = trialCount(itemsB, "run B");
    const byKey = new Map(itemsB.map((item) => [itemKey(item), item]));
    if (byKey.size !== itemsB.length) throw new Error("run B holds an item twice: score each question (and NormAd context level) once");
    const aligned = new Map<ScoredItem, ScoredItem>();
    const seenA = new Set<string>();
    for (const a of itemsA) {
        const b = byKey.get(itemKey(a));
        if (b === undefined) throw new Error(`item "${a.itemId}" (${a.benchmark}${a.contextLevel ? `, ${a.contextLevel}` : ""}) is in run A but not in run B: compare runs over the same questions`);
        if (seenA.has(itemKey(a))) throw new Error(`run A holds item "${a.itemId}" twice: score each question (and NormAd context level) once`);
        seenA.add(itemKey(a));
        if (a.unitId !== b.unitId || a.country !== b.country || a.goldLabel !== b.goldLabel) {
            throw new Error(`item "${a.itemId}" has question/country/gold ${a.unitId}/${a.country}/${a.goldLabel} in run A but ${b.unitId}/${b.country}/${b.goldLabel} in run B: both runs must be scored on the same data`);
        }
        aligned.set(a, b);
    }
    if (itemsB.length !== itemsA.length) {
        const inA = new Set(itemsA.map(itemKey));
        const extra = itemsB.find((b) => !inA.has(itemKey(b)))!;
        throw new Error(`item "${extra.itemId}" (${extra.benchmark}) is in run B but not in run A: compare runs over the same questions`);
    }
    const aggregations: TrialAggregation[] = trialsA > 1 && trialsB > 1 ? ["mean", "majority-vote"] : ["mean"];
    const rows: AccuracyDifferenceRow[] = [];
    for (const group of resamplingGroups(subsets(itemsA))) {
        const metricsA = group.subsets.map((subset) => new SubsetMetrics(subset.members, group.units));
        const metricsB = group.subsets.map((subset) => new SubsetMetrics(subset.members.map((a) => aligned.get(a)!), group.units));
        for (const aggregation of aggregations) {
            const differences = pairedBootstrapDifferences(
                group.units.size,
                concatenated(metricsA.map((m) => m.statistic(sourceOf(aggregation)))),
                concatenated(metricsB.map((m) => m.statistic(sourceOf(aggregation)))),
                bootstrap,
            );
            groupRowKeys(group.subsets, metricsA, aggregation).forEach(({ key }, i) => rows.push({ ...key, trialsA, trialsB, ...differences[i] }));
        }
    }
    return rows;
}
