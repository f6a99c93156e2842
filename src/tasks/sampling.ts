// Sampling mode: the prompt in its canonical answer order, k trials each with its own seed. A trial's seed is derived
// from the run seed, the task, the item and the trial number, so any one answer can be reproduced on its own and
// adding items or trials never changes the seeds of the others.
import crypto from "node:crypto";
import type { GenerateRequest } from "../native/index.ts";
import type { PromptText, Tokenizer } from "./render.ts";

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
