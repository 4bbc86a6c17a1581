"""YOLOv3-style detector with a reduced-width MobileNetV1 backbone (PaddleDetection layout, PyTorch).

Tensor conventions: images are float32 NCHW RGB in [0, 1]; H and W must be multiples of 32.
Head levels are ordered like PaddleDetection: level 0 = stride 32 (large objects), 1 = stride 16,
2 = stride 8. Each level predicts 3 anchors x (4 box + 1 objectness + C classes) per cell.

Pruning: every head convolution has a PaddleDetection parameter name (e.g.
``yolo_block.0.0.0.conv.weights``); ``channels`` maps such names to a number of output channels, so a
pruned model is the same class built with smaller numbers (see prune.py).
"""
from __future__ import annotations

import math
import re

import torch
import torch.nn as nn
import torch.nn.functional as F

# The six convolutions of a yolo_block, in data-flow order: internal key (module name with "." for "_"),
# kernel size, and whether their default width is c (route width) or 2c.
BLOCK_CONVS = [("0.0.0", 1, 1), ("0.0.1", 3, 2), ("0.1.0", 1, 1), ("0.1.1", 3, 2), ("2", 1, 1), ("tip", 3, 2)]
# PaddleDetection's names for them: yolo_block.{level}.{pair}.{conv} / .2 / .tip
PADDLE_NAME = {"0.0.0": "0.0", "0.0.1": "0.1", "0.1.0": "1.0", "0.1.1": "1.1", "2": "2", "tip": "tip"}
_LEGACY = re.compile(r"^yolo_block\.(\d)\.0\.(\d)\.(\d)\.conv\.weights$")


def block_param(level: int, conv: str) -> str:
    """PaddleDetection parameter name of a head convolution, e.g. yolo_block.0.1.1.conv.weights."""
    return f"yolo_block.{level}.{PADDLE_NAME[conv]}.conv.weights"


def normalize_param(name: str) -> str:
    """Early checkpoints of this pipeline named yolo_block.L.0.P.K; PaddleDetection's name is yolo_block.L.P.K."""
    m = _LEGACY.match(name)
    return f"yolo_block.{m.group(1)}.{m.group(2)}.{m.group(3)}.conv.weights" if m else name


def transition_param(level: int) -> str:
    return f"yolo_transition.{level}.conv.weights"


class ConvBN(nn.Module):
    """Conv (no bias) + BatchNorm + optional ReLU."""

    def __init__(self, cin: int, cout: int, k: int, stride: int = 1, groups: int = 1, act: bool = True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = act

    def forward(self, x):
        x = self.bn(self.conv(x))
        return F.relu(x) if self.act else x


class MobileNetV1(nn.Module):
    """MobileNetV1 with width multiplier `scale`; returns (C3 stride 8, C4 stride 16, C5 stride 32)."""

    # (output channels at scale 1.0, stride) of the 13 depthwise-separable blocks
    PLAN = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, scale: float):
        super().__init__()
        c = lambda n: max(8, int(round(n * scale)))
        self.conv1 = ConvBN(3, c(32), 3, 2)
        blocks = []
        cin = c(32)
        for cout, stride in self.PLAN:
            blocks.append(nn.Sequential(ConvBN(cin, cin, 3, stride, groups=cin), ConvBN(cin, c(cout), 1)))
            cin = c(cout)
        self.blocks = nn.ModuleList(blocks)
        self.out_channels = (c(256), c(512), c(1024))

    def forward(self, x):
        x = self.conv1(x)
        feats = []
        for i, b in enumerate(self.blocks):
            x = b(x)
            if i in (4, 10, 12):
                feats.append(x)
        return feats  # [C3, C4, C5]


class YoloV3(nn.Module):
    def __init__(self, num_classes: int, anchors: list[list[float]], backbone_scale: float = 0.25,
                 head_channels=(128, 64, 32), channels: dict[str, int] | None = None):
        super().__init__()
        assert len(anchors) == 9
        self.num_classes = num_classes
        self.backbone_scale = backbone_scale
        self.head_channels = tuple(head_channels)
        self.channels = {normalize_param(k): v for k, v in (channels or {}).items()}
        # anchors [9, 2] (w, h) in input pixels; level l uses anchors mask [6-3l .. 8-3l] like YOLOv3
        self.register_buffer("anchors", torch.tensor(anchors, dtype=torch.float32))
        self.strides = (32, 16, 8)
        self.backbone = MobileNetV1(backbone_scale)
        c3, c4, c5 = self.backbone.out_channels
        feat_in = [c5, c4, c3]
        self.blocks = nn.ModuleList()
        self.outputs = nn.ModuleList()
        self.transitions = nn.ModuleList()
        prev_route = 0
        no = 5 + num_classes
        for level in range(3):
            c = head_channels[level]
            cin = feat_in[level] + prev_route
            convs = nn.ModuleDict()
            for name, k, mult in BLOCK_CONVS:
                cout = self.width(block_param(level, name), c * mult)
                convs[name.replace(".", "_")] = ConvBN(cin, cout, k)
                cin = cout
                if name == "2":
                    route = cout
                    cin = route
            self.blocks.append(convs)
            out = nn.Conv2d(cin, 3 * no, 1)
            with torch.no_grad():  # priors: objectness 0.01, class 1/C
                bias = out.bias.view(3, no)
                bias[:, 4] = -4.6
                bias[:, 5:] = -math.log(num_classes - 1) if num_classes > 1 else 0.0
            self.outputs.append(out)
            if level < 2:
                t = self.width(transition_param(level), c // 2)
                self.transitions.append(ConvBN(route, t, 1))
                prev_route = t

    def width(self, param: str, default: int) -> int:
        return int(self.channels.get(param, default))

    def config(self) -> dict:
        return {"num_classes": self.num_classes, "anchors": self.anchors.tolist(), "backbone_scale": self.backbone_scale,
                "head_channels": list(self.head_channels), "channels": self.channels}

    def head_features(self, x):
        """Raw outputs per level [B, 3*(5+C), H/s, W/s] plus the route features (for distillation)."""
        c3, c4, c5 = self.backbone(x)
        feats = [c5, c4, c3]
        outs, tips = [], []
        route = None
        for level in range(3):
            y = feats[level] if route is None else torch.cat([route, feats[level]], 1)
            b = self.blocks[level]
            for name, _, _ in BLOCK_CONVS:
                if name == "tip":
                    r = y
                y = b[name.replace(".", "_")](y)
            tips.append(y)
            outs.append(self.outputs[level](y))
            if level < 2:
                route = F.interpolate(self.transitions[level](r), scale_factor=2.0, mode="nearest")
        return outs, tips

    def forward(self, x):
        outs, _ = self.head_features(x)
        return outs

    def decode(self, outs, scale_xy: float = 1.1):
        """Raw head outputs -> boxes [B, N, 4] (x1, y1, x2, y2 in input pixels), scores [B, N, C]
        (sigmoid(obj) * sigmoid(cls)). N enumerates level, anchor, row, column in that order."""
        boxes, scores = [], []
        no = 5 + self.num_classes
        for level, p in enumerate(outs):
            stride = self.strides[level]
            b, _, h, w = p.shape
            p = p.view(b, 3, no, h, w).permute(0, 1, 3, 4, 2)  # [B, 3, H, W, no]
            gy = torch.arange(h, dtype=torch.float32, device=p.device).view(1, 1, h, 1)
            gx = torch.arange(w, dtype=torch.float32, device=p.device).view(1, 1, 1, w)
            anc = self.anchors[6 - 3 * level: 9 - 3 * level].view(1, 3, 1, 1, 2)
            cx = (torch.sigmoid(p[..., 0]) * scale_xy - (scale_xy - 1) / 2 + gx) * stride
            cy = (torch.sigmoid(p[..., 1]) * scale_xy - (scale_xy - 1) / 2 + gy) * stride
            bw = anc[..., 0] * torch.exp(p[..., 2].clamp(max=4.0))
            bh = anc[..., 1] * torch.exp(p[..., 3].clamp(max=4.0))
            box = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], -1)
            sc = torch.sigmoid(p[..., 4:5]) * torch.sigmoid(p[..., 5:])
            boxes.append(box.reshape(b, -1, 4))
            scores.append(sc.reshape(b, -1, self.num_classes))
        return torch.cat(boxes, 1), torch.cat(scores, 1)


class DecodedExport(nn.Module):
    """What the ONNX file contains: image [B,3,H,W] in [0,1] -> boxes [B,N,4], scores [B,N,C]."""

    def __init__(self, model: YoloV3):
        super().__init__()
        self.model = model

    def forward(self, image):
        return self.model.decode(self.model(image))


def build_model(cfg: dict) -> YoloV3:
    return YoloV3(cfg["num_classes"], cfg["anchors"], cfg.get("backbone_scale", 0.25), cfg.get("head_channels", (128, 64, 32)), cfg.get("channels"))


def count_gflops(model: nn.Module, size: int) -> float:
    """GFLOPs of one size x size image, PaddleSlim convention: multiply-adds of Conv2d layers counted
    once (MACs, bias excluded), other ops ignored. Reported as 1e9 MACs."""
    total = 0

    def hook(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
            total += out.numel() // out.shape[0] * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    was = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    model.train(was)
    for h in hs:
        h.remove()
    return total / 1e9
