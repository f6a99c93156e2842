// `culturescope compare RUN_A RUN_B`: pairs the same items across two runs (a regional fine-tune and its base model,
// two strategies, two quantisations) and reports, per task, each aggregate's difference B − A with a paired
// bootstrap over questions, and the questions that flipped. Runs made on different data files, or whose item sets
// differ, are refused with the reason: a difference over different questions would not be paired.
import fs from "node:fs";
import path from "node:path";
import { readCulturalBenchEasy, readCulturalBenchHard } from "../datasets/culturalBench.ts";
import { readNormAd } from "../datasets/normad.ts";
import { DATASETS, REPO_ROOT } from "../datasets/registry.ts";
import { compareAccuracyRuns, NORMAD_CONTEXT_LEVELS, type AccuracyBenchmark, type AccuracyDifferenceRow, type NormAdContextLevel, type ScoredItem } from "../metrics/accuracy.ts";
import type { BootstrapOptions } from "../metrics/bootstrap.ts";
import { compareOpinionRuns, scoreOpinionQuestions, type OpinionDifferenceRow, type OpinionQuestion, type OpinionQuestionScore } from "../metrics/opinion.ts";
import { writeFileAtomic, type AnswerRow, type RunRecord } from "../output/index.ts";
import { configLabel, groupPush, itemOrder, modelDistribution } from "./chartData.ts";
import { differenceSpec, renderSvg, type DifferenceChartRow } from "./charts.ts";
import { escapeHtml, figure, missing, page, section, table, type Cell } from "./html.ts";
import { ACCURACY_TASKS } from "./report.ts";
import { configView, loadRunData, type RunData } from "./runData.ts";
import { loadOpinionSurvey, opinionCountryKeys, type CountryKeys } from "./survey.ts";

export const COMPARE_HTML = "compare.html";
export const COMPARE_JSON = "compare.json";

export interface Config {
    model: string;
    strategy: string;
}

export interface ConfigPair {
    task: string;
    a: Config;
    b: Config;
    /** "model · strategy → model · strategy" */
    label: string;
}

export interface OpinionFlip {
    itemId: string;
    question: string;
    cadA: number;
    cadB: number;
    /** the country the model was closer to in run A and in run B */
    closerA: "India" | "US" | "tie";
    closerB: "India" | "US" | "tie";
}

export interface OpinionComparison {
    pair: ConfigPair;
    countries: CountryKeys;
    rows: OpinionDifferenceRow[];
    flips: OpinionFlip[];
}

export interface AccuracyFlip {
    /** the question (CulturalBench), or story@level (NormAd) */
    item: string;
    rightInA: boolean;
    rightInB: boolean;
}

export interface AccuracyComparison {
    pair: ConfigPair;
    rows: AccuracyDifferenceRow[];
    flips: AccuracyFlip[];
}

export interface MapDelta {
    pair: ConfigPair;
    a: { TradAgg: number; SurvSAgg: number; distanceIndia: number; distanceUnitedStates: number };
    b: { TradAgg: number; SurvSAgg: number; distanceIndia: number; distanceUnitedStates: number };
}

export interface Comparison {
    runA: string;
    runB: string;
    tasks: string[];
    /** tasks with results in only one of the runs, and which */
    notCompared: { task: string; onlyIn: "A" | "B" }[];
    opinion: OpinionComparison[];
    accuracy: AccuracyComparison[];
    map: MapDelta[];
}

/** Refuses runs made on different files of the same data set. */
export function checkSameData(a: RunRecord, b: RunRecord): void {
    for (const da of a.datasets ?? []) {
        const db = (b.datasets ?? []).find((d) => d.name === da.name);
        if (db && db.sha256 !== da.sha256) {
            throw new Error(
                `the runs read different ${da.name} files (A: ${da.path}, sha256 ${da.sha256.slice(0, 12)}…; B: ${db.path}, sha256 ${db.sha256.slice(0, 12)}…), so their items are not the same questions: compare runs made on the same data (rerun one of them with the other's data file)`,
            );
        }
    }
}

const configsOf = (data: RunData, task: string): Config[] => {
    const seen = new Map<string, Config>();
    for (const a of data.tables.answers) if (a.task === task) seen.set(`${a.model}\u0000${a.strategy}`, { model: a.model, strategy: a.strategy });
    for (const m of data.tables.map) if (task === "culturalmap") seen.set(`${m.model}\u0000${m.strategy}`, { model: m.model, strategy: m.strategy });
    return [...seen.values()].sort((x, y) => x.model.localeCompare(y.model) || x.strategy.localeCompare(y.strategy));
};

/**
 * Which model × strategy of run A goes with which of run B, for one task: the same model and strategy when both runs
 * hold the same set; one against one when each run holds one; by strategy when each run has one model (a base model
 * against its fine-tune); by model when each run has one strategy. Anything else is ambiguous and refused.
 */
export function pairConfigs(task: string, a: readonly Config[], b: readonly Config[]): ConfigPair[] {
    const key = (c: Config) => `${c.model}\u0000${c.strategy}`;
    const make = (x: Config, y: Config): ConfigPair => ({ task, a: x, b: y, label: `${configLabel(x.model, x.strategy)} → ${configLabel(y.model, y.strategy)}` });
    const sameSet = a.length === b.length && a.every((x) => b.some((y) => key(x) === key(y)));
    if (sameSet) return a.map((x) => make(x, b.find((y) => key(x) === key(y))!));
    if (a.length === 1 && b.length === 1) return [make(a[0], b[0])];
    const models = (cs: readonly Config[]) => new Set(cs.map((c) => c.model));
    const strategies = (cs: readonly Config[]) => new Set(cs.map((c) => c.strategy));
    const sameKeys = (x: Set<string>, y: Set<string>) => x.size === y.size && [...x].every((v) => y.has(v));
    if (models(a).size === 1 && models(b).size === 1 && sameKeys(strategies(a), strategies(b))) return a.map((x) => make(x, b.find((y) => y.strategy === x.strategy)!));
    if (strategies(a).size === 1 && strategies(b).size === 1 && sameKeys(models(a), models(b))) return a.map((x) => make(x, b.find((y) => y.model === x.model)!));
    const list = (cs: readonly Config[]) => cs.map((c) => configLabel(c.model, c.strategy)).join(", ");
    throw new Error(
        `${task}: cannot tell which results of run A go with which of run B (A has ${list(a)}; B has ${list(b)}). Compare runs that differ in one thing: the same models and strategies, one model each with the same strategies, or one strategy each with the same models`,
    );
}

/** Refuses a pair whose item sets differ, naming a few items on each side. */
function checkSameItems(data: { a: RunData; b: RunData }, pair: ConfigPair): void {
    const ids = (d: RunData, c: Config) => new Set(d.tables.items.filter((i) => i.task === pair.task && i.model === c.model && i.strategy === c.strategy).map((i) => i.item_id));
    const inA = ids(data.a, pair.a);
    const inB = ids(data.b, pair.b);
    const onlyA = [...inA].filter((id) => !inB.has(id)).sort(itemOrder);
    const onlyB = [...inB].filter((id) => !inA.has(id)).sort(itemOrder);
    if (onlyA.length === 0 && onlyB.length === 0) return;
    const few = (xs: string[]) => xs.slice(0, 5).join(", ") + (xs.length > 5 ? `, … (${xs.length} in all)` : "");
    const hindi = [pair.a.strategy, pair.b.strategy].some((s) => s === "crosslingual" || s === "hindi") && pair.a.strategy !== pair.b.strategy;
    throw new Error(
        `${pair.task} (${pair.label}): the item sets differ (${inA.size} items in A, ${inB.size} in B; ` +
            [onlyA.length ? `only in A: ${few(onlyA)}` : "", onlyB.length ? `only in B: ${few(onlyB)}` : ""].filter(Boolean).join("; ") +
            `). A paired comparison needs the same items in both runs: rerun one of them with the other's items (same --limit, shard and data)` +
            (hindi ? `; a Hindi-text strategy skips items without Hindi text, so compare it with a run of a Hindi-text strategy` : ""),
    );
}

const answersOf = (data: RunData, task: string, c: Config) => data.tables.answers.filter((a) => a.task === task && a.model === c.model && a.strategy === c.strategy);

function opinionScores(answers: readonly AnswerRow[], survey: ReturnType<typeof loadOpinionSurvey>, keys: CountryKeys, usable: Set<string>): OpinionQuestionScore[] {
    const questions: OpinionQuestion[] = [];
    for (const a of [...answers].sort((x, y) => itemOrder(x.item_id, y.item_id))) {
        if (!usable.has(a.item_id)) continue;
        const q = survey.byItemId.get(a.item_id)!;
        questions.push({ questionId: a.item_id, countryDistributions: q.selections, modelProbabilities: modelDistribution(a, q.options.length)!, modelOptionMass: a.option_mass });
    }
    return scoreOpinionQuestions(questions, { focusCountry: keys.focus, comparisonCountry: keys.comparison });
}

const side = (cad: number) => (cad > 0 ? "India" : cad < 0 ? "US" : "tie") as "India" | "US" | "tie";

function compareOpinion(data: { a: RunData; b: RunData }, pair: ConfigPair, bootstrap: Partial<BootstrapOptions>): OpinionComparison {
    const keys = opinionCountryKeys(data.a.record, data.a.tables.metrics);
    const keysB = opinionCountryKeys(data.b.record, data.b.tables.metrics);
    if (keys.focus !== keysB.focus || keys.comparison !== keysB.comparison) {
        throw new Error(`opinion: run A contrasts "${keys.focus}" with "${keys.comparison}" but run B "${keysB.focus}" with "${keysB.comparison}": compare runs made with the same countries`);
    }
    const survey = loadOpinionSurvey(data.a.record);
    const answersA = answersOf(data.a, "opinion", pair.a);
    const answersB = answersOf(data.b, "opinion", pair.b);
    // a question enters when the survey has it and both runs have a distribution for it (a sampled item with no
    // parsed trial has none), so both sides are scored on exactly the same questions
    const hasDistribution = (answers: readonly AnswerRow[]) =>
        new Set(answers.filter((a) => survey.byItemId.has(a.item_id) && modelDistribution(a, survey.byItemId.get(a.item_id)!.options.length) !== null).map((a) => a.item_id));
    const inB = hasDistribution(answersB);
    const usable = new Set([...hasDistribution(answersA)].filter((id) => inB.has(id)));
    if (usable.size === 0) throw new Error(`opinion (${pair.label}): no question has a model distribution in both runs and a row in ${survey.file}`);
    const scoresA = opinionScores(answersA, survey, keys, usable);
    const scoresB = opinionScores(answersB, survey, keys, usable);
    const rows = compareOpinionRuns(scoresA, scoresB, bootstrap);
    const byId = new Map(scoresB.map((s) => [s.questionId, s]));
    const flips: OpinionFlip[] = [];
    for (const sa of scoresA) {
        const sb = byId.get(sa.questionId)!;
        if (sa.cad === null || sb.cad === null || side(sa.cad) === side(sb.cad)) continue;
        flips.push({ itemId: sa.questionId, question: survey.byItemId.get(sa.questionId)!.question, cadA: sa.cad, cadB: sb.cad, closerA: side(sa.cad), closerB: side(sb.cad) });
    }
    return { pair, countries: keys, rows, flips };
}

/** Country per bootstrap unit from the answers' own country column; null when a row lacks it (runs written before it). */
export function countriesFromAnswers(answers: readonly AnswerRow[]): Map<string, string> | null {
    const countries = new Map<string, string>();
    for (const a of answers) {
        if (a.country == null) return null;
        countries.set(a.unit_id, a.country);
    }
    return countries;
}

/** Country per bootstrap unit from the data file the run read, where it is still installed; null otherwise. */
function countriesOf(record: RunRecord, task: string): Map<string, string> | null {
    const listed = record.datasets?.find((d) => d.name === task);
    const shipped = DATASETS[task as keyof typeof DATASETS]?.shipped?.main;
    const candidates = [listed ? (path.isAbsolute(listed.path) ? listed.path : path.join(REPO_ROOT, listed.path)) : null, shipped && !listed ? path.join(REPO_ROOT, shipped) : null].filter((f): f is string => !!f && fs.existsSync(f));
    if (!candidates.length) return null;
    try {
        if (task === "culturalbench-hard") return new Map(readCulturalBenchHard(candidates[0]).rows.map((r) => [`cbh-q${r.questionIdx}`, r.country]));
        if (task === "culturalbench-easy") return new Map(readCulturalBenchEasy(candidates[0]).rows.map((r) => [`cbe-${r.questionIdx}`, r.country]));
        if (task === "normad") return new Map(readNormAd(candidates[0]).rows.map((r) => [`normad-${r.id}`, r.country]));
    } catch {
        // an unreadable file only loses the per-country rows
    }
    return null;
}

const UNKNOWN_COUNTRY = "(unknown)";

/**
 * Accuracy items from the answers table: an item is right when its `correct` is true (null, e.g. a sampled item with
 * no parsed trial, counts as wrong, as an unparseable answer does in the accuracy metrics). A CulturalBench-Hard
 * question is right only when all of its judgements are. One trial per item: the logit answer, or the sampled
 * majority answer.
 */
export function scoredItemsFromAnswers(task: AccuracyBenchmark, answers: readonly AnswerRow[], countries: ReadonlyMap<string, string> | null): ScoredItem[] {
    const country = (unit: string) => countries?.get(unit) ?? UNKNOWN_COUNTRY;
    const right = (a: AnswerRow) => (a.correct === true ? 1 : 0);
    if (task === "culturalbench-hard") {
        const byUnit = new Map<string, AnswerRow[]>();
        for (const a of answers) groupPush(byUnit, a.unit_id, a);
        return [...byUnit.entries()].map(([unit, judgements]) => {
            const fraction = judgements.reduce((s, j) => s + right(j), 0) / judgements.length;
            const all = fraction === 1 ? 1 : 0;
            return { benchmark: task, itemId: unit, unitId: unit, country: country(unit), contextLevel: null, goldLabel: null, trialScores: [all], majorityVoteScore: all, judgementTrialScores: [fraction], judgementMajorityVoteScore: fraction };
        });
    }
    return answers.map((a) => {
        const level = task === "normad" ? (NORMAD_CONTEXT_LEVELS.find((l) => a.item_id.endsWith(`-${l}`)) ?? null) : null;
        const itemId = task === "normad" ? a.unit_id : a.item_id;
        return { benchmark: task, itemId, unitId: a.unit_id, country: country(a.unit_id), contextLevel: level as NormAdContextLevel | null, goldLabel: null, trialScores: [right(a)], majorityVoteScore: right(a), judgementTrialScores: null, judgementMajorityVoteScore: null };
    });
}

function compareAccuracy(data: { a: RunData; b: RunData }, pair: ConfigPair, bootstrap: Partial<BootstrapOptions>): AccuracyComparison {
    const task = pair.task as AccuracyBenchmark;
    const answersA = answersOf(data.a, task, pair.a);
    const answersB = answersOf(data.b, task, pair.b);
    const countries = countriesFromAnswers(answersA) ?? countriesOf(data.a.record, task);
    const itemsA = scoredItemsFromAnswers(task, answersA, countries);
    const itemsB = scoredItemsFromAnswers(task, answersB, countries);
    // without the data file every country is "(unknown)": its rows would only repeat the overall ones
    const rows = compareAccuracyRuns(itemsA, itemsB, bootstrap).filter((r) => r.country !== UNKNOWN_COUNTRY);
    const key = (i: ScoredItem) => (i.contextLevel ? `${i.itemId}@${i.contextLevel}` : i.itemId);
    const byKey = new Map(itemsB.map((i) => [key(i), i]));
    const flips = itemsA
        .filter((i) => i.trialScores[0] !== byKey.get(key(i))!.trialScores[0])
        .map((i) => ({ item: key(i), rightInA: i.trialScores[0] === 1, rightInB: byKey.get(key(i))!.trialScores[0] === 1 }))
        .sort((x, y) => itemOrder(x.item, y.item));
    return { pair, rows, flips };
}

/** The comparison of two loaded runs; throws, saying why, when they cannot be paired. */
export function compareRuns(a: RunData, b: RunData, bootstrap: Partial<BootstrapOptions> = {}): Comparison {
    checkSameData(a.record, b.record);
    const tasksOf = (d: RunData) => new Set([...d.tables.answers.map((x) => x.task), ...(d.tables.map.length ? ["culturalmap"] : [])]);
    const ta = tasksOf(a);
    const tb = tasksOf(b);
    const tasks = [...ta].filter((t) => tb.has(t)).sort();
    const notCompared = [...[...ta].filter((t) => !tb.has(t)).map((task) => ({ task, onlyIn: "A" as const })), ...[...tb].filter((t) => !ta.has(t)).map((task) => ({ task, onlyIn: "B" as const }))];
    if (tasks.length === 0) {
        throw new Error(`the runs have no task in common (A: ${[...ta].join(", ") || "none"}; B: ${[...tb].join(", ") || "none"}): compare two runs of the same task`);
    }
    const data = { a, b };
    const comparison: Comparison = { runA: a.dir, runB: b.dir, tasks, notCompared, opinion: [], accuracy: [], map: [] };
    for (const task of tasks) {
        const pairs = pairConfigs(task, configsOf(a, task), configsOf(b, task));
        for (const pair of pairs) {
            if (task !== "culturalmap") checkSameItems(data, pair);
            if (task === "opinion") comparison.opinion.push(compareOpinion(data, pair, bootstrap));
            else if ((ACCURACY_TASKS as readonly string[]).includes(task)) comparison.accuracy.push(compareAccuracy(data, pair, bootstrap));
            else if (task === "culturalmap") {
                const find = (d: RunData, c: Config) => d.tables.map.find((m) => m.model === c.model && m.strategy === c.strategy);
                const ma = find(a, pair.a);
                const mb = find(b, pair.b);
                if (ma && mb) {
                    const view = (m: typeof ma) => ({ TradAgg: m.trad_agg, SurvSAgg: m.surv_s_agg, distanceIndia: m.distance_india, distanceUnitedStates: m.distance_united_states });
                    comparison.map.push({ pair, a: view(ma), b: view(mb) });
                }
            }
        }
    }
    return comparison;
}

const OPINION_LABELS: Record<string, string> = { cad: "CAD", ncad: "nCAD", optionMass: "option mass" };
const opinionLabel = (r: OpinionDifferenceRow) => (r.metric === "similarity" ? `Sim(${r.country})` : OPINION_LABELS[r.metric] ?? r.metric);
const accuracyLabel = (r: AccuracyDifferenceRow) =>
    [r.benchmark, r.metric === "accuracy" ? "accuracy" : r.metric, r.contextLevel, r.country, r.trialAggregation === "mean" ? null : r.trialAggregation].filter(Boolean).join(" · ");

/** What the difference chart draws: every opinion aggregate and each accuracy task's overall rows. */
export function differenceChartRows(c: Comparison): DifferenceChartRow[] {
    return [
        ...c.opinion.flatMap((o) => o.rows.map((r) => ({ what: `opinion · ${opinionLabel(r)}`, pair: o.pair.label, difference: r.difference, ciLower: r.ciLower, ciUpper: r.ciUpper }))),
        ...c.accuracy.flatMap((a) =>
            a.rows.filter((r) => r.country === null && r.trialAggregation === "mean").map((r) => ({ what: accuracyLabel(r), pair: a.pair.label, difference: r.difference, ciLower: r.ciLower, ciUpper: r.ciUpper })),
        ),
    ].filter((r) => Number.isFinite(r.difference));
}

const ci = (lo: number, hi: number) => (Number.isFinite(lo) && Number.isFinite(hi) ? `[${lo.toFixed(3)}, ${hi.toFixed(3)}]` : "–");

function runHeader(label: string, d: RunData): string {
    const c = configView(d.record);
    const models = d.record.models.map((m) => `${m.name || m.description} (${m.quantization}, sha256 ${m.sha256.slice(0, 12)}…)`).join(", ");
    return `<dt>run ${label}</dt><dd>${escapeHtml(d.dir)}: ${escapeHtml(models)}; strategies ${escapeHtml(c.strategies.join(", "))}; mode ${escapeHtml(c.mode ?? "?")}; ${escapeHtml(d.record.startedAt)}</dd>`;
}

export async function buildComparisonHtml(c: Comparison, a: RunData, b: RunData): Promise<string> {
    const parts: string[] = [`<header><h1>culturescope comparison</h1><dl class="header">${runHeader("A", a)}${runHeader("B", b)}<dt>compared</dt><dd>${escapeHtml(c.tasks.join(", "))}</dd></dl>`];
    for (const n of c.notCompared) parts.push(missing(`not-compared-${n.task}`, `${n.task} has results only in run ${n.onlyIn}, so it is not compared.`, `culturescope run --tasks ${n.task} --out NEW_DIR with the other run's models and strategies`));
    parts.push(`</header>`);
    const chartRows = differenceChartRows(c);
    const differences = chartRows.length
        ? figure("differences", await renderSvg(differenceSpec(chartRows)), "Run B − run A for each aggregate, with 95% paired-bootstrap intervals (both runs resampled on the same questions).")
        : missing("differences", "No aggregate could be compared.", "culturescope compare RUN_A RUN_B on two runs of the same task");
    parts.push(section("differences", "Differences", differences));
    if (c.opinion.length) {
        const rows: Cell[][] = c.opinion.flatMap((o) => o.rows.map((r): Cell[] => [o.pair.label, opinionLabel(r), { value: r.valueA }, { value: r.valueB }, { value: r.difference }, ci(r.ciLower, r.ciUpper), r.questions]));
        const flips: Cell[][] = c.opinion.flatMap((o) => o.flips.map((f): Cell[] => [o.pair.label, f.itemId, f.question, f.closerA, f.closerB, { value: f.cadA }, { value: f.cadB }]));
        parts.push(
            section(
                "opinion",
                "Opinion alignment",
                table(["pair (A → B)", "aggregate", "A", "B", "B − A", "95% CI", "questions"], rows) +
                    `<h3>Questions that flipped</h3><p class="note">Questions where run A's model was closer to one country's respondents and run B's to the other (the sign of CAD changed).</p>` +
                    (flips.length ? table(["pair (A → B)", "item", "question", "closer in A", "closer in B", "CAD in A", "CAD in B"], flips) : `<p class="note">No question flipped.</p>`),
            ),
        );
    }
    if (c.accuracy.length) {
        const rows: Cell[][] = c.accuracy.flatMap((x) => x.rows.map((r): Cell[] => [x.pair.label, r.benchmark, r.metric, r.contextLevel ?? "all levels", r.country ?? "all countries", { value: r.valueA }, { value: r.valueB }, { value: r.difference }, ci(r.ciLower, r.ciUpper), r.items]));
        const flips: Cell[][] = c.accuracy.flatMap((x) => x.flips.map((f): Cell[] => [x.pair.label, x.pair.task, f.item, f.rightInA ? "right" : "wrong", f.rightInB ? "right" : "wrong"]));
        parts.push(
            section(
                "knowledge",
                "Knowledge and adaptation",
                table(["pair (A → B)", "task", "metric", "context level", "country", "A", "B", "B − A", "95% CI", "items"], rows) +
                    `<h3>Items that flipped</h3>` +
                    (flips.length ? table(["pair (A → B)", "task", "item", "run A", "run B"], flips) : `<p class="note">No item flipped.</p>`),
            ),
        );
    }
    if (c.map.length) {
        const rows: Cell[][] = c.map.map((m) => [m.pair.label, { value: m.a.TradAgg }, { value: m.b.TradAgg }, { value: m.a.SurvSAgg }, { value: m.b.SurvSAgg }, { value: m.b.distanceIndia - m.a.distanceIndia }, { value: m.b.distanceUnitedStates - m.a.distanceUnitedStates }]);
        parts.push(section("cultural-map", "Cultural map", table(["pair (A → B)", "TradAgg A", "TradAgg B", "SurvSAgg A", "SurvSAgg B", "Δ distance to India", "Δ distance to the US"], rows) + `<p class="note">One position per run: no interval.</p>`));
    }
    return page(`culturescope comparison: ${path.basename(a.dir)} → ${path.basename(b.dir)}`, parts.join("\n"));
}

/** The default output folder: inside run A, named after run B. */
export const defaultComparisonDir = (runA: string, runB: string) => path.join(path.resolve(runA), `compare-${path.basename(path.resolve(runB))}`);

/** Compares two run directories and writes compare.html and compare.json into `outDir`; returns their paths. */
export async function writeComparison(runA: string, runB: string, outDir: string = defaultComparisonDir(runA, runB), bootstrap: Partial<BootstrapOptions> = {}): Promise<{ html: string; json: string; comparison: Comparison }> {
    const a = loadRunData(runA);
    const b = loadRunData(runB);
    if (a.dir === b.dir) throw new Error(`run A and run B are the same directory (${a.dir}): compare two different runs`);
    const comparison = compareRuns(a, b, bootstrap);
    const html = await buildComparisonHtml(comparison, a, b);
    fs.mkdirSync(outDir, { recursive: true });
    const htmlFile = path.join(outDir, COMPARE_HTML);
    const jsonFile = path.join(outDir, COMPARE_JSON);
    writeFileAtomic(htmlFile, html);
    // NaN (an interval undefined on every resample) has no JSON form: null says "not defined"
    writeFileAtomic(jsonFile, JSON.stringify(comparison, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n");
    return { html: htmlFile, json: jsonFile, comparison };
}
