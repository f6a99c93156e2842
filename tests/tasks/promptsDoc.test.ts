// docs/PROMPTS.md must show every template exactly as the YAML definitions hold it. The document is read back here
// section by section and compared with the YAML files parsed directly (not through the task loader), so editing a
// definition without regenerating the document fails this test.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../support/models.ts";

const doc = fs.readFileSync(path.join(repoRoot, "docs", "PROMPTS.md"), "utf8");
const definitionsDir = path.join(repoRoot, "src", "tasks", "definitions");

/** "### task / strategy / slot" followed by a ```jinja block → its text. */
function documentedTemplates(): Map<string, string> {
    const out = new Map<string, string>();
    for (const m of doc.matchAll(/^### (\S+) \/ (\S+) \/ (\S+)\n\n```jinja\n([\s\S]*?)\n```$/gm)) out.set(`${m[1]}/${m[2]}/${m[3]}`, m[4]);
    return out;
}

describe("docs/PROMPTS.md", () => {
    it("documents every template of every definition, word for word", () => {
        const documented = documentedTemplates();
        const expected = new Map<string, string>();
        for (const file of fs.readdirSync(definitionsDir).filter((f) => f.endsWith(".yaml"))) {
            const def = parse(fs.readFileSync(path.join(definitionsDir, file), "utf8")) as { name: string; strategies: Record<string, Record<string, string>> };
            for (const [strategy, slots] of Object.entries(def.strategies)) for (const [slot, text] of Object.entries(slots)) expected.set(`${def.name}/${strategy}/${slot}`, text);
        }
        expect(expected.size).toBe(5 * 4 * 4);
        expect([...documented.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, text] of expected) expect(documented.get(key), key).toBe(text);
    });

    it("lists the Hindi instructions the templates use, as instructions.hi.json has them", () => {
        const file = JSON.parse(fs.readFileSync(path.join(repoRoot, "datasets", "hindi", "instructions.hi.json"), "utf8")) as { items: { key: string; hi: string }[] };
        for (const { key, hi } of file.items) expect(doc).toContain(`| ${key} | ${hi} |`);
    });
});
