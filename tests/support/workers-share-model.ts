// Two worker threads load the same GGUF and score the same requests; the main thread reports what the process
// holds while they are loaded. Prints JSON: { modelsWhileLoaded, results: [base64, base64] }. Usage: MODEL
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { loadAddon, Model } from "../../src/native/index.ts";

if (isMainThread) {
    const file = process.argv[2];
    const workers = [0, 1].map(() => new Worker(new URL("./ts-worker.mjs", import.meta.url), { workerData: { file, entry: import.meta.url } }));
    const loaded = await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))));
    const modelsWhileLoaded = loadAddon().addon.loadedModels();
    workers.forEach((w) => w.postMessage("score"));
    const results = await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))));
    await Promise.all(workers.map((w) => w.terminate()));
    console.log(JSON.stringify({ loaded, modelsWhileLoaded, results, modelsAfter: loadAddon().addon.loadedModels() }));
} else {
    const model = await Model.load(workerData.file);
    const scorer = model.createScorer({ contextSize: 256, threads: 1 });
    parentPort!.postMessage("loaded");
    parentPort!.once("message", async () => {
        const { results } = await scorer.score([{ prefix: [1, 450, 7483, 310], continuations: [[7513], [4908]], candidates: [319, 350] }]);
        const flat = results[0].continuations.flatMap((c) => [...c.logProbs]);
        scorer.dispose();
        model.dispose();
        await new Promise((resolve) => setImmediate(resolve));
        parentPort!.postMessage(Buffer.from(new Float64Array(flat).buffer).toString("base64"));
    });
}
