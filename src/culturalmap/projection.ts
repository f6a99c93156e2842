// The fitted cultural-map projection: everything needed to put one coded set of answers on the map, saved as a
// small versioned JSON file by `culturescope map fit` and read by `culturescope map place`.
import fs from "node:fs";
import { ITEM_CODES, type ItemCode } from "./items.ts";

export const PROJECTION_SCHEMA = "culturescope/cultural-map-projection";
export const PROJECTION_SCHEMA_VERSION = 1;

/** The published linear rescaling of the two factor scores (WVS cultural-map syntax: COMPUTE TradAgg / SurvSAgg). */
export const PUBLISHED_RESCALE = {
    TradAgg: { scale: 1.61, offset: -0.1 },
    SurvSAgg: { scale: 1.81, offset: 0.038 },
} as const;

export interface AxisPair<T> {
    traditionalSecular: T;
    survivalSelfExpression: T;
}

export interface ProjectionItem {
    code: ItemCode;
    /** Weighted mean and SD (population form) over the respondents who answered the item. */
    mean: number;
    sd: number;
    respondents: number;
    /** Varimax-rotated, oriented loadings (secular-rational and self-expression positive). */
    loadings: AxisPair<number>;
    /** Regression factor-score coefficients applied to the standardised answer. */
    scoreCoefficients: AxisPair<number>;
    communality: number;
}

export interface CountryYearPosition {
    key: string;
    /** Respondents with all ten items and a positive weight: the only ones the official syntax scores. */
    respondents: number;
    weight: number;
    TradAgg: number;
    SurvSAgg: number;
}

export interface MapProjection {
    schema: typeof PROJECTION_SCHEMA;
    schemaVersion: typeof PROJECTION_SCHEMA_VERSION;
    createdAt: string;
    source: {
        file: string;
        sha256?: string;
        rows: number;
        countryColumn: string;
        weightColumn: string;
        /** Derived items rebuilt from their IVS components because the file lacked them. */
        derivedItems: ItemCode[];
        /** How the file codes Y003; an obedience-positive file (the WVS longitudinal file) is sign-flipped on input. */
        y003: { convention: "autonomy-positive" | "obedience-positive"; decidedBy: "option" | "correlation with F063"; correlationWithF063: number };
    };
    items: ProjectionItem[];
    rescale: typeof PUBLISHED_RESCALE;
    fit: {
        method: string;
        /** Pairwise weighted correlation matrix in `items` order, and the respondents behind each entry. */
        correlation: number[][];
        pairwiseRespondents: number[][];
        eigenvalues: number[];
        /** Share of the ten items' variance: each unrotated component, and each rotated factor. */
        varianceExplained: { unrotated: number[]; rotated: AxisPair<number>; total: number };
        unrotatedLoadings: number[][];
        /** Varimax rotation T (unrotated · T = rotated), before the columns are assigned and signed. */
        rotation: number[][];
        varimax: { iterations: number; converged: boolean };
        /** Which rotated column became which axis, and the sign applied to it. */
        orientation: AxisPair<{ column: number; sign: 1 | -1 }> & { rule: string };
        /** Items whose loading on their own axis has the sign opposite to Inglehart & Welzel's: empty for a sound fit. */
        itemsAgainstTheory: ItemCode[];
        respondents: number;
        completeRespondents: number;
    };
    countryYears: CountryYearPosition[];
    unplacedCountryYears: { key: string; respondents: number; reason: string }[];
}

export interface MapPosition {
    /** Regression factor scores before the published rescaling. */
    factors: AxisPair<number>;
    TradAgg: number;
    SurvSAgg: number;
}

/** Projects ten coded answers (in ITEM_CODES order, none missing) with a fitted projection. */
export function projectCoded(projection: MapProjection, coded: readonly number[]): MapPosition {
    let t = 0, s = 0;
    projection.items.forEach((item, i) => {
        const z = (coded[i] - item.mean) / item.sd;
        t += z * item.scoreCoefficients.traditionalSecular;
        s += z * item.scoreCoefficients.survivalSelfExpression;
    });
    return {
        factors: { traditionalSecular: t, survivalSelfExpression: s },
        TradAgg: projection.rescale.TradAgg.scale * t + projection.rescale.TradAgg.offset,
        SurvSAgg: projection.rescale.SurvSAgg.scale * s + projection.rescale.SurvSAgg.offset,
    };
}

export function howToFit(artifact: string): string {
    return (
        `make one from IVS respondent microdata (the free WVS and EVS trend files, merged, as CSV with columns ${ITEM_CODES.join(" ")}, ` +
        `S025 and S017): culturescope map fit --microdata ivs.csv --out ${artifact}`
    );
}

export function saveProjection(file: string, projection: MapProjection): void {
    fs.writeFileSync(file, JSON.stringify(projection, null, 2) + "\n");
}

/** Reads and checks a projection file; every failure says what is wrong and how to get a good file. */
export function loadProjection(file: string): MapProjection {
    if (!fs.existsSync(file)) throw new Error(`no fitted cultural-map projection at '${file}': the map is not built into culturescope; ${howToFit(file)}`);
    let data: unknown;
    try {
        data = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`'${file}' is not a JSON projection (${(error as Error).message}); ${howToFit(file)}`);
    }
    const p = data as Partial<MapProjection>;
    if (p?.schema !== PROJECTION_SCHEMA) throw new Error(`'${file}' is not a cultural-map projection (schema '${String(p?.schema)}', expected '${PROJECTION_SCHEMA}'); ${howToFit(file)}`);
    if (p.schemaVersion !== PROJECTION_SCHEMA_VERSION) {
        throw new Error(`'${file}' has projection schema version ${String(p.schemaVersion)}; this culturescope reads version ${PROJECTION_SCHEMA_VERSION}: refit it with this version (${howToFit(file)})`);
    }
    const items = p.items;
    const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
    const itemsOk =
        Array.isArray(items) &&
        items.length === ITEM_CODES.length &&
        items.every(
            (item, i) =>
                item?.code === ITEM_CODES[i] &&
                finite(item.mean) &&
                finite(item.sd) &&
                item.sd > 0 &&
                finite(item.scoreCoefficients?.traditionalSecular) &&
                finite(item.scoreCoefficients?.survivalSelfExpression),
        );
    const rescaleOk = [p.rescale?.TradAgg, p.rescale?.SurvSAgg].every((r) => finite(r?.scale) && finite(r?.offset));
    if (!itemsOk || !rescaleOk || !Array.isArray(p.countryYears)) {
        throw new Error(`'${file}' is damaged: it lacks finite means, SDs, score coefficients or rescaling for the items ${ITEM_CODES.join(", ")} in that order; ${howToFit(file)}`);
    }
    return p as MapProjection;
}
