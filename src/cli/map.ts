// `culturescope map fit` and `culturescope map place`: fit the Inglehart–Welzel map from IVS microdata once, then
// place any model's answers on it. culturescope ships no projection: fitting needs the user's IVS microdata.
import path from "node:path";
import { Command, Option } from "commander";
import { integer } from "./options.ts";
import {
    DEFAULT_COUNTRY_COLUMN,
    DEFAULT_WEIGHT_COLUMN,
    fitCulturalMap,
    howToFit,
    ITEMS,
    loadProjection,
    placeModel,
    readMicrodataCsv,
    readModelAnswers,
    readReferencePositions,
    saveProjection,
    ANSWERS_EXAMPLE,
    INDIA,
    UNITED_STATES,
    type MapProjection,
    type Placement,
    type Y003Sign,
} from "../culturalmap/index.ts";

export interface MapFitOptions {
    microdata: string;
    out: string;
    countryCol: string;
    weightCol: string;
    delimiter: string;
    y003Sign: Y003Sign;
}

export async function mapFit(options: MapFitOptions): Promise<MapProjection> {
    const data = await readMicrodataCsv(options.microdata, { countryColumn: options.countryCol, weightColumn: options.weightCol, delimiter: options.delimiter });
    const projection = fitCulturalMap(data, { y003Sign: options.y003Sign });
    saveProjection(options.out, projection);
    return projection;
}

const signed = (v: number, digits = 3) => (v >= 0 ? "+" : "−") + Math.abs(v).toFixed(digits);
const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

export function formatFitReport(p: MapProjection, out: string): string {
    const lines = [
        `fitted on ${p.source.file}: ${p.fit.respondents} respondents, ${p.fit.completeRespondents} with all ten items`,
        `eigenvalues     ${p.fit.eigenvalues.map((e) => e.toFixed(3)).join("  ")}`,
        `variance        traditional/secular ${percent(p.fit.varianceExplained.rotated.traditionalSecular)}, survival/self-expression ${percent(p.fit.varianceExplained.rotated.survivalSelfExpression)}, total ${percent(p.fit.varianceExplained.total)}`,
        `varimax         ${p.fit.varimax.iterations} iterations${p.fit.varimax.converged ? "" : " (NOT converged)"}`,
        `Y003 coding     ${p.source.y003.convention} (${p.source.y003.decidedBy}; r(Y003, F063) = ${p.source.y003.correlationWithF063.toFixed(3)})`,
        ...(p.source.derivedItems.length ? [`derived         ${p.source.derivedItems.join(", ")} rebuilt from their IVS components`] : []),
        "",
        "item  label                                          secular  self-expr  communality",
        ...p.items.map((i) => `${i.code}  ${ITEMS[i.code].label.padEnd(45)}  ${signed(i.loadings.traditionalSecular).padStart(7)}  ${signed(i.loadings.survivalSelfExpression).padStart(9)}  ${i.communality.toFixed(3).padStart(11)}`),
        "",
        p.fit.itemsAgainstTheory.length
            ? `WARNING: ${p.fit.itemsAgainstTheory.join(", ")} ${p.fit.itemsAgainstTheory.length > 1 ? "load" : "loads"} against Inglehart & Welzel's direction on their axis; the data may not reproduce the map (too few countries?)`
            : "every item loads in Inglehart & Welzel's direction on its axis",
        `${p.countryYears.length} country-years placed${p.unplacedCountryYears.length ? `; not placed: ${p.unplacedCountryYears.map((u) => `${u.key} (${u.reason})`).join("; ")}` : ""}`,
        `wrote ${out}`,
    ];
    return lines.join("\n");
}

export interface MapPlaceOptions {
    artifact?: string;
    answers?: string;
    india: string;
    us: string;
}

export function mapPlace(options: MapPlaceOptions): Placement {
    if (!options.artifact) {
        throw new Error(
            `map place needs a fitted projection (--artifact FILE) and none was given. culturescope ships none, because the map is fitted on IVS respondent microdata that only the user can download; ${howToFit("map.json")}, then: culturescope map place --artifact map.json --answers answers.json`,
        );
    }
    const projection = loadProjection(options.artifact);
    if (!options.answers) throw new Error(`map place needs the model's answers (--answers FILE), a JSON object like ${JSON.stringify(ANSWERS_EXAMPLE)}`);
    const { label, coded } = readModelAnswers(options.answers);
    return placeModel(projection, coded, readReferencePositions(), { model: label ?? path.basename(options.answers, ".json"), india: options.india, unitedStates: options.us });
}

export function formatPlacement(p: Placement, top?: number): string {
    const at = (r: { TradAgg: number; SurvSAgg: number }) => `TradAgg ${signed(r.TradAgg)}  SurvSAgg ${signed(r.SurvSAgg)}`;
    const rows = top ? p.reference.slice(0, top) : p.reference;
    const width = Math.max(...rows.map((r) => `${r.name} ${r.year}`.length), 12);
    return [
        `model           ${p.model ?? "-"}`,
        `position        ${at(p.position)}   (secular-rational and self-expression positive)`,
        `India           ${p.india.year}  distance ${p.india.distance.toFixed(3)}  (${at(p.india)})`,
        `United States   ${p.unitedStates.year}  distance ${p.unitedStates.distance.toFixed(3)}  (${at(p.unitedStates)})`,
        "",
        `distance to each country's latest survey (${rows.length} of ${p.reference.length}, nearest first):`,
        ...rows.map((r, i) => `${String(i + 1).padStart(4)}  ${`${r.name} ${r.year}`.padEnd(width)}  ${r.distance.toFixed(3)}  ${at(r)}`),
        "",
        ...(p.fittedCountryYears.length
            ? [`nearest country-years of the fit itself: ${p.fittedCountryYears.slice(0, 5).map((c) => `${c.key} ${c.distance.toFixed(3)}`).join(", ")}`]
            : []),
        `note: ${p.caveat}`,
    ].join("\n");
}

export function mapCommand(): Command {
    const map = new Command("map").description("the Inglehart–Welzel cultural map: fit it from IVS microdata, place a model on it");
    map.command("fit")
        .description("fit the map (PCA + varimax on the ten items) from IVS respondent microdata and save the projection")
        .requiredOption("--microdata <file>", "CSV (or .csv.gz) with the columns A008 A165 E018 E025 F063 F118 F120 G006 Y002 Y003, a country-year and a weight")
        .requiredOption("--out <file>", "where to write the projection JSON")
        .option("--country-col <name>", "country-year column", DEFAULT_COUNTRY_COLUMN)
        .option("--weight-col <name>", "weight column", DEFAULT_WEIGHT_COLUMN)
        .option("--delimiter <char>", "field delimiter", ",")
        .addOption(new Option("--y003-sign <sign>", "how the file codes Y003: autonomy (+2 = independence), obedience (+2 = obedience, WVS longitudinal file), or auto").choices(["auto", "autonomy", "obedience"]).default("auto"))
        .action(async (options: MapFitOptions) => {
            const projection = await mapFit(options);
            console.log(formatFitReport(projection, options.out));
        });
    map.command("place")
        .description("place a model's ten answers on a fitted map and print its distances to India, the United States and every country")
        .option("--artifact <file>", "projection JSON written by `culturescope map fit`")
        .option("--answers <file>", "the model's answers (JSON)")
        .option("--india <geo>", "reference id of India", INDIA)
        .option("--us <geo>", "reference id of the United States", UNITED_STATES)
        .option("--top <n>", "list only the n nearest countries", integer(1))
        .option("--json", "print JSON instead of text", false)
        .action((options: MapPlaceOptions & { top?: number; json: boolean }) => {
            const placement = mapPlace(options);
            console.log(options.json ? JSON.stringify(placement, null, 2) : formatPlacement(placement, options.top));
        });
    return map;
}
