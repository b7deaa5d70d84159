#!/usr/bin/python3
"""Expectations for cnnshape's reader of Python model files (tests/test_pymodel.cpp).

Each tests/data/pymodel/*.py is a model file in a style people write. Its first lines say how
cnnshape is asked to plan it:

    # cnnshape: --input 1x3x32x32 --model 'ResNet(Bottleneck, [3, 4, 6, 3])' --mode train

(every part optional: without --input the file's own torch.randn example is the input; without
--model the one module class no other class uses). This script runs the file with PyTorch,
builds the model the same way, runs forward() on a random input of that shape and records the
output shape(s), parameters, trainable parameters, buffers, the state_dict keys with their shapes,
and MACs by cnnshape's convention (README, "Counting conventions": convolutions, linear layers,
MultiheadAttention and matmul; everything else counts 0), and which spatial sizes around the
input's forward() accepts (`solve --input-range`), into tests/data/pymodel/expected.json.

Run with Debian's /usr/bin/python3 (torch 1.13.1): /usr/bin/python3 tools/gen_pymodel_fixtures.py
`--check-run build/cnnshape` instead runs each file with cnnshape, --weights being the model's
own state_dict, and compares the output with PyTorch's (nothing is written).
"""
import ast
import glob
import inspect
import json
import math
import os
import re
import shlex
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data", "pymodel")


def options(text):
    opts = {}
    for line in text.splitlines()[:5]:
        m = re.match(r"#\s*cnnshape:(.*)", line)
        if m:
            words = shlex.split(m.group(1))
            for i in range(0, len(words), 2):
                opts[words[i].lstrip("-")] = words[i + 1]
    return opts


def module_classes(ns, tree):
    """Module classes in the file's order, and those another class names or that are passed as
    a value (cnnshape's rule for the default model)."""
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)
               and isinstance(ns.get(n.name), type) and issubclass(ns[n.name], nn.Module)]
    used = set()
    for n in tree.body:
        for name in classes:
            if isinstance(n, ast.ClassDef) and n.name != name:
                if any(isinstance(x, ast.Name) and x.id == name for x in ast.walk(n)):
                    used.add(name)
            callees = {id(c.func) for c in ast.walk(n) if isinstance(c, ast.Call)}
            if isinstance(n, ast.ClassDef) and n.name == name:
                continue
            for x in ast.walk(n):
                if isinstance(x, ast.Name) and x.id == name and id(x) not in callees:
                    used.add(name)
    return [c for c in classes if c not in used]


def first_example(text):
    m = re.search(r"torch\.(?:randn|rand|zeros|ones)\(\s*\(?\s*([0-9,\s]+?)\s*\)?\s*\)", text)
    return [int(v) for v in m.group(1).replace(" ", "").split(",") if v]


def count_macs(model, run):
    total = [0]

    def conv_hook(m, inp, out):
        total[0] += out.numel() * (m.in_channels // m.groups) * math.prod(m.kernel_size)

    def convt_hook(m, inp, out):
        total[0] += inp[0].numel() * (m.out_channels // m.groups) * math.prod(m.kernel_size)

    def linear_hook(m, inp, out):
        total[0] += out.numel() * m.in_features

    def wrap_mha(m):
        orig = m.forward

        def forward(*args, **kwargs):
            b = inspect.signature(orig).bind(*args, **kwargs)
            q, k = b.arguments["query"], b.arguments["key"]
            if q.dim() == 3:
                (N, L, E), S = (q.shape, k.shape[1]) if m.batch_first else \
                    ((q.shape[1], q.shape[0], q.shape[2]), k.shape[0])
            else:
                (L, E), N, S = q.shape, 1, k.shape[0]
            s2 = S + (m.bias_k is not None) + int(m.add_zero_attn)
            total[0] += L * N * E * E + S * N * m.kdim * E + S * N * m.vdim * E + \
                2 * N * L * s2 * E + L * N * E * E
            with Paused():
                return orig(*args, **kwargs)

        m.forward = forward

    class Paused:
        depth = [0]

        def __enter__(self):
            self.depth[0] += 1

        def __exit__(self, *exc):
            self.depth[0] -= 1

    import torch.nn.functional as F

    class Matmul(torch.overrides.TorchFunctionMode):
        # matmul, einsum and the functional convolutions and linear layers called outside the
        # modules (whose own calls their hooks count)
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            if Paused.depth[0] != 0:
                return out
            if func in (torch.matmul, torch.Tensor.matmul, torch.Tensor.__matmul__, torch.bmm,
                        torch.mm, torch.Tensor.mm):
                a = args[0]
                total[0] += out.numel() * a.shape[-1]
            elif func in (F.conv1d, F.conv2d, F.conv3d):
                w = args[1] if len(args) > 1 else kwargs["weight"]
                total[0] += out.numel() * w.shape[1] * math.prod(w.shape[2:])
            elif func is F.linear:
                w = args[1] if len(args) > 1 else kwargs["weight"]
                total[0] += out.numel() * w.shape[1]
            elif func is torch.einsum:
                eq = args[0].replace(" ", "")
                ops = args[1:] if not isinstance(args[1], (list, tuple)) else args[1]
                lhs, rhs = eq.split("->")
                sizes = {}
                for sub, t in zip(lhs.split(","), ops):
                    for c, d in zip(sub, t.shape):
                        sizes[c] = d
                summed = math.prod(d for c, d in sizes.items() if c not in rhs)
                total[0] += (len(ops) - 1) * out.numel() * summed
            return out

    def pause(m, inp):
        Paused.depth[0] += 1

    def resume(m, inp, out):
        Paused.depth[0] -= 1

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.MultiheadAttention):
            wrap_mha(m)
        elif isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            hooks.append(m.register_forward_hook(convt_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.ConvTranspose1d,
                          nn.ConvTranspose2d, nn.ConvTranspose3d, nn.Linear)):
            hooks.append(m.register_forward_pre_hook(pause))
            hooks.append(m.register_forward_hook(resume))
    with torch.no_grad(), Matmul():
        out = run()
    for h in hooks:
        h.remove()
    return total[0], out


def shapes(out):
    if isinstance(out, torch.Tensor):
        return [list(out.shape)]
    if isinstance(out, dict):
        out = list(out.values())
    res = []
    for o in out:
        res += shapes(o)
    return res


def case(path):
    text = open(path).read()
    opts = options(text)
    tree = ast.parse(text)
    ns = {"__name__": "pymodel"}
    exec(compile(text, path, "exec"), ns)
    if "model" in opts:
        m = opts["model"]
        model = eval(m, ns) if "(" in m else ns[m]
        if isinstance(model, type) or inspect.isfunction(model):
            model = model()
    else:
        tops = module_classes(ns, tree)
        assert len(tops) == 1, f"{path}: candidates {tops}"
        model = ns[tops[0]]()
    size = [int(v) for v in opts["input"].split("x")] if "input" in opts else first_example(text)
    train = opts.get("mode") == "train"
    model.train(train)
    torch.manual_seed(0)
    x = torch.randn(*size)
    macs, out = count_macs(model, lambda: model(x))
    sd = model.state_dict()
    return {
        "file": os.path.basename(path),
        "input": size,
        "args": [a for k, v in opts.items() for a in ("--" + k, v)],
        "outputs": shapes(out),
        "params": sum(p.numel() for p in model.parameters()),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": macs,
        "state_dict": [[k, list(v.shape)] for k, v in sd.items()],
        "seed0": seeded(path),
        "input_range": input_range(model, size),
    }


def input_range(model, size):
    """What `cnnshape solve FILE --input-range LO:HI` answers, as PyTorch does it: every spatial
    size from LO to HI (all spatial axes together, the input's other dims kept) tried with
    forward() on a tensor of zeros; the sizes that run, and the output shape at the smallest."""
    if len(size) < 3:
        return None
    lo, hi = max(1, min(size[2:]) - 8), max(size[2:]) + 8
    accepted, smallest = [], None
    for v in range(lo, hi + 1):
        x = torch.zeros(size[:2] + [v] * (len(size) - 2))
        try:
            with torch.no_grad():
                out = model(x)
        except Exception:
            continue
        if not accepted:
            smallest = shapes(out)[0]
        accepted.append(v)
    return {"lo": lo, "hi": hi, "accepted": accepted, "smallest_output": smallest}


def check_run(path, binary):
    """`cnnshape run FILE --weights DIR` with the model's own state_dict (as KEY.npy files) and
    a random input gives PyTorch's output (relative 1e-4): the names are the state_dict's and
    the graph computes what forward() does."""
    import subprocess
    import tempfile
    import numpy as np
    model, opts, text = build(path)
    model.eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    size = [int(v) for v in opts["input"].split("x")] if "input" in opts else first_example(text)
    x = torch.randn(size, generator=g)
    with torch.no_grad():
        ref = model(x)
    while not isinstance(ref, torch.Tensor):  # the first output of a tuple, list or dict
        ref = list(ref.values())[0] if isinstance(ref, dict) else ref[0]
    with tempfile.TemporaryDirectory() as d:
        os.mkdir(os.path.join(d, "w"))
        for k, v in model.state_dict().items():
            np.save(os.path.join(d, "w", k + ".npy"), v.numpy())
        np.save(os.path.join(d, "x.npy"), x.numpy())
        out = os.path.join(d, "out.npy")
        args = [binary, "run", path, "--weights", os.path.join(d, "w"), "--input",
                os.path.join(d, "x.npy"), "--output", out]
        if "model" in opts:
            args += ["--model", opts["model"]]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            return False, f"exit {r.returncode}: {r.stderr.strip()[:300]}"
        if not os.path.exists(out):
            outs = sorted(f for f in os.listdir(d) if f.startswith("out."))
            out = os.path.join(d, outs[0])
        got = torch.from_numpy(np.load(out))
    if list(got.shape) != list(ref.shape):
        return False, f"shape {list(got.shape)} vs {list(ref.shape)}"
    diff = (got - ref).abs().max().item()
    scale = max(ref.abs().max().item(), 1e-30)
    return diff <= 1e-4 * scale, f"relative {diff / scale:.3g}"


def build(path, seed=None):
    text = open(path).read()
    opts = options(text)
    ns = {"__name__": "pymodel"}
    exec(compile(text, path, "exec"), ns)  # module-level code may build a model too
    if seed is not None:
        torch.manual_seed(seed)
    if "model" in opts:
        m = opts["model"]
        model = eval(m, ns) if "(" in m else ns[m]
        if isinstance(model, type) or inspect.isfunction(model):
            model = model()
    else:
        model = ns[module_classes(ns, ast.parse(text))[0]]()
    return model, opts, text


def seeded(path):
    """What `cnnshape run FILE --seed 0` computes, as PyTorch does it: torch.manual_seed(0) and
    the model built (each module's reset_parameters() in construction order), then
    torch.manual_seed(0) and torch.randn(input) as the input, forward() in eval mode. The first
    output's first 16 values and its sum. Recorded only for files that initialise nothing
    themselves (no nn.init, no Parameters or buffers of random values): cnnshape draws what the
    modules' own reset_parameters() draw, and its Parameter and Buffer layers start at their
    torch.zeros/ones/full value."""
    text = open(path).read()
    # the classes' code only: a module-level torch.randn example input initialises nothing
    classes = "\n".join(ast.get_source_segment(text, n) for n in ast.parse(text).body
                         if isinstance(n, ast.ClassDef))
    if re.search(r"nn\.init|\.apply\(|torch\.(rand|eye|arange|tensor)|normal_|uniform_",
                 classes):
        return None
    model, opts, text = build(path, seed=0)
    model.eval()
    size = [int(v) for v in opts["input"].split("x")] if "input" in opts else first_example(text)
    torch.manual_seed(0)
    x = torch.randn(size)
    with torch.no_grad():
        out = model(x)
    while not isinstance(out, torch.Tensor):
        out = list(out.values())[0] if isinstance(out, dict) else out[0]
    flat = out.flatten()
    return {"first": [float(v) for v in flat[:16]], "sum": float(flat.double().sum())}


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--check-run":
        bad = 0
        for path in sorted(glob.glob(os.path.join(DATA, "*.py"))):
            ok, why = check_run(path, sys.argv[2])
            bad += not ok
            print(f"{os.path.basename(path)}: {'ok' if ok else 'FAILED'} {why}")
        sys.exit(1 if bad else 0)
    cases = []
    for path in sorted(glob.glob(os.path.join(DATA, "*.py"))):
        c = case(path)
        print(f"{c['file']}: outputs {c['outputs']} params {c['params']:,} macs {c['macs']:,}",
              file=sys.stderr)
        cases.append(c)
    with open(os.path.join(DATA, "expected.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")


if __name__ == "__main__":
    main()
