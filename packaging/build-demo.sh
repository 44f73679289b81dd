#!/usr/bin/env bash
# Rebuilds the bundled demo in resources/demo from scratch, deterministically (fixed seeds):
#   King James Bible (Debian bible-kjv-text) -> train/held-out split -> byte-level BPE tokenizer
#   -> 2-layer gpt2 language model -> Lorsa on its induction-head layer.
# Usage: packaging/build-demo.sh [path/to/lorsa] [work-dir]   (LORSA_THREADS=N to limit threads)
# Needs: apt-get install -y bible-kjv bible-kjv-text (only to rebuild; the demo ships prebuilt).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
lorsa="${1:-$repo/build/dev/app/cli/lorsa}"
work="${2:-$(mktemp -d -t lorsa-demo.XXXXXX)}"
demo="$repo/resources/demo"
threads="${LORSA_THREADS:-0}"
mkdir -p "$work" "$demo"
start=$(date +%s)

# 1. Corpus: one document per chapter (verse references stripped); every 40th chapter is held out.
command -v bible >/dev/null || { echo "install the corpus: apt-get install -y bible-kjv bible-kjv-text" >&2; exit 1; }
bible -f "Gen1:1-Rev22:21" | (cd "$work" && awk '
  match($0, /^[0-9]?[A-Za-z]+[0-9]+:[0-9]+ /) {
    split(substr($0, 1, RLENGTH), ref, ":")
    if (ref[1] != chapter) { if (n++) printf "\n" > out; chapter = ref[1]; out = (n % 40 == 0) ? "heldout.txt" : "train.txt" }
    print substr($0, RLENGTH + 1) > out; next }
  { print "unparsed line: " $0 > "/dev/stderr"; exit 1 }')
cp "$work/heldout.txt" "$demo/heldout.txt"

# 2. Tokenizer.
"$lorsa" train-tokenizer --corpus "$work/train.txt" --vocab-size 4096 --out "$work/tokenizer.json"

# 3. Language model. Half the rows are repeated random-token sequences: only in-context copying
#    predicts them, so a previous-token head (layer 0) and an induction head (layer 1) form, at
#    about 6M tokens with these settings (gpt2 layout: learned positions; small rotary models
#    did not grow one in 18M tokens, see docs/DEMO.md). They form at 128 positions; trained
#    from scratch at 512 they had not formed by 10M tokens, so the model then continues at 512
#    positions (the new ones start fresh) until the circuits work across all of them.
lm_shape=(--architecture gpt2 --tokenizer "$work/tokenizer.json" --corpus "$work/train.txt" --heldout "$work/heldout.txt"
          --layers 2 --d-model 128 --heads 4 --d-mlp 512 --synthetic 0.5 --threads "$threads" --print-every 200)
"$lorsa" train-lm "${lm_shape[@]}" --out "$work/model-128" --n-ctx 128 \
  --batch-tokens 2048 --tokens 10000000 --lr 3e-3 --warmup 100 --seed 1
"$lorsa" train-lm "${lm_shape[@]}" --out "$work/model" --continue-from "$work/model-128" --n-ctx 512 \
  --batch-tokens 4096 --tokens 3000000 --lr 1e-3 --warmup 50 --seed 2
rm -rf "$demo/model"
mkdir -p "$demo/model"
cp "$work/model/config.json" "$work/model/model.safetensors" "$work/model/tokenizer.json" \
   "$work/model/training_report.json" "$demo/model/"

# 4. Lorsa on layer 1, the layer with the induction head (`lorsa heads --model` shows it).
"$lorsa" train --model "$demo/model" --layer 1 --corpus "$work/train.txt" --heldout "$work/heldout.txt" \
  --out "$work/lorsa" --expansion 4 --n-qk-heads 16 --top-k 16 --start-k 64 --k-warmup-tokens 300000 \
  --total-tokens 6000000 --context-length 512 --batch-tokens 4096 --lr 1e-3 --seed 1 --threads "$threads" --quiet
rm -rf "$demo/lorsa"
mkdir -p "$demo/lorsa"
cp "$work/lorsa/config.json" "$work/lorsa/sae_weights.safetensors" "$demo/lorsa/"
[ -f "$work/lorsa/eval.json" ] && cp "$work/lorsa/eval.json" "$demo/lorsa/"

# 5. The head scores the demo promises (tests/model/engine recomputes them).
"$lorsa" heads --model "$demo/model" --lorsa "$demo/lorsa"

# 6. The head atlas of the held-out split (docs/ATLAS.md): every head's top contexts and statistics
#    (about 24k tokens, 4 MB; the explorer does not open it yet).
rm -f "$demo/atlas.sqlite"
"$lorsa" index --model "$demo/model" --lorsa "$demo/lorsa" --corpus "$demo/heldout.txt" --out "$demo/atlas.sqlite" \
  --context 128 --top 32 --device cpu --threads "$threads"

echo "demo model rebuilt in $(( $(date +%s) - start )) s (work folder $work)"
