#!/usr/bin/env bash
# The GPU checks of docs/BENCHMARKS.md in one prepared run on a lent CUDA machine, in two halves
# that each fit one `device` call (the second reuses the first's build and checkpoints):
#   gpu-check.sh prepare build (packaging/cuda/build-engine.sh), write random checkpoints of real shapes
#   gpu-check.sh check   prepare, then cross-check CPU vs CUDA, Hugging Face transformers and the
#                        Language-Model-SAEs Lorsa forward (packaging/cuda/lms_lorsa.py)
#   gpu-check.sh bench   `lorsa bench --device cuda --baseline --json` and the Language-Model-SAEs
#                        forward on the same Lorsas, dtypes and lengths, then one summary table
# Needs .cuda-debs (packaging/cuda/fetch-debs.sh .cuda-debs, carried along); writes to $OUT.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-/tmp/gpu-check-out}"
data=build/gpu-data
bin=build/cuda/app/cli/lorsa
export LD_LIBRARY_PATH=/opt/lorsa-sysroot/usr/lib/x86_64-linux-gnu
mkdir -p "$out" "$data"
stamp() { echo "== $(date +%T) $*"; }

prepare() {
  stamp build
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
  python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' | tee -a "$out/gpu.txt"
  { time packaging/cuda/build-engine.sh .cuda-debs build/cuda > "$out/build.log" 2>&1; } 2>> "$out/build.log" \
    || { tail -60 "$out/build.log"; exit 1; }
  grep -E "LORSA_TORCH|real" "$out/build.log" || true
  stamp checkpoints
  "$bin" make-random --shape pythia-160m --model-out "$data/pythia" --lorsa-out "$data/p8" --layer 3 --expansion 8 --top-k 64 --d-qk-head 64
  "$bin" make-random --shape pythia-160m --model-out "$data/pythia" --lorsa-out "$data/p32" --layer 3 --expansion 32 --top-k 64 --d-qk-head 64
  "$bin" make-random --shape llama-3.1-8b-1layer --model-out "$data/llama" --lorsa-out "$data/l8" --layer 0 --expansion 8 --top-k 64 --d-qk-head 128
  head -c 700 resources/demo/heldout.txt > "$data/prompt.txt"
}

check() {
  prepare
  for pair in pythia:p8:3 llama:l8:0; do
    IFS=: read -r model lorsa layer <<< "$pair"
    stamp "cross-check $model/$lorsa"
    hooks="tokens,logits,blocks.$layer.ln1.hook_normalized,lorsa.hook_hidden_pre,lorsa.hook_feature_acts,lorsa.hook_reconstructed,lorsa.z_pattern,lorsa.z_pattern_heads"
    n=$(python3 -c "import json; print(json.load(open('$data/$model/config.json'))['num_hidden_layers'])")
    for ((i = 0; i < n; i++)); do hooks="$hooks,blocks.$i.hook_resid_post"; done
    for device in cpu cuda; do
      "$bin" analyze --model "$data/$model" --lorsa "$data/$lorsa" --lorsa-input normalized --device "$device" --dtype float32 \
        --text-file "$data/prompt.txt" --hooks "$hooks" --z-heads 0,7,300 --dump "$data/$model-$device.safetensors"
    done
    "$bin" analyze --model "$data/$model" --lorsa "$data/$lorsa" --lorsa-input normalized --device cuda --dtype bfloat16 \
      --text-file "$data/prompt.txt" --hooks "$hooks" --z-heads 0,7,300 --dump "$data/$model-cuda-bf16.safetensors"
    python3 packaging/cuda/compare_with_transformers.py "$data/$model-cpu.safetensors" "$data/$model-cuda.safetensors" "$data/$model" \
      | tee "$out/compare-$model.txt" | { grep -E "WORST|HF|equal=False" || true; }
    python3 packaging/cuda/lms_lorsa.py check "$data/$lorsa" "$data/$model-cuda.safetensors" | tee "$out/lms-check-$model.txt"
    python3 packaging/cuda/lms_lorsa.py check --dtype bfloat16 "$data/$lorsa" "$data/$model-cuda-bf16.safetensors" \
      | tee "$out/lms-check-$model-bf16.txt"
    python3 - "$data/$model-cuda.safetensors" "$data/$model-cuda-bf16.safetensors" <<'PY' | tee "$out/bf16-$model.txt"
import sys, torch
from safetensors.torch import load_file
f32, bf16 = load_file(sys.argv[1]), load_file(sys.argv[2])
for name in ("logits", "lorsa.hook_hidden_pre", "lorsa.hook_reconstructed"):
    a, b = f32[name].double(), bf16[name].double()
    print(f"bfloat16 vs float32 on CUDA {name}: max rel err {((a - b).abs().max() / a.abs().max()).item():.2e}")
PY
  done
  stamp "dtype auto"
  # The default precision on CUDA is the checkpoint's when that is bfloat16 (Qwen3 is stored so).
  "$bin" make-random --shape qwen3-1.7b --layers 2 --model-out "$data/qwen2l" --lorsa-out "$data/q8" --layer 1 --expansion 8 \
    --n-qk-heads 16 --d-qk-head 128 --top-k 64 --post-qk-norm
  "$bin" bench --model "$data/qwen2l" --lorsa "$data/q8" --device cuda --tokens 128 --repeat 3 --warmup 1 --json \
    | python3 -c "import json,sys; d=json.load(sys.stdin)['dtype']; print('--dtype auto, CUDA, bfloat16 checkpoint:', d); sys.exit(d != 'bfloat16')" \
    | tee "$out/dtype-auto.txt"
  stamp "check done"
}

bench() {
  [ -x "$bin" ] || { echo "run '$0 check' first"; exit 1; }
  : > "$out/bench-ours.jsonl"
  for triple in pythia:p8:128,1024,2048 pythia:p32:128,1024,2048 llama:l8:128,1024,2048,4096; do
    IFS=: read -r model lorsa lengths <<< "$triple"
    for dtype in float32 bfloat16; do
      for t in ${lengths//,/ }; do
        "$bin" bench --model "$data/$model" --lorsa "$data/$lorsa" --device cuda --dtype "$dtype" --tokens "$t" \
          --repeat 20 --warmup 3 --baseline --json \
          | python3 -c "import json,sys; r=json.load(sys.stdin); r['folder']='$lorsa'; print(json.dumps(r))" >> "$out/bench-ours.jsonl"
      done
    done
    stamp "ours $lorsa"
  done
  python3 packaging/cuda/lms_lorsa.py bench "$data/p8" "$data/p32" --tokens 128,1024,2048 > "$out/bench-lms.jsonl"
  python3 packaging/cuda/lms_lorsa.py bench "$data/l8" --tokens 128,1024,2048,4096 >> "$out/bench-lms.jsonl"
  stamp "Language-Model-SAEs"
  python3 - "$out/bench-ours.jsonl" "$out/bench-lms.jsonl" <<'PY' | tee "$out/bench-table.md"
import json, sys, os
ours = [json.loads(l) for l in open(sys.argv[1])]
lms = {(os.path.basename(r["lorsa"]), r["dtype"], r["tokens"]): r for r in map(json.loads, open(sys.argv[2]))}
print("| Lorsa | dtype | T | model forward | Lorsa ours | straightforward | Language-Model-SAEs | LMS / ours | working MiB ours / straightforward / LMS |")
print("|---|---|---|---|---|---|---|---|---|")
for r in ours:
    l = lms[(r["folder"], r["dtype"], r["tokens"])]
    print(f"| {r['folder']} | {r['dtype']} | {r['tokens']} | {r['model_ms']:.2f} | {r['lorsa_ms']:.2f} | {r['baseline_lorsa_ms']:.2f} | "
          f"{l['lms_ms']:.2f} | **{l['lms_ms'] / r['lorsa_ms']:.2f}x** | {r.get('lorsa_gpu_working_mb', float('nan')):.0f} / "
          f"{r.get('baseline_lorsa_gpu_working_mb', float('nan')):.0f} / {l['lms_working_mb']:.0f} |")
print(f"\nattention: {ours[0].get('lorsa_attention')}; machine: {ours[0]['machine']}; {l['gpu']}, torch {l['torch']}")
PY
  stamp "decoders"
  # The dense and the active-heads decoder against each other (the automatic choice: active heads
  # in float32, dense in bfloat16, from session 5's profile; never measured end to end).
  for dtype in bfloat16 float32; do
    for decoder in dense active-heads; do
      "$bin" bench --model "$data/llama" --lorsa "$data/l8" --device cuda --dtype "$dtype" --tokens 2048 \
        --repeat 20 --warmup 3 --decoder "$decoder" --json \
        | python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"l8 {r['dtype']} T=2048 decoder {r['lorsa_decoder']}: Lorsa {r['lorsa_ms']:.2f} ms\")" \
        | tee -a "$out/bench-decoders.txt"
    done
  done
  stamp "keystrokes"
  # What one keystroke costs the explorer's worker on the GPU, reusing the prefix and recomputing:
  # the measurement that decides whether CUDA graphs pay at T <= 128 (launch-bound or not).
  for t in 64 128 512; do
    "$bin" bench --typing --model resources/demo/model --lorsa resources/demo/lorsa --device cuda --tokens "$t" --keystrokes 32 \
      | tee -a "$out/typing.txt"
    "$bin" bench --typing --model "$data/llama" --lorsa "$data/l8" --device cuda --dtype bfloat16 --tokens "$t" --keystrokes 32 \
      | tee -a "$out/typing.txt"
  done
  stamp "bench-index"
  # The atlas pass on the GPU against the naive per-context loop, and the same on the CPU cores.
  for device in cuda cpu; do
    "$bin" bench-index --model "$data/pythia" --lorsa "$data/p8" --corpus resources/demo/heldout.txt \
      --out "$data/bench-index-$device.sqlite" --device "$device" --dtype float32 --max-tokens 8192 --naive-contexts 16 --json \
      > "$out/bench-index-$device.json"
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[2], {k: v for k, v in r.items() if not isinstance(v, (dict, list))})" \
      "$out/bench-index-$device.json" "$device"
  done
  stamp "bench done"
}

"${1:?usage: gpu-check.sh check|bench}"
