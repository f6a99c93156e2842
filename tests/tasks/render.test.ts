// Every template renders for every item of the shipped data under every strategy; Hindi strategies render exactly
// the items with Hindi text and skip the rest with a reason; the options block shows each canonical option at the
// letter its answer order says.
import { describe, expect, it } from "vitest";
import { hindiCulturalBenchQuestions, hindiGlobalOpinions } from "../../src/datasets/hindi.ts";
import { answerOrders } from "../../src/permutations/answerOrders.ts";
import { culturalBenchEasyItems } from "../../src/tasks/items.ts";
import { STRATEGIES } from "../../src/tasks/definitions.ts";
import { renderItem, renderTask, type RenderedItem } from "../../src/tasks/render.ts";
import { definitions, goqaRows, hardRows, items } from "./support.ts";

const DEVANAGARI = /[\u0900-\u097F]/;

/** Reads "A. text" lines back from an options block. */
function shownOptions(block: string): { letter: string; text: string }[] {
    return block.split("\n").map((line) => {
        const m = /^([A-Z])\. ([\s\S]*)$/.exec(line);
        if (!m) throw new Error(`not an option line: ${JSON.stringify(line)}`);
        return { letter: m[1], text: m[2] };
    });
}

function checkRendered(r: RenderedItem): void {
    expect(r.question.endsWith("\n")).toBe(true);
    expect(r.question).not.toMatch(/\{\{|\{%/);
    for (const p of r.permutations) {
        const shown = shownOptions(p.options);
        expect(shown.map((s) => s.letter)).toEqual(r.letters);
        // the letter at position j shows canonical option order[j]
        shown.forEach((s, j) => expect(s.text).toBe(r.optionTexts[p.order[j]]));
    }
}

describe("rendering every shipped item", () => {
    const hindiRows = new Set(hindiGlobalOpinions().keys());
    const hindiQuestions = new Set(hindiCulturalBenchQuestions().keys());
    const cases = [
        ["opinion", items.opinion, (id: string) => hindiRows.has(Number(id.slice("goqa-".length)))],
        ["culturalbench-hard", items["culturalbench-hard"], (id: string) => hindiQuestions.has(hardRows.find((r) => `cbh-${r.dataIdx}` === id)!.questionIdx)],
        ["normad", items.normad, () => false],
        ["culturalmap", items.culturalmap, () => true],
    ] as const;

    it("has the shipped data's counts", () => {
        expect(goqaRows).toHaveLength(766);
        expect(hardRows).toHaveLength(4908);
        expect(items.normad).toHaveLength(9);
        expect(items.culturalmap.map((i) => i.id)).toEqual(["map-A008", "map-A165", "map-E018", "map-E025", "map-F063", "map-F118", "map-F120", "map-G006", "map-Y002-first", "map-Y002-second", "map-Y003"]);
    });

    for (const [task, taskItems, hasHindi] of cases) {
        for (const strategy of STRATEGIES) {
            it(`${task} / ${strategy}`, () => {
                const { rendered, skipped } = renderTask(definitions.get(task)!, strategy, taskItems, { maxPermutations: 6 });
                const hindi = strategy === "crosslingual" || strategy === "hindi";
                const expected = hindi ? taskItems.filter((i) => hasHindi(i.id)).map((i) => i.id) : taskItems.map((i) => i.id);
                expect(rendered.map((r) => r.itemId)).toEqual(expected);
                expect(skipped.length).toBe(taskItems.length - expected.length);
                for (const s of skipped) expect(s.reason).toMatch(/^no Hindi translation/);
                for (const r of rendered) {
                    checkRendered(r);
                    if (hindi) expect(r.optionTexts.every((t) => DEVANAGARI.test(t) || /^\d+(\.\d+)?$/.test(t))).toBe(true);
                    // Hindi strategy: instructions and cue in Hindi too; crosslingual keeps English instructions
                    if (strategy === "hindi" && task !== "normad") expect(r.cue).toBe("उत्तर:");
                    if (strategy !== "hindi") expect(r.cue).toBe("Answer:");
                    if (strategy === "crosslingual") expect(r.question).toMatch(/^(Answer the following question|Is the following statement)/);
                }
            });
        }
    }

    it("counts the Hindi coverage the data has: 244 GlobalOpinionQA rows, the India Hard questions' options", () => {
        const goqa = renderTask(definitions.get("opinion")!, "hindi", items.opinion);
        expect([goqa.rendered.length, goqa.skipped.length]).toEqual([244, 522]);
        const hard = renderTask(definitions.get("culturalbench-hard")!, "crosslingual", items["culturalbench-hard"]);
        expect(hard.rendered.length).toBe(hardRows.filter((r) => r.country === "India").length);
    });
});

describe("strategy wording", () => {
    const item = items.opinion[0];
    it("puts the target country, or the comparison country, in the demographic persona", () => {
        const def = definitions.get("opinion")!;
        expect((renderItem(def, "demographic", item) as RenderedItem).system).toBe("Imagine you are a person living in India.");
        expect((renderItem(def, "demographic", item, { country: "United States" }) as RenderedItem).system).toBe("Imagine you are a person living in the United States.");
        expect((renderItem(def, "default", item) as RenderedItem).system).toBe("");
    });

    it("renders the documented default opinion prompt", () => {
        const r = renderItem(definitions.get("opinion")!, "default", { id: "x", unitId: "x", vars: { question: "Is tea good?" }, options: ["Yes", "No"] }) as RenderedItem;
        expect(r.question + r.permutations[1].options + "\n" + r.cue).toBe("Answer the following question. Answer with the letter of your choice.\nQuestion: Is tea good?\nA. No\nB. Yes\nAnswer:");
    });

    it("shows TRUE/FALSE and yes/no/neither as lettered options, in Hindi for Hindi strategies", () => {
        const hard = renderItem(definitions.get("culturalbench-hard")!, "hindi", items["culturalbench-hard"].find((i) => i.hindi)!) as RenderedItem;
        expect(hard.optionTexts).toEqual(["सही", "गलत"]);
        expect(hard.answerValues).toEqual(["true", "false"]);
        const normad = items.normad.map((i) => renderItem(definitions.get("normad")!, "default", i) as RenderedItem);
        expect(normad[0].optionTexts).toEqual(["Yes", "No", "Neither"]);
        expect(normad.slice(0, 3).map((r) => r.question.split("\n")[0])).toEqual([
            "Context: This story takes place in India.",
            "Context: This story takes place in India, where people value the following: SYNTHETIC value: respect for shared meals.",
            "Rule of thumb: SYNTHETIC rule: it is expected to eat with the right hand.",
        ]);
        expect(normad[3].question).toMatch(/^Context: This story takes place in United States\./);
    });

    it("keeps the map scales in survey order and uses every permutation elsewhere", () => {
        const f063 = renderItem(definitions.get("culturalmap")!, "default", items.culturalmap.find((i) => i.id === "map-F063")!) as RenderedItem;
        expect(f063.permutations.map((p) => p.order)).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
        expect(f063.letters.join("")).toBe("ABCDEFGHIJ");
        const easy = culturalBenchEasyItems([{ index: 0, line: 2, dataIdx: 0, questionIdx: 7, question: "Q?", options: ["a", "b", "c", "d"], answer: "B", country: "India" }]);
        const r = renderItem(definitions.get("culturalbench-easy")!, "default", easy[0]) as RenderedItem;
        expect(r.permutations.map((p) => p.order)).toEqual(answerOrders(4));
        expect(renderItem(definitions.get("culturalbench-easy")!, "hindi", easy[0])).toEqual({ itemId: "cbe-7", reason: "no Hindi translation of CulturalBench-Easy ships" });
    });

    it("fails on a malformed item, naming it", () => {
        expect(() => renderItem(definitions.get("opinion")!, "default", { id: "goqa-99", unitId: "goqa-99", vars: { question: "Q" }, options: [] })).toThrow(/item goqa-99 has no options/);
    });
});
