"""Stage 1b: rebuild a shipped model with BatchNorm from its ONNX file and train it further.

usage: python3 -m slimzoo.stage_refit --model baseline|teacher --data D --work W [--epochs 3] [--lr 5e-4] [--seed 41]
       [--source FILE.onnx --manifest MANIFEST.json] [--name NAME]

Why: the shipped ONNX files have BatchNorm folded into the convs and the training checkpoints are lost,
so the pre-BatchNorm conv weights that the sensitivity analysis ranks (PaddleSlim's L1 criterion on the
conv parameter) exist nowhere. This stage loads the file (from_onnx.load_folded: exactly the file's
function), gives every conv a BatchNorm calibrated on training batches (from_onnx.calibrate_batchnorm:
the function is kept), then trains `epochs` epochs with the usual recipe (train.py). The result is a
checkpoint with real BatchNorm layers (<name>.pt, default the model id), exported later with BatchNorm
as separate ONNX nodes. Steps, not minutes, bound the training, and an epoch-end checkpoint
(<name>.resume.pt) lets a stopped run continue with the same result.
"""
from __future__ import annotations

import argparse
import json
import os

from .common import EVAL_SIZES, TRAIN_SIZES, ZOO_DIR, make_logger, save_checkpoint, setup_threads
from .data import CocoSplit, train_batches
from .detect import evaluate, evaluate_and_save
from .export import sha256_file
from .from_onnx import calibrate_batchnorm, config_from_manifest, load_folded
from .train import seed_everything, train

CALIBRATION_BATCHES = 24


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="manifest id of the shipped model (baseline, teacher)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--source", default=None, help="ONNX file (default: the manifest's file next to the manifest)")
    ap.add_argument("--manifest", default=None, help="the manifest that describes --source (default lib/demo-zoo/models/manifest.json)")
    ap.add_argument("--name", default=None)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--seed", type=int, default=41)
    args = ap.parse_args()
    name = args.name or args.model
    setup_threads()
    log = make_logger(name)
    log(f"stage refit {name}: {vars(args)}")
    manifest_path = args.manifest or os.path.join(ZOO_DIR, "manifest.json")
    with open(manifest_path) as f:
        manifest = json.load(f)
    entry = next(m for m in manifest["models"] if m["id"] == args.model)
    source = args.source or os.path.join(os.path.dirname(manifest_path), entry["file"])
    if sha256_file(source) != entry["sha256"]:
        raise SystemExit(f"{source}: sha256 {sha256_file(source)}, but {manifest_path} describes {entry['sha256']} for {args.model}")
    config = config_from_manifest(manifest, args.model)
    model = load_folded(source, config)
    val = CocoSplit(args.data, "val")
    ds = CocoSplit(args.data, "train")
    fwd = lambda m: (lambda x: m.decode(m(x)))
    loaded_ap = evaluate(fwd(model), val, 416, areas=("all",))["AP"]
    log(f"loaded {source} (sha256 {sha256_file(source)}): AP@416 {loaded_ap:.4f} (manifest {entry['ap']['416']['AP']})")
    rng = seed_everything(args.seed)

    def calibration():
        for k, (images, _) in enumerate(train_batches(ds, 16, TRAIN_SIZES, rng)):
            if k >= CALIBRATION_BATCHES:
                return
            yield images

    change = calibrate_batchnorm(model, calibration())
    calibrated_ap = evaluate(fwd(model), val, 416, areas=("all",))["AP"]
    log(f"BatchNorm calibrated on {CALIBRATION_BATCHES} x 16 train images: max |output change| {change['maxAbsChange']:.2e}, AP@416 {calibrated_ap:.4f}")
    ema = train(model.train(), ds, epochs=args.epochs, batch_size=16, sizes=TRAIN_SIZES, lr=args.lr, seed=args.seed, log=log,
                warmup=args.warmup, resume_path=os.path.join(args.work, f"{name}.resume.pt"))
    recipe = {"refit": {"source": entry["file"], "sourceSha256": entry["sha256"], "sourceAp416": loaded_ap,
                        "batchnorm": f"re-inserted, calibrated on {CALIBRATION_BATCHES} x 16 train images (function kept)"},
              "previous_recipe": entry.get("recipe"), "epochs": args.epochs, "batch": 16, "lr": args.lr, "warmup_steps": args.warmup,
              "optimizer": "AdamW wd 5e-4, warm-up, cosine (steps)", "ema": 0.999, "train_sizes": TRAIN_SIZES, "seed": args.seed,
              "head_channels": ",".join(str(c) for c in config["head_channels"]), "backbone_scale": config["backbone_scale"]}
    ckpt = os.path.join(args.work, f"{name}.pt")
    save_checkpoint(ckpt, ema, {"recipe": recipe, "classes": manifest["dataset"]["classes"]})
    log(f"saved {ckpt}")
    evaluate_and_save(ema, val, log, name, args.work, EVAL_SIZES)


if __name__ == "__main__":
    main()
