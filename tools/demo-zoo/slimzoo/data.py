"""Reads a split written by `npm run -s slimboard -- dataset synth` (COCO JSON + PNG) into memory.

Boxes are kept as [M, 4] float32 (x1, y1, x2, y2) in original image pixels, with x2 = x + w (COCO box
[x, y, w, h] -> corners), labels as 0-based class indices [M].
"""
from __future__ import annotations

import json
import os
import random

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


class CocoSplit:
    def __init__(self, root: str, split: str, limit: int | None = None):
        with open(os.path.join(root, "annotations", f"instances_{split}.json")) as f:
            self.coco = json.load(f)
        self.classes = [c["name"] for c in sorted(self.coco["categories"], key=lambda c: c["id"])]
        cat_index = {c["id"]: i for i, c in enumerate(sorted(self.coco["categories"], key=lambda c: c["id"]))}
        images = self.coco["images"][:limit] if limit else self.coco["images"]
        by_image = {im["id"]: [] for im in images}
        for a in self.coco["annotations"]:
            if a["image_id"] in by_image:
                by_image[a["image_id"]].append(a)
        self.images = images
        self.pixels: list[torch.Tensor] = []  # uint8 [3, H, W]
        self.boxes: list[np.ndarray] = []
        self.labels: list[np.ndarray] = []
        # Decoded pixels are cached next to the split (PNG decoding of 4000 images takes minutes here).
        cache = os.path.join(root, f"decoded_{split}_{len(images)}.pt")
        if os.path.exists(cache):
            self.pixels = torch.load(cache)
        else:
            for im in images:
                arr = np.asarray(Image.open(os.path.join(root, "images", split, im["file_name"])).convert("RGB"))
                self.pixels.append(torch.from_numpy(arr.copy()).permute(2, 0, 1).contiguous())
            torch.save(self.pixels, cache)
        for im in images:
            anns = by_image[im["id"]]
            b = np.array([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns], dtype=np.float32).reshape(-1, 4)
            self.boxes.append(b)
            self.labels.append(np.array([cat_index[a["category_id"]] for a in anns], dtype=np.int64))

    def __len__(self):
        return len(self.images)


def resize_image(pixels: torch.Tensor, size: int, antialias: bool = True) -> torch.Tensor:
    """uint8 [3, H, W] -> float32 [3, size, size] in [0, 1]: stretch (no letterbox), bilinear with
    half-pixel centres, antialiased when shrinking (PIL BILINEAR semantics). Training skips the
    antialiasing (4x cheaper in torch 1.13; it only matters when shrinking)."""
    x = pixels.unsqueeze(0).float() / 255.0
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=antialias)[0]


def train_batches(ds: CocoSplit, batch_size: int, sizes: list[int], rng: random.Random):
    """One epoch of (images [B,3,S,S], targets list of (boxes [M,4] in S-pixels, labels [M])) with a
    random S per batch, random horizontal/vertical flips and mild brightness/contrast jitter."""
    order = list(range(len(ds)))
    rng.shuffle(order)
    for start in range(0, len(order) - batch_size + 1, batch_size):
        size = rng.choice(sizes)
        imgs, targets = [], []
        for i in order[start:start + batch_size]:
            img = resize_image(ds.pixels[i], size, antialias=False)
            _, h, w = ds.pixels[i].shape
            b = ds.boxes[i].copy()
            b[:, [0, 2]] *= size / w
            b[:, [1, 3]] *= size / h
            if rng.random() < 0.5:
                img = img.flip(2)
                b[:, [0, 2]] = size - b[:, [2, 0]]
            if rng.random() < 0.5:
                img = img.flip(1)
                b[:, [1, 3]] = size - b[:, [3, 1]]
            if rng.random() < 0.5:
                img = ((img - 0.5) * rng.uniform(0.75, 1.25) + 0.5 + rng.uniform(-0.1, 0.1)).clamp(0, 1)
            imgs.append(img)
            targets.append((torch.from_numpy(b), torch.from_numpy(ds.labels[i])))
        yield torch.stack(imgs), targets
