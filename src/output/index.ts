// A run's output: Arrow tables (schemas, rows from results), the run directory with atomic shard commits, run.json.
export * from "./schemas.ts";
export * from "./arrowTables.ts";
export * from "./resultRows.ts";
export * from "./runDirectory.ts";
export * from "./runRecord.ts";
export { writeFileAtomic, cleanUpTempFiles } from "./atomicFile.ts";
