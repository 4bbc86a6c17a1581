"""ONNX export (opset 13, dynamic batch / height / width) of a detector with decoding inside the graph.

  input  image  float32 [B, 3, H, W], RGB in [0, 1], H and W multiples of 32
  output boxes  float32 [B, N, 4]  x1, y1, x2, y2 in input pixels
         scores float32 [B, N, C]  sigmoid(objectness) * sigmoid(class logit)
  N = 3 * (H/32 * W/32 + H/16 * W/16 + H/8 * W/8)

A probe file (<name>.probe.json, not shipped) records the model's own outputs on fixed inputs so that
tools/demo-zoo/check-onnx.ts can confirm onnxruntime-node computes the same numbers.
"""
from __future__ import annotations

import hashlib
import io
import os

import onnx
import torch

from .model import BLOCK_CONVS, DecodedExport, block_param, transition_param

OPSET = 13


def export_onnx(module: torch.nn.Module, path: str, keep_batchnorm: bool = False) -> onnx.ModelProto:
    """module: image [B,3,H,W] -> (boxes, scores). Writes `path` and returns the loaded proto.

    keep_batchnorm: BatchNorm stays a BatchNormalization node after its Conv (inference form, the
    running statistics as inputs) instead of being folded into the conv weights, so the file holds the
    conv parameters as trained (what PaddleSlim's L1 criterion ranks). torch 1.13 folds Conv+BN in its
    eval-mode peephole pass; TrainingMode.PRESERVE on a module in eval mode skips that pass and still
    exports BatchNormalization in inference form. onnxruntime fuses the pair again when it loads the file."""
    module.eval()
    buf = io.BytesIO()
    mode = torch.onnx.TrainingMode.PRESERVE if keep_batchnorm else torch.onnx.TrainingMode.EVAL
    with torch.no_grad():
        torch.onnx.export(module, torch.rand(1, 3, 416, 416), buf, opset_version=OPSET, input_names=["image"],
                          output_names=["boxes", "scores"], do_constant_folding=True, training=mode,
                          dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"},
                                        "boxes": {0: "batch", 1: "candidates"}, "scores": {0: "batch", 1: "candidates"}})
    proto = onnx.load_from_string(buf.getvalue())
    if keep_batchnorm:
        _inline_initializer_identities(proto)
        _rename_initializers(proto, head_param_names())
    # The tracer leaves the last output dims symbolic; they are fixed (4 box coordinates, C classes).
    num_classes = module.model.num_classes if hasattr(module, "model") else None
    for out, last in zip(proto.graph.output, (4, num_classes)):
        dim = out.type.tensor_type.shape.dim[2]
        if last is not None:
            dim.ClearField("dim_param")
            dim.dim_value = last
    onnx.checker.check_model(proto)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(proto, path)
    return proto


def _inline_initializer_identities(proto: onnx.ModelProto) -> None:
    """The exporter shares equal parameter tensors through Identity nodes (one initializer, Identity per
    other user). Give every such output its own initializer, so each BatchNorm and Conv names its own
    parameters (channel pruning edits them one layer at a time)."""
    inits = {t.name: t for t in proto.graph.initializer}
    keep = []
    for node in proto.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            copy = onnx.TensorProto()
            copy.CopyFrom(inits[node.input[0]])
            copy.name = node.output[0]
            proto.graph.initializer.append(copy)
        else:
            keep.append(node)
    del proto.graph.node[:]
    proto.graph.node.extend(keep)


def head_param_names() -> dict[str, str]:
    """PyTorch state-dict name (as exported, "model." + key) -> PaddleDetection name, for the head's convs
    and their BatchNorms: yolo_block.L.P.K.conv.weights and yolo_block.L.P.K.bn.scale / offset / mean / var,
    yolo_transition.L.... The names the lineage, the sensitivity analysis and the pruning recipes use."""
    bn = {"weight": "scale", "bias": "offset", "running_mean": "mean", "running_var": "var"}
    names = {}
    modules = [(f"model.blocks.{level}.{conv.replace('.', '_')}", block_param(level, conv)) for level in range(3) for conv, _, _ in BLOCK_CONVS]
    modules += [(f"model.transitions.{level}", transition_param(level)) for level in range(2)]
    for torch_prefix, paddle_weights in modules:
        paddle_prefix = paddle_weights[: -len(".conv.weights")]
        names[f"{torch_prefix}.conv.weight"] = paddle_weights
        for k, v in bn.items():
            names[f"{torch_prefix}.bn.{k}"] = f"{paddle_prefix}.bn.{v}"
    return names


def _rename_initializers(proto: onnx.ModelProto, names: dict[str, str]) -> None:
    for t in proto.graph.initializer:
        t.name = names.get(t.name, t.name)
    for node in proto.graph.node:
        for i, name in enumerate(node.input):
            if name in names:
                node.input[i] = names[name]


def export_detector(model, path: str, keep_batchnorm: bool = False) -> onnx.ModelProto:
    return export_onnx(DecodedExport(model), path, keep_batchnorm)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@torch.no_grad()
def write_probe(forward, val, path: str, sizes=(320, 416, 608), images: int = 2):
    """Run `forward` on the first `images` val images at each size; save inputs and outputs as JSON-free
    raw float32 files: <path>.<size>.input.bin, .boxes.bin, .scores.bin, plus <path>.json describing them."""
    import json

    from .data import resize_image

    entries = []
    for size in sizes:
        x = torch.stack([resize_image(val.pixels[i], size) for i in range(images)])
        boxes, scores = forward(x)
        stem = f"{path}.{size}"
        x.numpy().astype("float32").tofile(stem + ".input.bin")
        boxes.numpy().astype("float32").tofile(stem + ".boxes.bin")
        scores.numpy().astype("float32").tofile(stem + ".scores.bin")
        entries.append({"size": size, "input": os.path.basename(stem + ".input.bin"), "dims": list(x.shape),
                        "boxes": os.path.basename(stem + ".boxes.bin"), "boxesDims": list(boxes.shape),
                        "scores": os.path.basename(stem + ".scores.bin"), "scoresDims": list(scores.shape)})
    with open(path + ".json", "w") as f:
        json.dump(entries, f, indent=2)
