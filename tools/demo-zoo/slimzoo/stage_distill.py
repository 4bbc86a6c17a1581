"""Stage 4: distillation with the larger teacher (teacher.pt).

usage:
  python3 -m slimzoo.stage_distill l2|split --data D --work W [--minutes 6] [--seed 4]
  python3 -m slimzoo.stage_distill l2|split --prune r578 --data D --work W [--minutes 6]

Without --prune: the baseline student (baseline.pt) is trained further with the YOLOv3 loss plus the
distillation loss (slimzoo/distill.py) -> distill_l2.pt / distill_split.pt.
With --prune r578: the baseline is pruned with the r578 ratios (as stage_prune) and recovered with the
YOLOv3 loss plus distillation instead of plain fine-tuning -> prune_r578_distill.pt.
The control (mode none -> distill_control.pt) trains exactly as long without the teacher, so the distilled
models' gain can be told apart from the gain of the extra training itself; for --prune r578 the control is
stage_prune --strategy r578 with the same epochs, lr and seed.
"""
from __future__ import annotations

import argparse
import os

import torch

from .common import EVAL_SIZES, TRAIN_SIZES, load_checkpoint, make_logger, save_checkpoint, setup_threads
from .data import CocoSplit
from .detect import evaluate_and_save
from .distill import L2_WEIGHT, SPLIT_WEIGHT, distill_loss_fn
from .prune import PRUNABLE, prune
from .stage_prune import R578
from .train import train


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["l2", "split", "none"], help="none: the control run, same recipe without the teacher (not shipped)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--prune", choices=["r578"], default=None)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--minutes", type=float, default=6, help="wall-clock cap (its time also drives the schedule); 0: none, the step budget alone decides")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args()
    setup_threads()
    if args.prune and args.mode == "none":
        raise SystemExit("the control of --prune r578 is stage_prune --strategy r578 with the same epochs, lr and seed")
    name = "prune_r578_distill" if args.prune else "distill_control" if args.mode == "none" else f"distill_{args.mode}"
    log = make_logger(name)
    log(f"stage distill: {vars(args)}")
    student, _ = load_checkpoint(os.path.join(args.work, "baseline.pt"))
    teacher, _ = load_checkpoint(os.path.join(args.work, "teacher.pt"))
    # The anchors are a float buffer, so the weight EMA moves them by float rounding (~1e-5 px): same anchors
    # within 1e-3 px.
    if not torch.allclose(teacher.anchors, student.anchors, atol=1e-3) or teacher.num_classes != student.num_classes:
        raise SystemExit("teacher.pt and baseline.pt must share anchors and classes")
    extra = {}
    if args.prune:
        ratios = dict(R578)
        student = prune(student, ratios)
        extra = {"ratios": [ratios[p] for p in PRUNABLE], "params": PRUNABLE, "strategy": args.prune}
    ds = CocoSplit(args.data, "train")
    val = CocoSplit(args.data, "val")
    weight = L2_WEIGHT if args.mode == "l2" else SPLIT_WEIGHT
    ema = train(student.train(), ds, epochs=args.epochs, batch_size=16, sizes=TRAIN_SIZES, lr=args.lr, seed=args.seed, log=log,
                warmup=50, max_minutes=args.minutes or None, extra_loss=None if args.mode == "none" else distill_loss_fn(teacher, args.mode))
    recipe = {"init": "baseline.pt" + (f" pruned {args.prune}" if args.prune else ""), "teacher": "teacher.pt",
              "distillLoss": {"l2": "l2_distiil", "split": "split_distiil", "none": None}[args.mode], "distillWeight": None if args.mode == "none" else weight,
              "epochs": args.epochs, "max_minutes": args.minutes or None, "lr": args.lr, "warmup": 50, "batch": 16, "seed": args.seed, "train_sizes": TRAIN_SIZES}
    save_checkpoint(os.path.join(args.work, f"{name}.pt"), ema, {"recipe": recipe, **extra})
    evaluate_and_save(ema, val, log, name, args.work, EVAL_SIZES)


if __name__ == "__main__":
    main()
