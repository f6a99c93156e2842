// End to end: the report of a small real run opened in headless Chromium (Debian's `chromium`, driven by
// playwright-core). Every chart must have drawn marks with a size, the page must log no console error and ask for
// nothing but itself (every request is routed and anything not file: or data: fails the test), the sort script must
// sort, and a screenshot is saved in the test's temp dir. Skipped, saying why, where Chromium is not installed;
// under CI=true a missing Chromium fails instead (.ci/run installs it).
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model } from "../../src/native/index.ts";
import { writeReport } from "../../src/report/index.ts";
import { tempDir, tinyRandomLlama2 } from "../support/models.ts";
import { buildFixtureRun } from "./fixture.ts";

/** CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on PATH; null when neither is there. */
function findChromium(): string | null {
    if (process.env.CHROMIUM_PATH) return fs.existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null;
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        for (const name of ["chromium", "chromium-browser"]) {
            const file = path.join(dir, name);
            if (fs.existsSync(file)) return file;
        }
    }
    return null;
}

const executable = findChromium();
const inCi = process.env.CI === "true";
const missingReason = "Chromium not found (install Debian's `chromium`: apt-get install -y --no-install-recommends chromium, or set CHROMIUM_PATH)";

describe.runIf(!executable && inCi)("report in a browser (CI)", () => {
    it("needs Chromium in CI", () => {
        throw new Error(`${missingReason}; .ci/run installs it before npm ci`);
    });
});

describe.skipIf(!executable)(`report in headless Chromium${executable ? "" : ` (skipped: ${missingReason})`}`, () => {
    let root: string;
    let report: string;
    let browser: Browser;

    beforeAll(async () => {
        root = tempDir("report-browser");
        const model = await Model.load(tinyRandomLlama2);
        const scorer = model.createScorer({ contextSize: 2048, maxSequences: 8 });
        try {
            const run = await buildFixtureRun(path.join(root, "run"), model, scorer, { strategy: "default", tasks: ["opinion", "culturalbench-hard", "normad", "culturalmap"], opinionBaselines: true });
            report = await writeReport(run.dir);
        } finally {
            scorer.dispose();
            model.dispose();
        }
        // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start
        browser = await chromium.launch({ executablePath: executable!, args: ["--no-sandbox"] });
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        if (root) fs.rmSync(root, { recursive: true, force: true });
    });

    it("draws every chart, logs no error, fetches nothing, sorts tables, and leaves a screenshot", async () => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const consoleErrors: string[] = [];
        const outside: string[] = [];
        page.on("console", (m) => {
            if (m.type() === "error") consoleErrors.push(m.text());
        });
        page.on("pageerror", (e) => consoleErrors.push(e.message));
        await page.route("**/*", (route) => {
            const url = route.request().url();
            if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
            outside.push(url);
            return route.abort();
        });
        await page.goto(`file://${report}`, { waitUntil: "load" });

        const charts = await page.$$eval("figure.chart", (figures) =>
            figures.map((f) => {
                const marks = [...f.querySelectorAll("svg g.role-mark > path, svg g.role-mark > rect, svg g.role-mark > line, svg g.role-mark > circle")] as SVGGraphicsElement[];
                const drawn = marks.filter((m) => {
                    const box = m.getBBox();
                    return box.width > 0 || box.height > 0;
                });
                return { name: f.getAttribute("data-chart"), drawn: drawn.length, width: f.querySelector("svg")!.getBoundingClientRect().width };
            }),
        );
        expect(charts.map((c) => c.name)).toEqual(["map", "similarity", "cad", "ncad", "closer-share", "culturalbench-hard", "normad", "position-bias"]);
        for (const c of charts) {
            expect(c.drawn, `${c.name} has drawn marks`).toBeGreaterThan(0);
            expect(c.width, `${c.name} has a width`).toBeGreaterThan(100);
        }
        // the map: 100+ reference countries, India and the US, and the model's point
        expect(charts[0].drawn).toBeGreaterThan(100);

        // sorting the per-question table by the CAD column (a click on its header) orders the rows by CAD
        const cadColumn = await page.$$eval("#opinion-questions thead th", (ths) => ths.findIndex((th) => th.textContent!.startsWith("CAD")));
        await page.click(`#opinion-questions thead th:nth-child(${cadColumn + 1})`);
        const ascending = await page.$$eval(`#opinion-questions tbody tr td:nth-child(${cadColumn + 1})`, (tds) => tds.map((td) => Number(td.getAttribute("data-sort"))));
        expect(ascending.length).toBeGreaterThan(1);
        expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
        await page.click(`#opinion-questions thead th:nth-child(${cadColumn + 1})`);
        const descending = await page.$$eval(`#opinion-questions tbody tr td:nth-child(${cadColumn + 1})`, (tds) => tds.map((td) => Number(td.getAttribute("data-sort"))));
        expect(descending).toEqual([...ascending].reverse());

        const screenshot = path.join(root, "report.png");
        await page.screenshot({ path: screenshot, fullPage: true });
        expect(fs.statSync(screenshot).size).toBeGreaterThan(10_000);
        expect(consoleErrors).toEqual([]);
        expect(outside).toEqual([]);
        await page.close();
    }, 60_000);
});
