// Shared-prefix scoring must give what scoring each full prompt alone gives, however requests are ordered,
// packed or split; and the same requests must give bit-identical results on every call and in every process.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model, type ScoreRequest, type ScoreResult, type Scorer } from "../../src/native/index.ts";
import { repoRoot, syntheticModel } from "../support/models.ts";
import { workload } from "../support/workload.ts";

function alone(requests: ScoreRequest[]): ScoreRequest[] {
    return requests.flatMap((r) => r.continuations!.map((c) => ({ prefix: [...(r.prefix ?? []), ...c], candidates: r.candidates })));
}

function flatLogProbs(result: ScoreResult): number[] {
    return result.results.flatMap((r) => r.continuations.flatMap((c) => [...c.logProbs, c.logSumExp]));
}

function maxAbsDiff(a: number[], b: number[]): number {
    expect(a.length).toBe(b.length);
    return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

describe("prefix-shared scoring", () => {
    let model: Model;
    let scorer: Scorer;
    let requests: ScoreRequest[];
    let shared: ScoreResult;
    beforeAll(async () => {
        model = await Model.load(syntheticModel());
        scorer = model.createScorer({ contextSize: 1024, batchSize: 256, maxSequences: 16, threads: 2 });
        requests = workload(42, 40, model.info.nVocab);
        shared = await scorer.score(requests);
    });
    afterAll(() => {
        scorer?.dispose();
        model?.dispose();
    });

    it("equals scoring every full prompt alone, many requests packed into each decode", async () => {
        const single = await scorer.score(alone(requests));
        expect(maxAbsDiff(flatLogProbs(shared), flatLogProbs(single))).toBeLessThan(1e-5);
        // the prefix really was shared: fewer tokens evaluated than the prompts hold, and several requests per decode
        expect(shared.stats.evaluatedTokens).toBeLessThan(shared.stats.promptTokens);
        expect(shared.stats.decodes).toBeLessThan(requests.length / 2);
        expect(shared.stats.outputs).toBe(requests.reduce((n, r) => n + r.continuations!.filter((c) => c.length > 0).length + (r.continuations!.some((c) => c.length === 0) ? 1 : 0), 0));
    });

    it("gives the same scores in any request order", async () => {
        const order = requests.map((_, i) => i).reverse();
        order.push(order.shift()!);
        const shuffled = await scorer.score(order.map((i) => requests[i]));
        const back = new Array<ScoreResult["results"][number]>(requests.length);
        order.forEach((orig, pos) => (back[orig] = shuffled.results[pos]));
        expect(maxAbsDiff(flatLogProbs(shared), flatLogProbs({ results: back, stats: shuffled.stats }))).toBeLessThan(1e-5);
    });

    it("splits requests larger than a batch or than the sequence limit, with the same scores", async () => {
        const tight = model.createScorer({ contextSize: 1024, batchSize: 16, ubatchSize: 16, maxSequences: 2, threads: 2 });
        try {
            // a dozen requests are enough to hit both splits, and keep 16-token decodes cheap
            const some = requests.slice(0, 12);
            const split = await tight.score(some);
            expect(split.stats.decodes).toBeGreaterThan(some.length);
            const expected = { results: shared.results.slice(0, 12), stats: shared.stats };
            expect(maxAbsDiff(flatLogProbs(expected), flatLogProbs(split))).toBeLessThan(1e-5);
        } finally {
            tight.dispose();
        }
    });

    it("is bit-identical across calls", async () => {
        const again = await scorer.score(requests);
        expect(Buffer.from(new Float64Array(flatLogProbs(again)).buffer).equals(Buffer.from(new Float64Array(flatLogProbs(shared)).buffer))).toBe(true);
        expect(again.results.map((r) => r.continuations.map((c) => Array.from(c.topTokens)))).toEqual(shared.results.map((r) => r.continuations.map((c) => Array.from(c.topTokens))));
    });

    it("is bit-identical across processes", () => {
        const script = path.join(repoRoot, "tests", "support", "score-in-child.ts");
        const out = execFileSync(process.execPath, ["--import", "tsx", script, syntheticModel(), "42", "40"], { cwd: repoRoot, encoding: "utf8" });
        const child = Buffer.from(out.trim(), "base64");
        expect(child.equals(Buffer.from(new Float64Array(flatLogProbs(shared)).buffer))).toBe(true);
    });
});
