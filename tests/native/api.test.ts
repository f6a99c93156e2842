// The addon's surface as a caller meets it: loading and variant choice, model metadata, the event loop staying
// free while scoring runs, and candidate/top-k bookkeeping.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGguf } from "../../src/gguf/reader.ts";
import { Model, loadAddon, type Scorer } from "../../src/native/index.ts";
import { chooseVariant, readManifest, type BuildRecord } from "../../src/native/loader.ts";
import { repoRoot, smallLlama, syntheticModel, tinyRandomLlama2 } from "../support/models.ts";

describe("loader", () => {
    it("names the command that builds the addon when it is missing", () => {
        expect(() => readManifest("/nonexistent/culturescope-build.json")).toThrow(/native addon is not built .*run `npm install`/);
    });

    it("picks CUDA only where it was built and an NVIDIA driver is present", () => {
        const record: BuildRecord = {
            mode: "prebuilt",
            llamaCpp: { tag: "v0", commit: "x" },
            variants: [
                { variant: "cpu", gpu: null, addon: "a.node", backendDir: "/cpu" },
                { variant: "cuda", gpu: "cuda", addon: "b.node", backendDir: "/cuda" },
            ],
        };
        expect(chooseVariant(record, "auto", true).variant).toBe("cuda");
        expect(chooseVariant(record, "auto", false).variant).toBe("cpu");
        expect(chooseVariant(record, "cpu", true).variant).toBe("cpu");
        expect(() => chooseVariant({ ...record, variants: [record.variants[0]] }, "cuda")).toThrow(/no cuda addon was built/);
    });

    it("loads once and reports the build and devices", () => {
        const { addon, build } = loadAddon();
        expect(loadAddon().addon).toBe(addon);
        expect(build.llamaCppTag).toMatch(/^v|^b/);
        const devices = addon.devices();
        expect(devices.some((d) => d.type === "cpu")).toBe(true);
        expect(addon.systemInfo()).toMatch(/CPU/);
    });
});

describe("model", () => {
    it("reports GGUF metadata as the file states it", async () => {
        const file = syntheticModel();
        const gguf = readGguf(file);
        const model = await Model.load(file);
        try {
            const info = model.info;
            expect(info.architecture).toBe("llama");
            expect(info.name).toBe(smallLlama.name);
            expect(info.nVocab).toBe(32000);
            expect([info.nLayer, info.nEmbd, info.nHead, info.nHeadKv]).toEqual([smallLlama.nLayer, smallLlama.nEmbd, smallLlama.nHead, smallLlama.nHeadKv]);
            expect(info.nCtxTrain).toBe(Number(gguf.metadata.get("llama.context_length")));
            expect(info.quantization).toBe("all F32");
            expect(info.nParams).toBe(gguf.tensors.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0));
            expect(info.bos).toBe(Number(gguf.metadata.get("tokenizer.ggml.bos_token_id")));
            expect(info.metadata["general.architecture"]).toBe("llama");
            expect(info.chatTemplate).toBeNull();
        } finally {
            model.dispose();
        }
    });

    it("loads a file once per process, however many Model objects load it", async () => {
        const { addon } = loadAddon();
        const users = () => addon.loadedModels().find((m) => m.path === tinyRandomLlama2 && !m.vocabOnly)?.users ?? 0;
        const before = users();
        const a = await Model.load(tinyRandomLlama2);
        const b = await Model.load(tinyRandomLlama2);
        const scorer = b.createScorer({ contextSize: 64, threads: 1 });
        expect(users()).toBe(before + 3);
        expect(addon.loadedModels().filter((m) => m.path === tinyRandomLlama2 && !m.vocabOnly)).toHaveLength(1);
        a.dispose();
        b.dispose();
        expect(users()).toBe(before + 1); // the scorer still holds the weights
        scorer.dispose();
        await new Promise((resolve) => setImmediate(resolve));
        expect(users()).toBe(before);
    });

    it("shares one model between worker threads, each with its own scorer, with identical results", () => {
        const script = path.join(repoRoot, "tests", "support", "workers-share-model.ts");
        const out = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", script, tinyRandomLlama2], { cwd: repoRoot, encoding: "utf8" }));
        expect(out.loaded).toEqual(["loaded", "loaded"]);
        expect(out.modelsWhileLoaded).toEqual([{ path: tinyRandomLlama2, vocabOnly: false, users: 4 }]); // 2 models + 2 scorers
        expect(out.results[0]).toBe(out.results[1]);
        expect(out.modelsAfter).toEqual([]);
    });

    it("reads the shipped tiny Llama-2 file (F16)", async () => {
        const model = await Model.load(tinyRandomLlama2);
        try {
            expect(model.info).toMatchObject({ architecture: "llama", name: "LLaMA v2", nEmbd: 8, nLayer: 1, quantization: "F16", addBos: true, bos: 1, eos: 2 });
            expect(Array.from(model.tokenize("Hello", { addSpecial: true }))[0]).toBe(1);
        } finally {
            model.dispose();
        }
    });
});

describe("scoring", () => {
    let model: Model;
    let scorer: Scorer;
    beforeAll(async () => {
        model = await Model.load(syntheticModel());
        scorer = model.createScorer({ contextSize: 2048, threads: 2 });
    });
    afterAll(() => {
        scorer?.dispose();
        model?.dispose();
    });

    it("runs off the JS thread: timers fire while a score() is in flight", async () => {
        const requests = Array.from({ length: 12 }, (_, i) => ({ prefix: Array.from({ length: 300 }, (_, j) => 3 + ((i * 31 + j * 7) % 30000)), candidates: [1] }));
        let ticks = 0;
        const timer = setInterval(() => ticks++, 1);
        const started = Date.now();
        const pending = scorer.score(requests);
        const { stats } = await pending;
        clearInterval(timer);
        const elapsed = Date.now() - started;
        expect(stats.seconds * 1000).toBeGreaterThan(20); // the work is long enough for the check to mean something
        expect(ticks).toBeGreaterThan(Math.min(10, elapsed / 4));
    });

    it("returns candidates in the order given, duplicates included, consistent with top-k", async () => {
        const prefix = Array.from(model.tokenize("Answer:", { addSpecial: true }));
        const { results } = await scorer.score([{ prefix, candidates: [350, 319, 350], logits: true }], { topK: 10 });
        const c = results[0].continuations[0];
        expect(c.logProbs[0]).toBe(c.logProbs[2]);
        expect(c.logProbs[0]).toBeCloseTo(c.logits![350] - c.logSumExp, 12);
        expect(c.logProbs[1]).toBeCloseTo(c.logits![319] - c.logSumExp, 12);
        const sorted = Array.from(c.logits!.keys()).sort((a, b) => c.logits![b] - c.logits![a] || a - b);
        expect(Array.from(c.topTokens)).toEqual(sorted.slice(0, 10));
        expect(Array.from(c.topLogProbs)).toEqual(sorted.slice(0, 10).map((t) => c.logits![t] - c.logSumExp));
        // probabilities over the full vocabulary sum to 1
        let total = 0;
        for (const l of c.logits!) total += Math.exp(l - c.logSumExp);
        expect(total).toBeCloseTo(1, 10);
    });

    it("scores an empty continuation at the prefix's last token, however many there are", async () => {
        const prefix = [1, 450, 7483];
        const { results } = await scorer.score([{ prefix, continuations: [[], [338], []], candidates: [319, 350] }, { prefix, candidates: [319, 350] }]);
        const [a, b, c] = results[0].continuations;
        expect(Array.from(a.logProbs)).toEqual(Array.from(c.logProbs));
        expect(Array.from(a.logProbs)).not.toEqual(Array.from(b.logProbs));
        expect(Math.abs(a.logProbs[0] - results[1].continuations[0].logProbs[0])).toBeLessThan(1e-5);
    });
});
