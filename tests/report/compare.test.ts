// Comparing two runs: the tiny random Llama-2 against a second random model (a synthetic 2-layer llama with another
// vocabulary), both on the same few items of each task (plumbing only: random weights). Every value, difference and
// flip is recomputed here from the fixtures' raw results (JS distance written out in this file, accuracies counted
// by hand), and runs that cannot be paired are refused with the reason. The two commands are run through commander.
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compareCommand, reportCommand } from "../../src/cli/report.ts";
import { NORMAD_ANSWER_FOR_GOLD } from "../../src/metrics/accuracy.ts";
import { pairedBootstrapMeanDifference } from "../../src/metrics/bootstrap.ts";
import { Model, type Scorer } from "../../src/native/index.ts";
import { compareRuns, loadRunData, writeComparison, type Comparison } from "../../src/report/index.ts";
import { smallLlama, syntheticModel, tempDir, tinyRandomLlama2 } from "../support/models.ts";
import { goqaRows } from "../tasks/support.ts";
import { buildFixtureRun, INDIA_KEY, opinionSample, US_KEY, type FixtureRun } from "./fixture.ts";
import { js, mean } from "../support/jsDistance.ts";

const BOOTSTRAP = { resamples: 500, seed: 11 };
const tasks = ["opinion", "culturalbench-hard", "normad", "culturalmap"] as const;

let root: string;
let runA: FixtureRun;
let runB: FixtureRun;
let fewerItems: FixtureRun;
let normadOnly: FixtureRun;
let comparison: Comparison;

async function withModel<T>(file: string, f: (model: Model, scorer: Scorer) => Promise<T>): Promise<T> {
    const model = await Model.load(file);
    const scorer = model.createScorer({ contextSize: 2048, maxSequences: 8 });
    try {
        return await f(model, scorer);
    } finally {
        scorer.dispose();
        model.dispose();
    }
}

beforeAll(async () => {
    root = tempDir("compare");
    await withModel(tinyRandomLlama2, async (model, scorer) => {
        runA = await buildFixtureRun(path.join(root, "base"), model, scorer, { strategy: "default", tasks });
        fewerItems = await buildFixtureRun(path.join(root, "fewer"), model, scorer, { strategy: "default", tasks: ["opinion"], opinionItems: opinionSample.slice(0, 3) });
        normadOnly = await buildFixtureRun(path.join(root, "normad-only"), model, scorer, { strategy: "default", tasks: ["normad"] });
    });
    const other = syntheticModel(smallLlama);
    await withModel(other, async (model, scorer) => {
        runB = await buildFixtureRun(path.join(root, "other"), model, scorer, { strategy: "default", tasks, modelPath: other, modelName: "small-random" });
    });
    comparison = compareRuns(loadRunData(runA.dir), loadRunData(runB.dir), BOOTSTRAP);
}, 180_000);
afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
});


describe("compare: a model against another on the same items", () => {
    it("pairs the two runs' single model × strategy for every task they share", () => {
        expect(comparison.tasks).toEqual(["culturalbench-hard", "culturalmap", "normad", "opinion"]);
        expect(comparison.notCompared).toEqual([]);
        expect(comparison.opinion.map((o) => o.pair.label)).toEqual(["llama-2-tiny-random · default → small-random · default"]);
    });

    it("opinion: each run's mean CAD and the paired difference, with the paired-bootstrap interval over the same questions", () => {
        const ids = opinionSample.map((i) => i.id);
        const cad = (run: FixtureRun) =>
            ids.map((id) => {
                const survey = goqaRows[Number(id.slice(5))].selections;
                const model = run.opinion.get(id)!;
                return 1 - js(model, survey[INDIA_KEY]) - (1 - js(model, survey[US_KEY]));
            });
        const [cadA, cadB] = [cad(runA), cad(runB)];
        const row = comparison.opinion[0].rows.find((r) => r.metric === "cad")!;
        expect(row.questions).toBe(ids.length);
        expect(row.valueA).toBeCloseTo(mean(cadA), 12);
        expect(row.valueB).toBeCloseTo(mean(cadB), 12);
        expect(row.difference).toBeCloseTo(mean(cadB) - mean(cadA), 12);
        // the same seed draws the same resamples of the same questions
        const paired = pairedBootstrapMeanDifference(cadA, cadB, BOOTSTRAP);
        expect(row.ciLower).toBeCloseTo(paired.ciLower, 12);
        expect(row.ciUpper).toBeCloseTo(paired.ciUpper, 12);
        const flipped = ids.filter((_, i) => Math.sign(cadA[i]) !== Math.sign(cadB[i]));
        expect(comparison.opinion[0].flips.map((f) => f.itemId)).toEqual(flipped);
        const sim = comparison.opinion[0].rows.find((r) => r.metric === "similarity" && r.country === INDIA_KEY)!;
        expect(sim.valueB).toBeCloseTo(mean(ids.map((id) => 1 - js(runB.opinion.get(id)!, goqaRows[Number(id.slice(5))].selections[INDIA_KEY]))), 12);
    });

    it("CulturalBench-Hard: question accuracy (all four judgements right), India alone, and the questions that flipped", () => {
        const questionRight = (run: FixtureRun) => {
            const right = new Map<string, boolean>();
            for (const j of run.hard) right.set(j.questionId, (right.get(j.questionId) ?? true) && j.answers[0] === j.gold);
            return right;
        };
        const [rightA, rightB] = [questionRight(runA), questionRight(runB)];
        const hard = comparison.accuracy.find((a) => a.pair.task === "culturalbench-hard")!;
        const overall = hard.rows.find((r) => r.metric === "accuracy" && r.country === null)!;
        expect(overall.valueA).toBeCloseTo(mean([...rightA.values()].map(Number)), 12);
        expect(overall.valueB).toBeCloseTo(mean([...rightB.values()].map(Number)), 12);
        const india = new Set(runA.hard.filter((j) => j.country === "India").map((j) => j.questionId));
        const indiaRow = hard.rows.find((r) => r.metric === "accuracy" && r.country === "India")!;
        expect(indiaRow.valueB).toBeCloseTo(mean([...india].map((q) => Number(rightB.get(q)))), 12);
        const judgements = hard.rows.find((r) => r.metric === "judgementAccuracy" && r.country === null)!;
        expect(judgements.valueB).toBeCloseTo(mean(runB.hard.map((j) => Number(j.answers[0] === j.gold))), 12);
        const flipped = [...rightA.keys()].filter((q) => rightA.get(q) !== rightB.get(q)).map((q) => `cbh-q${q}`);
        expect(hard.flips.map((f) => f.item).sort()).toEqual(flipped.sort());
    });

    it("NormAd: accuracy per context level and the story × level answers that flipped", () => {
        const right = (run: FixtureRun) => new Map(run.normad.map((a) => [`normad-${a.storyId}@${a.contextLevel}`, a.answers[0] === NORMAD_ANSWER_FOR_GOLD[a.gold]]));
        const [rightA, rightB] = [right(runA), right(runB)];
        const normad = comparison.accuracy.find((a) => a.pair.task === "normad")!;
        for (const level of ["country", "value", "rule-of-thumb"] as const) {
            const row = normad.rows.find((r) => r.metric === "accuracy" && r.contextLevel === level && r.country === null)!;
            const keys = [...rightA.keys()].filter((k) => k.endsWith(`@${level}`));
            expect(row.valueA).toBeCloseTo(mean(keys.map((k) => Number(rightA.get(k)))), 12);
            expect(row.valueB).toBeCloseTo(mean(keys.map((k) => Number(rightB.get(k)))), 12);
        }
        expect(normad.flips.map((f) => f.item).sort()).toEqual([...rightA.keys()].filter((k) => rightA.get(k) !== rightB.get(k)).sort());
        // NormAd's file is not installed here, so no row claims a country it cannot know
        expect(normad.rows.every((r) => r.country === null)).toBe(true);
    });

    it("a flipped answer shows up as exactly that flip and a difference of one item", () => {
        const a = loadRunData(runA.dir);
        const b = loadRunData(runA.dir);
        b.dir = `${b.dir}-changed`;
        const target = b.tables.answers.find((x) => x.task === "normad")!;
        target.correct = !target.correct;
        const c = compareRuns(a, b, BOOTSTRAP);
        const normad = c.accuracy.find((x) => x.pair.task === "normad")!;
        const level = target.item_id.replace(`${target.unit_id}-`, "");
        expect(normad.flips).toEqual([{ item: `${target.unit_id}@${level}`, rightInA: !target.correct, rightInB: target.correct }]);
        const overall = normad.rows.find((r) => r.metric === "accuracy" && r.contextLevel === null && r.country === null)!;
        expect(overall.difference).toBeCloseTo((target.correct ? 1 : -1) / 9, 12);
        expect(c.opinion[0].flips).toEqual([]);
        expect(c.opinion[0].rows.every((r) => r.difference === 0)).toBe(true);
    });

    it("writes compare.html with the differences chart and compare.json with the same numbers, inside run A by default", async () => {
        const { html, json } = await writeComparison(runA.dir, runB.dir, undefined, BOOTSTRAP);
        expect(path.dirname(html)).toBe(path.join(runA.dir, "compare-other"));
        const page = fs.readFileSync(html, "utf8");
        expect(page).toMatch(/<figure class="chart" data-chart="differences"><svg/);
        expect(page).not.toMatch(/<(script|link|img)[^>]*\s(src|href)=/i);
        const written = JSON.parse(fs.readFileSync(json, "utf8")) as Comparison;
        expect(written.opinion[0].rows.find((r) => r.metric === "cad")!.difference).toBeCloseTo(comparison.opinion[0].rows.find((r) => r.metric === "cad")!.difference, 15);
        expect(written.map).toHaveLength(1);
    });
});

describe("compare refuses runs it cannot pair", () => {
    it("different item sets, naming the items on each side", () => {
        expect(() => compareRuns(loadRunData(runA.dir), loadRunData(fewerItems.dir), BOOTSTRAP)).toThrow(
            new RegExp(`opinion \\(llama-2-tiny-random · default → llama-2-tiny-random · default\\): the item sets differ \\(4 items in A, 3 in B; only in A: ${opinionSample[3].id}\\)\\. A paired comparison needs the same items`),
        );
    });

    it("different data files", () => {
        const copy = path.join(root, "base-other-data");
        fs.cpSync(runA.dir, copy, { recursive: true });
        const record = JSON.parse(fs.readFileSync(path.join(copy, "run.json"), "utf8"));
        record.datasets[0].sha256 = "0".repeat(64);
        fs.writeFileSync(path.join(copy, "run.json"), JSON.stringify(record));
        expect(() => compareRuns(loadRunData(copy), loadRunData(runB.dir), BOOTSTRAP)).toThrow(/the runs read different globalopinionqa files \(A: .*sha256 000000000000…; B: .*\), so their items are not the same questions/);
    });

    it("no task in common, and the same directory twice", async () => {
        expect(() => compareRuns(loadRunData(fewerItems.dir), loadRunData(normadOnly.dir), BOOTSTRAP)).toThrow("the runs have no task in common (A: opinion; B: normad): compare two runs of the same task");
        await expect(writeComparison(runA.dir, runA.dir)).rejects.toThrow(/are the same directory/);
    });
});

describe("the report and compare commands", () => {
    const program = () => new Command().exitOverride().addCommand(reportCommand()).addCommand(compareCommand());

    it("report prints the path of the report it wrote", async () => {
        const log = vi.spyOn(console, "log").mockImplementation(() => {});
        try {
            fs.rmSync(path.join(normadOnly.dir, "report.html"), { force: true });
            await program().parseAsync(["report", normadOnly.dir], { from: "user" });
            expect(log.mock.calls).toEqual([[path.join(normadOnly.dir, "report.html")]]);
            expect(fs.existsSync(path.join(normadOnly.dir, "report.html"))).toBe(true);
        } finally {
            log.mockRestore();
        }
    });

    it("report on a directory that is not a run says how to make one", async () => {
        await expect(program().parseAsync(["report", root], { from: "user" })).rejects.toThrow(`${root} has no run.json: it is not a culturescope run directory`);
    });

    it("compare --out writes both files there and prints their paths", async () => {
        const out = path.join(root, "cmp");
        const log = vi.spyOn(console, "log").mockImplementation(() => {});
        try {
            await program().parseAsync(["compare", runA.dir, runB.dir, "--out", out, "--resamples", "50"], { from: "user" });
            expect(log.mock.calls).toEqual([[path.join(out, "compare.html")], [path.join(out, "compare.json")]]);
        } finally {
            log.mockRestore();
        }
        expect(fs.readdirSync(out).sort()).toEqual(["compare.html", "compare.json"]);
    });
});
