#include "model.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sys/stat.h>

#include "log.h"

namespace culturescope {

// Checks that `path` is a readable GGUF before llama.cpp sees it, so the common mistakes get precise messages.
static std::string checkGgufFile(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return "model file not found: " + path + " (check the path, or pass --model with an existing .gguf file)";
    if (S_ISDIR(st.st_mode)) return "model path is a directory, not a GGUF file: " + path;
    FILE* f = fopen(path.c_str(), "rb");
    if (f == nullptr) return "model file is not readable: " + path + " (" + std::strerror(errno) + ")";
    unsigned char magic[8] = {0};
    size_t got = fread(magic, 1, sizeof magic, f);
    fclose(f);
    if (got < 4 || std::memcmp(magic, "GGUF", 4) != 0)
        return "not a GGUF file: " + path + " (its first bytes are not the GGUF magic; convert the model with llama.cpp's convert_hf_to_gguf.py or download a .gguf build)";
    if (got < 8) return "truncated GGUF file: " + path + " (" + std::to_string(st.st_size) + " bytes; download it again)";
    return "";
}

// Models loaded in this process, shared by every Model object (in any worker thread) that loads the same file with
// the same options: the weights are in memory once however many workers score with them. Entries are weak, so a
// model is freed when its last user lets go.
struct ModelRegistry {
    std::mutex mutex;
    std::map<std::string, std::weak_ptr<ModelHandle>> byKey;
};
static ModelRegistry& registry() {
    static ModelRegistry instance;
    return instance;
}

// Same file (by real path, size and modification time) and same load options.
static std::string registryKey(const std::string& path, const llama_model_params& params) {
    char real[PATH_MAX];
    std::string resolved = realpath(path.c_str(), real) != nullptr ? std::string(real) : path;
    struct stat st;
    stat(resolved.c_str(), &st);
    return resolved + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtime) + "|" + std::to_string(params.n_gpu_layers) + "|" +
           std::to_string(static_cast<int>(params.load_mode)) + "|" + (params.vocab_only ? "vocab" : "full");
}

Napi::Value LoadedModels(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    ModelRegistry& reg = registry();
    std::lock_guard<std::mutex> lock(reg.mutex);
    Napi::Array out = Napi::Array::New(env);
    for (auto& [key, weak] : reg.byKey) {
        auto handle = weak.lock();
        if (!handle) continue;
        Napi::Object o = Napi::Object::New(env);
        o.Set("path", handle->path);
        o.Set("vocabOnly", handle->vocabOnly);
        o.Set("users", static_cast<double>(handle.use_count() - 1));  // minus the `handle` held here
        out.Set(out.Length(), o);
    }
    return out;
}

class LoadWorker : public Napi::AsyncWorker {
   public:
    LoadWorker(Napi::Env env, Model* owner)
        : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), owner(owner), ownerRef(Napi::Persistent(owner->Value())) {
        path = owner->path;
        params = llama_model_default_params();
        params.n_gpu_layers = owner->gpuLayers;
        params.load_mode = owner->useMmap ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
        params.vocab_only = owner->vocabOnly;
    }
    Napi::Promise promise() { return deferred.Promise(); }

    void Execute() override {
        std::string problem = checkGgufFile(path);
        if (!problem.empty()) return SetError(problem);
        ModelRegistry& reg = registry();
        std::lock_guard<std::mutex> lock(reg.mutex);
        const std::string key = registryKey(path, params);
        for (auto it = reg.byKey.begin(); it != reg.byKey.end();) it = it->second.expired() ? reg.byKey.erase(it) : std::next(it);
        if (auto existing = reg.byKey.count(key) ? reg.byKey[key].lock() : nullptr) {
            handle = existing;
            return;
        }
        clearThreadLog();
        llama_model* model = llama_model_load_from_file(path.c_str(), params);
        if (model == nullptr) {
            std::string why = threadLogTail();
            return SetError("llama.cpp could not load " + path + (why.empty() ? std::string(" (the file may be corrupt or truncated)") : ":\n" + why) +
                            "\nCheck that the file is a complete GGUF model (not a vocabulary-only file) for an architecture this llama.cpp release supports.");
        }
        handle = std::make_shared<ModelHandle>();
        handle->model = model;
        handle->path = path;
        handle->vocabOnly = params.vocab_only;
        reg.byKey[key] = handle;
    }
    void OnOK() override {
        owner->loading = false;
        if (owner->disposed) {  // disposed while loading: let go at once
            handle.reset();
            deferred.Reject(makeError(Env(), "model was disposed while it was loading").Value());
            return;
        }
        owner->loaded = std::move(handle);
        deferred.Resolve(Env().Undefined());
    }
    void OnError(const Napi::Error& e) override {
        owner->loading = false;
        deferred.Reject(e.Value());
    }

   private:
    Napi::Promise::Deferred deferred;
    Model* owner;
    Napi::ObjectReference ownerRef;  // keeps the JS object (and so `owner`) alive until the worker is done
    std::string path;
    llama_model_params params;
    std::shared_ptr<ModelHandle> handle;
};

Napi::Function Model::Init(Napi::Env env) {
    return DefineClass(env, "Model",
                       {InstanceMethod("load", &Model::Load), InstanceMethod("info", &Model::Info),
                        InstanceMethod("tokenize", &Model::Tokenize), InstanceMethod("detokenize", &Model::Detokenize),
                        InstanceMethod("tokenPieces", &Model::TokenPieces), InstanceMethod("dispose", &Model::Dispose),
                        InstanceMethod("isDisposed", &Model::IsDisposed)});
}

Model::Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw makeError(env, "Model(path, options): path must be a string");
    path = info[0].As<Napi::String>().Utf8Value();
    if (info.Length() >= 2 && info[1].IsObject()) {
        Napi::Object o = info[1].As<Napi::Object>();
        double layers = optionalNumber(o, "gpuLayers", 0);
        gpuLayers = layers < 0 ? -1 : static_cast<int32_t>(layers);
        useMmap = optionalBool(o, "useMmap", true);
        vocabOnly = optionalBool(o, "vocabOnly", false);
    }
}

std::shared_ptr<ModelHandle> Model::handle(Napi::Env env, const char* action) const {
    if (disposed) throw makeError(env, std::string("cannot ") + action + ": the model was disposed");
    if (!loaded) throw makeError(env, std::string("cannot ") + action + ": the model is not loaded yet (await model.load() first)");
    return loaded;
}

Napi::Value Model::Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (disposed) throw makeError(env, "cannot load: the model was disposed");
    if (loaded || loading) throw makeError(env, "model.load() was already called");
    loading = true;
    auto* worker = new LoadWorker(env, this);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

static std::string metaString(const llama_model* model, const char* key) {
    std::vector<char> buf(256);
    int32_t n = llama_model_meta_val_str(model, key, buf.data(), buf.size());
    if (n < 0) return "";
    if (static_cast<size_t>(n) >= buf.size()) {
        buf.resize(n + 1);
        llama_model_meta_val_str(model, key, buf.data(), buf.size());
    }
    return std::string(buf.data(), n);
}

Napi::Value Model::Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto h = handle(env, "read model info");
    const llama_model* m = h->model;
    const llama_vocab* v = h->vocab();
    Napi::Object out = Napi::Object::New(env);
    char desc[256] = {0};
    llama_model_desc(m, desc, sizeof desc);
    out.Set("path", h->path);
    out.Set("description", std::string(desc));
    out.Set("architecture", metaString(m, "general.architecture"));
    out.Set("name", metaString(m, "general.name"));
    out.Set("vocabOnly", h->vocabOnly);
    out.Set("nVocab", llama_vocab_n_tokens(v));
    out.Set("vocabType", static_cast<int32_t>(llama_vocab_type(v)));
    out.Set("nCtxTrain", llama_model_n_ctx_train(m));
    out.Set("nEmbd", llama_model_n_embd(m));
    out.Set("nLayer", llama_model_n_layer(m));
    // llama.cpp aborts the process when asked for the head counts of a model with no layers (vocabulary-only)
    const bool hasLayers = llama_model_n_layer(m) > 0;
    out.Set("nHead", hasLayers ? llama_model_n_head(m) : 0);
    out.Set("nHeadKv", hasLayers ? llama_model_n_head_kv(m) : 0);
    out.Set("nParams", static_cast<double>(llama_model_n_params(m)));
    out.Set("sizeBytes", static_cast<double>(llama_model_size(m)));
    std::string fileType = metaString(m, "general.file_type");
    out.Set("fileType", fileType.empty() ? env.Null() : Napi::Number::New(env, std::stod(fileType)));
    out.Set("quantization", fileType.empty() ? std::string("unknown") : std::string(llama_ftype_name(static_cast<llama_ftype>(std::stoi(fileType)))));
    out.Set("bos", llama_vocab_bos(v));
    out.Set("eos", llama_vocab_eos(v));
    out.Set("eot", llama_vocab_eot(v));
    out.Set("addBos", llama_vocab_get_add_bos(v));
    const char* tmpl = llama_model_chat_template(m, nullptr);
    out.Set("chatTemplate", tmpl == nullptr ? env.Null() : Napi::String::New(env, tmpl));
    Napi::Object meta = Napi::Object::New(env);
    int32_t count = llama_model_meta_count(m);
    std::vector<char> key(512), val(4096);
    for (int32_t i = 0; i < count; i++) {
        if (llama_model_meta_key_by_index(m, i, key.data(), key.size()) < 0) continue;
        int32_t n = llama_model_meta_val_str_by_index(m, i, val.data(), val.size());
        if (n < 0) continue;
        if (static_cast<size_t>(n) >= val.size()) {
            val.resize(n + 1);
            n = llama_model_meta_val_str_by_index(m, i, val.data(), val.size());
        }
        meta.Set(std::string(key.data()), std::string(val.data(), n));
    }
    out.Set("metadata", meta);
    return out;
}

Napi::Value Model::Tokenize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto h = handle(env, "tokenize");
    if (info.Length() < 1 || !info[0].IsString()) throw makeError(env, "tokenize(text, options): text must be a string");
    std::string text = info[0].As<Napi::String>().Utf8Value();
    bool addSpecial = false, parseSpecial = false;
    if (info.Length() >= 2 && info[1].IsObject()) {
        addSpecial = optionalBool(info[1].As<Napi::Object>(), "addSpecial", false);
        parseSpecial = optionalBool(info[1].As<Napi::Object>(), "parseSpecial", false);
    }
    std::vector<llama_token> tokens(text.size() + 8);
    int32_t n = llama_tokenize(h->vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), addSpecial, parseSpecial);
    if (n == INT32_MIN) throw makeError(env, "tokenize: text is too long to tokenize");
    if (n < 0) {
        tokens.resize(-n);
        n = llama_tokenize(h->vocab(), text.data(), static_cast<int32_t>(text.size()), tokens.data(), static_cast<int32_t>(tokens.size()), addSpecial, parseSpecial);
        if (n < 0) throw makeError(env, "tokenize failed");
    }
    Napi::Int32Array out = Napi::Int32Array::New(env, n);
    std::memcpy(out.Data(), tokens.data(), n * sizeof(llama_token));
    return out;
}

Napi::Value Model::Detokenize(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto h = handle(env, "detokenize");
    if (info.Length() < 1) throw makeError(env, "detokenize(tokens, options): tokens are required");
    std::vector<llama_token> tokens = readTokens(info[0], h->nVocab(), "tokens");
    bool special = false;
    if (info.Length() >= 2 && info[1].IsObject()) special = optionalBool(info[1].As<Napi::Object>(), "special", false);
    std::vector<char> text(tokens.size() * 8 + 16);
    int32_t n = llama_detokenize(h->vocab(), tokens.data(), static_cast<int32_t>(tokens.size()), text.data(), static_cast<int32_t>(text.size()), false, special);
    if (n < 0) {
        text.resize(-n);
        n = llama_detokenize(h->vocab(), tokens.data(), static_cast<int32_t>(tokens.size()), text.data(), static_cast<int32_t>(text.size()), false, special);
        if (n < 0) throw makeError(env, "detokenize failed");
    }
    return Napi::String::New(env, text.data(), n);
}

// The text of each token on its own (as the tokenizer renders it), e.g. to show top-k tokens or to check that
// an answer letter is one token.
Napi::Value Model::TokenPieces(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto h = handle(env, "read token pieces");
    if (info.Length() < 1) throw makeError(env, "tokenPieces(tokens): tokens are required");
    std::vector<llama_token> tokens = readTokens(info[0], h->nVocab(), "tokens");
    Napi::Array out = Napi::Array::New(env, tokens.size());
    std::vector<char> buf(64);
    for (size_t i = 0; i < tokens.size(); i++) {
        int32_t n = llama_token_to_piece(h->vocab(), tokens[i], buf.data(), static_cast<int32_t>(buf.size()), 0, true);
        if (n < 0) {
            buf.resize(-n);
            n = llama_token_to_piece(h->vocab(), tokens[i], buf.data(), static_cast<int32_t>(buf.size()), 0, true);
        }
        out.Set(static_cast<uint32_t>(i), Napi::String::New(env, buf.data(), n < 0 ? 0 : n));
    }
    return out;
}

Napi::Value Model::Dispose(const Napi::CallbackInfo& info) {
    disposed = true;
    loaded.reset();  // freed now, or when the last scorer using it is disposed
    return info.Env().Undefined();
}

Napi::Value Model::IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), disposed); }

}  // namespace culturescope
