// The `culturescope` command line. Each subcommand lives in its own module; this file only wires options.
import { Command } from "commander";
import { formatReport, nextTokenReport } from "./logits.ts";
import { integer } from "./options.ts";
import { mapCommand } from "./map.ts";
import { dataCommand } from "./data.ts";
import { mergeCommand, runCommand } from "./run.ts";
import { compareCommand, reportCommand } from "./report.ts";

const program = new Command()
    .name("culturescope")
    .description("Measure how culturally aligned a language model is, from its exact next-token log-probabilities.")
    .showHelpAfterError();

program
    .command("logits")
    .description("print the next-token distribution of a prompt")
    .requiredOption("--model <file>", "GGUF model file")
    .requiredOption("--prompt <text>", "prompt text")
    .option("--top <n>", "how many of the most likely tokens to show", integer(1), 10)
    .option("--gpu-layers <n>", "layers to offload to the GPU (-1: all)", integer(-1), 0)
    .option("--threads <n>", "CPU threads (default: all)", integer(1))
    .option("--no-bos", "do not add the model's BOS token")
    .option("--parse-special", "parse special-token text such as <|im_start|> in the prompt", false)
    .option("--json", "print JSON instead of a table", false)
    .action(async (options) => {
        const report = await nextTokenReport(options);
        console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
    });

program.addCommand(runCommand());
program.addCommand(mergeCommand());
program.addCommand(reportCommand());
program.addCommand(compareCommand());
program.addCommand(mapCommand());
program.addCommand(dataCommand());

try {
    await program.parseAsync(process.argv);
} catch (error) {
    console.error(`culturescope: ${(error as Error).message}`);
    // exit now: a failed download can leave node-llama-cpp's connections open, which would keep the process alive
    process.exit(1);
}
