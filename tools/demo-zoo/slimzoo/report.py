"""Markdown table of the demo zoo from lib/demo-zoo/models/manifest.json (and logs/check-onnx.json if present).

usage: python3 -m slimzoo.report
"""
from __future__ import annotations

import json
import os

from .common import LOG_DIR, ZOO_DIR


def main():
    with open(os.path.join(ZOO_DIR, "manifest.json")) as f:
        m = json.load(f)
    check = {}
    path = os.path.join(LOG_DIR, "check-onnx.json")
    if os.path.exists(path):
        with open(path) as f:
            check = json.load(f).get("models", {})
    by_id = {x["id"]: x for x in m["models"]}
    base = by_id.get("baseline")
    print("| model | method | strategy | precision | size (MB) | params | input | GFLOPs | AP | AP50 | APs/APm/APl | ΔAP vs baseline | ORT latency@416 (ms, 1 thread) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for x in m["models"]:
        for s in ("320", "416", "608"):
            ap = x["ap"][s]
            g = x["gflops"][s]
            gd = f" ({(g / base['gflops'][s] - 1) * 100:+.1f}%)" if base and x["id"] != "baseline" and x["precision"] == "fp32" else ""
            d = f"{(ap['AP'] - base['ap'][s]['AP']) * 100:+.1f}" if base and x["id"] != "baseline" else "-"
            lat = check.get(x["id"], {}).get("latencyMedianMs416") if s == "416" else None
            ratio = check.get(x["id"], {}).get("latencyRatioToParent") if s == "416" else None
            lat_s = "" if lat is None else f"{lat:.1f}" + (f" (x{ratio:.2f} of parent)" if ratio else "")
            print(f"| {x['id']} | {x['lineage']['method']} | {x['lineage']['strategy'] or '-'} | {x['precision']} | {x['bytes'] / 1e6:.2f} | {x['params']:,} | {s} | {g:.3f}{gd} | "
                  f"{ap['AP'] * 100:.1f} | {ap['AP50'] * 100:.1f} | {ap.get('APs', -1) * 100:.1f}/{ap.get('APm', -1) * 100:.1f}/{ap.get('APl', -1) * 100:.1f} | {d} | {lat_s} |")


if __name__ == "__main__":
    main()
