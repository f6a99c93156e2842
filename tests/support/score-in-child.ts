// Scores the prefix-sharing test's workload in a separate process and prints the raw float64 bytes (base64), so
// the test can compare bits across processes. Usage: score-in-child.ts MODEL SEED N
import { Model } from "../../src/native/index.ts";
import { workload } from "./workload.ts";

const [modelPath, seed, n] = process.argv.slice(2);
const model = await Model.load(modelPath);
const scorer = model.createScorer({ contextSize: 1024, batchSize: 256, maxSequences: 16, threads: 2 });
const { results } = await scorer.score(workload(Number(seed), Number(n), model.info.nVocab));
const flat = results.flatMap((r) => r.continuations.flatMap((c) => [...c.logProbs, c.logSumExp]));
process.stdout.write(Buffer.from(new Float64Array(flat).buffer).toString("base64") + "\n");
scorer.dispose();
model.dispose();
