// The report's charts: Vega-Lite specs built from the chart-data rows, compiled with vega-lite and rendered to an
// SVG string by vega's headless View (renderer "none": no canvas, no DOM), so the report embeds finished pictures
// and needs no script or network to show them.
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { ALL_COUNTRIES, ALL_LEVELS, isIndia, type AccuracyChartRow, type CloserShareRow, type IntervalRow, type MapPoint, type OpinionBaselineValue, type PositionBiasRow } from "./chartData.ts";

/** Shared look: system fonts only (no web font to fetch), and colours that stay apart for colour-blind readers. */
const CONFIG = {
    font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    background: "white",
    axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220 },
    legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
    range: { category: ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#eeca3b", "#9d755d"] },
} as const;

const INDIA_COLOUR = "#f58518";
const US_COLOUR = "#4c78a8";

let chartCounter = 0;

/**
 * Compiles and renders a Vega-Lite spec to SVG. Vega numbers clip paths and gradients per render, so every SVG
 * gets its own id prefix: inline SVGs share one document, where two `clip1`s would clip each other's marks.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
    const compiled = vl.compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: "none" });
    try {
        const svg = await view.toSVG();
        const prefix = `chart${++chartCounter}-`;
        return svg
            .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${prefix}${id}"`)
            .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${prefix}${id})`)
            .replace(/href="#([^"]+)"/g, (_m, id: string) => `href="#${prefix}${id}"`);
    } finally {
        view.finalize();
    }
}

const tooltipNumber = (field: string, title: string) => ({ field, type: "quantitative" as const, title, format: ".3f" });

/** Reference countries as grey dots (India and the US in colour, labelled), models as larger marked points. */
export function mapSpec(points: readonly MapPoint[]): TopLevelSpec {
    const values = points.map((p) => ({ ...p }));
    const x = { field: "TradAgg", type: "quantitative" as const, title: "Traditional ← → Secular-rational (TradAgg)", scale: { zero: false, nice: true } };
    const y = { field: "SurvSAgg", type: "quantitative" as const, title: "Survival ← → Self-expression (SurvSAgg)", scale: { zero: false, nice: true } };
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: 640,
        height: 460,
        data: { values },
        layer: [
            {
                transform: [{ filter: "datum.kind === 'reference'" }],
                mark: { type: "circle", size: 30, color: "#b8b8b8", opacity: 0.8 },
                encoding: { x, y, tooltip: [{ field: "label", title: "country" }, tooltipNumber("TradAgg", "TradAgg"), tooltipNumber("SurvSAgg", "SurvSAgg")] },
            },
            {
                transform: [{ filter: "datum.kind === 'reference'" }],
                mark: { type: "text", fontSize: 8, dy: -7, color: "#8a8a8a" },
                encoding: { x, y, text: { field: "label" } },
            },
            {
                transform: [{ filter: "datum.kind === 'India' || datum.kind === 'United States'" }],
                mark: { type: "circle", size: 140, opacity: 1, stroke: "black", strokeWidth: 1 },
                encoding: {
                    x,
                    y,
                    color: { field: "kind", type: "nominal", title: "survey", scale: { domain: ["India", "United States"], range: [INDIA_COLOUR, US_COLOUR] } },
                    tooltip: [{ field: "label", title: "country" }, tooltipNumber("TradAgg", "TradAgg"), tooltipNumber("SurvSAgg", "SurvSAgg")],
                },
            },
            {
                transform: [{ filter: "datum.kind === 'India' || datum.kind === 'United States'" }],
                mark: { type: "text", fontSize: 12, fontWeight: "bold", dy: -12 },
                encoding: { x, y, text: { field: "label" } },
            },
            {
                transform: [{ filter: "datum.kind === 'model'" }],
                mark: { type: "point", size: 160, filled: true, stroke: "black", strokeWidth: 1 },
                encoding: {
                    x,
                    y,
                    shape: { field: "strategy", type: "nominal", title: "strategy" },
                    fill: { field: "model", type: "nominal", title: "model", scale: { range: ["#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d", "#eeca3b"] } },
                    tooltip: [{ field: "label", title: "model · strategy" }, tooltipNumber("TradAgg", "TradAgg"), tooltipNumber("SurvSAgg", "SurvSAgg")],
                },
            },
            {
                transform: [{ filter: "datum.kind === 'model'" }],
                mark: { type: "text", fontSize: 11, dx: 10, align: "left" },
                encoding: { x, y, text: { field: "label" } },
            },
        ],
        resolve: { scale: { color: "independent", shape: "independent" } },
    } as unknown as TopLevelSpec;
}

/** Bars with 95% interval whiskers: one bar per x category (and per colour group beside each other). */
function barsWithIntervals(
    values: Record<string, unknown>[],
    options: { x: string; xTitle: string; y: string; yTitle: string; colour?: string; colourTitle?: string; colourScale?: { domain: string[]; range: string[] }; yDomain?: [number, number]; width?: number; rules?: Record<string, unknown>[]; sideBySide?: boolean },
): TopLevelSpec {
    const x = { field: options.x, type: "nominal" as const, title: options.xTitle, axis: { labelAngle: -30, labelLimit: 260 } };
    const y = { field: options.y, type: "quantitative" as const, title: options.yTitle, ...(options.yDomain ? { scale: { domain: options.yDomain } } : {}) };
    const colour = options.colour ? { color: { field: options.colour, type: "nominal" as const, title: options.colourTitle, ...(options.colourScale ? { scale: options.colourScale } : {}) } } : {};
    // with a colour domain, vega-lite orders the bars' offsets by it; the whisker layer must name the same order,
    // or the two layers' offset scales disagree
    const offset = options.colour && options.sideBySide !== false ? { xOffset: { field: options.colour, type: "nominal" as const, ...(options.colourScale ? { scale: { domain: options.colourScale.domain } } : {}) } } : {};
    const layers: Record<string, unknown>[] = [
        {
            mark: { type: "bar" },
            encoding: { x, y, ...colour, ...offset, tooltip: [{ field: options.x }, ...(options.colour ? [{ field: options.colour }] : []), tooltipNumber(options.y, options.yTitle), tooltipNumber("ciLower", "95% CI low"), tooltipNumber("ciUpper", "95% CI high")] },
        },
        {
            mark: { type: "rule", color: "black", strokeWidth: 1.5 },
            encoding: { x, ...offset, y: { field: "ciLower", type: "quantitative" }, y2: { field: "ciUpper" } },
        },
    ];
    for (const rule of options.rules ?? []) layers.push(rule);
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: options.width ?? { step: 48 },
        height: 260,
        data: { values },
        layer: layers,
    } as unknown as TopLevelSpec;
}

/** Similarity to each country per model × strategy. */
export function similaritySpec(rows: readonly IntervalRow[], keys: { focus: string; comparison: string }): TopLevelSpec {
    return barsWithIntervals(rows.map((r) => ({ ...r })), {
        x: "config",
        xTitle: "model · strategy",
        y: "value",
        yTitle: "similarity (1 − JS distance)",
        colour: "country",
        colourTitle: "respondents",
        colourScale: { domain: [keys.focus, keys.comparison], range: [INDIA_COLOUR, US_COLOUR] },
        yDomain: [0, 1],
    });
}

/** CAD or nCAD per model × strategy, with the US-respondent baseline as a dashed reference line and a zero line. */
export function cadSpec(rows: readonly IntervalRow[], metric: "cad" | "ncad", baseline: OpinionBaselineValue | undefined): TopLevelSpec {
    // constant-position layers use `datum` encodings: they need no data of their own
    const rules: Record<string, unknown>[] = [{ mark: { type: "rule", color: "#555" }, encoding: { y: { datum: 0 } } }];
    if (baseline) {
        rules.push(
            { mark: { type: "rule", color: US_COLOUR, strokeDash: [6, 4], strokeWidth: 2 }, encoding: { y: { datum: baseline.value } } },
            { mark: { type: "text", color: US_COLOUR, align: "left", dy: -6, x: 4 }, encoding: { y: { datum: baseline.value }, text: { value: `US respondents: ${baseline.value.toFixed(3)}` } } },
        );
    }
    const title = metric === "cad" ? "CAD = Sim(India) − Sim(US)" : "nCAD = CAD / JS distance(India, US)";
    return barsWithIntervals(
        rows.filter((r) => r.metric === metric).map((r) => ({ ...r, side: r.value >= 0 ? "closer to India" : "closer to the US" })),
        { x: "config", xTitle: "model · strategy", y: "value", yTitle: title, colour: "side", colourTitle: "mean", colourScale: { domain: ["closer to India", "closer to the US"], range: [INDIA_COLOUR, US_COLOUR] }, rules, sideBySide: false },
    );
}

/** Share of questions closer to the US respondents than to India's. */
export function closerShareSpec(rows: readonly CloserShareRow[]): TopLevelSpec {
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: { step: 48 },
        height: 200,
        data: { values: rows.map((r) => ({ ...r })) },
        layer: [
            {
                mark: { type: "bar", color: US_COLOUR },
                encoding: {
                    x: { field: "config", type: "nominal", title: "model · strategy", axis: { labelAngle: -30, labelLimit: 260 } },
                    y: { field: "share", type: "quantitative", title: "share of questions closer to the US", scale: { domain: [0, 1] }, axis: { format: "%" } },
                    tooltip: [{ field: "config" }, { field: "share", format: ".1%" }, { field: "questions" }],
                },
            },
            { mark: { type: "rule", color: "#555", strokeDash: [3, 3] }, encoding: { y: { datum: 0.5 } } },
        ],
    } as unknown as TopLevelSpec;
}

const rank = (country: string) => (country === ALL_COUNTRIES ? 0 : isIndia(country) ? 1 : 2);

/** One task's accuracy per country (India highlighted), one row of panels per model × strategy, one column per context level. */
export function accuracySpec(rows: readonly AccuracyChartRow[]): TopLevelSpec {
    const multipleLevels = new Set(rows.map((r) => r.level)).size > 1;
    // "all countries" first, then India, then the rest alphabetically: an explicit order, the same in every panel
    const countries = [...new Set(rows.map((r) => r.country))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const x = { field: "country", type: "nominal" as const, title: "country", scale: { domain: countries }, axis: { labelAngle: -45 } };
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        data: { values: rows.map((r) => ({ ...r })) },
        facet: {
            row: { field: "config", type: "nominal", title: "model · strategy" },
            ...(multipleLevels ? { column: { field: "level", type: "nominal", title: "context level", sort: [ALL_LEVELS, "country", "value", "rule-of-thumb"] } } : {}),
        },
        spec: {
            width: { step: 14 },
            height: 160,
            layer: [
                {
                    mark: { type: "bar" },
                    encoding: {
                        x,
                        y: { field: "value", type: "quantitative", title: "accuracy", scale: { domain: [0, 1] } },
                        color: { field: "group", type: "nominal", title: "", scale: { domain: ["India", "other countries", "all countries"], range: [INDIA_COLOUR, "#9ecae9", "#555555"] } },
                        tooltip: [{ field: "country" }, tooltipNumber("value", "accuracy"), tooltipNumber("ciLower", "95% CI low"), tooltipNumber("ciUpper", "95% CI high"), { field: "n", title: "items" }],
                    },
                },
                {
                    mark: { type: "rule", color: "black" },
                    encoding: { x, y: { field: "ciLower", type: "quantitative" }, y2: { field: "ciUpper" } },
                },
            ],
        },
    } as unknown as TopLevelSpec;
}

/** Mean pairwise JS distance between answer orders, per model × strategy and task. */
export function positionBiasSpec(rows: readonly PositionBiasRow[]): TopLevelSpec {
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: { step: 40 },
        height: 220,
        data: { values: rows.map((r) => ({ ...r })) },
        mark: { type: "bar" },
        encoding: {
            x: { field: "config", type: "nominal", title: "model · strategy", axis: { labelAngle: -30, labelLimit: 260 } },
            xOffset: { field: "task", type: "nominal" },
            y: { field: "meanJs", type: "quantitative", title: "mean JS distance between answer orders" },
            color: { field: "task", type: "nominal", title: "task" },
            tooltip: [{ field: "config" }, { field: "task" }, tooltipNumber("meanJs", "mean JS distance"), { field: "items" }, { field: "topChangeShare", format: ".1%", title: "top option changes" }],
        },
    } as unknown as TopLevelSpec;
}

export interface DifferenceChartRow {
    what: string;
    pair: string;
    difference: number;
    ciLower: number | null;
    ciUpper: number | null;
}

/** Run B − run A per aggregate, with paired-bootstrap intervals and the zero line. */
export function differenceSpec(rows: readonly DifferenceChartRow[]): TopLevelSpec {
    const y = { field: "what", type: "nominal" as const, title: null, sort: null, axis: { labelLimit: 420 } };
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        width: 420,
        height: { step: 22 },
        data: { values: rows.map((r) => ({ ...r, side: r.difference >= 0 ? "B higher" : "B lower" })) },
        // the pair label is long: read it above each panel, not rotated beside it
        facet: { row: { field: "pair", type: "nominal", title: null, header: { labelOrient: "top", labelAngle: 0, labelAnchor: "start", labelFontWeight: "bold", labelFontSize: 12, labelLimit: 900 } } },
        spec: {
            layer: [
                {
                    mark: { type: "bar" },
                    encoding: {
                        y,
                        x: { field: "difference", type: "quantitative", title: "B − A (95% paired-bootstrap CI)" },
                        color: { field: "side", type: "nominal", title: "", scale: { domain: ["B higher", "B lower"], range: ["#54a24b", "#e45756"] } },
                        tooltip: [{ field: "what" }, tooltipNumber("difference", "B − A"), tooltipNumber("ciLower", "CI low"), tooltipNumber("ciUpper", "CI high")],
                    },
                },
                {
                    mark: { type: "rule", color: "black" },
                    encoding: { y, x: { field: "ciLower", type: "quantitative" }, x2: { field: "ciUpper" } },
                },
                { mark: { type: "rule", color: "#555" }, encoding: { x: { datum: 0 } } },
            ],
        },
    } as unknown as TopLevelSpec;
}
