"""Rebuild a trainable PyTorch model from a shipped ONNX file whose BatchNorm was folded into the convs.

The export (export.py, eval mode, constant folding) replaced every Conv -> BatchNorm pair by one Conv
with weight W' = W * g / sqrt(var + eps) and bias b' = beta - mean * g / sqrt(var + eps). W, g, var are
gone, so the training checkpoint cannot be recovered from the file. What can be built is a model that
computes exactly what the file computes and can be trained again with BatchNorm:

  1. load_folded: conv weight = W', BatchNorm = identity plus b' (mean 0, var 1 - eps, gamma 1,
     beta b'); then (x - 0) / sqrt(1 - eps + eps) * 1 + b' = x + b' in eval mode.
  2. calibrate_batchnorm: measure each conv's output mean m and variance v (per channel, over training
     batches) and set mean m, var v, gamma sqrt(v + eps), beta b' + m: (x - m) / sqrt(v + eps) *
     sqrt(v + eps) + b' + m = x + b' again in eval mode, and in train mode the batch statistics are
     close to (m, v), so training starts from the file's function instead of from a rescaled one.

Mapping: ONNX Conv nodes in graph order <-> the model's nn.Conv2d modules in forward order (the exporter
emits nodes in execution order); every pair is checked for the same weight shape.
"""
from __future__ import annotations

import json

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

from .model import ConvBN, YoloV3, build_model


def config_from_manifest(manifest: dict, model_id: str) -> dict:
    entry = next(m for m in manifest["models"] if m["id"] == model_id)
    classes = manifest["dataset"]["classes"]
    return {"num_classes": len(classes), "anchors": manifest["adapter"]["decodedInGraph"]["anchors"],
            "backbone_scale": float(entry["backbone"].split("x")[-1]), "head_channels": entry["headChannels"], "channels": {}}


def _convs_in_forward_order(model: YoloV3, size: int = 64) -> list[nn.Conv2d]:
    order: list[nn.Conv2d] = []
    hooks = [m.register_forward_hook(lambda m, i, o: order.append(m)) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, size, size))
    for h in hooks:
        h.remove()
    return order


def load_folded(onnx_path: str, config: dict) -> YoloV3:
    """Model computing what `onnx_path` computes, BatchNorm as identity plus the folded bias (see above)."""
    proto = onnx.load(onnx_path)
    inits = {t.name: numpy_helper.to_array(t) for t in proto.graph.initializer}
    nodes = [n for n in proto.graph.node if n.op_type == "Conv"]
    model = build_model(config)
    convs = _convs_in_forward_order(model)
    if len(nodes) != len(convs):
        raise SystemExit(f"{onnx_path}: {len(nodes)} Conv nodes, the model has {len(convs)} convolutions")
    owner = {m.conv: m for m in model.modules() if isinstance(m, ConvBN)}
    with torch.no_grad():
        for node, conv in zip(nodes, convs):
            w = inits[node.input[1]]
            b = inits[node.input[2]] if len(node.input) > 2 and node.input[2] else np.zeros(w.shape[0], np.float32)
            if tuple(w.shape) != tuple(conv.weight.shape):
                raise SystemExit(f"{onnx_path}: Conv {node.name} weight {w.shape}, module expects {tuple(conv.weight.shape)}")
            conv.weight.copy_(torch.from_numpy(w.copy()))
            if conv in owner:
                bn = owner[conv].bn
                bn.running_mean.zero_()
                bn.running_var.fill_(1 - bn.eps)
                bn.weight.fill_(1)
                bn.bias.copy_(torch.from_numpy(b.copy()))
            else:
                conv.bias.copy_(torch.from_numpy(b.copy()))
    return model.eval()


@torch.no_grad()
def calibrate_batchnorm(model: YoloV3, batches) -> dict:
    """Set every BatchNorm from its conv's output statistics, keeping the eval-mode function (see above).
    `batches` yields image tensors [B, 3, S, S]. Returns the largest |output change| seen on the last batch."""
    pairs = [m for m in model.modules() if isinstance(m, ConvBN)]
    sums = {id(m): None for m in pairs}
    hooks = []

    def record(m):
        def hook(_conv, _inp, out):
            x = out.double()
            s = (x.sum((0, 2, 3)), (x * x).sum((0, 2, 3)), x.numel() // x.shape[1])
            prev = sums[id(m)]
            sums[id(m)] = s if prev is None else (prev[0] + s[0], prev[1] + s[1], prev[2] + s[2])
        return hook

    for m in pairs:
        hooks.append(m.conv.register_forward_hook(record(m)))
    model.eval()
    last = None
    for images in batches:
        model(images)
        last = images
    for h in hooks:
        h.remove()
    before = model(last)
    for m in pairs:
        s1, s2, n = sums[id(m)]
        mean = s1 / n
        var = (s2 / n - mean * mean).clamp(min=0)
        bn = m.bn
        folded_bias = bn.bias.double().clone()
        bn.running_mean.copy_(mean.float())
        bn.running_var.copy_(var.float())
        bn.weight.copy_(torch.sqrt(var + bn.eps).float())
        bn.bias.copy_((folded_bias + mean).float())
    after = model(last)
    return {"maxAbsChange": max(float((a - b).abs().max()) for a, b in zip(after, before))}


def main():
    """python3 -m slimzoo.from_onnx FILE.onnx MANIFEST.json MODEL_ID: prints the Conv mapping check."""
    import sys

    path, manifest_path, model_id = sys.argv[1:4]
    with open(manifest_path) as f:
        manifest = json.load(f)
    model = load_folded(path, config_from_manifest(manifest, model_id))
    print(f"loaded {path}: {sum(p.numel() for p in model.parameters())} parameters")


if __name__ == "__main__":
    main()
