"""Stage 5: export every trained checkpoint to ONNX under lib/demo-zoo/models/ and write manifest.json.

usage: python3 -m slimzoo.stage_export --data D --work W
Models whose checkpoint is missing are left out of the manifest (the log says which).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import torch

from .common import EVAL_SIZES, ZOO_DIR, load_checkpoint, make_logger, setup_threads, write_json
from .data import CocoSplit
from .detect import MAX_DETECTIONS, NMS_IOU, SCORE_THRESHOLD
from .export import export_detector, export_onnx, head_param_names, sha256_file, write_probe
from .model import DecodedExport, build_model, count_gflops, normalize_param
from .prune import PRUNABLE
from .quant import QuantDetector, finalize_qdq

# id, checkpoint, ONNX file, method, strategy, parent, teacher id, kind
MODELS = [
    ("baseline", "baseline.pt", "yolov3_mobilenet_v1_x025_shapes.onnx", "baseline", None, None, None, "fp32"),
    ("prune_sensity", "prune_sensity.pt", "yolov3_mobilenet_v1_x025_shapes_prune_sensity.onnx", "prune", "sensity", "baseline", None, "fp32"),
    ("prune_r578", "prune_r578.pt", "yolov3_mobilenet_v1_x025_shapes_prune_r578.onnx", "prune", "r578", "baseline", None, "fp32"),
    ("quant_post", "quant_post.pt", "yolov3_mobilenet_v1_x025_shapes_quant_post.onnx", "quant", "post", "baseline", None, "int8"),
    ("quant_aware", "quant_aware.pt", "yolov3_mobilenet_v1_x025_shapes_quant_aware.onnx", "quant", "aware", "baseline", None, "int8"),
    ("teacher", "teacher.pt", "yolov3_mobilenet_v1_x025_head2x_shapes_teacher.onnx", "baseline", None, None, None, "fp32"),
    ("distill_l2", "distill_l2.pt", "yolov3_mobilenet_v1_x025_shapes_l2_distiil.onnx", "distill", "l2_distiil", "baseline", "teacher", "fp32"),
    ("distill_split", "distill_split.pt", "yolov3_mobilenet_v1_x025_shapes_split_distiil.onnx", "distill", "split_distiil", "baseline", "teacher", "fp32"),
    ("prune_r578_distill", "prune_r578_distill.pt", "yolov3_mobilenet_v1_x025_shapes_prune_r578_distillby_teacher.onnx", "prune+distill", "r578", "baseline", "teacher", "fp32"),
]


def adapter(cfg: dict, classes: list[str]) -> dict:
    return {
        "kind": "decoded-boxes-scores",
        "input": {"name": "image", "dtype": "float32", "layout": "NCHW", "channels": "RGB", "batch": "dynamic",
                  "normalisation": "pixel / 255 (range [0, 1]); no mean or std", "heightWidthMultipleOf": 32},
        "resize": {"mode": "stretch", "note": "resize the whole image to S x S without keeping the aspect ratio (no letterbox, no padding), as PaddleDetection's YOLOv3 eval",
                   "interpolation": "bilinear, half-pixel centres (align_corners=false), antialiased when shrinking (PIL Image.BILINEAR / torch antialias=True)",
                   "evalSizes": list(EVAL_SIZES)},
        "outputs": {
            "boxes": {"dims": ["batch", "candidates", 4], "format": "x1,y1,x2,y2", "units": "pixels of the S x S network input; multiply x by W/S and y by H/S for the original image"},
            "scores": {"dims": ["batch", "candidates", len(classes)], "meaning": "sigmoid(objectness) * sigmoid(class logit), per class", "classOrder": classes},
            "candidates": "3 * (S/32)^2 + 3 * (S/16)^2 + 3 * (S/8)^2 for a square input; order: level (stride 32, 16, 8), anchor, row, column",
        },
        "postprocess": {"scoreThreshold": SCORE_THRESHOLD, "scoreThresholdComparison": ">", "nms": "per class", "nmsIou": NMS_IOU,
                        "maxDetectionsPerImage": MAX_DETECTIONS, "clipToImage": True, "multiLabel": "every (candidate, class) pair above the threshold is a detection"},
        "decodedInGraph": {"anchors": cfg["anchors"], "anchorMasks": [[6, 7, 8], [3, 4, 5], [0, 1, 2]], "strides": [32, 16, 8], "scaleXY": 1.1,
                           "formula": "cx = (sigmoid(tx) * 1.1 - 0.05 + col) * stride; w = anchor_w * exp(min(tw, 4))"},
        "classNames": classes,
        "cocoCategoryIds": list(range(1, len(classes) + 1)),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--no-probes", action="store_true")
    args = ap.parse_args()
    setup_threads()
    log = make_logger("export")
    val = CocoSplit(args.data, "val", limit=2)
    probes = os.path.join(args.work, "probes")
    os.makedirs(probes, exist_ok=True)
    os.makedirs(ZOO_DIR, exist_ok=True)
    entries = []
    base_cfg = None
    classes = None
    for mid, ckpt, fname, method, strategy, parent, teacher, precision in MODELS:
        path = os.path.join(args.work, ckpt)
        if not os.path.exists(path):
            log(f"skip {mid}: {ckpt} not found")
            continue
        evals_path = os.path.join(args.work, ckpt.replace(".pt", ".eval.json"))
        if not os.path.exists(evals_path):
            log(f"skip {mid}: {os.path.basename(evals_path)} not found (stage still running?)")
            continue
        with open(evals_path) as f:
            evals = json.load(f)
        out = os.path.join(ZOO_DIR, fname)
        if precision == "int8":
            ck = torch.load(path, map_location="cpu")
            src = build_model(ck["source_config"])
            q = QuantDetector(src)
            q.load_state_dict(ck["state_dict"])
            q.eval().set_mode("frozen")
            raw = os.path.join(args.work, fname + ".raw")
            export_onnx(DecodedExport(q), raw)
            stats = finalize_qdq(raw, out)
            log(f"{mid}: QDQ post-processing {stats}")
            model_for_flops, forward, extra, cfg = src, (lambda m: lambda x: m.decode(m(x)))(q), ck.get("extra", {}), ck["source_config"]
        else:
            model, extra = load_checkpoint(path)
            export_detector(model, out, keep_batchnorm=True)
            model_for_flops, forward, cfg = model, (lambda m: lambda x: m.decode(m(x)))(model), model.config()
        if mid == "baseline":
            base_cfg, classes = cfg, extra.get("classes")
        if not args.no_probes:
            write_probe(forward, val, os.path.join(probes, f"{mid}.probe"))
        lineage = {"baseline": "baseline" if mid != "teacher" else None, "parent": parent, "method": method, "strategy": strategy, "teacher": teacher}
        if "ratios" in extra:
            lineage.update({"prunedParams": [normalize_param(p) for p in extra["params"]], "ratios": extra["ratios"]})
            for k in ("lossThreshold", "targetReduction", "ratioRule", "apBeforeFinetune416", "apBeforeFinetuneImages"):
                if k in extra:
                    lineage[k] = extra[k]
            if "apBeforeFinetune416" in extra and "apBeforeFinetuneImages" not in extra:
                lineage["apBeforeFinetuneImages"] = 300  # the first r578 run measured it on the whole val split
        entry = {
            "id": mid,
            "file": fname,
            "sha256": sha256_file(out),
            "bytes": os.path.getsize(out),
            "precision": precision,
            "backbone": f"MobileNetV1 x{cfg['backbone_scale']:g}",
            "headChannels": list(cfg["head_channels"]),
            "params": sum(p.numel() for p in model_for_flops.parameters()),
            "gflops": {str(s): round(count_gflops(model_for_flops, s), 4) for s in EVAL_SIZES},
            "lineage": lineage,
            # fp32 files keep BatchNorm as separate nodes and name the head's parameters as PaddleDetection
            # does (export.head_param_names); int8 files fold BatchNorm into the quantized convs.
            **({"paramNames": {n: n for n in head_param_names().values() if n.endswith(".conv.weights")}} if precision == "fp32" else {}),
            "recipe": extra.get("recipe", {}),
            "seed": extra.get("recipe", {}).get("seed"),
            "ap": {s: {k: round(v, 4) for k, v in r.items()} for s, r in evals.items()},
        }
        entries.append(entry)
        log(f"exported {mid} -> lib/demo-zoo/models/{fname} ({entry['bytes']} bytes) AP@416 {entry['ap'].get('416', {}).get('AP')}")
    manifest = {
        "schemaVersion": 1,
        "title": "Demo zoo: YOLOv3-MobileNetV1 on synthetic shapes",
        "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(), "torch": torch.__version__},
        "dataset": {"name": "Demo (synthetic shapes)", "generator": "lib/datasets/synthetic (npm run -s slimboard -- dataset synth)", "version": "shapes-v1",
                    "seed": 20261129, "train": {"split": "train", "images": 4000}, "val": {"split": "val", "images": 300}, "classes": classes},
        "evaluation": {"metric": "COCO box AP(0.5:0.95), 101-point interpolation, 100 detections per image and category, areas from the annotations' mask area",
                       "implementation": "tools/demo-zoo/slimzoo/coco_eval.py (numpy)", "valImages": 300, "sizes": list(EVAL_SIZES),
                       "int8Note": "int8 models are evaluated as their PyTorch fake-quant twin, which computes what the QDQ graph computes up to int32 rounding"},
        "gflopsConvention": "1e9 multiply-adds of convolutions (bias and other ops excluded), square S x S input",
        "adapter": adapter(base_cfg, classes) if base_cfg else None,
        "models": entries,
    }
    write_json(os.path.join(ZOO_DIR, "manifest.json"), manifest)
    total = sum(e["bytes"] for e in entries)
    log(f"wrote lib/demo-zoo/models/manifest.json: {len(entries)} models, {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
