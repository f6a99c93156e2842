import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["tests/**/*.test.ts"],
        // Native scoring tests load models and spawn processes: give them room on a 2-core machine.
        testTimeout: 120_000,
        hookTimeout: 120_000,
        // One file at a time per worker, two workers: llama.cpp already uses the cores it is given.
        maxWorkers: 2,
    },
});
