// Pure converters from the result types of src/tasks, src/metrics and src/culturalmap to the rows of the output
// tables (src/output/schemas.ts). The run command only has to call these and commit what they return.
import { Table } from "apache-arrow";
import type { AccuracyRow } from "../metrics/accuracy.ts";
import { letterDistribution } from "../metrics/distributions.ts";
import type { OpinionAggregateRow, OpinionBaselineRow } from "../metrics/opinion.ts";
import type { Placement } from "../culturalmap/place.ts";
import type { SampledTask } from "../tasks/sampling.ts";
import { mostProbable, type LogitItemResult, type LogitRun } from "../tasks/run.ts";
import type { SkippedItem } from "../tasks/render.ts";
import { buildTable } from "./arrowTables.ts";
import { TABLE_NAMES, type AnswerRow, type ErrorRow, type ItemRow, type MapRow, type MetricRow, type RowOf, type ScoreRow, type TableName } from "./schemas.ts";

/** Which run, model, task and strategy the rows belong to. */
export interface RowContext {
    runId: string;
    model: string;
    task: string;
    strategy: string;
}

/** Rows of some of the tables, as one shard's worth of output. */
export type TableRows = { [N in TableName]?: RowOf[N][] };

/** Whether an item's answer (an answer value: a label's value, or an option index as a string) is right; null when undefined. */
export type Correctness = (itemId: string, answer: string | null) => boolean | null;

/** The country an item is about (CulturalBench, NormAd), or null. */
export type CountryOf = (itemId: string) => string | null;

/** The key columns every table row starts with. */
export const keyOf = (c: RowContext) => ({ run_id: c.runId, model: c.model, task: c.task, strategy: c.strategy });

/** Items a strategy could not render (e.g. no Hindi text), as error rows with the reason. */
export function skippedToErrorRows(skipped: readonly SkippedItem[], context: RowContext): ErrorRow[] {
    return skipped.map((s) => ({ ...keyOf(context), item_id: s.itemId, stage: s.stage ?? "render", message: s.reason }));
}

/**
 * Logit mode (any task kind): one items row and one answers row per item, and one scores row per item × answer
 * order × letter position, with the full-vocabulary log-sum-exp and the mass that order put on the letters.
 */
export function logitRunToRows(run: LogitRun<LogitItemResult>, context: RowContext, correct?: Correctness, countryOf?: CountryOf): TableRows {
    const key = keyOf(context);
    const items: ItemRow[] = [];
    const scores: ScoreRow[] = [];
    const answers: AnswerRow[] = [];
    for (const r of run.results) {
        items.push({
            ...key,
            item_id: r.itemId,
            unit_id: r.unitId,
            format: r.format,
            letter_form: r.letterForm,
            letters: r.letters,
            answer_values: r.answerValues,
            prompt_prefix: r.prompt.prefix,
            prompt_continuations: r.prompt.continuations,
        });
        r.permutations.forEach((p, permutation) => {
            const { optionMass } = letterDistribution(p.letterLogProbs);
            p.letterLogProbs.forEach((logProb, position) => {
                scores.push({
                    ...key,
                    item_id: r.itemId,
                    permutation,
                    option_order: [...p.optionOrder],
                    position,
                    option_index: p.optionOrder[position],
                    letter: r.letters[position],
                    token_id: r.candidates[position],
                    log_prob: logProb,
                    log_sum_exp: p.logSumExp,
                    option_mass: optionMass,
                });
            });
        });
        const answer = r.answerValues[mostProbable(r.distribution.probabilities)];
        answers.push({
            ...key,
            item_id: r.itemId,
            unit_id: r.unitId,
            country: countryOf?.(r.itemId) ?? null,
            mode: "logit",
            distribution: r.distribution.probabilities,
            option_mass: r.distribution.optionMass,
            min_option_mass: r.distribution.minOptionMass,
            answer,
            sampled_answers: null,
            trials: 1,
            unparseable: 0,
            correct: correct ? correct(r.itemId, answer) : null,
        });
    }
    return { items, scores, answers, errors: skippedToErrorRows(run.skipped, context) };
}

/** The most frequent parsed answer (ties: the first to occur), or null when no trial parsed. */
export function modalAnswer(answers: readonly (string | null)[]): string | null {
    const counts = new Map<string, number>();
    for (const a of answers) if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
    let best: string | null = null;
    for (const [a, n] of counts) if (best === null || n > counts.get(best)!) best = a;
    return best;
}

/**
 * Sampling mode: one items row (the canonical-order prompt) and one answers row per item with every trial's parsed
 * answer (null when unparseable) and the unparseable count; each unparseable trial is also an error row.
 */
export function sampledTaskToRows(task: SampledTask, context: RowContext, correct?: Correctness, countryOf?: CountryOf): TableRows {
    const key = keyOf(context);
    const items: ItemRow[] = [];
    const answers: AnswerRow[] = [];
    const errors = skippedToErrorRows(task.skipped, context);
    for (const r of task.results) {
        items.push({
            ...key,
            item_id: r.itemId,
            unit_id: r.unitId,
            format: r.format,
            letter_form: null,
            letters: r.letters,
            answer_values: r.answerValues,
            prompt_prefix: r.prompt.prefix,
            prompt_continuations: r.prompt.continuations,
        });
        const answer = modalAnswer(r.answers);
        answers.push({
            ...key,
            item_id: r.itemId,
            unit_id: r.unitId,
            country: countryOf?.(r.itemId) ?? null,
            mode: "sample",
            distribution: null,
            option_mass: null,
            min_option_mass: null,
            answer,
            sampled_answers: r.answers,
            trials: r.answers.length,
            unparseable: r.unparseable.length,
            correct: correct && answer !== null ? correct(r.itemId, answer) : null,
        });
        for (const u of r.unparseable) errors.push({ ...key, item_id: r.itemId, stage: "parse", message: `trial ${u.trial}: ${u.reason} (text: ${JSON.stringify(u.text)})` });
    }
    return { items, answers, errors };
}

/** Opinion aggregates (similarity per country, CAD, nCAD, option mass; baselines marked in `subset`). */
export function opinionMetricRows(rows: readonly (OpinionAggregateRow | OpinionBaselineRow)[], context: RowContext, parameters: Record<string, unknown> = {}): MetricRow[] {
    return rows.map((r) => ({
        ...keyOf(context),
        metric: r.metric,
        country: r.country,
        subset: "baseline" in r ? `baseline:${r.baseline}` : null,
        value: r.value,
        ci_lower: r.ciLower,
        ci_upper: r.ciUpper,
        n: r.questions,
        excluded: r.excludedQuestions,
        parameters: JSON.stringify(parameters),
    }));
}

/** Accuracy aggregates; the NormAd context level is the subset, the trial aggregation and label are parameters. */
export function accuracyMetricRows(rows: readonly AccuracyRow[], context: RowContext, parameters: Record<string, unknown> = {}): MetricRow[] {
    return rows.map((r) => ({
        ...keyOf(context),
        metric: r.metric,
        country: r.country,
        subset: r.contextLevel,
        value: r.value,
        ci_lower: r.ciLower,
        ci_upper: r.ciUpper,
        n: r.items,
        excluded: 0,
        parameters: JSON.stringify({ ...parameters, benchmark: r.benchmark, trialAggregation: r.trialAggregation, label: r.label, trials: r.trials, trialSd: r.trialSd, questions: r.questions }),
    }));
}

/** A model's place on the cultural map, with its distances to India, the US and the nearest reference countries. */
export function placementToMapRow(placement: Placement, context: Omit<RowContext, "task">, nearest = 5): MapRow {
    const closest = placement.reference.slice(0, nearest);
    return {
        run_id: context.runId,
        model: context.model,
        strategy: context.strategy,
        trad_agg: placement.position.TradAgg,
        surv_s_agg: placement.position.SurvSAgg,
        distance_india: placement.india.distance,
        distance_united_states: placement.unitedStates.distance,
        nearest_countries: closest.map((r) => r.name),
        nearest_distances: closest.map((r) => r.distance),
    };
}

/** Concatenates several converters' rows (e.g. every strategy of a shard) table by table. */
export function mergeRows(...parts: TableRows[]): TableRows {
    const merged: TableRows = {};
    for (const name of TABLE_NAMES) {
        const rows = parts.flatMap((p) => (p[name] ?? []) as RowOf[typeof name][]);
        if (rows.length || parts.some((p) => p[name])) (merged as Record<string, unknown[]>)[name] = rows;
    }
    return merged;
}

/** Arrow tables of the given rows, ready for commitShard. */
export function rowsToTables(rows: TableRows): Partial<Record<TableName, Table>> {
    const tables: Partial<Record<TableName, Table>> = {};
    for (const name of TABLE_NAMES) {
        const r = rows[name];
        if (r) tables[name] = buildTable(name, r as never);
    }
    return tables;
}
