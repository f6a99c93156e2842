// `culturescope logits` end to end: the command a user types, checked against the float64 reference.
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ReferenceLlama } from "./support/referenceLlama.ts";
import { repoRoot, syntheticModel } from "./support/models.ts";

const bin = path.join(repoRoot, "bin", "culturescope.mjs");

describe("culturescope logits", () => {
    it("prints the model's most likely next tokens with their probabilities", () => {
        const model = syntheticModel();
        const out = execFileSync(process.execPath, [bin, "logits", "--model", model, "--prompt", "In India, guests are", "--top", "3", "--threads", "2", "--json"], {
            cwd: repoRoot,
            encoding: "utf8",
        });
        const report = JSON.parse(out);
        const expected = ReferenceLlama.load(model).logProbsAt(report.promptTokens);
        const best = Array.from(expected.keys()).sort((a, b) => expected[b] - expected[a]).slice(0, 3);
        expect(report.promptTokens[0]).toBe(1); // BOS added by default
        expect(report.top.map((t: { token: number }) => t.token)).toEqual(best);
        report.top.forEach((t: { token: number; logProb: number; prob: number }) => {
            expect(t.logProb).toBeCloseTo(expected[t.token], 4);
            expect(t.prob).toBeCloseTo(Math.exp(expected[t.token]), 6);
        });
        const entropy = -expected.reduce((h, lp) => h + Math.exp(lp) * lp, 0);
        expect(report.entropy).toBeCloseTo(entropy, 3);
    });

    it("prints a readable table", () => {
        const out = execFileSync(process.execPath, [bin, "logits", "--model", syntheticModel(), "--prompt", "Hello", "--top", "2", "--threads", "2"], { cwd: repoRoot, encoding: "utf8" });
        expect(out).toMatch(/entropy\s+\d+\.\d+ nats/);
        expect(out.trim().split("\n").filter((l) => /^\s+[12]\s+\d+\s+"/.test(l))).toHaveLength(2);
    });

    it("fails with a clear message and exit code 1 for a missing model", () => {
        const r = spawnSync(process.execPath, [bin, "logits", "--model", "no/such/model.gguf", "--prompt", "x"], { cwd: repoRoot, encoding: "utf8" });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/culturescope: model file not found: no\/such\/model\.gguf/);
    });

    it("rejects a bad --top before loading anything", () => {
        const r = spawnSync(process.execPath, [bin, "logits", "--model", "m.gguf", "--prompt", "x", "--top", "zero"], { cwd: repoRoot, encoding: "utf8" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/--top.*expected an integer/);
    });
});
