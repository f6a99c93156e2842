// End to end on the shipped tiny random Llama-2 (plumbing only: random weights, so no answer is asserted): a handful
// of items of every task kind are scored through the native scorer, and what comes back has the shapes src/metrics
// and src/culturalmap take, distributions that sum to 1, and letter log-probabilities that map back consistently.
// Sampling mode: seeds are reproducible and the generated text goes through the parsers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeModelAnswers } from "../../src/culturalmap/answers.ts";
import { scoreCulturalBenchEasy, scoreCulturalBenchHard, scoreNormAd } from "../../src/metrics/accuracy.ts";
import { culturalBenchEasyItems } from "../../src/tasks/items.ts";
import { letterDistribution } from "../../src/metrics/distributions.ts";
import { Model, type Scorer } from "../../src/native/index.ts";
import { parseRenderedAnswer } from "../../src/tasks/answerParsers.ts";
import { layoutPrompt, renderTask } from "../../src/tasks/render.ts";
import { promptModelOf, runCulturalBenchEasy, runCulturalBenchHard, runCulturalMap, runNormAd, runOpinion } from "../../src/tasks/run.ts";
import { renderItem } from "../../src/tasks/render.ts";
import { buildGenerateRequest, DEFAULT_TEMPERATURE, parseSampledAnswer, sampleCulturalMap, sampleTask, trialSeed } from "../../src/tasks/sampling.ts";
import { tinyRandomLlama2 } from "../support/models.ts";
import { definitions, items } from "./support.ts";

let model: Model;
let scorer: Scorer;
beforeAll(async () => {
    model = await Model.load(tinyRandomLlama2);
    scorer = model.createScorer({ contextSize: 2048, maxSequences: 8 });
});
afterAll(() => {
    scorer?.dispose();
    model?.dispose();
});

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe("logit mode on the tiny random model", () => {
    it("opinion: one distribution per row over its options, consistent with each permutation's letters", async () => {
        const withHindi = items.opinion.filter((i) => i.hindi);
        const sample = [withHindi[0], items.opinion.find((i) => !i.hindi)!, withHindi[1]];
        const run = await runOpinion(model, scorer, definitions.get("opinion")!, sample, { strategy: "crosslingual", maxPermutations: 6 });
        expect(run.skipped).toEqual([{ itemId: sample[1].id, reason: sample[1].noHindiReason }]);
        expect(run.answers.map((a) => a.rowIndex)).toEqual([sample[0].rowIndex, sample[2].rowIndex]);
        expect(run.answers.map((a) => a.distribution)).toEqual(run.results.map((r) => r.distribution));
        for (const r of run.results) {
            const k = sample.find((i) => i.id === r.itemId)!.options.length;
            expect(r.distribution.probabilities).toHaveLength(k);
            expect(sum(r.distribution.probabilities)).toBeCloseTo(1, 12);
            expect(r.permutations).toHaveLength(Math.min(6, k <= 4 ? 24 : 2 * k));
            expect(r.format).toBe("completion");
            // recompute the mapping by hand: the letter at position j speaks for option order[j]
            const byHand = new Array<number>(k).fill(0);
            for (const p of r.permutations) letterDistribution(p.letterLogProbs).probabilities.forEach((q, j) => (byHand[p.optionOrder[j]] += q / r.permutations.length));
            byHand.forEach((q, i) => expect(r.distribution.probabilities[i]).toBeCloseTo(q, 12));
        }
    });

    it("shares the prefix: a continuation scored alone after the whole prompt gives the same log-probabilities", async () => {
        const def = definitions.get("opinion")!;
        const run = await runOpinion(model, scorer, def, [items.opinion[3]], { strategy: "default", maxPermutations: 3 });
        const r = renderTask(def, "default", [items.opinion[3]], { maxPermutations: 3 }).rendered[0];
        const text = layoutPrompt(r, promptModelOf(model));
        const whole = model.tokenize(text.prefix + text.continuations[2], { addSpecial: text.addSpecial });
        const candidates = run.results[0].permutations[0].letterLogProbs.length;
        const letters = r.letters.map((l) => model.tokenize(` ${l}`, { addSpecial: false }).at(-1)!);
        expect(letters).toHaveLength(candidates);
        const alone = await scorer.score([{ prefix: whole, candidates: letters }]);
        Array.from(alone.results[0].continuations[0].logProbs).forEach((lp, j) => expect(run.results[0].permutations[2].letterLogProbs[j]).toBeCloseTo(lp, 4));
    });

    it("CulturalBench-Hard and NormAd: judgements and answers the accuracy metrics accept", async () => {
        const hard = await runCulturalBenchHard(model, scorer, definitions.get("culturalbench-hard")!, items["culturalbench-hard"].slice(0, 8), { strategy: "demographic" });
        expect(hard.answers).toHaveLength(8);
        for (const j of hard.answers) expect(typeof j.answers[0]).toBe("boolean");
        expect(scoreCulturalBenchHard(hard.answers).length).toBe(new Set(items["culturalbench-hard"].slice(0, 8).map((i) => i.questionIdx)).size);
        const normad = await runNormAd(model, scorer, definitions.get("normad")!, items.normad, { strategy: "default" });
        expect(normad.answers.map((a) => a.contextLevel)).toEqual(["country", "value", "rule-of-thumb", "country", "value", "rule-of-thumb", "country", "value", "rule-of-thumb"]);
        for (const a of normad.answers) expect(["yes", "no", "neither"]).toContain(a.answers[0]);
        expect(scoreNormAd(normad.answers)).toHaveLength(9);
        const hindi = await runNormAd(model, scorer, definitions.get("normad")!, items.normad, { strategy: "hindi" });
        expect([hindi.results.length, hindi.skipped.length]).toEqual([0, 9]);
    });

    it("CulturalBench-Easy (SYNTHETIC rows in its format; the data set is not shipped): one letter per question", async () => {
        const rows = [0, 1].map((q) => ({ index: q, line: q + 2, dataIdx: q, questionIdx: q, question: `SYNTHETIC question ${q}?`, options: ["w", "x", "y", "z"] as [string, string, string, string], answer: "B" as const, country: "India" }));
        const run = await runCulturalBenchEasy(model, scorer, definitions.get("culturalbench-easy")!, culturalBenchEasyItems(rows), { strategy: "default", maxPermutations: 4 });
        for (const a of run.answers) expect(["A", "B", "C", "D"]).toContain(a.answers[0]);
        expect(scoreCulturalBenchEasy(run.answers)).toHaveLength(2);
    });

    it("cultural map: answers that code like a respondent's", async () => {
        const run = await runCulturalMap(model, scorer, definitions.get("culturalmap")!, items.culturalmap, { strategy: "hindi" });
        expect(run.results).toHaveLength(11);
        expect(run.answers.Y002.first).not.toBe(run.answers.Y002.second);
        expect("mentioned" in run.answers.Y003 && run.answers.Y003.mentioned).toHaveLength(5);
        expect(codeModelAnswers(run.answers)).toHaveLength(10);
    });
});

describe("sampling mode on the tiny random model", () => {
    it("derives a seed per run, task, item and trial", () => {
        const s = trialSeed(1, "opinion", "goqa-0", 0);
        expect(trialSeed(1, "opinion", "goqa-0", 0)).toBe(s);
        expect(new Set([s, trialSeed(2, "opinion", "goqa-0", 0), trialSeed(1, "normad", "goqa-0", 0), trialSeed(1, "opinion", "goqa-1", 0), trialSeed(1, "opinion", "goqa-0", 1)]).size).toBe(5);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThan(0xffffffff);
    });

    it("generates k trials per item, reproducibly, and parses or reports each", async () => {
        const def = definitions.get("culturalbench-hard")!;
        const rendered = renderTask(def, "default", items["culturalbench-hard"].slice(0, 3)).rendered;
        const requests = rendered.map((r) => buildGenerateRequest(model, "culturalbench-hard", r.itemId, layoutPrompt(r, promptModelOf(model)), { runSeed: 7, trials: 4 }));
        expect(requests[0].temperature).toBe(DEFAULT_TEMPERATURE);
        expect(requests[0].seeds).toEqual([0, 1, 2, 3].map((t) => trialSeed(7, "culturalbench-hard", rendered[0].itemId, t)));
        const first = await scorer.generate(requests);
        const again = await scorer.generate(requests);
        expect(first.results.map((r) => r.trials.map((t) => Array.from(t.tokens)))).toEqual(again.results.map((r) => r.trials.map((t) => Array.from(t.tokens))));
        first.results.forEach((res, i) => {
            expect(res.trials).toHaveLength(4);
            for (const t of res.trials) {
                const parsed = parseRenderedAnswer(model.detokenize(t.tokens), rendered[i].letters, rendered[i].answerValues, rendered[i].permutations[0].order);
                if (parsed.ok) expect(["true", "false"]).toContain(parsed.value);
                else expect(parsed.reason).toMatch(/letter/);
            }
        });
    });

    it("samples a task end to end: one answer or one report per trial, and the unparseable rate they make", async () => {
        const sample = items.opinion.filter((i) => i.hindi).slice(0, 3);
        const run = await sampleTask(model, scorer, definitions.get("opinion")!, [...sample, items.opinion.find((i) => !i.hindi)!], { strategy: "hindi", runSeed: 3, trials: 3 });
        expect(run.skipped).toHaveLength(1);
        expect(run.results.map((r) => r.itemId)).toEqual(sample.map((i) => i.id));
        let unparseable = 0;
        run.results.forEach((r, i) => {
            expect(r.answers).toHaveLength(3);
            r.answers.forEach((a, t) => {
                if (a === null) expect(r.unparseable.map((u) => u.trial)).toContain(t);
                else expect(Number(a)).toBeLessThan(sample[i].options.length);
            });
            expect(r.unparseable).toHaveLength(r.answers.filter((a) => a === null).length);
            unparseable += r.unparseable.length;
        });
        expect(run.unparseableRate).toBe(unparseable / 9);
    });

    it("reads a Y003 trial as the chosen qualities' codes, and a scalar item as one option", () => {
        const map = definitions.get("culturalmap")!;
        const y003 = renderItem(map, "default", items.culturalmap.find((i) => i.question === "Y003")!);
        const a008 = renderItem(map, "default", items.culturalmap.find((i) => i.question === "A008")!);
        if ("reason" in y003 || "reason" in a008) throw new Error("the map items must render");
        expect(y003.maxChoices).toBe(5);
        // letters are in survey order for the map (no permutation): C, A, K are options 2, 0, 10
        expect(parseSampledAnswer("C, A, K", y003)).toEqual({ ok: true, value: "0,2,10" });
        expect(parseSampledAnswer("A, B, C, D, E, F", y003).ok).toBe(false);
        expect(parseSampledAnswer("B.", a008)).toEqual({ ok: true, value: "1" });
        expect(parseSampledAnswer("B, C", a008).ok).toBe(false);
    });

    it("samples the cultural map: one answer set per trial, or null when a trial is incomplete", async () => {
        const run = await sampleCulturalMap(model, scorer, definitions.get("culturalmap")!, items.culturalmap, { strategy: "default", runSeed: 5, trials: 2, maxTokens: 6 });
        expect(run.trials).toHaveLength(2);
        expect(run.incompleteTrials).toBe(run.trials.filter((t) => t === null).length);
        for (const [t, answers] of run.trials.entries()) {
            const anyUnparseable = run.results.some((r) => r.answers[t] === null);
            if (answers === null) continue;
            expect(anyUnparseable).toBe(false);
            expect(codeModelAnswers(answers)).toHaveLength(10);
        }
        // a random-weight model rarely writes a clean answer to all eleven prompts: any trial with an unparseable item is null
        run.trials.forEach((answers, t) => {
            if (run.results.some((r) => r.answers[t] === null)) expect(answers).toBeNull();
        });
    });
});
