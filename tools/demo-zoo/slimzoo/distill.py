"""Distillation losses between a YOLOv3 teacher and student with the same anchors and classes.

Both act on the raw head outputs per level, [B, 3*(5+C), H, W] (channel order per anchor: tx, ty, tw, th,
objectness, C class logits), so teacher and student may have different widths.

- l2_distiil (PaddleDetection slim, YOLOv3): weight * sum over the 3 levels of mean((s - t)^2).
- split_distiil (YOLOv3 fine-grained distillation, "Object detection at 200 Frames Per Second"), per level:
    reg = mean((BCE(sx, sigmoid(tx)) + BCE(sy, sigmoid(ty)) + |sw - tw| + |sh - th|) * sigmoid(tobj))
    cls = mean(BCE(scls, sigmoid(tcls)) * sigmoid(tobj))
    obj = mean(BCE(sobj, [tobj > 0]))
  weight * sum over levels of (reg + cls + obj).
Weights as in PaddleDetection: 100 (l2) and 1000 (split).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

L2_WEIGHT = 100.0
SPLIT_WEIGHT = 1000.0


def _split(p: torch.Tensor, num_classes: int) -> torch.Tensor:
    """[B, 3*(5+C), H, W] -> [B, 3, 5+C, H, W]"""
    b, _, h, w = p.shape
    return p.view(b, 3, 5 + num_classes, h, w)


def l2_distill(student_outs, teacher_outs, weight: float = L2_WEIGHT) -> torch.Tensor:
    return weight * sum(F.mse_loss(s, t) for s, t in zip(student_outs, teacher_outs))


def split_distill(student_outs, teacher_outs, num_classes: int, weight: float = SPLIT_WEIGHT) -> torch.Tensor:
    total = student_outs[0].new_zeros(())
    bce = F.binary_cross_entropy_with_logits
    for s_raw, t_raw in zip(student_outs, teacher_outs):
        s, t = _split(s_raw, num_classes), _split(t_raw, num_classes)
        t_obj = torch.sigmoid(t[:, :, 4])  # [B, 3, H, W]
        reg = (bce(s[:, :, 0], torch.sigmoid(t[:, :, 0]), reduction="none")
               + bce(s[:, :, 1], torch.sigmoid(t[:, :, 1]), reduction="none")
               + (s[:, :, 2] - t[:, :, 2]).abs() + (s[:, :, 3] - t[:, :, 3]).abs())
        cls = bce(s[:, :, 5:], torch.sigmoid(t[:, :, 5:]), reduction="none") * t_obj[:, :, None]
        obj = bce(s[:, :, 4], (t[:, :, 4] > 0).float())
        total = total + (reg * t_obj).mean() + cls.mean() + obj
    return weight * total


def distill_loss_fn(teacher, mode: str):
    """extra_loss for train(): runs the frozen teacher on the same batch and returns (loss, parts)."""
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)

    def extra(model, images, outs, size):
        with torch.no_grad():
            t_outs = teacher(images)
        if mode == "l2":
            loss = l2_distill(outs, t_outs)
        else:
            loss = split_distill(outs, t_outs, model.num_classes)
        return loss, {"distill": float(loss)}

    return extra
