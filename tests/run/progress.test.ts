// The progress display: plain lines (CI, pipes, --quiet, --json) report each task's items, rates and ETA at every
// tenth; on a terminal, live bars draw the same numbers.
import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgress } from "../../src/run/progress.ts";

/** A stream that records what is written; `tty` makes it look like a terminal to cli-progress. */
function captureStream(tty: boolean) {
    const chunks: string[] = [];
    const stream = new Writable({
        write(chunk, _encoding, callback) {
            chunks.push(String(chunk));
            callback();
        },
    }) as Writable & Record<string, unknown>;
    if (tty) Object.assign(stream, { isTTY: true, columns: 160, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
    return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join("") };
}

afterEach(() => vi.useRealTimers());

describe("progress", () => {
    it("writes a line per task at each tenth of its items, with rates and ETA, and 'done' at the end", () => {
        vi.useFakeTimers({ now: 0 });
        const { stream, text } = captureStream(false);
        const progress = createProgress([{ task: "opinion", items: 100 }, { task: "culturalmap", items: 11 }], { quiet: false, json: false }, stream);
        vi.setSystemTime(2000);
        // the task's clock starts when its first shard started (1 s of work before now), not when the run began
        progress.advance("opinion", 5, 120, 6000, 1); // below a tenth: no line
        expect(text()).toBe("");
        progress.advance("opinion", 20, 480, 24000, 1);
        vi.setSystemTime(4000);
        progress.advance("culturalmap", 11, 44, 1000, 0.5);
        progress.advance("opinion", 75, 1800, 90000, 1);
        const lines = text().trim().split("\n");
        expect(lines).toHaveLength(3);
        // 25 items and 600 prompts in 1 s: 600 prompts/s, 30k tokens/s; 75 items left at 0.04 s each
        expect(lines[0]).toMatch(/opinion: 25\/100 items, 600 prompts\/s, 30\.0k tok\/s, ETA 3s$/);
        // 44 prompts in the 0.5 s since the map's shard started
        expect(lines[1]).toMatch(/culturalmap: 11\/11 items, 88\.0 prompts\/s, 2000 tok\/s, done$/);
        // 2400 prompts in 3 s
        expect(lines[2]).toMatch(/opinion: 100\/100 items, 800 prompts\/s, 40\.0k tok\/s, done$/);
        progress.stop();
    });

    it("uses plain lines with --quiet or --json even on a terminal", () => {
        for (const options of [{ quiet: true, json: false }, { quiet: false, json: true }]) {
            const { stream, text } = captureStream(true);
            const progress = createProgress([{ task: "opinion", items: 1 }], options, stream);
            progress.advance("opinion", 1, 24, 1000, 0.1);
            progress.stop();
            expect(text()).toMatch(/^\[.*\] opinion: 1\/1 items, .* done\n$/);
        }
    });

    it("draws live bars on a terminal", () => {
        const ci = process.env.CI;
        delete process.env.CI;
        try {
            const { stream, text } = captureStream(true);
            const progress = createProgress([{ task: "opinion", items: 10 }], { quiet: false, json: false }, stream);
            progress.advance("opinion", 10, 240, 12000, 1);
            progress.log("a message between the bars");
            progress.stop();
            expect(text()).toMatch(/opinion \|.*\| 10\/10 items \| .* prompts\/s \| .* tok\/s \| ETA done/);
            expect(text()).toContain("a message between the bars");
        } finally {
            if (ci !== undefined) process.env.CI = ci;
        }
    });
});
