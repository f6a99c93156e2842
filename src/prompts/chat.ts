// Turns a prompt's messages into the text a model is scored on. Instruction-tuned GGUFs carry their chat template
// in metadata (tokenizer.chat_template, a Jinja template); it is rendered with @huggingface/jinja, the renderer
// node-llama-cpp and transformers.js use. Base models get a plain completion layout. Which one was used is
// returned, so a run records it.
import { Template } from "@huggingface/jinja";

export interface ChatMessage {
    role: "system" | "user" | "assistant";
    content: string;
}

export interface PromptModel {
    /** GGUF tokenizer.chat_template, or null for a base model */
    chatTemplate: string | null;
    /** the text of the BOS / EOS tokens, as templates refer to them (e.g. "<s>", "<|begin_of_text|>") */
    bosText: string;
    eosText: string;
    /** whether the tokenizer adds BOS by itself (GGUF tokenizer.ggml.add_bos_token) */
    addBos: boolean;
}

export interface RenderedPrompt {
    text: string;
    format: "chat-template" | "completion";
    /** tokenize with addSpecial (BOS) — false when the rendered text already starts with the BOS text */
    addSpecial: boolean;
    /** tokenize with parseSpecial — true for chat templates, whose role markers are special tokens */
    parseSpecial: boolean;
}

export interface RenderOptions {
    /** "auto" (default): the chat template when the model has one; "completion": always the plain layout. */
    format?: "auto" | "completion";
    /** Text the model's answer turn starts with (e.g. "Answer:"), appended after the generation prompt. */
    answerPrefix?: string;
}

const templateCache = new Map<string, Template>();

function compile(source: string): Template {
    let template = templateCache.get(source);
    if (!template) {
        try {
            template = new Template(source);
        } catch (error) {
            throw new Error(`the model's chat template does not parse (${(error as Error).message}); score it with the completion format instead`);
        }
        templateCache.set(source, template);
    }
    return template;
}

/** Plain layout for base models: messages separated by blank lines, then the answer prefix. */
function completionText(messages: readonly ChatMessage[], answerPrefix: string): string {
    return messages.map((m) => m.content).join("\n\n") + (answerPrefix ? `\n${answerPrefix}` : "");
}

export function renderPrompt(model: PromptModel, messages: readonly ChatMessage[], options: RenderOptions = {}): RenderedPrompt {
    if (messages.length === 0) throw new Error("a prompt needs at least one message");
    const answerPrefix = options.answerPrefix ?? "";
    if (options.format === "completion" || !model.chatTemplate)
        return { text: completionText(messages, answerPrefix), format: "completion", addSpecial: model.addBos, parseSpecial: false };
    let text: string;
    try {
        text = compile(model.chatTemplate).render({
            messages: messages.map((m) => ({ role: m.role, content: m.content })),
            add_generation_prompt: true,
            bos_token: model.bosText,
            eos_token: model.eosText,
        });
    } catch (error) {
        throw new Error(`rendering the model's chat template failed (${(error as Error).message}); score it with the completion format instead`);
    }
    text += answerPrefix;
    const startsWithBos = model.bosText !== "" && text.startsWith(model.bosText);
    return { text, format: "chat-template", addSpecial: model.addBos && !startsWithBos, parseSpecial: true };
}
