// Renders a task's templates for one item under one strategy, and lays the result out as scoring requests: a shared
// prefix (persona + question block, the same for every answer order) and one continuation per answer order (options
// block in that order + answer cue), with the answer-letter candidate tokens. All pure; the tokenizer is passed in.
import { Template } from "@huggingface/jinja";
import { hindiInstructions } from "../datasets/hindi.ts";
import { answerOrders, applyOrder, optionLetter, type AnswerOrder } from "../permutations/answerOrders.ts";
import { resolveLetterCandidates, type LetterForm } from "../prompts/candidates.ts";
import { renderPrompt, type PromptModel, type RenderOptions } from "../prompts/chat.ts";
import { HINDI_TEXT_STRATEGIES, type Strategy, type TaskDefinition, type TemplateSlot } from "./definitions.ts";
import type { PromptItem } from "./items.ts";

export interface RenderContext {
    /** The persona's country for the demographic strategy: the target country (India by default) or the comparison one. */
    country?: string;
    /** Cap on answer orders (answerOrders' maxPermutations). */
    maxPermutations?: number;
}

export const DEFAULT_COUNTRY = "India";

export interface RenderedPermutation {
    /** order[position] = canonical option index shown at that letter. */
    order: AnswerOrder;
    /** The options block in this order. */
    options: string;
}

export interface RenderedItem {
    itemId: string;
    unitId: string;
    strategy: Strategy;
    system: string;
    question: string;
    cue: string;
    /** Letter of each position (A, B, …). */
    letters: string[];
    /** What each canonical option maps back to: a label's value, or the option's index as a string. */
    answerValues: string[];
    /** The canonical option texts as shown (Hindi for the Hindi-text strategies). */
    optionTexts: string[];
    /** How many options one answer may name (1 but for multiple-mention items such as Y003). */
    maxChoices: number;
    permutations: RenderedPermutation[];
}

export interface SkippedItem {
    itemId: string;
    reason: string;
    /** Where it was dropped: "render" (e.g. no Hindi text) by default, "context" when the prompt is too long. */
    stage?: "render" | "context" | "score";
}

/**
 * Whether an item's prompt of `tokens` tokens fits the scorer's context (always, when none is given); when it does
 * not, the item is added to `skipped` with the reason and the fix.
 */
export function fitsContext(itemId: string, tokens: number, contextSize: number | undefined, skipped: SkippedItem[]): boolean {
    if (contextSize === undefined || tokens <= contextSize) return true;
    skipped.push({ itemId, stage: "context", reason: `the prompt is ${tokens} tokens, longer than the context of ${contextSize}: raise --ctx (up to the model's training context) or leave the item out` });
    return false;
}

export interface RenderedTask {
    rendered: RenderedItem[];
    skipped: SkippedItem[];
}

const compiled = new Map<string, Template>();
function template(source: string): Template {
    let t = compiled.get(source);
    if (!t) compiled.set(source, (t = new Template(source)));
    return t;
}

function renderSlot(definition: TaskDefinition, strategy: Strategy, slot: TemplateSlot, vars: Record<string, unknown>, itemId: string): string {
    try {
        return template(definition.strategies[strategy][slot]).render(vars);
    } catch (error) {
        throw new Error(`${definition.file}: /strategies/${strategy}/${slot} failed to render for item ${itemId} (${(error as Error).message}): fix the template`);
    }
}

/** Renders one item; returns a SkippedItem when a Hindi-text strategy meets an item without Hindi text. */
export function renderItem(definition: TaskDefinition, strategy: Strategy, item: PromptItem, context: RenderContext = {}): RenderedItem | SkippedItem {
    const hindiText = HINDI_TEXT_STRATEGIES.includes(strategy);
    if (hindiText && !item.hindi) return { itemId: item.id, reason: item.noHindiReason ?? "no Hindi text for this item" };
    const text = hindiText ? item.hindi! : item;
    const hi = Object.fromEntries(hindiInstructions());
    let optionTexts: string[];
    let answerValues: string[];
    if (definition.answers.from === "labels") {
        optionTexts = definition.answers.labels.map((l) => (hindiText ? (hi[l.text] ?? l.text) : l.text));
        answerValues = definition.answers.labels.map((l) => l.value);
    } else {
        if (text.options.length === 0) throw new Error(`item ${item.id} has no options, but ${definition.file} takes its answer space from the item`);
        optionTexts = text.options;
        answerValues = text.options.map((_, i) => String(i));
    }
    const k = optionTexts.length;
    const letters = Array.from({ length: k }, (_, i) => optionLetter(i));
    const vars = { ...text.vars, country: context.country ?? DEFAULT_COUNTRY, hi };
    const question = renderSlot(definition, strategy, "question", vars, item.id);
    // The prompt is split after the question block; a newline there keeps the split at a token boundary.
    if (!question.endsWith("\n"))
        throw new Error(`${definition.file}: /strategies/${strategy}/question must end with a newline (write {{ '\\n' }} last: Jinja drops a template's final newline), so the shared prefix ends at a token boundary`);
    const orders = definition.permute ? answerOrders(k, { maxPermutations: context.maxPermutations }) : [letters.map((_, i) => i)];
    return {
        itemId: item.id,
        unitId: item.unitId,
        strategy,
        system: renderSlot(definition, strategy, "system", vars, item.id),
        question,
        cue: renderSlot(definition, strategy, "cue", vars, item.id),
        letters,
        answerValues,
        optionTexts,
        maxChoices: item.maxChoices ?? 1,
        permutations: orders.map((order) => ({
            order,
            options: renderSlot(definition, strategy, "options", { ...vars, options: applyOrder(optionTexts, order).map((t, i) => ({ letter: letters[i], text: t })) }, item.id),
        })),
    };
}

export function isSkipped(x: RenderedItem | SkippedItem): x is SkippedItem {
    return "reason" in x;
}

/** Renders every item; items a Hindi-text strategy cannot render are returned in `skipped` with the reason. */
export function renderTask(definition: TaskDefinition, strategy: Strategy, items: readonly PromptItem[], context: RenderContext = {}): RenderedTask {
    const out: RenderedTask = { rendered: [], skipped: [] };
    for (const item of items) {
        const r = renderItem(definition, strategy, item, context);
        if (isSkipped(r)) out.skipped.push(r);
        else out.rendered.push(r);
    }
    return out;
}

// ---------------------------------------------------------------- prompt text: prefix and continuations

export interface PromptText {
    /** Everything up to the options block: the same for every answer order. */
    prefix: string;
    /** Per permutation: the options block, the rest of the chat turn and the cue. */
    continuations: string[];
    format: "chat-template" | "completion";
    addSpecial: boolean;
    parseSpecial: boolean;
}

/**
 * Lays a rendered item out as the model sees it (chat template or completion layout, src/prompts/chat.ts): the
 * persona is the system message, question block + options block the user message, the cue starts the answer. The
 * text is split where the options block begins; the question block ends with a newline, so the split falls at a
 * token boundary in the shipped tokenizers (the tests check it on each).
 */
export function layoutPrompt(rendered: RenderedItem, model: PromptModel, options: Pick<RenderOptions, "format"> = {}): PromptText {
    let prefix: string | undefined;
    let format: PromptText["format"] = "completion";
    let addSpecial = false;
    let parseSpecial = false;
    const continuations = rendered.permutations.map((p) => {
        const user = rendered.question + p.options;
        const messages = [...(rendered.system ? [{ role: "system" as const, content: rendered.system }] : []), { role: "user" as const, content: user }];
        const prompt = renderPrompt(model, messages, { ...options, answerPrefix: rendered.cue });
        const at = prompt.text.indexOf(user);
        if (at < 0) throw new Error(`item ${rendered.itemId}: the chat template changed the user message, so the options block cannot be found to split the prompt; use the completion format`);
        const split = at + rendered.question.length;
        const thisPrefix = prompt.text.slice(0, split);
        if (prefix === undefined) prefix = thisPrefix;
        else if (prefix !== thisPrefix) throw new Error(`item ${rendered.itemId}: the prompt's prefix differs between answer orders, so it cannot be shared`);
        ({ format, addSpecial, parseSpecial } = prompt);
        return prompt.text.slice(split);
    });
    return { prefix: prefix!, continuations, format, addSpecial, parseSpecial };
}

// ---------------------------------------------------------------- tokens

export interface Tokenizer {
    tokenize(text: string, options?: { addSpecial?: boolean; parseSpecial?: boolean }): Int32Array;
}

export interface TokenizedPrompt {
    prefix: Int32Array;
    continuations: Int32Array[];
    /** Answer-letter token ids, by position. */
    candidates: number[];
    letterForm: LetterForm;
    /**
     * "text": the prefix is the prefix text's own tokens (the usual case: the question block ends with a newline).
     * "tokens": the prefix text did not end at a token boundary (e.g. a GPT-2 BPE tokenizer merges a question's
     * trailing space with the newline), so the prefix is the longest token run all answer orders share.
     */
    prefixSplit: "text" | "tokens";
}

const startsWith = (whole: Int32Array, prefix: Int32Array) => whole.length > prefix.length && prefix.every((t, j) => whole[j] === t);

/**
 * Tokens of a laid-out prompt such that prefix + continuation is exactly the whole prompt's tokenization, for every
 * answer order. Continuations are cut from the whole text's tokens rather than tokenized alone, because a
 * SentencePiece tokenizer adds a leading space to a text tokenized on its own.
 */
export function tokenizePrompt(tokenizer: Tokenizer, prompt: PromptText, letters: readonly string[], cue: string): TokenizedPrompt {
    const opts = { addSpecial: prompt.addSpecial, parseSpecial: prompt.parseSpecial };
    const wholes = prompt.continuations.map((c) => tokenizer.tokenize(prompt.prefix + c, opts));
    let prefix = tokenizer.tokenize(prompt.prefix, opts);
    let prefixSplit: TokenizedPrompt["prefixSplit"] = "text";
    if (!wholes.every((w) => startsWith(w, prefix))) {
        prefixSplit = "tokens";
        let n = Math.min(...wholes.map((w) => w.length)) - 1;
        for (const w of wholes) {
            let j = 0;
            while (j < n && w[j] === wholes[0][j]) j++;
            n = j;
        }
        prefix = wholes[0].slice(0, n);
    }
    const continuations = wholes.map((w) => w.slice(prefix.length));
    const letterCandidates = resolveLetterCandidates((t) => tokenizer.tokenize(t, { addSpecial: false, parseSpecial: prompt.parseSpecial }), cue, letters);
    return { prefix, continuations, candidates: letterCandidates.tokens, letterForm: letterCandidates.form, prefixSplit };
}
