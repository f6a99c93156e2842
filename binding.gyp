# The default build: culturescope's addon compiled against the headers of the llama.cpp release node-llama-cpp
# ships, linked to node-llama-cpp's prebuilt libraries (seconds, no llama.cpp compile). One addon per installed
# prebuilt variant: `culturescope` (CPU, or Metal on Apple silicon) and `culturescope_cuda` when CUDA's is installed.
{
  "variables": {
    "cuda_available%": "<!(node scripts/gyp-config.mjs has cuda)",
  },
  "target_defaults": {
    "sources": [
      "native/addon.cpp",
      "native/batch_plan.cpp",
      "native/common.cpp",
      "native/generator.cpp",
      "native/log.cpp",
      "native/model.cpp",
      "native/scorer.cpp",
    ],
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")",
      "<!@(node scripts/gyp-config.mjs includes)",
    ],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-Wall"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "13.3",
    },
  },
  "targets": [
    {
      "target_name": "culturescope",
      "conditions": [
        ["OS=='mac' and target_arch=='arm64'", {
          "libraries": ["<!@(node scripts/gyp-config.mjs libraries metal)"],
          "xcode_settings": {"OTHER_LDFLAGS": ["-Wl,-rpath,@loader_path/<!(node scripts/gyp-config.mjs rpath metal)"]},
        }, {
          "libraries": ["<!@(node scripts/gyp-config.mjs libraries cpu)"],
          "ldflags": ["-Wl,-rpath,'$$ORIGIN/<!(node scripts/gyp-config.mjs rpath cpu)'"],
        }],
      ],
    },
  ],
  "conditions": [
    ["cuda_available==1", {
      "targets": [
        {
          "target_name": "culturescope_cuda",
          "libraries": ["<!@(node scripts/gyp-config.mjs libraries cuda)"],
          "ldflags": ["-Wl,-rpath,'$$ORIGIN/<!(node scripts/gyp-config.mjs rpath cuda)'"],
        },
      ],
    }],
  ],
}
