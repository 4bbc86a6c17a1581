#!/usr/bin/env bash
# Reproduces the whole demo zoo: dataset -> baseline + teacher -> sensitivity -> pruned (sensity, r578) -> int8
# (post, aware) -> distilled (l2_distiil, split_distiil, control) -> pruned+distilled -> ONNX export + manifest
# -> onnxruntime-node checks (outputs, latency, AP). One command, from the repository root:
#
#   bash tools/demo-zoo/run.sh        (DEMO_ZOO_FROM=refit, the default: about 1 h 40 min on a quiet 2-core machine)
#
# DEMO_ZOO_FROM picks where the baseline and the teacher come from:
#   refit    (default) the 2026-11-29 run's ONNX files (commit REFIT_COMMIT below; BatchNorm folded, checkpoints
#            lost) rebuilt with BatchNorm and trained further (slimzoo/stage_refit.py): baseline 3 epochs, teacher
#            10. Steps, not minutes, bound every stage, and the refits resume from an epoch-end checkpoint, so an
#            interrupted run continues (run the command again) and gives the same files.
#   scratch  train both from scratch in wall-clock-limited phases (the 2026-11-29 run; about 4 hours):
#            DEMO_ZOO_BASELINE_MINUTES (phase 1, default 42), DEMO_ZOO_CONTINUE_MINUTES (phase 2, 14),
#            DEMO_ZOO_LONG_MINUTES (phase 3 and the teacher, side by side, 75), DEMO_ZOO_FINAL_MINUTES (phase 4, 20).
#   compress reuse baseline.pt and teacher.pt in $WORK/work.
# Environment: DEMO_ZOO_WORK (scratch, default /tmp/slimboard-demo-zoo), DEMO_ZOO_THREADS (torch threads of the
# compression stages, default 1), DEMO_ZOO_JOBS (compression stages run at once, default 2). Seeds are fixed per
# stage. The fp32 files keep BatchNorm as separate nodes and name the head's parameters as PaddleDetection does
# (slimzoo/export.py), so Slimboard's sensitivity analysis ranks the same conv weights as slimzoo's.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${DEMO_ZOO_WORK:-/tmp/slimboard-demo-zoo}"
DATA="$WORK/data"
BASE_MIN="${DEMO_ZOO_BASELINE_MINUTES:-42}"
CONT_MIN="${DEMO_ZOO_CONTINUE_MINUTES:-14}"
LONG_MIN="${DEMO_ZOO_LONG_MINUTES:-75}"
FINAL_MIN="${DEMO_ZOO_FINAL_MINUTES:-20}"
JOBS="${DEMO_ZOO_JOBS:-2}"
FROM="${DEMO_ZOO_FROM:-refit}"
REFIT_COMMIT=59499a7   # the last commit that ships the 2026-11-29 files
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

# 2a. refit: the 2026-11-29 baseline and teacher from git history (checked against that commit's manifest), each
#     rebuilt with BatchNorm and trained further on 2 threads; the teacher longer, so that it beats the student.
if [ "$FROM" = "refit" ]; then
  SRC="$WORK/sources"
  mkdir -p "$SRC"
  git -C "$ROOT" show "$REFIT_COMMIT:lib/demo-zoo/models/manifest.json" > "$SRC/manifest.json"
  for f in yolov3_mobilenet_v1_x025_shapes.onnx yolov3_mobilenet_v1_x025_head2x_shapes_teacher.onnx; do
    git -C "$ROOT" show "$REFIT_COMMIT:lib/demo-zoo/models/$f" > "$SRC/$f"
  done
  [ -f "$WORK/work/baseline.eval.json" ] || DEMO_ZOO_THREADS=2 run slimzoo.stage_refit --model baseline --manifest "$SRC/manifest.json" --epochs 3 --lr 5e-4 --seed 41
  [ -f "$WORK/work/teacher.eval.json" ] || DEMO_ZOO_THREADS=2 run slimzoo.stage_refit --model teacher --manifest "$SRC/manifest.json" --epochs 10 --lr 1e-3 --seed 45
  "$PY" -c "import json, sys; s, t = (json.load(open('$WORK/work/' + n + '.eval.json'))['416']['AP'] for n in ('baseline', 'teacher')); \
print(f'teacher AP@416 {t:.4f} vs student {s:.4f}'); sys.exit(0 if t > s else 'the teacher does not beat the student: train it longer (--epochs)')"
fi

# 2b. scratch: the baseline in four phases: from scratch; continued at a lower peak learning rate; continued
#    again for LONG_MIN while the teacher (same backbone, started from phase 2's backbone, head twice as wide)
#    trains beside it; then phase 4 alone for FINAL_MIN on 2 threads. Phase 4's weights are "baseline".
if [ "$FROM" = "scratch" ]; then
  run slimzoo.stage_baseline --minutes "$BASE_MIN" --seed 1
  mv "$WORK/work/baseline.pt" "$WORK/work/baseline_first.pt"
  mv "$WORK/work/baseline.eval.json" "$WORK/work/baseline_first.eval.json"
  run slimzoo.stage_baseline --init "$WORK/work/baseline_first.pt" --name baseline_cont --minutes "$CONT_MIN" --lr 1e-3 --seed 11
  run slimzoo.stage_baseline --init "$WORK/work/baseline_cont.pt" --name baseline_long --minutes "$LONG_MIN" --epochs 60 --lr 1e-3 --seed 21 &
  run slimzoo.stage_baseline --init-backbone "$WORK/work/baseline_cont.pt" --name teacher --head 192,96,48 --minutes "$LONG_MIN" --epochs 60 --lr 2e-3 --seed 5 &
  wait
  DEMO_ZOO_THREADS=2 run slimzoo.stage_baseline --init "$WORK/work/baseline_long.pt" --name baseline_final --minutes "$FINAL_MIN" --epochs 60 --lr 1e-3 --seed 31
  cp "$WORK/work/baseline_final.pt" "$WORK/work/baseline.pt"
  cp "$WORK/work/baseline_final.eval.json" "$WORK/work/baseline.eval.json"
fi

# 3. compression stages, JOBS at a time (one thread each), longest first. Fine-tuning budgets are in
#    epochs of the 4000-image train split (1 epoch = 250 steps of 16 images); the distilled models, their
#    control and the pruned models get the same 1.5 epochs at the same learning rate. --minutes 0: no
#    wall-clock limit, so the schedule depends on steps only and the result not on the machine's load.
stages=(
  "slimzoo.stage_distill split --epochs 1.5 --minutes 0 --seed 4"
  "slimzoo.stage_distill l2 --epochs 1.5 --minutes 0 --seed 4"
  "slimzoo.stage_distill split --prune r578 --epochs 1.5 --minutes 0 --seed 2"
  "slimzoo.stage_distill none --epochs 1.5 --minutes 0 --seed 4"
  "slimzoo.stage_prune prune --strategy r578 --epochs 1.5 --minutes 0 --seed 2"
  "slimzoo.stage_quant aware --epochs 1 --minutes 0 --seed 3"
  "slimzoo.stage_prune sensitivity + slimzoo.stage_prune prune --strategy sensity --epochs 1.5 --minutes 0 --seed 2"
  "slimzoo.stage_quant post --minutes 0 --seed 3"
)
for stage in "${stages[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  ( IFS='+'; for part in $stage; do eval "run $part"; done ) &
done
wait
for ck in baseline teacher distill_l2 distill_split distill_control prune_r578_distill prune_r578 prune_sensity quant_aware quant_post; do
  [ -f "$WORK/work/$ck.eval.json" ] || { echo "stage $ck failed: see tools/demo-zoo/logs/" >&2; exit 1; }
done

# 4. ONNX + manifest, then onnxruntime-node agreement / latency check
run slimzoo.stage_export
cd "$ROOT"
npx tsx tools/demo-zoo/check-onnx.ts --zoo lib/demo-zoo/models --probes "$WORK/work/probes" > tools/demo-zoo/logs/check-onnx.json
# 5. COCO AP of what onnxruntime-node computes (int8 kernels included) next to the PyTorch AP
cd "$ROOT/tools/demo-zoo"
for size in 416 320 608; do run slimzoo.ort_eval --size "$size" --models baseline,teacher,prune_sensity,prune_r578,quant_post,quant_aware,distill_l2,distill_split,prune_r578_distill; done
cd "$ROOT"
echo "done: lib/demo-zoo/models/manifest.json, tools/demo-zoo/logs/"
