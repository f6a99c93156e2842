// The official country positions shipped in datasets/cultural_map/ (IVS TradAgg / SurvSAgg means per country-year).
// The source stores SurvSAgg with survival positive; it is negated here so that both axes point to the
// secular-rational / self-expression pole, as a fitted projection does (see datasets/cultural_map/PROVENANCE.md).
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";

export const REFERENCE_DIR = fileURLToPath(new URL("../../datasets/cultural_map/open_numbers_ivs_indicators/", import.meta.url));

export interface ReferencePosition {
    /** open-numbers country id, e.g. `india`, `united_states`. */
    geo: string;
    name: string;
    /** Survey year of the IVS wave. */
    year: number;
    TradAgg: number;
    /** Self-expression positive (the source's `survsagg` negated). */
    SurvSAgg: number;
}

export const INDIA = "india";
export const UNITED_STATES = "united_states";

function readCsv(dir: string, file: string, columns: string[]): Record<string, string>[] {
    const text = fs.readFileSync(dir + file, "utf8");
    const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    const missing = columns.filter((c) => rows.length && !(c in rows[0]));
    if (!rows.length || missing.length) throw new Error(`${dir + file}: expected columns ${columns.join(", ")}; the shipped reference file is damaged (restore it from git)`);
    return rows;
}

/** Every country-year of the reference table, sorted by country then year. */
export function readReferencePositions(dir: string = REFERENCE_DIR): ReferencePosition[] {
    const names = new Map(readCsv(dir, "ddf--entities--geo--country.csv", ["country", "name"]).map((r) => [r.country, r.name]));
    const surv = new Map(readCsv(dir, "ddf--datapoints--survsagg--by--geo--year.csv", ["geo", "year", "survsagg"]).map((r) => [`${r.geo}|${r.year}`, Number(r.survsagg)]));
    const positions = readCsv(dir, "ddf--datapoints--tradagg--by--geo--year.csv", ["geo", "year", "tradagg"]).map((r) => {
        const survsagg = surv.get(`${r.geo}|${r.year}`);
        const position = { geo: r.geo, name: names.get(r.geo) ?? r.geo, year: Number(r.year), TradAgg: Number(r.tradagg), SurvSAgg: survsagg === undefined ? NaN : -survsagg };
        if (![position.year, position.TradAgg, position.SurvSAgg].every(Number.isFinite)) {
            throw new Error(`${dir}: ${r.geo} ${r.year} lacks a numeric tradagg or survsagg; the shipped reference files are damaged (restore them from git)`);
        }
        return position;
    });
    return positions.sort((a, b) => a.geo.localeCompare(b.geo) || a.year - b.year);
}

/** Each country's most recent survey. */
export function latestPerCountry(positions: readonly ReferencePosition[]): ReferencePosition[] {
    const latest = new Map<string, ReferencePosition>();
    for (const p of positions) if (!latest.has(p.geo) || latest.get(p.geo)!.year < p.year) latest.set(p.geo, p);
    return [...latest.values()];
}
