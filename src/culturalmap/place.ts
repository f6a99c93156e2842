// Placing a model on the map: its coded answers projected with a fitted projection, and its Euclidean distance in
// (TradAgg, SurvSAgg) to India, the United States and every country of the reference table.
import { projectCoded, type MapPosition, type MapProjection } from "./projection.ts";
import { INDIA, latestPerCountry, UNITED_STATES, type ReferencePosition } from "./reference.ts";

export interface Placement {
    model?: string;
    position: MapPosition;
    /** Distance to each reference country's latest survey, nearest first. */
    reference: (ReferencePosition & { distance: number })[];
    india: ReferencePosition & { distance: number };
    unitedStates: ReferencePosition & { distance: number };
    /** Distance to the country-years of the fit itself: the same data and scale as the model's position. */
    fittedCountryYears: { key: string; TradAgg: number; SurvSAgg: number; distance: number }[];
    /** Why reference distances need a projection fitted on the pooled IVS. */
    caveat: string;
}

export const REFERENCE_CAVEAT =
    "Reference positions are the official IVS means; distances to them are meaningful when the projection was fitted on the pooled IVS trend files (as the official map was). Distances to the fit's own country-years are on the model's scale whatever the data.";

export function mapDistance(a: { TradAgg: number; SurvSAgg: number }, b: { TradAgg: number; SurvSAgg: number }): number {
    return Math.hypot(a.TradAgg - b.TradAgg, a.SurvSAgg - b.SurvSAgg);
}

export function placeModel(
    projection: MapProjection,
    coded: readonly number[],
    reference: readonly ReferencePosition[],
    options: { model?: string; india?: string; unitedStates?: string } = {},
): Placement {
    const position = projectCoded(projection, coded);
    const byDistance = <T extends { TradAgg: number; SurvSAgg: number }>(rows: readonly T[]) =>
        rows.map((r) => ({ ...r, distance: mapDistance(position, r) })).sort((a, b) => a.distance - b.distance);
    const latest = byDistance(latestPerCountry(reference));
    const find = (geo: string) => {
        const hit = latest.find((r) => r.geo === geo);
        if (!hit) throw new Error(`country '${geo}' is not in the reference table; its ids are like ${INDIA}, ${UNITED_STATES}`);
        return hit;
    };
    return {
        ...(options.model ? { model: options.model } : {}),
        position,
        reference: latest,
        india: find(options.india ?? INDIA),
        unitedStates: find(options.unitedStates ?? UNITED_STATES),
        fittedCountryYears: byDistance(projection.countryYears.map(({ key, TradAgg, SurvSAgg }) => ({ key, TradAgg, SurvSAgg }))),
        caveat: REFERENCE_CAVEAT,
    };
}
