"""YOLOv3 loss with multi-anchor assignment and GIoU box regression.

For each ground truth, the anchors whose (w, h) IoU with the box is > `anchor_iou` (and always the best
one) are positives at the cell containing the box centre on that anchor's level. Losses, summed and
divided by the batch size:
  box: (1 - GIoU(pred, gt)) * (2 - w*h / S^2)  over positives
  obj: BCE(obj, 1) on positives, BCE(obj, 0) on cells whose predicted box has IoU < ignore_iou with
       every ground truth of the image
  cls: BCE(cls, one-hot) over positives
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a [..., N, 4], b [..., M, 4] (x1, y1, x2, y2) -> IoU [..., N, M]."""
    lt = torch.maximum(a[..., :, None, :2], b[..., None, :, :2])
    rb = torch.minimum(a[..., :, None, 2:], b[..., None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / (area_a[..., :, None] + area_b[..., None, :] - inter + 1e-9)


def giou_pairwise(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """a, b [P, 4] -> GIoU [P] of matching rows."""
    lt = torch.maximum(a[:, :2], b[:, :2])
    rb = torch.minimum(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    area_a = (a[:, 2] - a[:, 0]).clamp(min=0) * (a[:, 3] - a[:, 1]).clamp(min=0)
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - inter + 1e-9
    iou = inter / union
    elt = torch.minimum(a[:, :2], b[:, :2])
    erb = torch.maximum(a[:, 2:], b[:, 2:])
    enclosing = (erb - elt).clamp(min=0).prod(-1) + 1e-9
    return iou - (enclosing - union) / enclosing


def assign(model, targets, size: int, anchor_iou: float = 0.4):
    """Positives as a list per level of (batch idx [P], anchor idx in level [P], gy [P], gx [P], gt boxes [P,4], labels [P])."""
    anchors = model.anchors  # [9, 2]
    per_level = [[] for _ in range(3)]
    for bi, (boxes, labels) in enumerate(targets):
        if len(boxes) == 0:
            continue
        wh = boxes[:, 2:] - boxes[:, :2]
        inter = torch.minimum(wh[:, None, :], anchors[None]).prod(-1)
        iou = inter / (wh.prod(-1)[:, None] + anchors.prod(-1)[None] - inter)  # [M, 9]
        pos = iou > anchor_iou
        pos[torch.arange(len(boxes)), iou.argmax(1)] = True
        g_idx, a_idx = pos.nonzero(as_tuple=True)
        centers = (boxes[:, :2] + boxes[:, 2:]) / 2
        for level in range(3):
            lo = 6 - 3 * level
            sel = (a_idx >= lo) & (a_idx < lo + 3)
            if not sel.any():
                continue
            g = g_idx[sel]
            stride = model.strides[level]
            n = size // stride
            gx = (centers[g, 0] / stride).long().clamp(0, n - 1)
            gy = (centers[g, 1] / stride).long().clamp(0, n - 1)
            per_level[level].append((torch.full_like(g, bi), a_idx[sel] - lo, gy, gx, boxes[g], labels[g]))
    out = []
    for level in range(3):
        if per_level[level]:
            out.append(tuple(torch.cat(x) for x in zip(*per_level[level])))
        else:
            out.append(None)
    return out


def yolo_loss(model, outs, targets, size: int, ignore_iou: float = 0.6, scale_xy: float = 1.1):
    """outs: raw head outputs per level [B, 3*(5+C), S/s, S/s]; targets: list of (boxes [M,4], labels [M])."""
    nc = model.num_classes
    no = 5 + nc
    batch = outs[0].shape[0]
    positives = assign(model, targets, size)
    pred_boxes, _ = model.decode(outs, scale_xy)  # [B, N, 4]
    max_m = max(1, max(len(t[0]) for t in targets))
    gt = torch.zeros(batch, max_m, 4)
    for bi, (boxes, _) in enumerate(targets):
        gt[bi, : len(boxes)] = boxes
    with torch.no_grad():
        best_iou = box_iou(pred_boxes.detach(), gt).amax(-1) if max_m else torch.zeros(pred_boxes.shape[:2])  # [B, N]
    loss_box = outs[0].new_zeros(())
    loss_obj = outs[0].new_zeros(())
    loss_cls = outs[0].new_zeros(())
    offset = 0
    for level, p in enumerate(outs):
        b, _, h, w = p.shape
        p = p.view(b, 3, no, h, w).permute(0, 1, 3, 4, 2)
        n_level = 3 * h * w
        level_boxes = pred_boxes[:, offset: offset + n_level].view(b, 3, h, w, 4)
        ignore = (best_iou[:, offset: offset + n_level] > ignore_iou).view(b, 3, h, w)
        offset += n_level
        obj_target = torch.zeros(b, 3, h, w)
        obj_weight = (~ignore).float()
        pos = positives[level]
        if pos is not None:
            bi, ai, gy, gx, gboxes, glabels = pos
            obj_target[bi, ai, gy, gx] = 1.0
            obj_weight[bi, ai, gy, gx] = 1.0
            pb = level_boxes[bi, ai, gy, gx]
            area_w = 2.0 - ((gboxes[:, 2] - gboxes[:, 0]) * (gboxes[:, 3] - gboxes[:, 1])) / (size * size)
            loss_box = loss_box + ((1 - giou_pairwise(pb, gboxes)) * area_w).sum()
            cls_target = F.one_hot(glabels, nc).float()
            loss_cls = loss_cls + F.binary_cross_entropy_with_logits(p[bi, ai, gy, gx, 5:], cls_target, reduction="sum")
        loss_obj = loss_obj + (F.binary_cross_entropy_with_logits(p[..., 4], obj_target, reduction="none") * obj_weight).sum()
    total = (2.0 * loss_box + loss_obj + loss_cls) / batch
    return total, {"box": float(loss_box) / batch, "obj": float(loss_obj) / batch, "cls": float(loss_cls) / batch}
