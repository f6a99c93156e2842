// report.html of small real runs (tiny random model, plumbing only): every panel is there with its chart, its numbers
// come from the run's tables (checked against the fixture's own results), the page references nothing outside
// itself, and panels whose input is missing say what is missing and the command that fixes it.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model, type Scorer } from "../../src/native/index.ts";
import { readTable, tableRows } from "../../src/output/index.ts";
import { loadRunData, writeReport } from "../../src/report/index.ts";
import { tempDir, tinyRandomLlama2 } from "../support/models.ts";
import { goqaRows } from "../tasks/support.ts";
import { buildFixtureRun, INDIA_KEY, US_KEY, type FixtureRun } from "./fixture.ts";
import { js } from "../support/jsDistance.ts";

let model: Model;
let scorer: Scorer;
let root: string;
let full: FixtureRun;
let opinionOnly: FixtureRun;
let html: string;

beforeAll(async () => {
    model = await Model.load(tinyRandomLlama2);
    scorer = model.createScorer({ contextSize: 2048, maxSequences: 8 });
    root = tempDir("report");
    full = await buildFixtureRun(path.join(root, "full"), model, scorer, { strategy: "default", tasks: ["opinion", "culturalbench-hard", "normad", "culturalmap"], opinionBaselines: true });
    opinionOnly = await buildFixtureRun(path.join(root, "opinion-only"), model, scorer, { strategy: "demographic", tasks: ["opinion"] });
    html = fs.readFileSync(await writeReport(full.dir), "utf8");
}, 120_000);
afterAll(() => {
    scorer?.dispose();
    model?.dispose();
    if (root) fs.rmSync(root, { recursive: true, force: true });
});


/** The text of an element's cells, row by row, for the table with the given id. */
function tableById(page: string, id: string): string[][] {
    const start = page.indexOf(`id="${id}"`);
    expect(start, `table ${id}`).toBeGreaterThan(0);
    const body = page.slice(page.indexOf("<tbody>", start), page.indexOf("</tbody>", start));
    return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1].matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((c) => c[1]));
}

describe("report.html of a run with every task", () => {
    it("is written into the run directory and has a chart for every panel", () => {
        expect(fs.existsSync(path.join(full.dir, "report.html"))).toBe(true);
        const charts = [...html.matchAll(/<figure class="chart" data-chart="([^"]+)"><svg/g)].map((m) => m[1]);
        expect(charts).toEqual(["map", "similarity", "cad", "ncad", "closer-share", "culturalbench-hard", "normad", "position-bias"]);
        // CulturalBench-Easy was not run: its panel says so and how to run it
        expect(html).toMatch(/data-missing="culturalbench-easy"><p>No CulturalBench-Easy accuracies\. culturalbench-easy was not part of this run\.<\/p><p>To fix: <code>culturescope run --tasks culturalbench-easy/);
    });

    it("needs nothing from outside the page: no scripts, styles, images or fonts by URL", () => {
        expect(html).not.toMatch(/<(script|link|img|iframe)[^>]*\s(src|href)=/i);
        expect(html).not.toMatch(/url\((?!#)/);
        expect(html).not.toMatch(/@import/);
        // the only http text is the SVG namespace declarations
        expect([...html.matchAll(/https?:\/\/[^\s"']+/g)].map((m) => m[0]).filter((u) => !/^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/.test(u))).toEqual([]);
    });

    it("header names the model with its size, quantisation and GGUF sha256, the data files, strategies, mode and machine", () => {
        const record = full.record;
        expect(html).toContain(record.models[0].sha256);
        expect(html).toContain(`<td>${record.models[0].quantization}</td>`);
        for (const d of record.datasets) expect(html).toContain(d.sha256);
        expect(html).toContain("<dt>strategies</dt><dd>default</dd>");
        expect(html).toContain("<dt>mode</dt><dd>logit</dd>");
        expect(html).toContain(record.platform);
        expect(html).toContain(`<div class="warning">${record.warnings![0]}</div>`);
    });

    it("lists the map position and distances the map table holds", () => {
        const [map] = tableRows(readTable(full.dir, "map"));
        expect(html).toContain(`<td class="num" data-sort="${map.distance_india}">${(map.distance_india as number).toFixed(3)}</td>`);
        expect(html).toContain(`<td class="num" data-sort="${map.distance_united_states}">`);
    });

    it("per-question table: the survey's India and US distributions and the model's own, for every opinion item", () => {
        const rows = tableById(html, "opinion-questions");
        expect(rows).toHaveLength(full.opinion.size);
        const percents = (cell: string) => [...cell.matchAll(/\d+\. ([\d.]+)%/g)].map((m) => Number(m[1]) / 100);
        for (const row of rows) {
            const itemId = row[0];
            const survey = goqaRows[Number(itemId.replace("goqa-", ""))];
            percents(row[2]).forEach((p, i) => expect(p).toBeCloseTo(survey.selections[INDIA_KEY][i], 3));
            percents(row[3]).forEach((p, i) => expect(p).toBeCloseTo(survey.selections[US_KEY][i], 3));
            const model = full.opinion.get(itemId)!;
            expect(percents(row[4])).toHaveLength(model.length);
            percents(row[4]).forEach((p, i) => expect(p).toBeCloseTo(model[i], 3));
            // CAD of the question, from the formula: (1 − JS(model, India)) − (1 − JS(model, US))
            const cad = js(model, survey.selections[US_KEY]) - js(model, survey.selections[INDIA_KEY]);
            expect(Number(/data-sort="([^"]+)"/.exec(html.slice(html.indexOf(`<td>${itemId}</td>`)).split("</tr>")[0].split("<td").at(-1)!)![1])).toBeCloseTo(cad, 12);
            expect(row[1]).toContain(survey.question.slice(0, 20).replace(/&/g, "&amp;").replace(/'/g, "&#39;").replace(/"/g, "&quot;"));
        }
    });

    it("aggregates table shows the run's CAD with its interval and the US-respondent baseline from the metrics", () => {
        const metrics = tableRows(readTable(full.dir, "metrics"));
        const cad = metrics.find((m) => m.task === "opinion" && m.metric === "cad" && m.subset === null)!;
        const baseline = metrics.find((m) => m.task === "opinion" && m.metric === "cad" && m.subset === "baseline:comparison-country")!;
        const rows = tableById(html, "opinion-aggregates");
        const cadRow = rows.find((r) => r[1] === "cad" && !r[0].includes("baseline"))!;
        expect(cadRow[3]).toContain((cad.value as number).toFixed(3));
        expect(cadRow[4]).toBe(`[${(cad.ci_lower as number).toFixed(3)}, ${(cad.ci_upper as number).toFixed(3)}]`);
        const baselineRow = rows.find((r) => r[0].includes("baseline") && r[1] === "cad")!;
        expect(baselineRow[3]).toContain((baseline.value as number).toFixed(3));
        expect(html).toContain(`US respondents: ${(baseline.value as number).toFixed(3)}`);
    });

    it("reports the recorded throughput", () => {
        const t = full.record.throughput!;
        expect(html).toMatch(new RegExp(`<td class="num" data-sort="${t.promptsPerSecond}">${t.promptsPerSecond.toFixed(1)}</td>`));
        expect(html).toContain(`<td>${t.device}</td>`);
    });
});

describe("report.html of a run with one task and no map", () => {
    it("draws what it has and turns every missing input into a note with the command that fixes it", async () => {
        const page = fs.readFileSync(await writeReport(opinionOnly.dir), "utf8");
        expect([...page.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1])).toEqual(["similarity", "cad", "ncad", "closer-share", "position-bias"]);
        expect([...page.matchAll(/data-missing="([^"]+)"/g)].map((m) => m[1])).toEqual(["map", "culturalbench-easy", "culturalbench-hard", "normad"]);
        // no fitted projection: say so and how to make one
        expect(page).toMatch(/data-missing="map"><p>No model has a place on the cultural map\..*culturescope ships none: make one from IVS respondent microdata.*culturescope map fit --microdata ivs\.csv --out map\.json; then run the map task with it\.<\/p><p>To fix: <code>culturescope run --tasks culturalmap --map-projection map\.json/s);
        // without baseline rows in the metrics the report computes the US-respondent line from the survey
        expect(page).toContain("computed from the survey for these questions");
    });

    it("a skipped task shows the run's own reason and fix", async () => {
        const record = JSON.parse(fs.readFileSync(path.join(opinionOnly.dir, "run.json"), "utf8"));
        record.skippedTasks = [{ task: "normad", reason: "NormAd is not installed", fix: "culturescope data fetch normad" }];
        fs.writeFileSync(path.join(opinionOnly.dir, "run.json"), JSON.stringify(record));
        const page = fs.readFileSync(await writeReport(opinionOnly.dir), "utf8");
        expect(page).toContain(`<p>No NormAd accuracies. The run skipped normad: NormAd is not installed.</p><p>To fix: <code>culturescope data fetch normad</code></p>`);
    });
});

describe("reading a run directory", () => {
    it("says what is wrong and how to get a run directory", () => {
        const nowhere = path.join(root, "nowhere");
        expect(() => loadRunData(nowhere)).toThrow(`${nowhere} does not exist: it is not a culturescope run directory. Pass the directory a run wrote (the --out of \`culturescope run\`)`);
        const empty = path.join(root, "empty");
        fs.mkdirSync(empty);
        expect(() => loadRunData(empty)).toThrow(/has no run\.json: it is not a culturescope run directory/);
        fs.writeFileSync(path.join(empty, "run.json"), "{");
        expect(() => loadRunData(empty)).toThrow(/has no manifest\.json/);
        fs.copyFileSync(path.join(full.dir, "manifest.json"), path.join(empty, "manifest.json"));
        expect(() => loadRunData(empty)).toThrow(/run\.json is not valid JSON .*rerun the run to rewrite it/);
    });
});
