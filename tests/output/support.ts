// Hand-built rows for the output tests that do not need a model.
import type { ScoreRow } from "../../src/output/index.ts";

/** n synthetic scores rows (4 letters per permutation), deterministic so files can be compared. */
export function scoreRows(n: number): ScoreRow[] {
    return Array.from({ length: n }, (_, i) => ({
        run_id: "test-run",
        model: "synthetic",
        task: "opinion",
        strategy: "default",
        item_id: `item-${Math.floor(i / 16)}`,
        permutation: Math.floor(i / 4) % 4,
        option_order: [0, 1, 2, 3],
        position: i % 4,
        option_index: i % 4,
        letter: "ABCD"[i % 4],
        token_id: 319 + (i % 4),
        log_prob: -1 - (i % 7) / 10,
        log_sum_exp: 3.5,
        option_mass: 0.9,
    }));
}
