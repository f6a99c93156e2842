// Answer orders, letter candidates on real tokenizers, and chat-template rendering.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modelOptionDistribution } from "../../src/metrics/distributions.ts";
import { Model } from "../../src/native/index.ts";
import { answerOrders, applyOrder, optionLetter } from "../../src/permutations/answerOrders.ts";
import { resolveLetterCandidates } from "../../src/prompts/candidates.ts";
import { renderPrompt, type PromptModel } from "../../src/prompts/chat.ts";
import { shippedTokenizers } from "../support/models.ts";

describe("answer orders", () => {
    it("uses all k! orders up to four options, canonical first, each order once", () => {
        for (const [k, n] of [[1, 1], [2, 2], [3, 6], [4, 24]]) {
            const orders = answerOrders(k);
            expect(orders).toHaveLength(n);
            expect(orders[0]).toEqual(Array.from({ length: k }, (_, i) => i));
            expect(new Set(orders.map((o) => o.join())).size).toBe(n);
            for (const o of orders) expect([...o].sort()).toEqual(Array.from({ length: k }, (_, i) => i));
        }
    });

    it("uses cyclic shifts plus reversals beyond four options", () => {
        const orders = answerOrders(5);
        expect(orders).toHaveLength(10);
        expect(orders.slice(0, 2)).toEqual([[0, 1, 2, 3, 4], [1, 2, 3, 4, 0]]);
        expect(orders[5]).toEqual([4, 3, 2, 1, 0]);
    });

    it("keeps every option at every position equally often under any cap of at least k", () => {
        for (const [k, cap] of [[4, 4], [4, 8], [6, 6], [6, 12]]) {
            const orders = answerOrders(k, { maxPermutations: cap });
            expect(orders).toHaveLength(cap);
            for (let pos = 0; pos < k; pos++)
                for (let opt = 0; opt < k; opt++) expect(orders.filter((o) => o[pos] === opt).length).toBe(cap / k);
        }
    });

    it("maps back: a model that always answers the first letter is uniform over the options", () => {
        const orders = answerOrders(4);
        const firstLetter = [Math.log(0.97), Math.log(0.01), Math.log(0.01), Math.log(0.01)];
        const dist = modelOptionDistribution(orders.map((optionOrder) => ({ optionOrder, letterLogProbs: firstLetter })));
        dist.probabilities.forEach((p) => expect(p).toBeCloseTo(0.25, 12));
        // and one that always picks option 2, wherever it is shown, keeps picking option 2
        const picksTwo = modelOptionDistribution(orders.map((optionOrder) => ({ optionOrder, letterLogProbs: optionOrder.map((o) => (o === 2 ? Math.log(0.9) : Math.log(0.1 / 3))) })));
        expect(picksTwo.probabilities[2]).toBeCloseTo(0.9, 12);
        expect(applyOrder(["yes", "no", "dk"], [2, 0, 1])).toEqual(["dk", "yes", "no"]);
    });

    it("rejects impossible requests", () => {
        expect(() => answerOrders(0)).toThrow(/at least one option/);
        expect(() => answerOrders(27)).toThrow(/at most 26 options/);
        expect(() => answerOrders(4, { maxPermutations: 0 })).toThrow(/maxPermutations must be a positive integer/);
        expect(() => applyOrder([1, 2], [0])).toThrow(/1 positions but the question has 2 options/);
        expect(optionLetter(3)).toBe("D");
    });
});

describe.each(shippedTokenizers)("answer-letter candidates on %s", (_name, file) => {
    let model: Model;
    beforeAll(async () => {
        model = await Model.load(file, { vocabOnly: true });
    });
    afterAll(() => model?.dispose());

    it("resolves A-D to distinct single tokens after the cue", () => {
        const letters = ["A", "B", "C", "D"];
        const c = resolveLetterCandidates((t) => model.tokenize(t), "Answer:", letters);
        expect(c.tokens).toHaveLength(4);
        expect(new Set(c.tokens).size).toBe(4);
        expect(model.tokenPieces(c.tokens).map((p) => p.trim())).toEqual(letters);
        expect(model.tokenPieces(c.tokens)[0]).toBe(c.form === " A" ? " A" : "A");
    });
});

describe("answer-letter candidates", () => {
    it("falls back to the form without a space, and fails when no form is a single token", () => {
        // a toy tokenizer: characters, except that " A" and " B" do not exist as single tokens
        const toy = (text: string) => Array.from(text, (c) => c.charCodeAt(0));
        expect(resolveLetterCandidates(toy, "Answer:", ["A", "B"])).toEqual({ tokens: [65, 66], form: "A", letters: ["A", "B"] });
        const pairs = (text: string) => Array.from({ length: Math.ceil(text.length / 2) }, (_, i) => text.charCodeAt(2 * i) * 1000 + (text.charCodeAt(2 * i + 1) || 0));
        expect(() => resolveLetterCandidates(pairs, "Answer:", ["A"])).toThrow(/not single tokens after the cue "Answer:"/);
    });
});

describe("chat templates", () => {
    const chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    const llama3 =
        "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";
    const base: PromptModel = { chatTemplate: null, bosText: "<s>", eosText: "</s>", addBos: true };
    const messages = [
        { role: "system" as const, content: "Imagine you are a person living in India." },
        { role: "user" as const, content: "Is it acceptable to eat with your left hand?\nA. Yes\nB. No" },
    ];

    it("renders a ChatML template", () => {
        const r = renderPrompt({ ...base, chatTemplate: chatml }, messages, { answerPrefix: "Answer:" });
        expect(r).toEqual({
            text:
                "<|im_start|>system\nImagine you are a person living in India.<|im_end|>\n" +
                "<|im_start|>user\nIs it acceptable to eat with your left hand?\nA. Yes\nB. No<|im_end|>\n" +
                "<|im_start|>assistant\nAnswer:",
            format: "chat-template",
            addSpecial: true,
            parseSpecial: true,
        });
    });

    it("does not add a second BOS when the template writes one", () => {
        const r = renderPrompt({ ...base, chatTemplate: llama3, bosText: "<|begin_of_text|>" }, messages.slice(1));
        expect(r.text).toBe("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nIs it acceptable to eat with your left hand?\nA. Yes\nB. No<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
        expect(r.addSpecial).toBe(false);
    });

    it("uses the completion layout for base models, or when asked", () => {
        const expected = "Imagine you are a person living in India.\n\nIs it acceptable to eat with your left hand?\nA. Yes\nB. No\nAnswer:";
        expect(renderPrompt(base, messages, { answerPrefix: "Answer:" })).toEqual({ text: expected, format: "completion", addSpecial: true, parseSpecial: false });
        expect(renderPrompt({ ...base, chatTemplate: chatml }, messages, { answerPrefix: "Answer:", format: "completion" }).text).toBe(expected);
    });

    it("reports a template that does not parse", () => {
        expect(() => renderPrompt({ ...base, chatTemplate: "{% for %}" }, messages)).toThrow(/chat template does not parse/);
        expect(() => renderPrompt(base, [])).toThrow(/at least one message/);
    });
});
