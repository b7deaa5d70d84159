#!/usr/bin/env python3
"""PyTorch side of the kernel benchmark: the same cases as cnnshape_bench_kernels.

Prints JSON to stdout: {"torch_version", "mkldnn", "results": {case: {threads: {"ms", "cpu_ms"}}}}
with the median wall time and the median process CPU time per call, after warm-up, under
torch.no_grad() in eval mode. Run with /usr/bin/python3 (Debian's python3-torch); run_speed.sh
sets GLIBC_TUNABLES so glibc keeps freed blocks instead of returning them to the OS each call.

usage: torch_bench.py [--threads 1,2] [--runs N] [--min-time S] [--case NAME]...
"""
import argparse
import math
import json
import sys
import time

import torch
import torch.nn as nn


def resnet18():
    """torchvision's resnet18 layout (torchvision is not needed), as examples/networks/resnet18.json."""

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                                nn.BatchNorm2d(cout))

        def forward(self, x):
            idt = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + idt)

    def layer(cin, cout, stride):
        return nn.Sequential(Block(cin, cout, stride), Block(cout, cout, 1))

    return nn.Sequential(
        nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, 1), layer(64, 64, 1), layer(64, 128, 2), layer(128, 256, 2),
        layer(256, 512, 2), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 1000))


class Cat(nn.Module):
    """torch.cat of the input with a second tensor of its shape, along dim."""

    def __init__(self, shape, dim):
        super().__init__()
        self.other = torch.randn(*shape)
        self.dim = dim

    def forward(self, x):
        return torch.cat([x, self.other], self.dim)


class Binary(nn.Module):
    """x op other, with other a fixed tensor of the given shape."""

    def __init__(self, fn, shape):
        super().__init__()
        self.fn = fn
        self.other = torch.randn(*shape)

    def forward(self, x):
        return self.fn(x, self.other)


def batchnorm(c):
    """BatchNorm2d with random affine parameters and running statistics (eval mode)."""
    bn = nn.BatchNorm2d(c)
    with torch.no_grad():
        bn.weight.normal_()
        bn.bias.normal_()
        bn.running_mean.normal_()
        bn.running_var.normal_().abs_().add_(1.0)
    return bn


def cases():
    big = (1, 64, 112, 112)
    mid = (1, 64, 56, 56)
    out = {
        "maxpool3s2p1": (nn.MaxPool2d(3, 2, 1), big),
        "maxpool2s2": (nn.MaxPool2d(2, 2), big),
        "avgpool3s2p1": (nn.AvgPool2d(3, 2, 1), big),
        "avgpool2s2": (nn.AvgPool2d(2, 2), big),
        "adaptiveavg7": (nn.AdaptiveAvgPool2d(7), big),
        "adaptivemax7": (nn.AdaptiveMaxPool2d(7), big),
        "globalavg": (nn.AdaptiveAvgPool2d(1), (1, 512, 7, 7)),
        "upnearest2x": (nn.Upsample(scale_factor=2, mode="nearest"), mid),
        "upbilinear2x": (nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), mid),
        "cat2x64": (Cat(mid, 1), mid),
        "add64": (Binary(torch.add, mid), mid),
        "mul64": (Binary(torch.mul, mid), mid),
        "semul": (Binary(torch.mul, (1, 256, 1, 1)), (1, 256, 28, 28)),
        "pad1": (nn.ZeroPad2d(1), mid),
        "bn64": (batchnorm(64), big),
        "relu64": (nn.ReLU(), big),
        "conv3x3_64": (nn.Conv2d(64, 64, 3, padding=1, bias=False), (1, 64, 56, 56)),
        "resnet18": (resnet18(), (1, 3, 224, 224)),
    }
    # ResNet shapes (run_bench.cpp's main lists the same).
    for n in (1, 8):
        for ch, hw in ((64, 56), (128, 28), (256, 14), (512, 7)):
            b = f"_b{n}"
            if not (ch == 64 and n == 1):
                out[f"conv3x3_{ch}{b}"] = (nn.Conv2d(ch, ch, 3, padding=1, bias=False),
                                           (n, ch, hw, hw))
            out[f"conv1x1_{4 * ch}_{ch}{b}"] = (nn.Conv2d(4 * ch, ch, 1, bias=False),
                                                (n, 4 * ch, hw, hw))
            out[f"conv1x1_{ch}_{4 * ch}{b}"] = (nn.Conv2d(ch, 4 * ch, 1, bias=False),
                                                (n, ch, hw, hw))
    for n in (256, 512, 1024):
        out[f"matmul{n}"] = (Binary(torch.matmul, (n, n)), (n, n))
    out["linear256_1024_1024"] = (nn.Linear(1024, 1024), (256, 1024))
    out["linear1_4096_4096"] = (nn.Linear(4096, 4096), (1, 4096))
    return out


def time_call(f, runs, min_time):
    for _ in range(3):
        f()
    # Calls shorter than 50 us are timed in groups, as run_bench.cpp does.
    t0 = time.perf_counter()
    for _ in range(5):
        f()
    one = (time.perf_counter() - t0) / 5
    group = 1 if one >= 50e-6 else min(1000, math.ceil(50e-6 / max(one, 1e-9)))
    wall, cpu = [], []
    start = time.perf_counter()
    while len(wall) < runs or (time.perf_counter() - start < min_time and len(wall) < 5000):
        c0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(group):
            f()
        wall.append((time.perf_counter() - t0) * 1e3 / group)
        cpu.append((time.process_time() - c0) * 1e3 / group)
    samples = {"wall_ms": list(wall), "cpu_samples_ms": list(cpu)}  # for run_bench --interleave
    wall.sort()
    cpu.sort()
    return {"ms": wall[len(wall) // 2], "min_ms": wall[0], "cpu_ms": cpu[len(cpu) // 2],
            "runs": len(wall), **samples}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--case", action="append", default=[])
    args, _ = ap.parse_known_args()  # the C++ side's own options are ignored
    torch.manual_seed(0)
    results = {}
    with torch.no_grad():
        for name, (module, shape) in cases().items():
            if args.case and name not in args.case:
                continue
            module.eval()
            x = torch.randn(*shape)
            results[name] = {}
            for t in [int(v) for v in args.threads.split(",")]:
                torch.set_num_threads(t)
                results[name][str(t)] = time_call(lambda: module(x), args.runs, args.min_time)
            print(f"{name}: " + str({t: {k: v for k, v in r.items() if "samples" not in k and
                                         k != "wall_ms"} for t, r in results[name].items()}),
                  file=sys.stderr)
    json.dump({"torch_version": torch.__version__,
               "mkldnn": bool(torch.backends.mkldnn.is_available()),
               "results": results}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
