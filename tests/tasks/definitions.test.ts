// Task definitions: the shipped YAML files load, and broken ones fail with the file, the line and path inside it,
// and the fix. The broken definitions are written here, from the shipped opinion.yaml with one thing changed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFINITIONS_DIR, loadTaskDefinition, loadTaskDefinitions, parseTaskDefinition, STRATEGIES, TaskDefinitionError, templateVariables } from "../../src/tasks/definitions.ts";

const opinionYaml = fs.readFileSync(path.join(DEFINITIONS_DIR, "opinion.yaml"), "utf8");

/** 1-based line of the first line that contains `needle`, at or after line `from`. */
function lineOf(text: string, needle: string, from = 1): number {
    const i = text.split("\n").findIndex((l, n) => n + 1 >= from && l.includes(needle));
    if (i < 0) throw new Error(`no line contains ${needle}`);
    return i + 1;
}

function problems(text: string, file = "broken.yaml"): string[] {
    try {
        parseTaskDefinition(text, file);
    } catch (error) {
        expect(error).toBeInstanceOf(TaskDefinitionError);
        expect((error as Error).message.startsWith(`${file}: invalid task definition`)).toBe(true);
        return (error as TaskDefinitionError).problems;
    }
    throw new Error("the broken definition was accepted");
}

describe("task definitions", () => {
    it("ships the five tasks, each with all four strategies", () => {
        const defs = loadTaskDefinitions();
        expect([...defs.keys()]).toEqual(["culturalbench-easy", "culturalbench-hard", "culturalmap", "normad", "opinion"]);
        for (const d of defs.values()) expect(Object.keys(d.strategies).sort()).toEqual([...STRATEGIES].sort());
        expect(defs.get("culturalbench-hard")!.answers).toEqual({ from: "labels", labels: [{ value: "true", text: "True" }, { value: "false", text: "False" }] });
        expect(defs.get("culturalmap")!.permute).toBe(false);
    });

    it("names an unknown strategy, with its own line and the four strategies", () => {
        const text = opinionYaml.replace("  crosslingual:", "  crosslingua:");
        expect(problems(text)).toEqual([
            `line ${lineOf(text, "strategies:")}, /strategies: strategy 'crosslingual' is missing: add its system, question, options, cue templates`,
            `line ${lineOf(text, "  crosslingua:")}, /strategies: unknown strategy 'crosslingua': the strategies are default, demographic, crosslingual, hindi; rename or remove it`,
        ]);
    });

    it("names a missing template", () => {
        const lines = opinionYaml.split("\n");
        lines.splice(lines.findIndex((l, i) => i > lines.indexOf("  hindi:") && l.startsWith("    cue:")), 1);
        const text = lines.join("\n");
        expect(problems(text)).toEqual([`line ${lineOf(text, "  hindi:")}, /strategies/hindi: template 'cue' is missing: add it (an empty string "" if the slot is not used)`]);
    });

    it("names a misspelt placeholder with the variables the slot has", () => {
        const text = opinionYaml.replace("Imagine you are a person living in {{ 'the ' if country == 'United States' else '' }}{{ country }}.", "Imagine you live in {{ contry }}.");
        expect(problems(text)).toEqual([`line ${lineOf(text, "{{ contry }}")}, /strategies/demographic/system: unknown placeholder 'contry': the system template of a opinion task can use country, hi, question`]);
    });

    it("names a Hindi instruction key that instructions.hi.json lacks, a template that does not parse, and bad YAML", () => {
        expect(problems(opinionYaml.replace("{{ hi['Answer:'] }}", "{{ hi['Reply:'] }}"))[0]).toMatch(/\/strategies\/hindi\/cue: hi\['Reply:'\] is not a key of datasets\/hindi\/instructions\.hi\.json: use one of "Answer the following question\."/);
        expect(problems(opinionYaml.replace('cue: "Answer:"', 'cue: "Answer: {{ "'))[0]).toMatch(/\/strategies\/default\/cue: the template does not parse \(.*\): check its \{\{ \}\} and \{% %\} tags/);
        expect(problems("name: x\n  bad: [")[0]).toMatch(/^line \d+: not valid YAML .*: fix the syntax$/);
    });

    it("checks the answer space against the task kind and the schema's enums", () => {
        const normad = opinionYaml.replace("kind: opinion", "kind: normad");
        expect(problems(normad)).toContain(`line ${lineOf(normad, "  from: item")}, /answers/from: a normad task has a fixed answer space: set from: labels and list them`);
        const survey = opinionYaml.replace("kind: opinion", "kind: survey");
        expect(problems(survey)).toEqual([`line ${lineOf(survey, "kind: survey")}, /kind: must be one of opinion, culturalbench-easy, culturalbench-hard, normad, culturalmap`]);
        const extra = opinionYaml.replace("permute: true", "permute: true\nlanguage: en");
        expect(problems(extra)).toEqual([`line ${lineOf(extra, "language: en")}, /: unknown field 'language': remove it`]);
    });

    it("reads a definition file by its path and names that file in errors", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-tasks-"));
        const file = path.join(dir, "opinion.yaml");
        fs.writeFileSync(file, opinionYaml.replace("permute: true", "permute: yes please"));
        expect(() => loadTaskDefinition(file)).toThrow(`${file}: invalid task definition\n  - line ${lineOf(opinionYaml, "permute: true")}, /permute: must be boolean`);
        fs.rmSync(dir, { recursive: true });
    });

    it("finds the variables a template reads, not its loop variables, strings, attributes or filters", () => {
        expect(templateVariables("{% for o in options %}{{ o.letter }}. {{ o.text | trim }}{% endfor %}{{ hi['Answer:'] }} {{ 'x' if country == 'US' else y }}").sort()).toEqual(["country", "hi", "options", "y"]);
    });
});
