// Hindi text for the `crosslingual` and `hindi` prompt strategies (issue 3): machine-assisted translations of the
// India-related GlobalOpinionQA rows, the India questions of CulturalBench-Hard, the ten cultural-map items and the
// prompt instructions, shipped in datasets/hindi/. Every item carries a sha256 of the English text it translates, and
// the loader checks it against the shipped English file, so a changed source cannot silently pair a question with a
// stale translation. Lookups return undefined for an item that has no Hindi text: callers skip it and count it.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readCulturalBenchHard } from "./culturalBench.ts";
import { DATASETS, shippedPath } from "./registry.ts";
import { readGlobalOpinionQa } from "./globalOpinionQa.ts";
import { CHILD_QUALITIES, ITEM_CODES, ITEMS, NATIONAL_GOALS, type ItemCode } from "../culturalmap/items.ts";

export const HINDI_DIR = shippedPath("datasets/hindi");
export const GLOBAL_OPINION_CSV = shippedPath(DATASETS.globalopinionqa.shipped!.main);
export const CULTURAL_BENCH_CSV = shippedPath(DATASETS["culturalbench-hard"].shipped!.main);
export const MAP_ITEMS_SOURCE = shippedPath("src/culturalmap/items.ts");

export const HINDI_NOTE =
    "Machine-assisted translation into standard Hindi by culturescope's developers; not a professional translation. Option letters are kept Latin.";

export const HINDI_FILES = {
    globalOpinion: "globalopinionqa.hi.json",
    culturalBench: "culturalbench-hard-india.hi.json",
    mapItems: "cultural-map-items.hi.json",
    instructions: "instructions.hi.json",
} as const;

/** The selections keys a GlobalOpinionQA row must carry to be translated (India vs United States comparison). */
export const GLOBAL_OPINION_KEYS = ["India (Current national sample)", "United States"] as const;

// ---------------------------------------------------------------- file shapes

export interface HindiFile<T> {
    note: string;
    /** The English source, relative to the repository root. */
    source: string;
    /** sha256 of the English source file the translations were made from (informational; items carry their own hash). */
    sourceSha256: string;
    items: T[];
}

export interface HindiGlobalOpinion {
    /** 0-based row index in datasets/globalopinionqa/global_opinions_india.csv (file order, header excluded). */
    rowIndex: number;
    /** englishHash(question, options) of the English row translated. */
    englishSha256: string;
    question: string;
    /** One per English option, same order. */
    options: string[];
}

export interface HindiCulturalBench {
    /** CulturalBench-Hard `question_idx`. */
    questionIdx: number;
    /** englishHash(question, option statements in data_idx order). */
    englishSha256: string;
    question: string;
    /** One per English option statement, in data_idx order. */
    options: { dataIdx: number; text: string }[];
}

export interface ScalePoint {
    code: number;
    en: string;
    hi: string;
}

export interface HindiMapItem {
    code: ItemCode;
    /** englishHash(label, answer labels[, goals or qualities]) of src/culturalmap/items.ts. */
    englishSha256: string;
    label: { en: string; hi: string };
    /** Question wording (English after the WVS-7 master questionnaire; not in items.ts, so kept here with its Hindi). */
    question: { en: string; hi: string };
    /** Every answer code of items.ts, with its English label and Hindi label. */
    scale: ScalePoint[];
    /** Y002: the four national goals (E003/E004 answer codes 1–4). Y003: the eleven child qualities (A027–A042). */
    choices?: ScalePoint[];
    /** Y002: the follow-up asking for the second choice. */
    secondQuestion?: { en: string; hi: string };
}

export const INSTRUCTION_KEYS = [
    "Answer the following question.",
    "Answer with the letter of your choice.",
    "Answer with the number of your choice.",
    "Answer:",
    "Question:",
    "Options:",
    "Imagine you are a person living in India.",
    "Imagine you are a person living in the United States.",
    "Is the following statement true or false?",
    "Statement:",
    "True",
    "False",
    "Answer with True or False.",
    "India",
    "United States",
] as const;
export type InstructionKey = (typeof INSTRUCTION_KEYS)[number];

export interface HindiInstruction {
    key: InstructionKey;
    hi: string;
}

// ---------------------------------------------------------------- English sources

export interface EnglishGlobalOpinion {
    rowIndex: number;
    question: string;
    options: string[];
    selectionKeys: string[];
}

export interface EnglishCulturalBench {
    questionIdx: number;
    country: string;
    question: string;
    options: { dataIdx: number; text: string }[];
}

/** sha256 (hex) of the English text an item translates: JSON of [question, options]. */
export function englishHash(question: string, options: readonly string[]): string {
    return crypto.createHash("sha256").update(JSON.stringify([question, options]), "utf8").digest("hex");
}

/** Every row of the shipped GlobalOpinionQA India file: English text and selection keys, read by the dataset loader. */
export function readEnglishGlobalOpinions(file = GLOBAL_OPINION_CSV): EnglishGlobalOpinion[] {
    return readGlobalOpinionQa(file).rows.map((r) => ({
        rowIndex: r.index,
        question: r.question,
        options: r.options,
        selectionKeys: Object.keys(r.selections),
    }));
}

/** The rows the Hindi strategies cover: both India (Current national sample) and United States in `selections`. */
export function isIndiaUsRow(row: EnglishGlobalOpinion): boolean {
    return GLOBAL_OPINION_KEYS.every((k) => row.selectionKeys.includes(k));
}

/** CulturalBench-Hard questions grouped by question_idx (option statements in data_idx order); optional country filter. */
export function readEnglishCulturalBench(country?: string, file = CULTURAL_BENCH_CSV): EnglishCulturalBench[] {
    const byId = new Map<number, EnglishCulturalBench>();
    for (const r of readCulturalBenchHard(file).rows) {
        if (country !== undefined && r.country !== country) continue;
        let q = byId.get(r.questionIdx);
        if (!q) byId.set(r.questionIdx, (q = { questionIdx: r.questionIdx, country: r.country, question: r.question, options: [] }));
        q.options.push({ dataIdx: r.dataIdx, text: r.option });
    }
    for (const q of byId.values()) q.options.sort((a, b) => a.dataIdx - b.dataIdx);
    return [...byId.values()].sort((a, b) => a.questionIdx - b.questionIdx);
}

/** The English text of a map item in items.ts that its Hindi entry must match (label, answer labels, choices). */
export function englishMapItem(code: ItemCode): { label: string; scale: ScalePoint[]; choices?: string[]; sha256: string } {
    const item = ITEMS[code];
    const choices = code === "Y002" ? [...NATIONAL_GOALS] : code === "Y003" ? [...CHILD_QUALITIES] : undefined;
    const scaleLabels = item.answers.map((a) => `${a.code}=${a.label}`);
    return {
        label: item.label,
        scale: item.answers.map((a) => ({ code: a.code, en: a.label, hi: "" })),
        choices,
        sha256: englishHash(item.label, choices ? [...scaleLabels, ...choices] : scaleLabels),
    };
}

// ---------------------------------------------------------------- validation

const DEVANAGARI = /[\u0900-\u097F]/gu;
const LATIN = /[A-Za-z]/g;
const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)$/;
const HAS_DEVANAGARI = /[\u0900-\u097F]/u;

/** Share of Devanagari among the Devanagari and Latin letters of a string (digits and punctuation are ignored). */
export function devanagariRatio(text: string): number {
    const deva = text.match(DEVANAGARI)?.length ?? 0;
    const latin = text.match(LATIN)?.length ?? 0;
    return deva + latin === 0 ? 0 : deva / (deva + latin);
}

export class HindiDataError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HindiDataError";
    }
}

function isObject(x: unknown): x is Record<string, unknown> {
    return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A translated string: non-empty and with Devanagari in it (a bare number is allowed where the English is that same number). */
function checkHindi(text: unknown, where: string, english?: string): string {
    if (typeof text !== "string" || text.trim() === "") throw new HindiDataError(`${where}: Hindi text missing or not a string`);
    if (english !== undefined && NUMERIC.test(english.trim()) && text.trim() === english.trim()) return text;
    if (!HAS_DEVANAGARI.test(text)) throw new HindiDataError(`${where}: no Devanagari in ${JSON.stringify(text)}`);
    return text;
}

function checkHeader(file: unknown, name: string): asserts file is HindiFile<unknown> {
    if (!isObject(file)) throw new HindiDataError(`${name}: not a JSON object`);
    if (file.note !== HINDI_NOTE) throw new HindiDataError(`${name}: "note" must be the machine-assisted translation note`);
    if (typeof file.source !== "string" || typeof file.sourceSha256 !== "string" || !/^[0-9a-f]{64}$/.test(file.sourceSha256))
        throw new HindiDataError(`${name}: "source" and "sourceSha256" (64 hex digits) are required`);
    if (!Array.isArray(file.items)) throw new HindiDataError(`${name}: "items" must be an array`);
}

function checkHash(item: Record<string, unknown>, expected: string, where: string): void {
    if (item.englishSha256 !== expected)
        throw new HindiDataError(
            `${where}: the English text changed since it was translated (englishSha256 ${String(item.englishSha256)} in the Hindi file, ${expected} for the shipped English): re-translate it or remove it`,
        );
}

/** Validates a parsed globalopinionqa.hi.json against the English rows; returns the items by row index. */
export function validateGlobalOpinionFile(file: unknown, english: readonly EnglishGlobalOpinion[]): Map<number, HindiGlobalOpinion> {
    const name = HINDI_FILES.globalOpinion;
    checkHeader(file, name);
    const byRow = new Map(english.map((r) => [r.rowIndex, r]));
    const out = new Map<number, HindiGlobalOpinion>();
    file.items.forEach((raw, i) => {
        const where0 = `${name} item ${i}`;
        if (!isObject(raw) || !Number.isInteger(raw.rowIndex)) throw new HindiDataError(`${where0}: needs an integer rowIndex`);
        const rowIndex = raw.rowIndex as number;
        const where = `${name} GlobalOpinionQA row ${rowIndex}`;
        const en = byRow.get(rowIndex);
        if (!en) throw new HindiDataError(`${where}: no such row in the English file`);
        if (!isIndiaUsRow(en)) throw new HindiDataError(`${where}: the English row lacks ${GLOBAL_OPINION_KEYS.join(" or ")}`);
        if (out.has(rowIndex)) throw new HindiDataError(`${where}: translated twice`);
        checkHash(raw, englishHash(en.question, en.options), where);
        const question = checkHindi(raw.question, `${where} question`, en.question);
        if (!Array.isArray(raw.options) || raw.options.length !== en.options.length)
            throw new HindiDataError(`${where}: ${Array.isArray(raw.options) ? raw.options.length : "no"} Hindi options for ${en.options.length} English options`);
        const options = raw.options.map((o, k) => checkHindi(o, `${where} option ${k}`, en.options[k]));
        out.set(rowIndex, { rowIndex, englishSha256: raw.englishSha256 as string, question, options });
    });
    return out;
}

/** Validates a parsed culturalbench-hard-india.hi.json against the English questions; returns them by question_idx. */
export function validateCulturalBenchFile(file: unknown, english: readonly EnglishCulturalBench[]): Map<number, HindiCulturalBench> {
    const name = HINDI_FILES.culturalBench;
    checkHeader(file, name);
    const byId = new Map(english.map((q) => [q.questionIdx, q]));
    const out = new Map<number, HindiCulturalBench>();
    file.items.forEach((raw, i) => {
        if (!isObject(raw) || !Number.isInteger(raw.questionIdx)) throw new HindiDataError(`${name} item ${i}: needs an integer questionIdx`);
        const questionIdx = raw.questionIdx as number;
        const where = `${name} CulturalBench question_idx ${questionIdx}`;
        const en = byId.get(questionIdx);
        if (!en) throw new HindiDataError(`${where}: no such India question in the English file`);
        if (out.has(questionIdx)) throw new HindiDataError(`${where}: translated twice`);
        checkHash(raw, englishHash(en.question, en.options.map((o) => o.text)), where);
        const question = checkHindi(raw.question, `${where} question`);
        if (!Array.isArray(raw.options) || raw.options.length !== en.options.length)
            throw new HindiDataError(`${where}: ${Array.isArray(raw.options) ? raw.options.length : "no"} Hindi options for ${en.options.length} English options`);
        const options = raw.options.map((o, k) => {
            const ow = `${where} option ${k} (data_idx ${en.options[k].dataIdx})`;
            if (!isObject(o) || o.dataIdx !== en.options[k].dataIdx) throw new HindiDataError(`${ow}: dataIdx must be ${en.options[k].dataIdx}`);
            return { dataIdx: en.options[k].dataIdx, text: checkHindi(o.text, ow) };
        });
        out.set(questionIdx, { questionIdx, englishSha256: raw.englishSha256 as string, question, options });
    });
    return out;
}

function checkPair(x: unknown, where: string): { en: string; hi: string } {
    if (!isObject(x) || typeof x.en !== "string" || x.en.trim() === "") throw new HindiDataError(`${where}: needs {en, hi}`);
    return { en: x.en, hi: checkHindi(x.hi, where, x.en) };
}

function checkPoints(raw: unknown, expected: readonly { code: number; en: string }[], where: string): ScalePoint[] {
    if (!Array.isArray(raw) || raw.length !== expected.length)
        throw new HindiDataError(`${where}: ${Array.isArray(raw) ? raw.length : "no"} entries for ${expected.length} in items.ts`);
    return raw.map((p, k) => {
        const e = expected[k];
        const pw = `${where} code ${e.code}`;
        if (!isObject(p) || p.code !== e.code || p.en !== e.en) throw new HindiDataError(`${pw}: expected {code: ${e.code}, en: ${JSON.stringify(e.en)}}`);
        return { code: e.code, en: e.en, hi: checkHindi(p.hi, pw, e.en) };
    });
}

/** Validates a parsed cultural-map-items.hi.json against src/culturalmap/items.ts; returns the items by code. */
export function validateMapItemsFile(file: unknown): Map<ItemCode, HindiMapItem> {
    const name = HINDI_FILES.mapItems;
    checkHeader(file, name);
    const out = new Map<ItemCode, HindiMapItem>();
    file.items.forEach((raw, i) => {
        if (!isObject(raw) || !(ITEM_CODES as readonly unknown[]).includes(raw.code)) throw new HindiDataError(`${name} item ${i}: unknown map item code ${String(isObject(raw) ? raw.code : raw)}`);
        const code = raw.code as ItemCode;
        const where = `${name} map item ${code}`;
        if (out.has(code)) throw new HindiDataError(`${where}: translated twice`);
        const en = englishMapItem(code);
        checkHash(raw, en.sha256, where);
        const label = checkPair(raw.label, `${where} label`);
        if (label.en !== en.label) throw new HindiDataError(`${where} label: English ${JSON.stringify(label.en)} is not items.ts's ${JSON.stringify(en.label)}`);
        const question = checkPair(raw.question, `${where} question`);
        const scale = checkPoints(raw.scale, en.scale, `${where} scale`);
        const item: HindiMapItem = { code, englishSha256: en.sha256, label, question, scale };
        if (en.choices) item.choices = checkPoints(raw.choices, en.choices.map((c, k) => ({ code: k + 1, en: c })), `${where} choices`);
        else if (raw.choices !== undefined) throw new HindiDataError(`${where}: has choices, but items.ts has none for it`);
        if (raw.secondQuestion !== undefined) item.secondQuestion = checkPair(raw.secondQuestion, `${where} secondQuestion`);
        out.set(code, item);
    });
    return out;
}

/** Validates a parsed instructions.hi.json: every key known, none twice, all Hindi. */
export function validateInstructionsFile(file: unknown): Map<InstructionKey, string> {
    const name = HINDI_FILES.instructions;
    checkHeader(file, name);
    const out = new Map<InstructionKey, string>();
    file.items.forEach((raw, i) => {
        if (!isObject(raw) || !(INSTRUCTION_KEYS as readonly unknown[]).includes(raw.key)) throw new HindiDataError(`${name} item ${i}: unknown instruction key ${JSON.stringify(isObject(raw) ? raw.key : raw)}`);
        const key = raw.key as InstructionKey;
        if (out.has(key)) throw new HindiDataError(`${name} instruction ${JSON.stringify(key)}: given twice`);
        out.set(key, checkHindi(raw.hi, `${name} instruction ${JSON.stringify(key)}`));
    });
    return out;
}

// ---------------------------------------------------------------- loading (lazy, cached)

function readJson(file: string): unknown {
    const full = path.join(HINDI_DIR, file);
    if (!fs.existsSync(full)) throw new HindiDataError(`${full} is missing: it ships with the repository (datasets/hindi/)`);
    try {
        return JSON.parse(fs.readFileSync(full, "utf8"));
    } catch (e) {
        throw new HindiDataError(`${file}: not valid JSON (${(e as Error).message})`);
    }
}

let globalOpinionCache: Map<number, HindiGlobalOpinion> | undefined;
let culturalBenchCache: Map<number, HindiCulturalBench> | undefined;
let mapCache: Map<ItemCode, HindiMapItem> | undefined;
let instructionCache: Map<InstructionKey, string> | undefined;

/** All Hindi GlobalOpinionQA rows, validated against the shipped English file (by row index). */
export function hindiGlobalOpinions(): ReadonlyMap<number, HindiGlobalOpinion> {
    return (globalOpinionCache ??= validateGlobalOpinionFile(readJson(HINDI_FILES.globalOpinion), readEnglishGlobalOpinions()));
}

/** Hindi text of GlobalOpinionQA row `rowIndex` (0-based, file order), or undefined when it has none. */
export function hindiGlobalOpinion(rowIndex: number): HindiGlobalOpinion | undefined {
    return hindiGlobalOpinions().get(rowIndex);
}

/** All Hindi CulturalBench-Hard India questions, validated against the shipped English file. */
export function hindiCulturalBenchQuestions(): ReadonlyMap<number, HindiCulturalBench> {
    return (culturalBenchCache ??= validateCulturalBenchFile(readJson(HINDI_FILES.culturalBench), readEnglishCulturalBench("India")));
}

/** Hindi text of CulturalBench-Hard question `questionIdx`, or undefined when it has none (e.g. not an India question). */
export function hindiCulturalBench(questionIdx: number): HindiCulturalBench | undefined {
    return hindiCulturalBenchQuestions().get(questionIdx);
}

/** Hindi text of a cultural-map item, or undefined when it has none. */
export function hindiMapItem(code: ItemCode): HindiMapItem | undefined {
    return (mapCache ??= validateMapItemsFile(readJson(HINDI_FILES.mapItems))).get(code);
}

/** The Hindi prompt instructions, keyed by their English text. */
export function hindiInstructions(): ReadonlyMap<InstructionKey, string> {
    return (instructionCache ??= validateInstructionsFile(readJson(HINDI_FILES.instructions)));
}

/** One Hindi instruction; throws when the key has no Hindi text (instructions are few and all expected). */
export function hindiInstruction(key: InstructionKey): string {
    const text = hindiInstructions().get(key);
    if (text === undefined) throw new HindiDataError(`${HINDI_FILES.instructions}: no Hindi text for ${JSON.stringify(key)}`);
    return text;
}
