// The data behind each chart and table of the report: pure functions from a run's table rows (and the survey and
// reference data they point to) to flat rows. Kept apart from the chart specs and the HTML so that what a chart
// shows can be tested on its own (tests/report/chartData.test.ts).
import type { ReferencePosition } from "../culturalmap/reference.ts";
import { INDIA, UNITED_STATES } from "../culturalmap/reference.ts";
import type { GlobalOpinionQuestion } from "../datasets/globalOpinionQa.ts";
import { letterDistribution } from "../metrics/distributions.ts";
import { jensenShannonDistance, opinionSimilarity, scoreOpinionBaseline, type SurveyQuestion } from "../metrics/opinion.ts";
import type { AnswerRow, MapRow, MetricRow, RunRecord, ScoreRow } from "../output/index.ts";
import type { CountryKeys } from "./survey.ts";

/** How a model × strategy is named on every axis, legend and table of the report. */
export const configLabel = (model: string, strategy: string) => `${model} · ${strategy}`;

/** Appends to the list under `key`, creating it on first use. */
export function groupPush<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
    const list = groups.get(key);
    if (list) list.push(value);
    else groups.set(key, [value]);
}

/** Sorted distinct values, so charts and tables list configurations in a stable order. */
const distinct = <T>(values: Iterable<T>) => [...new Set(values)].sort();

// ---------------------------------------------------------------------------------------------------------------
// Cultural map

export type MapPointKind = "reference" | "India" | "United States" | "model";

export interface MapPoint {
    kind: MapPointKind;
    /** Country name (with survey year) or configuration label. */
    label: string;
    TradAgg: number;
    SurvSAgg: number;
    /** the model's name and strategy; null for reference countries */
    model: string | null;
    strategy: string | null;
}

export interface MapDistanceRow {
    config: string;
    model: string;
    strategy: string;
    TradAgg: number;
    SurvSAgg: number;
    distanceIndia: number;
    distanceUnitedStates: number;
    /** "India", "United States" or "equidistant" */
    closerTo: string;
    nearest: { country: string; distance: number }[];
}

/**
 * Points of the map: each reference country at its latest survey (India and the US marked as such), then each
 * model × strategy at its placed position. Distances come from the map table as the run computed them.
 */
export function mapChartData(mapRows: readonly MapRow[], reference: readonly ReferencePosition[]): { points: MapPoint[]; distances: MapDistanceRow[] } {
    const kindOf = (geo: string): MapPointKind => (geo === INDIA ? "India" : geo === UNITED_STATES ? "United States" : "reference");
    const points: MapPoint[] = reference.map((r) => ({ kind: kindOf(r.geo), label: `${r.name} ${r.year}`, TradAgg: r.TradAgg, SurvSAgg: r.SurvSAgg, model: null, strategy: null }));
    const rows = [...mapRows].sort((a, b) => a.model.localeCompare(b.model) || a.strategy.localeCompare(b.strategy));
    for (const m of rows) points.push({ kind: "model", label: configLabel(m.model, m.strategy), TradAgg: m.trad_agg, SurvSAgg: m.surv_s_agg, model: m.model, strategy: m.strategy });
    const distances = rows.map((m) => ({
        config: configLabel(m.model, m.strategy),
        model: m.model,
        strategy: m.strategy,
        TradAgg: m.trad_agg,
        SurvSAgg: m.surv_s_agg,
        distanceIndia: m.distance_india,
        distanceUnitedStates: m.distance_united_states,
        closerTo: m.distance_india < m.distance_united_states ? "India" : m.distance_india > m.distance_united_states ? "United States" : "equidistant",
        nearest: m.nearest_countries.map((country, i) => ({ country, distance: m.nearest_distances[i] })),
    }));
    return { points, distances };
}

// ---------------------------------------------------------------------------------------------------------------
// Opinion alignment

/** One aggregate with its interval, as the charts draw it. */
export interface IntervalRow {
    config: string;
    model: string;
    strategy: string;
    metric: string;
    country: string | null;
    value: number;
    ciLower: number | null;
    ciUpper: number | null;
    n: number;
}

export interface OpinionBaselineValue {
    metric: "similarity" | "cad" | "ncad";
    country: string | null;
    value: number;
    /** "metrics" when the run wrote it, "survey" when the report computed it from the survey */
    source: "metrics" | "survey";
}

const toInterval = (m: MetricRow): IntervalRow => ({
    config: configLabel(m.model, m.strategy),
    model: m.model,
    strategy: m.strategy,
    metric: m.metric,
    country: m.country,
    value: m.value,
    ciLower: m.ci_lower,
    ciUpper: m.ci_upper,
    n: m.n,
});

const byConfig = (a: IntervalRow, b: IntervalRow) => a.model.localeCompare(b.model) || a.strategy.localeCompare(b.strategy);

/**
 * The opinion aggregates of the model rows (not the baselines): similarity to each of the two countries, CAD and
 * nCAD, and the US-respondent baseline ("comparison-country": the comparison country's respondents scored as if
 * they were the model), which the charts draw as a reference line.
 */
export function opinionChartData(metrics: readonly MetricRow[]): { similarity: IntervalRow[]; cad: IntervalRow[]; baselines: OpinionBaselineValue[] } {
    const opinion = metrics.filter((m) => m.task === "opinion");
    const models = opinion.filter((m) => m.subset === null);
    const similarity = models.filter((m) => m.metric === "similarity").map(toInterval).sort(byConfig);
    const cad = models.filter((m) => m.metric === "cad" || m.metric === "ncad").map(toInterval).sort((a, b) => a.metric.localeCompare(b.metric) || byConfig(a, b));
    // a baseline is computed from the survey alone, so every model × strategy context carries the same value: keep one
    const baselines = new Map<string, OpinionBaselineValue>();
    for (const m of opinion) {
        if (m.subset !== "baseline:comparison-country") continue;
        if (m.metric !== "similarity" && m.metric !== "cad" && m.metric !== "ncad") continue;
        const key = `${m.metric}|${m.country}`;
        if (!baselines.has(key)) baselines.set(key, { metric: m.metric, country: m.country, value: m.value, source: "metrics" });
    }
    return { similarity, cad, baselines: [...baselines.values()] };
}

/**
 * The US-respondent baseline's CAD and nCAD computed from the survey, for runs whose metrics table lacks it: the
 * comparison country's distribution scored like a model over the given questions, averaged as summariseOpinion does.
 */
export function surveyBaseline(questions: readonly SurveyQuestion[], keys: CountryKeys): OpinionBaselineValue[] {
    const usable = questions.filter((q) => q.countryDistributions[keys.focus] && q.countryDistributions[keys.comparison]);
    if (usable.length === 0) return [];
    const scores = scoreOpinionBaseline("comparison-country", usable, { focusCountry: keys.focus, comparisonCountry: keys.comparison });
    const mean = (values: (number | null)[]) => {
        const defined = values.filter((v): v is number => v !== null);
        return defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
    };
    const out: OpinionBaselineValue[] = [];
    const cad = mean(scores.map((s) => s.cad));
    const ncad = mean(scores.map((s) => s.ncad));
    if (cad !== null) out.push({ metric: "cad", country: null, value: cad, source: "survey" });
    if (ncad !== null) out.push({ metric: "ncad", country: null, value: ncad, source: "survey" });
    return out;
}

/**
 * The model's distribution over a question's options: in logit mode the run's averaged distribution; in sampling
 * mode the share of parsed trials that chose each option (answer values are option indices), null when no trial
 * parsed.
 */
export function modelDistribution(answer: AnswerRow, optionCount: number): number[] | null {
    if (answer.distribution) return [...answer.distribution];
    const parsed = (answer.sampled_answers ?? []).filter((a): a is string => a !== null);
    if (parsed.length === 0) return null;
    const counts = new Array<number>(optionCount).fill(0);
    for (const a of parsed) for (const part of a.split(",")) counts[Number(part)] += 1 / parsed.length / a.split(",").length;
    return counts;
}

export interface OpinionQuestionRow {
    itemId: string;
    config: string;
    model: string;
    strategy: string;
    question: string;
    options: string[];
    focus: number[] | null;
    comparison: number[] | null;
    modelDistribution: number[] | null;
    simFocus: number | null;
    simComparison: number | null;
    /** simFocus − simComparison */
    cad: number | null;
    /** which country's respondents the model's distribution is closer to; null when a value is missing */
    closer: "focus" | "comparison" | "tie" | null;
}

/** A similarity, or null where the distribution is missing or not a distribution (a survey row whose sum is off 1). */
function similarityOrNull(model: number[] | null, country: readonly number[] | undefined): number | null {
    if (!model || !country || model.length !== country.length) return null;
    try {
        return opinionSimilarity(model, country);
    } catch {
        return null;
    }
}

/** One row per opinion answer: the question, both countries' respondents, the model, and the two similarities. */
export function opinionQuestionRows(answers: readonly AnswerRow[], survey: ReadonlyMap<string, GlobalOpinionQuestion>, keys: CountryKeys): OpinionQuestionRow[] {
    const rows: OpinionQuestionRow[] = [];
    for (const a of answers) {
        if (a.task !== "opinion") continue;
        const q = survey.get(a.item_id);
        const options = q ? q.options : [];
        const model = q ? modelDistribution(a, options.length) : null;
        const focus = q?.selections[keys.focus] ?? null;
        const comparison = q?.selections[keys.comparison] ?? null;
        const simFocus = similarityOrNull(model, focus ?? undefined);
        const simComparison = similarityOrNull(model, comparison ?? undefined);
        const cad = simFocus !== null && simComparison !== null ? simFocus - simComparison : null;
        rows.push({
            itemId: a.item_id,
            config: configLabel(a.model, a.strategy),
            model: a.model,
            strategy: a.strategy,
            question: q ? q.question : `(${a.item_id} is not in the survey file)`,
            options: [...options],
            focus: focus ? [...focus] : null,
            comparison: comparison ? [...comparison] : null,
            modelDistribution: model,
            simFocus,
            simComparison,
            cad,
            closer: cad === null ? null : cad > 0 ? "focus" : cad < 0 ? "comparison" : "tie",
        });
    }
    return rows.sort((a, b) => a.config.localeCompare(b.config) || itemOrder(a.itemId, b.itemId));
}

/** goqa-2 before goqa-10: by the number in the id, then as text. */
export function itemOrder(a: string, b: string): number {
    const na = Number(/(\d+)$/.exec(a)?.[1] ?? NaN);
    const nb = Number(/(\d+)$/.exec(b)?.[1] ?? NaN);
    return Number.isFinite(na) && Number.isFinite(nb) && a.replace(/\d+$/, "") === b.replace(/\d+$/, "") ? na - nb : a.localeCompare(b);
}

export interface CloserShareRow {
    config: string;
    model: string;
    strategy: string;
    /** questions with both countries' respondents and a model distribution */
    questions: number;
    closerToComparison: number;
    /** closerToComparison / questions */
    share: number;
}

/** Per model × strategy: the share of questions whose similarity to the comparison country (US) exceeds that to India. */
export function closerShares(rows: readonly OpinionQuestionRow[]): CloserShareRow[] {
    const out: CloserShareRow[] = [];
    for (const config of distinct(rows.map((r) => r.config))) {
        const mine = rows.filter((r) => r.config === config && r.closer !== null);
        if (mine.length === 0) continue;
        const closer = mine.filter((r) => r.closer === "comparison").length;
        out.push({ config, model: mine[0].model, strategy: mine[0].strategy, questions: mine.length, closerToComparison: closer, share: closer / mine.length });
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Knowledge and adaptation

export interface AccuracyChartRow {
    task: string;
    config: string;
    model: string;
    strategy: string;
    metric: string;
    /** NormAd context level, or "all levels" */
    level: string;
    /** a country, or "all countries" */
    country: string;
    group: "India" | "other countries" | "all countries";
    value: number;
    ciLower: number | null;
    ciUpper: number | null;
    n: number;
    trialAggregation: string;
    label: string | null;
}

export const ALL_COUNTRIES = "all countries";
export const ALL_LEVELS = "all levels";

/** NormAd names countries by snake_case key (`india`), CulturalBench by name (`India`). */
export const isIndia = (country: string) => country.toLowerCase() === "india";

/** Every accuracy-task metric row, flattened with its parameters (trial aggregation, gold label). */
export function accuracyRows(metrics: readonly MetricRow[]): AccuracyChartRow[] {
    return metrics
        .filter((m) => m.task !== "opinion" && m.task !== "culturalmap" && m.subset?.startsWith("baseline:") !== true)
        .map((m) => {
            let parameters: Record<string, unknown> = {};
            try {
                parameters = JSON.parse(m.parameters) as Record<string, unknown>;
            } catch {
                // a malformed parameters cell only loses the aggregation label, not the number
            }
            const country = m.country ?? ALL_COUNTRIES;
            return {
                task: m.task,
                config: configLabel(m.model, m.strategy),
                model: m.model,
                strategy: m.strategy,
                metric: m.metric,
                level: m.subset ?? ALL_LEVELS,
                country,
                group: m.country === null ? "all countries" : isIndia(m.country) ? "India" : "other countries",
                value: m.value,
                ciLower: m.ci_lower,
                ciUpper: m.ci_upper,
                n: m.n,
                trialAggregation: typeof parameters.trialAggregation === "string" ? parameters.trialAggregation : "mean",
                label: typeof parameters.label === "string" ? parameters.label : null,
            } satisfies AccuracyChartRow;
        })
        .sort((a, b) => a.task.localeCompare(b.task) || a.config.localeCompare(b.config) || a.level.localeCompare(b.level) || a.country.localeCompare(b.country));
}

/** What the accuracy charts draw: plain accuracy, trial mean, every country and "all countries". */
export function accuracyChartData(metrics: readonly MetricRow[]): AccuracyChartRow[] {
    return accuracyRows(metrics).filter((r) => r.metric === "accuracy" && r.trialAggregation === "mean");
}

export interface IndiaVersusOthersRow {
    task: string;
    config: string;
    level: string;
    india: number | null;
    /** unweighted mean of the other countries' accuracies */
    otherCountriesMean: number | null;
    otherCountries: number;
}

/** India's accuracy beside the mean of the other countries' (each country counts once), per task × config × level. */
export function indiaVersusOthers(rows: readonly AccuracyChartRow[]): IndiaVersusOthersRow[] {
    const groups = new Map<string, AccuracyChartRow[]>();
    for (const r of rows) {
        if (r.group === "all countries") continue;
        const key = `${r.task}\u0000${r.config}\u0000${r.level}`;
        groupPush(groups, key, r);
    }
    return [...groups.entries()].map(([key, members]) => {
        const [task, config, level] = key.split("\u0000");
        const india = members.find((m) => m.group === "India");
        const others = members.filter((m) => m.group === "other countries");
        return {
            task,
            config,
            level,
            india: india ? india.value : null,
            otherCountriesMean: others.length ? others.reduce((s, m) => s + m.value, 0) / others.length : null,
            otherCountries: others.length,
        };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Position bias

export interface PositionBiasItem {
    task: string;
    model: string;
    strategy: string;
    itemId: string;
    permutations: number;
    /** mean Jensen–Shannon distance (base 2) over all pairs of answer orders, each mapped back to canonical options */
    meanPairwiseJs: number;
    /** whether the most probable canonical option differs between at least two answer orders */
    topOptionChanges: boolean;
}

/**
 * Per item: each answer order's letter distribution (renormalised over the letters) mapped back to the canonical
 * options through `option_index`, then the mean JS distance over all pairs of orders. A model without position bias
 * gives the same canonical distribution whatever the order (0); items scored under one order are left out.
 */
export function positionBiasItems(scores: readonly ScoreRow[]): PositionBiasItem[] {
    const byItem = new Map<string, ScoreRow[]>();
    for (const s of scores) {
        const key = `${s.task}\u0000${s.model}\u0000${s.strategy}\u0000${s.item_id}`;
        const list = byItem.get(key);
        if (list) list.push(s);
        else byItem.set(key, [s]);
    }
    const out: PositionBiasItem[] = [];
    for (const rows of byItem.values()) {
        const byPermutation = new Map<number, ScoreRow[]>();
        for (const r of rows) groupPush(byPermutation, r.permutation, r);
        if (byPermutation.size < 2) continue;
        const canonical = [...byPermutation.values()].map((perm) => {
            const ordered = [...perm].sort((a, b) => a.position - b.position);
            const p = letterDistribution(ordered.map((r) => r.log_prob)).probabilities;
            const c = new Array<number>(ordered.length).fill(0);
            ordered.forEach((r, j) => (c[r.option_index] = p[j]));
            return c;
        });
        let sum = 0;
        let pairs = 0;
        for (let i = 0; i < canonical.length; i++) {
            for (let j = i + 1; j < canonical.length; j++) {
                sum += jensenShannonDistance(canonical[i], canonical[j]);
                pairs++;
            }
        }
        const tops = new Set(canonical.map((c) => c.indexOf(Math.max(...c))));
        const first = rows[0];
        out.push({ task: first.task, model: first.model, strategy: first.strategy, itemId: first.item_id, permutations: canonical.length, meanPairwiseJs: sum / pairs, topOptionChanges: tops.size > 1 });
    }
    return out.sort((a, b) => a.task.localeCompare(b.task) || a.model.localeCompare(b.model) || a.strategy.localeCompare(b.strategy) || itemOrder(a.itemId, b.itemId));
}

export interface PositionBiasRow {
    task: string;
    config: string;
    model: string;
    strategy: string;
    items: number;
    meanJs: number;
    maxJs: number;
    /** share of items whose most probable option depends on the answer order */
    topChangeShare: number;
}

export function summarisePositionBias(items: readonly PositionBiasItem[]): PositionBiasRow[] {
    const groups = new Map<string, PositionBiasItem[]>();
    for (const i of items) {
        const key = `${i.task}\u0000${i.model}\u0000${i.strategy}`;
        groupPush(groups, key, i);
    }
    return [...groups.values()].map((members) => ({
        task: members[0].task,
        config: configLabel(members[0].model, members[0].strategy),
        model: members[0].model,
        strategy: members[0].strategy,
        items: members.length,
        meanJs: members.reduce((s, m) => s + m.meanPairwiseJs, 0) / members.length,
        maxJs: Math.max(...members.map((m) => m.meanPairwiseJs)),
        topChangeShare: members.filter((m) => m.topOptionChanges).length / members.length,
    }));
}

// ---------------------------------------------------------------------------------------------------------------
// Header and throughput

export interface ModelHeaderRow {
    name: string;
    file: string;
    parameters: string;
    sizeOnDisk: string;
    quantization: string;
    sha256: string;
}

/** "1.1 B", "68 M", "4.6 k" parameters. */
export function formatCount(n: number): string {
    if (!Number.isFinite(n)) return "unknown";
    const units: [number, string][] = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
    for (const [size, unit] of units) if (Math.abs(n) >= size) return `${(n / size).toPrecision(3).replace(/\.?0+$/, "")} ${unit}`;
    return String(n);
}

/** "4.08 GB", binary-free decimal units as disks are sold. */
export function formatBytes(bytes: number): string {
    if (!Number.isFinite(bytes)) return "unknown";
    const units: [number, string][] = [[1e9, "GB"], [1e6, "MB"], [1e3, "kB"]];
    for (const [size, unit] of units) if (bytes >= size) return `${(bytes / size).toPrecision(3)} ${unit}`;
    return `${bytes} B`;
}

export function modelHeaderRows(record: RunRecord): ModelHeaderRow[] {
    return record.models.map((m) => ({
        name: m.name || m.description,
        file: m.path,
        parameters: formatCount(m.nParams),
        sizeOnDisk: formatBytes(m.bytes),
        quantization: m.quantization,
        sha256: m.sha256,
    }));
}

/** The machine in one line: platform, backend, devices, Node and llama.cpp. */
export function machineLine(record: RunRecord): string {
    const devices = record.devices?.length ? record.devices.map((d) => d.description || d.name).join(", ") : "no device listed";
    const backend = record.backend ? `${record.backend.mode} ${record.backend.variant}${record.backend.gpu ? ` (${record.backend.gpu})` : ""}` : "unknown backend";
    return `${record.platform}, ${backend}, ${devices}; Node ${record.node}; llama.cpp ${record.llamaCpp?.tag ?? "?"}`;
}
