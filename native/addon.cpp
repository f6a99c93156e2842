// culturescope's native addon: exact next-token log-probabilities from GGUF models through llama.cpp's C API.
// The TS side of this contract is src/native/AddonTypes.ts; keep the two in step.
#include <napi.h>

#include <string>

#include "ggml-backend.h"
#include "llama.h"
#include "log.h"
#include "model.h"
#include "scorer.h"

namespace culturescope {

static bool backendReady = false;

// init({ backendDir, logLevel }): loads ggml's backends once. Prebuilt llama.cpp builds ship the CPU (and CUDA)
// backends as separate libraries that must be loaded from their directory; a static source build has them
// linked in and passes no directory.
static Napi::Value InitBackend(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object options = info.Length() >= 1 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
    int logLevel = static_cast<int>(optionalNumber(options, "logLevel", 5));
    installLogCallback(logLevel);
    if (!backendReady) {
        std::string dir = optionalString(options, "backendDir", "");
        llama_backend_init();
        if (!dir.empty()) ggml_backend_load_all_from_path(dir.c_str());
        backendReady = true;
    }
    if (ggml_backend_dev_count() == 0)
        throw makeError(env, "no ggml backend could be loaded (not even the CPU backend): reinstall with `npm install` or rebuild with `npm run build:native`");
    return env.Undefined();
}

static Napi::Value SetLogLevel(const Napi::CallbackInfo& info) {
    if (info.Length() >= 1 && info[0].IsNumber()) setLogEchoLevel(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
}

// The compute devices ggml found, e.g. [{ name: "CUDA0", description: "NVIDIA H200", type: "gpu", ... }, { name: "CPU" ... }]
static Napi::Value Devices(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    size_t n = ggml_backend_dev_count();
    Napi::Array out = Napi::Array::New(env, n);
    for (size_t i = 0; i < n; i++) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        Napi::Object o = Napi::Object::New(env);
        o.Set("name", ggml_backend_dev_name(dev));
        o.Set("description", ggml_backend_dev_description(dev));
        const char* type = "cpu";
        switch (ggml_backend_dev_type(dev)) {
            case GGML_BACKEND_DEVICE_TYPE_GPU: type = "gpu"; break;
            case GGML_BACKEND_DEVICE_TYPE_IGPU: type = "igpu"; break;
            case GGML_BACKEND_DEVICE_TYPE_ACCEL: type = "accel"; break;
            default: break;
        }
        o.Set("type", type);
        size_t freeMem = 0, totalMem = 0;
        ggml_backend_dev_memory(dev, &freeMem, &totalMem);
        o.Set("memoryTotal", static_cast<double>(totalMem));
        o.Set("memoryFree", static_cast<double>(freeMem));
        out.Set(static_cast<uint32_t>(i), o);
    }
    return out;
}

static Napi::Value SystemInfo(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), llama_print_system_info()); }

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
    exports.Set("init", Napi::Function::New(env, InitBackend));
    exports.Set("setLogLevel", Napi::Function::New(env, SetLogLevel));
    exports.Set("devices", Napi::Function::New(env, Devices));
    exports.Set("systemInfo", Napi::Function::New(env, SystemInfo));
    exports.Set("loadedModels", Napi::Function::New(env, LoadedModels));
    exports.Set("Model", Model::Init(env));
    exports.Set("Scorer", Scorer::Init(env));
    return exports;
}

}  // namespace culturescope

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return culturescope::InitModule(env, exports); }

NODE_API_MODULE(culturescope, Init)
