"""Channel pruning of the YOLOv3 head, PaddleSlim style.

A pruning ratio r for parameter P (e.g. ``yolo_block.1.0.1.conv.weights``) removes round(r * C) of P's
C output channels: those whose filters have the smallest L1 norm. The removed channels are also removed
from P's BatchNorm and from the input channels of every convolution that consumes P's output.
The 18 prunable parameters are the six convolutions of each of the three yolo_blocks (as in the seed's
``--pruned_params``); transitions and output convolutions keep their output width.
"""
from __future__ import annotations

import copy

import numpy as np
import torch

from .model import BLOCK_CONVS, YoloV3, block_param, build_model, count_gflops

PRUNABLE = [block_param(level, name) for level in range(3) for name, _, _ in BLOCK_CONVS]


def _conv_bn(model: YoloV3, level: int, name: str):
    return model.blocks[level][name.replace(".", "_")]


def l1_keep(weight: torch.Tensor, keep: int) -> torch.Tensor:
    """weight [Cout, Cin, k, k] -> sorted indices of the `keep` output channels with the largest L1 norm
    (ties broken by the lower index)."""
    norms = weight.detach().abs().flatten(1).sum(1)
    order = sorted(range(len(norms)), key=lambda i: (-float(norms[i]), i))
    return torch.tensor(sorted(order[:keep]), dtype=torch.long)


def prune(model: YoloV3, ratios: dict[str, float]) -> YoloV3:
    """New model with the given parameters' output channels pruned; weights copied from `model`."""
    unknown = set(ratios) - set(PRUNABLE)
    if unknown:
        raise ValueError(f"not prunable: {sorted(unknown)}")
    keep_idx: dict[str, torch.Tensor] = {}
    channels = dict(model.channels)
    for level in range(3):
        for name, _, _ in BLOCK_CONVS:
            p = block_param(level, name)
            cb = _conv_bn(model, level, name)
            cout = cb.conv.out_channels
            keep = max(1, cout - int(round(ratios.get(p, 0.0) * cout)))
            keep_idx[p] = l1_keep(cb.conv.weight, keep)
            channels[p] = keep
    cfg = model.config()
    cfg["channels"] = channels
    new = build_model(cfg)
    src = model.state_dict()
    dst = new.state_dict()
    # Start from a plain copy of everything whose shape did not change (backbone, transitions' BN, ...).
    for k, v in src.items():
        if k in dst and dst[k].shape == v.shape:
            dst[k] = v.clone()

    def copy_convbn(prefix: str, out_idx, in_idx):
        w = src[f"{prefix}.conv.weight"]
        if out_idx is not None:
            w = w[out_idx]
        if in_idx is not None:
            w = w[:, in_idx]
        dst[f"{prefix}.conv.weight"] = w.clone()
        for s in ("weight", "bias", "running_mean", "running_var"):
            v = src[f"{prefix}.bn.{s}"]
            dst[f"{prefix}.bn.{s}"] = (v[out_idx] if out_idx is not None else v).clone()

    for level in range(3):
        prev = None  # kept indices of the previous conv's output (None = all channels)
        for name, _, _ in BLOCK_CONVS:
            p = block_param(level, name)
            in_idx = keep_idx[block_param(level, "2")] if name == "tip" else prev
            copy_convbn(f"blocks.{level}.{name.replace('.', '_')}", keep_idx[p], in_idx)
            prev = keep_idx[p]
        dst[f"outputs.{level}.weight"] = src[f"outputs.{level}.weight"][:, keep_idx[block_param(level, "tip")]].clone()
        dst[f"outputs.{level}.bias"] = src[f"outputs.{level}.bias"].clone()
        if level < 2:
            copy_convbn(f"transitions.{level}", None, keep_idx[block_param(level, "2")])
    new.load_state_dict(dst)
    return new.eval()


def gflops_reduction(model: YoloV3, ratios: dict[str, float], size: int = 608) -> float:
    """Fractional GFLOPs reduction of `prune(model, ratios)` at `size` (0.35 = -35%)."""
    base = count_gflops(model, size)
    return 1 - count_gflops(prune(model, ratios), size) / base


def interpolate_ratio(points: list[tuple[float, float]], max_loss: float) -> float:
    """points: [(ratio, loss)] sorted by ratio, from one parameter's sensitivity curve (loss = AP drop).
    Largest ratio with loss <= max_loss, interpolating linearly between measured ratios (as PaddleSlim's
    get_ratios_by_loss). Loss is made monotone (running max) first."""
    best = 0.0
    prev_r, prev_l = 0.0, 0.0
    running = 0.0
    for r, l in points:
        running = max(running, l)
        if running <= max_loss:
            best = r
        else:
            if running > prev_l:
                best = prev_r + (r - prev_r) * (max_loss - prev_l) / (running - prev_l)
            break
        prev_r, prev_l = r, running
    return float(np.clip(best, 0.0, points[-1][0]))


def ratios_for_target(model: YoloV3, sensitivities: dict[str, list[tuple[float, float]]], target: float, size: int = 608):
    """Bisect the loss threshold so that the sensitivity-derived ratios remove `target` of the GFLOPs.
    Returns (ratios rounded to 0.01, loss threshold, achieved reduction)."""
    lo, hi = 0.0, 1.0
    best = None
    for _ in range(24):
        mid = (lo + hi) / 2
        ratios = {p: round(interpolate_ratio(sensitivities[p], mid), 2) for p in sensitivities}
        red = gflops_reduction(model, ratios, size)
        best = (ratios, mid, red)
        if red < target:
            lo = mid
        else:
            hi = mid
        if abs(red - target) < 0.005:
            break
    return best
