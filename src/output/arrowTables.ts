// Rows to Arrow tables under the fixed schemas, and Arrow IPC file bytes (the random-access `.arrow` format that
// pyarrow.ipc.open_file, polars.read_ipc and DuckDB's read_arrow all read).
import { Table, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from "apache-arrow";
import { SCHEMAS, type RowOf, type TableName } from "./schemas.ts";

/** An Arrow table of one kind, built column by column with the schema's explicit types. */
export function buildTable<N extends TableName>(name: N, rows: readonly RowOf[N][]): Table {
    const schema = SCHEMAS[name];
    // an empty table is its schema alone (zero-length columns would carry no batch to hold the schema's types)
    if (rows.length === 0) return new Table(schema);
    const columns: Record<string, Vector> = {};
    for (const field of schema.fields) {
        const values = rows.map((row) => (row as unknown as Record<string, unknown>)[field.name]);
        if (!field.nullable) {
            const missing = values.findIndex((v) => v === null || v === undefined);
            if (missing >= 0) throw new Error(`${name} row ${missing}: column ${field.name} is required but is ${values[missing]}`);
        }
        columns[field.name] = vectorFromArray(values, field.type);
    }
    return new Table(schema, columns);
}

export function tableToIpcFile(table: Table): Uint8Array {
    return tableToIPC(table, "file");
}

export function tableFromIpcFile(bytes: Uint8Array): Table {
    return tableFromIPC(bytes);
}

/** Plain JS rows of a table (lists as arrays), for tests and small tables. */
export function tableRows(table: Table): Record<string, unknown>[] {
    return table.toArray().map((row) => {
        const plain: Record<string, unknown> = {};
        for (const field of table.schema.fields) {
            const value = (row as Record<string, unknown>)[field.name];
            plain[field.name] = value && typeof value === "object" && "toArray" in value ? Array.from((value as Vector).toArray() as ArrayLike<unknown>) : value;
        }
        return plain;
    });
}
