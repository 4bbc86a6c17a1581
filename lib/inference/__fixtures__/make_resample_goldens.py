"""Writes resample.golden.json: PyTorch's bilinear resize (align_corners=False, antialias on and off) and bicubic
(antialias off, clamped)
of small seeded random 8-bit RGB images, the reference for lib/inference/image/image-resample.test.ts.

Run from the repo root: /usr/bin/python3 lib/inference/__fixtures__/make_resample_goldens.py
(Debian python3-torch 1.13). Values are torch's float32 output of (bytes / 255), rounded to 9 digits.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

# (srcW, srcH) -> (dstW, dstH): shrink, enlarge, one axis only, integer and non-integer ratios, 1-pixel edges.
CASES = [((7, 5), (3, 4)), ((5, 3), (12, 7)), ((10, 10), (4, 10)), ((1, 1), (3, 2)), ((3, 1), (1, 1)),
         ((13, 9), (5, 7)), ((33, 29), (16, 40)), ((6, 4), (6, 4)), ((40, 3), (7, 9)),
         ((13, 9), (8, 8)), ((5, 3), (12, 12))]  # the last two are square: also fed through preprocessImageFile as PNGs

rng = np.random.default_rng(20261129)
out = {"generator": "lib/inference/__fixtures__/make_resample_goldens.py", "torch": torch.__version__, "cases": []}
for (sw, sh), (dw, dh) in CASES:
    rgb = rng.integers(0, 256, size=(sh, sw, 3), dtype=np.uint8)
    x = torch.from_numpy(rgb).permute(2, 0, 1).unsqueeze(0).float() / 255.0
    case = {"srcW": sw, "srcH": sh, "dstW": dw, "dstH": dh, "rgb": rgb.reshape(-1).tolist()}
    for aa in (True, False):
        y = F.interpolate(x, size=(dh, dw), mode="bilinear", align_corners=False, antialias=aa)[0]
        case["antialias" if aa else "plain"] = [round(float(v), 9) for v in y.reshape(-1)]  # CHW
    # OpenCV INTER_CUBIC = torch bicubic without antialiasing; clamped to [0, 1] (OpenCV saturates 8-bit output).
    y = F.interpolate(x, size=(dh, dw), mode="bicubic", align_corners=False, antialias=False)[0].clamp(0, 1)
    case["cubic"] = [round(float(v), 9) for v in y.reshape(-1)]
    out["cases"].append(case)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resample.golden.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(path, len(out["cases"]), "cases")
