// Helpers for the data-set tests: writing CSV the way Python's csv module does (quote a field only when it holds a
// comma, quote or line break), and catching a loader's DatasetFormatError to look at its problems.
import { expect } from "vitest";
import { DatasetFormatError } from "../../src/datasets/csvTable.ts";

const quoted = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field);

export function csvText(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
    return [header, ...rows].map((fields) => fields.map(quoted).join(",")).join("\n") + "\n";
}

export function formatError(load: () => unknown): DatasetFormatError {
    try {
        load();
    } catch (error) {
        expect(error).toBeInstanceOf(DatasetFormatError);
        return error as DatasetFormatError;
    }
    throw new Error("the loader accepted the data");
}
