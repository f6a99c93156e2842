import type { ScoreRequest } from "../../src/native/index.ts";

// A seeded generator, so the workload is the same in every run and in the child process.
function lcg(seed: number) {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Requests shaped like permuted multiple-choice questions: varied prefix and continuation lengths, some empty. */
export function workload(seed: number, nRequests: number, nVocab: number): ScoreRequest[] {
    const rand = lcg(seed);
    const tokens = (n: number) => Array.from({ length: n }, () => 3 + Math.floor(rand() * (nVocab - 3)));
    return Array.from({ length: nRequests }, (_, r) => {
        const nCont = 1 + Math.floor(rand() * 6);
        return {
            prefix: [1, ...tokens(Math.floor(rand() * 40))],
            continuations: Array.from({ length: nCont }, (_, c) => tokens(c === 0 && r % 3 === 0 ? 0 : 1 + Math.floor(rand() * 12))),
            candidates: tokens(4),
        };
    });
}

