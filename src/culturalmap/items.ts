// The ten IVS items of the Inglehart–Welzel cultural map, their answer codes, and the two derived indices.
// Codes are the IVS/WVS trend-file codes (the ones a user's microdata carries), so that a model's answers and a
// respondent's answers go through one coding. Sources and the second-source checks are in docs/METRICS.md.

export const ITEM_CODES = ["A008", "A165", "E018", "E025", "F063", "F118", "F120", "G006", "Y002", "Y003"] as const;
export type ItemCode = (typeof ITEM_CODES)[number];

export type Axis = "traditionalSecular" | "survivalSelfExpression";

export interface Item {
    code: ItemCode;
    /** Question number in the WVS wave-7 master questionnaire. */
    wvs7: string;
    label: string;
    /** Valid answer codes, lowest to highest, with their labels. Anything else is missing or an error. */
    answers: readonly { code: number; label: string }[];
    /** The map dimension the item belongs to (Inglehart & Welzel 2005, p. 49). */
    axis: Axis;
    /**
     * +1 when a higher code points to the secular-rational / self-expression pole of `axis`, −1 when it points to the
     * traditional / survival pole. Used to orient the fitted factors and to check a fit against the theory.
     */
    direction: 1 | -1;
}

function scale(from: number, to: number, first: string, last: string): { code: number; label: string }[] {
    const out = [];
    for (let code = from; code <= to; code++) out.push({ code, label: code === from ? first : code === to ? last : String(code) });
    return out;
}

export const ITEMS: Readonly<Record<ItemCode, Item>> = {
    A008: {
        code: "A008",
        wvs7: "Q46",
        label: "Feeling of happiness",
        answers: [
            { code: 1, label: "Very happy" },
            { code: 2, label: "Rather happy" },
            { code: 3, label: "Not very happy" },
            { code: 4, label: "Not at all happy" },
        ],
        axis: "survivalSelfExpression",
        direction: -1,
    },
    A165: {
        code: "A165",
        wvs7: "Q57",
        label: "Most people can be trusted",
        answers: [
            { code: 1, label: "Most people can be trusted" },
            { code: 2, label: "Need to be very careful" },
        ],
        axis: "survivalSelfExpression",
        direction: -1,
    },
    E018: {
        code: "E018",
        wvs7: "Q45",
        label: "Future change: greater respect for authority",
        answers: [
            { code: 1, label: "Good thing" },
            { code: 2, label: "Don't mind" },
            { code: 3, label: "Bad thing" },
        ],
        axis: "traditionalSecular",
        direction: 1,
    },
    E025: {
        code: "E025",
        wvs7: "Q209",
        label: "Political action: signing a petition",
        answers: [
            { code: 1, label: "Have done" },
            { code: 2, label: "Might do" },
            { code: 3, label: "Would never do" },
        ],
        axis: "survivalSelfExpression",
        direction: -1,
    },
    F063: {
        code: "F063",
        wvs7: "Q164",
        label: "How important is God in your life",
        answers: scale(1, 10, "Not at all important", "Very important"),
        axis: "traditionalSecular",
        direction: -1,
    },
    F118: {
        code: "F118",
        wvs7: "Q182",
        label: "Justifiable: homosexuality",
        answers: scale(1, 10, "Never justifiable", "Always justifiable"),
        axis: "survivalSelfExpression",
        direction: 1,
    },
    F120: {
        code: "F120",
        wvs7: "Q184",
        label: "Justifiable: abortion",
        answers: scale(1, 10, "Never justifiable", "Always justifiable"),
        axis: "traditionalSecular",
        direction: 1,
    },
    G006: {
        code: "G006",
        wvs7: "Q254",
        label: "How proud of nationality",
        answers: [
            { code: 1, label: "Very proud" },
            { code: 2, label: "Quite proud" },
            { code: 3, label: "Not very proud" },
            { code: 4, label: "Not at all proud" },
        ],
        axis: "traditionalSecular",
        direction: 1,
    },
    Y002: {
        code: "Y002",
        wvs7: "Q154+Q155",
        label: "Post-materialist index (4-item)",
        answers: [
            { code: 1, label: "Materialist" },
            { code: 2, label: "Mixed" },
            { code: 3, label: "Post-materialist" },
        ],
        axis: "survivalSelfExpression",
        direction: 1,
    },
    Y003: {
        code: "Y003",
        wvs7: "Q8+Q14−Q15−Q17",
        label: "Autonomy index",
        answers: scale(-2, 2, "Obedience and religious faith", "Independence and determination"),
        axis: "traditionalSecular",
        direction: 1,
    },
};

/** Lowest and highest valid code of an item. */
export function codeRange(code: ItemCode): { min: number; max: number } {
    const answers = ITEMS[code].answers;
    return { min: answers[0].code, max: answers[answers.length - 1].code };
}

export type ItemValue = { kind: "valid"; value: number } | { kind: "missing" } | { kind: "invalid"; reason: string };

/**
 * Codes one survey cell. WVS/EVS files mark missing answers with negative codes (−1 don't know … −5 not asked /
 * missing) or leave the cell empty; Y003 is the exception because its valid range reaches −2, so only codes below −2
 * (the files use −5) are missing there. A positive code outside the scale is an error, not a silent missing value:
 * it usually means the wrong column or an unrecoded wave-specific code (e.g. wave 6 V211 = 5 "not a national").
 */
export function codeItemValue(code: ItemCode, raw: number): ItemValue {
    if (Number.isNaN(raw)) return { kind: "missing" };
    const { min, max } = codeRange(code);
    if (Number.isInteger(raw) && raw >= min && raw <= max) return { kind: "valid", value: raw };
    if (raw < 0 && raw < min) return { kind: "missing" };
    return { kind: "invalid", reason: `${raw} is not a ${code} code (valid: ${min}…${max}; missing: negative codes${code === "Y003" ? " below −2" : ""} or empty)` };
}

// ---- Y002: materialist / post-materialist index from the first and second national-goal choices ----

/** The four goals of WVS-7 Q154/Q155 (IVS E003/E004), in their answer-code order. */
export const NATIONAL_GOALS = [
    "Maintaining order in the nation",
    "Giving people more say in important government decisions",
    "Fighting rising prices",
    "Protecting freedom of speech",
] as const;

const MATERIALIST_GOALS = new Set([1, 3]);
const POST_MATERIALIST_GOALS = new Set([2, 4]);

/**
 * Y002 = 1 (materialist) when both choices are materialist goals (order, prices), 3 (post-materialist) when both are
 * post-materialist goals (more say, free speech), else 2 (mixed) — including the same goal named twice, which the
 * WVS files code 2. Either choice outside 1…4 makes the index missing (null).
 */
export function deriveY002(firstChoice: number, secondChoice: number): 1 | 2 | 3 | null {
    const valid = (c: number) => Number.isInteger(c) && c >= 1 && c <= 4;
    if (!valid(firstChoice) || !valid(secondChoice)) return null;
    if (firstChoice !== secondChoice && MATERIALIST_GOALS.has(firstChoice) && MATERIALIST_GOALS.has(secondChoice)) return 1;
    if (firstChoice !== secondChoice && POST_MATERIALIST_GOALS.has(firstChoice) && POST_MATERIALIST_GOALS.has(secondChoice)) return 3;
    return 2;
}

// ---- Y003: autonomy index from four of the eleven child qualities ----

/** The eleven child qualities of WVS-7 Q7–Q17 (IVS A027–A042), of which a respondent names up to five. */
export const CHILD_QUALITIES = [
    "good manners",
    "independence",
    "hard work",
    "feeling of responsibility",
    "imagination",
    "tolerance and respect for other people",
    "thrift, saving money and things",
    "determination, perseverance",
    "religious faith",
    "unselfishness",
    "obedience",
] as const;
export type ChildQuality = (typeof CHILD_QUALITIES)[number];

/** The four qualities the autonomy index uses, each 1 when mentioned and 0 when not (IVS A029, A039, A040, A042). */
export interface AutonomyMentions {
    independence: boolean;
    determination: boolean;
    religiousFaith: boolean;
    obedience: boolean;
}

/** Y003 = (independence + determination) − (religious faith + obedience): +2 autonomy-minded … −2 obedience/faith. */
export function deriveY003(m: AutonomyMentions): -2 | -1 | 0 | 1 | 2 {
    return ((+m.independence + +m.determination) - (+m.religiousFaith + +m.obedience)) as -2 | -1 | 0 | 1 | 2;
}

/** The four flags from a list of named qualities (the way a respondent, or a model, answers Q7–Q17). */
export function autonomyMentionsFromQualities(mentioned: readonly ChildQuality[]): AutonomyMentions {
    const has = (q: ChildQuality) => mentioned.includes(q);
    return {
        independence: has("independence"),
        determination: has("determination, perseverance"),
        religiousFaith: has("religious faith"),
        obedience: has("obedience"),
    };
}

/**
 * One 0/1 mention cell as the IVS codes it (A029 …: 1 mentioned, 0 not mentioned; negative = missing). Returns
 * null for missing; throws for anything else, e.g. the WVS-7 wave file's 2 = "not mentioned", which must be recoded.
 */
export function codeMention(raw: number): boolean | null {
    if (Number.isNaN(raw) || raw < 0) return null;
    if (raw === 1) return true;
    if (raw === 0) return false;
    throw new Error(`${raw} is not a child-quality mention code (IVS: 1 mentioned, 0 not mentioned; WVS-7 wave files code "not mentioned" as 2: recode it to 0)`);
}
