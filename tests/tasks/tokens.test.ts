// On the shipped tokenizers: the prompt's prefix tokens are exactly the start of the whole prompt's tokens (so
// scoring prefix + continuation scores the prompt), the continuation tokens spell the continuation, and every answer
// letter is a single token after the cue. Every task under every strategy, completion layout and a chat template:
// every GlobalOpinionQA row, map item and NormAd row; the CulturalBench-Hard India questions and 40 others.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model } from "../../src/native/index.ts";
import { STRATEGIES } from "../../src/tasks/definitions.ts";
import { layoutPrompt, renderTask, tokenizePrompt, type PromptText } from "../../src/tasks/render.ts";
import type { PromptModel } from "../../src/prompts/chat.ts";
import { shippedTokenizers } from "../support/models.ts";
import { definitions, items } from "./support.ts";

// A ChatML-style template written for this test (the shipped models carry none).
const CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
const layouts: [string, PromptModel][] = [
    ["completion", { chatTemplate: null, bosText: "<s>", eosText: "</s>", addBos: true }],
    ["chat template", { chatTemplate: CHATML, bosText: "<s>", eosText: "</s>", addBos: true }],
];

describe.each(shippedTokenizers)("prompt tokens on %s", (_name, file) => {
    let model: Model;
    beforeAll(async () => {
        model = await Model.load(file, { vocabOnly: true });
    });
    afterAll(() => model?.dispose());

    for (const [layoutName, promptModel] of layouts) {
        it(`splits every prompt at a token boundary and resolves single-token letters (${layoutName})`, () => {
            let prompts = 0;
            const textSplitMissed: string[] = [];
            const sample = { ...items, "culturalbench-hard": items["culturalbench-hard"].filter((i) => i.questionIdx < 40 || i.hindi) };
            for (const [task, taskItems] of Object.entries(sample)) {
                for (const strategy of STRATEGIES) {
                    // every item; two answer orders each keeps the run short (the prefix does not depend on the order)
                    for (const r of renderTask(definitions.get(task)!, strategy, taskItems, { maxPermutations: 2 }).rendered) {
                        const text: PromptText = layoutPrompt(r, promptModel);
                        expect(text.format).toBe(layoutName === "completion" ? "completion" : "chat-template");
                        const tokens = tokenizePrompt(model, text, r.letters, r.cue);
                        text.continuations.forEach((c, i) => {
                            const whole = Array.from(model.tokenize(text.prefix + c, { addSpecial: text.addSpecial, parseSpecial: text.parseSpecial }));
                            expect([...tokens.prefix, ...tokens.continuations[i]]).toEqual(whole);
                            // split at the text boundary: the continuation tokens spell the continuation; split inside it
                            // (shared tokens run on into the options block), they spell its end
                            if (tokens.prefixSplit === "text") expect(model.detokenize(tokens.continuations[i])).toBe(c);
                            else expect(c.endsWith(model.detokenize(tokens.continuations[i]))).toBe(true);
                        });
                        expect(model.tokenPieces(tokens.candidates).map((p) => p.trim())).toEqual(r.letters);
                        if (tokens.prefixSplit === "tokens") textSplitMissed.push(r.question);
                        else expect(Array.from(tokens.prefix)).toEqual(Array.from(model.tokenize(text.prefix, { addSpecial: text.addSpecial, parseSpecial: text.parseSpecial })));
                        prompts++;
                    }
                }
            }
            expect(prompts).toBeGreaterThan(3000);
            // Splitting after the question block's newline is a token boundary, except where a BPE tokenizer merges
            // whitespace the question itself ends with into that newline.
            if (!file.endsWith("gpt-2.gguf")) expect(textSplitMissed).toEqual([]);
            for (const q of textSplitMissed) expect(q).toMatch(/\s\n$/);
        }, 120_000);
    }
});
