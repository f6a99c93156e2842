#!/usr/bin/env bash
# Scoring throughput on the GPU machine (one NVIDIA H200, 16 cores, no node, no network): builds llama.cpp + the
# culturescope addon with CUDA from the bundled source, builds llama.cpp's llama-batched-bench from the same compile,
# generates a 1.5B-shaped F16 llama GGUF (random weights, 128k vocabulary), runs llama-batched-bench on it (prompt
# throughput, no generation) and bench/score.ts modes (a) prefix-shared and (c) no sharing on the same file, and writes
# the results to $OUT. Whole run: ~6-7 minutes expected (build ~5 of them), capped at $BENCH_BUDGET_S (default 540 s).
#
# STATUS — what has and has not been verified (2026-11-28; no GPU machine was lent to the task that wrote this):
#   VERIFIED here (2-core CPU) with bench/device/dry-run.sh, which copies the working tree the way the device tool
#   does (tracked + untracked-not-ignored files + the carried .device/; no node_modules, no native/vendor, no build/)
#   and runs this script in it:
#     --cpu, end to end: unpacking node/js/llama.cpp from .device; cmake configure + build of the addon (the root
#       CMakeLists.txt, via bench/device/CMakeLists.txt) and of llama-batched-bench from the packed tree with
#       GGML_CUDA=OFF (603 s on 2 busy cores); the build manifest src/native/loader.ts reads; model generation in the
#       background; bench/score.ts (a)+(c); llama-batched-bench's JSONL (-ntg 0 prints nan, handled); results.json.
#     --cuda-configure: this script's GPU path up to the end of `cmake -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90`
#       with the nvcc 13.0.88 this CPU image carries ("Including CUDA backend"); its toolkit has no cuBLAS and no
#       libcuda, so the cuBLAS/driver fallback search below was exercised with placeholder files only.
#   NOT VERIFIED: compiling ggml-cuda (nothing CUDA was compiled here) and how long it takes with 16 jobs (~285 s
#   reported for the addon alone); what that image's toolkit holds (cuBLAS in /usr/local/cuda or only in pip's
#   nvidia-cublas); that the carried node binary (official x64 build, glibc only) starts there; the 1.5B model's
#   generation time there (11 M params/s here, single-threaded: ~2.5 min for 1.7 B params, overlapped with the
#   build); that the whole run fits the 540 s budget; and every GPU number.
#
# Prepare here, once (in the repository root, after `npm install`):
#   bash bench/device/prepare.sh     # -> .device/{node.xz,llama.cpp.tar.xz,js.tar.xz,manifest.json}, ~29 MiB
# which runs, in essence:
#   mkdir -p .device && xz -9 < $(which node) > .device/node.xz                          # ~23 MiB
#   tar -C native/vendor -cJf .device/llama.cpp.tar.xz --exclude=... llama.cpp-<tag>     # ~2 MiB: the full tree,
#                          unpacked from node-llama-cpp's bundle, minus docs/tests/examples/other backends/other tools
#   tar -cJf .device/js.tar.xz node_modules/{tsx,esbuild,@esbuild/linux-x64,node-addon-api,node-api-headers}  # ~4 MiB
# .device/ is gitignored and travels as ONE carried path (of 8); with the ~5 MiB working tree that is ~34 of the
# 64 MiB. node_modules is NOT carried (hundreds of MiB); neither is node-llama-cpp (its CUDA binaries alone exceed the
# allowance), so baseline (b) of bench/score.ts is CPU-only and skipped here.
# Check the plumbing here first:
#   bash bench/device/dry-run.sh                   # --cpu, tiny model, in a copy of the tree (~10 min on 2 cores)
#   bash bench/device/dry-run.sh --cuda-configure  # GPU path up to the CUDA configure (needs nvcc here)
# Then, on the device tool (one call; leave a rerun's worth of the 15 minutes of device time):
#   run  command: bash bench/device/run-score-bench.sh
#        carry:   [".device"]
#        timeout_s: 600
# Results come back in $OUT: results.json (everything, with the ratios), bench-score.json (BENCH_JSON of
# bench/score.ts), bench-score-a-threads1.json (diagnostic, below), batched-bench.jsonl, run.log, build.log,
# nvidia-smi.txt (7 files; the tool returns up to 8).
#
# Options: --cpu (GGML_CUDA=OFF, no offload: the dry run), --questions N, --repeat N, --skip-batched-bench,
# --configure-only (stop after cmake's configure), --bench score|run (below).
#
# --bench run: instead of bench/score.ts and llama-batched-bench, `npm run bench:run` (bench/run.ts): whole
# `culturescope run --tasks opinion` audits (4 strategies, ≤24 answer orders) on the same generated model with
# --gpu-layers -1, at --run-workers (default 1,2,4; threads per worker = nproc / workers) and --limit questions
# (default 50 on the GPU: ~2,300 prompts per run, so three runs fit beside the build; 3 in the dry run). It builds only
# the addon (no llama-batched-bench) and needs .device/cli.tar.xz (the CLI's runtime node_modules, from prepare.sh).
# Results: bench-run.json (bench/run.ts's record) and results.json's benchRun. VERIFIED: `bash bench/device/dry-run.sh
# --bench run` (CPU, end to end, from the carried node_modules only). NOT VERIFIED: on a GPU at all (see
# bench/RESULTS.md, "culturescope run (whole audit, opinion task)").
# Environment: OUT (results; default bench/.cache/device-out), BENCH_WORK (scratch; default /tmp/culturescope-bench),
# BENCH_BUDGET_S (default 540), BENCH_JOBS (build jobs; default nproc), BENCH_MODEL_* (model shape, below),
# BENCH_CUDA_SEARCH_ROOTS (more folders to search for cuBLAS/libcuda).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

cpu=0
questions=""
repeat=""
skip_bb=0
configure_only=0
bench=score
limit=""
run_workers=1,2,4
while (($#)); do
    case $1 in
        --cpu) cpu=1 ;;
        --questions) questions=$2; shift ;;
        --repeat) repeat=$2; shift ;;
        --skip-batched-bench) skip_bb=1 ;;
        --configure-only) configure_only=1 ;;
        --bench) bench=$2; shift ;;
        --limit) limit=$2; shift ;;
        --run-workers) run_workers=$2; shift ;;
        -h|--help) sed -n '2,59p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[[ $bench == score || $bench == run ]] || { echo "--bench must be score or run" >&2; exit 2; }

OUT=${OUT:-$root/bench/.cache/device-out}
work=${BENCH_WORK:-/tmp/culturescope-bench}
budget=${BENCH_BUDGET_S:-540}
jobs=${BENCH_JOBS:-$(nproc)}
mkdir -p "$OUT" "$work"
exec > >(tee -a "$OUT/run.log") 2>&1

t0=$(date +%s)
elapsed() { echo $(($(date +%s) - t0)); }
left() { echo $((budget - $(elapsed))); }
say() { echo "[$(elapsed)s] $*"; }
fail() {
    say "FAILED: $*"
    write_results "failed: $*"
    exit 1
}
declare -A step_seconds=()
status_note=""

# ---- sizes ---------------------------------------------------------------------------------------------------------
if ((cpu)); then
    # the dry run: the same steps at a size a 2-core machine does in seconds
    model_args=(--embd "${BENCH_MODEL_EMBD:-64}" --layers "${BENCH_MODEL_LAYERS:-2}" --heads "${BENCH_MODEL_HEADS:-4}" --kv-heads "${BENCH_MODEL_KV_HEADS:-2}" --ff "${BENCH_MODEL_FF:-128}")
    questions=${questions:-2}
    limit=${limit:-3}
    repeat=${repeat:-1}
    scorer_args=(--gpu cpu --addon-build source --threads "$(nproc)" --context 2048 --batch 2048 --ubatch 512 --max-seqs 64 --flash-attn on)
    bb_ctx=2048 bb_batch=2048 bb_ubatch=512 bb_ngl=0 bb_npl_best="4,8"
else
    # Qwen2.5-1.5B's shape with a 128k vocabulary: 1536 wide, 28 blocks, 12 heads / 2 KV heads, FFN 8960, F16 (~1.7 B params, 3.4 GB)
    model_args=(--embd "${BENCH_MODEL_EMBD:-1536}" --layers "${BENCH_MODEL_LAYERS:-28}" --heads "${BENCH_MODEL_HEADS:-12}" --kv-heads "${BENCH_MODEL_KV_HEADS:-2}" --ff "${BENCH_MODEL_FF:-8960}")
    questions=${questions:-128}
    limit=${limit:-50}
    repeat=${repeat:-2}
    # 8192-token batches, 2048-token micro-batches, up to 256 sequences (9 questions × 24 continuations in mode a)
    scorer_args=(--gpu cuda --addon-build source --threads "$(nproc)" --context 8192 --batch 8192 --ubatch 2048 --max-seqs 256 --flash-attn on)
    bb_ctx=8192 bb_batch=8192 bb_ubatch=2048 bb_ngl=99 bb_npl_best="32,64,128"
fi
model_args+=(--vocab "${BENCH_MODEL_VOCAB:-128256}" --weight-type f16)

# ---- results file (written at the end, or when a step fails) -------------------------------------------------------
write_results() {
    local status=$1
    local steps="{"
    for k in "${!step_seconds[@]}"; do steps+="\"$k\": ${step_seconds[$k]},"; done
    steps="${steps%,}}"
    [[ $steps == "}" ]] && steps="{}"
    local node_cmd=${NODE:-}
    if [[ -n $node_cmd && -x $node_cmd ]]; then
        "$node_cmd" -e '
            const fs = require("fs");
            const [out, status, steps, cpu, note, prepared] = process.argv.slice(1);
            const read = (f) => { try { return fs.readFileSync(out + "/" + f, "utf8"); } catch { return null; } };
            const bench = read("bench-score.json");
            const benchRun = read("bench-run.json") ? JSON.parse(read("bench-run.json")) : null;
            const bb = (read("batched-bench.jsonl") ?? "").split("\n").filter((l) => l.startsWith("{")).map((l) => {
                try { return JSON.parse(l.replace(/-?nan/gi, "null").replace(/-?inf/gi, "null")); } catch { return { unparsed: l }; }
            });
            const score = bench ? JSON.parse(bench) : null;
            const by = (m) => score?.results?.find((r) => r.mode === m);
            const summary = {};
            for (const m of ["a", "c"]) if (by(m)) summary[m] = { promptsPerSecond: by(m).promptsPerSecond, promptTokensPerSecond: by(m).promptTokensPerSecond, evaluatedTokensPerSecond: by(m).evaluatedTokensPerSecond, seconds: by(m).seconds };
            const matched = bb.filter((r) => r.tag === "matched");
            const best = bb.filter((r) => typeof r.speed_pp === "number").sort((x, y) => y.speed_pp - x.speed_pp)[0];
            const vs = (r) => r && summary.c ? { batchedBench: r, c_promptTokPerS_over_batchedBench: summary.c.promptTokensPerSecond / r.speed_pp, a_promptsPerS_over_batchedBench: summary.a ? summary.a.promptsPerSecond / (r.speed_pp / r.pp) : null } : null;
            const t1 = read("bench-score-a-threads1.json");
            const a1 = t1 ? JSON.parse(t1).results.find((r) => r.mode === "a") : null;
            const diagnostics = a1 && by("a") ? { a_threads1_seconds: a1.seconds, a_seconds: by("a").seconds, a_threads: score.options.threads } : null;
            const res = { status, cpuDryRun: cpu === "1", note, stepSeconds: JSON.parse(steps), summary, diagnostics,
                          versus: { matched: vs(matched[0]), best: vs(best) }, batchedBench: bb, benchScore: score,
                          benchRun: benchRun && { results: benchRun.results, tablesIdentical: benchRun.tablesIdentical, record: benchRun },
                          prepared: (() => { try { return JSON.parse(fs.readFileSync(prepared, "utf8")); } catch { return null; } })() };
            fs.writeFileSync(out + "/results.json", JSON.stringify(res, null, 2) + "\n");
            if (benchRun) console.log("bench:run: " + JSON.stringify({ tablesIdentical: benchRun.tablesIdentical, results: benchRun.results.map((r) => ({ workers: r.workers, threads: r.threads, wallSeconds: r.wallSeconds, promptsPerSecond: r.promptsPerSecond, speedup: r.speedup })) }));
            console.log("results: " + JSON.stringify({ status, summary, versus: { matched: res.versus.matched && { c: res.versus.matched.c_promptTokPerS_over_batchedBench, a: res.versus.matched.a_promptsPerS_over_batchedBench, speed_pp: res.versus.matched.batchedBench.speed_pp }, best: res.versus.best && { c: res.versus.best.c_promptTokPerS_over_batchedBench, a: res.versus.best.a_promptsPerS_over_batchedBench, speed_pp: res.versus.best.batchedBench.speed_pp } } }));
        ' "$OUT" "$status" "$steps" "$cpu" "$status_note" "$root/.device/manifest.json" || echo "could not write results.json"
    else
        printf '{"status": %s, "stepSeconds": %s, "note": "node was not unpacked"}\n' "\"$status\"" "$steps" > "$OUT/results.json"
    fi
}

timed() { # timed NAME CMD...: runs CMD, records its seconds
    local name=$1 s=$(date +%s)
    shift
    "$@"
    local rc=$?
    step_seconds[$name]=$(($(date +%s) - s))
    return $rc
}

# Extracts a .tar.xz (with tar+xz when the image has xz, else with python3's tarfile).
untar_xz() {
    if command -v xz > /dev/null; then
        tar -xJf "$1" -C "$2"
    else
        python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$1" "$2"
    fi
}
unxz_to() {
    if command -v xz > /dev/null; then
        xz -dc "$1" > "$2"
    else
        python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
    fi
}

# ---- 1. unpack ------------------------------------------------------------------------------------------------------
say "culturescope device bench: $([[ $cpu == 1 ]] && echo "CPU dry run" || echo GPU), budget ${budget}s, ${jobs} build jobs, OUT=$OUT, work=$work"
needed=(node.xz llama.cpp.tar.xz js.tar.xz manifest.json)
[[ $bench == run ]] && needed+=(cli.tar.xz)
for f in "${needed[@]}"; do
    [[ -s .device/$f ]] || fail ".device/$f is missing: run bench/device/prepare.sh here and carry .device"
done
unpack() {
    mkdir -p "$work/bin"
    unxz_to .device/node.xz "$work/bin/node" && chmod +x "$work/bin/node" || return 1
    if [[ ! -d node_modules/tsx ]]; then untar_xz .device/js.tar.xz "$root" || return 1; fi
    # the CLI's own dependencies (commander, piscina, apache-arrow, ...): only `culturescope run` needs them
    if [[ $bench == run && ! -d node_modules/piscina ]]; then untar_xz .device/cli.tar.xz "$root" || return 1; fi
    rm -rf "$work/src" && mkdir -p "$work/src" && untar_xz .device/llama.cpp.tar.xz "$work/src" || return 1
}
timed unpack unpack || fail "unpacking .device"
export PATH="$work/bin:$PATH"
NODE="$work/bin/node"
node --version > /dev/null || fail "the carried node does not run here"
llama_dir=$(ls -d "$work"/src/llama.cpp-* | head -1)
llama_tag=$(node -p 'require(process.argv[1]).tag' "$llama_dir/.culturescope-stamp.json")
llama_commit=$(node -p 'require(process.argv[1]).commit' "$llama_dir/.culturescope-stamp.json")
say "node $(node --version), llama.cpp $llama_tag ($llama_commit) in $llama_dir"

{
    uname -a
    nproc
    free -g 2> /dev/null
    command -v nvidia-smi > /dev/null && nvidia-smi
    command -v nvcc > /dev/null && nvcc --version
    cmake --version | head -1
    ninja --version 2> /dev/null
} > "$OUT/nvidia-smi.txt" 2>&1

# ---- 2. build (the addon + llama-batched-bench, one compile) and, meanwhile, the model --------------------------------
mkdir -p "$work/models"
model_log="$work/model.log"
(
    s=$(date +%s)
    node --import tsx bench/score.ts --generate-only --cache-dir "$work/models" "${model_args[@]}" > "$model_log" 2>&1
    rc=$?
    echo "generate_seconds=$(($(date +%s) - s)) rc=$rc" >> "$model_log"
    exit $rc
) &
model_pid=$!
stop_model() { # the generator is a child of that subshell: stop both
    if kill -0 "$model_pid" 2> /dev/null; then
        pkill -P "$model_pid" 2> /dev/null
        kill "$model_pid" 2> /dev/null
    fi
}
trap stop_model EXIT

# ggml-cuda links cuBLAS (CUDA::cublas, CUDA::cublasLt) and the driver (CUDA::cuda_driver). CMake looks for them next
# to nvcc's toolkit; an image whose toolkit is nvcc + cudart only (this workplace's CPU image is one) may still have
# them elsewhere: cuBLAS in pip's nvidia-cublas (PyTorch's), libcuda in the driver's folder. Point CMake at those.
cuda_fallbacks() {
    local tk inc roots=(/usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 /opt /usr/local/lib /usr/lib/python3 ${BENCH_CUDA_SEARCH_ROOTS:-})
    tk=$(cd "$(dirname "$(command -v nvcc)")/.." && pwd -P)
    find_one() { # NAME-GLOB: the first match under the search roots
        local r
        for r in "${roots[@]}"; do
            [[ -d $r ]] || continue
            find "$r" -xdev -name "$1" \( -type f -o -type l \) 2> /dev/null | sort | head -1
        done | head -1
    }
    has_lib() { compgen -G "$tk/lib64/$1" > /dev/null || compgen -G "$tk/lib64/stubs/$1" > /dev/null || compgen -G "$tk/targets/*/lib/$1" > /dev/null || compgen -G "$tk/targets/*/lib/stubs/$1" > /dev/null; }
    if [[ ! -f $tk/include/cublas_v2.h ]] && ! compgen -G "$tk/targets/*/include/cublas_v2.h" > /dev/null; then
        local hdr
        hdr=$(find_one cublas_v2.h)
        [[ -n $hdr ]] || fail "cuBLAS headers (cublas_v2.h) not found in $tk or under ${roots[*]}"
        inc=$(dirname "$hdr")
        say "cuBLAS headers from $inc"
        cuda_args+=("-DCMAKE_CUDA_FLAGS=-I$inc" "-DCMAKE_CXX_FLAGS=-I$inc")
    fi
    local name glob lib
    for name in cublas cublasLt cuda_driver; do
        glob="lib$name.so*"
        [[ $name == cuda_driver ]] && glob="libcuda.so*"
        has_lib "$glob" && continue
        lib=$(find_one "$glob")
        [[ -n $lib ]] || fail "$glob not found in $tk or under ${roots[*]}"
        say "CUDA::$name -> $lib"
        cuda_args+=("-DCUDA_${name}_LIBRARY=$lib")
        export LD_LIBRARY_PATH="$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    done
}

build_dir="$work/build"
cuda_args=(-DGGML_CUDA=OFF)
if ((!cpu)); then
    if ! command -v nvcc > /dev/null; then
        for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do [[ -x $d/nvcc ]] && export PATH="$d:$PATH" && break; done
    fi
    command -v nvcc > /dev/null || fail "nvcc not found"
    cuda_args=(-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_CUDA_COMPILER="$(command -v nvcc)")
    cuda_fallbacks
fi
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
configure() {
    cmake -S bench/device -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DLLAMA_SOURCE_DIR="$llama_dir" -DLLAMA_COMMIT_FOR_INFO="$llama_commit" \
        -DCMAKE_JS_INC="$root/node_modules/node-api-headers/include" -DNODE_ADDON_API_DIR="$root/node_modules/node-addon-api" \
        "${cuda_args[@]}"
}
build() {
    # leave ~150 s for the model, the benchmarks and the results
    local targets=(culturescope llama-batched-bench)
    [[ $bench == run ]] && targets=(culturescope) # bench:run never calls llama-batched-bench: skip compiling common/
    timeout $(($(left) - 150)) cmake --build "$build_dir" --target "${targets[@]}" -j "$jobs"
}
say "configure"
timed configure configure > "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; fail "cmake configure"; }
if ((configure_only)); then
    grep -E "CUDA|cuBLAS|Including" "$OUT/build.log"
    say "configured (--configure-only): stopping"
    exit 0
fi
say "build (${jobs} jobs; see build.log)"
timed build build >> "$OUT/build.log" 2>&1 || { tail -40 "$OUT/build.log"; fail "build (rc $?; 124 = out of time)"; }
say "built in ${step_seconds[build]} s"
addon=$(find "$build_dir" -name culturescope.node -type f | head -1)
batched_bench=$(find "$build_dir" -name llama-batched-bench -type f -perm -u+x | head -1)
[[ -n $addon && ( -n $batched_bench || $bench == run ) ]] || fail "build products missing (addon '$addon', batched-bench '$batched_bench')"

# The manifest src/native/loader.ts reads: this source build, preferred.
mkdir -p build
node -e '
    const fs = require("fs"), path = require("path");
    const [file, addon, tag, commit, gpu] = process.argv.slice(1);
    const prev = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    const record = { mode: "source", llamaCpp: { tag, commit }, builtAt: new Date().toISOString(),
                     variants: [{ variant: gpu || "cpu", gpu: gpu || null, addon: path.relative(process.cwd(), addon), backendDir: null }] };
    fs.writeFileSync(file, JSON.stringify({ preferred: "source", builds: { ...(prev.builds ?? {}), source: record } }, null, 2) + "\n");
' build/culturescope-build.json "$addon" "$llama_tag" "$llama_commit" "$([[ $cpu == 1 ]] || echo cuda)"

say "waiting for the model"
wait "$model_pid"
model_rc=$?
cat "$model_log"
((model_rc == 0)) || fail "model generation"
model=$(grep '^MODEL ' "$model_log" | cut -d' ' -f2-)
step_seconds[generate_model]=$(grep -o 'generate_seconds=[0-9]*' "$model_log" | cut -d= -f2)
[[ -s $model ]] || fail "no model file"

# ---- 3'. --bench run: bench/run.ts, i.e. whole `culturescope run` audits as child processes, then stop ---------------
if [[ $bench == run ]]; then
    # The CLI picks its addon from build/culturescope-build.json (written above: this source build). Name the variant,
    # so a GPU run fails loudly rather than quietly falling back to the CPU.
    export CULTURESCOPE_BUILD=source CULTURESCOPE_GPU=$([[ $cpu == 1 ]] && echo cpu || echo cuda)
    say "bench/run.ts: --limit $limit, workers $run_workers, gpu layers $([[ $cpu == 1 ]] && echo 0 || echo -1)"
    timed bench_run timeout $(($(left) - 20)) node --import tsx bench/run.ts --model "$model" --workers "$run_workers" \
        --limit "$limit" --gpu-layers "$([[ $cpu == 1 ]] && echo 0 || echo -1)" --run-dir "$work/runs" \
        --out "$OUT/bench-run.json" || fail "bench/run.ts (rc $?; 124 = out of time)"
    status_note="bench run; llama.cpp $llama_tag; model args: ${model_args[*]}"
    write_results ok
    say "done"
    exit 0
fi

# ---- 3. bench/score.ts (a) and (c) ----------------------------------------------------------------------------------
say "bench/score.ts: modes a,c, ${questions} questions, repeat ${repeat}"
timed score timeout $(($(left) - 40)) node --import tsx bench/score.ts --model "$model" --modes a,c --questions "$questions" \
    --repeat "$repeat" "${scorer_args[@]}" --out "$OUT/bench-score.json" || fail "bench/score.ts"
pp=$(node -p 'const r = require(process.argv[1]); Math.round(r.workload.promptTokens / r.workload.prompts)' "$OUT/bench-score.json")

# ---- 4. llama-batched-bench on the same file ------------------------------------------------------------------------
# Prompt processing only (-ntg 0): npl prompts of pp tokens each (pp = the workload's mean prompt length), one output
# row per prompt, like mode (c). "matched": our scorer's settings (unified KV of bb_ctx cells, the same batch/ubatch,
# flash attention on, as many prompts as fill one batch). "best" runs llama.cpp's own layout (one KV stream per
# sequence) at larger parallelism; results.json's versus.best compares with the fastest of all these runs.
if ((!skip_bb)); then
    npl_matched=$((bb_batch / pp))
    bb_common=(-m "$model" -ngl "$bb_ngl" -t "$(nproc)" -fa on -ntg 0 -npp "$pp" --output-format jsonl)
    run_bb() { # TAG ARGS...
        local tag=$1
        shift
        timeout $(($(left) - 15)) "$batched_bench" "${bb_common[@]}" "$@" > "$work/bb-$tag.out" 2> "$work/bb-$tag.err"
        local rc=$?
        grep '^{' "$work/bb-$tag.out" "$work/bb-$tag.err" -h | sed "s/^{/{\"tag\": \"$tag\", /" >> "$OUT/batched-bench.jsonl"
        ((rc == 0)) || { tail -5 "$work/bb-$tag.err"; say "llama-batched-bench ($tag) exited with $rc"; }
        return 0
    }
    : > "$OUT/batched-bench.jsonl"
    say "llama-batched-bench: pp $pp, matched npl $npl_matched (-kvu -c $bb_ctx), best npl $bb_npl_best"
    s=$(date +%s)
    run_bb matched -c "$bb_ctx" -b "$bb_batch" -ub "$bb_ubatch" -kvu -npl "$npl_matched"
    max_npl=${bb_npl_best##*,}
    # one KV stream per sequence, each rounded up to 256 cells
    run_bb best -c $((max_npl * ((pp + 255) / 256 * 256))) -b "$bb_batch" -ub "$bb_ubatch" -npl "$bb_npl_best"
    step_seconds[batched_bench]=$(($(date +%s) - s))
    cat "$OUT/batched-bench.jsonl"
fi

# ---- 5. diagnostic: mode (a) with one CPU thread ------------------------------------------------------------------
# With every layer on the GPU, the scorer's threads mostly read logits rows (log-softmax over 128k entries per
# continuation, on the CPU, after each decode). (a) at 1 thread vs all threads shows what that costs.
if (($(left) > 90)); then
    say "diagnostic: (a) with --threads 1"
    timed score_a_threads1 timeout $(($(left) - 20)) node --import tsx bench/score.ts --model "$model" --modes a --questions "$questions" \
        --repeat 1 "${scorer_args[@]}" --threads 1 --out "$OUT/bench-score-a-threads1.json" > "$work/a-threads1.log" 2>&1 &&
        grep -E '^\| a ' "$work/a-threads1.log"
fi

status_note="llama.cpp $llama_tag; model args: ${model_args[*]}; scorer args: ${scorer_args[*]}"
write_results ok
say "done"
