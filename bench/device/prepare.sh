#!/usr/bin/env bash
# Packs what bench/device/run-score-bench.sh needs on the GPU machine (no node, no npm, no network there) into .device/,
# which .gitignore ignores and the device tool carries (`carry: [".device"]`). Run it here, in the repository root,
# after `npm install` (node_modules complete, addon built). Idempotent: an artifact that exists is kept (delete .device/
# to start over).
#
# What it does, i.e. the exact preparation commands (TAG is node-llama-cpp's llama.cpp release, e.g. v0.4.0):
#   mkdir -p .device && xz -9 < $(which node) > .device/node.xz
#   node -e '...unpackLlamaSource({ full: true })'          # native/vendor/llama.cpp-TAG, the whole tree, from the bundle
#   tar -C native/vendor -cJf .device/llama.cpp.tar.xz --exclude=<docs, tests, other backends, other tools...> llama.cpp-TAG
#   tar -cJf .device/js.tar.xz node_modules/{tsx,esbuild,@esbuild/linux-x64,node-addon-api,node-api-headers}
#   tar -cJf .device/cli.tar.xz <the runtime dependency closure of package.json's dependencies, see below>
#
# What travels, and why (64 MiB in all with the working tree, 8 carried paths at most; this uses one, .device/):
#   node.xz           the Node binary running here (~23 MiB packed)
#   llama.cpp.tar.xz  the llama.cpp tree node-llama-cpp bundles, minus what this build never reads (~2 MiB). The
#                     bundle itself (35 MiB, a git bundle) would need git there and leave no room for node.
#   js.tar.xz         tsx + esbuild (runs bench/score.ts as TypeScript), node-addon-api and node-api-headers (the
#                     addon's C++ headers) (~4 MiB). node_modules is NOT carried: it is hundreds of MiB.
#                     node-llama-cpp is left out too (its CUDA prebuilt binaries alone are larger than the whole
#                     allowance), so baseline (b) of bench/score.ts is not run on the GPU machine.
#   cli.tar.xz        what `culturescope run` imports at run time (bench/run.ts runs the real CLI there): the
#                     dependency closure of package.json's "dependencies" minus node-llama-cpp (only `--model hf:...`
#                     imports it), cmake-js (build tool) and what js.tar.xz already holds (~4 MiB; 47 MiB unpacked,
#                     mostly apache-arrow and the vega stack the report module imports).
#   manifest.json     what was packed, from where, when.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
mkdir -p .device

node_bin=$(command -v node)
if [[ ! -s .device/node.xz ]]; then
    echo "packing $node_bin ($(node --version)) -> .device/node.xz"
    xz -9 -T0 < "$node_bin" > .device/node.xz.tmp && mv .device/node.xz.tmp .device/node.xz
fi

# The full llama.cpp tree (the default prebuilt install unpacks only its headers).
llama_json=$(node --input-type=module -e "
import { unpackLlamaSource } from './scripts/llama-source.mjs';
const r = unpackLlamaSource({ full: true });
console.log(JSON.stringify({ dir: r.dir, tag: r.tag, commit: r.commit }));
")
llama_dir=$(node -p "JSON.parse(process.argv[1]).dir" "$llama_json")
llama_tag=$(node -p "JSON.parse(process.argv[1]).tag" "$llama_json")
llama_commit=$(node -p "JSON.parse(process.argv[1]).commit" "$llama_json")
if [[ ! -s .device/llama.cpp.tar.xz ]]; then
    echo "packing $llama_dir -> .device/llama.cpp.tar.xz"
    # Left out: documentation, tests, examples, Python, vocabularies, every tool but batched-bench, and the ggml
    # backends this build never enables (their directories are only entered when GGML_<NAME>=ON).
    excludes=()
    for p in docs tests examples pocs gguf-py media models scripts app benches ci .devops .github skills \
             requirements conversion convert_hf_to_gguf.py convert_hf_to_gguf_update.py convert_llama_ggml_to_gguf.py \
             convert_lora_to_gguf.py; do
        excludes+=("--exclude=$(basename "$llama_dir")/$p")
    done
    for t in "$llama_dir"/tools/*; do
        [[ $(basename "$t") == batched-bench || ! -d $t ]] || excludes+=("--exclude=$(basename "$llama_dir")/tools/$(basename "$t")")
    done
    for b in cann et hexagon hip metal musa opencl openvino rpc sycl virtgpu vulkan webgpu zdnn zendnn blas; do
        excludes+=("--exclude=$(basename "$llama_dir")/ggml/src/ggml-$b")
    done
    tar -C "$(dirname "$llama_dir")" "${excludes[@]}" -cf - "$(basename "$llama_dir")" | xz -9 -T0 > .device/llama.cpp.tar.xz.tmp
    mv .device/llama.cpp.tar.xz.tmp .device/llama.cpp.tar.xz
fi

if [[ ! -s .device/js.tar.xz ]]; then
    echo "packing tsx, esbuild, node-addon-api, node-api-headers -> .device/js.tar.xz"
    tar -cf - node_modules/tsx node_modules/esbuild node_modules/@esbuild/linux-x64 node_modules/node-addon-api node_modules/node-api-headers |
        xz -9 -T0 > .device/js.tar.xz.tmp
    mv .device/js.tar.xz.tmp .device/js.tar.xz
fi

js_packages=(tsx esbuild @esbuild/linux-x64 node-addon-api node-api-headers)
if [[ ! -s .device/cli.tar.xz ]]; then
    # Walk package.json's dependencies (and theirs, optional ones included) the way Node resolves them: nearest
    # node_modules first, so nested copies (e.g. vega-lite/node_modules/yargs) come along too. A package that is not
    # installed (an optional one for another platform) is skipped, as npm skipped it.
    node -e "
const fs = require('fs'), path = require('path');
const root = process.cwd(), seen = new Set();
const skip = new Set(['node-llama-cpp', 'cmake-js', ...process.argv.slice(1)]);
const find = (name, dir) => {
  for (;;) {
    const p = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(p, 'package.json'))) return p;
    if (dir === root) return null;
    dir = path.dirname(dir);
  }
};
const walk = (dir) => {
  const rel = path.relative(root, dir);
  if (seen.has(rel)) return;
  seen.add(rel);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const d of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) if (!skip.has(d)) { const p = find(d, dir); if (p) walk(p); }
};
for (const d of Object.keys(require('./package.json').dependencies)) if (!skip.has(d)) walk(find(d, root));
fs.writeFileSync('.device/cli-packages.txt', [...seen].sort().join('\\n') + '\\n');
" "${js_packages[@]}"
    echo "packing the CLI's runtime dependencies ($(wc -l < .device/cli-packages.txt) packages) -> .device/cli.tar.xz"
    tar -cf - -T .device/cli-packages.txt | xz -9 -T0 > .device/cli.tar.xz.tmp
    mv .device/cli.tar.xz.tmp .device/cli.tar.xz
fi

node -e "
const fs = require('fs');
const size = (f) => fs.statSync('.device/' + f).size;
const m = {
  created: new Date().toISOString(),
  node: { version: process.version, from: process.argv[1], bytes: size('node.xz') },
  llamaCpp: { tag: process.argv[2], commit: process.argv[3], bytes: size('llama.cpp.tar.xz'), dir: require('path').basename(process.argv[4]) },
  js: { bytes: size('js.tar.xz'), packages: ['tsx', 'esbuild', '@esbuild/linux-x64', 'node-addon-api', 'node-api-headers'] },
  cli: { bytes: size('cli.tar.xz'), packages: fs.readFileSync('.device/cli-packages.txt', 'utf8').trim().split('\\n') },
};
fs.writeFileSync('.device/manifest.json', JSON.stringify(m, null, 2) + '\n');
" "$node_bin" "$llama_tag" "$llama_commit" "$llama_dir"

tree_kib=$(git ls-files -co --exclude-standard -z | du -ck --files0-from=- | tail -1 | cut -f1)
device_kib=$(du -ck .device/node.xz .device/llama.cpp.tar.xz .device/js.tar.xz .device/cli.tar.xz .device/cli-packages.txt .device/manifest.json | tail -1 | cut -f1)
ls -la .device
echo "working tree ${tree_kib} KiB + .device ${device_kib} KiB = $(( (tree_kib + device_kib) / 1024 )) MiB of the 64 MiB the device tool carries"
if (( tree_kib + device_kib > 63 * 1024 )); then
    echo "too large for the device tool" >&2
    exit 1
fi
