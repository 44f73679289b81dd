#!/usr/bin/env bash
# The CI-sized fuzz check (not part of the ci workflow): builds the fuzz preset and runs every
# harness for SECONDS each (default 60). docs/RELIABILITY.md tells how to run the long runs.
#   packaging/fuzz-smoke.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cmake --workflow --preset fuzz
for harness in fuzz_safetensors fuzz_torch_zip fuzz_config fuzz_tokenizer_json fuzz_tokenize; do
  echo "== $harness, $seconds s"
  log=build/fuzz/$harness.log
  if ! packaging/fuzz-run.sh "$harness" "$seconds" > "$log" 2>&1; then
    tail -n 80 "$log"
    echo "fuzz-smoke: $harness found a problem (log: $log, input in build/fuzz/artifacts/)" >&2
    exit 1
  fi
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
done
echo "fuzz-smoke: all harnesses ran $seconds s without a finding"
