// Sampling mode: seeded generation. Greedy output must follow the model's argmax step by step (checked against the
// float64 reference), seeded sampling must be reproducible and draw from the model's distribution, and a prompt's
// trials must be what separate requests with the same seeds give.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model, type Scorer } from "../../src/native/index.ts";
import { ReferenceLlama } from "../support/referenceLlama.ts";
import { syntheticModel } from "../support/models.ts";

describe("generate", () => {
    let model: Model;
    let scorer: Scorer;
    let reference: ReferenceLlama;
    let prompt: number[];
    beforeAll(async () => {
        const file = syntheticModel();
        model = await Model.load(file);
        scorer = model.createScorer({ contextSize: 1024, maxSequences: 64, threads: 2 });
        reference = ReferenceLlama.load(file);
        prompt = Array.from(model.tokenize("Question: Is it polite to arrive late to a dinner in India? Answer:", { addSpecial: true }));
    });
    afterAll(() => {
        scorer?.dispose();
        model?.dispose();
    });

    const argmax = (xs: Float64Array) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

    it("greedy decoding follows the reference model's argmax at every step", async () => {
        const { results, stats } = await scorer.generate([{ prompt, seeds: [0], maxTokens: 6 }]);
        const [trial] = results[0].trials;
        expect(trial.stopReason).toBe("length");
        expect(trial.tokens).toHaveLength(6);
        const context = [...prompt];
        for (const token of trial.tokens) {
            expect(token).toBe(argmax(reference.logProbsAt(context)));
            context.push(token);
        }
        expect(stats.generatedTokens).toBe(6);
    });

    it("is reproducible for a seed, and different seeds give different answers", async () => {
        const request = { prompt, seeds: [1, 2, 3, 4], maxTokens: 8, temperature: 1 };
        const a = await scorer.generate([request]);
        const b = await scorer.generate([request]);
        const tokens = (r: typeof a) => r.results[0].trials.map((t) => Array.from(t.tokens));
        expect(tokens(b)).toEqual(tokens(a));
        expect(new Set(tokens(a).map((t) => t.join(","))).size).toBeGreaterThan(1);
    });

    it("gives a prompt's trials what separate requests with the same seeds give", async () => {
        const shared = await scorer.generate([{ prompt, seeds: [11, 12, 13], maxTokens: 5, temperature: 0.7 }]);
        const separate = await scorer.generate([11, 12, 13].map((seed) => ({ prompt, seeds: [seed], maxTokens: 5, temperature: 0.7 })));
        expect(shared.results[0].trials.map((t) => Array.from(t.tokens))).toEqual(separate.results.map((r) => Array.from(r.trials[0].tokens)));
    });

    it("samples from the model's distribution (temperature 1, top-3)", async () => {
        const { results: scored } = await scorer.score([{ prefix: prompt, candidates: [0], logits: true }], { topK: 3 });
        const top = Array.from(scored[0].continuations[0].topTokens);
        const p = Array.from(scored[0].continuations[0].topLogProbs, Math.exp);
        const total = p.reduce((a, b) => a + b, 0);
        const n = 600;
        const { results } = await scorer.generate([{ prompt, seeds: Array.from({ length: n }, (_, i) => 1000 + i), maxTokens: 1, temperature: 1, topK: 3 }]);
        const counts = top.map((t) => results[0].trials.filter((trial) => trial.tokens[0] === t).length);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(n); // only the top 3 are ever drawn
        // each frequency within 4 standard errors of the renormalised probability
        top.forEach((_, i) => {
            const expected = p[i] / total;
            expect(Math.abs(counts[i] / n - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / n));
        });
    });

    it("stops at a stop token (kept) and reports why", async () => {
        const greedy = await scorer.generate([{ prompt, seeds: [0], maxTokens: 6 }]);
        const third = greedy.results[0].trials[0].tokens[2];
        const { results } = await scorer.generate([{ prompt, seeds: [0], maxTokens: 6, stopTokens: [third] }]);
        expect(results[0].trials[0].stopReason).toBe("stop");
        expect(Array.from(results[0].trials[0].tokens)).toEqual(Array.from(greedy.results[0].trials[0].tokens.slice(0, 3)));
    });

    it("handles more trials than sequences per batch and prompts longer than a batch", async () => {
        const small = model.createScorer({ contextSize: 256, batchSize: 8, ubatchSize: 8, maxSequences: 3, threads: 2 });
        try {
            const request = { prompt, seeds: [5, 6, 7, 8, 9], maxTokens: 4, temperature: 0.5 };
            const { results } = await small.generate([request]);
            const wide = await scorer.generate([request]);
            expect(results[0].trials.map((t) => Array.from(t.tokens))).toEqual(wide.results[0].trials.map((t) => Array.from(t.tokens)));
        } finally {
            small.dispose();
        }
    });

    it.each([
        ["an empty prompt", { prompt: [], seeds: [1] }, /prompt is empty/],
        ["no seeds", { prompt: [1], seeds: [] }, /seeds must be a non-empty array/],
        ["a negative seed", { prompt: [1], seeds: [-1] }, /seeds\[0\] must be an integer/],
        ["a negative temperature", { prompt: [1], seeds: [1], temperature: -1 }, /temperature must be ≥ 0/],
        ["a bad topP", { prompt: [1], seeds: [1], topP: 0 }, /topP must be in \(0, 1\]/],
        ["too many tokens for the context", { prompt: [1], seeds: [1], maxTokens: 4096 }, /exceed the scorer's context/],
        ["an out-of-range stop token", { prompt: [1], seeds: [1], stopTokens: [1e6] }, /stopTokens\[0\] = 1000000 is not a token id/],
    ])("rejects %s", async (_what, request, message) => {
        await expect(scorer.generate([request as never])).rejects.toThrow(message);
        const { results } = await scorer.generate([{ prompt: [1], seeds: [0], maxTokens: 1 }]);
        expect(results[0].trials[0].tokens.length + (results[0].trials[0].stopReason === "eog" ? 1 : 0)).toBe(1);
    });
});
