// Answer-order permutations against position bias: a model that prefers "A" should not look like it prefers
// whichever option happens to be listed first. Each order is a list where order[position] = canonical option index,
// the convention src/metrics/distributions.ts maps back with.

export type AnswerOrder = readonly number[];

export interface AnswerOrderOptions {
    /** Upper bound on the orders returned (default: no bound). */
    maxPermutations?: number;
    /** Up to this many options every order is used (default 4: 24 orders). */
    exhaustiveUpTo?: number;
}

export const OPTION_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** The letter shown at `position` (A for 0). */
export function optionLetter(position: number): string {
    if (!Number.isInteger(position) || position < 0 || position >= OPTION_LETTERS.length)
        throw new Error(`option position ${position} has no letter: questions may have at most ${OPTION_LETTERS.length} options`);
    return OPTION_LETTERS[position];
}

function cyclicShifts(base: readonly number[]): number[][] {
    return base.map((_, s) => base.map((_, i) => base[(i + s) % base.length]));
}

function allOrders(k: number): number[][] {
    const out: number[][] = [];
    const walk = (prefix: number[], rest: number[]) => {
        if (rest.length === 0) out.push(prefix);
        rest.forEach((x, i) => walk([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)]));
    };
    walk([], Array.from({ length: k }, (_, i) => i));
    return out;
}

/**
 * The answer orders for a question with k options, deterministic and canonical order first:
 * - k ≤ exhaustiveUpTo (4): all k! orders;
 * - otherwise the k cyclic shifts of the canonical order and the k of its reverse (2k orders).
 * Orders are listed cyclic shifts first, then reversed shifts, then (k ≤ 4) the remaining orders in lexicographic
 * order, so that a cap of at least k still shows every option at every position exactly as often.
 */
export function answerOrders(k: number, options: AnswerOrderOptions = {}): AnswerOrder[] {
    if (!Number.isInteger(k) || k < 1) throw new Error(`a question needs at least one option (got ${k})`);
    optionLetter(k - 1);
    const exhaustiveUpTo = options.exhaustiveUpTo ?? 4;
    const max = options.maxPermutations ?? Number.POSITIVE_INFINITY;
    if (!(max >= 1) || (Number.isFinite(max) && !Number.isInteger(max)))
        throw new Error(`maxPermutations must be a positive integer (got ${options.maxPermutations})`);
    const identity = Array.from({ length: k }, (_, i) => i);
    const candidates = [...cyclicShifts(identity), ...cyclicShifts([...identity].reverse()), ...(k <= exhaustiveUpTo ? allOrders(k) : [])];
    const seen = new Set<string>();
    const orders: number[][] = [];
    for (const order of candidates) {
        const key = order.join(",");
        if (seen.has(key)) continue;
        seen.add(key);
        orders.push(order);
        if (orders.length >= max) break;
    }
    return orders;
}

/** The options as shown under `order`: shown[position] = options[order[position]]. */
export function applyOrder<T>(options: readonly T[], order: AnswerOrder): T[] {
    if (order.length !== options.length) throw new Error(`answer order has ${order.length} positions but the question has ${options.length} options`);
    return order.map((i) => options[i]);
}
