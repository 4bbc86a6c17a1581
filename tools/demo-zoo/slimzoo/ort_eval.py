"""COCO AP of the shipped ONNX files as onnxruntime-node computes them (not the PyTorch twin).

usage: python3 -m slimzoo.ort_eval --data D --work W [--size 416] [--models quant_post,quant_aware,baseline]
Writes logs/ort-eval.json: per model, AP from onnxruntime outputs next to the manifest's PyTorch AP.
The same inputs (resized in Python) and the same post-processing are used, so any difference comes from
the ONNX graph / int8 kernels alone.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess

import numpy as np
import torch

from .coco_eval import coco_ap
from .common import LOG_DIR, REPO_DIR, ZOO_DIR, make_logger, setup_threads, write_json
from .data import CocoSplit, resize_image
from .detect import postprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--size", type=int, default=416)
    ap.add_argument("--models", default="baseline,quant_post,quant_aware")
    args = ap.parse_args()
    setup_threads()
    log = make_logger("ort-eval")
    val = CocoSplit(args.data, "val")
    with open(os.path.join(ZOO_DIR, "manifest.json")) as f:
        manifest = json.load(f)
    models = {m["id"]: m for m in manifest["models"]}
    s = args.size
    nc = len(val.classes)
    inputs = os.path.join(args.work, f"ort_inputs_{s}.bin")
    with open(inputs, "wb") as f:
        for i in range(len(val)):
            f.write(resize_image(val.pixels[i], s).numpy().astype(np.float32).tobytes())
    cat_ids = [c["id"] for c in sorted(val.coco["categories"], key=lambda c: c["id"])]
    result = {}
    path = os.path.join(LOG_DIR, "ort-eval.json")
    if os.path.exists(path):
        with open(path) as f:
            result = json.load(f)
    for mid in args.models.split(","):
        if mid not in models:
            log(f"skip {mid}: not in manifest")
            continue
        out = os.path.join(args.work, f"ort_out_{mid}_{s}.bin")
        subprocess.run(["npx", "tsx", "tools/demo-zoo/ort-dump.ts", "--model", os.path.join(ZOO_DIR, models[mid]["file"]), "--inputs", inputs,
                        "--count", str(len(val)), "--size", str(s), "--classes", str(nc), "--out", out], cwd=REPO_DIR, check=True)
        raw = np.fromfile(out, dtype=np.float32).reshape(len(val), -1, 4 + nc)
        dets = []
        for i, im in enumerate(val.images):
            b, sc, c = postprocess(torch.from_numpy(raw[i, :, :4].copy()), torch.from_numpy(raw[i, :, 4:].copy()), s, im["width"], im["height"])
            for bb, ss, cc in zip(b.tolist(), sc.tolist(), c.tolist()):
                dets.append({"image_id": im["id"], "category_id": cat_ids[cc], "score": ss, "bbox": [bb[0], bb[1], bb[2] - bb[0], bb[3] - bb[1]]})
        r = coco_ap(val.coco["annotations"], dets, [im["id"] for im in val.images], cat_ids)
        torch_ap = models[mid]["ap"][str(s)]["AP"]
        result[f"{mid}@{s}"] = {"ortAP": round(r["AP"], 4), "ortAP50": round(r["AP50"], 4), "pytorchAP": torch_ap, "differenceAP": round(r["AP"] - torch_ap, 4),
                                "file": models[mid]["file"], "sha256": models[mid]["sha256"]}
        log(f"{mid}@{s}: onnxruntime AP {r['AP']:.4f} vs PyTorch {torch_ap:.4f} ({(r['AP'] - torch_ap) * 100:+.2f} points)")
        os.remove(out)
    os.remove(inputs)
    write_json(path, result)


if __name__ == "__main__":
    main()
