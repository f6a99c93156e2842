// `culturescope logits`: the next-token distribution of one prompt, to check a model in one line.
import { Model } from "../native/index.ts";

export interface LogitsOptions {
    model: string;
    prompt: string;
    top: number;
    gpuLayers: number;
    threads?: number;
    bos: boolean;
    parseSpecial: boolean;
    json: boolean;
}

export interface NextTokenReport {
    model: { path: string; description: string; nVocab: number };
    promptTokens: number[];
    logSumExp: number;
    /** Entropy of the full next-token distribution, in nats. */
    entropy: number;
    top: { rank: number; token: number; piece: string; logProb: number; prob: number }[];
}

export async function nextTokenReport(options: LogitsOptions): Promise<NextTokenReport> {
    const model = await Model.load(options.model, { gpuLayers: options.gpuLayers });
    try {
        const tokens = model.tokenize(options.prompt, { addSpecial: options.bos, parseSpecial: options.parseSpecial });
        if (tokens.length === 0) throw new Error("the prompt is empty after tokenization: give a non-empty --prompt");
        const contextSize = Math.max(256, tokens.length + 1);
        const scorer = model.createScorer({ contextSize, batchSize: Math.min(contextSize, 2048), maxSequences: 1, threads: options.threads });
        try {
            const { results } = await scorer.score([{ prefix: tokens, candidates: [tokens[tokens.length - 1]], logits: true }], { topK: options.top });
            const row = results[0].continuations[0];
            let entropy = 0;
            for (const logit of row.logits!) {
                const lp = logit - row.logSumExp;
                entropy -= Math.exp(lp) * lp;
            }
            const pieces = model.tokenPieces(row.topTokens);
            return {
                model: { path: options.model, description: model.info.description, nVocab: model.info.nVocab },
                promptTokens: Array.from(tokens),
                logSumExp: row.logSumExp,
                entropy,
                top: Array.from(row.topTokens, (token, i) => ({
                    rank: i + 1,
                    token,
                    piece: pieces[i],
                    logProb: row.topLogProbs[i],
                    prob: Math.exp(row.topLogProbs[i]),
                })),
            };
        } finally {
            scorer.dispose();
        }
    } finally {
        model.dispose();
    }
}

export function formatReport(report: NextTokenReport): string {
    const lines = [
        `model    ${report.model.path} (${report.model.description}, ${report.model.nVocab} tokens)`,
        `prompt   ${report.promptTokens.length} tokens: [${report.promptTokens.join(", ")}]`,
        `entropy  ${report.entropy.toFixed(4)} nats over the full vocabulary`,
        "",
        " rank    token  piece                      prob      log-prob",
    ];
    for (const t of report.top)
        lines.push(
            `${String(t.rank).padStart(5)} ${String(t.token).padStart(8)}  ${JSON.stringify(t.piece).padEnd(24)} ${t.prob.toFixed(6).padStart(9)} ${t.logProb.toFixed(6).padStart(13)}`,
        );
    return lines.join("\n");
}
