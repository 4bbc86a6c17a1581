"""COCO-style box AP in numpy (own implementation of the cocoeval.py protocol).

Stages: per (image, category) matching -> accumulated precision -> summary.
  iou_thrs T = 0.50:0.05:0.95 (10), recall points R = 0:0.01:1 (101-point interpolation, as COCO),
  area ranges A = all [0, 1e10), small [0, 32^2), medium [32^2, 96^2), large [96^2, 1e10),
  max detections per image and category M = 100.
Ground-truth area is the annotation's `area` (mask area); detection area is its box w * h.
precision [T, R, K, A]; AP = mean over valid entries (categories with at least one non-ignored GT).
"""
from __future__ import annotations

import numpy as np

IOU_THRS = np.linspace(0.5, 0.95, 10)
REC_THRS = np.linspace(0.0, 1.0, 101)
AREA_RANGES = {"all": (0, 1e10), "small": (0, 32 ** 2), "medium": (32 ** 2, 96 ** 2), "large": (96 ** 2, 1e10)}


def iou_xywh(d: np.ndarray, g: np.ndarray) -> np.ndarray:
    """d [D, 4], g [G, 4] in (x, y, w, h) -> IoU [D, G]."""
    if len(d) == 0 or len(g) == 0:
        return np.zeros((len(d), len(g)))
    dx2, dy2 = d[:, 0] + d[:, 2], d[:, 1] + d[:, 3]
    gx2, gy2 = g[:, 0] + g[:, 2], g[:, 1] + g[:, 3]
    iw = np.clip(np.minimum(dx2[:, None], gx2[None]) - np.maximum(d[:, 0, None], g[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(dy2[:, None], gy2[None]) - np.maximum(d[:, 1, None], g[None, :, 1]), 0, None)
    inter = iw * ih
    union = (d[:, 2] * d[:, 3])[:, None] + (g[:, 2] * g[:, 3])[None] - inter
    return inter / np.maximum(union, 1e-12)


def evaluate_image(dts: list[dict], gts: list[dict], area_rng, max_det: int = 100):
    """Greedy matching for one (image, category) at every IoU threshold.
    Returns (dt scores [D], dt matched [T, D] bool, dt ignored [T, D] bool, number of non-ignored GTs)."""
    g_ignore = np.array([g["area"] < area_rng[0] or g["area"] > area_rng[1] for g in gts], dtype=bool)
    g_order = np.argsort(g_ignore, kind="mergesort")
    gts = [gts[i] for i in g_order]
    g_ignore = g_ignore[g_order]
    d_order = np.argsort([-d["score"] for d in dts], kind="mergesort")[:max_det]
    dts = [dts[i] for i in d_order]
    T, D, G = len(IOU_THRS), len(dts), len(gts)
    ious = iou_xywh(np.array([d["bbox"] for d in dts], dtype=np.float64).reshape(-1, 4), np.array([g["bbox"] for g in gts], dtype=np.float64).reshape(-1, 4))
    gt_matched = np.zeros((T, G), dtype=bool)
    dt_matched = np.zeros((T, D), dtype=bool)
    dt_ignore = np.zeros((T, D), dtype=bool)
    for ti, t in enumerate(IOU_THRS):
        for di in range(D):
            best = min(t, 1 - 1e-10)
            m = -1
            for gi in range(G):
                if gt_matched[ti, gi]:
                    continue
                if m > -1 and not g_ignore[m] and g_ignore[gi]:
                    break
                if ious[di, gi] < best:
                    continue
                best = ious[di, gi]
                m = gi
            if m == -1:
                continue
            dt_ignore[ti, di] = g_ignore[m]
            dt_matched[ti, di] = True
            gt_matched[ti, m] = True
    d_area = np.array([d["bbox"][2] * d["bbox"][3] for d in dts]).reshape(-1)
    outside = (d_area < area_rng[0]) | (d_area > area_rng[1])
    dt_ignore = dt_ignore | (~dt_matched & outside[None, :])
    return np.array([d["score"] for d in dts]), dt_matched, dt_ignore, int((~g_ignore).sum())


def coco_ap(gt_annotations: list[dict], detections: list[dict], image_ids, category_ids, areas=tuple(AREA_RANGES)) -> dict:
    """gt_annotations: COCO annotations (bbox xywh, area, category_id, image_id, iscrowd=0).
    detections: dicts with image_id, category_id, bbox (xywh), score.
    Returns {"AP", "AP50", "AP75", "APs", "APm", "APl"} in [0, 1] (-1 when undefined)."""
    gts_by = {}
    for g in gt_annotations:
        gts_by.setdefault((g["image_id"], g["category_id"]), []).append(g)
    dts_by = {}
    for d in detections:
        dts_by.setdefault((d["image_id"], d["category_id"]), []).append(d)
    precision = -np.ones((len(IOU_THRS), len(REC_THRS), len(category_ids), len(AREA_RANGES)))
    for ai, (area_name, rng) in enumerate(AREA_RANGES.items()):
        if area_name not in areas:
            continue
        for ki, k in enumerate(category_ids):
            scores, matched, ignored, npig = [], [], [], 0
            for i in image_ids:
                gts = gts_by.get((i, k), [])
                dts = dts_by.get((i, k), [])
                if not gts and not dts:
                    continue
                s, m, ig, n = evaluate_image(dts, gts, rng)
                scores.append(s)
                matched.append(m)
                ignored.append(ig)
                npig += n
            if npig == 0:
                continue
            if scores:
                s = np.concatenate(scores)
                order = np.argsort(-s, kind="mergesort")
                m = np.concatenate(matched, 1)[:, order]
                ig = np.concatenate(ignored, 1)[:, order]
            else:
                m = ig = np.zeros((len(IOU_THRS), 0), dtype=bool)
            tps = np.cumsum(m & ~ig, 1).astype(np.float64)
            fps = np.cumsum(~m & ~ig, 1).astype(np.float64)
            for ti in range(len(IOU_THRS)):
                tp, fp = tps[ti], fps[ti]
                rc = tp / npig
                pr = tp / np.maximum(tp + fp, np.spacing(1))
                # precision envelope (monotone non-increasing from the right)
                pr = np.maximum.accumulate(pr[::-1])[::-1] if len(pr) else pr
                q = np.zeros(len(REC_THRS))
                inds = np.searchsorted(rc, REC_THRS, side="left")
                valid = inds < len(pr)
                q[valid] = pr[inds[valid]]
                precision[ti, :, ki, ai] = q

    def summarize(area: str, t=None):
        p = precision[:, :, :, list(AREA_RANGES).index(area)]
        if t is not None:
            p = p[list(np.round(IOU_THRS, 2)).index(t)]
        v = p[p > -1]
        return float(v.mean()) if v.size else -1.0

    out = {"AP": summarize("all"), "AP50": summarize("all", 0.5), "AP75": summarize("all", 0.75),
           "APs": summarize("small"), "APm": summarize("medium"), "APl": summarize("large")}
    return {k: v for k, v in out.items() if k.startswith("AP5") or k.startswith("AP7") or k == "AP" or {"APs": "small", "APm": "medium", "APl": "large"}[k] in areas}
