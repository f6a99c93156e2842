#include "common.h"

#include <cmath>

namespace culturescope {

std::vector<llama_token> readTokens(const Napi::Value& value, int32_t nVocab, const std::string& what) {
    Napi::Env env = value.Env();
    std::vector<llama_token> tokens;
    auto check = [&](double v, size_t i) {
        if (!std::isfinite(v) || v != std::floor(v) || v < 0 || v >= nVocab)
            throw makeError(env, what + "[" + std::to_string(i) + "] = " + (std::isfinite(v) ? std::to_string((long long)v) : std::string("NaN")) +
                                     " is not a token id of this model (valid ids are 0.." + std::to_string(nVocab - 1) + ")");
        return static_cast<llama_token>(v);
    };
    if (value.IsTypedArray()) {
        Napi::TypedArray typed = value.As<Napi::TypedArray>();
        if (typed.TypedArrayType() == napi_int32_array) {
            Napi::Int32Array a = value.As<Napi::Int32Array>();
            tokens.reserve(a.ElementLength());
            for (size_t i = 0; i < a.ElementLength(); i++) tokens.push_back(check(a[i], i));
            return tokens;
        }
        if (typed.TypedArrayType() == napi_uint32_array) {
            Napi::Uint32Array a = value.As<Napi::Uint32Array>();
            tokens.reserve(a.ElementLength());
            for (size_t i = 0; i < a.ElementLength(); i++) tokens.push_back(check(a[i], i));
            return tokens;
        }
        throw makeError(env, what + " must be an Int32Array, Uint32Array or number[] of token ids");
    }
    if (!value.IsArray()) throw makeError(env, what + " must be an array of token ids");
    Napi::Array a = value.As<Napi::Array>();
    tokens.reserve(a.Length());
    for (uint32_t i = 0; i < a.Length(); i++) {
        Napi::Value v = a.Get(i);
        if (!v.IsNumber()) throw makeError(env, what + "[" + std::to_string(i) + "] is not a number");
        tokens.push_back(check(v.As<Napi::Number>().DoubleValue(), i));
    }
    return tokens;
}

double optionalNumber(const Napi::Object& options, const char* key, double fallback) {
    Napi::Value v = options.Get(key);
    if (v.IsUndefined() || v.IsNull()) return fallback;
    if (!v.IsNumber() || !std::isfinite(v.As<Napi::Number>().DoubleValue()))
        throw makeError(options.Env(), std::string("option '") + key + "' must be a finite number");
    return v.As<Napi::Number>().DoubleValue();
}

bool optionalBool(const Napi::Object& options, const char* key, bool fallback) {
    Napi::Value v = options.Get(key);
    if (v.IsUndefined() || v.IsNull()) return fallback;
    if (!v.IsBoolean()) throw makeError(options.Env(), std::string("option '") + key + "' must be a boolean");
    return v.As<Napi::Boolean>().Value();
}

std::string optionalString(const Napi::Object& options, const char* key, const std::string& fallback) {
    Napi::Value v = options.Get(key);
    if (v.IsUndefined() || v.IsNull()) return fallback;
    if (!v.IsString()) throw makeError(options.Env(), std::string("option '") + key + "' must be a string");
    return v.As<Napi::String>().Utf8Value();
}

}  // namespace culturescope
