"""Paths, logging and checkpoint helpers for the pipeline stages."""
from __future__ import annotations

import json
import os
import sys
import time

import torch

from .model import build_model

TOOLS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(os.path.dirname(TOOLS_DIR))
# Overridable for trial runs that must not touch the committed logs / shipped files.
LOG_DIR = os.environ.get("DEMO_ZOO_LOG_DIR", os.path.join(TOOLS_DIR, "logs"))
ZOO_DIR = os.environ.get("DEMO_ZOO_OUT_DIR", os.path.join(REPO_DIR, "lib", "demo-zoo", "models"))
EVAL_SIZES = (320, 416, 608)
TRAIN_SIZES = [256, 288, 320, 352, 384, 416]


def make_logger(name: str):
    os.makedirs(LOG_DIR, exist_ok=True)
    path = os.path.join(LOG_DIR, f"{name}.log")
    f = open(path, "a")

    def log(msg: str):
        line = f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {msg}"
        print(line, flush=True)
        f.write(line + "\n")
        f.flush()

    return log


def save_checkpoint(path: str, model, extra: dict | None = None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save({"config": model.config(), "state_dict": model.state_dict(), "extra": extra or {}}, path)


def load_checkpoint(path: str):
    ck = torch.load(path, map_location="cpu")
    model = build_model(ck["config"])
    model.load_state_dict(ck["state_dict"])
    return model.eval(), ck.get("extra", {})


def write_json(path: str, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def setup_threads():
    # One thread by default: on the shared 2-core machine two OpenMP threads at nice 15 were 2-5x
    # slower per step than one (each parallel region waits for the descheduled thread).
    torch.set_num_threads(int(os.environ.get("DEMO_ZOO_THREADS", "1")))
    if "libtcmalloc" not in os.environ.get("LD_PRELOAD", ""):
        print("note: tcmalloc not preloaded (see run.sh); training is about 2x slower", file=sys.stderr)
