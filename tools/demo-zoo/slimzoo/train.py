"""Training loop shared by the baseline, pruned fine-tuning, distillation and quantization-aware training.

AdamW, linear warm-up then cosine decay, an exponential moving average (EMA) of the weights (the EMA is
what gets evaluated and exported), one random input size per batch (multi-scale training).
"""
from __future__ import annotations

import copy
import math
import os
import random
import time

import numpy as np
import torch

from .data import CocoSplit, train_batches
from .loss import yolo_loss


def seed_everything(seed: int) -> random.Random:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return random.Random(seed)


class Ema:
    def __init__(self, model, decay: float = 0.999):
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        self.updates = 0
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / 500))
        msd = model.state_dict()
        for k, v in self.model.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)
            else:
                v.copy_(msd[k])


def kmeans_anchors(ds: CocoSplit, size: int, k: int = 9, seed: int = 0, iters: int = 60) -> list[list[float]]:
    """k-means on box (w, h) after stretching every image to size x size, with 1 - IoU distance.
    Returns anchors sorted by area, [9, 2]."""
    wh = []
    for i in range(len(ds)):
        _, h, w = ds.pixels[i].shape
        b = ds.boxes[i]
        wh.append(np.stack([(b[:, 2] - b[:, 0]) * size / w, (b[:, 3] - b[:, 1]) * size / h], 1))
    wh = np.concatenate(wh)
    rng = np.random.default_rng(seed)
    centers = wh[rng.choice(len(wh), k, replace=False)]
    for _ in range(iters):
        inter = np.minimum(wh[:, None], centers[None]).prod(-1)
        iou = inter / (wh.prod(-1)[:, None] + centers.prod(-1)[None] - inter)
        assign = iou.argmax(1)
        for j in range(k):
            if (assign == j).any():
                centers[j] = np.median(wh[assign == j], 0)
    centers = centers[np.argsort(centers.prod(-1))]
    return [[round(float(w), 1), round(float(h), 1)] for w, h in centers]


def train(model, ds: CocoSplit, *, epochs: float, batch_size: int, sizes: list[int], lr: float, seed: int, log,
          warmup: int = 300, weight_decay: float = 5e-4, extra_loss=None, ema_decay: float = 0.999, max_minutes: float | None = None,
          resume_path: str | None = None):
    """Train `model` in place; returns the EMA copy. `extra_loss(model, images, outs, size) -> (loss, dict)`
    adds e.g. a distillation term. `epochs` may be fractional.

    resume_path: a checkpoint written at the end of every epoch (model, EMA, optimizer, step, the
    augmentation RNG); when the file exists, training continues from it, so a stopped run resumes
    where its last epoch ended and ends with the same weights as an unstopped one. Needs
    max_minutes=None (a wall-clock schedule cannot be resumed exactly)."""
    if resume_path is not None and max_minutes is not None:
        raise ValueError("resume_path needs a step schedule (max_minutes=None)")
    rng = seed_everything(seed)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=weight_decay)
    steps_per_epoch = len(ds) // batch_size
    total = max(1, int(epochs * steps_per_epoch))
    warmup = min(warmup, total // 5)
    ema = Ema(model, ema_decay)
    step = 0
    started = time.monotonic()
    seen = 0
    if resume_path is not None and os.path.exists(resume_path):
        state = torch.load(resume_path, map_location="cpu")
        if state["total"] != total or state["seed"] != seed:
            raise SystemExit(f"{resume_path}: written for {state['total']} steps, seed {state['seed']}; this run has {total} steps, seed {seed}")
        model.load_state_dict(state["model"])
        ema.model.load_state_dict(state["ema"])
        ema.updates = state["ema_updates"]
        opt.load_state_dict(state["optimizer"])
        rng.setstate(state["rng"])
        step = state["step"]
        log(f"resumed from {resume_path} at step {step}/{total}")
    model.train()
    while step < total:
        for images, targets in train_batches(ds, batch_size, sizes, rng):
            if step >= total:
                break
            # Schedule progress is the larger of steps done and time used, so that a run cut short by
            # `max_minutes` (a shared 2-core machine) still ends with its learning rate decayed.
            progress = (step - warmup) / max(1, total - warmup)
            if max_minutes is not None:
                progress = max(progress, (time.monotonic() - started) / (max_minutes * 60))
            f = (step + 1) / warmup if step < warmup else 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
            for g in opt.param_groups:
                g["lr"] = lr * max(f, 0.01)
            size = images.shape[-1]
            outs = model(images)
            loss, parts = yolo_loss(model, outs, targets, size)
            if extra_loss is not None:
                extra, extra_parts = extra_loss(model, images, outs, size)
                loss = loss + extra
                parts.update(extra_parts)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            ema.update(model)
            step += 1
            seen += images.shape[0]
            if step % 25 == 0 or step == total:
                el = time.monotonic() - started
                log(f"step {step}/{total} size {size} loss {float(loss):.3f} " + " ".join(f"{k} {v:.3f}" for k, v in parts.items()) + f" lr {opt.param_groups[0]['lr']:.2e} {seen / el:.1f} img/s {el / 60:.1f} min")
            if max_minutes is not None and step >= warmup and time.monotonic() - started > max_minutes * 60:
                log(f"time limit {max_minutes} min reached at step {step}/{total}")
                step = total
                break
        if resume_path is not None and step < total:
            # End of an epoch: the RNG is where the next epoch's shuffle starts.
            tmp = resume_path + ".tmp"
            torch.save({"total": total, "seed": seed, "step": step, "model": model.state_dict(), "ema": ema.model.state_dict(),
                        "ema_updates": ema.updates, "optimizer": opt.state_dict(), "rng": rng.getstate()}, tmp)
            os.replace(tmp, resume_path)
            log(f"checkpoint {resume_path} at step {step}/{total}")
    return ema.model
