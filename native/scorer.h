#pragma once
#include "batch_plan.h"
#include "common.h"

namespace culturescope {

// Owns a llama_context. A score call in flight holds a shared_ptr, so dispose() during a call frees the context
// only when the call has finished.
struct ContextHandle {
    llama_context* ctx = nullptr;
    std::shared_ptr<ModelHandle> model;
    std::mutex busy;  // one score() at a time per context
    uint32_t nCtx = 0, nBatch = 0, nUbatch = 0, nSeqMax = 0;
    int32_t nThreads = 1;
    ~ContextHandle() {
        if (ctx != nullptr) llama_free(ctx);
    }
};

struct ScoreRequest {
    std::vector<llama_token> prefix;
    std::vector<std::vector<llama_token>> continuations;
    std::vector<llama_token> candidates;
    bool wantLogits = false;
};

struct ContinuationScore {
    std::vector<double> candidateLogProbs;
    double logSumExp = 0;
    std::vector<llama_token> topTokens;
    std::vector<double> topLogProbs;
    std::vector<float> logits;
};

// JS class Scorer: next-token log-probabilities for many (prefix, continuations, candidates) requests per call.
class Scorer : public Napi::ObjectWrap<Scorer> {
   public:
    static Napi::Function Init(Napi::Env env);
    explicit Scorer(const Napi::CallbackInfo& info);

   private:
    Napi::Value Score(const Napi::CallbackInfo& info);
    Napi::Value Generate(const Napi::CallbackInfo& info);
    Napi::Value Info(const Napi::CallbackInfo& info);
    Napi::Value Dispose(const Napi::CallbackInfo& info);
    Napi::Value IsDisposed(const Napi::CallbackInfo& info);
    std::shared_ptr<ContextHandle> context;
    bool disposed = false;
};

}  // namespace culturescope
