// Shared inputs for the task tests: the shipped definitions and the shipped data as prompt items, plus NormAd rows
// that are SYNTHETIC (written for these tests in NormAd's exact column format; no NormAd file ships here).
import path from "node:path";
import { readCulturalBenchHard } from "../../src/datasets/culturalBench.ts";
import { readGlobalOpinionQa } from "../../src/datasets/globalOpinionQa.ts";
import { NORMAD_COLUMNS, parseNormAd } from "../../src/datasets/normad.ts";
import { loadTaskDefinitions } from "../../src/tasks/definitions.ts";
import { culturalBenchHardItems, culturalMapItems, normAdItems, opinionItems } from "../../src/tasks/items.ts";
import { repoRoot } from "../support/models.ts";
import { csvText } from "../datasets/support.ts";

export const definitions = loadTaskDefinitions();
export const goqaRows = readGlobalOpinionQa(path.join(repoRoot, "datasets", "globalopinionqa", "global_opinions_india.csv")).rows;
export const hardRows = readCulturalBenchHard(path.join(repoRoot, "datasets", "culturalbench", "CulturalBench-Hard.csv")).rows;

const synthetic = (id: string, country: string, gold: string) => [
    id, country, "SYNTHETIC background.", "Etiquette", "eating", "SYNTHETIC value: respect for shared meals.",
    "SYNTHETIC rule: it is expected to eat with the right hand.", `SYNTHETIC story ${id}: Asha eats with her left hand at a friend's home.`, "SYNTHETIC explanation.", gold,
];
export const normAdSyntheticRows = parseNormAd(csvText(NORMAD_COLUMNS, [synthetic("1", "india", "no"), synthetic("2", "united_states", "yes"), synthetic("3", "south_sudan", "neutral")]), "synthetic-normad.csv").rows;

export const items = {
    opinion: opinionItems(goqaRows),
    "culturalbench-hard": culturalBenchHardItems(hardRows),
    normad: normAdItems(normAdSyntheticRows),
    culturalmap: culturalMapItems(),
};
