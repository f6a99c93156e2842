// The run's plan and options without a model: shards cover every item exactly once in a fixed order, --shard shares
// partition the plan, --limit keeps whole questions, and option parsing names the valid values.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunOptions, parseShard, readConfigFile, mergeOptions, RunConfigError, PROMPTS_PER_SHARD } from "../../src/run/config.ts";
import { cutByBudget, firstUnits, planShards, promptsPerItem, shardShare, loadTaskItems } from "../../src/run/workload.ts";
import { loadTaskDefinitions } from "../../src/tasks/definitions.ts";
import { repoRoot } from "../support/models.ts";
import fs from "node:fs";
import os from "node:os";

const definitions = loadTaskDefinitions();
const hardFile = path.join(repoRoot, "datasets", "culturalbench", "CulturalBench-Hard.csv");
const goqaFile = path.join(repoRoot, "datasets", "globalopinionqa", "global_opinions_india.csv");

describe("shard plan", () => {
    it("cuts consecutive items by a prompt budget, at least one item per cut, covering all items", () => {
        expect(cutByBudget([5, 5, 5, 5], 10)).toEqual([0, 2, 4]);
        expect(cutByBudget([30, 2, 2], 10)).toEqual([0, 1, 3]);
        expect(cutByBudget([], 10)).toEqual([0]);
        const prompts = Array.from({ length: 200 }, (_, i) => 1 + ((i * 7919) % 24));
        const cuts = cutByBudget(prompts, 100);
        expect(cuts[0]).toBe(0);
        expect(cuts[cuts.length - 1]).toBe(200);
        for (let k = 0; k + 1 < cuts.length; k++) {
            const size = prompts.slice(cuts[k], cuts[k + 1]).reduce((a, b) => a + b, 0);
            expect(cuts[k + 1]).toBeGreaterThan(cuts[k]);
            expect(size <= 100 || cuts[k + 1] - cuts[k] === 1).toBe(true);
        }
    });

    it("plans every model × task × strategy over all items, the map in one shard, ids unique and stable", () => {
        const opinion = loadTaskItems("opinion", goqaFile, { country: "India", limit: null }).items;
        const map = loadTaskItems("culturalmap", null, { country: "India", limit: null }).items;
        const settings = { mode: "logit" as const, trials: 1, maxPermutations: null };
        const prompts = new Map([
            ["opinion", opinion.map((i) => promptsPerItem(definitions.get("opinion")!, i, settings))],
            ["culturalmap", map.map((i) => promptsPerItem(definitions.get("culturalmap")!, i, settings))],
        ] as const);
        // a 4-option question is asked in all 4! orders
        expect(promptsPerItem(definitions.get("opinion")!, opinion.find((i) => i.options.length === 4)!, settings)).toBe(24);
        const config = { models: [{}, {}] as never, strategies: ["default", "hindi"] as never, promptsPerShard: PROMPTS_PER_SHARD };
        const plan = planShards(config, prompts);
        expect(new Set(plan.map((s) => s.id)).size).toBe(plan.length);
        expect(planShards(config, prompts)).toEqual(plan);
        for (const m of [0, 1]) {
            for (const strategy of ["default", "hindi"]) {
                const ofTask = (task: string) => plan.filter((s) => s.modelIndex === m && s.strategy === strategy && s.task === task);
                const covered = ofTask("opinion").flatMap((s) => Array.from({ length: s.end - s.start }, (_, k) => s.start + k));
                expect(covered).toEqual(opinion.map((_, k) => k));
                expect(ofTask("culturalmap")).toEqual([expect.objectContaining({ start: 0, end: map.length })]);
            }
        }
        // --shard i/N: disjoint shares whose union is the plan
        const shares = [0, 1, 2].map((index) => shardShare(plan, { index, count: 3 }));
        expect(shares.flat().map((s) => s.id).sort()).toEqual(plan.map((s) => s.id).sort());
        expect(shares.map((s) => s.length).reduce((a, b) => a + b, 0)).toBe(plan.length);
    });

    it("--limit keeps whole questions: all four CulturalBench-Hard judgements of each", () => {
        const items = loadTaskItems("culturalbench-hard", hardFile, { country: "India", limit: 5 }).items;
        expect(new Set(items.map((i) => i.unitId)).size).toBe(5);
        expect(items).toHaveLength(20);
        expect(firstUnits(items, 2).map((i) => i.unitId)).toEqual(items.slice(0, 8).map((i) => i.unitId));
    });
});

describe("run options", () => {
    it("parses --shard and rejects what is not i/N", () => {
        expect(parseShard("2/8")).toEqual({ index: 2, count: 8 });
        for (const bad of ["8/8", "1", "a/b", "-1/2", "1/0"]) expect(() => parseShard(bad)).toThrow(RunConfigError);
    });

    it("keeps names in canonical order, so the same selection is the same config", () => {
        const a = parseRunOptions({ tasks: "culturalmap,opinion", strategies: ["hindi", "default"] }).config;
        const b = parseRunOptions({ tasks: ["opinion", "culturalmap", "opinion"], strategies: "default,hindi" }).config;
        expect(a).toEqual(b);
        expect(a.tasks).toEqual(["opinion", "culturalmap"]);
    });

    it("rejects bad numbers with the option's name", () => {
        expect(() => parseRunOptions({ workers: "0" })).toThrow(/--workers must be an integer ≥ 1 \(got "0"\)/);
        expect(() => parseRunOptions({ temperature: "-1", mode: "sample" })).toThrow(/--temperature must be a number ≥ 0/);
        expect(() => parseRunOptions({ mode: "greedy" })).toThrow(/unknown mode 'greedy': the valid mode are logit, sample/);
        expect(() => parseRunOptions({ kvCache: "f8" })).toThrow(/--kv-cache must be one of f32, f16, bf16, q8_0 \(got "f8"\)/);
        // the exact settings are the defaults, and the faster ones are part of the config (they change results)
        expect(parseRunOptions({}).config).toMatchObject({ kvCacheType: "f32", flashAttention: "off" });
        expect(parseRunOptions({ kvCache: "f16", flashAttention: "auto" }).config).toMatchObject({ kvCacheType: "f16", flashAttention: "auto" });
    });

    it("reads a config file with paths relative to it, the command line winning", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-config-"));
        const file = path.join(dir, "run.json");
        fs.writeFileSync(file, JSON.stringify({ model: "m.gguf", "max-permutations": 6, out: "results", seed: 3 }));
        const fromFile = readConfigFile(file);
        expect(fromFile).toEqual({ model: path.join(dir, "m.gguf"), maxPermutations: 6, out: path.join(dir, "results"), seed: 3 });
        expect(mergeOptions(fromFile, { seed: 4, limit: undefined })).toMatchObject({ seed: 4, maxPermutations: 6 });
        fs.writeFileSync(file, "- a list\n");
        expect(() => readConfigFile(file)).toThrow(/must hold a mapping of options/);
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
