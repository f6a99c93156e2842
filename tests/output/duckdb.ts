// DuckDB reads Arrow IPC files through its nanoarrow extension (read_arrow), which DuckDB does not bundle: it is
// installed once with `INSTALL nanoarrow FROM community` (network). Tests never download it; they use it when it
// is already installed and say why they skip otherwise.
import { DuckDBInstance } from "@duckdb/node-api";

export interface DuckdbArrowReader {
    available: boolean;
    reason: string;
    query(sql: string): Promise<unknown[][]>;
}

export async function duckdbArrowReader(): Promise<DuckdbArrowReader> {
    const instance = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false" });
    const connection = await instance.connect();
    const query = async (sql: string) => (await connection.runAndReadAll(sql)).getRows() as unknown[][];
    try {
        await connection.run("LOAD nanoarrow");
        return { available: true, reason: "", query };
    } catch (error) {
        const reason = `DuckDB's nanoarrow extension is not installed (run INSTALL nanoarrow FROM community once with network): ${(error as Error).message.split("\n")[0]}`;
        return { available: false, reason, query };
    }
}
