#!/usr/bin/env bash
# Runs one libFuzzer harness of tests/fuzz for SECONDS (default 60) on its seed corpus, with the
# limits the project holds every harness to: no crash, no leak, no input slower than 1 s, no
# allocation over 2 GB. Needs the fuzz build (cmake --workflow --preset fuzz).
#   packaging/fuzz-run.sh HARNESS [SECONDS] [extra libFuzzer flags...]
# HARNESS: fuzz_safetensors | fuzz_torch_zip | fuzz_config | fuzz_tokenizer_json | fuzz_tokenize
# The corpus grows in build/fuzz/corpus/HARNESS (kept between runs); crashing inputs are written
# to build/fuzz/artifacts/. Exit status: 0 when the time ran out without a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=${1:?usage: packaging/fuzz-run.sh HARNESS [SECONDS] [libFuzzer flags...]}
seconds=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
binary=build/fuzz/tests/fuzz/$harness
[ -x "$binary" ] || { echo "fuzz-run: $binary missing: run cmake --workflow --preset fuzz" >&2; exit 2; }

seeds=(tests/fuzz/seeds/${harness#fuzz_})
case $harness in
  fuzz_safetensors)    dict=safetensors; seeds+=(tests/data/lorsa/original_abs/reference.safetensors) ;;
  fuzz_torch_zip)      dict=pickle;      seeds+=(tests/data/io tests/data/lorsa/original_abs/final.pth tests/data/lorsa/original_zrelu/final.pth) ;;
  fuzz_config)         dict=json;        seeds+=(resources/demo/model/config.json resources/demo/lorsa/config.json
                                                   tests/data/lorsa/original_abs/config.json tests/data/lorsa/original_zrelu/config.json) ;;
  fuzz_tokenizer_json) dict=json;        seeds+=(tests/data/tokenizers/gpt2_style.json tests/data/tokenizers/llama3_style.json) ;;
  fuzz_tokenize)       dict=json ;;
  *) echo "fuzz-run: unknown harness $harness" >&2; exit 2 ;;
esac

corpus=build/fuzz/corpus/$harness
mkdir -p "$corpus" build/fuzz/artifacts
# Seeds are copied in (not passed as extra corpus dirs) so that only the corpus folder grows.
for seed in "${seeds[@]}"; do
  if [ -d "$seed" ]; then
    find "$seed" -maxdepth 1 -type f ! -name '*.py' ! -name '*.json.expected' -exec cp -n {} "$corpus/" \;
  else
    cp -n "$seed" "$corpus/"
  fi
done

# On a loaded machine a unit can exceed 1 s of wall time only because it was not scheduled. So
# an input that timed out is run again alone: one still slower than 1 s there is a hang (exit 1);
# otherwise fuzzing resumes on the same corpus until SECONDS are spent. (libFuzzer's fork mode
# would do the same but restarts the process, and LibTorch's start-up, for every job.)
deadline=$(( $(date +%s) + seconds ))
runs=0
while :; do
  left=$(( deadline - $(date +%s) ))
  [ "$left" -gt 0 ] || break
  rm -f build/fuzz/artifacts/$harness-timeout-*
  runs=$((runs + 1))
  status=0
  "$binary" "$corpus" -dict=tests/fuzz/dict/$dict.dict -max_total_time="$left" \
    -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=2048 -detect_leaks=1 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$harness- "$@" || status=$?
  [ "$status" -eq 0 ] && break
  unit=$(ls build/fuzz/artifacts/$harness-timeout-* 2>/dev/null | head -1)
  [ -n "$unit" ] || exit "$status"  # a crash, leak or OOM: the artifact is in build/fuzz/artifacts
  echo "fuzz-run: rechecking $unit alone"
  if ! "$binary" -timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=2048 "$unit"; then
    echo "fuzz-run: $unit hangs (kept)" >&2
    exit 1
  fi
  echo "fuzz-run: $unit runs in under 1 s alone: a scheduling delay, not a hang; resuming"
  rm -f "$unit"
done
echo "fuzz-run: $harness finished after $runs run(s) of libFuzzer"
