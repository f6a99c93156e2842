/**
 * A model's answer distribution for one multiple-choice survey question, from the log-probabilities of the option
 * letters at the answer position (the scorer's output).
 *
 * Per answer-order permutation: the letters' probabilities, restricted to the options and renormalised; then each
 * permutation's distribution is mapped back to the canonical option order and the permutations are averaged in
 * probability space. The mass the model put on the letters before renormalising is kept as its own value: a model
 * that puts 2% of its mass on the letters is not answering the question, however its 2% is split.
 */

/** One presentation of a question: which canonical option sat at each letter, and the letters' log-probabilities. */
export interface PermutationLetterLogProbs {
    /** optionOrder[position] = canonical index of the option shown at that letter position (A = 0, B = 1, …) */
    optionOrder: readonly number[];
    /** natural-log probability of each letter token, by letter position, from a log-softmax over the full vocabulary */
    letterLogProbs: readonly number[];
}

/** The model's distribution over one question's options, in canonical option order. */
export interface ModelOptionDistribution {
    /** averaged over permutations; sums to 1 */
    probabilities: number[];
    /** mean over permutations of the probability mass on the option letters before renormalising, in [0, 1] */
    optionMass: number;
    /** smallest such mass over the permutations */
    minOptionMass: number;
    /** number of permutations averaged */
    permutations: number;
}

/**
 * Mass on the letters can exceed 1 only by rounding: log-softmax outputs are computed in double precision, so a
 * real excess means the values do not come from one distribution over one vocabulary.
 */
const MASS_TOLERANCE = 1e-9;

/**
 * One permutation's letter probabilities restricted to the options and renormalised, with the mass before
 * renormalising. Renormalises in log-sum-exp fashion so that tiny masses (log-probs of -800) still give a distribution.
 */
export function letterDistribution(letterLogProbs: readonly number[]): { probabilities: number[]; optionMass: number } {
    if (letterLogProbs.length === 0) throw new Error("letter log-probabilities are empty: pass one log-probability per option letter");
    for (const [i, lp] of letterLogProbs.entries()) {
        if (typeof lp !== "number" || Number.isNaN(lp) || lp > MASS_TOLERANCE) {
            throw new Error(
                `letter log-probability ${i} is ${lp}: log-probabilities must be numbers ≤ 0 (or -Infinity); pass the scorer's log-softmax values, not logits or probabilities`,
            );
        }
    }
    const max = Math.max(...letterLogProbs);
    if (max === -Infinity) {
        throw new Error("every option letter has probability 0 (all log-probabilities are -Infinity): there is no distribution over the options to renormalise; check the candidate token ids");
    }
    // shifting by the largest log-prob keeps every exponent ≤ 0 and exact differences like −801 − (−800) = −1
    const shifted = letterLogProbs.map((lp) => Math.exp(lp - max));
    const shiftedSum = shifted.reduce((s, x) => s + x, 0);
    const optionMass = Math.exp(max) * shiftedSum;
    if (optionMass > 1 + MASS_TOLERANCE) {
        throw new Error(
            `the option letters hold ${optionMass} of the probability mass, more than 1: the log-probabilities are not from one softmax over the vocabulary (duplicate candidate tokens or logits passed as log-probs?)`,
        );
    }
    return { probabilities: shifted.map((x) => x / shiftedSum), optionMass: Math.min(optionMass, 1) };
}

function checkOptionOrder(order: readonly number[], optionCount: number, which: number): void {
    if (order.length !== optionCount) {
        throw new Error(`permutation ${which} lists ${order.length} options but has ${optionCount} letter log-probabilities: optionOrder and letterLogProbs must have one entry per letter`);
    }
    const seen = new Array<boolean>(optionCount).fill(false);
    for (const index of order) {
        if (!Number.isInteger(index) || index < 0 || index >= optionCount || seen[index]) {
            throw new Error(
                `permutation ${which} has optionOrder [${order.join(", ")}], which is not a permutation of 0..${optionCount - 1}: optionOrder[position] must name each canonical option exactly once`,
            );
        }
        seen[index] = true;
    }
}

/**
 * The model's distribution for one question: each permutation's letter distribution mapped back to canonical order
 * (the letter at position j speaks for option optionOrder[j]) and averaged with equal weight per permutation.
 * Averaging in probability space (not log space) keeps the result a mixture of what the model said under each
 * order: a model that always answers letter A comes out uniform over a set of orders that puts every option at A
 * equally often, which is what a pure position bias says about its opinion.
 */
export function modelOptionDistribution(permutations: readonly PermutationLetterLogProbs[]): ModelOptionDistribution {
    if (permutations.length === 0) throw new Error("no permutations: pass the letter log-probabilities of at least one presentation of the question");
    const optionCount = permutations[0].letterLogProbs.length;
    const sum = new Array<number>(optionCount).fill(0);
    let massSum = 0;
    let minOptionMass = Infinity;
    permutations.forEach((permutation, which) => {
        if (permutation.letterLogProbs.length !== optionCount) {
            throw new Error(
                `permutation ${which} has ${permutation.letterLogProbs.length} letter log-probabilities but permutation 0 has ${optionCount}: every permutation of a question must show the same options`,
            );
        }
        checkOptionOrder(permutation.optionOrder, optionCount, which);
        const { probabilities, optionMass } = letterDistribution(permutation.letterLogProbs);
        probabilities.forEach((p, position) => {
            sum[permutation.optionOrder[position]] += p;
        });
        massSum += optionMass;
        minOptionMass = Math.min(minOptionMass, optionMass);
    });
    return {
        probabilities: sum.map((s) => s / permutations.length),
        optionMass: massSum / permutations.length,
        minOptionMass,
        permutations: permutations.length,
    };
}
