// Tiny GGUF models for tests, generated once per options and cached in the OS temp dir (written to a temp name
// and renamed, so parallel test files never read a half-written model).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticLlama, type SyntheticLlamaOptions } from "../../src/gguf/synthetic.ts";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const llamaSpmVocab = path.join(repoRoot, "models", "vocab", "ggml-vocab-llama-spm.gguf");
export const tinyRandomLlama2 = path.join(repoRoot, "models", "llama-2-tiny-random", "llama-2-tiny-random.gguf");

/** The shipped tokenizers that prompt and candidate tests run on: [description, GGUF path]. */
export const shippedTokenizers: [string, string][] = [
    ["the shipped tiny Llama-2 model", tinyRandomLlama2],
    ["llama.cpp's SentencePiece vocabulary", llamaSpmVocab],
    ["llama.cpp's GPT-2 BPE vocabulary", path.join(repoRoot, "models", "vocab", "ggml-vocab-gpt-2.gguf")],
];

/** A 2-layer grouped-query-attention llama with the real Llama SentencePiece vocabulary and F32 weights. */
export const smallLlama: SyntheticLlamaOptions = {
    nLayer: 2,
    nEmbd: 64,
    nHead: 4,
    nHeadKv: 2,
    nFf: 128,
    vocabFrom: llamaSpmVocab,
    weightType: "f32",
    seed: 7,
    name: "culturescope-test-small-llama",
};

export function syntheticModel(options: SyntheticLlamaOptions = smallLlama): string {
    const key = crypto
        .createHash("sha256")
        .update(JSON.stringify({ ...options, vocab: fs.statSync(options.vocabFrom).size, generator: fs.statSync(path.join(repoRoot, "src", "gguf", "synthetic.ts")).mtimeMs }))
        .digest("hex")
        .slice(0, 16);
    const dir = path.join(os.tmpdir(), "culturescope-test-models");
    const file = path.join(dir, `${options.name ?? "synthetic"}-${key}.gguf`);
    if (fs.existsSync(file)) return file;
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeSyntheticLlama(tmp, options);
    fs.renameSync(tmp, file);
    return file;
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `culturescope-${prefix}-`));
}
