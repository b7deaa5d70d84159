#!/usr/bin/env python3
"""Whole torchvision networks, side by side: `cnnshape run` of examples/networks/zoo/<model>.json
against torchvision's eval forward, both at the same thread count, medians of N runs after a
warm-up, in one process run each (so the two see the same machine load). Also the time of
`cnnshape plan` per process (fork + exec + read + plan + print), median of 20.

usage: /usr/bin/python3 bench/zoo_speed.py [--binary build/cnnshape] [--threads 1] [--runs 10]
                                           [MODEL ...]
Default models: the ones issue 11 names (EfficientNet-B0, MobileNetV3, ShuffleNetV2, ConvNeXt-T,
ViT-B/16) and issue 13's (ResNet-18/50, MobileNetV2, VGG-16, DenseNet-121), where a spec exists.
Prints a table; exit 0. Needs torch and torchvision for /usr/bin/python3 (Debian's packages).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import torch
import torchvision

DEFAULT = ["efficientnet_b0", "mobilenet_v3_large", "mobilenet_v3_small", "shufflenet_v2_x1_0",
           "convnext_tiny", "vit_b_16", "resnet18", "resnet50", "mobilenet_v2", "vgg16",
           "densenet121"]


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def torch_ms(model, shape, threads, runs):
    torch.set_num_threads(threads)
    m = getattr(torchvision.models, model)(weights=None).eval()
    x = torch.randn(shape)
    ts = []
    with torch.no_grad():
        m(x)
        for _ in range(runs):
            t0 = time.perf_counter()
            m(x)
            ts.append((time.perf_counter() - t0) * 1000)
    return median(ts)


def cnnshape_ms(binary, spec, threads, runs):
    r = subprocess.run([binary, "run", spec, "--threads", str(threads), "--repeat", str(runs),
                        "--format", "json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed")
    return json.loads(r.stdout)["timing"]["median_ms"]


def plan_ms(binary, spec, n=20):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run([binary, "plan", spec], stdout=subprocess.DEVNULL, check=True)
        ts.append((time.perf_counter() - t0) * 1000)
    return median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/cnnshape")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("models", nargs="*")
    a = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    expected = json.load(open(os.path.join(repo, "tests/data/zoo/expected.json")))
    expected = expected.get("models", expected)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"machine: {os.cpu_count()} CPUs, load average {load}; torch {torch.__version__}, "
          f"{a.threads} thread(s), median of {a.runs}")
    print(f"{'model':22} {'plan ms':>8} {'cnnshape ms':>12} {'torch ms':>9} {'speedup':>8}")
    for model in a.models or DEFAULT:
        spec = os.path.join(repo, "examples/networks/zoo", model + ".json")
        if not os.path.exists(spec):
            print(f"{model:22} (no spec)")
            continue
        shape = json.load(open(spec)).get("input")
        try:
            p = plan_ms(a.binary, spec)
            c = cnnshape_ms(a.binary, spec, a.threads, a.runs)
        except (RuntimeError, subprocess.CalledProcessError) as e:
            print(f"{model:22} cnnshape failed: {e}")
            continue
        t = torch_ms(model, shape, a.threads, a.runs)
        print(f"{model:22} {p:8.2f} {c:12.1f} {t:9.1f} {t / c:7.2f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
