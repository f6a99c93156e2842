// Data rows → prompt items: the text variables a task's templates read, the item's own options (when the answer
// space is the item's), and the Hindi counterparts when datasets/hindi/ has them. One builder per task kind; all pure
// apart from the Hindi lookups, which read the shipped, hash-checked translations.
import { hindiCulturalBench, hindiGlobalOpinion, hindiMapItem } from "../datasets/hindi.ts";
import type { CulturalBenchEasyRow, CulturalBenchHardRow } from "../datasets/culturalBench.ts";
import type { GlobalOpinionQuestion } from "../datasets/globalOpinionQa.ts";
import type { NormAdStory } from "../datasets/normad.ts";
import { CHILD_QUALITIES, ITEM_CODES, ITEMS, NATIONAL_GOALS, type ItemCode } from "../culturalmap/items.ts";
import { NORMAD_CONTEXT_LEVELS, type NormAdContextLevel, type NormAdGoldLabel } from "../metrics/accuracy.ts";

export interface ItemText {
    vars: Record<string, string>;
    /** The item's own options in canonical order (empty when the task's answer space is a fixed label set). */
    options: string[];
}

export interface PromptItem extends ItemText {
    /** Unique within the task, e.g. `goqa-12`, `cbh-4592`, `normad-17-value`, `map-Y002-second`. */
    id: string;
    /** The question/story it belongs to (the bootstrap unit; CulturalBench-Hard options of one question share it). */
    unitId: string;
    /** Hindi text for the crosslingual and hindi strategies; absent when none ships (the item is then skipped). */
    hindi?: ItemText;
    /** Why there is no Hindi text, when there is none. */
    noHindiReason?: string;
    /** How many options one answer may name (default 1; Y003: up to five child qualities). */
    maxChoices?: number;
}

export interface OpinionItem extends PromptItem {
    rowIndex: number;
}

export function opinionItems(rows: readonly GlobalOpinionQuestion[]): OpinionItem[] {
    return rows.map((row) => {
        const hi = hindiGlobalOpinion(row.index);
        return {
            id: `goqa-${row.index}`,
            unitId: `goqa-${row.index}`,
            rowIndex: row.index,
            vars: { question: row.question },
            options: [...row.options],
            ...(hi
                ? { hindi: { vars: { question: hi.question }, options: [...hi.options] } }
                : { noHindiReason: "no Hindi translation: only rows with both India (Current national sample) and United States are translated" }),
        };
    });
}

export interface CulturalBenchEasyItem extends PromptItem {
    gold: string;
    country: string;
}

export function culturalBenchEasyItems(rows: readonly CulturalBenchEasyRow[]): CulturalBenchEasyItem[] {
    return rows.map((row) => ({
        id: `cbe-${row.questionIdx}`,
        unitId: `cbe-${row.questionIdx}`,
        vars: { question: row.question },
        options: [...row.options],
        gold: row.answer,
        country: row.country,
        noHindiReason: "no Hindi translation of CulturalBench-Easy ships",
    }));
}

export interface CulturalBenchHardItem extends PromptItem {
    questionIdx: number;
    dataIdx: number;
    gold: boolean;
    country: string;
}

export function culturalBenchHardItems(rows: readonly CulturalBenchHardRow[]): CulturalBenchHardItem[] {
    return rows.map((row) => {
        const hi = hindiCulturalBench(row.questionIdx);
        const hiOption = hi?.options.find((o) => o.dataIdx === row.dataIdx);
        return {
            id: `cbh-${row.dataIdx}`,
            unitId: `cbh-q${row.questionIdx}`,
            questionIdx: row.questionIdx,
            dataIdx: row.dataIdx,
            gold: row.answer,
            country: row.country,
            vars: { question: row.question, statement: row.option },
            options: [],
            ...(hi && hiOption
                ? { hindi: { vars: { question: hi.question, statement: hiOption.text }, options: [] } }
                : { noHindiReason: "no Hindi translation: only the India questions are translated" }),
        };
    });
}

export interface NormAdItem extends PromptItem {
    storyId: string;
    country: string;
    contextLevel: NormAdContextLevel;
    gold: NormAdGoldLabel;
}

/** `south_sudan` → `South Sudan`: NormAd's country keys are snake_case. */
export function normAdCountryName(key: string): string {
    return key.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(" ");
}

/** Each story at each of the three context levels. */
export function normAdItems(stories: readonly NormAdStory[]): NormAdItem[] {
    return stories.flatMap((story) =>
        NORMAD_CONTEXT_LEVELS.map((level) => ({
            id: `normad-${story.id}-${level}`,
            unitId: `normad-${story.id}`,
            storyId: story.id,
            country: story.country,
            contextLevel: level,
            gold: story.goldLabel,
            vars: { story: story.story, story_country: normAdCountryName(story.country), value: story.value, rule_of_thumb: story.ruleOfThumb, context_level: level },
            options: [],
            noHindiReason: "no Hindi translation of NormAd ships",
        })),
    );
}

/** How many child qualities a respondent names at most (WVS-7 Q7–Q17: "up to five"). */
export const Y003_MENTIONS = 5;

export type MapQuestion = ItemCode | "Y002-first" | "Y002-second";

export interface CulturalMapItem extends PromptItem {
    question: MapQuestion;
    /** The answer code of each option, in option order (scale codes, or choice numbers 1… for Y002/Y003). */
    codes: number[];
}

/**
 * The map items as prompts: each scalar item with its scale; Y002 twice (first and second choice among the four
 * national goals); Y003 once, over the eleven child qualities. Wording and Hindi from datasets/hindi/.
 */
export function culturalMapItems(): CulturalMapItem[] {
    const out: CulturalMapItem[] = [];
    for (const code of ITEM_CODES) {
        const hi = hindiMapItem(code);
        if (!hi) throw new Error(`cultural-map-items.hi.json has no entry for ${code}: the map items' English wording is kept there, so it must list all ten`);
        const common = { unitId: `map-${code}` };
        if (code === "Y002" || code === "Y003") {
            const choices = code === "Y002" ? NATIONAL_GOALS : CHILD_QUALITIES;
            const hiChoices = hi.choices ?? [];
            const codes = choices.map((_, i) => i + 1);
            const ask = (question: MapQuestion, en: string, hiText: string): CulturalMapItem => ({
                ...common,
                id: `map-${question}`,
                question,
                codes,
                vars: { question: en },
                options: [...choices],
                hindi: { vars: { question: hiText }, options: hiChoices.map((c) => c.hi) },
            });
            if (code === "Y003") out.push({ ...ask("Y003", hi.question.en, hi.question.hi), maxChoices: Y003_MENTIONS });
            else {
                if (!hi.secondQuestion) throw new Error("cultural-map-items.hi.json: Y002 needs its secondQuestion (the follow-up asking for the second choice)");
                out.push(ask("Y002-first", hi.question.en, hi.question.hi));
                out.push(ask("Y002-second", `${hi.question.en} ${hi.secondQuestion.en}`, `${hi.question.hi} ${hi.secondQuestion.hi}`));
            }
            continue;
        }
        out.push({
            ...common,
            id: `map-${code}`,
            question: code,
            codes: ITEMS[code].answers.map((a) => a.code),
            vars: { question: hi.question.en },
            options: hi.scale.map((s) => s.en),
            hindi: { vars: { question: hi.question.hi }, options: hi.scale.map((s) => s.hi) },
        });
    }
    return out;
}
