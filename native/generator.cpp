#include "generator.h"

#include <chrono>
#include <cmath>
#include <functional>

#include "log.h"
#include "token_batch.h"

namespace culturescope {

namespace {

struct TrialResult {
    std::vector<llama_token> tokens;
    const char* stopReason = "length";
};

// Owns one sampler chain per trial. Temperature 0 is greedy (the seed is then irrelevant).
llama_sampler* makeSampler(const GenerateRequest& req, uint32_t seed) {
    llama_sampler* chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
    if (req.temperature <= 0) {
        llama_sampler_chain_add(chain, llama_sampler_init_greedy());
        return chain;
    }
    if (req.topK > 0) llama_sampler_chain_add(chain, llama_sampler_init_top_k(req.topK));
    if (req.topP < 1) llama_sampler_chain_add(chain, llama_sampler_init_top_p(req.topP, 1));
    llama_sampler_chain_add(chain, llama_sampler_init_temp(req.temperature));
    llama_sampler_chain_add(chain, llama_sampler_init_dist(seed));
    return chain;
}

// A run of trials of one request that share its prompt's KV cells.
struct TrialGroup {
    uint32_t request;
    uint32_t trialBegin, trialEnd;
    uint64_t cells;  // prompt + every trial's maxTokens
};

class GenerateWorker : public Napi::AsyncWorker {
   public:
    GenerateWorker(Napi::Env env, std::shared_ptr<ContextHandle> context, std::vector<GenerateRequest> requests)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), context(std::move(context)), requests(std::move(requests)) {}
    Napi::Promise promise() { return deferred.Promise(); }

    void Execute() override {
        std::lock_guard<std::mutex> lock(context->busy);
        clearThreadLog();
        auto start = std::chrono::steady_clock::now();
        results.resize(requests.size());
        for (size_t r = 0; r < requests.size(); r++) results[r].resize(requests[r].seeds.size());
        TokenBatch batch(context->nBatch, context->nSeqMax);
        llama_memory_t memory = llama_get_memory(context->ctx);
        try {
            for (const auto& round : planRounds()) {
                runRound(round, batch);
                llama_memory_clear(memory, false);
            }
        } catch (const std::exception& e) {
            llama_memory_clear(memory, false);
            return SetError(e.what());
        }
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    void OnOK() override {
        Napi::Env env = Env();
        Napi::Array out = Napi::Array::New(env, results.size());
        for (size_t r = 0; r < results.size(); r++) {
            Napi::Array trials = Napi::Array::New(env, results[r].size());
            for (size_t t = 0; t < results[r].size(); t++) {
                Napi::Object o = Napi::Object::New(env);
                Napi::Int32Array tokens = Napi::Int32Array::New(env, results[r][t].tokens.size());
                std::copy(results[r][t].tokens.begin(), results[r][t].tokens.end(), tokens.Data());
                o.Set("tokens", tokens);
                o.Set("stopReason", results[r][t].stopReason);
                trials.Set(static_cast<uint32_t>(t), o);
            }
            Napi::Object req = Napi::Object::New(env);
            req.Set("trials", trials);
            out.Set(static_cast<uint32_t>(r), req);
        }
        Napi::Object stats = Napi::Object::New(env);
        stats.Set("decodes", decodes);
        stats.Set("generatedTokens", static_cast<double>(generatedTokens));
        stats.Set("seconds", seconds);
        Napi::Object result = Napi::Object::New(env);
        result.Set("results", out);
        result.Set("stats", stats);
        deferred.Resolve(result);
    }
    void OnError(const Napi::Error& e) override { deferred.Reject(e.Value()); }

   private:
    // Rounds of trial groups decoded together, in request order: a round holds at most nSeqMax trials, its prompts
    // and answers fit the KV cache, and its prompts fit one batch unless a single prompt is longer (then alone).
    std::vector<std::vector<TrialGroup>> planRounds() const {
        std::vector<std::vector<TrialGroup>> rounds;
        std::vector<TrialGroup> round;
        uint32_t seqs = 0, promptTokens = 0;
        uint64_t cells = 0;
        auto flush = [&]() {
            if (!round.empty()) rounds.push_back(std::move(round));
            round.clear();
            seqs = promptTokens = 0;
            cells = 0;
        };
        for (uint32_t r = 0; r < requests.size(); r++) {
            const GenerateRequest& req = requests[r];
            const uint32_t p = static_cast<uint32_t>(req.prompt.size());
            uint32_t t = 0;
            while (t < req.seeds.size()) {
                // as many trials as fit beside the prompt in one round
                uint64_t perTrial = req.maxTokens;
                uint64_t room = context->nCtx > p ? (context->nCtx - p) / std::max<uint64_t>(perTrial, 1) : 0;
                uint32_t n = static_cast<uint32_t>(std::min<uint64_t>({req.seeds.size() - t, context->nSeqMax, std::max<uint64_t>(room, 1)}));
                TrialGroup g{r, t, t + n, p + perTrial * n};
                bool fits = seqs + n <= context->nSeqMax && cells + g.cells <= context->nCtx && promptTokens + p <= context->nBatch;
                if (!fits) flush();
                round.push_back(g);
                seqs += n;
                cells += g.cells;
                promptTokens += p;
                t += n;
            }
        }
        flush();
        return rounds;
    }

    struct Pending {
        int32_t batchIndex;
        std::function<void(int32_t)> onLogits;
    };

    void runRound(const std::vector<TrialGroup>& round, TokenBatch& batch) {
        // sampler and state of every trial of the round, in order; sequence id = position in this list
        struct Trial {
            uint32_t request, index;
            llama_sampler* sampler;
            llama_pos pos;
            bool active;
        };
        std::vector<Trial> trials;
        for (const TrialGroup& g : round)
            for (uint32_t t = g.trialBegin; t < g.trialEnd; t++) trials.push_back({g.request, t, makeSampler(requests[g.request], requests[g.request].seeds[t]), 0, true});
        struct FreeSamplers {
            std::vector<Trial>& trials;
            ~FreeSamplers() {
                for (auto& t : trials) llama_sampler_free(t.sampler);
            }
        } freeSamplers{trials};

        std::vector<Pending> pending;
        batch.clear();
        auto flush = [&]() {
            if (batch.empty()) return;
            batch.decode(context->ctx, "generating");
            decodes++;
            for (auto& p : pending) p.onLogits(p.batchIndex);
            pending.clear();
            batch.clear();
        };
        auto push = [&](llama_token token, llama_pos pos, llama_seq_id s0, llama_seq_id s1, std::function<void(int32_t)> onLogits) {
            int32_t i = batch.add(token, pos, s0, s1, static_cast<bool>(onLogits));
            if (onLogits) pending.push_back({i, std::move(onLogits)});
            if (batch.full()) flush();
        };
        const llama_vocab* vocab = context->model->vocab();
        auto sampleInto = [&](size_t k, int32_t batchIndex) {
            Trial& tr = trials[k];
            const GenerateRequest& req = requests[tr.request];
            llama_token token = llama_sampler_sample(tr.sampler, context->ctx, batchIndex);
            TrialResult& res = results[tr.request][tr.index];
            generatedTokens++;
            if (llama_vocab_is_eog(vocab, token)) {
                res.stopReason = "eog";
                tr.active = false;
                return;
            }
            res.tokens.push_back(token);
            if (std::find(req.stopTokens.begin(), req.stopTokens.end(), token) != req.stopTokens.end()) {
                res.stopReason = "stop";
                tr.active = false;
            } else if (res.tokens.size() >= req.maxTokens) {
                res.stopReason = "length";
                tr.active = false;
            }
        };

        // 1. prompts: one set of KV cells per group, tagged with all of its trials' sequence ids
        llama_seq_id seq = 0;
        size_t k = 0;
        for (const TrialGroup& g : round) {
            const auto& prompt = requests[g.request].prompt;
            const llama_seq_id s0 = seq, s1 = seq + static_cast<llama_seq_id>(g.trialEnd - g.trialBegin);
            const size_t firstTrial = k;
            for (size_t i = 0; i < prompt.size(); i++) {
                std::function<void(int32_t)> onLogits;
                if (i + 1 == prompt.size())
                    onLogits = [&, firstTrial, n = s1 - s0](int32_t bi) {
                        for (llama_seq_id j = 0; j < n; j++) sampleInto(firstTrial + j, bi);
                    };
                push(prompt[i], static_cast<llama_pos>(i), s0, s1, std::move(onLogits));
            }
            for (size_t j = firstTrial; j < firstTrial + (s1 - s0); j++) trials[j].pos = static_cast<llama_pos>(prompt.size());
            k += s1 - s0;
            seq = s1;
        }
        flush();
        // 2. one token per active trial per decode, each in its own sequence
        for (;;) {
            bool any = false;
            for (size_t j = 0; j < trials.size(); j++) {
                if (!trials[j].active) continue;
                any = true;
                const llama_token last = results[trials[j].request][trials[j].index].tokens.back();
                push(last, trials[j].pos++, static_cast<llama_seq_id>(j), static_cast<llama_seq_id>(j + 1), [&, j](int32_t bi) { sampleInto(j, bi); });
            }
            if (!any) break;
            flush();
        }
    }

    Napi::Promise::Deferred deferred;
    std::shared_ptr<ContextHandle> context;
    std::vector<GenerateRequest> requests;
    std::vector<std::vector<TrialResult>> results;
    uint32_t decodes = 0;
    uint64_t generatedTokens = 0;
    double seconds = 0;
};

}  // namespace

std::vector<GenerateRequest> readGenerateRequests(const Napi::Array& list, int32_t nVocab, uint32_t nCtx) {
    Napi::Env env = list.Env();
    std::vector<GenerateRequest> requests(list.Length());
    for (uint32_t r = 0; r < list.Length(); r++) {
        const std::string where = "request " + std::to_string(r);
        Napi::Value v = list.Get(r);
        if (!v.IsObject()) throw makeError(env, where + " must be an object { prompt, seeds, maxTokens }");
        Napi::Object o = v.As<Napi::Object>();
        GenerateRequest& req = requests[r];
        req.prompt = readTokens(o.Get("prompt"), nVocab, where + ".prompt");
        if (req.prompt.empty()) throw makeError(env, where + ".prompt is empty: generation needs at least one prompt token (e.g. BOS)");
        Napi::Value seeds = o.Get("seeds");
        if (!seeds.IsArray() || seeds.As<Napi::Array>().Length() == 0) throw makeError(env, where + ".seeds must be a non-empty array (one seed per trial)");
        Napi::Array sa = seeds.As<Napi::Array>();
        for (uint32_t i = 0; i < sa.Length(); i++) {
            Napi::Value s = sa.Get(i);
            double d = s.IsNumber() ? s.As<Napi::Number>().DoubleValue() : -1;
            if (d < 0 || d > 4294967294.0 || d != std::floor(d))
                throw makeError(env, where + ".seeds[" + std::to_string(i) + "] must be an integer in 0..4294967294");
            req.seeds.push_back(static_cast<uint32_t>(d));
        }
        double maxTokens = optionalNumber(o, "maxTokens", 16);
        if (maxTokens < 1 || maxTokens != std::floor(maxTokens) || maxTokens > 4096) throw makeError(env, where + ".maxTokens must be an integer in 1..4096");
        req.maxTokens = static_cast<uint32_t>(maxTokens);
        req.temperature = static_cast<float>(optionalNumber(o, "temperature", 0));
        if (req.temperature < 0) throw makeError(env, where + ".temperature must be ≥ 0 (0 is greedy)");
        double topK = optionalNumber(o, "topK", 0);
        if (topK < 0 || topK != std::floor(topK)) throw makeError(env, where + ".topK must be a non-negative integer (0: off)");
        req.topK = static_cast<int32_t>(topK);
        req.topP = static_cast<float>(optionalNumber(o, "topP", 1));
        if (!(req.topP > 0 && req.topP <= 1)) throw makeError(env, where + ".topP must be in (0, 1]");
        Napi::Value stop = o.Get("stopTokens");
        if (!stop.IsUndefined()) req.stopTokens = readTokens(stop, nVocab, where + ".stopTokens");
        if (req.prompt.size() + req.maxTokens > nCtx)
            throw makeError(env, where + ": the prompt (" + std::to_string(req.prompt.size()) + " tokens) plus maxTokens (" + std::to_string(req.maxTokens) +
                                     ") exceed the scorer's context of " + std::to_string(nCtx) + " (shorten the prompt or create the Scorer with a larger contextSize)");
    }
    return requests;
}

Napi::Promise queueGenerate(Napi::Env env, std::shared_ptr<ContextHandle> context, std::vector<GenerateRequest> requests) {
    auto* worker = new GenerateWorker(env, std::move(context), std::move(requests));
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

}  // namespace culturescope
