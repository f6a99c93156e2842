// Piscina worker entry: Node 20 does not carry `--import tsx` into worker threads, so the worker registers tsx
// itself before importing the TypeScript shard runner.
import { register } from "tsx/esm/api";

register();
const { runShard } = await import("./shardWorker.ts");
export default runShard;
