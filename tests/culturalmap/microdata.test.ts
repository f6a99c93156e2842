// Reading IVS microdata: what is accepted, and bad input that must stop with an error naming the problem and the fix.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { fitCulturalMap } from "../../src/culturalmap/fit.ts";
import { readMicrodataCsv } from "../../src/culturalmap/microdata.ts";
import { ITEM_ORDER, syntheticRespondents, toCsv } from "./synthetic.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-microdata-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
}

const header = ["S025", "S017", ...ITEM_ORDER];
const goodRow = ["3562023", "1", "2", "2", "1", "3", "9", "1", "1", "1", "1", "-1"];
const csv = (...rows: string[][]) => [header, ...rows].map((r) => r.join(",")).join("\n") + "\n";
const withCell = (row: string[], column: string, value: string) => row.map((c, i) => (header[i] === column ? value : c));

describe("reading microdata", () => {
    it("keeps the twelve columns, codes missing answers as NaN and keeps Y003's valid negatives", async () => {
        const file = write("ok.csv", csv(goodRow, withCell(withCell(goodRow, "F063", "-2"), "Y003", "-5"), withCell(goodRow, "A008", "")));
        const data = await readMicrodataCsv(file);
        expect(data.rows).toBe(3);
        expect(data.groups).toEqual(["3562023"]);
        expect(Array.from(data.items.F063)).toEqual([9, NaN, 9]);
        expect(Array.from(data.items.Y003)).toEqual([-1, NaN, -1]);
        expect(Array.from(data.items.A008)).toEqual([2, 2, NaN]);
        expect(data.sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it("matches column names case-insensitively, takes other country/weight columns, and reads .csv.gz", async () => {
        const rows = [["country", "wt", ...ITEM_ORDER.map((c) => c.toLowerCase())], ["FI 2005", "0.5", ...goodRow.slice(2)]];
        const file = write("lower.csv.gz", "");
        fs.writeFileSync(file, zlib.gzipSync(rows.map((r) => r.join(";")).join("\n")));
        const data = await readMicrodataCsv(file, { countryColumn: "country", weightColumn: "wt", delimiter: ";" });
        expect(data.groups).toEqual(["FI 2005"]);
        expect(Array.from(data.weight)).toEqual([0.5]);
        expect(Array.from(data.items.G006)).toEqual([1]);
    });

    it("derives Y002 and Y003 from their IVS components when the file lacks them", async () => {
        const h = ["S025", "S017", ...ITEM_ORDER.filter((c) => c !== "Y002" && c !== "Y003"), "E003", "E004", "A029", "A039", "A040", "A042"];
        const base = ["1", "1", "2", "2", "1", "3", "9", "1", "1", "1"];
        const rows = [
            [...base, "2", "4", "1", "1", "0", "0"], // post-materialist; autonomy +2
            [...base, "3", "1", "0", "0", "1", "1"], // materialist; −2
            [...base, "1", "2", "1", "0", "1", "0"], // mixed; 0
            [...base, "-1", "2", "1", "-2", "0", "0"], // goal missing → Y002 missing; a mention missing → Y003 missing
        ];
        const data = await readMicrodataCsv(write("components.csv", [h, ...rows].map((r) => r.join(",")).join("\n")));
        expect(data.derived).toEqual(["Y002", "Y003"]);
        expect(Array.from(data.items.Y002)).toEqual([3, 1, 2, NaN]);
        expect(Array.from(data.items.Y003)).toEqual([2, -2, 0, NaN]);
    });
});

describe("bad microdata stops with the problem and the fix", () => {
    it("missing columns: names each one and the option that renames it", async () => {
        const h = header.filter((c) => c !== "F063" && c !== "S017");
        const attempt = readMicrodataCsv(write("cols.csv", h.join(",") + "\n"));
        await expect(attempt).rejects.toThrow(/missing columns 'S017' \(case weight; name another column with --weight-col\), 'F063' \(item\)/);
    });

    it("missing Y003 with no components to derive it from", async () => {
        const h = header.filter((c) => c !== "Y003");
        await expect(readMicrodataCsv(write("noy003.csv", h.join(",") + "\n"))).rejects.toThrow(/'Y003' \(item; or its components A029, A039, A040, A042/);
    });

    it("a non-numeric cell: row, column, value, and how to code missing answers", async () => {
        const file = write("text.csv", csv(goodRow, withCell(goodRow, "F118", "NA")));
        await expect(readMicrodataCsv(file)).rejects.toThrow(/data row 2, column 'F118': 'NA' is not a number\. Code missing answers as an empty cell or a negative WVS code/);
    });

    it("an answer off the item's scale", async () => {
        const file = write("range.csv", csv(withCell(goodRow, "F063", "11")));
        await expect(readMicrodataCsv(file)).rejects.toThrow(/data row 1, column 'F063': 11 is not a F063 code \(valid: 1…10/);
    });

    it("an empty or negative weight", async () => {
        await expect(readMicrodataCsv(write("w1.csv", csv(withCell(goodRow, "S017", ""))))).rejects.toThrow(/column 'S017': the weight is empty; weights must be numbers ≥ 0/);
        await expect(readMicrodataCsv(write("w2.csv", csv(withCell(goodRow, "S017", "-1"))))).rejects.toThrow(/the weight is -1/);
    });

    it("a row with the wrong number of fields points at the delimiter", async () => {
        await expect(readMicrodataCsv(write("fields.csv", csv(goodRow).replace(/\n$/, "\n1;2;3\n")))).rejects.toThrow(/data row 2 has 1 fields but the header has 12; check the delimiter/);
    });

    it("a missing file, and an empty one", async () => {
        await expect(readMicrodataCsv(path.join(dir, "none.csv"))).rejects.toThrow(/microdata file not found: .*none\.csv/);
        await expect(readMicrodataCsv(write("empty.csv", ""))).rejects.toThrow(/the file is empty; it needs a header row and respondent rows/);
    });

    const rows = syntheticRespondents({ seed: 9, perCountry: 60, missing: 0.03 });
    const fit = async (name: string, text: string) => fitCulturalMap(await readMicrodataCsv(write(name, text)));

    it("an item nobody answered", async () => {
        const f120 = ITEM_ORDER.indexOf("F120");
        const text = toCsv(rows.map((r) => ({ ...r, cells: r.cells.map((c, i) => (i === f120 ? (i % 2 ? "" : "-2") : c)) })));
        await expect(fit("f120.csv", text)).rejects.toThrow(/item F120 \(Justifiable: abortion\) has no valid answer .*the map needs all ten items: check that the column holds F120/);
    });

    it("weights that are all zero", async () => {
        await expect(fit("zero.csv", toCsv(rows.map((r) => ({ ...r, weight: 0 }))))).rejects.toThrow(/all 300 weights in column 'S017' are zero.*check the weight column \(--weight-col\)/);
    });

    it("two items never asked together", async () => {
        const [a, b] = [ITEM_ORDER.indexOf("A165"), ITEM_ORDER.indexOf("G006")];
        const text = toCsv(rows.map((r, k) => ({ ...r, cells: r.cells.map((c, i) => ((k % 2 ? i === a : i === b) ? "" : c)) })));
        await expect(fit("pairs.csv", text)).rejects.toThrow(/no respondent answered both A165 and G006.*fit on data where every pair of items was asked together/);
    });
});
