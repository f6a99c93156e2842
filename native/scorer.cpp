#include "scorer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "generator.h"
#include "log.h"
#include "model.h"
#include "token_batch.h"

namespace culturescope {

// ---------------------------------------------------------------------------------------------------------------
// Reading one logits row: log-softmax of the candidates, the full-vocabulary log-sum-exp and the top-k, in double.

static void scoreRow(const float* row, int32_t nVocab, const std::vector<llama_token>& candidates, uint32_t topK, bool keepLogits,
                     ContinuationScore& out) {
    float maxLogit = -INFINITY;
    for (int32_t t = 0; t < nVocab; t++) maxLogit = std::max(maxLogit, row[t]);
    double sum = 0;
    for (int32_t t = 0; t < nVocab; t++) sum += std::exp(double(row[t]) - double(maxLogit));
    out.logSumExp = double(maxLogit) + std::log(sum);
    out.candidateLogProbs.resize(candidates.size());
    for (size_t i = 0; i < candidates.size(); i++) out.candidateLogProbs[i] = double(row[candidates[i]]) - out.logSumExp;
    // top-k: highest logit first, ties broken by the lower token id, so the order is deterministic
    auto better = [row](llama_token a, llama_token b) { return row[a] > row[b] || (row[a] == row[b] && a < b); };
    uint32_t k = std::min<uint32_t>(topK, nVocab);
    std::vector<llama_token> heap;  // min-heap under `better`: heap.front() is the worst of the current top-k
    heap.reserve(k + 1);
    for (int32_t t = 0; t < nVocab && k > 0; t++) {
        if (heap.size() < k) {
            heap.push_back(t);
            std::push_heap(heap.begin(), heap.end(), better);
        } else if (better(t, heap.front())) {
            std::pop_heap(heap.begin(), heap.end(), better);
            heap.back() = t;
            std::push_heap(heap.begin(), heap.end(), better);
        }
    }
    std::sort(heap.begin(), heap.end(), better);
    out.topTokens = heap;
    out.topLogProbs.resize(heap.size());
    for (size_t i = 0; i < heap.size(); i++) out.topLogProbs[i] = double(row[heap[i]]) - out.logSumExp;
    if (keepLogits) out.logits.assign(row, row + nVocab);
}

// ---------------------------------------------------------------------------------------------------------------
// The work of one score() call, off the JS thread.

struct ScoreStats {
    uint32_t decodes = 0, batches = 0;
    uint64_t evaluatedTokens = 0;  // tokens actually run through the model (shared prefixes counted once)
    uint64_t promptTokens = 0;     // tokens of all prompts as if each were scored alone
    uint64_t outputs = 0;
    double seconds = 0;
};

class ScoreWorker : public Napi::AsyncWorker {
   public:
    ScoreWorker(Napi::Env env, std::shared_ptr<ContextHandle> context, std::vector<ScoreRequest> requests, uint32_t topK)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), context(std::move(context)), requests(std::move(requests)), topK(topK) {}
    Napi::Promise promise() { return deferred.Promise(); }

    void Execute() override {
        std::lock_guard<std::mutex> lock(context->busy);
        clearThreadLog();  // so a decode error reports llama.cpp's lines from this call only
        auto start = std::chrono::steady_clock::now();
        std::vector<RequestShape> shapes(requests.size());
        results.resize(requests.size());
        for (size_t r = 0; r < requests.size(); r++) {
            shapes[r].prefixTokens = static_cast<uint32_t>(requests[r].prefix.size());
            for (auto& c : requests[r].continuations) {
                shapes[r].continuationTokens.push_back(static_cast<uint32_t>(c.size()));
                stats.promptTokens += requests[r].prefix.size() + c.size();
            }
            results[r].resize(requests[r].continuations.size());
        }
        std::vector<Batch> batches;
        std::string err = planBatches(shapes, {context->nBatch, context->nCtx, context->nSeqMax}, batches);
        if (!err.empty()) return SetError(err);

        TokenBatch batch(context->nBatch, context->nSeqMax);
        llama_memory_t memory = llama_get_memory(context->ctx);
        try {
            for (const Batch& plan : batches) {
                runBatch(plan, batch);
                llama_memory_clear(memory, false);
                stats.batches++;
            }
        } catch (const std::exception& e) {
            llama_memory_clear(memory, false);
            return SetError(e.what());
        }
        stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    void OnOK() override {
        Napi::Env env = Env();
        Napi::Array out = Napi::Array::New(env, results.size());
        for (size_t r = 0; r < results.size(); r++) {
            Napi::Array conts = Napi::Array::New(env, results[r].size());
            for (size_t c = 0; c < results[r].size(); c++) {
                ContinuationScore& s = results[r][c];
                Napi::Object o = Napi::Object::New(env);
                Napi::Float64Array lp = Napi::Float64Array::New(env, s.candidateLogProbs.size());
                std::copy(s.candidateLogProbs.begin(), s.candidateLogProbs.end(), lp.Data());
                o.Set("logProbs", lp);
                o.Set("logSumExp", s.logSumExp);
                Napi::Int32Array tt = Napi::Int32Array::New(env, s.topTokens.size());
                std::copy(s.topTokens.begin(), s.topTokens.end(), tt.Data());
                Napi::Float64Array tl = Napi::Float64Array::New(env, s.topLogProbs.size());
                std::copy(s.topLogProbs.begin(), s.topLogProbs.end(), tl.Data());
                o.Set("topTokens", tt);
                o.Set("topLogProbs", tl);
                if (requests[r].wantLogits) {
                    Napi::Float32Array lg = Napi::Float32Array::New(env, s.logits.size());
                    std::copy(s.logits.begin(), s.logits.end(), lg.Data());
                    o.Set("logits", lg);
                }
                conts.Set(static_cast<uint32_t>(c), o);
            }
            Napi::Object req = Napi::Object::New(env);
            req.Set("continuations", conts);
            out.Set(static_cast<uint32_t>(r), req);
        }
        Napi::Object st = Napi::Object::New(env);
        st.Set("batches", stats.batches);
        st.Set("decodes", stats.decodes);
        st.Set("evaluatedTokens", static_cast<double>(stats.evaluatedTokens));
        st.Set("promptTokens", static_cast<double>(stats.promptTokens));
        st.Set("outputs", static_cast<double>(stats.outputs));
        st.Set("seconds", stats.seconds);
        Napi::Object result = Napi::Object::New(env);
        result.Set("results", out);
        result.Set("stats", st);
        deferred.Resolve(result);
    }
    void OnError(const Napi::Error& e) override { deferred.Reject(e.Value()); }

   private:
    struct Output {
        int32_t batchIndex;
        uint32_t request, continuation;
    };

    // Emits the batch's tokens; decodes whenever n_batch tokens are queued (only an oversized group fills it
    // before its end) and once at the end.
    void runBatch(const Batch& plan, TokenBatch& batch) {
        batch.clear();
        std::vector<Output> outputs;
        auto push = [&](llama_token token, llama_pos pos, llama_seq_id s0, llama_seq_id s1, bool output, uint32_t r, uint32_t c) {
            int32_t i = batch.add(token, pos, s0, s1, output);
            if (output) outputs.push_back({i, r, c});
            if (batch.full()) decode(batch, outputs);
        };
        llama_seq_id seqBase = 0;
        for (const Group& g : plan.groups) {
            const ScoreRequest& req = requests[g.request];
            const llama_seq_id s0 = seqBase, s1 = seqBase + static_cast<llama_seq_id>(g.sequences());
            const llama_pos p = static_cast<llama_pos>(req.prefix.size());
            // An empty continuation is scored at the prefix's last token; that token is then an output.
            const uint32_t emptyCont = firstEmptyContinuation(req, g);
            for (llama_pos i = 0; i < p; i++) push(req.prefix[i], i, s0, s1, i == p - 1 && emptyCont != UINT32_MAX, g.request, emptyCont);
            for (uint32_t c = g.contBegin; c < g.contEnd; c++) {
                const auto& cont = req.continuations[c];
                const llama_seq_id s = s0 + static_cast<llama_seq_id>(c - g.contBegin);
                for (size_t i = 0; i < cont.size(); i++)
                    push(cont[i], p + static_cast<llama_pos>(i), s, s + 1, i + 1 == cont.size(), g.request, c);
            }
            stats.evaluatedTokens += g.tokens;
            seqBase = s1;
        }
        if (!batch.empty()) decode(batch, outputs);
        // Several empty continuations of one group share the prefix's output row: copy it to the others.
        for (const Group& g : plan.groups) {
            const ScoreRequest& req = requests[g.request];
            const uint32_t first = firstEmptyContinuation(req, g);
            if (first == UINT32_MAX) continue;
            for (uint32_t c = first + 1; c < g.contEnd; c++)
                if (req.continuations[c].empty()) results[g.request][c] = results[g.request][first];
        }
    }

    static uint32_t firstEmptyContinuation(const ScoreRequest& req, const Group& g) {
        for (uint32_t c = g.contBegin; c < g.contEnd; c++)
            if (req.continuations[c].empty()) return c;
        return UINT32_MAX;
    }

    void decode(TokenBatch& batch, std::vector<Output>& outputs) {
        batch.decode(context->ctx, "scoring");
        stats.decodes++;
        const int32_t nVocab = context->model->nVocab();
        // Row pointers are looked up here, on one thread: llama_get_logits_ith may reorder llama.cpp's output buffer.
        std::vector<const float*> rows(outputs.size());
        for (size_t i = 0; i < outputs.size(); i++) {
            rows[i] = llama_get_logits_ith(context->ctx, outputs[i].batchIndex);
            if (rows[i] == nullptr) throw std::runtime_error("llama.cpp returned no logits for an output token");
        }
        // Reading rows is independent per output: spread it over the scorer's threads.
        auto work = [&](size_t begin, size_t step) {
            for (size_t i = begin; i < outputs.size(); i += step) {
                const Output& o = outputs[i];
                const ScoreRequest& req = requests[o.request];
                scoreRow(rows[i], nVocab, req.candidates, topK, req.wantLogits, results[o.request][o.continuation]);
            }
        };
        size_t nThreads = std::min<size_t>(std::max(1, context->nThreads), outputs.size() / 4 + 1);
        std::vector<std::thread> pool;
        for (size_t t = 1; t < nThreads; t++) pool.emplace_back(work, t, nThreads);
        work(0, nThreads);
        for (auto& th : pool) th.join();
        stats.outputs += outputs.size();
        outputs.clear();
        batch.clear();
    }

    Napi::Promise::Deferred deferred;
    std::shared_ptr<ContextHandle> context;
    std::vector<ScoreRequest> requests;
    uint32_t topK;
    std::vector<std::vector<ContinuationScore>> results;
    ScoreStats stats;
};

// ---------------------------------------------------------------------------------------------------------------
// JS class

Napi::Function Scorer::Init(Napi::Env env) {
    return DefineClass(env, "Scorer",
                       {InstanceMethod("score", &Scorer::Score), InstanceMethod("generate", &Scorer::Generate), InstanceMethod("info", &Scorer::Info), InstanceMethod("dispose", &Scorer::Dispose),
                        InstanceMethod("isDisposed", &Scorer::IsDisposed)});
}

static ggml_type kvType(Napi::Env env, const std::string& name) {
    if (name == "f16") return GGML_TYPE_F16;
    if (name == "f32") return GGML_TYPE_F32;
    if (name == "bf16") return GGML_TYPE_BF16;
    if (name == "q8_0") return GGML_TYPE_Q8_0;
    throw makeError(env, "kvCacheType must be one of f16, f32, bf16, q8_0 (got '" + name + "')");
}

Scorer::Scorer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Scorer>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throw makeError(env, "Scorer(model, options): model must be a loaded Model");
    Napi::Object modelObj = info[0].As<Napi::Object>();
    Napi::Object options = info.Length() >= 2 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
    Model* model = nullptr;
    try {
        model = Model::Unwrap(modelObj);
    } catch (...) {
    }
    if (model == nullptr) throw makeError(env, "Scorer(model, options): model must be a Model");
    std::shared_ptr<ModelHandle> handle = model->handle(env, "create a scorer");
    if (handle->vocabOnly) throw makeError(env, "cannot create a scorer: the model was loaded with vocabOnly (it has no weights)");

    auto positive = [&](const char* key, double fallback) {
        double v = optionalNumber(options, key, fallback);
        if (v < 1 || v != std::floor(v) || v > 1e7) throw makeError(env, std::string("option '") + key + "' must be a positive integer");
        return static_cast<uint32_t>(v);
    };
    uint32_t nCtx = positive("contextSize", 4096);
    uint32_t nBatch = std::min(positive("batchSize", 2048), nCtx);
    uint32_t nUbatch = std::min(positive("ubatchSize", 512), nBatch);
    uint32_t nSeqMax = positive("maxSequences", 64);
    if (nSeqMax > 256) throw makeError(env, "option 'maxSequences' must be at most 256 (llama.cpp's LLAMA_MAX_SEQ)");
    uint32_t hw = std::max(1u, std::thread::hardware_concurrency());
    uint32_t nThreads = positive("threads", hw);
    // Exact by default: with an f16 KV cache or flash attention (whose CPU kernel works in f16) log-probs move by
    // ~1e-3 and, worse, depend on which other requests share the batch. Speed-first callers opt in to those.
    std::string flash = optionalString(options, "flashAttention", "off");
    std::string kv = optionalString(options, "kvCacheType", "f32");

    llama_context_params params = llama_context_default_params();
    params.n_ctx = nCtx;
    params.n_batch = nBatch;
    params.n_ubatch = nUbatch;
    params.n_seq_max = nSeqMax;
    params.n_threads = static_cast<int32_t>(nThreads);
    params.n_threads_batch = static_cast<int32_t>(nThreads);
    params.kv_unified = true;  // a shared prefix is one set of KV cells tagged with every continuation's sequence id
    // Each sequence yields one output row, so a batch never has more outputs than sequences. llama.cpp sizes its
    // worst-case graph by this: the default (n_batch rows) costs n_batch × n_vocab floats, 1 GiB at 2048 × 128k.
    params.n_outputs_max = std::min(nSeqMax, nBatch);
    params.no_perf = true;
    params.type_k = kvType(env, kv);
    params.type_v = params.type_k;
    if (flash == "auto") params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_AUTO;
    else if (flash == "on") params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    else if (flash == "off") params.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    else throw makeError(env, "flashAttention must be 'auto', 'on' or 'off' (got '" + flash + "')");

    clearThreadLog();
    llama_context* ctx = llama_init_from_model(handle->model, params);
    if (ctx == nullptr) {
        std::string why = threadLogTail();
        throw makeError(env, "llama.cpp could not create a context (contextSize " + std::to_string(nCtx) + ", maxSequences " + std::to_string(nSeqMax) +
                                 ")" + (why.empty() ? std::string("") : ":\n" + why) + "\nTry a smaller contextSize or fewer gpuLayers.");
    }
    context = std::make_shared<ContextHandle>();
    context->ctx = ctx;
    context->model = handle;
    context->nCtx = llama_n_ctx(ctx);
    context->nBatch = std::min<uint32_t>(llama_n_batch(ctx), context->nCtx);
    context->nUbatch = llama_n_ubatch(ctx);
    context->nSeqMax = llama_n_seq_max(ctx);
    context->nThreads = static_cast<int32_t>(nThreads);
}

Napi::Value Scorer::Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (disposed) throw makeError(env, "cannot read scorer info: the scorer was disposed");
    Napi::Object o = Napi::Object::New(env);
    o.Set("contextSize", context->nCtx);
    o.Set("batchSize", context->nBatch);
    o.Set("ubatchSize", context->nUbatch);
    o.Set("maxSequences", context->nSeqMax);
    o.Set("threads", context->nThreads);
    o.Set("nVocab", context->model->nVocab());
    return o;
}

Napi::Value Scorer::Score(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (disposed) throw makeError(env, "cannot score: the scorer was disposed");
    if (info.Length() < 1 || !info[0].IsArray()) throw makeError(env, "score(requests, options): requests must be an array");
    Napi::Array list = info[0].As<Napi::Array>();
    uint32_t topK = 0;
    if (info.Length() >= 2 && info[1].IsObject()) {
        double k = optionalNumber(info[1].As<Napi::Object>(), "topK", 0);
        if (k < 0 || k > 1000 || k != std::floor(k)) throw makeError(env, "option 'topK' must be an integer between 0 and 1000");
        topK = static_cast<uint32_t>(k);
    }
    const int32_t nVocab = context->model->nVocab();
    std::vector<ScoreRequest> requests(list.Length());
    for (uint32_t r = 0; r < list.Length(); r++) {
        const std::string where = "request " + std::to_string(r);
        Napi::Value v = list.Get(r);
        if (!v.IsObject()) throw makeError(env, where + " must be an object { prefix, continuations, candidates }");
        Napi::Object o = v.As<Napi::Object>();
        ScoreRequest& req = requests[r];
        Napi::Value prefix = o.Get("prefix");
        if (!prefix.IsUndefined()) req.prefix = readTokens(prefix, nVocab, where + ".prefix");
        Napi::Value conts = o.Get("continuations");
        if (conts.IsUndefined()) {
            req.continuations.emplace_back();  // no continuations: score the position after the prefix
        } else {
            if (!conts.IsArray()) throw makeError(env, where + ".continuations must be an array of token arrays");
            Napi::Array ca = conts.As<Napi::Array>();
            if (ca.Length() == 0) throw makeError(env, where + ".continuations is empty (omit it to score the prefix alone)");
            for (uint32_t c = 0; c < ca.Length(); c++)
                req.continuations.push_back(readTokens(ca.Get(c), nVocab, where + ".continuations[" + std::to_string(c) + "]"));
        }
        req.candidates = readTokens(o.Get("candidates"), nVocab, where + ".candidates");
        if (req.candidates.empty()) throw makeError(env, where + ".candidates is empty: give at least one token id to score");
        req.wantLogits = optionalBool(o, "logits", false);
        if (req.prefix.empty())
            for (size_t c = 0; c < req.continuations.size(); c++)
                if (req.continuations[c].empty()) throw makeError(env, where + ": continuation " + std::to_string(c) + " and the prefix are both empty; there is no position to score");
    }
    auto* worker = new ScoreWorker(env, context, std::move(requests), topK);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

Napi::Value Scorer::Generate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (disposed) throw makeError(env, "cannot generate: the scorer was disposed");
    if (info.Length() < 1 || !info[0].IsArray()) throw makeError(env, "generate(requests): requests must be an array");
    return queueGenerate(env, context, readGenerateRequests(info[0].As<Napi::Array>(), context->model->nVocab(), context->nCtx));
}

Napi::Value Scorer::Dispose(const Napi::CallbackInfo& info) {
    disposed = true;
    context.reset();  // freed now, or when a score() in flight ends
    return info.Env().Undefined();
}

Napi::Value Scorer::IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed); }

}  // namespace culturescope
