// A model's answers to the ten map questions, coded exactly as a respondent's: the same answer codes, the same Y002
// and Y003 derivations from the raw choices. A model that does not answer an item cannot be placed (the official
// syntax gives no score to a respondent with a missing item either).
import fs from "node:fs";
import {
    autonomyMentionsFromQualities,
    CHILD_QUALITIES,
    codeItemValue,
    codeRange,
    deriveY002,
    deriveY003,
    ITEM_CODES,
    type AutonomyMentions,
    type ChildQuality,
    type ItemCode,
} from "./items.ts";

/** The raw answers, as `answers.json` holds them. */
export interface ModelAnswers {
    /** Optional label for reports. */
    model?: string;
    A008: number;
    A165: number;
    E018: number;
    E025: number;
    F063: number;
    F118: number;
    F120: number;
    G006: number;
    /** First and second choice among the four national goals, codes 1…4 (WVS-7 Q154, Q155). */
    Y002: { first: number; second: number };
    /** The child qualities named (up to five of the eleven, WVS-7 Q7–Q17), or the four flags the index uses. */
    Y003: { mentioned: string[] } | AutonomyMentions;
}

export const ANSWERS_EXAMPLE: ModelAnswers = {
    model: "example",
    A008: 2,
    A165: 2,
    E018: 1,
    E025: 2,
    F063: 8,
    F118: 3,
    F120: 2,
    G006: 1,
    Y002: { first: 1, second: 2 },
    Y003: { mentioned: ["good manners", "independence", "hard work", "religious faith", "obedience"] },
};

const SCALAR_ITEMS = ITEM_CODES.filter((c) => c !== "Y002" && c !== "Y003");
const MAX_CHILD_QUALITIES = 5;

/** Codes answers into the ten item values in ITEM_CODES order; throws one error listing every problem and the fix. */
export function codeModelAnswers(answers: unknown, source = "answers"): number[] {
    const problems: string[] = [];
    if (typeof answers !== "object" || answers === null || Array.isArray(answers)) {
        throw new Error(`${source}: expected a JSON object with the keys ${ITEM_CODES.join(", ")}; for example ${JSON.stringify(ANSWERS_EXAMPLE)}`);
    }
    const a = answers as Record<string, unknown>;
    for (const key of Object.keys(a)) {
        if (key !== "model" && !(ITEM_CODES as readonly string[]).includes(key)) problems.push(`unknown key '${key}'`);
    }
    const coded = new Map<ItemCode, number>();
    for (const code of SCALAR_ITEMS) {
        const raw = a[code];
        if (raw === undefined || raw === null) {
            problems.push(`${code} is missing (no answer)`);
            continue;
        }
        const value = codeItemValue(code, typeof raw === "number" ? raw : NaN);
        if (typeof raw !== "number" || value.kind !== "valid") {
            const { min, max } = codeRange(code);
            problems.push(`${code} is ${JSON.stringify(raw)}: a model's answer must be an answer code ${min}…${max}`);
            continue;
        }
        coded.set(code, value.value);
    }

    const y002 = a.Y002 as { first?: unknown; second?: unknown } | undefined;
    if (!y002 || typeof y002 !== "object") problems.push(`Y002 is missing: give {"first": 1…4, "second": 1…4}, the two national goals chosen`);
    else {
        const first = typeof y002.first === "number" ? y002.first : NaN;
        const second = typeof y002.second === "number" ? y002.second : NaN;
        const value = deriveY002(first, second);
        if (value === null) problems.push(`Y002 is ${JSON.stringify(y002)}: "first" and "second" must both be national-goal codes 1…4`);
        else coded.set("Y002", value);
    }

    const y003 = a.Y003 as Record<string, unknown> | undefined;
    if (!y003 || typeof y003 !== "object") {
        problems.push(`Y003 is missing: give {"mentioned": [...]} with up to five of: ${CHILD_QUALITIES.join("; ")}`);
    } else if ("mentioned" in y003) {
        const mentioned = y003.mentioned;
        if (!Array.isArray(mentioned) || mentioned.some((q) => typeof q !== "string")) problems.push(`Y003.mentioned must be a list of child-quality names`);
        else {
            const names = mentioned.map((q: string) => q.trim().toLowerCase());
            const unknown = names.filter((q) => !(CHILD_QUALITIES as readonly string[]).includes(q));
            if (unknown.length) problems.push(`Y003.mentioned has unknown qualities ${JSON.stringify(unknown)}; the eleven are: ${CHILD_QUALITIES.join("; ")}`);
            else if (new Set(names).size > MAX_CHILD_QUALITIES) problems.push(`Y003.mentioned names ${new Set(names).size} qualities; the question allows up to ${MAX_CHILD_QUALITIES}`);
            else coded.set("Y003", deriveY003(autonomyMentionsFromQualities(names as ChildQuality[])));
        }
    } else {
        const flags = ["independence", "determination", "religiousFaith", "obedience"] as const;
        const bad = flags.filter((f) => typeof y003[f] !== "boolean");
        if (bad.length) problems.push(`Y003 needs "mentioned": [...] or the four booleans ${flags.join(", ")} (not boolean: ${bad.join(", ")})`);
        else coded.set("Y003", deriveY003(y003 as unknown as AutonomyMentions));
    }

    if (problems.length) throw new Error(`${source}: ${problems.join("; ")}. The map needs all ten answers coded as in the IVS (see docs/METRICS.md, "Cultural map")`);
    return ITEM_CODES.map((code) => coded.get(code)!);
}

export function readModelAnswers(file: string): { label?: string; coded: number[] } {
    if (!fs.existsSync(file)) throw new Error(`answers file not found: ${file}; write the model's ten answers as JSON, e.g. ${JSON.stringify(ANSWERS_EXAMPLE)}`);
    let data: unknown;
    try {
        data = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    const label = (data as { model?: unknown })?.model;
    return { label: typeof label === "string" ? label : undefined, coded: codeModelAnswers(data, file) };
}
