#!/usr/bin/env bash
# Runs bench/device/run-score-bench.sh here, on the CPU, the way the device tool would run it there: in a copy of the
# working tree holding only what the tool sends (tracked + untracked-not-ignored files, plus the carried .device/), so
# no node_modules, no native/vendor, no build/. Needs .device/ (bash bench/device/prepare.sh). Takes ~10 minutes on 2
# cores, nearly all of it compiling llama.cpp (CPU backend) + common + llama-batched-bench.
#
#   bash bench/device/dry-run.sh [extra run-score-bench.sh options]
#   DRY_RUN_DIR=/tmp/x bash bench/device/dry-run.sh      # where the copy goes (default /tmp/culturescope-dry-run)
#   bash bench/device/dry-run.sh --cuda-configure         # GPU mode, stopping after the CUDA cmake configure
# Results: $DRY_RUN_DIR/out/ (what $OUT would bring back).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${DRY_RUN_DIR:-/tmp/culturescope-dry-run}
cd "$root"
[[ -s .device/manifest.json ]] || { echo "no .device/: run bash bench/device/prepare.sh first" >&2; exit 1; }
# $dir/work (the build) is kept: a second dry run re-extracts the same tarball (same file times) and recompiles nothing.
rm -rf "$dir/tree" "$dir/out"
mkdir -p "$dir/tree" "$dir/out"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dir/tree" 2> /dev/null || true
# files deleted in the working tree but still tracked are skipped by cp; carry .device like `carry: [".device"]`
cp -r .device "$dir/tree/.device"
echo "copied $(du -sh "$dir/tree" | cut -f1) to $dir/tree"
cd "$dir/tree"
# No node_modules here, as on the device; the system node stays on PATH but the script puts the carried one first.
if [[ ${1:-} == --cuda-configure ]]; then
    # GPU mode up to the end of the CUDA configure (needs nvcc here; no GPU, no compile): checks the toolkit and
    # cuBLAS/driver detection. BENCH_CUDA_SEARCH_ROOTS adds folders to search for cuBLAS/libcuda.
    shift
    OUT="$dir/out" BENCH_WORK="$dir/work-cuda" bash bench/device/run-score-bench.sh --configure-only "$@"
else
    OUT="$dir/out" BENCH_WORK="$dir/work" BENCH_BUDGET_S=${BENCH_BUDGET_S:-1500} bash bench/device/run-score-bench.sh --cpu "$@"
fi
echo "results: $dir/out"
ls -la "$dir/out"
