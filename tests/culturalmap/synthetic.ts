// Synthetic IVS-shaped microdata drawn from two known latent factors, for testing the map fit end to end.
// Each respondent has a traditional→secular score t and a survival→self-expression score s (country mean + noise);
// each item's answer code rises or falls with its own axis as Inglehart & Welzel describe (hand-written below, not
// taken from the code under test), plus item noise, and is cut onto the item's answer scale.
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { mersenne } from "pure-rand/generator/mersenne";

/** Sign of the raw answer code along its axis, written from Inglehart & Welzel (2005, p. 49). */
export const EXPECTED: Record<string, { axis: "t" | "s"; sign: 1 | -1; min: number; max: number }> = {
    F063: { axis: "t", sign: -1, min: 1, max: 10 }, // God very important (10) = traditional
    E018: { axis: "t", sign: 1, min: 1, max: 3 }, // respect for authority a bad thing (3) = secular
    F120: { axis: "t", sign: 1, min: 1, max: 10 }, // abortion always justifiable (10) = secular
    G006: { axis: "t", sign: 1, min: 1, max: 4 }, // not at all proud (4) = secular
    Y003: { axis: "t", sign: 1, min: -2, max: 2 }, // autonomy (+2) = secular
    A008: { axis: "s", sign: -1, min: 1, max: 4 }, // not at all happy (4) = survival
    A165: { axis: "s", sign: -1, min: 1, max: 2 }, // need to be careful (2) = survival
    E025: { axis: "s", sign: -1, min: 1, max: 3 }, // would never sign (3) = survival
    F118: { axis: "s", sign: 1, min: 1, max: 10 }, // homosexuality always justifiable (10) = self-expression
    Y002: { axis: "s", sign: 1, min: 1, max: 3 }, // post-materialist (3) = self-expression
};
export const ITEM_ORDER = ["A008", "A165", "E018", "E025", "F063", "F118", "F120", "G006", "Y002", "Y003"];

/** A seeded uniform [0, 1) generator, so every run draws the same data. */
export function rng(seed: number): () => number {
    const generator = mersenne(seed);
    return () => uniformFloat64(generator);
}

export function normal(random: () => number): number {
    return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface SyntheticCountry {
    key: string;
    t: number;
    s: number;
}

/** Five countries whose orders differ on the two axes, so that a swapped or flipped axis shows. */
export const COUNTRIES: SyntheticCountry[] = [
    { key: "1001990", t: -1.5, s: -1.2 },
    { key: "1002000", t: -0.5, s: 0.8 },
    { key: "1003010", t: 0.3, s: -0.6 },
    { key: "1004020", t: 1.0, s: 1.5 },
    { key: "1005030", t: 1.6, s: 0.2 },
];

export interface SyntheticOptions {
    seed?: number;
    perCountry?: number;
    countries?: SyntheticCountry[];
    /** Share of item cells made missing (empty, or a negative WVS code). */
    missing?: number;
    /** Weights: "random" in [0.3, 2), "integer" 1…3, or "one". */
    weights?: "random" | "integer" | "one";
}

export interface SyntheticRow {
    country: string;
    weight: number;
    /** Item values in ITEM_ORDER; null = missing. */
    items: (number | null)[];
    /** The cell text written to the CSV (empty or a negative code for missing). */
    cells: string[];
}

export function syntheticRespondents(options: SyntheticOptions = {}): SyntheticRow[] {
    const random = rng(options.seed ?? 1);
    const rows: SyntheticRow[] = [];
    for (const country of options.countries ?? COUNTRIES) {
        for (let r = 0; r < (options.perCountry ?? 400); r++) {
            const latent = { t: country.t + 0.8 * normal(random), s: country.s + 0.8 * normal(random) };
            const items: (number | null)[] = [];
            const cells: string[] = [];
            for (const code of ITEM_ORDER) {
                const e = EXPECTED[code];
                const mid = (e.min + e.max) / 2, half = (e.max - e.min) / 2;
                const score = (e.sign * latent[e.axis] + 0.9 * normal(random)) / 2.2;
                const value = Math.min(e.max, Math.max(e.min, Math.round(mid + half * score)));
                if (random() < (options.missing ?? 0)) {
                    items.push(null);
                    // Both missing forms the WVS files use; Y003's valid range reaches −2, so its missing code is −5.
                    cells.push(random() < 0.5 ? "" : code === "Y003" ? "-5" : String(-1 - Math.floor(random() * 5)));
                } else {
                    items.push(value);
                    cells.push(String(value));
                }
            }
            const weight = options.weights === "integer" ? 1 + Math.floor(random() * 3) : options.weights === "one" ? 1 : 0.3 + 1.7 * random();
            rows.push({ country: country.key, weight, items, cells });
        }
    }
    return rows;
}

export function toCsv(rows: readonly SyntheticRow[], header = ["S025", "S017", ...ITEM_ORDER]): string {
    return [header.join(","), ...rows.map((r) => [r.country, String(r.weight), ...r.cells].join(","))].join("\n") + "\n";
}

/** Weighted Pearson correlation over rows valid on both, by the one-pass textbook formula (not the code's two-pass one). */
export function weightedCorrelation(x: (number | null)[], y: (number | null)[], w: number[]): number {
    let sw = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (let i = 0; i < w.length; i++) {
        const a = x[i], b = y[i];
        if (a === null || b === null || !(w[i] > 0)) continue;
        sw += w[i];
        sx += w[i] * a;
        sy += w[i] * b;
        sxx += w[i] * a * a;
        syy += w[i] * b * b;
        sxy += w[i] * a * b;
    }
    return (sw * sxy - sx * sy) / Math.sqrt((sw * sxx - sx * sx) * (sw * syy - sy * sy));
}
