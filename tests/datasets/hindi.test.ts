import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ITEM_CODES, ITEMS } from "../../src/culturalmap/items.ts";
import {
    HINDI_DIR,
    HINDI_FILES,
    HINDI_NOTE,
    INSTRUCTION_KEYS,
    devanagariRatio,
    hindiCulturalBench,
    hindiCulturalBenchQuestions,
    hindiGlobalOpinion,
    hindiGlobalOpinions,
    hindiInstruction,
    hindiInstructions,
    hindiMapItem,
    isIndiaUsRow,
    readEnglishCulturalBench,
    readEnglishGlobalOpinions,
    validateCulturalBenchFile,
    validateGlobalOpinionFile,
    validateMapItemsFile,
    validateInstructionsFile,
} from "../../src/datasets/hindi.ts";

const raw = (name: string): { items: Array<Record<string, unknown>> } & Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(HINDI_DIR, name), "utf8"));
const clone = <T>(x: T): T => structuredClone(x);

const englishRows = readEnglishGlobalOpinions();
const indiaUs = englishRows.filter(isIndiaUsRow);
const indiaBench = readEnglishCulturalBench("India");

/** A translated string is "mostly Devanagari": ≥ 70% of its letters, unless it is a bare number kept as in the English. */
function expectHindi(text: string, english: string, where: string): void {
    if (/^[-+]?\d+(\.\d*)?$/.test(english.trim()) && text === english) return;
    expect(devanagariRatio(text), `${where}: ${text}`).toBeGreaterThanOrEqual(0.7);
}

describe("English sources", () => {
    it("hold 244 GlobalOpinionQA rows with India (Current national sample) and United States, and 46 India CulturalBench-Hard questions of 4 options", () => {
        expect(indiaUs).toHaveLength(244);
        expect(indiaBench).toHaveLength(46);
        for (const q of indiaBench) expect(q.options, `question_idx ${q.questionIdx}`).toHaveLength(4);
    });
});

describe("headers", () => {
    it("every file carries the machine-assisted note, its source and a sha256", () => {
        for (const name of Object.values(HINDI_FILES)) {
            const f = raw(name);
            expect(f.note, name).toBe(HINDI_NOTE);
            expect(typeof f.source, name).toBe("string");
            expect(f.sourceSha256, name).toMatch(/^[0-9a-f]{64}$/);
        }
    });
});

describe("GlobalOpinionQA", () => {
    it("translates every India/US row, with as many options as the English, all mostly Devanagari", () => {
        const all = hindiGlobalOpinions();
        expect(all.size).toBe(244);
        for (const en of indiaUs) {
            const hi = hindiGlobalOpinion(en.rowIndex);
            expect(hi, `row ${en.rowIndex}`).toBeDefined();
            expect(hi!.options).toHaveLength(en.options.length);
            expectHindi(hi!.question, en.question, `row ${en.rowIndex} question`);
            hi!.options.forEach((o, k) => expectHindi(o, en.options[k], `row ${en.rowIndex} option ${k}`));
        }
    });

    it("returns undefined for a row without Hindi (not an India/US row)", () => {
        const other = englishRows.find((r) => !isIndiaUsRow(r))!;
        expect(hindiGlobalOpinion(other.rowIndex)).toBeUndefined();
        expect(hindiGlobalOpinion(99_999)).toBeUndefined();
    });

    it("keeps survey placeholders and DK/Refused consistent", () => {
        for (const en of indiaUs) {
            const hi = hindiGlobalOpinion(en.rowIndex)!;
            en.options.forEach((o, k) => {
                if (o === "DK/Refused") expect(hi.options[k]).toBe("पता नहीं/इनकार");
                if (/\(survey country\)/i.test(o)) expect(hi.options[k]).toMatch(/\(सर्वेक्षण वाल[ाे] देश\)/);
            });
        }
    });

    it("detects a changed English row by its hash, naming the row", () => {
        const file = raw(HINDI_FILES.globalOpinion);
        const changed = englishRows.map((r) => (r.rowIndex === indiaUs[3].rowIndex ? { ...r, options: [...r.options.slice(0, -1), "Changed"] } : r));
        expect(() => validateGlobalOpinionFile(file, changed)).toThrow(new RegExp(`GlobalOpinionQA row ${indiaUs[3].rowIndex}: the English text changed`));
        const reworded = englishRows.map((r) => (r.rowIndex === indiaUs[0].rowIndex ? { ...r, question: r.question + " " } : r));
        expect(() => validateGlobalOpinionFile(file, reworded)).toThrow(new RegExp(`row ${indiaUs[0].rowIndex}: the English text changed`));
        expect(validateGlobalOpinionFile(file, englishRows).size).toBe(244);
    });

    it("names the item for a wrong option count, missing Devanagari, a duplicate or an unknown row", () => {
        const file = raw(HINDI_FILES.globalOpinion);
        const row = file.items[5].rowIndex as number;
        const fewer = clone(file);
        (fewer.items[5].options as string[]).pop();
        expect(() => validateGlobalOpinionFile(fewer, englishRows)).toThrow(new RegExp(`row ${row}: \\d+ Hindi options for \\d+ English options`));
        const latin = clone(file);
        latin.items[5].question = "Untranslated English text";
        expect(() => validateGlobalOpinionFile(latin, englishRows)).toThrow(new RegExp(`row ${row} question: no Devanagari`));
        const twice = clone(file);
        twice.items.push(clone(file.items[5]));
        expect(() => validateGlobalOpinionFile(twice, englishRows)).toThrow(new RegExp(`row ${row}: translated twice`));
        const notUs = clone(file);
        notUs.items[5].rowIndex = englishRows.find((r) => !isIndiaUsRow(r))!.rowIndex;
        expect(() => validateGlobalOpinionFile(notUs, englishRows)).toThrow(/lacks India \(Current national sample\) or United States/);
        const noNote = clone(file);
        noNote.note = "x";
        expect(() => validateGlobalOpinionFile(noNote, englishRows)).toThrow(/"note"/);
    });
});

describe("CulturalBench-Hard India", () => {
    it("translates all 46 India questions with their four option statements in data_idx order", () => {
        expect(hindiCulturalBenchQuestions().size).toBe(46);
        for (const en of indiaBench) {
            const hi = hindiCulturalBench(en.questionIdx);
            expect(hi, `question_idx ${en.questionIdx}`).toBeDefined();
            expect(hi!.options.map((o) => o.dataIdx)).toEqual(en.options.map((o) => o.dataIdx));
            expectHindi(hi!.question, en.question, `question_idx ${en.questionIdx}`);
            hi!.options.forEach((o, k) => expectHindi(o.text, en.options[k].text, `data_idx ${o.dataIdx}`));
        }
        expect(hindiCulturalBench(0)).toBeUndefined(); // a Netherlands question
    });

    it("detects a changed English option statement, naming the question", () => {
        const file = raw(HINDI_FILES.culturalBench);
        const q = indiaBench[2];
        const changed = indiaBench.map((x) => (x === q ? { ...x, options: x.options.map((o, k) => (k === 1 ? { ...o, text: o.text + "!" } : o)) } : x));
        expect(() => validateCulturalBenchFile(file, changed)).toThrow(new RegExp(`question_idx ${q.questionIdx}: the English text changed`));
        const bad = clone(file);
        (bad.items[2].options as Array<{ dataIdx: number }>)[0].dataIdx = -1;
        expect(() => validateCulturalBenchFile(bad, indiaBench)).toThrow(new RegExp(`question_idx ${q.questionIdx} option 0 \\(data_idx \\d+\\): dataIdx must be`));
    });
});

describe("cultural-map items", () => {
    it("cover all 10 codes and every scale point of items.ts, with the Y002 goals and Y003 qualities", () => {
        for (const code of ITEM_CODES) {
            const hi = hindiMapItem(code);
            expect(hi, code).toBeDefined();
            expect(hi!.scale.map((p) => p.code)).toEqual(ITEMS[code].answers.map((a) => a.code));
            expect(hi!.scale.map((p) => p.en)).toEqual(ITEMS[code].answers.map((a) => a.label));
            for (const p of hi!.scale) expectHindi(p.hi, p.en, `${code} scale ${p.code}`);
            // every labelled (non-numeric) English scale point has a Hindi label
            for (const p of hi!.scale) if (!/^-?\d+$/.test(p.en)) expect(devanagariRatio(p.hi), `${code} ${p.code}`).toBeGreaterThan(0.9);
            expectHindi(hi!.question.hi, hi!.question.en, `${code} question`);
            expectHindi(hi!.label.hi, hi!.label.en, `${code} label`);
        }
        expect(hindiMapItem("Y002")!.choices).toHaveLength(4);
        expect(hindiMapItem("Y002")!.secondQuestion).toBeDefined();
        expect(hindiMapItem("Y003")!.choices).toHaveLength(11);
    });

    it("names the item when its English no longer matches items.ts or a scale point is missing", () => {
        const file = raw(HINDI_FILES.mapItems);
        const hashChanged = clone(file);
        hashChanged.items[3].englishSha256 = "0".repeat(64);
        expect(() => validateMapItemsFile(hashChanged)).toThrow(/map item E025: the English text changed/);
        const shortScale = clone(file);
        (shortScale.items[4].scale as unknown[]).pop();
        expect(() => validateMapItemsFile(shortScale)).toThrow(/map item F063 scale: 9 entries for 10/);
    });
});

describe("instructions", () => {
    it("give Hindi for every key and keep option letters out of the translation", () => {
        expect(hindiInstructions().size).toBe(INSTRUCTION_KEYS.length);
        for (const key of INSTRUCTION_KEYS) expect(devanagariRatio(hindiInstruction(key)), key).toBeGreaterThan(0.9);
    });

    it("reject an unknown key or a non-Hindi value, naming it", () => {
        const file = raw(HINDI_FILES.instructions);
        const unknown = clone(file);
        unknown.items[0].key = "Say hello.";
        expect(() => validateInstructionsFile(unknown)).toThrow(/unknown instruction key "Say hello."/);
        const english = clone(file);
        english.items[3].hi = "Answer:";
        expect(() => validateInstructionsFile(english)).toThrow(/instruction "Answer:": no Devanagari/);
    });
});
