// Every kind of bad input must come back as a JS Error that names the problem, and the addon must keep working
// afterwards (each test ends by scoring a valid request with the same process's addon).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBrokenGgufs } from "../../src/gguf/synthetic.ts";
import { Model, type Scorer } from "../../src/native/index.ts";
import { llamaSpmVocab, syntheticModel, tempDir } from "../support/models.ts";

describe("bad input", () => {
    let model: Model;
    let scorer: Scorer;
    let broken: ReturnType<typeof writeBrokenGgufs>;
    beforeAll(async () => {
        const file = syntheticModel();
        broken = writeBrokenGgufs(tempDir("broken"), file);
        model = await Model.load(file);
        scorer = model.createScorer({ contextSize: 64, batchSize: 64, maxSequences: 4, threads: 2 });
    });
    afterAll(() => {
        scorer?.dispose();
        model?.dispose();
    });

    // Proves the process and the addon survived whatever the test did.
    async function stillWorks() {
        const { results } = await scorer.score([{ prefix: [1, 450], candidates: [319] }]);
        expect(results[0].continuations[0].logProbs[0]).toBeLessThan(0);
    }

    it.each([
        ["a missing file", () => broken.missing, /model file not found: .*missing\.gguf/],
        ["a file that is not GGUF", () => broken.notGguf, /not a GGUF file: .*not-a-model\.gguf/],
        ["a truncated GGUF", () => broken.truncated, /could not load .*truncated\.gguf[\s\S]*(not within the file bounds|truncated|corrupt)/i],
        ["a vocabulary-only GGUF", () => broken.vocabOnly, /could not load .*vocab-only\.gguf[\s\S]*tensor 'token_embd\.weight' not found/],
        ["a GGUF of an unsupported version", () => broken.badVersion, /could not load .*bad-version\.gguf[\s\S]*version/i],
        ["a directory", () => path.dirname(broken.notGguf), /is a directory/],
    ])("rejects %s", async (_what, file, message) => {
        await expect(Model.load(file())).rejects.toThrow(message);
        await stillWorks();
    });

    it("loads a vocabulary-only GGUF for tokenizing, but refuses to score with it", async () => {
        const vocab = await Model.load(llamaSpmVocab, { vocabOnly: true });
        try {
            expect(Array.from(vocab.tokenize(" Hello world"))).toEqual(Array.from(model.tokenize(" Hello world")));
            expect(() => vocab.createScorer()).toThrow(/vocabOnly.*no weights/);
        } finally {
            vocab.dispose();
        }
        await stillWorks();
    });

    it("rejects an empty candidate list", async () => {
        await expect(scorer.score([{ prefix: [1, 2], candidates: [] }])).rejects.toThrow(/request 0\.candidates is empty/);
        await stillWorks();
    });

    it.each([
        ["a candidate id past the vocabulary", { prefix: [1], candidates: [319, 32000] }, /request 0\.candidates\[1\] = 32000 is not a token id .*0\.\.31999/],
        ["a negative token id", { prefix: [1, -4], candidates: [1] }, /request 0\.prefix\[1\] = -4 is not a token id/],
        ["a fractional token id", { prefix: [1], continuations: [[2.5]], candidates: [1] }, /request 0\.continuations\[0\]\[0\] = 2 is not a token id|continuations\[0\]\[0\]/],
        ["a NaN token id", { prefix: [1, Number.NaN], candidates: [1] }, /request 0\.prefix\[1\] = NaN/],
        ["an empty prompt", { prefix: [], continuations: [[]], candidates: [1] }, /both empty/],
        ["an empty continuation list", { prefix: [1], continuations: [], candidates: [1] }, /continuations is empty/],
        ["a request that is not an object", 7, /request 0 must be an object/],
    ])("rejects %s", async (_what, request, message) => {
        await expect(scorer.score([request as never])).rejects.toThrow(message);
        await stillWorks();
    });

    it("rejects a prompt longer than the context, naming its length and the fix", async () => {
        const n = scorer.info.contextSize; // llama.cpp rounds the requested size up (to 256 here)
        const long = Array.from({ length: n + 6 }, (_, i) => 100 + i);
        await expect(scorer.score([{ prefix: [1], candidates: [1] }, { prefix: long.slice(0, 30), continuations: [[5], long.slice(30)], candidates: [1] }])).rejects.toThrow(
            new RegExp(`request 1, continuation 1: the prompt has ${n + 6} tokens but the scorer's context holds ${n} .*larger contextSize`),
        );
        await stillWorks();
    });

    it("rejects bad scorer options", () => {
        expect(() => model.createScorer({ kvCacheType: "f8" as never })).toThrow(/kvCacheType must be one of/);
        expect(() => model.createScorer({ flashAttention: "yes" as never })).toThrow(/flashAttention must be/);
        expect(() => model.createScorer({ contextSize: 0 })).toThrow(/contextSize' must be a positive integer/);
        expect(() => model.createScorer({ maxSequences: 1000 })).toThrow(/at most 256/);
    });

    it("refuses use after dispose, of the scorer and of the model, without crashing", async () => {
        const m = await Model.load(syntheticModel());
        const s = m.createScorer({ contextSize: 64, threads: 2 });
        s.dispose();
        await expect(s.score([{ prefix: [1], candidates: [1] }])).rejects.toThrow(/scorer was disposed/);
        await new Promise((resolve) => setImmediate(resolve)); // the native context is freed once the queue is empty
        expect(() => s.native.info()).toThrow(/scorer was disposed/);
        m.dispose();
        expect(() => m.tokenize("x")).toThrow(/model was disposed/);
        expect(() => m.createScorer()).toThrow(/model was disposed/);
        s.dispose(); // twice is harmless
        m.dispose();
        await stillWorks();
    });

    it("finishes a score() that is in flight when the scorer and model are disposed", async () => {
        const m = await Model.load(syntheticModel());
        const s = m.createScorer({ contextSize: 512, threads: 2 });
        const pending = s.score(Array.from({ length: 20 }, (_, i) => ({ prefix: Array.from({ length: 200 }, (_, j) => 3 + ((i * 7 + j) % 1000)), candidates: [1] })));
        s.dispose();
        m.dispose();
        const { results } = await pending;
        expect(results).toHaveLength(20);
        await stillWorks();
    });

    it("reports a model that cannot be read", async () => {
        const dir = tempDir("unreadable");
        const file = path.join(dir, "model.gguf");
        fs.copyFileSync(syntheticModel(), file);
        fs.chmodSync(file, 0o000);
        // root reads anything; the check is meaningful only for other users
        if (process.getuid?.() !== 0) await expect(Model.load(file)).rejects.toThrow(/not readable/);
        fs.chmodSync(file, 0o600);
        await stillWorks();
    });
});
