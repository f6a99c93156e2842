// Varimax rotation with Kaiser normalisation (Kaiser 1958), the rotation of the WVS cultural-map syntax.
// Algorithm: Kaiser's planar rotations, as SPSS does it. Each pair of factors is rotated by the angle that maximises
// the criterion for that pair, which has a closed form, and the pairs are swept until no angle moves. Every step
// increases the criterion, and for the map's two factors one step is exact. The SVD fixed-point iteration of R's
// stats::varimax can oscillate between two mirror-image rotations on symmetric loadings and stop there, so it is not
// used.

export interface VarimaxResult {
    /** Rotated loadings, p × k, with the rows de-normalised again. */
    loadings: number[][];
    /** Orthogonal k × k rotation T: rotated = unrotated · T. */
    rotation: number[][];
    /** Sweeps over all factor pairs, including the last one that found nothing left to rotate. */
    iterations: number;
    converged: boolean;
}

/** The raw varimax criterion of loadings whose rows are already Kaiser-normalised: Σ_j [Σ_i z⁴/p − (Σ_i z²/p)²]. */
export function varimaxCriterion(normalised: number[][]): number {
    const p = normalised.length, k = normalised[0].length;
    let total = 0;
    for (let j = 0; j < k; j++) {
        let s2 = 0, s4 = 0;
        for (let i = 0; i < p; i++) {
            const z2 = normalised[i][j] ** 2;
            s2 += z2;
            s4 += z2 * z2;
        }
        total += s4 / p - (s2 / p) ** 2;
    }
    return total;
}

/**
 * The angle φ that maximises the varimax criterion of columns a and b, for the rotation a' = a cos φ + b sin φ,
 * b' = −a sin φ + b cos φ. With u = a² − b² and v = 2ab per row: tan 4φ = (D − 2AB/p) / (C − (A² − B²)/p),
 * A = Σu, B = Σv, C = Σ(u² − v²), D = 2Σuv, with the quadrant of the maximum (Kaiser 1958; Harman 1976, §14.4).
 */
function planarAngle(x: number[][], a: number, b: number): number {
    const p = x.length;
    let A = 0, B = 0, C = 0, D = 0;
    for (const row of x) {
        const u = row[a] * row[a] - row[b] * row[b];
        const v = 2 * row[a] * row[b];
        A += u;
        B += v;
        C += u * u - v * v;
        D += 2 * u * v;
    }
    return Math.atan2(D - (2 * A * B) / p, C - (A * A - B * B) / p) / 4;
}

function rotateColumns(m: number[][], a: number, b: number, phi: number): void {
    const c = Math.cos(phi), s = Math.sin(phi);
    for (const row of m) {
        const x = row[a], y = row[b];
        row[a] = x * c + y * s;
        row[b] = -x * s + y * c;
    }
}

export function varimax(loadings: number[][], options: { maxSweeps?: number; tolerance?: number } = {}): VarimaxResult {
    const maxSweeps = options.maxSweeps ?? 100;
    const tolerance = options.tolerance ?? 1e-13;
    const k = loadings[0].length;
    // Kaiser normalisation: rotate the rows as unit vectors, so that items with small communality weigh as much.
    const h = loadings.map((row) => Math.hypot(...row) || 1);
    const x = loadings.map((row, i) => row.map((v) => v / h[i]));
    const t = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
    let iterations = 0;
    let converged = k < 2;
    while (!converged && iterations < maxSweeps) {
        iterations++;
        let largest = 0;
        for (let a = 0; a < k - 1; a++) {
            for (let b = a + 1; b < k; b++) {
                const phi = planarAngle(x, a, b);
                largest = Math.max(largest, Math.abs(phi));
                rotateColumns(x, a, b, phi);
                rotateColumns(t, a, b, phi);
            }
        }
        converged = largest < tolerance;
    }
    return { loadings: x.map((row, i) => row.map((v) => v * h[i])), rotation: t, iterations, converged };
}
