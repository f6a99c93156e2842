// Sampling mode: the prompt in its canonical answer order, k trials each with its own seed. A trial's seed is derived
// from the run seed, the task, the item and the trial number, so any one answer can be reproduced on its own and
// adding items or trials never changes the seeds of the others.
import crypto from "node:crypto";
import type { GenerateRequest, Model, Scorer } from "../native/index.ts";
import { parseRenderedAnswer } from "./answerParsers.ts";
import type { TaskDefinition } from "./definitions.ts";
import type { PromptItem } from "./items.ts";
import { layoutPrompt, renderTask, type PromptText, type SkippedItem, type Tokenizer } from "./render.ts";
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
    /** Per trial: the canonical answer value (label value, or option index as a string), or null when unparseable. */
    answers: (string | null)[];
    /** Per trial: the generated text. */
    texts: string[];
    unparseable: { trial: number; text: string; reason: string }[];
}

export interface SampledTask {
    results: SampledItem[];
    skipped: SkippedItem[];
    /** Unparseable trials over all trials (0 when there were none). */
    unparseableRate: number;
}

/** Sampling mode end to end: k seeded trials per item at temperature 0.3 by default, each parsed or reported. */
export async function sampleTask(model: Model, scorer: Scorer, definition: TaskDefinition, items: readonly PromptItem[], options: RunOptions & SamplingOptions): Promise<SampledTask> {
    const { rendered, skipped } = renderTask(definition, options.strategy, items, { ...options, maxPermutations: 1 });
    const promptModel = promptModelOf(model);
    const requests = rendered.map((r) => buildGenerateRequest(model, definition.name, r.itemId, layoutPrompt(r, promptModel, { format: options.format }), options));
    const { results } = await scorer.generate(requests);
    let trials = 0;
    let unparseableTrials = 0;
    const sampled = rendered.map((r, i) => {
        const item: SampledItem = { itemId: r.itemId, unitId: r.unitId, answers: [], texts: [], unparseable: [] };
        results[i].trials.forEach((trial, t) => {
            const text = model.detokenize(trial.tokens);
            const parsed = parseRenderedAnswer(text, r.letters, r.answerValues, r.permutations[0].order);
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
