// The end of a run: every aggregate recomputed from the `answers` table (so a merged run, a resumed run and an
// uninterrupted one agree by construction), written as the `metrics` and `map` tables of the "summary" shard.
// Per model × task × strategy: opinion similarity/CAD/nCAD with the survey baselines; accuracies; the map position.
import { bootstrapMean, type BootstrapOptions } from "../metrics/bootstrap.ts";
import { scoreCulturalBenchEasy, scoreCulturalBenchHard, scoreNormAd, summariseAccuracy, type NormAdAnswer, type ScoredItem } from "../metrics/accuracy.ts";
import { scoreOpinionQuestions, summariseOpinion, summariseOpinionBaselines, type OpinionQuestion } from "../metrics/opinion.ts";
import { codeModelAnswers, loadProjection, placeModel, readReferencePositions, howToFit, type MapProjection } from "../culturalmap/index.ts";
import { accuracyMetricRows, keyOf, opinionMetricRows, placementToMapRow, type RowContext } from "../output/resultRows.ts";
import type { AnswerRow, MapRow, MetricRow } from "../output/schemas.ts";
import { optionLetter } from "../permutations/answerOrders.ts";
import type { CulturalBenchEasyItem, CulturalBenchHardItem, CulturalMapItem, NormAdItem, OpinionItem, PromptItem } from "../tasks/items.ts";
import { codeMapAnswers } from "../tasks/run.ts";
import type { RunConfig, TaskName } from "./config.ts";
import { opinionCountryKey, type TaskItems } from "./workload.ts";

export const SUMMARY_SHARD = "summary";

export interface RunSummary {
    metrics: MetricRow[];
    map: MapRow[];
    /** What could not be computed and why (e.g. no map projection). */
    notes: string[];
}

type Group = { model: string; task: TaskName; strategy: string; rows: AnswerRow[] };

function groupAnswers(answers: readonly AnswerRow[]): Group[] {
    const groups = new Map<string, Group>();
    for (const row of answers) {
        const key = `${row.model}\u0000${row.task}\u0000${row.strategy}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { model: row.model, task: row.task as TaskName, strategy: row.strategy, rows: [] }));
        g.rows.push(row);
    }
    return [...groups.values()];
}

/** Each trial's answer value (logit mode: the most probable option, one "trial"). */
const trialAnswers = (row: AnswerRow): (string | null)[] => (row.mode === "sample" ? (row.sampled_answers ?? []) : [row.answer]);

/**
 * The option distribution an answers row stands for: logit mode's averaged distribution, or in sampling mode the
 * share of parsed trials naming each option (a multi-mention answer "0,3,5" counts once for each option it names).
 * null when no trial parsed.
 */
export function answerDistribution(row: AnswerRow, optionCount: number): number[] | null {
    if (row.mode === "logit") return row.distribution;
    const counts = new Array<number>(optionCount).fill(0);
    let total = 0;
    for (const a of row.sampled_answers ?? []) {
        if (a === null) continue;
        for (const v of a.split(",")) {
            counts[Number(v)]++;
            total++;
        }
    }
    return total ? counts.map((c) => c / total) : null;
}

export interface SummaryInput {
    config: Pick<RunConfig, "country" | "compareCountry" | "seed" | "bootstrapResamples" | "mapProjection">;
    runId: string;
    answers: readonly AnswerRow[];
    taskItems: ReadonlyMap<TaskName, TaskItems>;
}

export function summariseRun(input: SummaryInput): RunSummary {
    const { config } = input;
    const bootstrap: Partial<BootstrapOptions> = { seed: config.seed, resamples: config.bootstrapResamples };
    const out: RunSummary = { metrics: [], map: [], notes: [] };
    const focusCountry = opinionCountryKey(config.country);
    const comparisonCountry = opinionCountryKey(config.compareCountry);
    const projection: MapProjection | null = config.mapProjection ? loadProjection(config.mapProjection) : null;
    const referencePositions = projection ? readReferencePositions() : [];
    for (const group of groupAnswers(input.answers)) {
        const context: RowContext = { runId: input.runId, model: group.model, task: group.task, strategy: group.strategy };
        const data = input.taskItems.get(group.task);
        if (!data) throw new Error(`the answers table has rows of task ${group.task}, which this run did not load`);
        const byId = new Map<string, PromptItem>(data.items.map((i) => [i.id, i]));
        const item = <T extends PromptItem>(row: AnswerRow) => {
            const found = byId.get(row.item_id);
            if (!found) throw new Error(`answers row ${row.item_id} (${group.task}) is not an item of the data this run reads: was the data set changed since the run?`);
            return found as T;
        };
        const where = `${group.model} × ${group.task} × ${group.strategy}`;
        switch (group.task) {
            case "opinion": {
                const questions: OpinionQuestion[] = [];
                for (const row of group.rows) {
                    const it = item<OpinionItem>(row);
                    const probabilities = answerDistribution(row, it.options.length);
                    if (!probabilities) continue;
                    questions.push({ questionId: row.item_id, countryDistributions: data.opinionRows!.get(it.rowIndex)!.selections, modelProbabilities: probabilities, modelOptionMass: row.option_mass });
                }
                if (questions.length === 0) {
                    out.notes.push(`${where}: no question had a parseable answer, so there are no opinion metrics`);
                    break;
                }
                const options = { focusCountry, comparisonCountry };
                const scores = scoreOpinionQuestions(questions, options);
                const parameters = { base: 2, focusCountry, comparisonCountry };
                out.metrics.push(...opinionMetricRows(summariseOpinion(scores, bootstrap), context, parameters));
                out.metrics.push(...opinionMetricRows(summariseOpinionBaselines(questions, options, bootstrap), context, parameters));
                // the share of questions on which the model is closer to the comparison country than to the focus one
                const cads = scores.map((s) => s.cad).filter((c): c is number => c !== null);
                if (cads.length) {
                    const share = bootstrapMean(cads.map((c) => (c < 0 ? 1 : 0)), bootstrap);
                    out.metrics.push({ ...keyOf(context), metric: "shareCloserToComparison", country: comparisonCountry, subset: null, value: share.value, ci_lower: share.ciLower, ci_upper: share.ciUpper, n: cads.length, excluded: 0, parameters: JSON.stringify(parameters) });
                }
                break;
            }
            case "culturalbench-easy":
            case "culturalbench-hard":
            case "normad": {
                const scored = scoreAccuracyGroup(group, item);
                if (scored.length) out.metrics.push(...accuracyMetricRows(summariseAccuracy(scored, bootstrap), context));
                break;
            }
            case "culturalmap": {
                const mapItems = data.items as CulturalMapItem[];
                const rows = new Map(group.rows.map((r) => [r.item_id, r]));
                let answers;
                try {
                    answers = codeMapAnswers(mapItems, (id) => {
                        const row = rows.get(id);
                        return row ? (answerDistribution(row, item(row).options.length) ?? undefined) : undefined;
                    });
                } catch (error) {
                    out.notes.push(`${where}: not placed on the cultural map: ${(error as Error).message}`);
                    break;
                }
                if (!projection) {
                    const note = `cultural map: answers recorded, but no model is placed on the map without a projection. ${howToFit("projection.json")}, then rerun with --map-projection projection.json`;
                    if (!out.notes.includes(note)) out.notes.push(note);
                    break;
                }
                const geo = (name: string) => name.toLowerCase().replace(/ /g, "_");
                const placement = placeModel(projection, codeModelAnswers(answers), referencePositions, { model: group.model, india: geo(config.country), unitedStates: geo(config.compareCountry) });
                out.map.push(placementToMapRow(placement, context));
                break;
            }
        }
    }
    return out;
}

function scoreAccuracyGroup(group: Group, item: <T extends PromptItem>(row: AnswerRow) => T): ScoredItem[] {
    switch (group.task) {
        case "culturalbench-easy":
            return scoreCulturalBenchEasy(
                group.rows.map((row) => {
                    const it = item<CulturalBenchEasyItem>(row);
                    return { questionId: it.unitId, country: it.country, gold: it.gold, answers: trialAnswers(row).map((a) => (a === null ? null : optionLetter(Number(a)))) };
                }),
            );
        case "culturalbench-hard": {
            // a question whose judgements were not all scored (one dropped as too long) cannot be right on all four
            const judgements = group.rows.map((row) => {
                const it = item<CulturalBenchHardItem>(row);
                return { questionId: String(it.questionIdx), optionId: String(it.dataIdx), country: it.country, gold: it.gold, answers: trialAnswers(row).map((a) => (a === null ? null : a === "true")) };
            });
            const perQuestion = new Map<string, number>();
            for (const j of judgements) perQuestion.set(j.questionId, (perQuestion.get(j.questionId) ?? 0) + 1);
            return scoreCulturalBenchHard(judgements.filter((j) => perQuestion.get(j.questionId) === 4));
        }
        case "normad":
            return scoreNormAd(
                group.rows.map((row) => {
                    const it = item<NormAdItem>(row);
                    return { storyId: it.storyId, country: it.country, contextLevel: it.contextLevel, gold: it.gold, answers: trialAnswers(row).map((a) => a as NormAdAnswer | null) };
                }),
            );
        default:
            return [];
    }
}

