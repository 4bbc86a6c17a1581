"""Stage 1: train the YOLOv3-MobileNetV1(x0.25) baseline from scratch on the synthetic train split.

usage: python3 -m slimzoo.stage_baseline --data DIR --work DIR [--epochs 10] [--minutes 42] [--seed 1]
"""
from __future__ import annotations

import argparse
import os
import time

import torch

from .common import EVAL_SIZES, TRAIN_SIZES, load_checkpoint, make_logger, save_checkpoint, setup_threads
from .data import CocoSplit
from .detect import evaluate_and_save
from .model import YoloV3, count_gflops
from .train import kmeans_anchors, seed_everything, train


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--epochs", type=float, default=10)
    ap.add_argument("--minutes", type=float, default=42)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--head", default="96,48,24")
    ap.add_argument("--backbone-scale", type=float, default=0.25)
    ap.add_argument("--name", default="baseline")
    ap.add_argument("--init", default=None, help="continue from this checkpoint (same architecture) instead of from scratch")
    ap.add_argument("--init-backbone", default=None, help="start the backbone (same width) from this checkpoint's backbone; the head starts from scratch (the teacher)")
    args = ap.parse_args()
    setup_threads()
    log = make_logger(args.name)
    log(f"stage {args.name}: {vars(args)}")
    t = time.monotonic()
    ds = CocoSplit(args.data, "train")
    val = CocoSplit(args.data, "val")
    log(f"loaded {len(ds)} train / {len(val)} val images in {time.monotonic() - t:.0f} s")
    anchors = kmeans_anchors(ds, 416, seed=args.seed)
    log(f"anchors (k-means at 416): {anchors}")
    seed_everything(args.seed)
    model = YoloV3(len(ds.classes), anchors, args.backbone_scale, tuple(int(c) for c in args.head.split(",")))
    prior = {}
    if args.init:
        init, prior = load_checkpoint(args.init)
        model = init.train()
        log(f"continuing from {args.init} (anchors from the checkpoint: {model.anchors.tolist()})")
    elif args.init_backbone:
        donor, prior = load_checkpoint(args.init_backbone)
        if donor.backbone_scale != args.backbone_scale:
            raise SystemExit(f"--init-backbone {args.init_backbone}: backbone scale {donor.backbone_scale}, expected {args.backbone_scale}")
        model.backbone.load_state_dict(donor.backbone.state_dict())
        model.anchors.copy_(donor.anchors)
        log(f"backbone and anchors from {args.init_backbone}; head from scratch")
    log(f"params {sum(p.numel() for p in model.parameters())} GFLOPs@416 {count_gflops(model, 416):.4f}")
    recipe = {"epochs": args.epochs, "batch": args.batch, "lr": args.lr, "optimizer": "AdamW wd 5e-4, warm-up 300 steps, cosine", "ema": 0.999,
              "train_sizes": TRAIN_SIZES, "continued_from": args.init and {"checkpoint": os.path.basename(args.init), "recipe": prior.get("recipe")},
              "backbone_from": args.init_backbone and {"checkpoint": os.path.basename(args.init_backbone), "recipe": prior.get("recipe")}, "augment": "stretch resize (bilinear, no antialias), h/v flip, brightness/contrast", "threads": torch.get_num_threads(), "head_channels": args.head, "backbone_scale": args.backbone_scale, "seed": args.seed, "max_minutes": args.minutes or None}
    warmup = 50 if args.init else 150 if args.init_backbone else 300
    recipe["warmup_steps"] = warmup
    ema = train(model, ds, epochs=args.epochs, batch_size=args.batch, sizes=TRAIN_SIZES, lr=args.lr, seed=args.seed, log=log, max_minutes=args.minutes or None, warmup=warmup)
    ckpt = os.path.join(args.work, f"{args.name}.pt")
    save_checkpoint(ckpt, ema, {"recipe": recipe, "classes": ds.classes})
    log(f"saved {ckpt}")
    evaluate_and_save(ema, val, log, args.name, args.work, EVAL_SIZES)


if __name__ == "__main__":
    main()
