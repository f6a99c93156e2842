#pragma once
// Sampling mode: seeded generation of short answers for many prompts at once (one sequence per trial; a prompt's
// KV cells are shared by all of its trials, like a scoring prefix).
#include "scorer.h"

namespace culturescope {

struct GenerateRequest {
    std::vector<llama_token> prompt;
    std::vector<uint32_t> seeds;  // one trial per seed
    uint32_t maxTokens = 16;
    float temperature = 0;        // 0: greedy
    int32_t topK = 0;             // 0: off
    float topP = 1;               // 1: off
    std::vector<llama_token> stopTokens;  // besides the model's end-of-generation tokens
};

// Starts a generate() call on `context`; returns its promise. Arguments must already be validated.
Napi::Promise queueGenerate(Napi::Env env, std::shared_ptr<ContextHandle> context, std::vector<GenerateRequest> requests);

// Reads and validates the JS requests of generate().
std::vector<GenerateRequest> readGenerateRequests(const Napi::Array& list, int32_t nVocab, uint32_t nCtx);

}  // namespace culturescope
