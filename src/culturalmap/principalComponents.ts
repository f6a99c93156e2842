// Principal-component extraction from a correlation matrix (SPSS FACTOR /EXTRACTION PC) and regression factor-score
// coefficients (/SAVE REG). The eigen-decomposition is ml-matrix's symmetric QL solver.
import { EigenvalueDecomposition, Matrix, solve } from "ml-matrix";

export interface PrincipalComponents {
    /** All eigenvalues of the correlation matrix, largest first. */
    eigenvalues: number[];
    /** p × k loadings: eigenvector j scaled by √eigenvalue j, for the k largest. Column signs are arbitrary. */
    loadings: number[][];
}

export function principalComponents(correlation: number[][], factors: number): PrincipalComponents {
    const p = correlation.length;
    if (correlation.some((row) => row.length !== p || row.some((v) => !Number.isFinite(v)))) {
        throw new Error("the correlation matrix must be square with finite entries");
    }
    const evd = new EigenvalueDecomposition(new Matrix(correlation), { assumeSymmetric: true });
    const values = evd.realEigenvalues;
    const vectors = evd.eigenvectorMatrix;
    const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
    const eigenvalues = order.map((i) => values[i]);
    for (let j = 0; j < factors; j++) {
        if (!(eigenvalues[j] > 0)) throw new Error(`eigenvalue ${j + 1} of the correlation matrix is ${eigenvalues[j]}: the items carry fewer than ${factors} independent dimensions`);
    }
    const loadings = Array.from({ length: p }, (_, i) => order.slice(0, factors).map((col, j) => vectors.get(i, col) * Math.sqrt(eigenvalues[j])));
    return { eigenvalues, loadings };
}

/**
 * Regression-method factor-score coefficients B = R⁻¹ Λ (Thurstone; SPSS's REG): a respondent's factor scores are
 * z·B, with z the standardised answers. For principal components this equals Λ₀D⁻¹T, so the scores of complete
 * cases have unit variance whatever the rotation T.
 */
export function regressionScoreCoefficients(correlation: number[][], loadings: number[][]): number[][] {
    return solve(new Matrix(correlation), new Matrix(loadings)).to2DArray();
}
