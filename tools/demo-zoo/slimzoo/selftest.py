"""Checks of the pipeline's numeric pieces (run: cd tools/demo-zoo && /usr/bin/python3 -m slimzoo.selftest [--data DIR]).

- coco_ap: perfect detections give 1.0; boxes shifted by 10% of their width have IoU 0.9/1.1 = 0.818
  with their ground truth, so they match at thresholds 0.50..0.80 (7 of 10): AP = 0.7; no detections: 0.
- prune: channels whose conv filters, BN scale and BN shift are all zero output exactly 0, so pruning them
  (they have the smallest L1 norm) leaves the network's outputs unchanged.
- quant: the fake-quant twin of a model stays close to the float model after calibration.
- from_onnx: a random model exported with BatchNorm folded, loaded back (load_folded) and given calibrated
  BatchNorm layers (calibrate_batchnorm) computes what the file computes (eval mode, to float rounding); its
  export with keep_batchnorm has one BatchNormalization per ConvBN, the head's names and no Identity nodes.
- resume (with --data DIR, a synth dataset): 2 epochs of 64 train images in one run, and the same stopped
  after epoch 1 (the epoch-end checkpoint) and resumed in a new call, end with identical weights.
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


def check_from_onnx():
    import os
    import tempfile

    import onnx

    from .export import export_detector
    from .from_onnx import calibrate_batchnorm, load_folded
    from .model import ConvBN

    torch.manual_seed(0)
    m = YoloV3(3, ANCHORS, 0.25, (32, 16, 8))
    with torch.no_grad():  # non-trivial BatchNorm statistics, so that folding changes the conv weights
        for mod in m.modules():
            if isinstance(mod, ConvBN):
                mod.bn.running_mean.uniform_(-0.5, 0.5)
                mod.bn.running_var.uniform_(0.5, 2.0)
                mod.bn.weight.uniform_(0.5, 1.5)
                mod.bn.bias.uniform_(-0.2, 0.2)
    m.eval()
    x = torch.rand(2, 3, 96, 64)
    with tempfile.TemporaryDirectory() as d:
        folded = os.path.join(d, "folded.onnx")
        proto = export_detector(m, folded)
        assert not any(n.op_type == "BatchNormalization" for n in proto.graph.node)
        loaded = load_folded(folded, m.config())
        with torch.no_grad():
            want = m(x)
            diff = max(float((a - b).abs().max()) for a, b in zip(want, loaded(x)))
            assert diff < 1e-4, diff
            calibrate_batchnorm(loaded, [torch.rand(4, 3, 64, 64) for _ in range(3)])
            diff2 = max(float((a - b).abs().max()) for a, b in zip(want, loaded.eval()(x)))
            assert diff2 < 1e-4, diff2
        unfolded = export_detector(loaded, os.path.join(d, "bn.onnx"), keep_batchnorm=True)
        ops = [n.op_type for n in unfolded.graph.node]
        assert ops.count("BatchNormalization") == sum(isinstance(mod, ConvBN) for mod in loaded.modules())
        assert "Identity" not in ops
        names = {t.name for t in unfolded.graph.initializer}
        assert {block_param(0, "0.0.0"), "yolo_block.0.0.0.bn.scale", "yolo_transition.1.conv.weights"} <= names
        onnx.checker.check_model(unfolded)
    print(f"from_onnx: ok (max diff {diff:.1e} loaded, {diff2:.1e} calibrated)")


def check_resume(data: str):
    import os
    import tempfile

    from .common import TRAIN_SIZES
    from .data import CocoSplit
    from .train import train

    ds = CocoSplit(data, "train", limit=64)
    quiet = lambda msg: None

    def fresh():
        torch.manual_seed(0)
        return YoloV3(len(ds.classes), ANCHORS, 0.25, (16, 8, 8))

    kw = dict(batch_size=16, sizes=TRAIN_SIZES[:2], lr=1e-3, seed=3, log=quiet, warmup=2)
    whole = train(fresh(), ds, epochs=2, resume_path=None, **kw)
    with tempfile.TemporaryDirectory() as d:
        ck = os.path.join(d, "r.resume.pt")

        class Stop(Exception):
            pass

        def stop_after_checkpoint(msg):
            if msg.startswith("checkpoint"):
                raise Stop()

        try:
            train(fresh(), ds, epochs=2, resume_path=ck, **{**kw, "log": stop_after_checkpoint})
            raise AssertionError("no epoch-end checkpoint was written")
        except Stop:
            pass
        resumed = train(fresh(), ds, epochs=2, resume_path=ck, **kw)
    a, b = whole.state_dict(), resumed.state_dict()
    diff = max(float((a[k].float() - b[k].float()).abs().max()) for k in a)
    assert diff == 0.0, diff
    print("resume: ok (identical weights)")


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
    import sys

    if "--data" in sys.argv:
        check_resume(sys.argv[sys.argv.index("--data") + 1])
    check_from_onnx()
    check_distill()
    check_coco()
    check_prune()
    check_quant()
