// What a run shows while it works: on a terminal, one live bar per task (cli-progress) with items done/total,
// prompts/s, tokens/s and ETA; elsewhere (CI, a pipe, a log file, --quiet, --json) plain timestamped lines.
import cliProgress from "cli-progress";

export interface TaskTotals {
    task: string;
    items: number;
}

export interface ProgressDisplay {
    /** A shard finished: its task, items, prompts, tokens, and the seconds its worker spent on it. */
    advance(task: string, items: number, prompts: number, tokens: number, seconds: number): void;
    /** A message that must not be drawn over by the bars. */
    log(message: string): void;
    stop(): void;
}

const rate = (n: number, seconds: number) => (seconds > 0 ? n / seconds : 0);
export const formatCount = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const formatSeconds = (s: number) => (!Number.isFinite(s) ? "?" : s >= 3600 ? `${(s / 3600).toFixed(1)}h` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`);

class TaskCounter {
    items = 0;
    prompts = 0;
    tokens = 0;
    /** When the task's first shard started: tasks run one after another, so a task's clock starts with its work. */
    private started: number | null = null;
    constructor(
        readonly task: string,
        readonly total: number,
    ) {}
    add(items: number, prompts: number, tokens: number, seconds: number, now: number) {
        this.started ??= now - seconds * 1000;
        this.items += items;
        this.prompts += prompts;
        this.tokens += tokens;
    }
    seconds(now: number) {
        return this.started === null ? 0 : (now - this.started) / 1000;
    }
    eta(now: number) {
        const perItem = this.items ? this.seconds(now) / this.items : Infinity;
        return (this.total - this.items) * perItem;
    }
}

/** Live bars on a TTY. */
class BarDisplay implements ProgressDisplay {
    private readonly bars: cliProgress.MultiBar;
    private readonly counters = new Map<string, { counter: TaskCounter; bar: cliProgress.SingleBar }>();

    constructor(totals: readonly TaskTotals[], stream: NodeJS.WriteStream) {
        this.bars = new cliProgress.MultiBar(
            {
                format: " {task} |{bar}| {value}/{total} items | {pps} prompts/s | {tps} tok/s | ETA {etaText}",
                barsize: 24,
                hideCursor: true,
                clearOnComplete: false,
                stopOnComplete: false,
                autopadding: true,
                fps: 5,
                stream,
            },
            cliProgress.Presets.shades_classic,
        );
        const width = Math.max(...totals.map((t) => t.task.length));
        for (const t of totals) {
            const bar = this.bars.create(t.items, 0, { task: t.task.padEnd(width), pps: "0", tps: "0", etaText: "?" });
            this.counters.set(t.task, { counter: new TaskCounter(t.task, t.items), bar });
        }
    }
    advance(task: string, items: number, prompts: number, tokens: number, seconds: number) {
        const entry = this.counters.get(task);
        if (!entry) return;
        const { counter, bar } = entry;
        const now = Date.now();
        counter.add(items, prompts, tokens, seconds, now);
        const s = counter.seconds(now);
        bar.update(counter.items, { pps: formatCount(rate(counter.prompts, s)), tps: formatCount(rate(counter.tokens, s)), etaText: counter.items >= counter.total ? "done" : formatSeconds(counter.eta(now)) });
    }
    log(message: string) {
        this.bars.log(message.endsWith("\n") ? message : message + "\n");
        // cli-progress prints logged lines at its next redraw; redraw now so a message is never held back
        this.bars.update();
    }
    stop() {
        this.bars.stop();
    }
}

/** Plain lines: one per task whenever it passes another tenth of its items, and when it ends. */
class LineDisplay implements ProgressDisplay {
    private readonly counters = new Map<string, { counter: TaskCounter; reported: number }>();
    constructor(
        totals: readonly TaskTotals[],
        private readonly write: (line: string) => void,
    ) {
        for (const t of totals) this.counters.set(t.task, { counter: new TaskCounter(t.task, t.items), reported: 0 });
    }
    advance(task: string, items: number, prompts: number, tokens: number, seconds: number) {
        const entry = this.counters.get(task);
        if (!entry) return;
        const c = entry.counter;
        c.add(items, prompts, tokens, seconds, Date.now());
        const tenth = Math.floor((10 * c.items) / Math.max(1, c.total));
        if (tenth <= entry.reported && c.items < c.total) return;
        entry.reported = tenth;
        const now = Date.now();
        const s = c.seconds(now);
        const eta = c.items >= c.total ? "done" : `ETA ${formatSeconds(c.eta(now))}`;
        this.write(`[${new Date(now).toISOString()}] ${task}: ${c.items}/${c.total} items, ${formatCount(rate(c.prompts, s))} prompts/s, ${formatCount(rate(c.tokens, s))} tok/s, ${eta}`);
    }
    log(message: string) {
        this.write(message);
    }
    stop() {}
}

/**
 * Bars when `stream` is a terminal and neither --quiet nor --json was given; otherwise (CI, a pipe, --quiet, --json)
 * plain lines, on stderr so that stdout keeps only the outcome (the table, or the JSON).
 */
export function createProgress(totals: readonly TaskTotals[], options: { quiet: boolean; json: boolean }, stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
    if (stream.isTTY && !options.quiet && !options.json && process.env.CI !== "true") return new BarDisplay(totals, stream);
    return new LineDisplay(totals, (line) => stream.write(line + "\n"));
}
