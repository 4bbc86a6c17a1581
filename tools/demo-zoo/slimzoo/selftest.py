"""Checks of the pipeline's numeric pieces (run: cd tools/demo-zoo && /usr/bin/python3 -m slimzoo.selftest).

- coco_ap: perfect detections give 1.0; boxes shifted by 10% of their width have IoU 0.9/1.1 = 0.818
  with their ground truth, so they match at thresholds 0.50..0.80 (7 of 10): AP = 0.7; no detections: 0.
- prune: channels whose conv filters, BN scale and BN shift are all zero output exactly 0, so pruning them
  (they have the smallest L1 norm) leaves the network's outputs unchanged.
- quant: the fake-quant twin of a model stays close to the float model after calibration.
- distill: l2 of identical outputs is 0; for C = 1, one 1x1 cell, student logits 0 and teacher logits 0
  except tobj = ln 3 (sigmoid 0.75): reg = 0.75 * 2 ln 2 per anchor of that cell, cls = 0.75 ln 2,
  obj = ln 2 (mask tobj > 0 is 1 there); with identical outputs the split loss has zero gradient for
  x, y, w, h and the classes (each is minimised at the teacher's value).
"""
from __future__ import annotations

import torch

import math

from .coco_eval import coco_ap
from .distill import l2_distill, split_distill
from .model import BLOCK_CONVS, YoloV3, block_param
from .prune import PRUNABLE, prune
from .quant import QuantDetector, calibrate

ANCHORS = [[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90], [156, 198], [300, 300]]


def check_coco():
    gts = [{"id": i + 1, "image_id": 1 + i % 3, "category_id": 1 + i % 2, "bbox": [10.0 * i, 5.0, 20.0 + i, 30.0], "area": 500.0 + 40 * i, "iscrowd": 0} for i in range(8)]
    perfect = [{"image_id": g["image_id"], "category_id": g["category_id"], "bbox": g["bbox"], "score": 0.9} for g in gts]
    assert abs(coco_ap(gts, perfect, [1, 2, 3], [1, 2])["AP"] - 1.0) < 1e-12
    shifted = [{**d, "bbox": [d["bbox"][0] + 0.1 * d["bbox"][2], *d["bbox"][1:]]} for d in perfect]
    ap = coco_ap(gts, shifted, [1, 2, 3], [1, 2])["AP"]
    assert abs(ap - 0.7) < 1e-12, ap
    assert coco_ap(gts, [], [1, 2, 3], [1, 2])["AP"] == 0.0
    print("coco_ap: ok")


def check_prune():
    torch.manual_seed(0)
    m = YoloV3(3, ANCHORS, 0.25, (32, 16, 8)).eval()
    ratios = {}
    for level in range(3):
        for name, _, _ in BLOCK_CONVS:
            p = block_param(level, name)
            cb = m.blocks[level][name.replace(".", "_")]
            n = cb.conv.out_channels // 4
            with torch.no_grad():
                for k in range(n):  # zero every 4th channel entirely
                    cb.conv.weight[4 * k].zero_()
                    cb.bn.weight[4 * k] = 0
                    cb.bn.bias[4 * k] = 0
            ratios[p] = n / cb.conv.out_channels
    assert sorted(ratios) == sorted(PRUNABLE) and "yolo_block.1.1.0.conv.weights" in ratios
    pruned = prune(m, ratios)
    x = torch.rand(1, 3, 128, 96)
    with torch.no_grad():
        diff = max(float((a - b).abs().max()) for a, b in zip(m(x), pruned(x)))
    assert diff < 1e-4, diff
    assert sum(p.numel() for p in pruned.parameters()) < sum(p.numel() for p in m.parameters())
    print(f"prune: ok (max diff {diff:.2e})")


def check_quant():
    torch.manual_seed(0)
    m = YoloV3(3, ANCHORS, 0.25, (32, 16, 8)).eval()
    q = QuantDetector(m)
    x = torch.rand(2, 3, 96, 96)
    calibrate(q, [x])
    with torch.no_grad():
        diff = max(float((a - b).abs().max()) for a, b in zip(m(x), q(x)))
        scale = max(float(a.abs().max()) for a in m(x))
    assert diff < 0.1 * scale, (diff, scale)
    print(f"quant: ok (max diff {diff:.3f} of output range {scale:.3f})")


def check_distill():
    torch.manual_seed(0)
    outs = [torch.randn(2, 3 * 8, 4, 4), torch.randn(2, 3 * 8, 8, 8)]
    assert float(l2_distill(outs, [o.clone() for o in outs])) == 0.0
    s = [torch.zeros(1, 3 * 6, 1, 1)]
    t = torch.zeros(1, 3, 6, 1, 1)
    t[:, :, 4] = math.log(3.0)
    ln2 = math.log(2.0)
    # per anchor: reg = 0.75 * (ln2 + ln2 + 0 + 0), cls = 0.75 * ln2, obj = BCE(0, 1) = ln2; means over 3 anchors
    want = 0.75 * 2 * ln2 + 0.75 * ln2 + ln2
    got = float(split_distill(s, [t.view(1, 18, 1, 1)], 1, weight=1.0))
    assert abs(got - want) < 1e-6, (got, want)
    student = [o.clone().requires_grad_(True) for o in outs]
    split_distill(student, outs, 3).backward()
    for g in student:
        g = g.grad.view(g.shape[0], 3, 8, *g.shape[2:])
        assert float(g[:, :, [0, 1, 2, 3, 5, 6, 7]].abs().max()) < 1e-6
    print("distill: ok")


if __name__ == "__main__":
    check_distill()
    check_coco()
    check_prune()
    check_quant()
