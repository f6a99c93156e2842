// Task definitions: one YAML file per task in src/tasks/definitions/, so a user can edit a template or add a task
// without touching TypeScript. A definition names its data set and task kind, its answer space, whether the answer
// order is permuted, and for each of the four prompt strategies the four template slots (persona/system line,
// question block, options block, answer cue), rendered with @huggingface/jinja.
//
// Loading validates the file with a JSON Schema (ajv, every error at once) and then checks what a schema cannot:
// that every template parses, uses only the variables its slot is given, and names only Hindi instructions that
// datasets/hindi/instructions.hi.json has. Each error names the file, the line and the path inside it, and the fix.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { Template } from "@huggingface/jinja";
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { INSTRUCTION_KEYS } from "../datasets/hindi.ts";

export const DEFINITIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "definitions");

export const STRATEGIES = ["default", "demographic", "crosslingual", "hindi"] as const;
export type Strategy = (typeof STRATEGIES)[number];
/** Strategies whose question and options are the item's Hindi text; items without one are skipped. */
export const HINDI_TEXT_STRATEGIES: readonly Strategy[] = ["crosslingual", "hindi"];

export const TASK_KINDS = ["opinion", "culturalbench-easy", "culturalbench-hard", "normad", "culturalmap"] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TEMPLATE_SLOTS = ["system", "question", "options", "cue"] as const;
export type TemplateSlot = (typeof TEMPLATE_SLOTS)[number];

/** The item variables each task kind's templates may use (besides `country`, `hi` and, in the options slot, `options`). */
export const ITEM_VARIABLES: Readonly<Record<TaskKind, readonly string[]>> = {
    opinion: ["question"],
    "culturalbench-easy": ["question"],
    "culturalbench-hard": ["question", "statement"],
    normad: ["story", "story_country", "value", "rule_of_thumb", "context_level"],
    culturalmap: ["question"],
};

export interface AnswerLabel {
    /** What the answer maps back to (e.g. "true", "yes"). */
    value: string;
    /** English text shown as the option; for Hindi-text strategies its Hindi comes from instructions.hi.json. */
    text: string;
}

export type StrategyTemplates = Record<TemplateSlot, string>;

export interface TaskDefinition {
    name: string;
    description: string;
    kind: TaskKind;
    dataset: "globalopinionqa" | "culturalbench-easy" | "culturalbench-hard" | "normad" | "cultural-map";
    /** `item`: the item's own options (or map scale); `labels`: a fixed answer space shown as lettered options. */
    answers: { from: "item" } | { from: "labels"; labels: AnswerLabel[] };
    /** Permute the option order (against position bias); false keeps an ordinal scale in its survey order. */
    permute: boolean;
    strategies: Record<Strategy, StrategyTemplates>;
    /** Where it was loaded from. */
    file: string;
}

const templatesSchema = {
    type: "object",
    required: [...TEMPLATE_SLOTS],
    additionalProperties: false,
    properties: Object.fromEntries(TEMPLATE_SLOTS.map((s) => [s, { type: "string" }])),
};

export const TASK_DEFINITION_SCHEMA = {
    type: "object",
    required: ["name", "description", "kind", "dataset", "answers", "permute", "strategies"],
    additionalProperties: false,
    properties: {
        name: { type: "string", pattern: "^[a-z][a-z0-9-]*$" },
        description: { type: "string", minLength: 1 },
        kind: { enum: [...TASK_KINDS] },
        dataset: { enum: ["globalopinionqa", "culturalbench-easy", "culturalbench-hard", "normad", "cultural-map"] },
        answers: {
            type: "object",
            required: ["from"],
            additionalProperties: false,
            properties: {
                from: { enum: ["item", "labels"] },
                labels: {
                    type: "array",
                    minItems: 2,
                    items: {
                        type: "object",
                        required: ["value", "text"],
                        additionalProperties: false,
                        properties: { value: { type: "string", minLength: 1 }, text: { type: "string", minLength: 1 } },
                    },
                },
            },
            if: { properties: { from: { const: "labels" } } },
            then: { required: ["labels"] },
        },
        permute: { type: "boolean" },
        strategies: {
            type: "object",
            required: [...STRATEGIES],
            additionalProperties: false,
            properties: Object.fromEntries(STRATEGIES.map((s) => [s, templatesSchema])),
        },
    },
} as const;

export class TaskDefinitionError extends Error {
    constructor(
        readonly file: string,
        readonly problems: string[],
    ) {
        super(`${file}: invalid task definition\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "TaskDefinitionError";
    }
}

const validateSchema = new Ajv({ allErrors: true }).compile(TASK_DEFINITION_SCHEMA);

function schemaFix(error: ErrorObject): string {
    switch (error.keyword) {
        case "additionalProperties": {
            const extra = (error.params as { additionalProperty: string }).additionalProperty;
            if (error.instancePath === "/strategies") return `unknown strategy '${extra}': the strategies are ${STRATEGIES.join(", ")}; rename or remove it`;
            if (error.instancePath.startsWith("/strategies/")) return `unknown template slot '${extra}': the slots are ${TEMPLATE_SLOTS.join(", ")}; rename or remove it`;
            return `unknown field '${extra}': remove it`;
        }
        case "required": {
            const missing = (error.params as { missingProperty: string }).missingProperty;
            if (error.instancePath === "/strategies") return `strategy '${missing}' is missing: add its ${TEMPLATE_SLOTS.join(", ")} templates`;
            if (error.instancePath.startsWith("/strategies/")) return `template '${missing}' is missing: add it (an empty string "" if the slot is not used)`;
            return `'${missing}' is missing: add it`;
        }
        case "enum":
            return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
        default:
            return error.message ?? error.keyword;
    }
}

// Jinja words and filters that are not variables; a name outside these and the slot's variables is a typo that
// would otherwise render as an empty string without any error.
const JINJA_WORDS = new Set([
    "for", "in", "if", "elif", "else", "endif", "endfor", "not", "and", "or", "is", "true", "false", "none", "True", "False", "None",
    "loop", "set", "endset", "defined", "undefined", "trim", "upper", "lower", "length", "join", "replace", "title", "capitalize", "default",
]);

/** The variable names a template reads (loop variables it defines are excluded). */
export function templateVariables(source: string): string[] {
    const names = new Set<string>();
    const defined = new Set<string>();
    for (const match of source.matchAll(/\{\{([\s\S]*?)\}\}|\{%-?([\s\S]*?)-?%\}/g)) {
        const body = (match[1] ?? match[2])
            .replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, " ")
            .replace(/\.\s*[A-Za-z_]\w*/g, " ")
            .replace(/\|\s*[A-Za-z_]\w*/g, " ");
        const loop = /^\s*for\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b/.exec(body);
        if (loop) for (const v of loop.slice(1)) if (v) defined.add(v);
        for (const [name] of body.matchAll(/[A-Za-z_]\w*/g)) if (!JINJA_WORDS.has(name)) names.add(name);
    }
    return [...names].filter((n) => !defined.has(n));
}

/** The variables a slot's template may use for a task kind. */
export function slotVariables(kind: TaskKind, slot: TemplateSlot): string[] {
    return ["country", "hi", ...ITEM_VARIABLES[kind], ...(slot === "options" ? ["options"] : [])];
}

function semanticProblems(definition: Omit<TaskDefinition, "file">): { path: (string | number)[]; message: string }[] {
    const problems: { path: (string | number)[]; message: string }[] = [];
    const known = new Set<string>(INSTRUCTION_KEYS);
    for (const strategy of STRATEGIES) {
        for (const slot of TEMPLATE_SLOTS) {
            const where = ["strategies", strategy, slot];
            const source = definition.strategies[strategy][slot];
            try {
                new Template(source);
            } catch (error) {
                problems.push({ path: where, message: `the template does not parse (${(error as Error).message}): check its {{ }} and {% %} tags` });
                continue;
            }
            const allowed = slotVariables(definition.kind, slot);
            for (const name of templateVariables(source)) {
                if (!allowed.includes(name)) problems.push({ path: where, message: `unknown placeholder '${name}': the ${slot} template of a ${definition.kind} task can use ${allowed.join(", ")}` });
            }
            for (const [, key] of source.matchAll(/hi\[\s*'([^']*)'\s*\]|hi\[\s*"([^"]*)"\s*\]/g)) {
                if (key !== undefined && !known.has(key as never)) problems.push({ path: where, message: `hi['${key}'] is not a key of datasets/hindi/instructions.hi.json: use one of ${INSTRUCTION_KEYS.map((k) => JSON.stringify(k)).join(", ")}, or add it there with its Hindi` });
            }
        }
        if (definition.kind === "culturalmap" || definition.answers.from === "item") continue;
        if (HINDI_TEXT_STRATEGIES.includes(strategy) && definition.kind !== "normad") {
            definition.answers.labels.forEach((label, i) => {
                if (!known.has(label.text as never)) problems.push({ path: ["answers", "labels", i, "text"], message: `'${label.text}' has no Hindi in datasets/hindi/instructions.hi.json, which the ${strategy} strategy needs: use one of its keys or add it there` });
            });
        }
    }
    if (definition.answers.from === "labels" && (definition.kind === "opinion" || definition.kind === "culturalbench-easy" || definition.kind === "culturalmap")) {
        problems.push({ path: ["answers", "from"], message: `a ${definition.kind} task answers with the item's own options: set from: item` });
    }
    if (definition.answers.from === "item" && (definition.kind === "culturalbench-hard" || definition.kind === "normad")) {
        problems.push({ path: ["answers", "from"], message: `a ${definition.kind} task has a fixed answer space: set from: labels and list them` });
    }
    return problems;
}

/** Parses and validates one definition's text; `file` is used in messages only. */
export function parseTaskDefinition(text: string, file: string): TaskDefinition {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter });
    if (doc.errors.length) throw new TaskDefinitionError(file, doc.errors.map((e) => `line ${e.linePos?.[0].line ?? "?"}: not valid YAML (${e.message.split("\n")[0]}): fix the syntax`));
    // The line of the key that names the node at `segments` (or, with `key`, of that key inside it): where an editor
    // would look. A list entry, which has no key, is reported at the entry itself.
    const where = (segments: (string | number)[], key?: string) => {
        const keys = key === undefined ? segments : [...segments, key];
        const parent = keys.length ? (keys.length > 1 ? doc.getIn(keys.slice(0, -1), true) : doc.contents) : undefined;
        const last = keys.at(-1);
        const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === last) : undefined;
        const node = (pair && isScalar(pair.key) ? pair.key : keys.length ? doc.getIn(keys, true) : doc.contents) as YamlNode | undefined;
        const line = node?.range ? `line ${lineCounter.linePos(node.range[0]).line}, ` : "";
        return `${line}/${segments.join("/")}`;
    };
    const data = doc.toJS() as unknown;
    if (!validateSchema(data)) {
        throw new TaskDefinitionError(
            file,
            (validateSchema.errors ?? [])
                .filter((e) => e.keyword !== "if")
                .map((e) => {
                    const segments = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
                    const extra = e.keyword === "additionalProperties" ? (e.params as { additionalProperty: string }).additionalProperty : undefined;
                    return `${where(segments, extra)}: ${schemaFix(e)}`;
                }),
        );
    }
    const definition = data as Omit<TaskDefinition, "file">;
    const problems = semanticProblems(definition);
    if (problems.length) throw new TaskDefinitionError(file, problems.map((p) => `${where(p.path)}: ${p.message}`));
    return { ...definition, file };
}

export function loadTaskDefinition(file: string): TaskDefinition {
    return parseTaskDefinition(fs.readFileSync(file, "utf8"), file);
}

/** Every definition in a folder (default: the shipped ones), by task name. */
export function loadTaskDefinitions(dir = DEFINITIONS_DIR): Map<string, TaskDefinition> {
    const out = new Map<string, TaskDefinition>();
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
        const definition = loadTaskDefinition(path.join(dir, name));
        if (out.has(definition.name)) throw new TaskDefinitionError(path.join(dir, name), [`/name: task '${definition.name}' is defined twice: rename one`]);
        out.set(definition.name, definition);
    }
    return out;
}
