// Every data set culturescope knows: where its shipped copy is and the sha256 of each shipped file, its licence, and
// for those that can be fetched the public URL of the original at a pinned revision with the fingerprint to check it
// against. Pins are only ever copied from a verified source (the shipped files themselves, or the PROVENANCE notes
// in datasets/ and shared/datasets/); where no fingerprint of the original is published, the pin is null and a
// fetched copy stays marked unverified.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readReferencePositions } from "../culturalmap/reference.ts";
import { readCulturalBenchEasy, readCulturalBenchHard } from "./culturalBench.ts";
import { readGlobalOpinionQa } from "./globalOpinionQa.ts";
import { readNormAd } from "./normad.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const DATASET_NAMES = ["globalopinionqa", "culturalbench-hard", "culturalbench-easy", "normad", "cultural-map"] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface ShippedFile {
    /** Relative to the repository root. */
    path: string;
    sha256: string;
}

export interface ShippedCopy {
    /** What the shipped copy is, when it is not the whole original. */
    description: string;
    files: readonly ShippedFile[];
    /** The file (or, for a multi-file set, folder) the loader reads, relative to the repository root. */
    main: string;
}

export interface OriginalFile {
    /** The public URL, at `revision` where the host allows pinning one. */
    url: string;
    /** The commit the URL is pinned to; null when only a branch could be named. */
    revision: string | null;
    /** File name in the cache folder. */
    fileName: string;
    /** sha256 of the original; null when no trustworthy value is published (see `pinNote`). */
    sha256: string | null;
    /** `git hash-object` of a byte-identical committed copy, when that is the published fingerprint. */
    gitBlobSha1: string | null;
    /** Where the pin comes from, or why there is none. */
    pinNote: string;
    /** Rows the original is documented to have (informational). */
    documentedRows?: number;
}

export interface DatasetEntry {
    name: DatasetName;
    title: string;
    licence: string;
    shipped?: ShippedCopy;
    original?: OriginalFile;
    /** Reads the data set at `file` (or folder) with its loader and returns its row count; throws on bad data. */
    countRows(file: string): number;
}

const goqaRevision = "cb2880488749218abb81802a94c2c62ebfde2f35";

export const DATASETS: Readonly<Record<DatasetName, DatasetEntry>> = Object.freeze({
    globalopinionqa: {
        name: "globalopinionqa",
        title: "GlobalOpinionQA (Durmus et al. 2023)",
        licence: "CC BY-NC-SA 4.0",
        shipped: {
            description: "India subset: every row with an India sample, India + United States distributions",
            main: "datasets/globalopinionqa/global_opinions_india.csv",
            files: [
                { path: "datasets/globalopinionqa/global_opinions_india.csv", sha256: "aaae22a0dfbd4e54fd2f765ef1aa37fa25b43c057283161c5b59d9b79901a411" },
                { path: "datasets/globalopinionqa/global_opinions_india.offsets.jsonl", sha256: "7d5c12aede925f0f6655178d8150f1c7d66113dee18e9d06af22667d214bd90e" },
            ],
        },
        original: {
            url: `https://huggingface.co/datasets/Anthropic/llm_global_opinions/resolve/${goqaRevision}/data/global_opinions.csv`,
            revision: goqaRevision,
            fileName: "global_opinions.csv",
            sha256: null,
            gitBlobSha1: "40003b4d8fddb82db8c2bdc4d7329789a08a529f",
            pinNote:
                "no published sha256; the git blob id is that of the byte-identical original committed in awesel/GlobalOpinionBench and nicolemeister/benchmarking-distributional-alignment (datasets/globalopinionqa/PROVENANCE.md)",
            documentedRows: 2556,
        },
        countRows: (file) => readGlobalOpinionQa(file).rows.length,
    },
    "culturalbench-hard": {
        name: "culturalbench-hard",
        title: "CulturalBench-Hard (Chiu et al. 2024)",
        licence: "CC BY 4.0",
        shipped: {
            description: "all rows, re-typed from a JSON conversion of the original (same values; bytes differ from the Hugging Face file)",
            main: "datasets/culturalbench/CulturalBench-Hard.csv",
            files: [{ path: "datasets/culturalbench/CulturalBench-Hard.csv", sha256: "4bfe770b7a18d912479f725afc7816c6720f650bbfa6822bf6e723a479c896d9" }],
        },
        original: {
            // Only abbreviated commit ids of the dataset repository are known (d967495 uploaded the files; main was
            // at 996d62a when last seen), so the URL names the branch.
            url: "https://huggingface.co/datasets/kellycyy/CulturalBench/resolve/main/CulturalBench-Hard.csv",
            revision: null,
            fileName: "CulturalBench-Hard.csv",
            sha256: null,
            gitBlobSha1: null,
            pinNote: "no fingerprint of the Hugging Face file is known (the shipped copy's bytes differ from it), so a fetched copy stays unverified",
            documentedRows: 4908,
        },
        countRows: (file) => readCulturalBenchHard(file).rows.length,
    },
    "culturalbench-easy": {
        name: "culturalbench-easy",
        title: "CulturalBench-Easy (Chiu et al. 2024)",
        licence: "CC BY 4.0",
        original: {
            url: "https://huggingface.co/datasets/kellycyy/CulturalBench/resolve/main/CulturalBench-Easy.csv",
            revision: null,
            fileName: "CulturalBench-Easy.csv",
            sha256: null,
            gitBlobSha1: null,
            pinNote: "no fingerprint of the Hugging Face file is known and only abbreviated commit ids (d967495, 996d62a), so a fetched copy stays unverified",
            documentedRows: 1227,
        },
        countRows: (file) => readCulturalBenchEasy(file).rows.length,
    },
    normad: {
        name: "normad",
        title: "NormAd-Eti (Rao et al. 2024)",
        licence: "CC BY 4.0",
        original: {
            // The authors' GitHub copy, because its commit and blob id are known; the Hugging Face copy
            // (akhilayerukola/NormAd, commit cb5d80d) is not known by a full commit id or any fingerprint. Commit
            // c458dbe ("Uploaded dataset", blob f5f42b299b1e8da90b131113f96db3f39ff8c29a) holds an earlier version.
            url: "https://raw.githubusercontent.com/Akhila-Yerukola/NormAd/3c0dee40d0ccdbf530ddeeceecde61fd7adee84c/data/normad_etiquette_final_data.csv",
            revision: "3c0dee40d0ccdbf530ddeeceecde61fd7adee84c",
            fileName: "normad_etiquette_final_data.csv",
            sha256: null,
            gitBlobSha1: "d439e6a18c5b3944ea1c3f38f1adb4dae69853d3",
            pinNote: "no published sha256; the git blob id is that of the file at this commit of Akhila-Yerukola/NormAd (shared/datasets/normad/PROVENANCE.md)",
            documentedRows: 2633,
        },
        countRows: (file) => readNormAd(file).rows.length,
    },
    "cultural-map": {
        name: "cultural-map",
        title: "Inglehart–Welzel map positions (IVS TradAgg/SurvSAgg, open-numbers)",
        licence: "none stated by the source; WVS/EVS terms for aggregates (datasets/cultural_map/LICENSE.md)",
        shipped: {
            description: "official country-year positions",
            main: "datasets/cultural_map/open_numbers_ivs_indicators/",
            files: [
                { path: "datasets/cultural_map/open_numbers_ivs_indicators/ddf--datapoints--tradagg--by--geo--year.csv", sha256: "3443fa4d20839fdbaef0b6d42cdeb72dd89cebbe4e68357a972aa2f10ee4771e" },
                { path: "datasets/cultural_map/open_numbers_ivs_indicators/ddf--datapoints--survsagg--by--geo--year.csv", sha256: "0a64c75de5492fc7552aa38b7ab993afd5e30b5b7a864e47e3bff242a136e00b" },
                { path: "datasets/cultural_map/open_numbers_ivs_indicators/ddf--entities--geo--country.csv", sha256: "dc27b46055207496e4a98e80eebcb8a9b89999da493fd0d89eb913c36bbcd432" },
                { path: "datasets/cultural_map/open_numbers_ivs_indicators/ddf--concepts.csv", sha256: "fb0c40b512c592441f25005eb266ccef9aba2712b4614981b8b5678be2cbe3d2" },
                { path: "datasets/cultural_map/open_numbers_ivs_indicators/datapackage.json", sha256: "148124391f32c1e73cdf0ce230a630f6cc8394d0f9f096f402b672c94f9d2977" },
            ],
        },
        // reference.ts joins file names onto the folder, so it needs the trailing separator.
        countRows: (dir) => readReferencePositions(dir.endsWith(path.sep) ? dir : dir + path.sep).length,
    },
});

export function datasetEntry(name: string): DatasetEntry {
    if (!(DATASET_NAMES as readonly string[]).includes(name)) {
        throw new Error(`unknown data set '${name}'; the data sets are: ${DATASET_NAMES.join(", ")}`);
    }
    return DATASETS[name as DatasetName];
}

/** Absolute path of a repository-relative shipped path. */
export function shippedPath(relative: string): string {
    return path.join(REPO_ROOT, relative);
}
