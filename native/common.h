#pragma once
// Shared pieces of the addon: the model handle that scorers keep alive, and argument helpers that turn bad input
// into JS exceptions (never into a crash inside llama.cpp).
#include <napi.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "llama.h"

namespace culturescope {

// Owns a llama_model. Scorers hold a shared_ptr, so a model disposed from JS is freed only once no scorer uses it.
struct ModelHandle {
    llama_model* model = nullptr;
    std::string path;
    bool vocabOnly = false;
    ~ModelHandle() {
        if (model != nullptr) llama_model_free(model);
    }
    const llama_vocab* vocab() const { return llama_model_get_vocab(model); }
    int32_t nVocab() const { return llama_vocab_n_tokens(vocab()); }
};

inline Napi::Error makeError(Napi::Env env, const std::string& message) { return Napi::Error::New(env, message); }

// Reads an array of token ids (number[] or Int32Array/Uint32Array) and checks each is inside the vocabulary.
std::vector<llama_token> readTokens(const Napi::Value& value, int32_t nVocab, const std::string& what);

double optionalNumber(const Napi::Object& options, const char* key, double fallback);
bool optionalBool(const Napi::Object& options, const char* key, bool fallback);
std::string optionalString(const Napi::Object& options, const char* key, const std::string& fallback);

}  // namespace culturescope
