// The Arrow schemas of a run's tables, with explicit types so every shard of a table has the same schema whatever
// values it happens to hold (inferring types from values would make an all-null column Null in one shard and Utf8
// in the next). Strings that repeat on every row (model, task, strategy, …) are dictionary-encoded; docs/OUTPUT.md
// describes each column and must change with this file.
import { Bool, Dictionary, Field, Float64, Int32, List, Schema, Utf8, type DataType } from "apache-arrow";

export const TABLE_NAMES = ["items", "scores", "answers", "metrics", "map", "errors"] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const dictionary = () => new Dictionary(new Utf8(), new Int32());
const listOf = (type: DataType, nullableElements = false) => new List(new Field("item", type, nullableElements));
const field = (name: string, type: DataType, nullable = false) => new Field(name, type, nullable);

/** The columns every table starts with: which run, model, task and strategy a row belongs to. */
const key = (withTask = true) => [
    field("run_id", dictionary()),
    field("model", dictionary()),
    ...(withTask ? [field("task", dictionary())] : []),
    field("strategy", dictionary()),
];

export const SCHEMAS: Readonly<Record<TableName, Schema>> = Object.freeze({
    items: new Schema([
        ...key(),
        field("item_id", new Utf8()),
        field("unit_id", new Utf8()),
        field("format", dictionary()),
        field("letter_form", dictionary(), true),
        field("letters", listOf(new Utf8())),
        field("answer_values", listOf(new Utf8())),
        field("prompt_prefix", new Utf8()),
        field("prompt_continuations", listOf(new Utf8())),
    ]),
    scores: new Schema([
        ...key(),
        field("item_id", new Utf8()),
        field("permutation", new Int32()),
        field("option_order", listOf(new Int32())),
        field("position", new Int32()),
        field("option_index", new Int32()),
        field("letter", dictionary()),
        field("token_id", new Int32()),
        field("log_prob", new Float64()),
        field("log_sum_exp", new Float64()),
        field("option_mass", new Float64()),
    ]),
    answers: new Schema([
        ...key(),
        field("item_id", new Utf8()),
        field("unit_id", new Utf8()),
        field("country", new Utf8(), true),
        field("mode", dictionary()),
        field("distribution", listOf(new Float64()), true),
        field("option_mass", new Float64(), true),
        field("min_option_mass", new Float64(), true),
        field("answer", new Utf8(), true),
        field("sampled_answers", listOf(new Utf8(), true), true),
        field("trials", new Int32()),
        field("unparseable", new Int32()),
        field("correct", new Bool(), true),
    ]),
    metrics: new Schema([
        ...key(),
        field("metric", dictionary()),
        field("country", new Utf8(), true),
        field("subset", new Utf8(), true),
        field("value", new Float64()),
        field("ci_lower", new Float64(), true),
        field("ci_upper", new Float64(), true),
        field("n", new Int32()),
        field("excluded", new Int32()),
        field("parameters", new Utf8()),
    ]),
    map: new Schema([
        ...key(false),
        field("trad_agg", new Float64()),
        field("surv_s_agg", new Float64()),
        field("distance_india", new Float64()),
        field("distance_united_states", new Float64()),
        field("nearest_countries", listOf(new Utf8())),
        field("nearest_distances", listOf(new Float64())),
    ]),
    errors: new Schema([...key(), field("item_id", new Utf8(), true), field("stage", dictionary()), field("message", new Utf8())]),
});

interface Key {
    run_id: string;
    model: string;
    task: string;
    strategy: string;
}

export interface ItemRow extends Key {
    item_id: string;
    unit_id: string;
    format: string;
    letter_form: string | null;
    letters: string[];
    answer_values: string[];
    prompt_prefix: string;
    prompt_continuations: string[];
}

export interface ScoreRow extends Key {
    item_id: string;
    permutation: number;
    option_order: number[];
    position: number;
    option_index: number;
    letter: string;
    token_id: number;
    log_prob: number;
    log_sum_exp: number;
    option_mass: number;
}

export interface AnswerRow extends Key {
    item_id: string;
    unit_id: string;
    /** The country the item is about (CulturalBench, NormAd); null where items have none (opinion, map). */
    country: string | null;
    mode: "logit" | "sample";
    distribution: number[] | null;
    option_mass: number | null;
    min_option_mass: number | null;
    answer: string | null;
    sampled_answers: (string | null)[] | null;
    trials: number;
    unparseable: number;
    correct: boolean | null;
}

export interface MetricRow extends Key {
    metric: string;
    country: string | null;
    subset: string | null;
    value: number;
    ci_lower: number | null;
    ci_upper: number | null;
    n: number;
    excluded: number;
    /** JSON object: the settings the value depends on (trial aggregation, label, …). */
    parameters: string;
}

export interface MapRow extends Omit<Key, "task"> {
    trad_agg: number;
    surv_s_agg: number;
    distance_india: number;
    distance_united_states: number;
    nearest_countries: string[];
    nearest_distances: number[];
}

export interface ErrorRow extends Key {
    item_id: string | null;
    stage: string;
    message: string;
}

export interface RowOf {
    items: ItemRow;
    scores: ScoreRow;
    answers: AnswerRow;
    metrics: MetricRow;
    map: MapRow;
    errors: ErrorRow;
}
