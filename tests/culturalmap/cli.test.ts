// `culturescope map fit` → projection file → `culturescope map place`, end to end through the real command, and
// what `map place` says when there is no projection. Expected positions and distances are computed here from the
// projection file and the shipped reference CSVs.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/models.ts";
import { syntheticRespondents, toCsv } from "./synthetic.ts";

const bin = path.join(repoRoot, "bin", "culturescope.mjs");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "culturescope-map-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, "map", ...args], { cwd: repoRoot, encoding: "utf8" });

const answers = {
    model: "toy-model",
    A008: 2, A165: 2, E018: 1, E025: 2, F063: 9, F118: 2, F120: 2, G006: 1,
    Y002: { first: 1, second: 3 },
    Y003: { mentioned: ["good manners", "hard work", "religious faith", "obedience", "independence"] },
};
// The same answers coded by hand: Y002 order + prices = 1 (materialist); Y003 = 1 + 0 − (1 + 1) = −1.
const coded = [2, 2, 1, 2, 9, 2, 2, 1, 1, -1];

/** The reference CSV read directly; SurvSAgg is −survsagg (datasets/cultural_map/PROVENANCE.md). */
function referenceRow(geo: string, year: number) {
    const read = (file: string) => fs.readFileSync(path.join(repoRoot, "datasets", "cultural_map", "open_numbers_ivs_indicators", file), "utf8").split("\n");
    const value = (lines: string[]) => Number(lines.find((l) => l.startsWith(`${geo},${year},`))!.split(",")[2]);
    return { TradAgg: value(read("ddf--datapoints--tradagg--by--geo--year.csv")), SurvSAgg: -value(read("ddf--datapoints--survsagg--by--geo--year.csv")) };
}

describe("culturescope map", () => {
    it("fits a projection from a microdata CSV and places a model's answers with it", () => {
        const microdata = path.join(dir, "ivs.csv");
        fs.writeFileSync(microdata, toCsv(syntheticRespondents({ seed: 21, perCountry: 200, missing: 0.03 })));
        const artifact = path.join(dir, "map.json");
        const fit = run("fit", "--microdata", microdata, "--out", artifact);
        expect(fit.stderr).toBe("");
        expect(fit.status).toBe(0);
        expect(fit.stdout).toMatch(/fitted on ivs\.csv: 1000 respondents/);
        expect(fit.stdout).toMatch(/5 country-years placed/);

        const projection = JSON.parse(fs.readFileSync(artifact, "utf8"));
        expect(projection.schema).toBe("culturescope/cultural-map-projection");
        expect(projection.schemaVersion).toBe(1);
        expect(projection.items.map((i: { code: string }) => i.code)).toEqual(["A008", "A165", "E018", "E025", "F063", "F118", "F120", "G006", "Y002", "Y003"]);

        const answersFile = path.join(dir, "answers.json");
        fs.writeFileSync(answersFile, JSON.stringify(answers));
        const out = execFileSync(process.execPath, [bin, "map", "place", "--artifact", artifact, "--answers", answersFile, "--json"], { cwd: repoRoot, encoding: "utf8" });
        const placement = JSON.parse(out);

        let t = 0, s = 0;
        projection.items.forEach((item: { mean: number; sd: number; scoreCoefficients: { traditionalSecular: number; survivalSelfExpression: number } }, i: number) => {
            t += ((coded[i] - item.mean) / item.sd) * item.scoreCoefficients.traditionalSecular;
            s += ((coded[i] - item.mean) / item.sd) * item.scoreCoefficients.survivalSelfExpression;
        });
        const position = { TradAgg: 1.61 * t - 0.1, SurvSAgg: 1.81 * s + 0.038 };
        expect(placement.model).toBe("toy-model");
        expect(placement.position.TradAgg).toBeCloseTo(position.TradAgg, 12);
        expect(placement.position.SurvSAgg).toBeCloseTo(position.SurvSAgg, 12);

        const india = referenceRow("india", 2023), us = referenceRow("united_states", 2017);
        expect(placement.india).toMatchObject({ geo: "india", year: 2023 });
        expect(placement.india.distance).toBeCloseTo(Math.hypot(position.TradAgg - india.TradAgg, position.SurvSAgg - india.SurvSAgg), 12);
        expect(placement.unitedStates).toMatchObject({ geo: "united_states", year: 2017 });
        expect(placement.unitedStates.distance).toBeCloseTo(Math.hypot(position.TradAgg - us.TradAgg, position.SurvSAgg - us.SurvSAgg), 12);

        // Every country of the reference table, at its latest survey, nearest first.
        expect(placement.reference).toHaveLength(118);
        const distances = placement.reference.map((r: { distance: number }) => r.distance);
        expect(distances).toEqual([...distances].sort((a, b) => a - b));
        const sweden = placement.reference.find((r: { geo: string }) => r.geo === "sweden");
        expect(sweden.year).toBe(2017);
        expect(sweden.SurvSAgg).toBeCloseTo(3.11, 2); // self-expression positive after the sign flip

        const text = run("place", "--artifact", artifact, "--answers", answersFile, "--top", "3");
        expect(text.status).toBe(0);
        expect(text.stdout).toMatch(/India\s+2023\s+distance \d+\.\d{3}/);
        expect(text.stdout).toMatch(/United States\s+2017\s+distance \d+\.\d{3}/);
        expect(text.stdout).toMatch(/\(3 of 118, nearest first\)/);
    });

    it("without a projection, says what is missing and how to make one, and places nothing", () => {
        const answersFile = path.join(dir, "answers-only.json");
        fs.writeFileSync(answersFile, JSON.stringify(answers));
        const none = run("place", "--answers", answersFile);
        expect(none.status).toBe(1);
        expect(none.stdout).toBe("");
        expect(none.stderr).toMatch(/map place needs a fitted projection \(--artifact FILE\) and none was given/);
        expect(none.stderr).toMatch(/culturescope map fit --microdata ivs\.csv --out map\.json/);

        const missing = run("place", "--artifact", path.join(dir, "nowhere.json"), "--answers", answersFile);
        expect(missing.status).toBe(1);
        expect(missing.stdout).toBe("");
        expect(missing.stderr).toMatch(/no fitted cultural-map projection at '.*nowhere\.json'/);
        expect(missing.stderr).toMatch(/culturescope map fit --microdata ivs\.csv --out .*nowhere\.json/);
    });

    it("rejects a file that is not a projection of this schema version", () => {
        const old = path.join(dir, "old.json");
        fs.writeFileSync(old, JSON.stringify({ schema: "culturescope/cultural-map-projection", schemaVersion: 0 }));
        const r = run("place", "--artifact", old, "--answers", path.join(dir, "answers-only.json"));
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/schema version 0; this culturescope reads version 1: refit it/);
    });
});
