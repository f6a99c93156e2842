// An independent Jensen–Shannon distance for tests to check the code under test against: written out from the
// definition, sqrt(½ Σ p log2(p/m) + ½ Σ q log2(q/m)) with m = (p + q)/2, sharing nothing with src/metrics.
export function js(p: readonly number[], q: readonly number[]): number {
    let d = 0;
    p.forEach((pi, i) => {
        const m = (pi + q[i]) / 2;
        if (pi > 0) d += 0.5 * pi * Math.log2(pi / m);
        if (q[i] > 0) d += 0.5 * q[i] * Math.log2(q[i] / m);
    });
    return Math.sqrt(Math.max(0, d));
}

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
