#!/usr/bin/env bash
# Reproduces the whole demo zoo: dataset -> baseline -> sensitivity -> pruned (sensity, r578) ->
# int8 (post, aware) -> ONNX export + manifest -> onnxruntime-node checks (outputs, latency, AP). One command:
#
#   bash tools/demo-zoo/run.sh            (from the repository root; about 2 hours on a shared 2-core machine)
#
# Environment: DEMO_ZOO_WORK (scratch, default /tmp/slimboard-demo-zoo), DEMO_ZOO_THREADS (torch threads,
# default 1), DEMO_ZOO_BASELINE_MINUTES (default 42), DEMO_ZOO_CONTINUE_MINUTES (second baseline phase, default 14), DEMO_ZOO_STAGE_MINUTES (fine-tuning
# stages, default 4; the shipped sensity model got 3).
# Seeds are fixed per stage. Training stops at a wall-clock limit (the schedule is compressed to fit), so
# on a faster or idler machine the same command trains more steps: compare logs/ for the step counts.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${DEMO_ZOO_WORK:-/tmp/slimboard-demo-zoo}"
DATA="$WORK/data"
BASE_MIN="${DEMO_ZOO_BASELINE_MINUTES:-42}"
STAGE_MIN="${DEMO_ZOO_STAGE_MINUTES:-4}"
CONT_MIN="${DEMO_ZOO_CONTINUE_MINUTES:-14}"
PY=/usr/bin/python3   # Debian's python3-torch 1.13 / torchvision 0.14 / onnx 1.12
export LD_PRELOAD="${LD_PRELOAD:-/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4}"
mkdir -p "$WORK/work"
cd "$ROOT"

# 1. dataset (deterministic: same seed, same bytes)
if [ ! -f "$DATA/annotations/instances_train.json" ]; then
  npm run -s slimboard -- dataset synth --out "$DATA" --split train --count 4000
fi
if [ ! -f "$DATA/annotations/instances_val.json" ]; then
  npm run -s slimboard -- dataset synth --out "$DATA" --split val --count 300
fi

cd "$ROOT/tools/demo-zoo"
run() { nice -n 15 "$PY" -m "$@" --data "$DATA" --work "$WORK/work"; }

# 2. baseline: from scratch, then continued from that checkpoint at a lower peak learning rate (the shipped
#    run did the second part when the shared machine was idle); the continued weights are "baseline"
run slimzoo.stage_baseline --minutes "$BASE_MIN" --seed 1
mv "$WORK/work/baseline.pt" "$WORK/work/baseline_first.pt"
mv "$WORK/work/baseline.eval.json" "$WORK/work/baseline_first.eval.json"
run slimzoo.stage_baseline --init "$WORK/work/baseline_first.pt" --name baseline_cont --minutes "$CONT_MIN" --lr 1e-3 --seed 11
cp "$WORK/work/baseline_cont.pt" "$WORK/work/baseline.pt"
cp "$WORK/work/baseline_cont.eval.json" "$WORK/work/baseline.eval.json"

# 3. compression stages; independent ones run side by side (one thread each)
run slimzoo.stage_prune sensitivity &
run slimzoo.stage_prune prune --strategy r578 --minutes "$STAGE_MIN" --seed 2 &
run slimzoo.stage_quant post --seed 3 &
run slimzoo.stage_quant aware --minutes "$STAGE_MIN" --seed 3 &
wait
run slimzoo.stage_prune prune --strategy sensity --minutes 3 --seed 2

# 4. ONNX + manifest, then onnxruntime-node agreement / latency check
run slimzoo.stage_export
cd "$ROOT"
npx tsx tools/demo-zoo/check-onnx.ts --zoo prisma/demo-zoo --probes "$WORK/work/probes" > tools/demo-zoo/logs/check-onnx.json
# 5. COCO AP of what onnxruntime-node computes (int8 kernels included) next to the PyTorch AP
cd "$ROOT/tools/demo-zoo"
for size in 416 320 608; do run slimzoo.ort_eval --size "$size" --models baseline,prune_sensity,prune_r578,quant_post,quant_aware; done
cd "$ROOT"
echo "done: prisma/demo-zoo/manifest.json, tools/demo-zoo/logs/"
