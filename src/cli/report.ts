// `culturescope report RUN_DIR` (re)writes a run's report.html; `culturescope compare RUN_A RUN_B` pairs two runs'
// items and writes compare.html and compare.json. main.ts adds both commands.
import { Command, Option } from "commander";
import { DEFAULT_BOOTSTRAP_OPTIONS } from "../metrics/bootstrap.ts";
import { writeComparison } from "../report/compare.ts";
import { writeReport } from "../report/report.ts";
import { integer } from "./options.ts";

export function reportCommand(): Command {
    return new Command("report")
        .description("write report.html into a run directory: the cultural map, opinion alignment, accuracies, position bias and throughput, in one self-contained page")
        .argument("<run-dir>", "a directory written by `culturescope run`")
        .action(async (runDir: string) => {
            console.log(await writeReport(runDir));
        });
}

export function compareCommand(): Command {
    return new Command("compare")
        .description("compare two runs item by item (e.g. a fine-tune and its base model, or two strategies): differences with paired-bootstrap intervals and the questions that flipped")
        .argument("<run-a>", "the first run directory (the baseline: differences are B − A)")
        .argument("<run-b>", "the second run directory")
        .option("--out <dir>", "where to write compare.html and compare.json (default: RUN_A/compare-<name of RUN_B>)")
        .addOption(new Option("--resamples <n>", "bootstrap resamples").argParser(integer(1)).default(DEFAULT_BOOTSTRAP_OPTIONS.resamples))
        .addOption(new Option("--seed <n>", "bootstrap seed").argParser(integer(0)).default(DEFAULT_BOOTSTRAP_OPTIONS.seed))
        .action(async (runA: string, runB: string, options: { out?: string; resamples: number; seed: number }) => {
            const { html, json, comparison } = await writeComparison(runA, runB, options.out, { resamples: options.resamples, seed: options.seed });
            for (const n of comparison.notCompared) console.log(`not compared: ${n.task} (only in run ${n.onlyIn})`);
            console.log(html);
            console.log(json);
        });
}
