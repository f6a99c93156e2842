#pragma once
#include "common.h"

namespace culturescope {

// JS class Model: a GGUF file loaded through llama.cpp. Construct, then `await load()`; loading runs off the JS thread.
class Model : public Napi::ObjectWrap<Model> {
   public:
    static Napi::Function Init(Napi::Env env);
    explicit Model(const Napi::CallbackInfo& info);

    // The handle scorers share; throws a JS Error if the model is not loaded or was disposed.
    std::shared_ptr<ModelHandle> handle(Napi::Env env, const char* action) const;

    std::string path;
    int32_t gpuLayers = 0;
    bool useMmap = true;
    bool vocabOnly = false;
    std::shared_ptr<ModelHandle> loaded;
    bool loading = false;
    bool disposed = false;

   private:
    Napi::Value Load(const Napi::CallbackInfo& info);
    Napi::Value Info(const Napi::CallbackInfo& info);
    Napi::Value Tokenize(const Napi::CallbackInfo& info);
    Napi::Value Detokenize(const Napi::CallbackInfo& info);
    Napi::Value TokenPieces(const Napi::CallbackInfo& info);
    Napi::Value Dispose(const Napi::CallbackInfo& info);
    Napi::Value IsDisposed(const Napi::CallbackInfo& info);
};

// loadedModels(): the models this process holds, with how many Model objects and scorers use each.
Napi::Value LoadedModels(const Napi::CallbackInfo& info);

}  // namespace culturescope
