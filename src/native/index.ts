// The scorer's TypeScript face: load a GGUF model, tokenize, and score many prompts' next-token log-probabilities.
//
//   const model = await Model.load("models/x.gguf", { gpuLayers: -1 });
//   const scorer = model.createScorer({ contextSize: 4096, maxSequences: 32 });
//   const { results } = await scorer.score([{ prefix, continuations: [contA, contB], candidates: [idA, idB] }]);
//   results[0].continuations[1].logProbs  // log P(candidate | prefix + contB), over the full vocabulary
import type {
    AddonGenerateRequest,
    AddonGenerateResult,
    AddonModel,
    AddonModelInfo,
    AddonModelOptions,
    AddonScorer,
    AddonScorerInfo,
    AddonScorerOptions,
    AddonScoreRequest,
    AddonScoreResult,
    AddonTokenizeOptions,
    TokenArray,
} from "./AddonTypes.ts";
import { loadAddon, type LoadAddonOptions } from "./loader.ts";

export type { AddonGenerateRequest as GenerateRequest, AddonGenerateResult as GenerateResult } from "./AddonTypes.ts";
export type { AddonContinuationScore as ContinuationScore, AddonScoreRequest as ScoreRequest, AddonScoreResult as ScoreResult } from "./AddonTypes.ts";
export type { AddonModelInfo as ModelInfo, AddonScorerOptions as ScorerOptions, AddonModelOptions as ModelOptions } from "./AddonTypes.ts";
export { loadAddon } from "./loader.ts";

export class Model {
    readonly info: AddonModelInfo;

    private constructor(
        readonly native: AddonModel,
        readonly path: string,
    ) {
        this.info = native.info();
    }

    static async load(path: string, options: AddonModelOptions & { addon?: LoadAddonOptions } = {}): Promise<Model> {
        const { addon } = loadAddon(options.addon);
        const native = new addon.Model(path, { gpuLayers: options.gpuLayers, useMmap: options.useMmap, vocabOnly: options.vocabOnly });
        await native.load();
        return new Model(native, path);
    }

    tokenize(text: string, options?: AddonTokenizeOptions): Int32Array {
        return this.native.tokenize(text, options);
    }
    detokenize(tokens: TokenArray, options?: { special?: boolean }): string {
        return this.native.detokenize(tokens, options);
    }
    /** Each token's own text, e.g. [" A", " B"]. */
    tokenPieces(tokens: TokenArray): string[] {
        return this.native.tokenPieces(tokens);
    }
    createScorer(options: AddonScorerOptions = {}): Scorer {
        return new Scorer(this, options);
    }
    get disposed(): boolean {
        return this.native.isDisposed();
    }
    /** Frees the weights once no scorer made from this model is alive. */
    dispose(): void {
        this.native.dispose();
    }
}

export class Scorer {
    readonly native: AddonScorer;
    readonly info: AddonScorerInfo;
    // score() and generate() calls run one after another (the context holds one batch at a time); queueing them here keeps
    // waiting calls off libuv's small thread pool.
    private queue: Promise<unknown> = Promise.resolve();
    private disposing = false;

    constructor(
        readonly model: Model,
        options: AddonScorerOptions = {},
    ) {
        const { addon } = loadAddon();
        this.native = new addon.Scorer(model.native, options);
        this.info = this.native.info();
    }

    /**
     * Scores every request's continuations. Results come back in request order; the batch layout (and so every
     * bit of the output) depends only on the requests and this scorer's sizes.
     */
    score(requests: readonly AddonScoreRequest[], options: { topK?: number } = {}): Promise<AddonScoreResult> {
        return this.enqueue("score", () => this.native.score(requests, options));
    }

    /**
     * Sampling mode: generates each request's trials (one per seed). Like score(), the output depends only on the
     * requests and this scorer's sizes.
     */
    generate(requests: readonly AddonGenerateRequest[]): Promise<AddonGenerateResult> {
        return this.enqueue("generate", () => this.native.generate(requests));
    }

    private enqueue<T>(what: string, call: () => Promise<T>): Promise<T> {
        if (this.disposing) return Promise.reject(new Error(`cannot ${what}: the scorer was disposed`));
        // Argument errors surface synchronously in native code; turn them into rejections like any other failure.
        const run = () => {
            try {
                return call();
            } catch (error) {
                return Promise.reject(error);
            }
        };
        const next = this.queue.then(run, run);
        this.queue = next.catch(() => undefined);
        return next;
    }

    get disposed(): boolean {
        return this.disposing;
    }
    /** Refuses new calls at once; calls already made still finish, then the context is freed. */
    dispose(): void {
        if (this.disposing) return;
        this.disposing = true;
        void this.queue.then(() => this.native.dispose());
    }
}
