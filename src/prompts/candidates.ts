// Which token ids stand for the answer letters after the answer cue. Tokenizers differ: SentencePiece vocabularies
// usually have " A" (with the leading space) as one token, some BPE ones only "A". We try both, after the very cue
// text the prompt ends with, and record which form was used so runs on different models stay comparable.

export type LetterForm = " A" | "A";

export interface LetterCandidates {
    /** token id of each letter, in letter order */
    tokens: number[];
    /** whether the letters were read with a leading space */
    form: LetterForm;
    letters: string[];
}

/**
 * Token ids of `letters` as the model would write them right after `cue` (e.g. "Answer:"). Prefers " A" when every
 * letter is one token in that form, otherwise "A". A letter that is never a single token is an error: its
 * probability could not be read from one next-token distribution.
 */
export function resolveLetterCandidates(tokenize: (text: string) => ArrayLike<number>, cue: string, letters: readonly string[]): LetterCandidates {
    if (letters.length === 0) throw new Error("no answer letters to resolve");
    const cueTokens = Array.from(tokenize(cue));
    const nextToken = (suffix: string): number | undefined => {
        const all = Array.from(tokenize(cue + suffix));
        // the cue must tokenize the same way with the letter after it, and the letter must add exactly one token
        if (all.length !== cueTokens.length + 1 || cueTokens.some((t, i) => all[i] !== t)) return undefined;
        return all[all.length - 1];
    };
    for (const form of [" A", "A"] as const) {
        const tokens = letters.map((l) => nextToken(form === " A" ? ` ${l}` : l));
        if (tokens.every((t) => t !== undefined) && new Set(tokens).size === tokens.length) return { tokens: tokens as number[], form, letters: [...letters] };
    }
    throw new Error(
        `the answer letters ${letters.join(", ")} are not single tokens after the cue ${JSON.stringify(cue)} in this tokenizer ` +
            "(neither as \" A\" nor as \"A\"): end the cue differently, e.g. with a space or a newline",
    );
}
