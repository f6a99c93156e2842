// Fitting the Inglehart–Welzel map from respondent microdata, step for step as the WVS cultural-map syntax does it:
// weighted pairwise correlations → 2 principal components → varimax (Kaiser) → orientation → regression scores →
// published rescaling → weighted country-year means of the respondents with all ten items.
import { ITEM_CODES, ITEMS, type Axis, type ItemCode } from "./items.ts";
import type { Microdata } from "./microdata.ts";
import { principalComponents, regressionScoreCoefficients } from "./principalComponents.ts";
import {
    PROJECTION_SCHEMA,
    PROJECTION_SCHEMA_VERSION,
    PUBLISHED_RESCALE,
    projectCoded,
    type AxisPair,
    type CountryYearPosition,
    type MapProjection,
} from "./projection.ts";
import { varimax } from "./varimax.ts";
import { pairwiseCorrelation, weightedMoments } from "./weightedCorrelation.ts";

export type Y003Sign = "auto" | "autonomy" | "obedience";

export interface FitOptions {    /**
     * How the file codes Y003. The WVS longitudinal file stores −Y003 (+2 = obedience/faith) while the wave files and
     * ITEMS.md use +2 = independence/determination; "auto" decides by the sign of Y003's correlation with F063
     * (importance of God), which is negative for the autonomy-positive coding in every published map.
     */
    y003Sign?: Y003Sign;
}

/** Anchor items that decide which rotated column is which axis and its sign (the orientation rule). */
export const ORIENTATION_ANCHORS: Record<Axis, ItemCode[]> = {
    traditionalSecular: ["F063", "E018"],
    survivalSelfExpression: ["Y002", "F118"],
};

const AMBIGUOUS_Y003_CORRELATION = 0.02;

export function fitCulturalMap(data: Microdata, options: FitOptions = {}): MapProjection {
    const w = data.weight;
    if (!w.some((v) => v > 0)) {
        throw new Error(`${data.source}: all ${data.rows} weights in column '${data.weightColumn}' are zero, so no respondent counts; check the weight column (--weight-col) or use a column of 1s for unweighted data`);
    }
    const columns = ITEM_CODES.map((code) => data.items[code]);
    const y003Index = ITEM_CODES.indexOf("Y003");
    const f063Index = ITEM_CODES.indexOf("F063");

    const moments = ITEM_CODES.map((code, i) => {
        const m = weightedMoments(columns[i], w);
        if (m.n === 0) {
            throw new Error(`${data.source}: item ${code} (${ITEMS[code].label}) has no valid answer with a positive weight in ${data.rows} rows (all empty, negative missing codes or weight 0); the map needs all ten items: check that the column holds ${code} coded as in the IVS`);
        }
        if (m.sd === 0) throw new Error(`${data.source}: every respondent gives ${code} the same answer (${m.mean}); the item carries no information to fit the map: pool more countries`);
        return m;
    });
    const { r, n } = pairwiseCorrelation(columns, w);
    for (let a = 0; a < ITEM_CODES.length; a++) {
        for (let b = a + 1; b < ITEM_CODES.length; b++) {
            if (!Number.isFinite(r[a][b])) {
                throw new Error(`${data.source}: no respondent answered both ${ITEM_CODES[a]} and ${ITEM_CODES[b]} (or their joint answers do not vary), so their correlation is undefined: fit on data where every pair of items was asked together, e.g. the pooled IVS`);
            }
        }
    }

    // Y003's coding is read from the data (or the option) and normalised to autonomy-positive, so that a model's
    // answers, always coded autonomy-positive, meet the same scale.
    const y003Correlation = r[y003Index][f063Index];
    const sign = options.y003Sign ?? "auto";
    if (sign === "auto" && Math.abs(y003Correlation) < AMBIGUOUS_Y003_CORRELATION) {
        throw new Error(`${data.source}: cannot tell how Y003 is coded (its correlation with F063 is ${y003Correlation.toFixed(4)}): say it with --y003-sign autonomy (wave files: +2 = independence/determination) or --y003-sign obedience (WVS longitudinal file: +2 = obedience/faith)`);
    }
    const obediencePositive = sign === "obedience" || (sign === "auto" && y003Correlation > 0);
    if (obediencePositive) {
        columns[y003Index] = columns[y003Index].map((v) => -v);
        moments[y003Index] = { ...moments[y003Index], mean: -moments[y003Index].mean };
        for (let j = 0; j < ITEM_CODES.length; j++) {
            if (j !== y003Index) r[y003Index][j] = r[j][y003Index] = -r[y003Index][j];
        }
    }

    const pcs = principalComponents(r, 2);
    const rotated = varimax(pcs.loadings);
    const orientation = orient(rotated.loadings);
    const loadings = rotated.loadings.map((row) => ({
        traditionalSecular: orientation.traditionalSecular.sign * row[orientation.traditionalSecular.column],
        survivalSelfExpression: orientation.survivalSelfExpression.sign * row[orientation.survivalSelfExpression.column],
    }));
    const coefficients = regressionScoreCoefficients(
        r,
        loadings.map((l) => [l.traditionalSecular, l.survivalSelfExpression]),
    );

    const p = ITEM_CODES.length;
    const sumSquares = (axis: keyof AxisPair<number>) => loadings.reduce((s, l) => s + l[axis] ** 2, 0) / p;
    const varianceRotated = { traditionalSecular: sumSquares("traditionalSecular"), survivalSelfExpression: sumSquares("survivalSelfExpression") };
    const itemsAgainstTheory = ITEM_CODES.filter((code, i) => Math.sign(loadings[i][ITEMS[code].axis]) !== ITEMS[code].direction);

    const projection: MapProjection = {
        schema: PROJECTION_SCHEMA,
        schemaVersion: PROJECTION_SCHEMA_VERSION,
        createdAt: new Date().toISOString(),
        source: {
            file: data.source,
            ...(data.sha256 ? { sha256: data.sha256 } : {}),
            rows: data.rows,
            countryColumn: data.countryColumn,
            weightColumn: data.weightColumn,
            derivedItems: data.derived,
            y003: {
                convention: obediencePositive ? "obedience-positive" : "autonomy-positive",
                decidedBy: sign === "auto" ? "correlation with F063" : "option",
                correlationWithF063: y003Correlation,
            },
        },
        items: ITEM_CODES.map((code, i) => ({
            code,
            mean: moments[i].mean,
            sd: moments[i].sd,
            respondents: moments[i].n,
            loadings: loadings[i],
            scoreCoefficients: { traditionalSecular: coefficients[i][0], survivalSelfExpression: coefficients[i][1] },
            communality: loadings[i].traditionalSecular ** 2 + loadings[i].survivalSelfExpression ** 2,
        })),
        rescale: PUBLISHED_RESCALE,
        fit: {
            method: "weighted pairwise Pearson correlations; principal components (2); varimax with Kaiser normalisation; regression factor scores B = R⁻¹Λ",
            correlation: r,
            pairwiseRespondents: n,
            eigenvalues: pcs.eigenvalues,
            varianceExplained: {
                unrotated: pcs.eigenvalues.slice(0, 2).map((e) => e / p),
                rotated: varianceRotated,
                total: varianceRotated.traditionalSecular + varianceRotated.survivalSelfExpression,
            },
            unrotatedLoadings: pcs.loadings,
            rotation: rotated.rotation,
            varimax: { iterations: rotated.iterations, converged: rotated.converged },
            orientation: { ...orientation, rule: "axis = the assignment of rotated columns with the larger anchor loadings (F063, E018 on traditional/secular; Y002, F118 on survival/self-expression); sign so that direction-weighted anchor loadings sum > 0 (F063 negative, E018 positive, Y002 and F118 positive)" },
            itemsAgainstTheory,
            respondents: data.rows,
            completeRespondents: 0,
        },
        countryYears: [],
        unplacedCountryYears: [],
    };
    placeCountryYears(projection, data, columns);
    return projection;
}

/** Assigns the two rotated columns to the axes by the anchor items and signs them toward secular / self-expression. */
function orient(rotated: number[][]): AxisPair<{ column: number; sign: 1 | -1 }> {
    const anchorSum = (axis: Axis, column: number, signed: boolean) =>
        ORIENTATION_ANCHORS[axis].reduce((s, code) => {
            const l = rotated[ITEM_CODES.indexOf(code)][column];
            return s + (signed ? ITEMS[code].direction * l : Math.abs(l));
        }, 0);
    const straight = anchorSum("traditionalSecular", 0, false) + anchorSum("survivalSelfExpression", 1, false);
    const swapped = anchorSum("traditionalSecular", 1, false) + anchorSum("survivalSelfExpression", 0, false);
    const tradColumn = straight >= swapped ? 0 : 1;
    const survColumn = 1 - tradColumn;
    return {
        traditionalSecular: { column: tradColumn, sign: anchorSum("traditionalSecular", tradColumn, true) >= 0 ? 1 : -1 },
        survivalSelfExpression: { column: survColumn, sign: anchorSum("survivalSelfExpression", survColumn, true) >= 0 ? 1 : -1 },
    };
}

/** Weighted mean position per country-year over respondents with all ten items (the official syntax scores no others). */
function placeCountryYears(projection: MapProjection, data: Microdata, columns: Float64Array[]): void {
    const groups = data.groups.length;
    const sums = Array.from({ length: groups }, () => ({ weight: 0, t: 0, s: 0, complete: 0, completeUnweighted: 0, rows: 0, answered: new Set<ItemCode>() }));
    const coded = new Array<number>(ITEM_CODES.length);
    let completeRespondents = 0;
    for (let row = 0; row < data.rows; row++) {
        const g = sums[data.group[row]];
        g.rows++;
        let complete = true;
        for (let i = 0; i < ITEM_CODES.length; i++) {
            coded[i] = columns[i][row];
            if (Number.isNaN(coded[i])) complete = false;
            else g.answered.add(ITEM_CODES[i]);
        }
        if (!complete) continue;
        g.completeUnweighted++;
        if (!(data.weight[row] > 0)) continue;
        const position = projectCoded(projection, coded);
        g.weight += data.weight[row];
        g.t += data.weight[row] * position.TradAgg;
        g.s += data.weight[row] * position.SurvSAgg;
        g.complete++;
        completeRespondents++;
    }
    projection.fit.completeRespondents = completeRespondents;
    sums.forEach((g, i) => {
        const key = data.groups[i];
        if (g.weight > 0) {
            const position: CountryYearPosition = { key, respondents: g.complete, weight: g.weight, TradAgg: g.t / g.weight, SurvSAgg: g.s / g.weight };
            projection.countryYears.push(position);
            return;
        }
        const neverAsked = ITEM_CODES.filter((code) => !g.answered.has(code));
        const reason = neverAsked.length
            ? `no respondent answered ${neverAsked.join(", ")}`
            : g.completeUnweighted > 0
              ? `its ${g.completeUnweighted} respondents with all ten items all have weight 0`
              : "no respondent answered all ten items";
        projection.unplacedCountryYears.push({ key, respondents: g.rows, reason });
    });
}
