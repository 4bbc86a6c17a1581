"""Stage 3: int8 quantization of the baseline (post-training `post`, quantization-aware `aware`).

usage: python3 -m slimzoo.stage_quant post|aware --data D --work W [--calib 64] [--minutes 8]

post:  BN folded, activation ranges = max over `calib` training images (batches of 8, sizes 320/416/608).
aware: starts from the post-calibrated model and fine-tunes with fake quantization (EMA ranges), then
       freezes the ranges. Both are evaluated as fake-quant PyTorch models (what the int8 graph computes).
"""
from __future__ import annotations

import argparse
import os
import random

import torch

from .common import EVAL_SIZES, TRAIN_SIZES, load_checkpoint, make_logger, setup_threads
from .data import CocoSplit, resize_image
from .detect import evaluate_and_save
from .quant import QuantDetector, calibrate
from .train import train


def calib_batches(ds, n: int, seed: int):
    rng = random.Random(seed)
    idx = rng.sample(range(len(ds)), n)
    sizes = [320, 416, 608]
    for k in range(0, n, 8):
        size = sizes[(k // 8) % len(sizes)]
        yield torch.stack([resize_image(ds.pixels[i], size) for i in idx[k:k + 8]])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("method", choices=["post", "aware"])
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--calib", type=int, default=64)
    ap.add_argument("--epochs", type=float, default=2)
    ap.add_argument("--minutes", type=float, default=8, help="wall-clock cap (its time also drives the schedule); 0: none, the step budget alone decides")
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    setup_threads()
    log = make_logger(f"quant_{args.method}")
    log(f"stage quant {args.method}: {vars(args)}")
    base, _ = load_checkpoint(os.path.join(args.work, "baseline.pt"))
    ds = CocoSplit(args.data, "train")
    val = CocoSplit(args.data, "val")
    q = QuantDetector(base)
    calibrate(q, calib_batches(ds, args.calib, args.seed))
    recipe = {"calibration": f"{args.calib} train images, max range", "weights": "int8 symmetric per channel", "activations": "uint8 per tensor", "seed": args.seed}
    if args.method == "aware":
        q.train().set_mode("ema")
        q = train(q, ds, epochs=args.epochs, batch_size=16, sizes=TRAIN_SIZES, lr=args.lr, seed=args.seed, log=log, warmup=30,
                  max_minutes=args.minutes or None, ema_decay=0.99, weight_decay=0.0)
        q.set_mode("frozen")
        recipe.update({"qat_epochs": args.epochs, "max_minutes": args.minutes or None, "lr": args.lr, "init": "post-calibrated baseline"})
    q.eval().set_mode("frozen")
    torch.save({"source_config": q.source_config, "state_dict": q.state_dict(), "extra": {"recipe": recipe}}, os.path.join(args.work, f"quant_{args.method}.pt"))
    evaluate_and_save(q, val, log, f"quant_{args.method}", args.work, EVAL_SIZES)


if __name__ == "__main__":
    main()
