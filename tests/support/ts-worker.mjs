// Worker-thread entry for TypeScript modules: Node 20 does not carry `--import tsx` into worker threads, so the
// worker registers tsx itself, then imports the module named in workerData.entry.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
