// docs/PROMPTS.md from the task definitions: the exact wording of every template, so the documentation cannot drift
// from what is rendered (tests/tasks/promptsDoc.test.ts reads the document back and compares it with the YAML).
// Regenerate after editing a definition:  node --import tsx src/tasks/promptsDoc.ts > docs/PROMPTS.md
import { pathToFileURL } from "node:url";
import { hindiInstructions } from "../datasets/hindi.ts";
import { loadTaskDefinitions, STRATEGIES, TEMPLATE_SLOTS, type TaskDefinition } from "./definitions.ts";

const INTRO = `# Prompts

Generated from \`src/tasks/definitions/*.yaml\` by \`node --import tsx src/tasks/promptsDoc.ts > docs/PROMPTS.md\`;
edit the YAML, not this file (a test fails when the two differ).

Each task has four strategies, each with four templates rendered by @huggingface/jinja:

- **system**: the persona line, sent as the system message (chat models) or the first paragraph (base models);
  empty means no persona. \`{{ country }}\` is the target country (India by default; the comparison country, United
  States, for the US run).
- **question**: the question block. It ends with a newline, and it is the end of the **shared prefix**: everything
  up to here is the same for every answer order and is evaluated once.
- **options**: the options block, one line per option, lettered A, B, C… in the order of one answer permutation.
- **cue**: the answer cue the model's answer follows. The answer letters' log-probabilities are read after it.

Strategies: \`default\` (no persona), \`demographic\` ("Imagine you are a person living in …"), \`crosslingual\`
(English instructions; question and options in Hindi from \`datasets/hindi/\`), \`hindi\` (everything in Hindi, from
\`datasets/hindi/instructions.hi.json\` through \`hi['…']\`). Option letters stay Latin in every strategy. Items without
Hindi text are skipped by the two Hindi strategies and reported with the reason.

Base models: \`system\`, then a blank line, then \`question\` + \`options\`, a newline and \`cue\`. Chat models: the
model's own chat template with the system and user messages, and \`cue\` after the generation prompt.

@huggingface/jinja drops a newline right after a \`{% %}\` tag and a template's final newline, so the templates
write those newlines as \`{{ '\\n' }}\`.
`;

function fence(text: string): string {
    return "```jinja\n" + text + "\n```";
}

export function promptsMarkdown(definitions: Iterable<TaskDefinition>): string {
    const parts = [INTRO];
    parts.push("## Hindi instructions (`hi['…']`)\n\n| English key | Hindi |\n|---|---|");
    for (const [key, hi] of hindiInstructions()) parts.push(`| ${key} | ${hi} |`);
    for (const d of definitions) {
        parts.push(`\n## ${d.name}\n\n${d.description}. Kind \`${d.kind}\`, data set \`${d.dataset}\`, answer order ${d.permute ? "permuted" : "fixed (survey order)"}.`);
        parts.push(
            d.answers.from === "labels"
                ? `Answers: ${d.answers.labels.map((l) => `\`${l.value}\` shown as "${l.text}"`).join(", ")} (Hindi strategies: its Hindi from instructions.hi.json).`
                : "Answers: the item's own options (a map item: its scale or its choices).",
        );
        for (const s of STRATEGIES) for (const slot of TEMPLATE_SLOTS) parts.push(`\n### ${d.name} / ${s} / ${slot}\n\n${fence(d.strategies[s][slot])}`);
    }
    return parts.join("\n") + "\n";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.stdout.write(promptsMarkdown(loadTaskDefinitions().values()));
