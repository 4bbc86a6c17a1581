"""Post-processing shared by evaluation and documented in the manifest (so Slimboard can mirror it).

boxes [N, 4] x1y1x2y2 in network-input pixels, scores [N, C] -> detections in original image pixels:
  1. keep (box, class) pairs with score > SCORE_THRESHOLD (every class of a box may survive)
  2. per-class NMS with IoU > NMS_IOU suppressing
  3. keep the MAX_DETECTIONS highest scores per image
  4. scale x by W / S and y by H / S (stretch resize), clip to the image
"""
from __future__ import annotations

import os

import torch
from torchvision.ops import batched_nms

from .coco_eval import coco_ap
from .common import write_json
from .data import CocoSplit, resize_image

SCORE_THRESHOLD = 0.01
NMS_IOU = 0.5
MAX_DETECTIONS = 100


def postprocess(boxes: torch.Tensor, scores: torch.Tensor, size: int, width: int, height: int):
    """One image: boxes [N, 4], scores [N, C] -> (boxes [K, 4] x1y1x2y2 image pixels, scores [K], labels [K])."""
    idx, cls = (scores > SCORE_THRESHOLD).nonzero(as_tuple=True)
    b = boxes[idx]
    s = scores[idx, cls]
    keep = batched_nms(b, s, cls, NMS_IOU)[:MAX_DETECTIONS]
    b, s, cls = b[keep], s[keep], cls[keep]
    b = b * torch.tensor([width / size, height / size, width / size, height / size])
    b[:, [0, 2]] = b[:, [0, 2]].clamp(0, width)
    b[:, [1, 3]] = b[:, [1, 3]].clamp(0, height)
    return b, s, cls


@torch.no_grad()
def evaluate(forward, ds: CocoSplit, size: int, batch_size: int = 8, limit: int | None = None, areas=("all", "small", "medium", "large"),
             input_cache: dict | None = None) -> dict:
    """forward: images [B,3,S,S] -> (boxes [B,N,4], scores [B,N,C]). Returns coco_ap's dict.
    `input_cache` (optional dict) keeps resized inputs between calls on the same images and size."""
    cat_ids = [c["id"] for c in sorted(ds.coco["categories"], key=lambda c: c["id"])]
    dets = []
    n = min(len(ds), limit or len(ds))
    for start in range(0, n, batch_size):
        idx = list(range(start, min(n, start + batch_size)))
        if input_cache is None:
            x = torch.stack([resize_image(ds.pixels[i], size) for i in idx])
        else:
            key = (size, start, len(idx))
            if key not in input_cache:
                input_cache[key] = torch.stack([resize_image(ds.pixels[i], size) for i in idx])
            x = input_cache[key]
        boxes, scores = forward(x)
        for j, i in enumerate(idx):
            im = ds.images[i]
            b, s, c = postprocess(boxes[j], scores[j], size, im["width"], im["height"])
            for bb, ss, cc in zip(b.tolist(), s.tolist(), c.tolist()):
                dets.append({"image_id": im["id"], "category_id": cat_ids[cc], "score": ss,
                             "bbox": [bb[0], bb[1], bb[2] - bb[0], bb[3] - bb[1]]})
    image_ids = [im["id"] for im in ds.images[:n]]
    keep = set(image_ids)
    gts = [a for a in ds.coco["annotations"] if a["image_id"] in keep]
    return coco_ap(gts, dets, image_ids, cat_ids, areas)


def evaluate_and_save(model, val: CocoSplit, log, name: str, work: str, sizes=(320, 416, 608)) -> dict:
    """COCO AP of `model` (decoded outputs) at every eval size, logged and written to <work>/<name>.eval.json."""
    results = {}
    for size in sizes:
        r = evaluate(lambda x: model.decode(model(x)), val, size)
        results[str(size)] = r
        log(f"eval {name} @{size}: " + " ".join(f"{k} {v:.4f}" for k, v in r.items()))
    write_json(os.path.join(work, f"{name}.eval.json"), results)
    return results

