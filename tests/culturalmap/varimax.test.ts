// Varimax with Kaiser normalisation, checked against results worked out here without the code under test:
// a rotated perfect simple structure must come back, and for two factors the optimal angle has a closed form.
import { describe, expect, it } from "vitest";
import { varimax, varimaxCriterion } from "../../src/culturalmap/varimax.ts";

function rotate(rows: number[][], angle: number): number[][] {
    const c = Math.cos(angle), s = Math.sin(angle);
    return rows.map(([x, y]) => [x * c + y * s, -x * s + y * c]);
}

/** Matches b's columns to a's up to order and sign (varimax is unique only up to those), then compares. */
function expectSameUpToColumnOrderAndSign(a: number[][], b: number[][], digits: number) {
    const col = (m: number[][], j: number) => m.map((r) => r[j]);
    const dot = (u: number[], v: number[]) => u.reduce((s, x, i) => s + x * v[i], 0);
    const swap = Math.abs(dot(col(a, 0), col(b, 1))) > Math.abs(dot(col(a, 0), col(b, 0)));
    const order = swap ? [1, 0] : [0, 1];
    for (let j = 0; j < 2; j++) {
        const sign = Math.sign(dot(col(a, j), col(b, order[j])));
        a.forEach((row, i) => expect(sign * b[i][order[j]]).toBeCloseTo(row[j], digits));
    }
}

describe("varimax (Kaiser-normalised)", () => {
    it("recovers a perfect simple structure that was rotated by 35°", () => {
        // Each row on one axis: after Kaiser normalisation every row is a unit axis vector, which maximises the
        // criterion, so this structure is the varimax solution.
        const simple = [[0.8, 0], [0.7, 0], [0.55, 0], [0, 0.9], [0, 0.6], [0, 0.45]];
        const result = varimax(rotate(simple, (35 * Math.PI) / 180));
        expect(result.converged).toBe(true);
        expectSameUpToColumnOrderAndSign(simple, result.loadings, 10);
    });

    it("finds the analytic optimum angle for two factors", () => {
        // With z = x + iy per normalised row and w = z² = u + iv (u = x² − y², v = 2xy), rotating by φ multiplies w
        // by e^{−2iφ}; the criterion is then a constant plus ½·Re[(p·Σw² − (Σw)²)·e^{−4iφ}], maximal at
        // 4φ = arg(p·Σw² − (Σw)²) = atan2(p·D − 2AB, p·C − (A² − B²)) with A = Σu, B = Σv, C = Σ(u² − v²), D = 2Σuv
        // (Kaiser 1958's tan 4φ formula, with the quadrant fixed).
        const loadings = [[0.72, 0.31], [0.64, 0.45], [0.22, 0.81], [0.51, -0.38], [0.33, 0.29], [-0.12, 0.66], [0.58, 0.05]];
        const p = loadings.length;
        const h = loadings.map(([x, y]) => Math.hypot(x, y));
        const normalised = loadings.map(([x, y], i) => [x / h[i], y / h[i]]);
        let A = 0, B = 0, C = 0, D = 0;
        for (const [x, y] of normalised) {
            const u = x * x - y * y, v = 2 * x * y;
            A += u;
            B += v;
            C += u * u - v * v;
            D += 2 * u * v;
        }
        const phi = Math.atan2(p * D - 2 * A * B, p * C - (A * A - B * B)) / 4;
        const expected = rotate(normalised, phi).map((row, i) => row.map((v) => v * h[i]));

        const result = varimax(loadings);
        expectSameUpToColumnOrderAndSign(expected, result.loadings, 9);

        // And no angle on a fine grid does better than what varimax returned.
        const best = varimaxCriterion(result.loadings.map((row, i) => row.map((v) => v / h[i])));
        for (let k = 0; k < 3600; k++) {
            expect(varimaxCriterion(rotate(normalised, (k / 3600) * (Math.PI / 2)))).toBeLessThanOrEqual(best + 1e-12);
        }
    });

    it("returns an orthogonal rotation that maps the input onto the output", () => {
        const loadings = [[0.7, 0.2], [0.6, 0.4], [0.1, 0.8], [0.5, -0.3], [0.3, 0.6]];
        const { loadings: rotated, rotation: t } = varimax(loadings);
        const tt = [0, 1].map((i) => [0, 1].map((j) => t[0][i] * t[0][j] + t[1][i] * t[1][j]));
        expect(tt[0][0]).toBeCloseTo(1, 12);
        expect(tt[1][1]).toBeCloseTo(1, 12);
        expect(tt[0][1]).toBeCloseTo(0, 12);
        loadings.forEach(([x, y], i) => {
            expect(x * t[0][0] + y * t[1][0]).toBeCloseTo(rotated[i][0], 12);
            expect(x * t[0][1] + y * t[1][1]).toBeCloseTo(rotated[i][1], 12);
        });
    });
});
