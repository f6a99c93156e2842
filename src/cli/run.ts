// `culturescope run` and `culturescope merge`: option wiring, Ctrl-C, and what is printed at the end (a table of the
// headline numbers per model × strategy, where the files are, and what the numbers mean).
import { Command, Option } from "commander";
import Table from "cli-table3";
import { FLASH_ATTENTION, KV_CACHE_TYPES, mergeOptions, MODES, readConfigFile, TASK_NAMES, type RunOptionsInput } from "../run/config.ts";
import { STRATEGIES } from "../tasks/definitions.ts";
import { runAudit, type RunOutcome } from "../run/runAudit.ts";
import { mergeRuns } from "../run/merge.ts";
import type { MetricRow, MapRow } from "../output/schemas.ts";

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function runCommand(): Command {
    return new Command("run")
        .description("run the audit: every task under every strategy, written as Arrow tables, metrics and report.html")
        .option("--config <file>", "YAML or JSON file with any of these options (the command line wins)")
        .option("--model <file|hf:ref>", "GGUF model file or hf:owner/repo/file.gguf; repeat for several models (default: the bundled random-weight tiny model, a smoke test)", collect)
        .option("--tasks <list>", `comma-separated tasks: ${TASK_NAMES.join(", ")} (default: all installed)`)
        .option("--strategies <list>", `comma-separated prompt strategies: ${STRATEGIES.join(", ")} (default: all)`)
        .option("--country <name>", "the focus country: persona of the demographic strategy, CAD's first term (default India)")
        .option("--compare-country <name>", "the comparison country (default United States)")
        .addOption(new Option("--mode <mode>", "logit: option distribution from next-token log-probs; sample: seeded sampled answers").choices([...MODES]))
        .option("--trials <n>", "sampling mode: answers per item (default 5)")
        .option("--temperature <t>", "sampling mode: temperature (default 0.3)")
        .option("--seed <n>", "seed of sampling and of the bootstrap intervals")
        .option("--max-permutations <n>", "answer orders per item at most (default: all k! for k ≤ 4 options, else 2k)")
        .option("--limit <n>", "only the first N questions (stories) of each task")
        .option("--workers <n>", "worker threads, each with its own llama.cpp context (results do not depend on it)")
        .option("--threads <n>", "CPU threads per worker (default: cores / workers)")
        .option("--gpu-layers <n>", "layers to offload to the GPU (-1: all; default 0)")
        .option("--ctx <n>", "context size of each worker's scorer (default 4096)")
        .option("--batch <n>", "tokens per llama_decode (default 512: each token attends to its whole batch)")
        .addOption(new Option("--kv-cache <type>", "KV cache precision: f32 is exact (default); f16 is faster and moves log-probs by ~1e-3").choices([...KV_CACHE_TYPES]))
        .addOption(new Option("--flash-attention <mode>", "off is exact (default); on/auto is faster on GPUs and moves log-probs by ~1e-3").choices([...FLASH_ATTENTION]))
        .option("--map-projection <file>", "cultural-map projection from `culturescope map fit`, to place the models on the map")
        .option("--out <dir>", "run directory (default culturescope-runs/run-<time>)")
        .option("--resume", "continue the run in --out: finished shards are kept, the config must match")
        .option("--shard <i/N>", "run only share i of N (0-based) of the work, e.g. one Slurm array task; combine with `culturescope merge`")
        .option("--no-report", "do not write report.html")
        .option("--quiet", "plain progress lines on stderr instead of the live display")
        .option("--json", "print the outcome as JSON on stdout (progress lines go to stderr)")
        .action(async (options: RunOptionsInput & { config?: string }) => {
            const input = options.config ? mergeOptions(readConfigFile(options.config), withoutConfig(options)) : options;
            const outcome = await runAudit(input, { stopRequested: ctrlC() });
            printOutcome(outcome, input);
            if (!outcome.complete) process.exitCode = outcome.interrupted ? 130 : 1;
        });
}

export function mergeCommand(): Command {
    return new Command("merge")
        .description("combine the run directories of `culturescope run --shard i/N` into one run, with metrics and report")
        .argument("<dirs...>", "shard run directories (all made with the same config)")
        .requiredOption("--out <dir>", "the merged run directory")
        .option("--partial", "merge even when some shards are missing (the metrics then cover only what is there)")
        .option("--no-report", "do not write report.html")
        .option("--json", "print the outcome as JSON")
        .action(async (dirs: string[], options: { out: string; partial?: boolean; report: boolean; json?: boolean }) => {
            const outcome = await mergeRuns(dirs, options.out, { partial: options.partial === true, report: options.report });
            printOutcome(outcome, { json: options.json });
        });
}

function withoutConfig(options: RunOptionsInput & { config?: string }): RunOptionsInput {
    // commander sets report: true by default; a config file's `report: false` must survive unless --no-report was typed
    const { config: _config, ...rest } = options;
    if (rest.report === true && !process.argv.includes("--no-report")) delete rest.report;
    return rest;
}

/** First Ctrl-C: finish the running shards, save them and stop. Second: quit at once (saved shards stay valid). */
function ctrlC(): Promise<void> {
    return new Promise((resolve) => {
        process.once("SIGINT", () => {
            resolve();
            process.once("SIGINT", () => process.exit(130));
        });
    });
}

const metric = (metrics: readonly MetricRow[], model: string, strategy: string, task: string, name: string, pick: (m: MetricRow) => boolean = () => true) =>
    metrics.find((m) => m.model === model && m.strategy === strategy && m.task === task && m.metric === name && pick(m));

const withCi = (m: MetricRow | undefined, digits = 3) => (m ? `${m.value.toFixed(digits)} [${m.ci_lower?.toFixed(digits)}, ${m.ci_upper?.toFixed(digits)}]` : "–");

/** The headline numbers per model × strategy. */
export function headlineTable(metrics: readonly MetricRow[], map: readonly MapRow[], countries: { country: string; compareCountry: string }): string {
    const pairs = [...new Set(metrics.map((m) => `${m.model}\u0000${m.strategy}`).concat(map.map((m) => `${m.model}\u0000${m.strategy}`)))].map((k) => k.split("\u0000"));
    const overall = (m: MetricRow) => m.subset === null && m.country === null && JSON.parse(m.parameters).trialAggregation !== "majority-vote";
    const table = new Table({
        head: ["model", "strategy", `Sim ${countries.country}`, `Sim ${countries.compareCountry}`, "CAD [95% CI]", "nCAD", "CB-Easy acc", "CB-Hard acc", "NormAd acc", "map dist."],
        style: { head: [], border: [] },
    });
    for (const [model, strategy] of pairs) {
        const sims = metrics.filter((m) => m.model === model && m.strategy === strategy && m.task === "opinion" && m.metric === "similarity" && m.subset === null);
        const mapRow = map.find((m) => m.model === model && m.strategy === strategy);
        table.push([
            model,
            strategy,
            sims[0] ? sims.find((s) => s.country?.startsWith(countries.country))?.value.toFixed(3) ?? "–" : "–",
            sims[0] ? sims.find((s) => s.country?.startsWith(countries.compareCountry))?.value.toFixed(3) ?? "–" : "–",
            withCi(metric(metrics, model, strategy, "opinion", "cad", (m) => m.subset === null)),
            metric(metrics, model, strategy, "opinion", "ncad", (m) => m.subset === null)?.value.toFixed(3) ?? "–",
            withCi(metric(metrics, model, strategy, "culturalbench-easy", "accuracy", overall)),
            withCi(metric(metrics, model, strategy, "culturalbench-hard", "accuracy", overall)),
            withCi(metric(metrics, model, strategy, "normad", "accuracy", overall)),
            mapRow ? `${mapRow.distance_india.toFixed(2)} / ${mapRow.distance_united_states.toFixed(2)}` : "–",
        ]);
    }
    return table.toString();
}

function printOutcome(outcome: RunOutcome, input: { json?: boolean; quiet?: boolean }) {
    const { record } = outcome;
    if (input.json) {
        const { summary, ...rest } = outcome;
        console.log(JSON.stringify({ ...rest, metrics: summary?.metrics ?? [], map: summary?.map ?? [], notes: summary?.notes ?? [] }, null, 2));
        return;
    }
    const config = record.config as { country: string; compareCountry: string };
    const lines: string[] = [];
    if (outcome.summary && (outcome.summary.metrics.length || outcome.summary.map.length)) lines.push(headlineTable(outcome.summary.metrics, outcome.summary.map, config), "");
    if (outcome.summary) lines.push(`CAD = Sim(${config.country}) − Sim(${config.compareCountry}), Sim = 1 − Jensen–Shannon distance (base 2); > 0 means closer to ${config.country}. map dist. = distance to ${config.country} / ${config.compareCountry} on the Inglehart–Welzel map. Definitions: docs/METRICS.md.`);
    const t = record.throughput;
    if (t && t.prompts) lines.push(`scored ${t.prompts} prompts (${t.tokens} tokens) in ${t.seconds.toFixed(1)} s: ${t.promptsPerSecond.toFixed(1)} prompts/s, ${t.tokensPerSecond.toFixed(0)} tokens/s on ${t.device}, ${t.workers} worker(s)`);
    for (const s of record.skippedTasks ?? []) lines.push(`not run: ${s.task}: ${s.reason}; install it with \`${s.fix}\``);
    for (const f of outcome.failedShards) lines.push(`FAILED shard ${f.id}: ${f.error}`);
    if (outcome.complete && record.shard) lines.push(`shard ${record.shard.index}/${record.shard.count} done (${outcome.shardsTotal} of ${record.plannedShards} shards); when every share is done: culturescope merge <the shard directories> --out <dir>`);
    else if (!outcome.complete) lines.push(`the run is not complete (${outcome.failedShards.length} failed shard(s)${outcome.interrupted ? ", interrupted" : ""}): rerun with --resume --out ${outcome.dir}`);
    lines.push(`results: ${outcome.dir} (run.json, Arrow tables *.arrow; schema in docs/OUTPUT.md)`);
    if (outcome.reportPath) lines.push(`report:  ${outcome.reportPath}`);
    for (const w of record.warnings ?? []) lines.push(`WARNING: ${w}`);
    console.log(lines.join("\n"));
}
