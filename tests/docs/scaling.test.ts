// docs/SCALING.md's examples are shipped as files people submit as they are, so they are checked here: the
// Kubernetes manifests parse and have the shape a batch/v1 Indexed Job needs, and every culturescope command line in
// them, and in the Slurm scripts, uses only options that the command has, with values it accepts. The examples also
// have to agree with themselves: the shard count with the array size or completions, the merge's inputs with the
// shards' outputs, and the output paths with the shared volume.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { repoRoot } from "../support/models.ts";

const examples = path.join(repoRoot, "docs", "examples");
const read = (name: string) => fs.readFileSync(path.join(examples, name), "utf8");

// The options from the `culturescope run` / `culturescope merge` specification (issue 5), with whether each takes a
// value. Written out here until the commands exist; then these can be read from `culturescope run --help`.
const RUN_OPTIONS: Record<string, "value" | "flag"> = {
    "--config": "value", "--model": "value", "--tasks": "value", "--strategies": "value", "--country": "value",
    "--compare-country": "value", "--mode": "value", "--trials": "value", "--temperature": "value", "--seed": "value",
    "--max-permutations": "value", "--limit": "value", "--workers": "value", "--threads": "value", "--gpu-layers": "value",
    "--ctx": "value", "--batch": "value", "--out": "value", "--resume": "flag", "--shard": "value",
    "--map-projection": "value", "--no-report": "flag", "--quiet": "flag", "--json": "flag",
};
const MERGE_OPTIONS: Record<string, "value" | "flag"> = { "--out": "value" };
const TASKS = ["opinion", "culturalbench-easy", "culturalbench-hard", "normad", "culturalmap"];
const STRATEGIES = ["default", "demographic", "crosslingual", "hindi"];

interface Invocation {
    command: "run" | "merge";
    /** Option name → its values, in order (flags get ""). */
    options: Map<string, string[]>;
    /** Arguments that are not options (merge's input folders). */
    positional: string[];
}

/** Splits a shell command line into words, honouring single and double quotes (no expansion: `${X}` stays as written). */
function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | null = null;
    let quote: "'" | '"' | null = null;
    for (const ch of line) {
        if (quote) {
            if (ch === quote) quote = null;
            else word += ch;
        } else if (ch === "'" || ch === '"') {
            quote = ch;
            word ??= "";
        } else if (/\s/.test(ch)) {
            if (word !== null) words.push(word);
            word = null;
        } else word = (word ?? "") + ch;
    }
    if (quote) throw new Error(`unclosed quote in: ${line}`);
    if (word !== null) words.push(word);
    return words;
}

/** Reads `culturescope <run|merge> ...` from argv words, checking every option against the specification. */
function invocation(words: string[]): Invocation {
    const at = words.indexOf("culturescope");
    expect(at, `no culturescope in ${words.join(" ")}`).toBeGreaterThanOrEqual(0);
    const command = words[at + 1];
    expect(["run", "merge"]).toContain(command);
    const spec = command === "run" ? RUN_OPTIONS : MERGE_OPTIONS;
    const options = new Map<string, string[]>();
    const positional: string[] = [];
    const rest = words.slice(at + 2);
    for (let i = 0; i < rest.length; i++) {
        const word = rest[i];
        if (!word.startsWith("--")) {
            positional.push(word);
            continue;
        }
        expect(Object.keys(spec), `culturescope ${command} has no option ${word}`).toContain(word);
        let value = "";
        if (spec[word] === "value") {
            value = rest[++i];
            expect(value, `${word} needs a value`).toBeDefined();
            expect(value.startsWith("--") && !/^-\d/.test(value), `${word} is followed by ${value}, not a value`).toBe(false);
        }
        if (options.has(word) && word !== "--model") throw new Error(`${word} is given twice`);
        options.set(word, [...(options.get(word) ?? []), value]);
    }
    const only = (name: string) => options.get(name)?.[0];
    // Values with a fixed set of choices, checked as the command would.
    for (const task of only("--tasks")?.split(",") ?? []) expect(TASKS).toContain(task);
    for (const strategy of only("--strategies")?.split(",") ?? []) expect(STRATEGIES).toContain(strategy);
    if (only("--mode")) expect(["logit", "sample"]).toContain(only("--mode"));
    for (const name of ["--workers", "--threads", "--trials", "--limit", "--ctx", "--batch"]) {
        if (only(name)) expect(Number.isInteger(Number(only(name))) && Number(only(name)) >= 1, `${name} ${only(name)}`).toBe(true);
    }
    if (only("--gpu-layers")) expect(Number.isInteger(Number(only("--gpu-layers"))) && Number(only("--gpu-layers")) >= -1).toBe(true);
    return { command: command as Invocation["command"], options, positional };
}

/** The culturescope command lines of a shell script: comments dropped, backslash-continued lines joined. */
function scriptInvocations(script: string): Invocation[] {
    const joined = script.replace(/\\\n/g, " ");
    return joined
        .split("\n")
        .filter((line) => !line.trimStart().startsWith("#") && /\bculturescope\s+\S/.test(line))
        .map((line) => invocation(shellWords(line)));
}

const sbatchDirective = (script: string, name: string) => new RegExp(`^#SBATCH\\s+--${name}=(\\S+)`, "m").exec(script)?.[1];

describe("the option checker", () => {
    // The checks below are only worth something if the checker rejects what the command would.
    it.each([
        ["culturescope run --modle x.gguf", "has no option --modle"],
        ["culturescope run --model x.gguf --shard", "--shard needs a value"],
        ["culturescope run --tasks opinion,bogus", "bogus"],
        ["culturescope run --out a --out b", "--out is given twice"],
        ["culturescope merge a b --resume", "has no option --resume"],
    ])("rejects %s", (line, why) => {
        expect(() => invocation(shellWords(line))).toThrow(why);
    });

    it("reads quoted values and repeated --model", () => {
        const run = invocation(shellWords(`culturescope run --model "a b.gguf" --model 'hf:o/r:Q4_K_M' --shard "\${SLURM_ARRAY_TASK_ID}/8" --resume`));
        expect(run.options.get("--model")).toEqual(["a b.gguf", "hf:o/r:Q4_K_M"]);
        expect(run.options.get("--shard")).toEqual(["${SLURM_ARRAY_TASK_ID}/8"]);
        expect(run.options.get("--resume")).toEqual([""]);
    });
});

describe("docs/examples: Slurm", () => {
    const sweep = read("slurm-sweep.sbatch");
    const merge = read("slurm-merge.sbatch");

    it("runs shard SLURM_ARRAY_TASK_ID of as many shards as the array has tasks, on a GPU", () => {
        const runs = scriptInvocations(sweep);
        expect(runs).toHaveLength(1);
        const [run] = runs;
        expect(run.command).toBe("run");
        const array = /^0-(\d+)$/.exec(sbatchDirective(sweep, "array") ?? "");
        expect(array, "#SBATCH --array=0-(N-1)").not.toBeNull();
        expect(run.options.get("--shard")).toEqual([`\${SLURM_ARRAY_TASK_ID}/${Number(array![1]) + 1}`]);
        expect(run.options.get("--out")?.[0]).toContain("${SLURM_ARRAY_TASK_ID}");
        expect(sbatchDirective(sweep, "gres") ?? sbatchDirective(sweep, "gpus")).toMatch(/gpu|^\d+$/);
        expect(run.options.get("--gpu-layers")).toEqual(["-1"]);
        // workers × threads = the CPUs Slurm gives the task.
        expect(Number(run.options.get("--workers")![0]) * Number(run.options.get("--threads")![0])).toBe(Number(sbatchDirective(sweep, "cpus-per-task")));
    });

    it("merges exactly the folders the shards write", () => {
        const [run] = scriptInvocations(sweep);
        const merges = scriptInvocations(merge);
        expect(merges).toHaveLength(1);
        expect(merges[0].command).toBe("merge");
        const shardOut = run.options.get("--out")![0];
        expect(merges[0].positional).toEqual([shardOut.replace("${SLURM_ARRAY_TASK_ID}", "*")]);
        expect(merges[0].options.get("--out")).toHaveLength(1);
    });

    it("is a bash script whose #SBATCH lines Slurm reads (before the first command)", () => {
        for (const script of [sweep, merge]) {
            expect(script.startsWith("#!/bin/bash\n")).toBe(true);
            const lines = script.split("\n");
            const firstCommand = lines.findIndex((line, i) => i > 0 && line.trim() !== "" && !line.startsWith("#"));
            const lastDirective = lines.map((line) => line.startsWith("#SBATCH")).lastIndexOf(true);
            expect(lastDirective).toBeLessThan(firstCommand);
        }
    });
});

describe("docs/examples: Kubernetes", () => {
    const documents = (name: string) => {
        const docs = YAML.parseAllDocuments(read(name));
        for (const doc of docs) expect(doc.errors, `${name}: ${doc.errors.join("; ")}`).toEqual([]);
        return docs.map((doc) => doc.toJS() as Record<string, any>);
    };
    const sweepDocs = documents("k8s-indexed-job.yaml");
    const mergeDocs = documents("k8s-merge-job.yaml");
    const sweep = sweepDocs.find((doc) => doc.kind === "Job")!;
    const mergeJob = mergeDocs.find((doc) => doc.kind === "Job")!;
    const claim = sweepDocs.find((doc) => doc.kind === "PersistentVolumeClaim")!;

    /** The fields a batch/v1 Job must have for the API server to accept it. */
    function expectJob(job: Record<string, any>): Record<string, any> {
        expect(job.apiVersion).toBe("batch/v1");
        expect(job.kind).toBe("Job");
        expect(job.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        const pod = job.spec.template.spec;
        expect(["Never", "OnFailure"]).toContain(pod.restartPolicy); // a Job's pods may not restart Always
        expect(pod.containers.length).toBeGreaterThan(0);
        for (const c of pod.containers) {
            expect(typeof c.name).toBe("string");
            expect(typeof c.image).toBe("string");
            // Kubernetes wants strings in command and args: a bare number would be rejected.
            for (const word of [...(c.command ?? []), ...(c.args ?? [])]) expect(typeof word).toBe("string");
        }
        return pod;
    }

    /** The container's argv, with a `sh -c` script split into words. */
    function argv(container: Record<string, any>): string[] {
        const words = [...(container.command ?? []), ...(container.args ?? [])];
        if (words[0] === "/bin/sh" && words[1] === "-c") return shellWords(words[2]);
        return words;
    }

    it("holds a valid batch/v1 Indexed Job with one shard per completion index, each with a GPU", () => {
        const pod = expectJob(sweep);
        expect(sweep.spec.completionMode).toBe("Indexed");
        expect(Number.isInteger(sweep.spec.completions)).toBe(true); // required by Indexed mode
        expect(sweep.spec.parallelism).toBeLessThanOrEqual(sweep.spec.completions);
        const [container] = pod.containers;
        const run = invocation(argv(container));
        expect(run.command).toBe("run");
        expect(run.options.get("--shard")).toEqual([`$(JOB_COMPLETION_INDEX)/${sweep.spec.completions}`]);
        expect(run.options.get("--out")?.[0]).toContain("$(JOB_COMPLETION_INDEX)");
        expect(Number(container.resources.limits["nvidia.com/gpu"])).toBeGreaterThanOrEqual(1);
        expect(Number(run.options.get("--workers")![0]) * Number(run.options.get("--threads")![0])).toBe(Number(container.resources.requests.cpu));
        // $(VAR) is only expanded for variables the container defines (JOB_COMPLETION_INDEX comes from the controller).
        const defined = new Set(["JOB_COMPLETION_INDEX", ...(container.env ?? []).map((e: { name: string }) => e.name)]);
        for (const word of argv(container)) for (const [, name] of word.matchAll(/\$\((\w+)\)/g)) expect(defined).toContain(name);
    });

    it("writes the shards to the shared claim, and merges exactly those folders from it", () => {
        expect(claim.apiVersion).toBe("v1");
        expect(claim.spec.accessModes).toContain("ReadWriteMany");
        const mounted = (job: Record<string, any>) => {
            const pod = job.spec.template.spec;
            const volume = pod.volumes.find((v: any) => v.persistentVolumeClaim?.claimName === claim.metadata.name);
            expect(volume, `${job.metadata.name} mounts ${claim.metadata.name}`).toBeDefined();
            return pod.containers[0].volumeMounts.find((m: any) => m.name === volume.name).mountPath as string;
        };
        const shardOut = invocation(argv(sweep.spec.template.spec.containers[0])).options.get("--out")![0];
        expect(shardOut.startsWith(mounted(sweep) + "/")).toBe(true);

        expectJob(mergeJob);
        const merge = invocation(argv(mergeJob.spec.template.spec.containers[0]));
        expect(merge.command).toBe("merge");
        expect(merge.positional).toEqual([shardOut.replace("$(JOB_COMPLETION_INDEX)", "*")]);
        expect(merge.options.get("--out")![0].startsWith(mounted(mergeJob) + "/")).toBe(true);
        expect(mergeJob.spec.completionMode).toBeUndefined();
    });
});

describe("docs/SCALING.md", () => {
    const doc = fs.readFileSync(path.join(repoRoot, "docs", "SCALING.md"), "utf8");

    it("links every example file, and every example file exists", () => {
        const linked = [...doc.matchAll(/\]\((examples\/[^)]+)\)/g)].map((m) => m[1]);
        expect(new Set(linked)).toEqual(new Set(fs.readdirSync(examples).map((name) => `examples/${name}`)));
    });

    it("shows the Slurm example as the file has it", () => {
        const sweep = read("slurm-sweep.sbatch");
        const block = /```bash\n([\s\S]*?)```/.exec(doc)![1];
        for (const line of block.split("\n").filter((l) => l.startsWith("#SBATCH"))) expect(sweep).toContain(line);
        const command = /^culturescope run[\s\S]*?--quiet$/m.exec(block)![0];
        expect(sweep).toContain(command);
    });

    it("uses only existing options in the command lines it shows", () => {
        const lines = doc.replace(/\\\n/g, " ").split("\n").filter((line) => /^\s*(npx )?culturescope (run|merge)\b/.test(line) || /`culturescope (run|merge) [^`]+`/.test(line));
        expect(lines.length).toBeGreaterThan(2);
        for (const line of lines) {
            const code = /`(culturescope (?:run|merge) [^`]+)`/.exec(line)?.[1] ?? line.replace(/#.*$/, "");
            // Shorthands of the prose ("[same options]", "…") are not options.
            invocation(shellWords(code.replace(/\[[^\]]*\]|…/g, "")));
        }
    });
});
