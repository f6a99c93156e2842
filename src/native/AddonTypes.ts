// The one contract between TypeScript and native/ (C++). Every class and function the addon exports is typed
// here; native/addon.cpp, model.cpp and scorer.cpp implement it. Change both sides together.

export interface AddonInitOptions {
    /** Directory holding ggml's backend libraries (prebuilt builds load the CPU/CUDA backends from there). */
    backendDir?: string;
    /** llama.cpp log lines at or above this level are echoed to stderr: 0 debug, 1 info, 3 warn, 4 error, 5 none. */
    logLevel?: number;
}

export interface AddonDevice {
    name: string;
    description: string;
    type: "cpu" | "gpu" | "igpu" | "accel";
    memoryTotal: number;
    memoryFree: number;
}

export interface AddonModelOptions {
    /** Layers to offload to the GPU; -1 for all. Default 0. */
    gpuLayers?: number;
    /** Memory-map the file (default true). */
    useMmap?: boolean;
    /** Load only the tokenizer (no weights): tokenize/detokenize work, scoring does not. */
    vocabOnly?: boolean;
}

export interface AddonModelInfo {
    path: string;
    /** llama.cpp's one-line description, e.g. "llama 8B Q4_K - Medium". */
    description: string;
    architecture: string;
    name: string;
    vocabOnly: boolean;
    nVocab: number;
    /** llama_vocab_type: 1 SentencePiece, 2 BPE, 3 WordPiece, 4 UGM, 5 RWKV, 6 PLaMo-2. */
    vocabType: number;
    nCtxTrain: number;
    nEmbd: number;
    nLayer: number;
    nHead: number;
    nHeadKv: number;
    nParams: number;
    sizeBytes: number;
    /** general.file_type (llama_ftype), null when the file does not say. */
    fileType: number | null;
    /** llama_ftype_name of fileType, e.g. "Q4_K - Medium", "F16". */
    quantization: string;
    bos: number;
    eos: number;
    /** End-of-turn token, -1 if none. */
    eot: number;
    addBos: boolean;
    chatTemplate: string | null;
    /** Every GGUF metadata key as llama.cpp renders it (arrays abbreviated). */
    metadata: Record<string, string>;
}

export interface AddonTokenizeOptions {
    /** Add BOS/EOS as the model's tokenizer config asks (default false). */
    addSpecial?: boolean;
    /** Parse special-token text such as "<|im_start|>" into those tokens (default false: treated as plain text). */
    parseSpecial?: boolean;
}

export type TokenArray = Int32Array | Uint32Array | readonly number[];

export interface AddonModel {
    load(): Promise<void>;
    info(): AddonModelInfo;
    tokenize(text: string, options?: AddonTokenizeOptions): Int32Array;
    detokenize(tokens: TokenArray, options?: { special?: boolean }): string;
    tokenPieces(tokens: TokenArray): string[];
    dispose(): void;
    isDisposed(): boolean;
}

export interface AddonScorerOptions {
    /** KV cells shared by all sequences of a batch (default 4096). Every prompt (prefix + continuation) must fit. */
    contextSize?: number;
    /** Tokens per llama_decode (default 2048, at most contextSize). */
    batchSize?: number;
    /** Tokens per physical micro-batch (default 512). */
    ubatchSize?: number;
    /** Sequences (continuations) per batch, at most 256 (default 64). */
    maxSequences?: number;
    /** CPU threads for decoding and for reading logits rows (default: all hardware threads). */
    threads?: number;
    /**
     * Default "off". With "auto"/"on" (faster on GPUs, where llama.cpp enables it) log-probs move by ~1e-3 and depend
     * on which requests share a batch.
     */
    flashAttention?: "auto" | "on" | "off";
    /**
     * KV cache precision. Default "f32": scores are then independent of batch layout to ~1e-6. "f16" halves the
     * cache and is what llama.cpp's tools use; it moves log-probs by ~1e-4 between batch layouts.
     */
    kvCacheType?: "f16" | "f32" | "bf16" | "q8_0";
}

/**
 * One scoring request: a prefix evaluated once, then each continuation after it. Each continuation is scored at the
 * position after its last token (an empty continuation: after the prefix's last token).
 */
export interface AddonScoreRequest {
    prefix?: TokenArray;
    /** Omit to score the position after the prefix. */
    continuations?: readonly TokenArray[];
    /** Token ids whose log-probabilities are returned for every continuation. */
    candidates: TokenArray;
    /** Also return the whole logits row of each continuation. */
    logits?: boolean;
}

export interface AddonContinuationScore {
    /** log-softmax over the full vocabulary, for each candidate, in candidate order. */
    logProbs: Float64Array;
    /** log Σ exp(logit) over the full vocabulary (double precision). */
    logSumExp: number;
    /** The topK most likely tokens, most likely first (ties: lower id first). */
    topTokens: Int32Array;
    topLogProbs: Float64Array;
    logits?: Float32Array;
}

export interface AddonScoreStats {
    batches: number;
    decodes: number;
    /** Tokens run through the model: a shared prefix counts once. */
    evaluatedTokens: number;
    /** Tokens of all prompts as if each (prefix + continuation) were scored alone. */
    promptTokens: number;
    outputs: number;
    seconds: number;
}

export interface AddonScoreResult {
    results: { continuations: AddonContinuationScore[] }[];
    stats: AddonScoreStats;
}

export interface AddonScorerInfo {
    contextSize: number;
    batchSize: number;
    ubatchSize: number;
    maxSequences: number;
    threads: number;
    nVocab: number;
}

/** Sampling mode: seeded generation after a prompt, one trial per seed. The prompt's KV cells are shared by its trials. */
export interface AddonGenerateRequest {
    prompt: TokenArray;
    /** One trial per seed (integers 0..4294967294); the same seed gives the same answer. */
    seeds: readonly number[];
    /** Default 16. */
    maxTokens?: number;
    /** Default 0: greedy (seeds then do not matter). */
    temperature?: number;
    /** 0 (default): off. */
    topK?: number;
    /** 1 (default): off. */
    topP?: number;
    /** Tokens that end a trial (kept in its output); the model's end-of-generation tokens always end it (not kept). */
    stopTokens?: TokenArray;
}

export interface AddonGeneratedTrial {
    tokens: Int32Array;
    stopReason: "eog" | "stop" | "length";
}

export interface AddonGenerateResult {
    results: { trials: AddonGeneratedTrial[] }[];
    stats: { decodes: number; generatedTokens: number; seconds: number };
}

export interface AddonScorer {
    score(requests: readonly AddonScoreRequest[], options?: { topK?: number }): Promise<AddonScoreResult>;
    generate(requests: readonly AddonGenerateRequest[]): Promise<AddonGenerateResult>;
    info(): AddonScorerInfo;
    dispose(): void;
    isDisposed(): boolean;
}

export interface Addon {
    init(options?: AddonInitOptions): void;
    setLogLevel(level: number): void;
    devices(): AddonDevice[];
    systemInfo(): string;
    /** Models held by this process (shared by every Model object, in any worker thread, that loaded the same file). */
    loadedModels(): { path: string; vocabOnly: boolean; users: number }[];
    Model: new (path: string, options?: AddonModelOptions) => AddonModel;
    Scorer: new (model: AddonModel, options?: AddonScorerOptions) => AddonScorer;
}
