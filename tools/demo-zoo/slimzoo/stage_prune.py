"""Stage 2: sensitivity analysis and channel pruning of the head, each pruned model fine-tuned.

usage:
  python3 -m slimzoo.stage_prune sensitivity --data D --work W [--ratios 0.3,0.5,0.7] [--images 40] [--size 320]
  python3 -m slimzoo.stage_prune prune --strategy sensity|r578 --data D --work W [--minutes 8]

sensitivity: for each of the 18 prunable parameters and each ratio, prune ONLY that parameter (no
fine-tuning) and measure AP(0.5:0.95) on the first `images` val images at `size`; loss = (AP_base - AP) /
AP_base (PaddleSlim's definition). Saved as lib/demo-zoo/models/sensitivity.json.
sensity: per-parameter ratios = largest ratio whose loss stays under a threshold, the threshold bisected
so that GFLOPs@608 drop by ~35% (PaddleSlim get_ratios_by_loss). r578: 0.5 / 0.7 / 0.8 for every
parameter of yolo_block 0 / 1 / 2, as in the seed.
"""
from __future__ import annotations

import argparse
import json
import os
import time

from .common import EVAL_SIZES, TRAIN_SIZES, ZOO_DIR, load_checkpoint, make_logger, save_checkpoint, setup_threads, write_json
from .data import CocoSplit
from .detect import evaluate, evaluate_and_save
from .model import count_gflops
from .prune import PRUNABLE, gflops_reduction, prune, ratios_for_target
from .train import train

R578 = {p: [0.5, 0.7, 0.8][int(p.split(".")[1])] for p in PRUNABLE}


def sensitivity(args, log):
    base, _ = load_checkpoint(os.path.join(args.work, "baseline.pt"))
    val = CocoSplit(args.data, "val")
    ratios = [float(r) for r in args.ratios.split(",")]
    fwd = lambda m: (lambda x: m.decode(m(x)))
    cache = {}
    t = time.monotonic()
    base_ap = evaluate(fwd(base), val, args.size, limit=args.images, areas=("all",), input_cache=cache)["AP"]
    log(f"sensitivity: baseline AP {base_ap:.4f} on {args.images} val images @{args.size} ({time.monotonic() - t:.1f} s per evaluation)")
    table = {}
    for p in PRUNABLE:
        rows = []
        for r in ratios:
            m = prune(base, {p: r})
            ap = evaluate(fwd(m), val, args.size, limit=args.images, areas=("all",), input_cache=cache)["AP"]
            rows.append({"ratio": r, "ap": round(ap, 5), "loss": round((base_ap - ap) / base_ap, 5),
                         "gflopsReduction608": round(gflops_reduction(base, {p: r}), 5)})
            log(f"sensitivity {p} ratio {r}: AP {ap:.4f} loss {(base_ap - ap) / base_ap:+.4f}")
        table[p] = rows
    out = {"model": "baseline", "metric": "COCO AP(0.5:0.95)", "inputSize": args.size, "valImages": args.images,
           "baselineAp": round(base_ap, 5), "lossDefinition": "(AP_baseline - AP_pruned) / AP_baseline, one parameter pruned at a time, no fine-tuning",
           "criterion": "L1 norm of filters, smallest pruned", "ratios": ratios, "parameters": table}
    write_json(os.path.join(ZOO_DIR, "sensitivity.json"), out)
    log("wrote lib/demo-zoo/models/sensitivity.json")


def prune_stage(args, log):
    base, extra = load_checkpoint(os.path.join(args.work, "baseline.pt"))
    if args.strategy == "r578":
        ratios = dict(R578)
        info = {}
    else:
        with open(os.path.join(ZOO_DIR, "sensitivity.json")) as f:
            sens = json.load(f)
        curves = {p: [(row["ratio"], row["loss"]) for row in rows] for p, rows in sens["parameters"].items()}
        ratios, thr, red = ratios_for_target(base, curves, args.target)
        # prune.interpolate_ratio reads each curve with an added (0, 0) point (Slimboard's "with-origin" rule),
        # not PaddleSlim's get_ratios_by_loss, which gives 0 below the first measured ratio.
        info = {"lossThreshold": round(thr, 5), "targetReduction": args.target, "ratioRule": "with-origin"}
        log(f"sensity ratios (loss threshold {thr:.4f}): {[ratios[p] for p in PRUNABLE]}")
    pruned = prune(base, ratios)
    g0, g1 = count_gflops(base, 608), count_gflops(pruned, 608)
    log(f"{args.strategy}: GFLOPs@608 {g0:.4f} -> {g1:.4f} ({(g1 / g0 - 1) * 100:+.1f}%), params {sum(p.numel() for p in base.parameters())} -> {sum(p.numel() for p in pruned.parameters())}")
    ds = CocoSplit(args.data, "train")
    val = CocoSplit(args.data, "val")
    name = f"prune_{args.strategy}"
    before = evaluate(lambda x: pruned.decode(pruned(x)), val, 416, limit=args.before_images, areas=("all",))
    log(f"{name} before fine-tuning @416 ({args.before_images} val images): AP {before['AP']:.4f}")
    info["apBeforeFinetuneImages"] = args.before_images
    ema = train(pruned, ds, epochs=args.epochs, batch_size=16, sizes=TRAIN_SIZES, lr=args.lr, seed=args.seed, log=log, warmup=50, max_minutes=args.minutes or None)
    recipe = {"init": "baseline.pt pruned", "epochs": args.epochs, "max_minutes": args.minutes or None, "lr": args.lr, "warmup": 50, "batch": 16, "seed": args.seed, "train_sizes": TRAIN_SIZES}
    save_checkpoint(os.path.join(args.work, f"{name}.pt"), ema, {"recipe": recipe, "ratios": [ratios[p] for p in PRUNABLE], "params": PRUNABLE,
                                                                   "strategy": args.strategy, "apBeforeFinetune416": before["AP"], **info})
    evaluate_and_save(ema, val, log, name, args.work, EVAL_SIZES)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["sensitivity", "prune"])
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--ratios", default="0.3,0.5,0.7")
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--size", type=int, default=320)
    ap.add_argument("--strategy", choices=["sensity", "r578"], default="sensity")
    ap.add_argument("--target", type=float, default=0.35)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--minutes", type=float, default=8, help="wall-clock cap (its time also drives the schedule); 0: none, the step budget alone decides")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--before-images", type=int, default=100, help="val images for the AP measured right after pruning")
    args = ap.parse_args()
    setup_threads()
    log = make_logger(f"prune_{args.strategy}" if args.what == "prune" else "sensitivity")
    log(f"stage {args.what}: {vars(args)}")
    (sensitivity if args.what == "sensitivity" else prune_stage)(args, log)


if __name__ == "__main__":
    main()
