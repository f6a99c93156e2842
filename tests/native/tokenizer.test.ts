// Tokenization through the addon against llama.cpp's own tokenizer test vectors (models/vocab/*.inp / *.out,
// read exactly as llama.cpp's tests/test-tokenizer-0.cpp reads them), for a SentencePiece and a BPE vocabulary.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Model } from "../../src/native/index.ts";
import { repoRoot } from "../support/models.ts";

function testVectors(vocabFile: string): { text: string; tokens: number[] }[] {
    const raw = fs.readFileSync(`${vocabFile}.inp`, "utf8");
    const texts: string[] = [];
    const sep = "\n__ggml_vocab_test__\n";
    for (let pos = 0; pos < raw.length; ) {
        const next = raw.indexOf(sep, pos);
        if (next === -1) {
            texts.push(raw.slice(pos));
            break;
        }
        texts.push(raw.slice(pos, next));
        pos = next + sep.length;
    }
    const outs = fs.readFileSync(`${vocabFile}.out`, "utf8").split("\n");
    if (outs.at(-1) === "") outs.pop();
    expect(outs.length).toBe(texts.length);
    return texts.map((text, i) => ({ text, tokens: outs[i].trim() === "" ? [] : outs[i].trim().split(/\s+/).map(Number) }));
}

describe.each(["ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"])("tokenizer of %s", (name) => {
    const file = path.join(repoRoot, "models", "vocab", name);

    it("reproduces every llama.cpp test vector", async () => {
        const model = await Model.load(file, { vocabOnly: true });
        try {
            const vectors = testVectors(file);
            expect(vectors.length).toBeGreaterThan(40);
            for (const { text, tokens } of vectors) expect({ text, tokens: Array.from(model.tokenize(text)) }).toEqual({ text, tokens });
        } finally {
            model.dispose();
        }
    });

    it("detokenizes what it tokenized, and renders single tokens", async () => {
        const model = await Model.load(file, { vocabOnly: true });
        try {
            const text = "India and the United States: 42 questions, 4 options (A, B, C, D).";
            const tokens = model.tokenize(text);
            expect(model.detokenize(tokens).trim()).toBe(text);
            expect(model.tokenPieces(tokens).join("").trim()).toBe(text);
            expect(() => model.tokenize(42 as never)).toThrow(/text must be a string/);
        } finally {
            model.dispose();
        }
    });
});
