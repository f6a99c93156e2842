// `report.html`: one self-contained page per run directory (inline SVG charts, inline style and a small sort script,
// no network), written after every `culturescope run` and on demand by `culturescope report RUN_DIR`. Each panel
// reads the run's tables; where an input is missing (a task not run, no fitted map projection, sampling mode) the
// panel says what is missing and which command makes it, instead of failing.
import path from "node:path";
import { howToFit } from "../culturalmap/projection.ts";
import { latestPerCountry, readReferencePositions } from "../culturalmap/reference.ts";
import { writeFileAtomic } from "../output/index.ts";
import {
    accuracyChartData,
    accuracyRows,
    closerShares,
    configLabel,
    formatBytes,
    indiaVersusOthers,
    machineLine,
    mapChartData,
    modelHeaderRows,
    opinionChartData,
    opinionQuestionRows,
    positionBiasItems,
    summarisePositionBias,
    surveyBaseline,
    itemOrder,
    type OpinionQuestionRow,
} from "./chartData.ts";
import { accuracySpec, cadSpec, closerShareSpec, mapSpec, positionBiasSpec, renderSvg, similaritySpec } from "./charts.ts";
import { escapeHtml, figure, formatNumber, missing, page, section, table, type Cell } from "./html.ts";
import { configView, loadRunData, type RunData } from "./runData.ts";
import { loadOpinionSurvey, opinionCountryKeys, type CountryKeys } from "./survey.ts";

export const REPORT_FILE = "report.html";

export const ACCURACY_TASKS = ["culturalbench-easy", "culturalbench-hard", "normad"] as const;
const TASK_TITLES: Record<string, string> = {
    opinion: "GlobalOpinionQA opinion alignment",
    "culturalbench-easy": "CulturalBench-Easy",
    "culturalbench-hard": "CulturalBench-Hard",
    normad: "NormAd",
    culturalmap: "Cultural map",
};

/** The command that runs a task into this directory, or the skipped-task fix the run itself recorded. */
function taskFix(data: RunData, task: string): { why: string; fix: string } {
    const skipped = data.record.skippedTasks?.find((s) => s.task === task);
    if (skipped) return { why: `The run skipped ${task}: ${skipped.reason}.`, fix: skipped.fix };
    const asked = configView(data.record).tasks.includes(task);
    return asked
        ? { why: `${task} was asked for but has no results in this directory (the run may not have finished).`, fix: `culturescope run --out ${data.dir} --resume (with the run's other options unchanged)` }
        : { why: `${task} was not part of this run.`, fix: `culturescope run --tasks ${task} --out NEW_DIR (with this run's models and strategies)` };
}

const ci = (lo: number | null, hi: number | null) => (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi) ? "–" : `[${lo.toFixed(3)}, ${hi.toFixed(3)}]`);

function headerHtml(data: RunData): string {
    const r = data.record;
    const config = configView(r);
    const models = table(
        ["model", "parameters", "size", "quantisation", "GGUF sha256", "file"],
        modelHeaderRows(r).map((m) => [m.name, m.parameters, m.sizeOnDisk, m.quantization, { html: `<span class="hash">${escapeHtml(m.sha256)}</span>` }, m.file]),
    );
    const datasets = r.datasets?.length
        ? table(["data set", "file", "size", "sha256"], r.datasets.map((d) => [d.name, d.path, formatBytes(d.bytes), { html: `<span class="hash">${escapeHtml(d.sha256)}</span>` }]))
        : `<p class="note">run.json lists no data files.</p>`;
    const dl = [
        ["run", data.dir],
        ["tasks", config.tasks.join(", ") || "(not recorded)"],
        ["strategies", config.strategies.join(", ") || "(not recorded)"],
        ["mode", config.mode ?? "(not recorded)"],
        ["countries", [config.country, config.compareCountry].filter(Boolean).join(" vs ") || "(not recorded)"],
        ["date", `${r.startedAt} → ${r.endedAt ?? "not finished"}`],
        ["machine", machineLine(r)],
        ["culturescope", `${r.packageVersion}; config ${r.configHash?.slice(0, 12) ?? "?"}`],
    ]
        .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
        .join("");
    const warnings = (r.warnings ?? []).map((w) => `<div class="warning">${escapeHtml(w)}</div>`).join("");
    const skipped = (r.skippedTasks ?? []).map((s) => missing(`skipped-${s.task}`, `Skipped ${s.task}: ${s.reason}`, s.fix)).join("");
    const shard = r.shard ? `<p class="note">This directory holds shard ${r.shard.index + 1} of ${r.shard.count}: its numbers cover that share of the items only.</p>` : "";
    return `<header><h1>culturescope report</h1><dl class="header">${dl}</dl>${warnings}${shard}${skipped}<h3>Models</h3>${models}<h3>Data</h3>${datasets}</header>`;
}

async function mapSection(data: RunData): Promise<string> {
    if (data.tables.map.length === 0) {
        const skipped = data.record.skippedTasks?.find((s) => s.task === "culturalmap");
        const projection = [
            "No model has a place on the cultural map.",
            skipped ? `The run skipped the cultural map: ${skipped.reason}.` : "",
            `Placing a model needs a fitted projection, and culturescope ships none: ${howToFit("map.json")}; then run the map task with it.`,
        ].filter(Boolean).join(" ");
        return section("cultural-map", "Cultural map", missing("map", projection, skipped?.fix ?? "culturescope run --tasks culturalmap --map-projection map.json --out NEW_DIR (with this run's models and strategies)"));
    }
    const { points, distances } = mapChartData(data.tables.map, latestPerCountry(readReferencePositions()));
    const svg = await renderSvg(mapSpec(points));
    const rows: Cell[][] = distances.map((d) => [
        d.config,
        { value: d.TradAgg },
        { value: d.SurvSAgg },
        { value: d.distanceIndia },
        { value: d.distanceUnitedStates },
        d.closerTo,
        d.nearest.map((n) => `${n.country} (${n.distance.toFixed(2)})`).join(", "),
    ]);
    return section(
        "cultural-map",
        "Cultural map",
        figure("map", svg, "Inglehart–Welzel map: grey dots are the official IVS positions of each country at its latest survey; India and the United States are highlighted; each model × strategy is a marked point.") +
            table(["model · strategy", "TradAgg", "SurvSAgg", "distance to India", "distance to the US", "closer to", "nearest countries"], rows) +
            `<p class="note">Distances to reference countries are meaningful only when the projection was fitted on the pooled IVS trend files (docs/METRICS.md).</p>`,
    );
}

/** Percentages one per line, in the order of the options listed under the question; sorts by the first option's share. */
function distributionCell(values: readonly number[] | null): Cell {
    if (!values) return null;
    return { html: `<div class="dist">${values.map((v, i) => `${i + 1}. ${formatNumber(v, 3, true)}`).join("<br>")}</div>`, sort: values[0] };
}

/**
 * One row per question (its text and options once, the two countries' respondents), then per model × strategy the
 * model's distribution and CAD: a run with several strategies repeats no question text, and sorting by one
 * strategy's CAD column lines the questions up for it.
 */
function questionTable(rows: readonly OpinionQuestionRow[], keys: CountryKeys): string {
    const configs = [...new Set(rows.map((r) => r.config))].sort();
    const byItem = new Map<string, Map<string, OpinionQuestionRow>>();
    for (const r of rows) {
        if (!byItem.has(r.itemId)) byItem.set(r.itemId, new Map());
        byItem.get(r.itemId)!.set(r.config, r);
    }
    const single = configs.length === 1;
    const headers = ["item", "question", keys.focus, keys.comparison, ...configs.flatMap((c) => (single ? ["model", "CAD"] : [`model (${c})`, `CAD (${c})`]))];
    const body: Cell[][] = [...byItem.keys()].sort(itemOrder).map((itemId) => {
        const perConfig = byItem.get(itemId)!;
        const first = perConfig.values().next().value!;
        return [
            itemId,
            { html: `<div class="question">${escapeHtml(first.question)}<ol>${first.options.map((o) => `<li>${escapeHtml(o)}</li>`).join("")}</ol></div>`, sort: first.question },
            distributionCell(first.focus),
            distributionCell(first.comparison),
            ...configs.flatMap((c): Cell[] => {
                const r = perConfig.get(c);
                return [distributionCell(r?.modelDistribution ?? null), { value: r?.cad ?? null }];
            }),
        ];
    });
    return `<div class="tall">${table(headers, body, { id: "opinion-questions", className: "questions" })}</div>`;
}

async function opinionSection(data: RunData): Promise<string> {
    const answers = data.tables.answers.filter((a) => a.task === "opinion");
    const { similarity, cad, baselines } = opinionChartData(data.tables.metrics);
    if (answers.length === 0 && similarity.length === 0 && cad.length === 0) {
        const { why, fix } = taskFix(data, "opinion");
        return section("opinion", "Opinion alignment", missing("opinion", `No opinion results. ${why}`, fix));
    }
    const keys = opinionCountryKeys(data.record, data.tables.metrics);
    const survey = loadOpinionSurvey(data.record);
    const questions = opinionQuestionRows(answers, survey.byItemId, keys);
    let allBaselines = baselines;
    if (!baselines.some((b) => b.metric === "cad")) {
        const surveyQuestions = [...new Set(answers.map((a) => a.item_id))].flatMap((id) => {
            const q = survey.byItemId.get(id);
            return q ? [{ questionId: id, countryDistributions: q.selections }] : [];
        });
        allBaselines = [...baselines, ...surveyBaseline(surveyQuestions, keys)];
    }
    const parts: string[] = [];
    if (similarity.length) parts.push(figure("similarity", await renderSvg(similaritySpec(similarity, keys)), `Similarity (1 − Jensen–Shannon distance, base 2) of each model × strategy to ${keys.focus} and ${keys.comparison} respondents, mean over questions, with 95% bootstrap intervals.`));
    else parts.push(missing("similarity", "The metrics table has no opinion similarity rows.", `culturescope report ${data.dir} after the run has finished (metrics are written at the end of each task)`));
    for (const metric of ["cad", "ncad"] as const) {
        const rows = cad.filter((r) => r.metric === metric);
        if (!rows.length) continue;
        const baseline = allBaselines.find((b) => b.metric === metric);
        parts.push(
            figure(
                metric,
                await renderSvg(cadSpec(rows, metric, baseline)),
                `${metric === "cad" ? "CAD" : "nCAD"} per model × strategy with 95% bootstrap intervals; positive means closer to ${keys.focus}. ` +
                    (baseline ? `The dashed line is ${keys.comparison} respondents answering in the model's place (${baseline.source === "metrics" ? "from the run's metrics" : "computed from the survey for these questions"}).` : "No US-respondent baseline could be computed."),
            ),
        );
    }
    const shares = closerShares(questions);
    if (shares.length) {
        parts.push(figure("closer-share", await renderSvg(closerShareSpec(shares)), `Share of questions where the model's distribution is more similar to ${keys.comparison} respondents than to ${keys.focus} respondents (ties count as not closer).`));
    }
    const aggregateRows: Cell[][] = [
        ...[...similarity, ...cad].map((r): Cell[] => [r.config, r.metric, r.country ?? "", { value: r.value }, ci(r.ciLower, r.ciUpper), r.n]),
        ...shares.map((s): Cell[] => {
            // the run's metrics hold the same share with its bootstrap interval (src/run/summary.ts)
            const m = data.tables.metrics.find((r) => r.task === "opinion" && r.metric === "shareCloserToComparison" && configLabel(r.model, r.strategy) === s.config);
            return [s.config, `share closer to ${keys.comparison}`, "", { value: s.share }, m ? ci(m.ci_lower, m.ci_upper) : "–", s.questions];
        }),
        ...allBaselines.map((b): Cell[] => [`${keys.comparison} respondents (baseline)`, b.metric, b.country ?? "", { value: b.value }, "–", null]),
    ];
    parts.push(table(["model · strategy", "metric", "country", "value", "95% CI", "questions"], aggregateRows, { id: "opinion-aggregates" }));
    parts.push(`<h3>Per question</h3><p class="note">Click a column header to sort. CAD = Sim(${escapeHtml(keys.focus)}) − Sim(${escapeHtml(keys.comparison)}) for the question. Distributions are over the question's options in survey order (${escapeHtml(survey.file)}).</p>`);
    parts.push(questions.length ? questionTable(questions, keys) : missing("opinion-questions", "The answers table has no opinion rows.", `culturescope run --tasks opinion --out NEW_DIR`));
    return section("opinion", "Opinion alignment", parts.join("\n"));
}

async function knowledgeSection(data: RunData): Promise<string> {
    const all = accuracyRows(data.tables.metrics);
    const charted = accuracyChartData(data.tables.metrics);
    const parts: string[] = [];
    for (const task of ACCURACY_TASKS) {
        const rows = charted.filter((r) => r.task === task);
        parts.push(`<h3>${escapeHtml(TASK_TITLES[task])}</h3>`);
        if (!rows.length) {
            const { why, fix } = taskFix(data, task);
            parts.push(missing(task, `No ${TASK_TITLES[task]} accuracies. ${why}`, fix));
            continue;
        }
        parts.push(figure(task, await renderSvg(accuracySpec(rows)), `${TASK_TITLES[task]} accuracy per country (India highlighted) with 95% bootstrap intervals${task === "normad" ? ", per context level" : ""}.`));
        parts.push(
            table(
                ["model · strategy", "context level", "India", "other countries (mean)", "other countries"],
                indiaVersusOthers(rows).map((r) => [r.config, r.level, { value: r.india }, { value: r.otherCountriesMean }, r.otherCountries]),
                { caption: "India against the other countries (each country counts once in the mean)" },
            ),
        );
        parts.push(
            `<details><summary>All ${escapeHtml(TASK_TITLES[task])} aggregates</summary>` +
                table(
                    ["model · strategy", "metric", "label", "aggregation", "context level", "country", "value", "95% CI", "items"],
                    all.filter((r) => r.task === task).map((r) => [r.config, r.metric, r.label, r.trialAggregation, r.level, r.country, { value: r.value }, ci(r.ciLower, r.ciUpper), r.n]),
                ) +
                `</details>`,
        );
    }
    return section("knowledge", "Knowledge and adaptation", parts.join("\n"));
}

async function positionBiasSection(data: RunData): Promise<string> {
    if (data.tables.scores.length === 0) {
        const why = configView(data.record).mode === "sample" ? "This run used sampling mode, which keeps no per-answer-order log-probabilities." : "The scores table is empty.";
        return section("position-bias", "Position bias", missing("position-bias", `No position bias can be measured. ${why}`, "culturescope run --mode logit --out NEW_DIR"));
    }
    const summary = summarisePositionBias(positionBiasItems(data.tables.scores));
    if (!summary.length) return section("position-bias", "Position bias", missing("position-bias", "Every item was scored under a single answer order, so there is nothing to compare.", "culturescope run --out NEW_DIR without --max-permutations 1"));
    return section(
        "position-bias",
        "Position bias",
        `<p class="note">How much the model's answer moves when only the order of the options changes: each answer order's letter distribution is mapped back to the canonical options and the Jensen–Shannon distance (base 2, in [0, 1]) is averaged over all pairs of orders, then over items. 0 means the order does not matter; this is why every item is scored under several orders and averaged.</p>` +
            figure("position-bias", await renderSvg(positionBiasSpec(summary)), "Mean pairwise JS distance between answer orders, per model × strategy and task.") +
            table(
                ["model · strategy", "task", "items", "mean JS distance", "largest item mean", "items whose top option changes"],
                summary.map((s) => [s.config, s.task, s.items, { value: s.meanJs, digits: 4 }, { value: s.maxJs, digits: 4 }, { value: s.topChangeShare, percent: true, digits: 3 }]),
            ),
    );
}

function throughputSection(data: RunData): string {
    const t = data.record.throughput;
    const body = t
        ? table(
              ["prompts", "tokens", "seconds", "prompts/s", "tokens/s", "workers", "device"],
              [[t.prompts, t.tokens, { value: t.seconds, digits: 1 }, { value: t.promptsPerSecond, digits: 1 }, { value: t.tokensPerSecond, digits: 0 }, t.workers, t.device]],
          )
        : missing("throughput", "run.json records no throughput: the run has not finished (or a resumed run did no scoring).", `culturescope run --out ${data.dir} --resume (resumes and finishes the run)`);
    const errors = data.tables.errors;
    const counts = new Map<string, number>();
    for (const e of errors) counts.set(`${e.task}\u0000${e.strategy}\u0000${e.stage}`, (counts.get(`${e.task}\u0000${e.strategy}\u0000${e.stage}`) ?? 0) + 1);
    const errorTable = errors.length
        ? `<h3>Items not scored or not parsed</h3>` +
          table(["task", "strategy", "stage", "items"], [...counts.entries()].map(([k, n]) => [...k.split("\u0000"), n])) +
          `<details><summary>Every message</summary>${table(["task", "model", "strategy", "item", "stage", "message"], errors.map((e) => [e.task, e.model, e.strategy, e.item_id, e.stage, e.message]))}</details>`
        : `<p class="note">No errors: every item was rendered and scored.</p>`;
    return section("throughput", "Throughput and errors", body + errorTable);
}

/** The whole report page of a loaded run. */
export async function buildReportHtml(data: RunData): Promise<string> {
    const nav = `<nav><a href="#cultural-map">Cultural map</a><a href="#opinion">Opinion alignment</a><a href="#knowledge">Knowledge and adaptation</a><a href="#position-bias">Position bias</a><a href="#throughput">Throughput</a></nav>`;
    const sections = [headerHtml(data), nav, await mapSection(data), await opinionSection(data), await knowledgeSection(data), await positionBiasSection(data), throughputSection(data)];
    const footer = `<footer><p class="note">Written by culturescope ${escapeHtml(data.record.packageVersion)} from the tables in this directory; every metric is defined in docs/METRICS.md.</p></footer>`;
    return page(`culturescope report: ${path.basename(data.dir)}`, sections.join("\n") + footer);
}

/** Writes `report.html` into the run directory (atomically) and returns its path. */
export async function writeReport(runDir: string): Promise<string> {
    const data = loadRunData(runDir);
    const html = await buildReportHtml(data);
    const file = path.join(data.dir, REPORT_FILE);
    writeFileAtomic(file, html);
    return file;
}
