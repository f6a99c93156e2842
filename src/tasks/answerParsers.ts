// Answers parsed from generated text (sampling mode). A parser returns the answer only when the text states one
// plainly; anything else is reported as unparseable with the text, never guessed, so the unparseable rate is real.

export type ParsedAnswer<T> = { ok: true; value: T } | { ok: false; text: string; reason: string };

const unparseable = <T>(text: string, reason: string): ParsedAnswer<T> => ({ ok: false, text, reason });

// Leading "Answer:" / "उत्तर:" and markdown emphasis a model may repeat before its answer.
function strip(text: string): string {
    return text.trim().replace(/^(?:answer\s*:|उत्तर\s*:)\s*/i, "").replace(/^[*_"'`]+/, "").trim();
}

/**
 * A letter answer among `letters`: the text starts with the letter (optionally in parentheses) followed by the end,
 * punctuation or a line break, as in "B", "B.", "(B)", "B) Yes". "A good question" is not an answer.
 */
export function parseLetterAnswer(text: string, letters: readonly string[]): ParsedAnswer<string> {
    const s = strip(text);
    const m = /^\(?([A-Z])(?:\)|(?=[.:,*\n]|$))/.exec(s);
    if (!m) return unparseable(text, "does not start with an option letter");
    if (!letters.includes(m[1])) return unparseable(text, `letter ${m[1]} is not one of ${letters.join(", ")}`);
    // "B, C" names two options: a single-choice answer that does is not an answer ("B, because…" still is)
    if (/^[\s,;]+(?:and\s+|or\s+)?\(?[A-Z]\)?(?=[\s,.;)]|$)/.test(s.slice(m[0].length))) return unparseable(text, "names more than one option");
    return { ok: true, value: m[1] };
}

/**
 * Several letters among `letters` for a multiple-mention item (e.g. "A, C, F", "A C and F", "(A), (C)"): every
 * part must be a letter, each at most once, between 1 and `max` of them. Anything else is unparseable.
 */
export function parseLetterListAnswer(text: string, letters: readonly string[], max: number): ParsedAnswer<string[]> {
    const s = strip(text).split("\n")[0].replace(/[.]+$/, "").trim();
    const parts = s.split(/\s*(?:,|;|\band\b|और|\s)\s*/i).filter((p) => p !== "");
    if (parts.length === 0) return unparseable(text, "names no option letter");
    const chosen: string[] = [];
    for (const part of parts) {
        const m = /^\(?([A-Z])\)?$/.exec(part);
        if (!m) return unparseable(text, `'${part}' is not an option letter`);
        if (!letters.includes(m[1])) return unparseable(text, `letter ${m[1]} is not one of ${letters.join(", ")}`);
        if (chosen.includes(m[1])) return unparseable(text, `letter ${m[1]} is named twice`);
        chosen.push(m[1]);
    }
    if (chosen.length > max) return unparseable(text, `names ${chosen.length} options; at most ${max} may be chosen`);
    return { ok: true, value: chosen };
}

function firstWord<T extends string>(text: string, words: readonly { value: T; forms: readonly string[] }[], what: string): ParsedAnswer<T> {
    const s = strip(text).toLowerCase();
    for (const { value, forms } of words) {
        for (const form of forms) {
            if (!s.startsWith(form)) continue;
            const next = s.charAt(form.length);
            // the word must end there: "no" is not "not", "सही" is not "सहीं" (the danda । ends a Hindi sentence)
            if (/[a-z]/.test(form) && /[a-z]/.test(next)) continue;
            if (/[\u0900-\u0963\u0966-\u097F]/.test(next)) continue;
            return { ok: true, value };
        }
    }
    return unparseable(text, `does not start with ${what}`);
}

export const TRUE_FALSE_FORMS = [
    { value: "true", forms: ["true", "सही"] },
    { value: "false", forms: ["false", "गलत", "ग़लत"] },
] as const;

/** TRUE / FALSE, in English or Hindi (सही / गलत). */
export function parseTrueFalseAnswer(text: string): ParsedAnswer<"true" | "false"> {
    return firstWord(text, TRUE_FALSE_FORMS, "true/false (सही/गलत)");
}

// "neither" is tried first: its Hindi form "न तो … नहीं" and "दोनों में से कोई नहीं" end in नहीं, which is "no".
export const YES_NO_NEITHER_FORMS = [
    { value: "neither", forms: ["neither", "neutral", "न तो", "दोनों में से कोई नहीं", "इनमें से कोई नहीं"] },
    { value: "yes", forms: ["yes", "हाँ", "हां", "जी हाँ"] },
    { value: "no", forms: ["no", "नहीं", "जी नहीं"] },
] as const;

/** yes / no / neither, in English or Hindi. */
export function parseYesNoNeitherAnswer(text: string): ParsedAnswer<"yes" | "no" | "neither"> {
    return firstWord(text, YES_NO_NEITHER_FORMS, "yes/no/neither (हाँ/नहीं/न तो)");
}

/**
 * An answer to a lettered prompt: the letter, or (for a fixed label set) the label word itself. Returns the
 * canonical answer value of the chosen option.
 */
export function parseRenderedAnswer(text: string, letters: readonly string[], answerValues: readonly string[], order: readonly number[]): ParsedAnswer<string> {
    const letter = parseLetterAnswer(text, letters);
    if (letter.ok) return { ok: true, value: answerValues[order[letters.indexOf(letter.value)]] };
    const words = answerValues.every((v) => v === "true" || v === "false") ? parseTrueFalseAnswer(text) : answerValues.includes("neither") ? parseYesNoNeitherAnswer(text) : undefined;
    if (words?.ok && answerValues.includes(words.value)) return words;
    return letter;
}
