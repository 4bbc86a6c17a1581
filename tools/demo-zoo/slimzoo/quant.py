"""int8 quantization of the detector as QDQ ONNX that onnxruntime runs with int8 kernels.

Scheme (onnxruntime's CPU default): activations uint8 per-tensor (scalar scale and zero point),
weights int8 symmetric per output channel (zero point 0), biases int32 with scale = s_x * s_w[c].
BatchNorm is folded into the convolutions first. Fake-quant points: the input image, every ReLU output
(every ConvBN output), and every concatenation; the three output convolutions get int8 weights and a
quantized input, and their outputs stay float (the box decoding runs in float).

  post  (PTQ): calibrate activation ranges (running max over calibration batches) with weights fixed.
  aware (QAT): fine-tune with fake quantization in the forward pass (straight-through gradients);
               activation ranges follow an EMA of the batch max, then freeze.
The PyTorch fake-quant model and the exported int8 graph compute the same function up to int32
accumulation rounding, so the fake-quant model is what the pipeline evaluates.
"""
from __future__ import annotations

import copy

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper

from .model import BLOCK_CONVS, ConvBN, YoloV3


class ActQuant(nn.Module):
    """uint8 fake quantization of a non-negative activation with range [0, max]: scale = max / 255, zp = 0.
    mode: 'observe' (update running max, pass through float), 'ema' (update, then fake-quantize), 'frozen'."""

    def __init__(self, momentum: float = 0.05):
        super().__init__()
        self.register_buffer("max_val", torch.tensor(0.0))
        self.mode = "observe"
        self.momentum = momentum

    def forward(self, x):
        if self.mode != "frozen":
            with torch.no_grad():
                m = x.detach().max()
                if self.mode == "observe" or float(self.max_val) == 0.0:
                    self.max_val.copy_(torch.maximum(self.max_val, m))
                else:
                    self.max_val.mul_(1 - self.momentum).add_(m * self.momentum)
            if self.mode == "observe":
                return x
        scale = float(max(float(self.max_val), 1e-8) / 255.0)
        return torch.fake_quantize_per_tensor_affine(x, scale, 0, 0, 255)


def weight_scale(w: torch.Tensor) -> torch.Tensor:
    """Per-output-channel symmetric int8 scale: scale[c] = max|w[c]| / 127, shape [Cout]."""
    return (w.detach().abs().flatten(1).amax(1) / 127.0).clamp(min=1e-12)


def fake_quant_weight(w: torch.Tensor, scale: torch.Tensor | None = None) -> torch.Tensor:
    """Per-output-channel symmetric int8 fake quantization (scale from the weight unless given)."""
    scale = weight_scale(w) if scale is None else scale
    return torch.fake_quantize_per_channel_affine(w, scale, torch.zeros(len(scale), dtype=torch.int32), 0, -128, 127)


class QConv(nn.Module):
    """Conv with folded BN (bias), fake-quantized weight, optional ReLU followed by an ActQuant."""

    def __init__(self, conv: nn.Conv2d, weight: torch.Tensor, bias: torch.Tensor, relu: bool):
        super().__init__()
        self.stride, self.padding, self.groups = conv.stride, conv.padding, conv.groups
        self.weight = nn.Parameter(weight.clone())
        self.bias = nn.Parameter(bias.clone())
        self.relu = relu
        self.act_quant = ActQuant() if relu else None
        self.frozen_scale: torch.Tensor | None = None  # set when frozen, so the export sees constants

    def forward(self, x):
        y = F.conv2d(x, fake_quant_weight(self.weight, self.frozen_scale), self.bias, self.stride, self.padding, 1, self.groups)
        if self.relu:
            y = self.act_quant(F.relu(y))
        return y


def fold_convbn(cb: ConvBN) -> QConv:
    bn = cb.bn
    std = torch.sqrt(bn.running_var + bn.eps)
    w = cb.conv.weight * (bn.weight / std).view(-1, 1, 1, 1)
    b = bn.bias - bn.running_mean * bn.weight / std
    return QConv(cb.conv, w.detach(), b.detach(), relu=cb.act)


class QuantDetector(nn.Module):
    """Fake-quantized copy of a YoloV3 (same decode, same outputs)."""

    def __init__(self, model: YoloV3):
        super().__init__()
        m = copy.deepcopy(model).eval()
        self.num_classes = m.num_classes
        self.strides = m.strides
        self.register_buffer("anchors", m.anchors.clone())
        self.input_quant = ActQuant()
        self.conv1 = fold_convbn(m.backbone.conv1)
        self.backbone = nn.ModuleList(nn.Sequential(fold_convbn(b[0]), fold_convbn(b[1])) for b in m.backbone.blocks)
        self.blocks = nn.ModuleList(nn.ModuleDict({k: fold_convbn(v) for k, v in blk.items()}) for blk in m.blocks)
        self.transitions = nn.ModuleList(fold_convbn(t) for t in m.transitions)
        self.concat_quant = nn.ModuleList(ActQuant() for _ in range(2))
        self.outputs = nn.ModuleList(QConv(o, o.weight.detach(), o.bias.detach(), relu=False) for o in m.outputs)
        self.source_config = model.config()

    def forward(self, x):
        x = self.conv1(self.input_quant(x))
        feats = []
        for i, b in enumerate(self.backbone):
            x = b(x)
            if i in (4, 10, 12):
                feats.append(x)
        c3, c4, c5 = feats
        levels = [c5, c4, c3]
        outs = []
        route = None
        for level in range(3):
            y = levels[level] if route is None else self.concat_quant[level - 1](torch.cat([route, levels[level]], 1))
            blk = self.blocks[level]
            for name, _, _ in BLOCK_CONVS:
                if name == "tip":
                    r = y
                y = blk[name.replace(".", "_")](y)
            outs.append(self.outputs[level](y))
            if level < 2:
                route = F.interpolate(self.transitions[level](r), scale_factor=2.0, mode="nearest")
        return outs

    decode = YoloV3.decode

    def set_mode(self, mode: str):
        """'observe' | 'ema' | 'frozen' for every activation quantizer; 'frozen' also fixes weight scales."""
        for m in self.modules():
            if isinstance(m, ActQuant):
                m.mode = mode
            if isinstance(m, QConv):
                m.frozen_scale = weight_scale(m.weight) if mode == "frozen" else None
        return self


@torch.no_grad()
def calibrate(qmodel: QuantDetector, batches) -> QuantDetector:
    qmodel.eval().set_mode("observe")
    for x in batches:
        qmodel(x)
    return qmodel.set_mode("frozen")


def finalize_qdq(path_in: str, path_out: str) -> dict:
    """Post-process torch's fake-quant export so onnxruntime picks int8 kernels:
    - QuantizeLinear(float weight initializer) -> int8 initializer feeding the DequantizeLinear directly;
    - Conv float bias -> int32 initializer (scale s_x * s_w, axis 0) behind a DequantizeLinear;
    - every scale / zero point of a per-tensor Q/DQ is a scalar.
    Returns counts of what was changed."""
    model = onnx.load(path_in)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    consts = {}
    for n in g.node:
        if n.op_type == "Constant":
            consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)

    identity = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Identity"}

    def value(name):
        while name in identity:  # torch shares equal constants through Identity nodes
            name = identity[name]
        if name in inits:
            return numpy_helper.to_array(inits[name])
        return consts.get(name)

    def add_init(arr, name):
        t = numpy_helper.from_array(arr, name)
        g.initializer.append(t)
        inits[name] = t
        return name

    producers = {o: n for n in g.node for o in n.output}
    stats = {"weights_folded": 0, "biases_quantized": 0, "scalars_fixed": 0}
    remove = []
    # 1. fold weight quantization
    for n in list(g.node):
        if n.op_type != "QuantizeLinear":
            continue
        w = value(n.input[0])
        if w is None or w.ndim < 2:
            continue
        scale = value(n.input[1])
        zp = value(n.input[2])
        axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
        shape = [1] * w.ndim
        shape[axis] = -1
        q = np.clip(np.round(w / scale.reshape(shape)) + zp.reshape(shape).astype(np.float32), -128, 127).astype(np.int8)
        qname = add_init(q, n.output[0] + "_int8")
        for m in g.node:
            for i, inp in enumerate(m.input):
                if inp == n.output[0]:
                    m.input[i] = qname
        remove.append(n)
        stats["weights_folded"] += 1
    for n in remove:
        g.node.remove(n)
    producers = {o: n for n in g.node for o in n.output}
    # 2. scalar per-tensor scales / zero points
    for n in g.node:
        if n.op_type in ("QuantizeLinear", "DequantizeLinear"):
            for idx in (1, 2):
                if idx >= len(n.input):
                    continue
                v = value(n.input[idx])
                if v is not None and v.ndim > 0 and v.size == 1 and n.input[0] not in inits:
                    n.input[idx] = add_init(v.reshape(()), n.input[idx] + "_scalar")
                    stats["scalars_fixed"] += 1
    # 3. int32 bias
    for n in g.node:
        if n.op_type != "Conv" or len(n.input) < 3:
            continue
        px, pw = producers.get(n.input[0]), producers.get(n.input[1])
        if not (px is not None and px.op_type == "DequantizeLinear" and pw is not None and pw.op_type == "DequantizeLinear"):
            continue
        b = value(n.input[2])
        if b is None:
            continue
        sx = float(value(px.input[1]))
        sw = value(pw.input[1]).astype(np.float64).reshape(-1)
        bs = (sx * sw).astype(np.float32)
        qb = np.round(b.astype(np.float64) / bs).astype(np.int32)
        base = n.input[2]
        qn = add_init(qb, base + "_int32")
        sn = add_init(bs, base + "_int32_scale")
        zn = add_init(np.zeros(len(bs), dtype=np.int32), base + "_int32_zp")
        out = base + "_dq"
        g.node.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [out], name=base + "_DequantizeLinear", axis=0))
        n.input[2] = out
        stats["biases_quantized"] += 1
    # drop unused initializers, topologically sort (the appended bias DQ nodes must come first)
    used = {i for n in g.node for i in n.input}
    for init in list(g.initializer):
        if init.name not in used:
            g.initializer.remove(init)
    nodes = list(g.node)
    ready = {i.name for i in g.input} | {i.name for i in g.initializer} | {""}
    ordered = []
    pending = nodes
    while pending:
        rest = []
        for n in pending:
            if all(i in ready for i in n.input):
                ordered.append(n)
                ready.update(n.output)
            else:
                rest.append(n)
        if len(rest) == len(pending):
            raise RuntimeError("cycle or missing input while sorting QDQ graph")
        pending = rest
    del g.node[:]
    g.node.extend(ordered)
    onnx.checker.check_model(model)
    onnx.save(model, path_out)
    return stats
