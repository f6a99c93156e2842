// Sampling mode: the prompt in its canonical answer order, k trials each with its own seed. A trial's seed is derived
// from the run seed, the task, the item and the trial number, so any one answer can be reproduced on its own and
// adding items or trials never changes the seeds of the others.
import crypto from "node:crypto";
import type { GenerateRequest, Model, Scorer } from "../native/index.ts";
import { CHILD_QUALITIES } from "../culturalmap/items.ts";
import type { ModelAnswers } from "../culturalmap/answers.ts";
import { parseLetterListAnswer, parseRenderedAnswer, type ParsedAnswer } from "./answerParsers.ts";
import type { TaskDefinition } from "./definitions.ts";
import type { CulturalMapItem, PromptItem } from "./items.ts";
import { fitsContext, layoutPrompt, renderTask, type PromptText, type RenderedItem, type SkippedItem, type Tokenizer } from "./render.ts";
import { promptModelOf, type RunOptions } from "./run.ts";

export const DEFAULT_TEMPERATURE = 0.3;
export const DEFAULT_MAX_TOKENS = 8;
/** Seeds must be below 2^32 - 1 (the sampler reserves 0xFFFFFFFF for "random"). */
const SEED_RANGE = 0xffffffff;

/** Deterministic seed in 0 … 2^32 - 2 for one trial of one item. */
export function trialSeed(runSeed: number, task: string, itemId: string, trial: number): number {
    const digest = crypto.createHash("sha256").update(JSON.stringify([runSeed, task, itemId, trial])).digest();
    return digest.readUInt32BE(0) % SEED_RANGE;
}

export interface SamplingOptions {
    runSeed: number;
    trials: number;
    temperature?: number;
    maxTokens?: number;
}

/** One generate request for an item: its canonical-order prompt (continuation 0, the identity order), one seed per trial. */
export function buildGenerateRequest(tokenizer: Tokenizer, task: string, itemId: string, prompt: PromptText, options: SamplingOptions): GenerateRequest {
    if (!Number.isInteger(options.trials) || options.trials < 1) throw new Error(`trials must be a positive integer (got ${options.trials})`);
    return {
        prompt: tokenizer.tokenize(prompt.prefix + prompt.continuations[0], { addSpecial: prompt.addSpecial, parseSpecial: prompt.parseSpecial }),
        seeds: Array.from({ length: options.trials }, (_, t) => trialSeed(options.runSeed, task, itemId, t)),
        temperature: options.temperature ?? DEFAULT_TEMPERATURE,
        maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
    };
}

export interface SampledItem {
    itemId: string;
    unitId: string;
    /**
     * Per trial: the canonical answer value (label value, or option index as a string), or null when unparseable.
     * A multiple-mention item (maxChoices > 1, e.g. Y003) gives its chosen values in ascending order joined by ",".
     */
    answers: (string | null)[];
    /** Per trial: the generated text. */
    texts: string[];
    unparseable: { trial: number; text: string; reason: string }[];
    /** What the model was shown: the canonical-order prompt (one continuation), its letters and answer values. */
    prompt: { prefix: string; continuations: string[] };
    letters: string[];
    answerValues: string[];
    format: PromptText["format"];
    /** Prompt tokens plus every trial's generated tokens. */
    tokens: number;
}

export interface SampledTask {
    results: SampledItem[];
    skipped: SkippedItem[];
    /** Unparseable trials over all trials (0 when there were none). */
    unparseableRate: number;
}

/** Sampling mode end to end: k seeded trials per item at temperature 0.3 by default, each parsed or reported. */
export async function sampleTask(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly PromptItem[], options: RunOptions & SamplingOptions): Promise<SampledTask> {
    const { rendered: all, skipped } = renderTask(definition, options.strategy, items, { ...options, maxPermutations: 1 });
    const promptModel = promptModelOf(model);
    const laidOut = all.map((r) => {
        const prompt = layoutPrompt(r, promptModel, { format: options.format });
        return { r, prompt, request: buildGenerateRequest(model, definition.name, r.itemId, prompt, options) };
    });
    // the prompt and every generated token must fit the context
    const fits = laidOut.filter(({ r, request }) => fitsContext(r.itemId, request.prompt.length + (request.maxTokens ?? DEFAULT_MAX_TOKENS), options.contextSize, skipped));
    const rendered = fits.map((f) => f.r);
    const prompts = fits.map((f) => f.prompt);
    const requests = fits.map((f) => f.request);
    const { results } = await scorer.generate(requests);
    let trials = 0;
    let unparseableTrials = 0;
    const sampled = rendered.map((r, i) => {
        const prompt = { prefix: prompts[i].prefix, continuations: prompts[i].continuations.slice(0, 1) };
        const tokens = results[i].trials.reduce((n, trial) => n + trial.tokens.length, requests[i].prompt.length);
        const item: SampledItem = { itemId: r.itemId, unitId: r.unitId, answers: [], texts: [], unparseable: [], prompt, letters: r.letters, answerValues: r.answerValues, format: prompts[i].format, tokens };
        results[i].trials.forEach((trial, t) => {
            const text = model.detokenize(trial.tokens);
            const parsed = parseSampledAnswer(text, r);
            item.texts.push(text);
            item.answers.push(parsed.ok ? parsed.value : null);
            if (!parsed.ok) item.unparseable.push({ trial: t, text, reason: parsed.reason });
            trials++;
            if (!parsed.ok) unparseableTrials++;
        });
        return item;
    });
    return { results: sampled, skipped, unparseableRate: trials ? unparseableTrials / trials : 0 };
}

/** One trial's text as the item's answer: a single option, or for a multiple-mention item a list of them. */
export function parseSampledAnswer(text: string, r: RenderedItem): ParsedAnswer<string> {
    const order = r.permutations[0].order;
    if (r.maxChoices <= 1) return parseRenderedAnswer(text, r.letters, r.answerValues, order);
    const list = parseLetterListAnswer(text, r.letters, r.maxChoices);
    if (!list.ok) return list;
    const values = list.value.map((letter) => Number(r.answerValues[order[r.letters.indexOf(letter)]])).sort((a, b) => a - b);
    return { ok: true, value: values.join(",") };
}

/**
 * The cultural map in sampling mode: trial t of every item makes up the t-th respondent-like answer set. A trial whose
 * answer to any item is unparseable, or whose Y002 second choice repeats the first, gives null (and is counted).
 */
export async function sampleCulturalMap(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly CulturalMapItem[], options: RunOptions & SamplingOptions) {
    const sampled = await sampleTask(model, scorer, definition, items, options);
    if (sampled.skipped.length) throw new Error(`the cultural map needs all ten items, but ${sampled.skipped.map((s) => s.itemId).join(", ")} were skipped`);
    const byId = new Map(sampled.results.map((r) => [r.itemId, r]));
    const answerOf = (question: CulturalMapItem["question"], trial: number): number[] | null => {
        const item = items.find((i) => i.question === question);
        const answer = item && byId.get(item.id)?.answers[trial];
        if (!item || answer == null) return null;
        return answer.split(",").map((index) => item.codes[Number(index)]);
    };
    const trials: (ModelAnswers | null)[] = [];
    for (let t = 0; t < options.trials; t++) {
        const one = (q: CulturalMapItem["question"]) => answerOf(q, t)?.[0] ?? null;
        const scalar = (["A008", "A165", "E018", "E025", "F063", "F118", "F120", "G006"] as const).map((q) => [q, one(q)] as const);
        const first = one("Y002-first"), second = one("Y002-second"), y003 = answerOf("Y003", t);
        if (scalar.some(([, v]) => v === null) || first === null || second === null || second === first || y003 === null) {
            trials.push(null);
            continue;
        }
        trials.push({
            ...(Object.fromEntries(scalar) as Record<(typeof scalar)[number][0], number>),
            Y002: { first, second },
            Y003: { mentioned: y003.map((choice) => CHILD_QUALITIES[choice - 1]) },
        });
    }
    return { ...sampled, trials, incompleteTrials: trials.filter((t) => t === null).length };
}
