// Weighted means, standard deviations and the pairwise-deletion correlation matrix the map is fitted on
// (SPSS FACTOR /MISSING PAIRWISE with case weights, as in the WVS cultural-map syntax).
// Columns hold NaN for missing answers; rows with weight 0 contribute nothing.

export interface WeightedMoments {
    mean: number;
    /** Population form: √(Σw(x−x̄)² / Σw), the form the correlation below uses too. */
    sd: number;
    /** Rows with a valid value and a positive weight. */
    n: number;
    weight: number;
}

export function weightedMoments(x: Float64Array, w: Float64Array): WeightedMoments {
    let sw = 0, swx = 0, n = 0;
    for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(x[i]) || !(w[i] > 0)) continue;
        sw += w[i];
        swx += w[i] * x[i];
        n++;
    }
    const mean = swx / sw;
    let ss = 0;
    for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(x[i]) || !(w[i] > 0)) continue;
        const d = x[i] - mean;
        ss += w[i] * d * d;
    }
    return { mean, sd: Math.sqrt(ss / sw), n, weight: sw };
}

export interface PairwiseCorrelation {
    /** r[i][j] over the rows valid on both i and j (its own means and SDs), 1 on the diagonal. NaN: undefined. */
    r: number[][];
    /** Rows (with positive weight) that each pair was computed on. */
    n: number[][];
}

/** Weighted Pearson correlations with pairwise deletion: each pair uses every row that answered both items. */
export function pairwiseCorrelation(columns: readonly Float64Array[], w: Float64Array): PairwiseCorrelation {
    const p = columns.length;
    const r = Array.from({ length: p }, () => new Array<number>(p).fill(NaN));
    const n = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let a = 0; a < p; a++) {
        for (let b = a; b < p; b++) {
            const x = columns[a], y = columns[b];
            let sw = 0, sx = 0, sy = 0, count = 0;
            for (let i = 0; i < w.length; i++) {
                if (!(w[i] > 0) || Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
                sw += w[i];
                sx += w[i] * x[i];
                sy += w[i] * y[i];
                count++;
            }
            // Two passes around the pair's own means: one pass of raw sums loses digits on 1–10 scales.
            const mx = sx / sw, my = sy / sw;
            let sxx = 0, syy = 0, sxy = 0;
            for (let i = 0; i < w.length; i++) {
                if (!(w[i] > 0) || Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
                const dx = x[i] - mx, dy = y[i] - my;
                sxx += w[i] * dx * dx;
                syy += w[i] * dy * dy;
                sxy += w[i] * dx * dy;
            }
            const value = a === b ? (sxx > 0 ? 1 : NaN) : sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
            r[a][b] = r[b][a] = value;
            n[a][b] = n[b][a] = count;
        }
    }
    return { r, n };
}
