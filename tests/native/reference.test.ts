// The addon's log-probabilities against a float64 re-implementation of llama's forward pass that reads the same
// GGUF tensors (tests/support/referenceLlama.ts). Agreement within 1e-4 means the scorer returns what the model
// computes, not an artefact of batching, caching or post-processing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model, type Scorer } from "../../src/native/index.ts";
import { ReferenceLlama } from "../support/referenceLlama.ts";
import { syntheticModel } from "../support/models.ts";

const texts = [
    "Which statement comes closer to your own views, even if neither is exactly right?",
    "How important is religion in your life? A. Very important B. Somewhat important",
    "In India, guests are",
    "Answer:",
];

describe("addon vs float64 reference forward pass", () => {
    let model: Model;
    let scorer: Scorer;
    let reference: ReferenceLlama;
    beforeAll(async () => {
        const file = syntheticModel();
        model = await Model.load(file);
        // The default settings are the exact ones (f32 KV cache, no flash attention).
        scorer = model.createScorer({ contextSize: 512, batchSize: 512, maxSequences: 8, threads: 2 });
        reference = ReferenceLlama.load(file);
    });
    afterAll(() => {
        scorer?.dispose();
        model?.dispose();
    });

    it("matches the reference within 1e-4 over the full vocabulary, for every prompt", async () => {
        const prompts = texts.map((t) => Array.from(model.tokenize(t, { addSpecial: true })));
        expect(prompts.every((p) => p[0] === model.info.bos)).toBe(true);
        const candidates = [319, 350, 315, 360, 29871, 0, model.info.nVocab - 1];
        const { results } = await scorer.score(
            prompts.map((prefix) => ({ prefix, candidates, logits: true })),
            { topK: 5 },
        );
        for (const [i, prompt] of prompts.entries()) {
            const expected = reference.logProbsAt(prompt);
            const got = results[i].continuations[0];
            let maxDiff = 0;
            for (let t = 0; t < expected.length; t++) maxDiff = Math.max(maxDiff, Math.abs(got.logits![t] - got.logSumExp - expected[t]));
            expect(maxDiff).toBeLessThan(1e-4);
            for (const [k, c] of candidates.entries()) expect(got.logProbs[k]).toBeCloseTo(expected[c], 4);
            // the top-5 are the reference's five most likely tokens, in order
            const order = Array.from(expected.keys()).sort((a, b) => expected[b] - expected[a]).slice(0, 5);
            expect(Array.from(got.topTokens)).toEqual(order);
            // a model with unit-scale random weights is far from uniform: the comparison is not vacuous
            expect(Math.max(...expected) - Math.min(...expected)).toBeGreaterThan(5);
        }
    });

    it("matches the reference for a prefix shared by several continuations", async () => {
        const prefix = Array.from(model.tokenize("Question: Is it acceptable to eat with your left hand?", { addSpecial: true }));
        const continuations = ["\nA. Yes\nB. No\nAnswer:", "\nA. No\nB. Yes\nAnswer:", ""].map((t) => Array.from(model.tokenize(t)));
        const candidates = Array.from(model.tokenize(" A B")).filter((t) => t !== 29871);
        const { results } = await scorer.score([{ prefix, continuations, candidates }]);
        for (const [j, cont] of continuations.entries()) {
            const expected = reference.logProbsAt([...prefix, ...cont]);
            candidates.forEach((c, k) => expect(Math.abs(results[0].continuations[j].logProbs[k] - expected[c])).toBeLessThan(1e-4));
        }
    });

    it("stays close to the reference with the fast settings (f16 KV cache, flash attention)", async () => {
        // Each moves log-probs by ~2e-3 on this model (measured): useful for speed, documented as inexact.
        const fast = model.createScorer({ contextSize: 512, threads: 2, kvCacheType: "f16", flashAttention: "auto" });
        try {
            const prompt = Array.from(model.tokenize(texts[0], { addSpecial: true }));
            const { results } = await fast.score([{ prefix: prompt, candidates: [319, 350, 315, 360] }]);
            const expected = reference.logProbsAt(prompt);
            [319, 350, 315, 360].forEach((c, k) => expect(Math.abs(results[0].continuations[0].logProbs[k] - expected[c])).toBeLessThan(2e-2));
        } finally {
            fast.dispose();
        }
    });
});
