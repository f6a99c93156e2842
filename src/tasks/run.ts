// Logit mode end to end: render a task's items, lay them out for the model, score every answer order in one call
// (the shared prefix evaluated once per item), map each order's letter log-probabilities back to the canonical
// options, and hand each task kind's results over in the shape src/metrics (or src/culturalmap) takes.
import type { CulturalBenchEasyAnswers, CulturalBenchHardJudgement, NormAdAnswer, NormAdAnswers } from "../metrics/accuracy.ts";
import { modelOptionDistribution, type ModelOptionDistribution, type PermutationLetterLogProbs } from "../metrics/distributions.ts";
import type { ModelAnswers } from "../culturalmap/answers.ts";
import { CHILD_QUALITIES } from "../culturalmap/items.ts";
import type { Model, Scorer } from "../native/index.ts";
import { optionLetter } from "../permutations/answerOrders.ts";
import type { PromptModel } from "../prompts/chat.ts";
import type { Strategy, TaskDefinition, TaskKind } from "./definitions.ts";
import { Y003_MENTIONS, type CulturalBenchEasyItem, type CulturalBenchHardItem, type CulturalMapItem, type NormAdItem, type OpinionItem, type PromptItem } from "./items.ts";
import { fitsContext, layoutPrompt, renderTask, tokenizePrompt, type RenderContext, type SkippedItem } from "./render.ts";

export interface RunOptions extends RenderContext {
    strategy: Strategy;
    /** "auto": the model's chat template when it has one; "completion": the plain layout. */
    format?: "auto" | "completion";
    /** The scorer's context: items whose prompt does not fit are skipped with the reason instead of failing the call. */
    contextSize?: number;
}

export interface LogitItemResult {
    itemId: string;
    unitId: string;
    /** What each canonical option maps back to (label values, or option indices as strings). */
    answerValues: string[];
    /** Per answer order, with log Σ exp(logit) over the full vocabulary at the answer position (for the scores table). */
    permutations: (PermutationLetterLogProbs & { logSumExp: number })[];
    distribution: ModelOptionDistribution;
    /** The letters (A, B, …) and their candidate token ids, by position. */
    letters: string[];
    candidates: number[];
    /** The prompt as laid out: the shared prefix text and each answer order's continuation text. */
    prompt: { prefix: string; continuations: string[] };
    /** Recorded so runs on different models stay comparable. */
    format: "chat-template" | "completion";
    letterForm: " A" | "A";
    /** Tokens the scorer evaluates for the item: the prefix once, plus every continuation. */
    tokens: number;
}

export interface LogitRun<T> {
    results: T[];
    skipped: SkippedItem[];
}

/** What src/prompts/chat.ts needs to know about a loaded model. */
export function promptModelOf(model: Model): PromptModel {
    const special = (id: number) => (id >= 0 ? model.detokenize([id], { special: true }) : "");
    return { chatTemplate: model.info.chatTemplate, bosText: special(model.info.bos), eosText: special(model.info.eos), addBos: model.info.addBos };
}

function checkKind(definition: TaskDefinition, kind: TaskKind): void {
    if (definition.kind !== kind) throw new Error(`${definition.file} defines a ${definition.kind} task, not a ${kind} task`);
}

/** Scores every item of a task under one strategy; items a Hindi-text strategy cannot render are skipped and listed. */
export async function scoreTaskLogits(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly PromptItem[], options: RunOptions): Promise<LogitRun<LogitItemResult>> {
    const { rendered: all, skipped } = renderTask(definition, options.strategy, items, options);
    const promptModel = promptModelOf(model);
    const laidOut = all.map((r) => {
        const text = layoutPrompt(r, promptModel, { format: options.format });
        return { r, text, tokens: tokenizePrompt(model, text, r.letters, r.cue) };
    });
    const fits = laidOut.filter(({ r, tokens }) => fitsContext(r.itemId, tokens.prefix.length + Math.max(0, ...tokens.continuations.map((c) => c.length)), options.contextSize, skipped));
    const rendered = fits.map((f) => f.r);
    const prompts = fits.map(({ text, tokens }) => ({ text, tokens }));
    const { results } = await scorer.score(prompts.map((p) => ({ prefix: p.tokens.prefix, continuations: p.tokens.continuations, candidates: p.tokens.candidates })));
    return {
        skipped,
        results: rendered.map((r, i) => {
            const scored = results[i].continuations;
            const permutations = r.permutations.map((p, j) => ({ optionOrder: p.order, letterLogProbs: Array.from(scored[j].logProbs), logSumExp: scored[j].logSumExp }));
            return {
                itemId: r.itemId,
                unitId: r.unitId,
                answerValues: r.answerValues,
                permutations,
                distribution: modelOptionDistribution(permutations),
                letters: r.letters,
                candidates: prompts[i].tokens.candidates,
                prompt: { prefix: prompts[i].text.prefix, continuations: prompts[i].text.continuations },
                format: prompts[i].text.format,
                letterForm: prompts[i].tokens.letterForm,
                tokens: prompts[i].tokens.continuations.reduce((n, c) => n + c.length, prompts[i].tokens.prefix.length),
            };
        }),
    };
}

/** Index of the most probable option; a tie goes to the first (canonical order), which random weights never produce. */
export function mostProbable(probabilities: readonly number[]): number {
    return probabilities.reduce((best, p, i) => (p > probabilities[best] ? i : best), 0);
}

const answerOf = (r: LogitItemResult) => r.answerValues[mostProbable(r.distribution.probabilities)];

/** Scores a task kind's items and turns each result, with its item, into the answer shape of that kind. */
async function runKind<I extends PromptItem, A>(
    kind: TaskKind,
    toAnswer: (result: LogitItemResult, item: I) => A,
    model: Model,
    scorer: Scorer,
    definition: TaskDefinition,
    items: readonly I[],
    options: RunOptions,
): Promise<LogitRun<LogitItemResult> & { answers: A[] }> {
    checkKind(definition, kind);
    const run = await scoreTaskLogits(model, scorer, definition, items, options);
    const byId = new Map(items.map((i) => [i.id, i]));
    return { ...run, answers: run.results.map((r) => toAnswer(r, byId.get(r.itemId)!)) };
}

/** GlobalOpinionQA: each row's option distribution (modelOptionDistribution's output) with its row index. */
export function runOpinion(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly OpinionItem[], options: RunOptions) {
    return runKind("opinion", (r, item: OpinionItem) => ({ rowIndex: item.rowIndex, distribution: r.distribution }), model, scorer, definition, items, options);
}

/** CulturalBench-Easy: one answer (the most probable option's letter) per question, for scoreCulturalBenchEasy. */
export function runCulturalBenchEasy(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly CulturalBenchEasyItem[], options: RunOptions) {
    const toAnswer = (r: LogitItemResult, item: CulturalBenchEasyItem): CulturalBenchEasyAnswers => ({
        questionId: item.unitId,
        country: item.country,
        gold: item.gold,
        answers: [optionLetter(Number(answerOf(r)))],
    });
    return runKind("culturalbench-easy", toAnswer, model, scorer, definition, items, options);
}

/** CulturalBench-Hard: one true/false judgement per option statement, for scoreCulturalBenchHard. */
export function runCulturalBenchHard(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly CulturalBenchHardItem[], options: RunOptions) {
    const toAnswer = (r: LogitItemResult, item: CulturalBenchHardItem): CulturalBenchHardJudgement => ({
        questionId: String(item.questionIdx),
        optionId: String(item.dataIdx),
        country: item.country,
        gold: item.gold,
        answers: [answerOf(r) === "true"],
    });
    return runKind("culturalbench-hard", toAnswer, model, scorer, definition, items, options);
}

/** NormAd: yes / no / neither per story and context level, for scoreNormAd. */
export function runNormAd(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly NormAdItem[], options: RunOptions) {
    const toAnswer = (r: LogitItemResult, item: NormAdItem): NormAdAnswers => ({
        storyId: item.storyId,
        country: item.country,
        contextLevel: item.contextLevel,
        gold: item.gold,
        answers: [answerOf(r) as NormAdAnswer],
    });
    return runKind("normad", toAnswer, model, scorer, definition, items, options);
}

/**
 * The cultural map: each item's most probable scale point, coded as a respondent's (src/culturalmap/answers.ts's
 * ModelAnswers). Y002's second choice is the most probable goal other than the first; Y003's mentioned qualities
 * are the five most probable.
 */
export async function runCulturalMap(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly CulturalMapItem[], options: RunOptions) {
    checkKind(definition, "culturalmap");
    const run = await scoreTaskLogits(model, scorer, definition, items, options);
    if (run.skipped.length) throw new Error(`the cultural map needs all ten items, but ${run.skipped.map((s) => s.itemId).join(", ")} were skipped`);
    const result = new Map(run.results.map((r) => [r.itemId, r.distribution.probabilities]));
    return { ...run, answers: codeMapAnswers(items, (id) => result.get(id)) };
}

/** Codes the map items' option distributions (by item id) as a respondent's answers; see runCulturalMap. */
export function codeMapAnswers(items: readonly CulturalMapItem[], probabilitiesOf: (itemId: string) => readonly number[] | undefined): ModelAnswers {
    const probs = (question: string) => {
        const item = items.find((i) => i.question === question);
        const p = item && probabilitiesOf(item.id);
        if (!item || !p) throw new Error(`the cultural map needs the item ${question}`);
        return { item, p };
    };
    const code = (question: string) => {
        const { item, p } = probs(question);
        return item.codes[mostProbable(p)];
    };
    const first = code("Y002-first");
    const second = probs("Y002-second");
    const secondChoice = second.item.codes[mostProbable(second.p.map((x, i) => (second.item.codes[i] === first ? -1 : x)))];
    const y003 = probs("Y003").p.map((p, i) => ({ p, i })).sort((a, b) => b.p - a.p || a.i - b.i).slice(0, Y003_MENTIONS);
    return {
        A008: code("A008"),
        A165: code("A165"),
        E018: code("E018"),
        E025: code("E025"),
        F063: code("F063"),
        F118: code("F118"),
        F120: code("F120"),
        G006: code("G006"),
        Y002: { first, second: secondChoice },
        Y003: { mentioned: y003.map((q) => CHILD_QUALITIES[q.i]) },
    };
}
