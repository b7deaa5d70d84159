#!/usr/bin/env python3
"""Generate the fixtures `cnnshape run` is tested against (tests/data/run/*.json).

PyTorch is the oracle. Each case is one or more layer expressions such as
``nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True, return_indices=True)``,
evaluated with ``eval(expr, {"nn": torch.nn})`` (so the recorded text and the
module cannot disagree), built after ``torch.manual_seed(seed)`` and run in eval
mode (or train mode when the case says so) on a recorded input. Recorded, all as
base64 of little-endian bytes so every value round-trips exactly:

* ``input``: shape and float32 values (randn, integer ties, NaN, +-inf ...);
* ``state``: the module's state_dict (float32; num_batches_tracked left out),
  so kernel tests do not depend on the initialisation;
* ``output`` (float32) and, for return_indices, ``indices`` (int64);
* ``tol``: how the test compares: ``"exact"`` (same values and signs of zero,
  NaN where PyTorch has NaN) or ``{"rtol": r, "atol": a}``
  (|got - want| <= atol + rtol * |want|).

Families (one file each) and why each tolerance:

* maxpool, avgpool, adaptive, pad_misc: exact.
  Max pooling copies values; average pooling is a sequential float sum and one
  division (adaptive: two), which the reference kernels reproduce. Adaptive
  average pooling to output size 1 is ``mean()`` in PyTorch: the cascade sum of
  SumKernel.cpp with the 8-float vectors of this AVX2 build, which the kernels
  reproduce too (an AVX-512 build of PyTorch would sum in another order).
* lppool: ``pow`` by 2 is ``x*x`` and by 0.5 is ``sqrt`` (exact); other powers go
  through SLEEF's ``powf`` in PyTorch's vector path: 1e-6.
* upsample: nearest modes, area, linear, bicubic, and bilinear/trilinear over
  more than one channel exact (with the FMAs PyTorch's AVX2 build uses);
  single-channel bilinear/trilinear (1.13's channels-last path): 1e-6.
* bicubic: exact. The configurations of PyTorch's own tests (test_nn.py
  test_upsamplingBicubic2d, common_nn.py interpolate_bicubic_*, the
  interpolate OpInfo samples), each with ``printed``: what print(output)
  prints, then a random sweep.
* batchnorm: eval form ``fma(x, alpha, beta)`` exact (SEMANTICS.md §7; PyTorch's
  build fuses it); batch statistics are double sums in another order: 1e-5.
* activations: ReLU/ReLU6/LeakyReLU/Hardswish/Identity exact; erf/exp/tanh are
  polynomial or SLEEF approximations in PyTorch's vector path: 1e-6.
* activation: the activations and dropouts of issue 11. Hardtanh, Threshold,
  Hardshrink, Softshrink, Softsign, PReLU and the eval-mode dropouts exact (with
  NaN, infinities and signed zeros); ELU/SELU/CELU, Mish, Softplus, Tanhshrink,
  LogSigmoid, LogSoftmax, Softmax2d and GLU go through exp/log1p/tanh: 1e-6.
  Train-mode Dropout1d/3d, AlphaDropout, FeatureAlphaDropout and
  torchvision.ops.StochasticDepth: the masks of torch.manual_seed(dropout_seed),
  exact.
* conv, conv_transpose, linear and the networks: PyTorch's accumulation order
  (oneDNN / BLAS) is not reproducible: rtol 1e-4 (atol 1e-5).
* binary: Add, Sub, Mul, Div (torch.add/sub/mul/div) exact: one IEEE operation per
  element (rounding_mode='floor': c10's div_floor_floating). alpha != 1: 1e-6.
  cnnshape computes input + alpha * other as one fused multiply-add, as PyTorch's
  vectorised loop does; the tail of each of PyTorch's inner runs goes through a
  scalar loop that GCC compiled partly unfused, one rounding of alpha * other away. Each case is an inline JSON
  spec (``spec`` is an object, not a path) whose branches (exact pooling layers)
  make the broadcast shapes: squeeze-and-excitation [N, C, 1, 1], spatial
  attention [N, 1, H, W],
  rank broadcasting through Flatten, tensor-scalar, chains of 3 inputs; the
  same spec is evaluated here by a small graph walker (``run_spec``).
* reshape: the data-movement ops (torch.reshape, Tensor.view, permute, transpose,
  squeeze/unsqueeze, unflatten, torch.flatten, Tensor.expand, torch.roll,
  contiguous, pixel_shuffle/unshuffle, channel_shuffle, select, narrow, x[a:b:c],
  flip) exact: every output bit is an input bit (NaN payloads and the sign of zero
  included). torch.f(args) is torch.f(x, args); View(...), Expand(...),
  Contiguous() and Slice(dim, start, end, step) are x.view(...), x.expand(...),
  x.contiguous() and x[..., start:end:step].
* norms: LayerNorm, GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm. InstanceNorm in
  eval mode with running statistics is batch_norm's eval form on (1, N*C, *): exact. The
  statistics of the input itself (LayerNorm, GroupNorm, InstanceNorm otherwise) are two passes in
  double in cnnshape, a float Welford cascade (or batch_norm's sums) in PyTorch: 1e-5.
  LocalResponseNorm: the window sums and divisions are PyTorch's, exact where pow is special-cased
  (beta 0.5, 1, 2, 3, -0.5, -1, -2), 1e-6 otherwise (SLEEF's powf). Can be written alone:
  ``tools/gen_run_fixtures.py norms``.
* init: ``torch.manual_seed(seed)`` then building the modules; every parameter
  must match ``init_weights(plan, seed)`` bit for bit.
* networks: example specs (funnel, LeNet-5) and a small conv/bn/pool/linear stack
  run end to end with ``init_weights(seed)`` against
  ``torch.manual_seed(seed)``-initialised modules, on ``torch.randn`` input
  drawn after ``torch.manual_seed(seed)`` (what ``cnnshape run --seed`` does).

Regenerate (needs PyTorch; Debian's python3-torch is importable by
/usr/bin/python3 only), from the repository root:

    /usr/bin/python3 tools/gen_run_fixtures.py

Deterministic: fixed seeds, one thread.
"""

import base64
import copy
import json
import math
import os
import random
import sys
import warnings
from collections import OrderedDict

import torch
import torch.nn as nn
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "run")

torch.set_num_threads(1)
EXACT = "exact"
NEAR = {"rtol": 1e-6, "atol": 1e-6}
NEAR5 = {"rtol": 1e-5, "atol": 1e-5}
CONV = {"rtol": 1e-4, "atol": 1e-5}


def b64(t, dtype):
    t = t.detach().contiguous().to(dtype)
    return base64.b64encode(t.numpy().astype("<f4" if dtype == torch.float32 else "<i8").tobytes()).decode()


def f32(t):
    return {"shape": list(t.shape), "f32": b64(t, torch.float32)}


def i64(t):
    return {"shape": list(t.shape), "i64": b64(t, torch.int64)}


def build(exprs, seed):
    torch.manual_seed(seed)
    mods = [eval(e, {"nn": nn, "torch": torch, "torchvision": torchvision}) for e in exprs]
    return nn.Sequential(*mods)


def make_input(shape, kind, gen):
    n = 1
    for s in shape:
        n *= s
    if kind == "randn":
        x = torch.randn(n, generator=gen)
    elif kind == "ties":
        x = torch.randint(-2, 3, (n,), generator=gen).float()
    elif kind == "special":
        x = torch.randn(n, generator=gen)
        r = torch.rand(n, generator=gen)
        x[r < 0.08] = float("nan")
        x[(r >= 0.08) & (r < 0.16)] = float("-inf")
        x[(r >= 0.16) & (r < 0.2)] = float("inf")
        x[(r >= 0.2) & (r < 0.35)] = 1.0
    elif kind == "negative":  # all -inf and NaN-free: every window keeps its first tap
        x = torch.full((n,), float("-inf"))
    elif kind == "arange":  # 0, 1, 2, ... (test_nn.py's torch.arange(8.).view(1, 2, 2, 2))
        x = torch.arange(float(n))
    elif kind == "ones":
        x = torch.ones(n)
    elif kind == "uniform":  # make_tensor(low=-1, high=1), as the OpInfo samples draw
        x = torch.rand(n, generator=gen) * 2 - 1
    elif kind == "positive":
        x = torch.rand(n, generator=gen) * 2 + 0.05
    elif kind == "signed_zeros":  # +-0 side by side with NaN, +-inf and small integers
        x = torch.randint(-2, 3, (n,), generator=gen).float()
        r = torch.rand(n, generator=gen)
        x[r < 0.3] = -0.0
        x[(r >= 0.3) & (r < 0.45)] = 0.0
        x[(r >= 0.45) & (r < 0.5)] = float("nan")
        x[(r >= 0.5) & (r < 0.55)] = float("-inf")
        x[(r >= 0.55) & (r < 0.6)] = float("inf")
    else:
        raise ValueError(kind)
    return x.reshape(shape)


def run_case(exprs, shape, kind, gen, tol, seed=0, mode="eval", name=None, dropout_seed=None,
             builder=None):
    """Returns a case dict, or None when PyTorch rejects the configuration.

    dropout_seed: torch.manual_seed(dropout_seed) right before the forward pass, so train-mode
    Dropout draws its masks from that state (the test hands execute() the same generator)."""
    try:
        m = (builder or build)(exprs, seed)
        m.train(mode == "train")
        x = make_input(shape, kind, gen)
        if dropout_seed is not None:
            torch.manual_seed(dropout_seed)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # dropout2d on 3-D input: "assuming ... (N, C, L)"
            y = m(x)
    except Exception:
        return None
    idx = None
    if isinstance(y, tuple):
        y, idx = y
    if y.numel() == 0 or y.numel() > 20000:
        return None
    state = OrderedDict()
    for k, v in m.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        state[k] = f32(v)
    case = OrderedDict()
    case["name"] = name or " ; ".join(exprs) + f" on {list(shape)} ({kind})"
    case["layers"] = exprs
    case["mode"] = mode
    case["input"] = f32(x)
    case["state"] = state
    case["output"] = f32(y)
    if idx is not None:
        case["indices"] = i64(idx)
    case["tol"] = tol
    if dropout_seed is not None:
        case["dropout_seed"] = dropout_seed
    return case


def family(name, cases, notes, extra=None):
    cases = [c for c in cases if c is not None]
    doc = OrderedDict()
    doc["family"] = name
    doc["generator"] = "tools/gen_run_fixtures.py (PyTorch %s)" % torch.__version__.split("a")[0]
    doc["notes"] = notes
    doc["cases"] = cases
    doc.update(extra or {})
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    return name, len(cases), os.path.getsize(path)


def tup(v):
    return "(" + ", ".join(str(a) for a in v) + ("," if len(v) == 1 else "") + ")"


# ----------------------------------------------------------------------------------------------
def maxpool_cases(rng, gen):
    out = []
    hand = [
        # NaN, ties, -inf, all-padding windows with dilation (in=2,k=2,d=3,p=1).
        (["nn.MaxPool2d(2, 2, return_indices=True)"], [1, 1, 4, 4], "special"),
        (["nn.MaxPool2d(3, stride=1, padding=1, return_indices=True)"], [2, 2, 5, 5], "ties"),
        (["nn.MaxPool2d(2, stride=1, padding=1, dilation=3, return_indices=True)"], [1, 2, 2, 2], "randn"),
        (["nn.MaxPool1d(2, stride=1, padding=1, dilation=3, return_indices=True)"], [1, 2, 2], "randn"),
        (["nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True, return_indices=True)"], [1, 3, 9, 9], "special"),
        (["nn.MaxPool2d(2, return_indices=True)"], [1, 2, 4, 6], "negative"),
        (["nn.MaxPool3d(2, stride=1, padding=1, dilation=2, return_indices=True)"], [1, 1, 3, 3, 3], "special"),
        (["nn.MaxPool1d(3, stride=2, ceil_mode=True)"], [2, 3, 10], "special"),
        (["nn.MaxPool2d(2, 2)"], [3, 6, 6], "ties"),
    ]
    for exprs, shape, kind in hand:
        out.append(run_case(exprs, shape, kind, gen, EXACT))
    for _ in range(60):
        nd = rng.choice([1, 2, 2, 3])
        k = [rng.randint(1, 4) for _ in range(nd)]
        s = [rng.randint(1, 3) for _ in range(nd)]
        d = [rng.choice([1, 1, 2, 3]) for _ in range(nd)]
        p = [rng.randint(0, kk // 2) for kk in k]
        ceil = rng.random() < 0.5
        ri = rng.random() < 0.7
        size = [rng.randint(2, 9 if nd < 3 else 6) for _ in range(nd)]
        lead = [rng.randint(1, 2), rng.randint(1, 3)] if rng.random() < 0.8 else [rng.randint(1, 3)]
        expr = "nn.MaxPool%dd(%s, stride=%s, padding=%s, dilation=%s, ceil_mode=%s, return_indices=%s)" % (
            nd, tup(k), tup(s), tup(p), tup(d), ceil, ri)
        out.append(run_case([expr], lead + size, rng.choice(["randn", "ties", "special"]), gen, EXACT))
    return out


def avgpool_cases(rng, gen):
    out = [
        run_case(["nn.AvgPool2d(2, stride=2, ceil_mode=True)"], [1, 1, 5, 5], "randn", gen, EXACT),
        run_case(["nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)"], [1, 2, 6, 6], "randn", gen, EXACT),
        run_case(["nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)"], [1, 2, 6, 6], "randn", gen, EXACT),
        run_case(["nn.AvgPool2d(3, stride=1, padding=1, divisor_override=5)"], [2, 5, 5], "randn", gen, EXACT),
        run_case(["nn.AvgPool3d(2, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=3)"], [1, 1, 5, 5, 5], "randn", gen, EXACT),
    ]
    for _ in range(50):
        nd = rng.choice([1, 2, 2, 3])
        k = [rng.randint(1, 4) for _ in range(nd)]
        s = [rng.randint(1, 3) for _ in range(nd)]
        p = [rng.randint(0, kk // 2) for kk in k]
        ceil = rng.random() < 0.5
        cip = rng.random() < 0.5
        size = [rng.randint(max(k), 9 if nd < 3 else 6) for _ in range(nd)]
        extra = ""
        if nd > 1 and rng.random() < 0.3:
            extra = ", divisor_override=%d" % rng.choice([1, 2, 3, 7])
        expr = "nn.AvgPool%dd(%s, stride=%s, padding=%s, ceil_mode=%s, count_include_pad=%s%s)" % (
            nd, tup(k), tup(s), tup(p), ceil, cip, extra)
        lead = [rng.randint(1, 2), rng.randint(1, 3)]
        out.append(run_case([expr], lead + size, "randn", gen, EXACT))
    return out


def lppool_cases(rng, gen):
    out = []
    for _ in range(24):
        nd = rng.choice([1, 2])
        p = rng.choice([1, 2, 2, 3, 1.5, 0.5])
        k = [rng.randint(1, 3) for _ in range(nd)]
        s = [rng.randint(1, 3) for _ in range(nd)]
        ceil = rng.random() < 0.5
        size = [rng.randint(3, 8) for _ in range(nd)]
        kk = k[0] if nd == 1 else tup(k)
        ss = s[0] if nd == 1 else tup(s)
        expr = "nn.LPPool%dd(%s, %s, stride=%s, ceil_mode=%s)" % (nd, p, kk, ss, ceil)
        kind = "randn" if p in (1, 2, 3) else "positive"
        exact = p == 2
        out.append(run_case([expr], [1, 2] + size, kind, gen, EXACT if exact else NEAR))
    return out


def adaptive_cases(rng, gen):
    out = []
    for _ in range(40):
        nd = rng.choice([1, 2, 2, 3])
        is_max = rng.random() < 0.5
        size = [rng.randint(1, 9 if nd < 3 else 5) for _ in range(nd)]
        osz = [rng.randint(1, 7) for _ in range(nd)]
        if all(o == 1 for o in osz):
            osz[-1] = 2
        ri = is_max and rng.random() < 0.7
        args = tup(osz) if nd > 1 else str(osz[0])
        expr = "nn.Adaptive%sPool%dd(%s%s)" % ("Max" if is_max else "Avg", nd, args,
                                              ", return_indices=True" if ri else "")
        lead = [rng.randint(1, 2), rng.randint(1, 3)]
        out.append(run_case([expr], lead + size, "special" if is_max else "randn", gen, EXACT))
    # Output 1: mean() in PyTorch.
    for nd in (1, 2, 3):
        expr = "nn.AdaptiveAvgPool%dd(1)" % nd
        out.append(run_case([expr], [2, 3] + [7] * nd, "randn", gen, EXACT))
    out.append(run_case(["nn.AdaptiveAvgPool2d(1)"], [3, 13, 11], "randn", gen, EXACT))
    # Plane sizes around the vector width, the 4-way interleave and the cascade's level steps
    # (their own generator, so the families after this one keep their data).
    mgen = torch.Generator().manual_seed(4242)
    for hw in ([1, 1], [1, 5], [2, 4], [3, 3], [4, 4], [8, 8], [23, 23], [64, 64], [129, 65]):
        lead = [1, 9] if hw[0] * hw[1] < 1000 else [1, 2]
        out.append(run_case(["nn.AdaptiveAvgPool2d(1)"], lead + hw, "randn", mgen, EXACT))
    out.append(run_case(["nn.AdaptiveAvgPool2d((1, 1))"], [2, 5, 7, 7], "special", mgen, EXACT))
    return out


def upsample_cases(rng, gen):
    out = []
    for _ in range(50):
        mode = rng.choice(["nearest", "nearest", "nearest-exact", "linear", "bilinear", "bilinear",
                           "bicubic", "trilinear", "area"])
        nd = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}.get(mode, rng.choice([1, 2, 3]))
        size = [rng.randint(1, 7 if nd < 3 else 4) for _ in range(nd)]
        if rng.random() < 0.5:
            sf = rng.choice([2, 3, 0.5, 1.5, 2.5, 1.7])
            arg = "scale_factor=%s" % sf
            if any(int(s * sf) < 1 for s in size):
                continue
        else:
            osz = [rng.randint(1, 10 if nd < 3 else 6) for _ in range(nd)]
            arg = "size=%s" % (tup(osz) if nd > 1 else osz[0])
        ac = ""
        if mode in ("linear", "bilinear", "bicubic", "trilinear") and rng.random() < 0.4:
            ac = ", align_corners=True"
        expr = "nn.Upsample(%s, mode='%s'%s)" % (arg, mode, ac)
        c = rng.choice([1, 3])
        case = run_case([expr], [rng.randint(1, 2), c] + size, "randn", gen, NEAR)
        if case is not None:
            out_spatial = case["output"]["shape"][2:]
            # Exact: nearest modes; linear modes over more than one channel (1.13 sends a
            # single-channel 4D/5D tensor down its channels-last path, which 2.x no longer
            # does); area unless it is a mean() (all output sizes 1); bicubic.
            exact = (mode in ("nearest", "nearest-exact", "linear", "bicubic")
                     or (mode in ("bilinear", "trilinear") and c > 1)
                     or (mode == "area" and any(o != 1 for o in out_spatial)))
            case["tol"] = EXACT if exact else NEAR
        out.append(case)
    return out


def bicubic_cases():
    """Bicubic upsampling, exact: the configurations of PyTorch's own tests, each with what
    print(output) prints, then a random sweep (sizes, scales, align_corners, magnitudes)."""
    gen = torch.Generator().manual_seed(2718)
    rng = random.Random(2718)
    out = []

    def add(expr, shape, kind, name):
        case = run_case([expr], shape, kind, gen, EXACT, name=name)
        if case is not None:
            y = torch.from_numpy(numpy_f32(case["output"]))
            case["printed"] = str(y)
        out.append(case)

    # test_nn.py test_upsamplingBicubic2d: the OpenCV-checked table, then ones and randn at
    # scale factors 0.5, 1, 1.5, 2 with align_corners both ways.
    add("nn.Upsample(scale_factor=2, mode='bicubic', align_corners=False)", [1, 2, 2, 2], "arange",
        "test_nn test_upsamplingBicubic2d: arange(8).view(1, 2, 2, 2), scale 2")
    for ac in (True, False):
        for sf in (0.5, 1, 1.5, 2):
            for kind in ("ones", "randn"):
                add("nn.Upsample(scale_factor=%s, mode='bicubic', align_corners=%s)" % (sf, ac),
                    [2, 3, 8, 8], kind, "test_nn test_upsamplingBicubic2d: %s(2, 3, 8, 8), "
                    "scale_factor=%s, align_corners=%s" % (kind, sf, ac))
    # common_nn.py module tests interpolate_bicubic_* (randn input of input_size).
    for full, expr, shape in [
            ("interpolate_bicubic_2d", "size=12, align_corners=False", [1, 2, 4, 4]),
            ("interpolate_bicubic_tuple_2d", "size=(4, 6), align_corners=False", [1, 2, 2, 3]),
            ("interpolate_bicubic_scale_2d", "scale_factor=4., align_corners=False", [1, 2, 4, 4]),
            ("interpolate_bicubic_scale_tuple_shared_2d", "scale_factor=(2., 2.), align_corners=False",
             [1, 2, 4, 4]),
            ("interpolate_bicubic_scale_tuple_skewed_2d", "scale_factor=(2., 1.), align_corners=False",
             [1, 2, 4, 4]),
            ("interpolate_bicubic_tuple_2d_align_corners", "size=(4, 6), align_corners=True",
             [1, 2, 4, 4]),
            ("interpolate_bicubic_scale_tuple_skewed_2d_align_corners",
             "scale_factor=(2., 1.), align_corners=True", [1, 2, 4, 4])]:
        add("nn.Upsample(%s, mode='bicubic')" % expr, shape, "randn", "common_nn " + full)
    # The interpolate OpInfo (common_methods_invocations.py sample_inputs_interpolate).
    for ac in (True, False, None):
        for arg in ("size=(3, 3)", "size=(5, 5)", "scale_factor=1.7", "scale_factor=0.6"):
            acs = "" if ac is None else ", align_corners=%s" % ac
            add("nn.Upsample(%s, mode='bicubic'%s)" % (arg, acs), [2, 3, 4, 4], "uniform",
                "OpInfo nn.functional.interpolate bicubic: %s%s" % (arg, acs))
    # Random sweep: odd sizes, up and down, skewed factors, one or three channels, magnitudes.
    for _ in range(60):
        h, w = rng.randint(1, 9), rng.randint(1, 9)
        ac = rng.choice([True, False, None])
        if rng.random() < 0.5:
            sf = rng.choice([2, 3, 0.5, 1.5, 2.5, 1.7, 0.3, 4, 1.3333, 0.77])
            sfs = (sf, sf) if rng.random() < 0.6 else (sf, rng.choice([2, 0.5, 1.5, 3.3]))
            if int(h * sfs[0]) < 1 or int(w * sfs[1]) < 1:
                continue
            arg = "scale_factor=%s" % tup(sfs)
        else:
            arg = "size=%s" % tup([rng.randint(1, 14), rng.randint(1, 14)])
        acs = "" if ac is None else ", align_corners=%s" % ac
        kind = rng.choice(["randn", "randn", "uniform", "special", "signed_zeros"])
        add("nn.Upsample(%s, mode='bicubic'%s)" % (arg, acs), [rng.randint(1, 2), rng.choice([1, 3]), h, w],
            kind, None)
    return out


def numpy_f32(rec):
    import numpy
    return numpy.frombuffer(base64.b64decode(rec["f32"]), "<f4").reshape(rec["shape"]).copy()


def batchnorm_cases(rng, gen):
    out = []
    for _ in range(24):
        nd = rng.choice([1, 1, 2, 3])
        c = rng.randint(1, 4)
        affine = rng.random() < 0.8
        track = rng.random() < 0.75
        mode = "train" if rng.random() < 0.3 else "eval"
        eps = rng.choice([1e-5, 1e-3, 0.1])
        if nd == 1:
            shape = [rng.randint(2, 4), c] + ([rng.randint(1, 6)] if rng.random() < 0.5 else [])
        else:
            shape = [rng.randint(1, 3), c] + [rng.randint(2, 5) for _ in range(nd)]
        expr = "nn.BatchNorm%dd(%d, eps=%s, affine=%s, track_running_stats=%s)" % (
            nd, c, eps, affine, track)
        # Non-trivial running statistics and affine parameters.
        torch.manual_seed(rng.randint(0, 10000))
        m = eval(expr, {"nn": nn})
        with torch.no_grad():
            if affine:
                m.weight.uniform_(-2, 2)
                m.bias.uniform_(-1, 1)
            if track:
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.2, 3)
        m.train(mode == "train")
        x = make_input(shape, "randn", gen) * 3 + 0.5
        with torch.no_grad():
            y = m(x)
        batch = mode == "train" or not track
        state = OrderedDict((k, f32(v)) for k, v in m.state_dict().items()
                            if not k.endswith("num_batches_tracked"))
        # state_dict after a train-mode forward holds the updated running stats; the output
        # used the batch statistics, so the loaded stats do not matter there.
        out.append(OrderedDict([("name", expr + " on %s (%s)" % (shape, mode)), ("layers", [expr]),
                                ("mode", mode), ("input", f32(x)),
                                ("state", OrderedDict((("0." + k), v) for k, v in state.items())),
                                ("output", f32(y)), ("tol", NEAR5 if batch else EXACT)]))
    return out


def conv_cases(rng, gen):
    out = []
    hand = [
        ["nn.Conv2d(2, 4, 4, padding='same', dilation=1)"],
        ["nn.Conv1d(3, 2, 4, padding='same', padding_mode='reflect')"],
        ["nn.Conv2d(2, 2, 3, padding=2, padding_mode='circular')"],
        ["nn.Conv2d(2, 4, 3, padding=(1, 2), padding_mode='replicate', groups=2)"],
        ["nn.Conv3d(2, 2, 2, padding='same', padding_mode='reflect', bias=False)"],
    ]
    shapes = [[1, 2, 6, 7], [2, 3, 9], [1, 2, 5, 5], [2, 2, 4, 5], [1, 2, 4, 4, 4]]
    for exprs, shape in zip(hand, shapes):
        out.append(run_case(exprs, shape, "randn", gen, CONV, seed=rng.randint(0, 1000)))
    for _ in range(40):
        nd = rng.choice([1, 2, 2, 3])
        g = rng.choice([1, 1, 2, 3])
        cin = g * rng.randint(1, 3)
        cout = g * rng.randint(1, 3)
        k = [rng.randint(1, 3) for _ in range(nd)]
        s = [rng.randint(1, 2) for _ in range(nd)]
        d = [rng.choice([1, 1, 2]) for _ in range(nd)]
        mode = rng.choice(["zeros", "zeros", "reflect", "replicate", "circular"])
        if rng.random() < 0.2:
            pad = "'same'"
            s = [1] * nd
        else:
            pad = tup([rng.randint(0, 2) for _ in range(nd)])
        size = [rng.randint(3, 8 if nd < 3 else 5) for _ in range(nd)]
        bias = rng.random() < 0.8
        expr = "nn.Conv%dd(%d, %d, %s, stride=%s, padding=%s, dilation=%s, groups=%d, bias=%s, padding_mode='%s')" % (
            nd, cin, cout, tup(k), tup(s), pad, tup(d), g, bias, mode)
        batched = rng.random() < 0.8 or mode == "circular"
        shape = ([rng.randint(1, 2)] if batched else []) + [cin] + size
        out.append(run_case([expr], shape, "randn", gen, CONV, seed=rng.randint(0, 1000)))
    return out


def conv_transpose_cases(rng, gen):
    out = []
    for _ in range(30):
        nd = rng.choice([1, 2, 2, 3])
        g = rng.choice([1, 1, 2])
        cin = g * rng.randint(1, 3)
        cout = g * rng.randint(1, 3)
        k = [rng.randint(1, 3) for _ in range(nd)]
        s = [rng.randint(1, 3) for _ in range(nd)]
        d = [rng.choice([1, 1, 2]) for _ in range(nd)]
        p = [rng.randint(0, 1) for _ in range(nd)]
        op = [rng.randint(0, max(ss, dd) - 1) for ss, dd in zip(s, d)]
        size = [rng.randint(2, 6 if nd < 3 else 4) for _ in range(nd)]
        bias = rng.random() < 0.8
        expr = "nn.ConvTranspose%dd(%d, %d, %s, stride=%s, padding=%s, output_padding=%s, groups=%d, bias=%s, dilation=%s)" % (
            nd, cin, cout, tup(k), tup(s), tup(p), tup(op), g, bias, tup(d))
        batched = rng.random() < 0.8
        shape = ([rng.randint(1, 2)] if batched else []) + [cin] + size
        out.append(run_case([expr], shape, "randn", gen, CONV, seed=rng.randint(0, 1000)))
    return out


def linear_cases(rng, gen):
    out = []
    out.append(run_case(["nn.Flatten()", "nn.Linear(12, 5)"], [2, 3, 2, 2], "randn", gen, CONV, seed=3))
    out.append(run_case(["nn.Linear(7, 3)"], [7], "randn", gen, CONV, seed=4))
    out.append(run_case(["nn.Linear(4, 6, bias=False)"], [2, 3, 4], "randn", gen, CONV, seed=5))
    out.append(run_case(["nn.Linear(300, 20)"], [3, 300], "randn", gen, CONV, seed=6))
    out.append(run_case(["nn.Flatten(0)", "nn.Linear(24, 2)"], [2, 3, 4], "randn", gen, CONV, seed=7))
    return out


def misc_cases(rng, gen):
    out = []
    exact_acts = ["nn.ReLU()", "nn.ReLU6()", "nn.LeakyReLU(0.2)", "nn.LeakyReLU()", "nn.Hardswish()",
                  "nn.Identity()", "nn.Dropout(0.3)", "nn.Dropout2d()", "nn.Flatten()",
                  "nn.ZeroPad2d((1, 2, 0, 3))", "nn.ConstantPad2d(2, 3.5)",
                  "nn.ConstantPad2d((-1, 2, 1, -2), -1.0)", "nn.ZeroPad2d(1)"]
    near_acts = ["nn.GELU()", "nn.GELU(approximate='tanh')", "nn.SiLU()", "nn.Sigmoid()", "nn.Tanh()",
                 "nn.Softmax(dim=1)", "nn.Softmax(dim=-1)", "nn.Softmax(dim=0)", "nn.Softmax(dim=2)"]
    for e in exact_acts:
        out.append(run_case([e], [2, 3, 4, 5], "randn", gen, EXACT))
    out.append(run_case(["nn.ZeroPad2d((1, 1, 2, 0))"], [3, 4, 4], "randn", gen, EXACT))
    out.append(run_case(["nn.ReLU()", "nn.Hardswish()"], [2, 40], "special", gen, EXACT))
    for e in near_acts:
        out.append(run_case([e], [2, 3, 4, 5], "randn", gen, NEAR))
    out.append(run_case(["nn.Softmax(dim=1)"], [4, 37], "randn", gen, NEAR))
    out.append(run_case(["nn.Softmax(dim=0)"], [40], "randn", gen, NEAR))
    out.append(run_case(["nn.GELU()", "nn.SiLU()"], [3, 50], "randn", gen, NEAR))
    # The sign of zero (exact cases compare it): relu(-0) is -0 in PyTorch. Own generator, so
    # the cases above keep their data.
    zgen = torch.Generator().manual_seed(2468)
    for e in ["nn.ReLU()", "nn.ReLU6()", "nn.LeakyReLU(0.1)", "nn.Hardswish()", "nn.Identity()",
              "nn.MaxPool2d(2)", "nn.AvgPool2d(2)", "nn.ZeroPad2d(1)"]:
        out.append(run_case([e], [2, 3, 6, 7], "signed_zeros", zgen, EXACT))
    # 0-d inputs (--input []): the layers PyTorch runs on a 0-d tensor. Own generator again.
    sgen = torch.Generator().manual_seed(1113)
    for e in ["nn.ReLU()", "nn.ReLU6()", "nn.LeakyReLU(0.2)", "nn.Hardswish()", "nn.Identity()",
              "nn.Dropout(0.3)", "nn.Flatten(0)", "nn.Flatten(0, -1)"]:
        for kind in ("randn", "signed_zeros"):
            out.append(run_case([e], [], kind, sgen, EXACT))
    # Hardsigmoid (MobileNetV3's gate): exact. Own generator, so the cases above keep their data.
    hgen = torch.Generator().manual_seed(3579)
    for kind in ("randn", "special", "signed_zeros"):
        out.append(run_case(["nn.Hardsigmoid()"], [2, 3, 5, 7], kind, hgen, EXACT))
    out.append(run_case(["nn.Hardsigmoid()"], [], "randn", hgen, EXACT))  # inplace would record the changed input
    for e in ["nn.GELU()", "nn.GELU(approximate='tanh')", "nn.SiLU()", "nn.Sigmoid()", "nn.Tanh()",
              "nn.Softmax()", "nn.Softmax(dim=0)", "nn.Softmax(dim=-1)"]:
        out.append(run_case([e], [], "randn", sgen, NEAR))
    out.append(run_case(["nn.Flatten(0)", "nn.Linear(1, 3)"], [], "randn", sgen, CONV, seed=8))
    return out


# ----------------------------------------------------------------------------------------------
def dropout_cases():
    """Train-mode Dropout: the mask of torch.manual_seed(dropout_seed) + bernoulli_, exact."""
    gen = torch.Generator().manual_seed(1357)
    out = []
    for i, (e, shape, kind) in enumerate([
            ("nn.Dropout(0.5)", [4], "randn"),
            ("nn.Dropout(0.5)", [2, 3, 5, 7], "randn"),
            ("nn.Dropout(0.1)", [3, 40], "special"),
            ("nn.Dropout(0.9)", [1, 8, 6, 6], "randn"),
            ("nn.Dropout(p=0.25)", [100], "signed_zeros"),
            ("nn.Dropout(0.0)", [2, 9], "randn"),
            ("nn.Dropout(1.0)", [2, 9], "special"),
            ("nn.Dropout2d(0.5)", [2, 6, 4, 5], "randn"),
            ("nn.Dropout2d(0.3)", [5, 3, 7], "randn"),
            ("nn.Dropout2d(0.7)", [4, 9], "special"),
            ("nn.Dropout2d(1.0)", [2, 3, 2, 2], "signed_zeros")]):
        out.append(run_case([e], shape, kind, gen, EXACT, mode="train", dropout_seed=100 + i))
    # Several masks in layer order, between layers that draw nothing in the forward pass.
    out.append(run_case(["nn.Conv2d(3, 4, 3, padding=1)", "nn.Dropout(0.4)", "nn.ReLU()",
                         "nn.Dropout2d(0.5)", "nn.BatchNorm2d(4)", "nn.Dropout(0.2)"],
                        [2, 3, 6, 6], "randn", gen, CONV, mode="train", dropout_seed=7))
    # A 0-d input draws one mask element (seeds chosen so both outcomes occur).
    for seed in (0, 1):
        out.append(run_case(["nn.Dropout(0.5)"], [], "randn", gen, EXACT, mode="train",
                            dropout_seed=seed))
    return out


def activation_cases():
    """Issue 11's activations and dropouts. Own generators, so no other family changes."""
    gen = torch.Generator().manual_seed(1111)
    out = []
    exact = ["nn.Hardtanh()", "nn.Hardtanh(-0.5, 2.0)", "nn.Hardtanh(-0.0, 0.5)",
             "nn.Hardtanh(min_value=-2.0, max_value=0.25)", "nn.Threshold(0.1, 20.0)",
             "nn.Threshold(-0.5, -0.0)", "nn.Threshold(0, 0)", "nn.Hardshrink()", "nn.Hardshrink(0.0)",
             "nn.Hardshrink(1.25)", "nn.Softshrink()", "nn.Softshrink(0.0)", "nn.Softshrink(1.5)",
             "nn.Softsign()", "nn.PReLU()", "nn.PReLU(3)", "nn.PReLU(3, init=-0.5)",
             "nn.PReLU(1, 0.0)", "nn.Dropout3d()", "nn.AlphaDropout(0.3)",
             "nn.FeatureAlphaDropout()", "torchvision.ops.StochasticDepth(0.3, 'row')",
             "torchvision.ops.StochasticDepth(0.3, mode='batch')"]
    for e in exact:
        for kind in ("randn", "special", "signed_zeros"):
            out.append(run_case([e], [2, 3, 5, 7], kind, gen, EXACT))
    for e, shape in [("nn.Dropout1d(0.2)", [2, 3, 35]), ("nn.Dropout1d()", [3, 35]),
                     ("nn.PReLU()", [40]), ("nn.PReLU()", []), ("nn.PReLU(3)", [2, 3]),
                     ("nn.PReLU(4)", [2, 4, 3, 2, 2]), ("nn.Hardtanh(-2.0, 3.0)", []),
                     ("nn.Softshrink(0.25)", []), ("nn.Softsign()", [])]:
        out.append(run_case([e], shape, "signed_zeros", gen, EXACT))
    near = ["nn.ELU()", "nn.ELU(0.5)", "nn.ELU(alpha=-1.5)", "nn.SELU()", "nn.CELU()",
            "nn.CELU(2.0)", "nn.CELU(alpha=0.25)", "nn.Mish()", "nn.Softplus()",
            "nn.Softplus(2, 5)", "nn.Softplus(beta=0.5, threshold=1)", "nn.Tanhshrink()",
            "nn.LogSigmoid()", "nn.LogSoftmax(dim=1)", "nn.LogSoftmax(dim=-1)",
            "nn.LogSoftmax(dim=0)", "nn.LogSoftmax()", "nn.LogSoftmax(2)", "nn.Softmax2d()"]
    for e in near:
        for kind in ("randn", "special"):
            out.append(run_case([e], [2, 3, 5, 7], kind, gen, NEAR))
    for e, shape in [("nn.Softmax2d()", [3, 5, 7]), ("nn.LogSoftmax()", [3, 5, 7]),
                     ("nn.LogSoftmax(dim=0)", [40]), ("nn.LogSoftmax()", []),
                     ("nn.LogSoftmax(dim=-1)", [4, 37]), ("nn.GLU()", [2, 3, 5, 8]),
                     ("nn.GLU(1)", [2, 4, 5, 7]), ("nn.GLU(0)", [4, 6]), ("nn.GLU(-3)", [2, 6, 3, 5]),
                     ("nn.GLU()", [70]), ("nn.ELU()", []), ("nn.Mish()", [50]),
                     ("nn.Softplus()", [100]), ("nn.LogSigmoid()", [100])]:
        out.append(run_case([e], shape, "randn", gen, NEAR))
        out.append(run_case([e], shape, "special", gen, NEAR))
    # Train mode: PyTorch's masks, from torch.manual_seed(dropout_seed).
    for i, (e, shape, kind) in enumerate([
            ("nn.Dropout1d(0.5)", [2, 6, 9], "randn"),
            ("nn.Dropout1d(0.3)", [6, 9], "special"),
            ("nn.Dropout1d(1.0)", [2, 3, 4], "signed_zeros"),
            ("nn.Dropout3d(0.5)", [2, 3, 2, 3, 4], "randn"),
            ("nn.Dropout3d(0.4)", [3, 2, 3, 4], "randn"),
            ("nn.Dropout3d(0.5)", [5, 7], "special"),
            ("nn.Dropout3d(0.5)", [9], "randn"),
            ("nn.Dropout3d(0.0)", [2, 3, 2, 2, 2], "randn"),
            ("nn.AlphaDropout(0.5)", [2, 3, 5, 7], "randn"),
            ("nn.AlphaDropout(0.2)", [40], "special"),
            ("nn.AlphaDropout(1.0)", [2, 9], "signed_zeros"),
            ("nn.AlphaDropout(0.0)", [2, 9], "randn"),
            ("nn.AlphaDropout(0.5)", [], "randn"),
            ("nn.FeatureAlphaDropout(0.5)", [2, 6, 4, 5], "randn"),
            ("nn.FeatureAlphaDropout(0.3)", [4, 9], "special"),
            ("nn.FeatureAlphaDropout(1.0)", [4, 9], "randn"),
            ("torchvision.ops.StochasticDepth(0.5, 'row')", [8, 3, 4], "randn"),
            ("torchvision.ops.StochasticDepth(0.2, 'row')", [16, 5], "special"),
            ("torchvision.ops.StochasticDepth(0.5, 'batch')", [2, 3, 4], "randn"),
            ("torchvision.ops.StochasticDepth(0.5, 'batch')", [2, 3, 4], "randn"),
            ("torchvision.ops.StochasticDepth(1.0, 'row')", [4, 3], "signed_zeros"),
            ("torchvision.ops.StochasticDepth(0.0, 'batch')", [4, 3], "randn"),
            ("torchvision.ops.StochasticDepth(0.5, 'batch')", [], "randn")]):
        out.append(run_case([e], shape, kind, gen, EXACT, mode="train", dropout_seed=200 + i))
    # Draws in layer order: p = 1 StochasticDepth still draws its noise, Dropout(1.0) does not.
    out.append(run_case(["torchvision.ops.StochasticDepth(1.0, 'row')", "nn.Dropout(0.5)",
                         "nn.Dropout(1.0)", "nn.AlphaDropout(0.5)",
                         "torchvision.ops.StochasticDepth(0.5, 'batch')",
                         "nn.FeatureAlphaDropout(0.5)", "nn.Dropout1d(0.5)"],
                        [3, 4, 6], "randn", gen, EXACT, mode="train", dropout_seed=9))
    out.append(run_case(["nn.Conv2d(3, 4, 3, padding=1)", "nn.PReLU(4, 0.1)",
                         "nn.Dropout3d(0.5)", "nn.GLU(1)"],
                        [2, 3, 6, 6], "randn", gen, CONV, mode="train", dropout_seed=11))
    return out


def init_cases():
    seqs = [
        (["nn.Conv2d(3, 8, 3)"], [1, 3, 8, 8], 0),
        (["nn.Conv2d(3, 8, 3)"], [1, 3, 8, 8], 1234),
        (["nn.Conv1d(4, 6, 5, groups=2)"], [1, 4, 10], 7),
        (["nn.Conv3d(2, 4, (1, 2, 3), bias=False)"], [1, 2, 3, 4, 5], 3),
        (["nn.Linear(10, 5)"], [2, 10], 0),
        (["nn.Linear(3, 300)"], [3], 42),
        (["nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2)"], [1, 4, 5, 5], 5),
        (["nn.ConvTranspose1d(3, 2, 4)"], [1, 3, 5], 11),
        (["nn.Conv2d(1, 4, 3)", "nn.BatchNorm2d(4)", "nn.ReLU()", "nn.Conv2d(4, 4, 1)",
          "nn.Flatten()", "nn.Linear(144, 7)", "nn.Linear(7, 2, bias=False)"], [1, 1, 8, 8], 99),
        # MultiheadAttention: out_proj drawn first (kaiming, then its bias zeroed), then
        # xavier_uniform_ in_proj_weight (or q/k/v_proj_weight), xavier_normal_ bias_k/bias_v
        # (6 and 20 elements: the scalar and the 16-wide normal_ paths).
        (["nn.MultiheadAttention(8, 2)"], [5, 1, 8], 0),
        (["nn.MultiheadAttention(6, 3, add_bias_kv=True, bias=False)"], [2, 6], 5),
        (["nn.MultiheadAttention(20, 4, add_bias_kv=True)"], [3, 2, 20], 17),
        (["nn.Linear(4, 8)", "nn.MultiheadAttention(8, 1, add_bias_kv=True)"], [2, 4], 8),
        # torchvision's Swin and MaxViT modules: qkv and proj (to_qkv and merge) drawn first,
        # then trunc_normal_(std=0.02) of the bias table (uniform_, erfinv_, mul_, clamp_);
        # V2: logit_scale log(10), cpb_mlp after them, qkv.bias's middle third zeroed; the index
        # and coordinate buffers computed.
        (["torchvision.models.swin_transformer.ShiftedWindowAttention(8, [3, 3], [1, 1], 2)"],
         [1, 6, 6, 8], 0),
        (["torchvision.models.swin_transformer.ShiftedWindowAttention(12, [7, 7], [3, 3], 3)"],
         [1, 7, 7, 12], 21),
        (["torchvision.models.swin_transformer.ShiftedWindowAttentionV2(8, [4, 4], [2, 2], 2)"],
         [1, 8, 8, 8], 3),
        (["torchvision.models.swin_transformer.PatchMerging(6)",
          "torchvision.models.swin_transformer.PatchMergingV2(12)"], [1, 8, 8, 6], 4),
        (["torchvision.models.maxvit.RelativePositionalMultiHeadAttention(16, 4, 49)"],
         [1, 2, 49, 16], 9),
    ]
    cases = []
    for exprs, shape, seed in seqs:
        m = build(exprs, seed)
        state = OrderedDict((k, f32(v)) for k, v in m.state_dict().items()
                            if not k.endswith("num_batches_tracked"))
        cases.append(OrderedDict([("name", " ; ".join(exprs) + " seed %d" % seed), ("layers", exprs),
                                  ("input_shape", shape), ("seed", seed), ("state", state)]))
    return cases


def network_cases():
    def lenet5():
        return nn.Sequential(OrderedDict([
            ("c1", nn.Conv2d(1, 6, 5)), ("tanh1", nn.Tanh()), ("s2", nn.AvgPool2d(2)),
            ("c3", nn.Conv2d(6, 16, 5)), ("tanh2", nn.Tanh()), ("s4", nn.AvgPool2d(2)),
            ("flatten", nn.Flatten()), ("f5", nn.Linear(400, 120)), ("tanh3", nn.Tanh()),
            ("f6", nn.Linear(120, 84)), ("tanh4", nn.Tanh()), ("output", nn.Linear(84, 10))]))

    def funnel():
        return nn.Sequential(nn.Conv2d(3, 8, kernel_size=3), nn.MaxPool2d(kernel_size=2, stride=2),
                             nn.Conv2d(8, 16, kernel_size=3), nn.MaxPool2d(kernel_size=2, stride=2))

    small = ["nn.Conv2d(3, 8, 3, padding=1)", "nn.BatchNorm2d(8)", "nn.ReLU()",
             "nn.MaxPool2d(2)", "nn.Conv2d(8, 8, 3, stride=2, padding=1, bias=False)",
             "nn.AdaptiveAvgPool2d((2, 2))", "nn.Flatten()", "nn.Linear(32, 10)", "nn.Softmax(dim=1)"]
    cases = []
    for spec, make, shape, seeds in [("examples/networks/lenet5.json", lenet5, [1, 1, 32, 32], [0, 7]),
                                     ("examples/networks/funnel.json", funnel, [3, 110, 110], [0])]:
        for seed in seeds:
            torch.manual_seed(seed)
            m = make().eval()
            torch.manual_seed(seed)
            x = torch.randn(shape)
            with torch.no_grad():
                y = m(x)
            cases.append(OrderedDict([("name", "%s seed %d" % (spec, seed)), ("spec", spec),
                                      ("seed", seed), ("input", f32(x)), ("output", f32(y)),
                                      ("tol", CONV)]))
    for seed in (0, 5):
        m = build(small, seed).eval()
        torch.manual_seed(seed)
        x = torch.randn(2, 3, 12, 12)
        with torch.no_grad():
            y = m(x)
        cases.append(OrderedDict([("name", "conv/bn/pool/linear stack seed %d" % seed),
                                  ("layers", small), ("seed", seed), ("input", f32(x)),
                                  ("output", f32(y)), ("tol", CONV)]))
    return cases


# ----------------------------------------------------------------------------------------------
BINARY_FNS = {"Add": torch.add, "torch.add": torch.add, "Sub": torch.sub, "torch.sub": torch.sub,
              "Mul": torch.mul, "torch.mul": torch.mul, "Div": torch.div, "torch.div": torch.div}


TUPLE_FNS = {"Chunk": torch.chunk, "torch.chunk": torch.chunk, "Split": torch.split,
             "torch.split": torch.split, "Unbind": torch.unbind, "torch.unbind": torch.unbind}


def ref_value(outs, ref):
    """outs[ref], or element k of a tuple for "name[k]"."""
    if ref.endswith("]") and "[" in ref:
        base, k = ref[:-1].rsplit("[", 1)
        return outs[base][int(k)]
    return outs[ref]


def run_spec(spec, x, seed, values=None):
    """Evaluates a flat cnnshape JSON spec (modules by their PyTorch keywords, merge layers by
    "inputs") the way cnnshape plans it; returns (output, state_dict), or with the spec's
    "outputs" ((dict of named outputs), state_dict). Parameter and Buffer layers take their
    tensors from `values` (name -> tensor; random when absent) and join the state_dict."""
    torch.manual_seed(seed)
    mods = nn.ModuleDict()
    own = OrderedDict()
    outs = {"input": x}
    prev = x
    for i, l in enumerate(spec["layers"]):
        l = dict(l)
        name = l.pop("name", str(i))
        typ = l.pop("type")
        refs = l.pop("inputs", None)
        ins = [ref_value(outs, r) for r in refs] if refs else [prev]
        if typ in ("Parameter", "nn.Parameter", "Buffer"):
            shape = l.pop("shape", None) or l.pop("args")[0]
            v = (values or {}).get(name)
            y = v if v is not None else torch.randn(shape)
            own[name] = y
        elif typ == "Expand":
            y = ins[0].expand(*l.pop("args", [l.pop("size", None)])[0])
        elif typ in TUPLE_FNS:
            y = TUPLE_FNS[typ](ins[0], *l.pop("args", []), **l)
        elif typ in BINARY_FNS:
            fn = BINARY_FNS[typ]
            if "other" in l:
                y = fn(ins[0], l.pop("other"), **l)
            else:
                y = ins[0]
                for t in ins[1:]:
                    y = fn(y, t, **l)
        elif typ in ("Concat", "torch.cat"):
            y = torch.cat(ins, **l)
        elif typ.startswith("MaxUnpool"):  # forward(values, indices, output_size)
            osz = l.pop("output_size", None)
            m = getattr(nn, typ)(**l)
            y = m(ins[0], ins[1], output_size=osz)
        elif typ in ("Stack", "torch.stack"):
            y = torch.stack(ins, **l)
        elif typ in ("Matmul", "torch.matmul", "Bmm", "torch.bmm"):
            y = (torch.bmm if typ in ("Bmm", "torch.bmm") else torch.matmul)(*ins)
        elif typ in ("Einsum", "torch.einsum"):
            y = torch.einsum(l.pop("equation"), *ins)
        elif typ.startswith("torch."):
            y = getattr(torch, typ[6:])(*ins, **l)
        else:
            m = getattr(nn, typ)(**l)
            mods[name] = m
            y = m.eval()(ins[0])
        outs[name] = y
        prev = y
    state = mods.state_dict()
    state.update(own)
    if "outputs" in spec:
        o = spec["outputs"]
        named = o.items() if isinstance(o, dict) else [(r, r) for r in o]
        return OrderedDict((k, ref_value(outs, r)) for k, r in named), state
    return prev, state


def binary_cases(gen):
    def spec(shape, layers):
        return OrderedDict([("input", shape), ("layers", layers)])

    def conv(name, cin, cout, k=1, inputs=None, **kw):
        l = OrderedDict([("name", name), ("type", "Conv2d"), ("in_channels", cin),
                         ("out_channels", cout), ("kernel_size", k)])
        l.update(kw)
        if inputs:
            l["inputs"] = inputs
        return l

    def merge(name, typ, inputs, **kw):
        l = OrderedDict([("name", name), ("type", typ), ("inputs", inputs)])
        l.update(kw)
        return l

    cases = []

    def add(title, sp, kind, tol=None):
        if tol is None:
            tol = NEAR if any("alpha" in l and l["alpha"] != 1 for l in sp["layers"]) else EXACT
        x = make_input(sp["input"], kind, gen)
        with torch.no_grad():
            y, state = run_spec(sp, x, 0)
        st = OrderedDict((k, f32(v)) for k, v in state.items())
        cases.append(OrderedDict([("name", title + " (%s)" % kind), ("spec", sp), ("input", f32(x)),
                                  ("state", st), ("output", f32(y)), ("tol", tol)]))

    # The branches are exact layers (average and max pooling), so every output bit is the binary
    # op's: a conv branch would bring in its accumulation order.
    def avg3(name, inputs=None):
        l = OrderedDict([("name", name), ("type", "AvgPool2d"), ("kernel_size", 3), ("stride", 1),
                         ("padding", 1)])
        if inputs:
            l["inputs"] = inputs
        return l

    def gate(kind="AdaptiveAvgPool2d"):
        return OrderedDict([("name", "gate"), ("type", kind), ("output_size", 1)])

    def channel_max(c, inputs=None):  # [N, C, H, W] as an unbatched 3-d input -> [N, 1, H, W]
        l = OrderedDict([("name", "m"), ("type", "MaxPool3d"), ("kernel_size", [c, 1, 1])])
        if inputs:
            l["inputs"] = inputs
        return l

    ops = [("Add", {}), ("Sub", {}), ("Mul", {}), ("Div", {}), ("torch.add", {"alpha": 2.5}),
           ("torch.sub", {"alpha": -0.3}), ("torch.div", {"rounding_mode": "floor"}),
           ("torch.div", {"rounding_mode": "trunc"})]
    for typ, kw in ops:
        label = typ + "".join(", %s=%r" % kv for kv in kw.items())
        # Same shapes: the input and its 3x3 average, both orders.
        for kind in ("randn", "special", "signed_zeros"):
            add("%s of [2, 4, 6, 6] and its 3x3 average" % label,
                spec([2, 4, 6, 6], [avg3("a"), merge("y", typ, ["input", "a"], **kw)]), kind)
        add("%s of the 3x3 average and [2, 4, 6, 6]" % label,
            spec([2, 4, 6, 6], [avg3("a"), merge("y", typ, ["a", "input"], **kw)]), "special")
        # Squeeze-and-excitation: [N, C, H, W] op [N, C, 1, 1], both orders.
        add("%s, [2, 8, 9, 7] by its pooled [2, 8, 1, 1]" % label,
            spec([2, 8, 9, 7], [gate(), merge("y", typ, ["input", "gate"], **kw)]), "randn")
        add("%s, the pooled [2, 8, 1, 1] by [2, 8, 9, 7]" % label,
            spec([2, 8, 9, 7], [gate("AdaptiveMaxPool2d"),
                                merge("y", typ, ["gate", "input"], **kw)]), "signed_zeros")
        # Spatial attention: [N, C, H, W] op [N, 1, H, W].
        add("%s, [2, 5, 6, 6] by a [2, 1, 6, 6] map" % label,
            spec([2, 5, 6, 6], [channel_max(5), merge("y", typ, ["input", "m"], **kw)]), "randn")
        # Ranks differ and both sides expand: [2, 1, 5] op [2, 5] -> [2, 2, 5].
        add("%s, [2, 1, 5] by its flattening [2, 5]" % label,
            spec([2, 1, 5], [OrderedDict([("name", "f"), ("type", "Flatten"), ("start_dim", 0),
                                          ("end_dim", 1)]),
                             merge("y", typ, ["input", "f"], **kw)]), "special")
    # A tensor and a number.
    for typ, kw in [("torch.add", {"other": 2.5}), ("torch.add", {"other": 1, "alpha": 3}),
                    ("torch.add", {"other": 0.1, "alpha": 0.7}), ("torch.sub", {"other": 0.5}),
                    ("torch.mul", {"other": 0.1}), ("torch.mul", {"other": -0.0}),
                    ("torch.div", {"other": 3}), ("torch.div", {"other": 0.0}),
                    ("torch.div", {"other": -0.7, "rounding_mode": "floor"}),
                    ("torch.div", {"other": 0.3, "rounding_mode": "trunc"})]:
        label = typ + "(" + ", ".join("%s=%r" % kv for kv in kw.items()) + ")"
        l = OrderedDict([("name", "y"), ("type", typ)])
        l.update(kw)
        for kind in ("randn", "special"):
            add(label + " on [3, 4, 5]", spec([3, 4, 5], [l]), kind)
    # Chains: x + a + b and x * a * b, left to right, with broadcasting.
    for typ in ("Add", "Mul"):
        add("%s of three: [2, 6, 5, 5], [2, 6, 1, 1], [2, 1, 5, 5]" % typ,
            spec([2, 6, 5, 5], [gate("AdaptiveMaxPool2d"), channel_max(6, ["input"]),
                                merge("y", typ, ["input", "gate", "m"])]), "randn")
        add("%s of four [3, 7, 4, 4]" % typ,
            spec([3, 7, 4, 4], [avg3("a"), avg3("b", ["a"]),
                                merge("y", typ, ["input", "a", "b", "input"])]), "special")
    # Large enough for the SIMD kernel to split the work between threads.
    add("Mul, [2, 16, 20, 20] by its pooled [2, 16, 1, 1]", spec([2, 16, 20, 20], [
        gate(), merge("y", "Mul", ["input", "gate"])]), "randn")
    add("torch.add alpha=2.5, [2, 16, 20, 20] and its 3x3 average", spec([2, 16, 20, 20], [
        avg3("a"), merge("y", "torch.add", ["input", "a"], alpha=2.5)]), "randn")
    add("Div, [2, 16, 20, 20] by its 3x3 average", spec([2, 16, 20, 20], [
        avg3("a"), merge("y", "Div", ["input", "a"])]), "randn")
    return cases

# ----------------------------------------------------------------------------------------------
class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


class _TorchFn:
    """torch.f(args) written without its input, as a module: torch.roll(1, 0) is roll(x, 1, 0)."""

    def __getattr__(self, name):
        fn = getattr(torch, name)
        return lambda *a, **k: Fn(lambda x: fn(x, *a, **k))


def _slice(dim=0, start=None, end=None, step=1):
    s = slice(start, end, step)
    if dim >= 0:
        return Fn(lambda x: x[(slice(None),) * dim + (s,)])
    return Fn(lambda x: x[(Ellipsis, s) + (slice(None),) * (-dim - 1)])


def build_moves(exprs, seed):
    import torchvision
    ns = {"nn": nn, "torchvision": torchvision, "torch": _TorchFn(),
          "View": lambda size: Fn(lambda x: x.view(size)),
          "Expand": lambda size: Fn(lambda x: x.expand(size)),
          "Contiguous": lambda: Fn(lambda x: x.contiguous()), "Slice": _slice}
    return nn.Sequential(*[eval(e, ns) for e in exprs])


def reshape_cases(gen):
    out = []

    def add(exprs, shape, kind="randn"):
        c = run_case(exprs, shape, kind, gen, EXACT, builder=build_moves)
        assert c is not None, exprs
        out.append(c)

    x4 = [2, 3, 4, 5]
    for e in ["torch.reshape((6, -1))", "torch.reshape((-1,))", "View((2, 3, 20))", "View(-1)",
              "torch.permute((0, 2, 3, 1))", "torch.permute((3, 1, 0, 2))",
              "torchvision.ops.Permute([0, 3, 1, 2])", "torch.transpose(1, 3)",
              "torch.swapaxes(0, 2)", "torch.swapdims(-1, -2)", "torch.unsqueeze(2)",
              "torch.unflatten(3, (5, 1))", "nn.Unflatten(1, (3, 1))", "torch.flatten()",
              "torch.flatten(1, 2)", "Expand((3, 2, 3, 4, 5))", "torch.roll(7)", "torch.roll(-2, 3)",
              "torch.roll((1, -1, 5), (0, 2, 3))", "torch.roll((2, 3), (1, 1))", "Contiguous()",
              "torch.select(2, -1)", "torch.select(0, 1)", "torch.narrow(3, 1, 3)",
              "torch.narrow(1, -2, 2)", "Slice(3, 1, None, 2)", "Slice(-2, -3)", "Slice(0, 1, 2)",
              "Slice(1, None, None, 3)", "torch.flip((3,))", "torch.flip((0, 2))",
              "torch.flip((0, 1, 2, 3))", "nn.ChannelShuffle(3)", "torch.channel_shuffle(1)"]:
        add([e], x4)
    # Several in a row: a transpose then a copy and a view, as fx graphs write them.
    add(["torch.transpose(1, 2)", "Contiguous()", "View((2, -1))"], x4)
    add(["torch.permute((0, 2, 3, 1))", "torch.reshape((2, 20, 3))", "torch.flip((1,))"], x4)
    add(["torch.transpose(0, 3)", "torch.narrow(0, 1, 3)", "torch.select(1, 2)"], x4)
    add(["torch.flip((-1,))", "Slice(3, None, None, 2)", "torch.roll(1, 0)"], x4)
    add(["torch.squeeze()"], [1, 3, 1, 5])
    add(["torch.squeeze(2)"], [2, 3, 1, 5])
    add(["Expand((2, 3, 4, 5))"], [1, 3, 1, 5])
    add(["Expand((-1, 4, -1))"], [2, 1, 7])
    add(["Expand((2, 1, 3, 6))"], [6])
    add(["Expand((4, 3))"], [])
    add(["nn.PixelShuffle(2)"], [2, 8, 3, 5])
    add(["nn.PixelShuffle(3)"], [1, 9, 2, 2])
    add(["torch.pixel_shuffle(2)"], [2, 2, 4, 3, 3])
    add(["nn.PixelShuffle(2)"], [4, 3, 2])
    add(["nn.PixelUnshuffle(2)"], [2, 2, 4, 6])
    add(["torch.pixel_unshuffle(3)"], [1, 1, 6, 3])
    add(["nn.PixelShuffle(2)", "nn.PixelUnshuffle(2)"], [1, 8, 3, 3])
    add(["nn.ChannelShuffle(2)"], [2, 6, 3, 3])
    add(["nn.ChannelShuffle(4)"], [1, 8, 5])
    add(["nn.ChannelShuffle(2)"], [2, 4, 2, 2, 3])
    add(["torch.roll(3)"], [10])
    add(["torch.roll(-13, 0)"], [10])
    add(["torch.roll(1)"], [])
    add(["torch.permute((1, 0))"], [37, 29])
    add(["torch.transpose(0, 1)"], [64, 48])
    # Every bit: NaN, infinities and signed zeros go through unchanged.
    for e in ["torch.permute((0, 2, 3, 1))", "torch.flip((1, 3))", "torch.roll((1, 2), (2, 3))",
              "Expand((2, 2, 3, 6, 7))", "nn.PixelShuffle(1)", "torch.reshape((-1, 7))"]:
        add([e], [2, 3, 6, 7], "signed_zeros")
        add([e], [2, 3, 6, 7], "special")
    return out


def split_cases(gen):
    """Chunk, Split and Unbind, whose tuple elements later layers take by index: every element
    reaches the output through exact layers (Concat in another order, Sub, a max pool)."""
    cases = []

    def add(title, shape, layers, kind="randn"):
        sp = OrderedDict([("input", shape), ("layers", layers)])
        x = make_input(shape, kind, gen)
        with torch.no_grad():
            y, state = run_spec(sp, x, 0)
        st = OrderedDict((k, f32(v)) for k, v in state.items())
        cases.append(OrderedDict([("name", title + " (%s)" % kind), ("spec", sp), ("input", f32(x)),
                                  ("state", st), ("output", f32(y)), ("tol", EXACT)]))

    # ShuffleNetV2's split: the two halves of the channels, joined the other way round.
    for kind in ("randn", "special"):
        add("Chunk(2, dim=1) of [2, 6, 5, 5], halves swapped", [2, 6, 5, 5],
            [L("c", "Chunk", chunks=2, dim=1), L("y", "Concat", ["c[1]", "c[0]"], dim=1)], kind)
    # Uneven chunks (ceil): 7 into 3 gives 3, 3, 1; along the last dim, and along dim 0.
    add("torch.chunk(3, dim=-1) of [2, 3, 7], reversed", [2, 3, 7],
        [L("c", "torch.chunk", chunks=3, dim=-1),
         L("y", "Concat", ["c[2]", "c[1]", "c[0]"], dim=-1)])
    add("Chunk(4) of [5, 3, 4] along dim 0 (2, 2, 1), reversed", [5, 3, 4],
        [L("c", "Chunk", chunks=4), L("y", "Concat", ["c[2]", "c[0]", "c[1]"])])
    # Split by size and by sections; an element used twice; an element through a layer.
    add("Split(2, dim=1) of [1, 5, 4, 4]: the last, odd piece first", [1, 5, 4, 4],
        [L("s", "Split", split_size_or_sections=2, dim=1),
         L("y", "Concat", ["s[2]", "s[0]", "s[1]"], dim=1)])
    add("torch.split([1, 3, 2], dim=2) of [2, 2, 6, 3], pooled piece minus piece", [2, 2, 6, 3],
        [L("s", "torch.split", split_size_or_sections=[1, 3, 2], dim=2),
         L("p", "MaxPool2d", ["s[1]"], kernel_size=[2, 1], stride=1),
         L("y", "Sub", ["p", "s[2]"])], "special")
    add("Split([3, 0, 2]) of [5, 4]: an empty piece", [5, 4],
        [L("s", "Split", split_size_or_sections=[3, 0, 2]),
         L("y", "Concat", ["s[2]", "s[1]", "s[0]"])])
    # Unbind: the elements lose the dim.
    add("Unbind(dim=1) of [2, 3, 4]: the last minus the first", [2, 3, 4],
        [L("u", "Unbind", dim=1), L("y", "Sub", ["u[2]", "u[0]"])])
    add("torch.unbind of [3, 2, 5], stacked back by Concat", [3, 2, 5],
        [L("u", "torch.unbind"), L("y", "Concat", ["u[1]", "u[2]", "u[0]"], dim=1)], "special")
    # Big enough that the copy is many rows.
    add("Chunk(2, dim=1) of [4, 32, 16, 16], halves subtracted", [4, 32, 16, 16],
        [L("c", "Chunk", chunks=2, dim=1), L("y", "Sub", ["c[0]", "c[1]"])])
    return cases


def parameter_cases(gen):
    """Parameter and Buffer layers (a class token, a positional embedding, layer scale) and
    networks with several named outputs, against the same computation written in PyTorch."""
    cases = []

    def add(title, shape, layers, outputs=None, tol=EXACT):
        sp = OrderedDict([("input", shape), ("layers", layers)])
        if outputs is not None:
            sp["outputs"] = outputs
        x = torch.randn(shape, generator=gen)
        values = {}
        for l in layers:
            if l["type"] in ("Parameter", "nn.Parameter", "Buffer"):
                values[l["name"]] = torch.randn(l.get("shape") or l["args"][0], generator=gen)
        with torch.no_grad():
            y, state = run_spec(sp, x, 0, values)
        st = OrderedDict((k, f32(v)) for k, v in state.items() if not k.endswith("num_batches_tracked"))
        c = OrderedDict([("name", title), ("spec", sp), ("input", f32(x)), ("state", st)])
        if isinstance(y, dict):
            c["outputs"] = OrderedDict((k, f32(v)) for k, v in y.items())
        else:
            c["output"] = f32(y)
        c["tol"] = tol
        cases.append(c)

    # ViT: class token expanded over the batch, concatenated, plus a positional embedding.
    add("class token + positional embedding (ViT)", [2, 4, 6],
        [L("class_token", "nn.Parameter", args=[[1, 1, 6]]),
         L("tok", "Expand", args=[[2, -1, -1]]),
         L("cat", "torch.cat", ["tok", "input"], dim=1),
         L("pos_embedding", "Parameter", shape=[1, 5, 6]),
         L("y", "Add", ["cat", "pos_embedding"])])
    # ConvNeXt: layer scale, a parameter of shape [C, 1, 1] times the block's output.
    add("layer scale (ConvNeXt)", [1, 3, 4, 4],
        [L("conv", "Conv2d", in_channels=3, out_channels=5, kernel_size=3, padding=1),
         L("layer_scale", "Parameter", shape=[5, 1, 1]),
         L("y", "Mul", ["conv", "layer_scale"])], tol=CONV)
    # A buffer added to the input (a fixed mean), broadcast over the batch.
    add("buffer broadcast over the batch", [3, 2, 5],
        [L("mean", "Buffer", shape=[2, 1]), L("y", "Sub", ["input", "mean"])])
    # Several outputs: a trunk, a main head and an auxiliary head (GoogLeNet-style).
    trunk = [L("stem", "Conv2d", in_channels=2, out_channels=4, kernel_size=3, padding=1),
             L("relu", "ReLU"),
             L("pool", "AdaptiveAvgPool2d", output_size=1),
             L("flat", "Flatten"),
             L("fc", "Linear", in_features=4, out_features=3),
             L("aux_pool", "AdaptiveAvgPool2d", ["relu"], output_size=2),
             L("aux_flat", "Flatten"),
             L("aux_fc", "Linear", in_features=16, out_features=2)]
    add("two named outputs: main and auxiliary head", [2, 2, 6, 6], trunk,
        OrderedDict([("out", "fc"), ("aux", "aux_fc")]), tol=CONV)
    add("outputs as a list, a feature map and a tuple element", [1, 4, 3, 3],
        [L("c", "Chunk", chunks=2, dim=1), L("m", "Mul", ["c[0]", "c[1]"])],
        ["m", "c[1]", "input"])
    return cases
def norm_cases(gen):
    """LayerNorm, GroupNorm, InstanceNorm1d/2d/3d and LocalResponseNorm on randn * 3 + 0.5 input,
    with non-trivial affine parameters and running statistics. Tolerances: InstanceNorm in eval mode
    with running statistics is BatchNorm's eval form (exact); statistics of the input itself are
    double sums in cnnshape, a float Welford cascade (LayerNorm, GroupNorm) or batch_norm's sums
    (InstanceNorm) in PyTorch: 1e-5; LocalResponseNorm exact where pow is special-cased (beta 0.5, 1,
    2, 3, -0.5, -1, -2), 1e-6 otherwise."""
    rng = random.Random(9090)
    out = []

    def record(expr, shape, mode, tol, kind="randn"):
        torch.manual_seed(rng.randint(0, 10000))
        m = eval(expr, {"nn": nn})
        with torch.no_grad():
            for name, p in list(m.named_parameters()):
                if name == "weight":
                    p.uniform_(-2, 2)
                else:
                    p.uniform_(-1, 1)
            if getattr(m, "running_mean", None) is not None:
                m.running_mean.uniform_(-1, 1)
                m.running_var.uniform_(0.2, 3)
        m.train(mode == "train")
        x = make_input(shape, kind, gen)
        if kind == "randn":
            x = x * 3 + 0.5
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = m(x)
        state = OrderedDict(("0." + k, f32(v)) for k, v in m.state_dict().items()
                            if not k.endswith("num_batches_tracked"))
        out.append(OrderedDict([("name", expr + " on %s (%s, %s)" % (shape, mode, kind)),
                                ("layers", [expr]), ("mode", mode), ("input", f32(x)),
                                ("state", state), ("output", f32(y)), ("tol", tol)]))

    for _ in range(30):  # LayerNorm
        rank = rng.randint(1, 4)
        shape = [rng.randint(1, 5) for _ in range(rank)]
        k = rng.randint(1, rank)
        ns = shape[rank - k:]
        affine = rng.random() < 0.7
        eps = rng.choice([1e-5, 1e-3, 0.1])
        expr = "nn.LayerNorm(%s, eps=%s, elementwise_affine=%s)" % (
            ns[0] if len(ns) == 1 and rng.random() < 0.5 else ns, eps, affine)
        if numel_of(ns) > 1:
            record(expr, shape, rng.choice(["eval", "train"]), NEAR5)
    record("nn.LayerNorm(8)", [3, 8], "eval", NEAR5, "ties")
    record("nn.LayerNorm([2, 3])", [2, 2, 3], "eval", NEAR5, "arange")
    for _ in range(30):  # GroupNorm
        g = rng.choice([1, 2, 3, 4])
        c = g * rng.randint(1, 3)
        nd = rng.randint(0, 3)
        shape = [rng.randint(1, 3), c] + [rng.randint(1, 4) for _ in range(nd)]
        if (c // g) * numel_of(shape[2:]) == 1:
            # A group of one value: the output is the bias plus PyTorch's rounding noise, scaled
            # up by 1 / sqrt(eps); no tolerance holds (the conformance cases cover the shape).
            continue
        affine = rng.random() < 0.7
        expr = "nn.GroupNorm(%d, %d, eps=%s, affine=%s)" % (g, c, rng.choice([1e-5, 1e-3]), affine)
        record(expr, shape, rng.choice(["eval", "train"]), NEAR5)
    record("nn.GroupNorm(2, 4)", [2, 4, 3, 3], "eval", NEAR5, "ties")
    for _ in range(40):  # InstanceNorm
        nd = rng.randint(1, 3)
        c = rng.randint(1, 4)
        affine = rng.random() < 0.5
        track = rng.random() < 0.5
        mode = "train" if rng.random() < 0.3 else "eval"
        spatial = [rng.randint(1, 4) for _ in range(nd)]
        if numel_of(spatial) == 1:
            spatial[0] = 2
        shape = ([rng.randint(1, 3)] if rng.random() < 0.7 else []) + [c] + spatial
        expr = "nn.InstanceNorm%dd(%d, eps=%s, affine=%s, track_running_stats=%s)" % (
            nd, c, rng.choice([1e-5, 1e-3, 0.1]), affine, track)
        record(expr, shape, mode, EXACT if track and mode == "eval" else NEAR5)
    for _ in range(40):  # LocalResponseNorm
        size = rng.randint(1, 7)
        beta = rng.choice([0.75, 0.75, 0.5, 1.0, 2.0, 3.0, -0.5, -1.0, -2.0, 0.2])
        alpha = rng.choice([1e-4, 1e-2, 0.5, 2.0])
        k = rng.choice([1.0, 2.0, 0.5])
        rank = rng.randint(3, 5)
        shape = [rng.randint(1, 3), rng.randint(1, 8)] + [rng.randint(1, 4) for _ in range(rank - 2)]
        expr = "nn.LocalResponseNorm(%d, alpha=%s, beta=%s, k=%s)" % (size, alpha, beta, k)
        exact = beta in (0.5, 1.0, 2.0, 3.0, -0.5, -1.0, -2.0)
        record(expr, shape, "eval", EXACT if exact else NEAR, rng.choice(["randn", "special"]))
    return out


def numel_of(shape):
    n = 1
    for s in shape:
        n *= s
    return n


NORMS_NOTE = ("InstanceNorm with running statistics in eval mode exact; own statistics 1e-5; "
              "LocalResponseNorm exact for special-cased pow, else 1e-6")
def pad_modes_cases(gen):
    """ConstantPad/ZeroPad/ReflectionPad/ReplicationPad 1d/2d/3d, with cropping (negative) pads.
    ZeroPad1d/3d are PyTorch 2.1's: their outputs come from ConstantPad{1,3}d(padding, 0.0)."""
    cases = []
    specs = [
        ("ReflectionPad1d", [(2, 1), 3, (0, 2), (-1, 2), (2, -2)], [[2, 3, 5], [3, 4]]),
        ("ReflectionPad2d", [1, (2, 0, 1, 3), (-1, 2, 2, -1), (3, 3, 0, 0)], [[2, 3, 4, 5], [2, 5, 4]]),
        ("ReflectionPad3d", [1, (1, 0, 2, 1, 0, 1), (-1, 1, 1, -1, 1, 0)], [[1, 2, 3, 4, 3], [2, 3, 3, 4]]),
        ("ReplicationPad1d", [(3, 1), 4, (-2, 3)], [[2, 3, 5], [3, 1]]),
        ("ReplicationPad2d", [2, (0, 3, 4, 1), (-2, 1, 3, -1)], [[2, 3, 4, 5], [2, 1, 1]]),
        ("ReplicationPad3d", [1, (2, 0, 1, 3, 0, 2), (-1, 2, 0, 1, 2, -1)], [[1, 2, 3, 4, 3], [2, 1, 2, 2]]),
        ("ConstantPad1d", [(2, 1), -1], [[2, 3, 5]]),
        ("ConstantPad3d", [1, (1, -1, 0, 2, 2, 0)], [[1, 2, 3, 4, 3]]),
        ("ZeroPad1d", [(2, 3), (-1, 2)], [[2, 3, 5]]),
        ("ZeroPad3d", [(1, 1, 0, 2, 1, 0)], [[1, 2, 3, 4, 3]]),
    ]
    for typ, pads, shapes in specs:
        for pad in pads:
            for shape in shapes:
                arg = tup(pad) if isinstance(pad, tuple) else str(pad)
                if typ.startswith("ConstantPad"):
                    expr = "nn.%s(%s, -1.5)" % (typ, arg)
                    run = expr
                elif typ.startswith("ZeroPad"):
                    expr = "nn.%s(%s)" % (typ, arg)
                    run = "nn.ConstantPad%s(%s, 0.0)" % (typ[-2:], arg)
                else:
                    expr = run = "nn.%s(%s)" % (typ, arg)
                for kind in ("randn", "special"):
                    c = run_case([run], shape, kind, gen, EXACT)
                    if c is None:
                        continue
                    c["layers"] = [expr]
                    c["name"] = "%s on %s (%s)" % (expr, shape, kind)
                    cases.append(c)
    return cases


def upsampling_cases(gen):
    """nn.UpsamplingNearest2d and nn.UpsamplingBilinear2d (bilinear, align_corners=True). Exact
    as Upsample is: nearest always, bilinear over more than one channel (1.13 sends a
    single-channel 4D tensor down its channels-last path, which 2.x no longer does)."""
    cases = []
    for typ in ("UpsamplingNearest2d", "UpsamplingBilinear2d"):
        for arg, shape in [("scale_factor=2", [1, 3, 4, 5]), ("size=(7, 3)", [2, 3, 4, 5]),
                           ("scale_factor=1.5", [1, 2, 5, 3]), ("9", [1, 3, 3, 4]),
                           ("scale_factor=(0.5, 2.5)", [2, 2, 6, 4]), ("size=1", [1, 3, 4, 4]),
                           ("scale_factor=2", [1, 1, 3, 3])]:
            expr = "nn.%s(%s)" % (typ, arg)
            for kind in ("randn", "special"):
                c = run_case([expr], shape, kind, gen, EXACT)
                if c is None:
                    continue
                if typ == "UpsamplingBilinear2d" and (shape[1] == 1 or kind == "special"):
                    c["tol"] = NEAR
                cases.append(c)
    # UpsamplingNearest2d takes any rank Upsample does: 3D input is a batched 1d signal.
    for shape in ([2, 3, 5], [1, 2, 3, 4, 2]):
        cases.append(run_case(["nn.UpsamplingNearest2d(scale_factor=2)"], shape, "randn", gen, EXACT))
    return cases


def fold_cases(gen):
    """nn.Unfold (copies) and nn.Fold (overlapping taps summed in aten's col2im order): exact."""
    cases = []
    unfolds = [("nn.Unfold(2)", [1, 3, 4, 4]), ("nn.Unfold(3, padding=1)", [2, 2, 5, 6]),
               ("nn.Unfold((2, 3), dilation=(2, 1), padding=(1, 0), stride=(1, 2))", [1, 2, 6, 7]),
               ("nn.Unfold(2, stride=2)", [3, 4, 6]), ("nn.Unfold(1)", [2, 3, 2, 2]),
               ("nn.Unfold(kernel_size=3, dilation=2, padding=2, stride=3)", [1, 1, 7, 8])]
    folds = [("nn.Fold(4, 2)", [1, 12, 9]), ("nn.Fold((5, 6), 3, padding=1)", [2, 18, 30]),
             ("nn.Fold((6, 7), (2, 3), dilation=(2, 1), padding=(1, 0), stride=(1, 2))", [1, 12, 15]),
             ("nn.Fold(6, 2, stride=2)", [8, 9]), ("nn.Fold(3, 3, padding=1)", [2, 9, 9]),
             ("nn.Fold(output_size=(7, 8), kernel_size=3, dilation=2, padding=2, stride=3)", [1, 9, 9])]
    for expr, shape in unfolds + folds:
        for kind in ("randn", "special"):
            cases.append(run_case([expr], shape, kind, gen, EXACT))
    # Unfold then Fold: each pixel times the number of blocks covering it.
    cases.append(run_case(["nn.Unfold(3, padding=1)", "nn.Fold(5, 3, padding=1)"], [1, 2, 5, 5],
                          "randn", gen, EXACT))
    return cases


def unpool_cases(gen):
    """MaxUnpool1d/2d/3d fed by a MaxPool's (values, indices) tuple, "p[0]" and "p[1]": exact."""
    cases = []

    def add(title, shape, layers, kind="randn"):
        sp = OrderedDict([("input", shape), ("layers", layers)])
        x = make_input(shape, kind, gen)
        with torch.no_grad():
            y, state = run_spec(sp, x, 0)
        cases.append(OrderedDict([("name", title + " (%s)" % kind), ("spec", sp), ("input", f32(x)),
                                  ("state", OrderedDict()), ("output", f32(y)), ("tol", EXACT)]))

    for nd, shape, k, s, p, osz in [
            (2, [1, 2, 4, 4], 2, None, 0, None), (2, [2, 3, 7, 7], 3, 2, 1, [7, 7]),
            (2, [3, 5, 5], 2, None, 0, [5, 5]), (2, [1, 2, 6, 5], (2, 3), (1, 2), (1, 0), None),
            (2, [1, 1, 5, 5], 3, 1, 0, None),
            (1, [2, 3, 8], 2, None, 0, None), (1, [1, 2, 9], 3, 2, 0, [9]), (1, [3, 7], 2, 1, 1, None),
            (3, [1, 2, 4, 4, 4], 2, None, 0, None), (3, [2, 4, 6, 4], 3, 2, 1, [4, 6, 4])]:
        pool = dict(kernel_size=k, return_indices=True)
        unpool = dict(kernel_size=k)
        if s is not None:
            pool["stride"] = unpool["stride"] = s
        if p:
            pool["padding"] = unpool["padding"] = p
        if osz is not None:
            unpool["output_size"] = osz
        layers = [L("p", "MaxPool%dd" % nd, **pool), L("u", "MaxUnpool%dd" % nd, ["p[0]", "p[1]"], **unpool)]
        title = "MaxPool%dd -> MaxUnpool%dd(%s) of %s" % (nd, nd, ", ".join(
            "%s=%s" % kv for kv in unpool.items()), shape)
        for kind in ("randn", "ties", "special"):
            add(title, shape, layers, kind)
    return cases


# Families that can be written alone: their own generators, so no other family changes.
STANDALONE = {
    "pad_modes": lambda: family("pad_modes", pad_modes_cases(torch.Generator().manual_seed(1101)),
                                "exact: pure data movement"),
    "fold": lambda: family("fold", fold_cases(torch.Generator().manual_seed(1104)),
                           "exact: Unfold copies, Fold sums overlaps in aten's order"),
    "unpool": lambda: family("unpool", unpool_cases(torch.Generator().manual_seed(1103)),
                             "exact: values put back where the indices say"),
    "upsampling": lambda: family("upsampling", upsampling_cases(torch.Generator().manual_seed(1102)),
                                 "nearest exact; bilinear (align_corners=True) exact over several "
                                 "channels, else 1e-6"),
    "parameter": lambda: family("parameter", parameter_cases(torch.Generator().manual_seed(9090)),
                                "Parameter/Buffer and several outputs: exact, convolution and "
                                "linear rtol 1e-4"),
    "norms": lambda: family("norms", norm_cases(torch.Generator().manual_seed(9091)), NORMS_NOTE),
}


def reduce_cases(gen):
    """torch.mean/sum/amax/amin, exact: the sum is PyTorch's cascade sum in its TensorIterator
    order (one thread), which cnnshape's kernel walks the same way. Shapes reach each of
    SumKernel.cpp's loops: contiguous inner rows (>= 8 and < 8), contiguous outer columns (groups of
    32, of 8, scalars), strided reductions, size-1 dims that coalesce, levels of partial sums."""
    out = []

    def add(e, shape, kind="randn"):
        c = run_case([e], shape, kind, gen, EXACT, builder=build_moves)
        assert c is not None, (e, shape)
        out.append(c)

    x4 = [2, 3, 4, 5]
    dims = ["", "()", "0", "1", "2", "-1", "(1, 2)", "(2, 3)", "(0, 2)", "(0, 3)", "(1, 3)",
            "(0, 1, 2)", "(0, 1, 3)", "(0, 2, 3)", "(3, 0)", "[-1, -2]"]
    for fn in ("mean", "sum", "amax", "amin"):
        for i, d in enumerate(dims):
            kd = ", keepdim=True" if i % 3 == 1 and d else ""
            add("torch.%s(%s%s)" % (fn, d, kd), x4)
    for fn in ("mean", "sum"):
        for e, shape in [("(1,)", [3, 37]), ("0", [37, 19]), ("0", [5, 70]), ("0", [70, 5]),
                         ("1", [2, 100, 3]), ("1", [64, 40]), ("", [1000]), ("1", [3, 2000]),
                         ("0", [2000, 3]), ("-1", [2, 4096]), ("(-1, -2)", [1, 1, 100, 100]),
                         ("(2, 3), keepdim=True", [2, 16, 14, 14]), ("1", [2, 197, 64]),
                         ("1", [2, 49, 96]), ("(0, 2)", [8, 1, 5, 1, 3]), ("(1, 3)", [8, 1, 5, 1, 3]),
                         ("(1, 3), keepdim=True", [8, 1, 5, 1, 3]), ("(0, 1, 3)", [8, 1, 5, 1, 3]),
                         ("(0, 2)", [30, 7, 40]), ("(0, 2)", [9, 5, 3]), ("(1, 2)", [3, 30, 9]),
                         ("0", [300, 33]), ("(0, 1)", [50, 4, 9]), ("", [7, 1, 9, 1]), ("", []),
                         ("0", []), ("(0, 2)", [2, 3, 4]), ("2", [5, 6, 7]), ("", [30000])]:
            n = 1
            for v in shape:
                n *= v
            if n > 5000 and (fn == "mean") == (len(shape) % 2 == 1):
                continue  # the large ones once each, mean or sum
            add("torch.%s(%s)" % (fn, e), shape)
    add("torch.sum(-1)", [4, 200], "ties")
    add("torch.mean(1)", [2, 0, 3])  # 0 / 0: nan
    for fn in ("amax", "amin"):
        for e, shape in [("1", [3, 37]), ("0", [37, 19]), ("(0, 2)", [8, 1, 5, 1, 3]),
                         ("", [1000]), ("()", []), ("(1, 2), keepdim=True", [2, 16, 7, 7])]:
            add("torch.%s(%s)" % (fn, e), shape)
    for kind in ("special", "signed_zeros", "ties"):
        for e in ("torch.sum(1)", "torch.mean((2, 3))", "torch.amax(1)", "torch.amin((0, 2))",
                  "torch.amax()", "torch.amin(-1, keepdim=True)", "torch.sum()"):
            add(e, [3, 4, 5, 6], kind)
    return out


def spec_case(cases, gen, title, shape, layers, kind="randn", tol=EXACT):
    sp = OrderedDict([("input", shape), ("layers", layers)])
    x = make_input(shape, kind, gen)
    with torch.no_grad():
        y, state = run_spec(sp, x, 0)
    st = OrderedDict((k, f32(v)) for k, v in state.items())
    cases.append(OrderedDict([("name", title + " (%s)" % kind), ("spec", sp), ("input", f32(x)),
                              ("state", st), ("output", f32(y)), ("tol", tol)]))


def L(name, typ, inputs=None, **kw):
    l = OrderedDict([("name", name), ("type", typ)])
    l.update(kw)
    if inputs:
        l["inputs"] = inputs
    return l


def stack_cases(gen):
    """torch.stack of branches (pieces of the input, a pooled copy), exact: a copy."""
    cases = []
    for kind in ("randn", "signed_zeros"):
        for d in (0, 1, 2, -1, 4):
            spec_case(cases, gen, "Stack(dim=%d) of the halves of [2, 6, 3, 4] and a max pool" % d,
                      [2, 6, 3, 4],
                      [L("c", "Chunk", chunks=2, dim=1),
                       L("p", "MaxPool2d", ["c[1]"], kernel_size=1),
                       L("y", "torch.stack", ["c[0]", "p", "c[1]"], dim=d)], kind)
    spec_case(cases, gen, "torch.stack of one tensor", [3, 5], [L("y", "Stack", ["input"])])
    spec_case(cases, gen, "Stack of 0-d elements (unbind of [4])", [4],
              [L("u", "Unbind"), L("y", "Stack", ["u[3]", "u[1]", "u[0]"])])
    return cases


def matmul_cases(gen):
    """torch.matmul and torch.bmm in each of matmul's paths, operands cut from the input (chunk,
    select, transpose, narrow). PyTorch's BLAS sums in its own order: rtol 1e-4 (atol 1e-5),
    against cnnshape's double-accumulated reference and its float32 blocked kernel."""
    cases = []
    T = CONV

    def add(title, shape, layers, kind="randn", tol=T):
        spec_case(cases, gen, title, shape, layers, kind, tol)

    add("attention: q @ k^T then scores @ v, [2, 3, 4, 5]", [2, 6, 4, 5],
        [L("c", "Chunk", chunks=2, dim=1), L("kt", "torch.transpose", ["c[1]"], dim0=-2, dim1=-1),
         L("s", "torch.matmul", ["c[0]", "kt"]), L("y", "Matmul", ["s", "c[1]"])])
    add("2-D @ 2-D", [2, 12],
        [L("c", "Chunk", chunks=2, dim=1), L("t", "torch.transpose", ["c[1]"], dim0=0, dim1=1),
         L("y", "torch.matmul", ["c[0]", "t"])])
    add("1-D @ 1-D: a 0-d dot product", [10],
        [L("c", "Chunk", chunks=2), L("y", "torch.matmul", ["c[0]", "c[1]"])])
    add("2-D @ 1-D and 1-D @ 2-D", [5, 4],
        [L("s", "Split", split_size_or_sections=[4, 1]), L("v", "torch.squeeze", ["s[1]"], dim=0),
         L("mv", "torch.matmul", ["s[0]", "v"]), L("vm", "torch.matmul", ["v", "s[0]"]),
         L("y", "Concat", ["mv", "vm"])])
    add("3-D @ 2-D (folded) and 2-D @ 3-D (transposed fold)", [2, 3, 8],
        [L("c", "Chunk", chunks=2, dim=-1), L("w", "torch.select", ["c[1]"], dim=0, index=0),
         L("wt", "torch.transpose", ["w"], dim0=0, dim1=1),
         L("a", "torch.matmul", ["c[0]", "wt"]),
         L("kt", "torch.transpose", ["c[1]"], dim0=1, dim1=2),
         L("b", "torch.matmul", ["w", "kt"]), L("y", "Sub", ["a", "b"])])
    add("1-D @ 3-D and 3-D @ 1-D", [2, 4, 4],
        [L("v", "torch.select", ["input"], dim=0, index=1),
         L("u", "torch.select", ["v"], dim=0, index=2),
         L("a", "torch.matmul", ["u", "input"]), L("b", "torch.matmul", ["input", "u"]),
         L("y", "Concat", ["a", "b"], dim=1)])
    add("batch broadcast [2, 1, 4, 4] @ [3, 4, 4]", [2, 3, 4, 4],
        [L("a", "torch.narrow", ["input"], dim=1, start=0, length=1),
         L("b", "torch.select", ["input"], dim=0, index=1), L("y", "torch.matmul", ["a", "b"])])
    add("bmm [3, 4, 4] @ [3, 4, 10]", [3, 4, 10],
        [L("a", "torch.narrow", ["input"], dim=2, start=0, length=4),
         L("y", "torch.bmm", ["a", "input"])])
    add("Bmm with odd sizes [2, 7, 13] @ [2, 13, 21]", [2, 7, 34],
        [L("s", "Split", split_size_or_sections=[13, 21], dim=2),
         L("b", "torch.narrow", ["s[1]"], dim=1, start=0, length=7),
         L("c", "Concat", ["b", "b"], dim=1),
         L("d", "torch.narrow", ["c"], dim=1, start=0, length=13),
         L("y", "Bmm", ["s[0]", "d"])])
    add("window attention [1, 4, 49, 32]: q @ k^T @ v", [1, 4, 49, 32],
        [L("kt", "torch.transpose", ["input"], dim0=-2, dim1=-1),
         L("s", "torch.matmul", ["input", "kt"]), L("y", "torch.matmul", ["s", "input"])],
        # scores of magnitude ~30 times 49 values: outputs up to ~400, float32 sums off by ~1e-4
        tol={"rtol": 1e-4, "atol": 1e-3})
    add("matmul with a K of 0", [2, 3, 0],
        [L("t", "torch.transpose", ["input"], dim0=1, dim1=2), L("y", "torch.matmul", ["input", "t"])])
    for kind in ("ties", "special"):
        add("2-D @ 2-D, [6, 16] @ [16, 6]", [6, 32],
            [L("c", "Chunk", chunks=2, dim=1), L("t", "torch.transpose", ["c[1]"], dim0=0, dim1=1),
             L("y", "torch.matmul", ["c[0]", "t"])], kind)
    return cases


def einsum_cases(gen):
    """torch.einsum as attention writes it (Swin, MaxViT, ViT), a diagonal, a broadcast, an
    implicit output, three operands; PyTorch contracts through bmm: rtol 1e-4."""
    cases = []

    def add(title, shape, layers, kind="randn"):
        spec_case(cases, gen, title, shape, layers, kind, CONV)

    add("bhid,bhjd->bhij then bhij,bhjd->bhid", [2, 6, 4, 5],
        [L("c", "Chunk", chunks=2, dim=1),
         L("s", "torch.einsum", ["c[0]", "c[1]"], equation="bhid,bhjd->bhij"),
         L("y", "Einsum", ["s", "c[1]"], equation="bhij,bhjd->bhid")])
    add("ij,jk (implicit output) and a diagonal ii->i", [4, 4],
        [L("m", "torch.einsum", ["input", "input"], equation="ij,jk"),
         L("y", "torch.einsum", ["m"], equation="ii->i")])
    add("...ij->...ji and a sum over an axis", [2, 3, 4],
        [L("t", "torch.einsum", ["input"], equation="...ij->...ji"),
         L("y", "torch.einsum", ["t"], equation="bij->bj")])
    add("broadcast size 1 and three operands", [2, 3],
        [L("r", "torch.narrow", ["input"], dim=0, start=0, length=1),
         L("y", "torch.einsum", ["input", "r", "input"], equation="ij,ij,ij->i")])
    add("outer product i,j->ij of two rows", [2, 5],
        [L("u", "Unbind"), L("y", "torch.einsum", ["u[0]", "u[1]"], equation="i,j->ij")])
    return cases


def attention_init_cases():
    """MultiheadAttention's initial parameters after torch.manual_seed(seed), for the layouts a
    one-input chain cannot plan (kdim/vdim: q/k/v_proj_weight): each case a spec with three
    inputs cut from the network input; tests/test_attention.cpp checks them bit for bit."""
    cases = []
    for ctor, seed in ((dict(embed_dim=6, num_heads=3, kdim=4, vdim=5, add_bias_kv=True), 5),
                       (dict(embed_dim=16, num_heads=2, kdim=3, vdim=16, bias=False), 9),
                       (dict(embed_dim=8, num_heads=2, kdim=8, vdim=2, add_bias_kv=True, add_zero_attn=True), 21)):
        torch.manual_seed(seed)
        m = nn.MultiheadAttention(**ctor)
        layer = OrderedDict([("name", "a"), ("type", "MultiheadAttention")])
        layer.update(ctor)
        E, k, v = ctor["embed_dim"], ctor["kdim"], ctor["vdim"]
        sp = OrderedDict([("input", [2, E + k + v]), ("layers", [
            OrderedDict([("name", "q"), ("type", "torch.narrow"), ("inputs", ["input"]), ("dim", 1), ("start", 0), ("length", E)]),
            OrderedDict([("name", "k"), ("type", "torch.narrow"), ("inputs", ["input"]), ("dim", 1), ("start", E), ("length", k)]),
            OrderedDict([("name", "v"), ("type", "torch.narrow"), ("inputs", ["input"]), ("dim", 1), ("start", E + k), ("length", v)]),
            dict(layer, inputs=["q", "k", "v"]),
            OrderedDict([("name", "y"), ("type", "Contiguous"), ("inputs", ["a[0]"])])])])
        state = OrderedDict(("a." + n, f32(t)) for n, t in m.state_dict().items())
        cases.append(OrderedDict([("name", "MultiheadAttention(%s) seed %d" % (ctor, seed)),
                                  ("spec", sp), ("seed", seed), ("state", state)]))
    return cases



def attention_cases(gen):
    """nn.MultiheadAttention with random weights (every parameter, biases included, drawn from
    gen), on query, key and value cut from one flat input by torch.narrow + torch.reshape (exact
    copies), or on the input itself (self-attention). The output is attn_output and attn_weights
    flattened and joined (torch.cat), or attn_output alone when need_weights=False."""
    cases = []

    def add(title, ctor, fwd, shapes, same_kv=False, mode="eval", dropout_seed=None):
        m = nn.MultiheadAttention(**ctor)
        with torch.no_grad():  # about unit-size projections, as trained weights give
            for p in m.parameters():
                scale = 0.5 if p.dim() == 1 or p.shape[-1] == 0 else 1.0 / p.shape[-1] ** 0.5
                p.copy_(torch.randn(p.shape, generator=gen) * scale)
        m.train(mode == "train")
        layers = []
        mha = OrderedDict([("name", "a"), ("type", "MultiheadAttention")])
        mha.update(ctor)
        mha.update(fwd)
        if len(shapes) == 1:
            x = torch.randn(shapes[0], generator=gen)
            qkv = [x, x, x]
            spec_input = list(shapes[0])
        else:
            if same_kv:
                shapes = [shapes[0], shapes[1]]
            sizes = [int(torch.tensor(s).prod().item()) if s else 1 for s in shapes]
            x = torch.randn(sum(sizes), generator=gen)
            parts, refs, off = [], [], 0
            for i, (s, n) in enumerate(zip(shapes, sizes)):
                parts.append(x[off:off + n].reshape(s))
                layers.append(L("n%d" % i, "torch.narrow", ["input"], dim=0, start=off, length=n))
                layers.append(L("t%d" % i, "torch.reshape", ["n%d" % i], shape=list(s)))
                refs.append("t%d" % i)
                off += n
            qkv = [parts[0], parts[1], parts[1]] if same_kv else parts
            mha["inputs"] = [refs[0], refs[1], refs[1]] if same_kv else refs
            spec_input = [sum(sizes)]
        layers.append(mha)
        with torch.no_grad():
            if dropout_seed is not None:
                torch.manual_seed(dropout_seed)
            y, w = m(*qkv, **fwd)
            if dropout_seed is not None:  # the same mask again, in float64 below
                torch.manual_seed(dropout_seed)
            # PyTorch's own float32 rounding must be well inside the tolerance: float64 agrees.
            y64, w64 = copy.deepcopy(m).double()(*[t.double() for t in qkv], **fwd)
            for a, b in ((y, y64), (w, w64)):
                if a is not None and a.numel():
                    err = ((a.double() - b).abs() - 1e-5 * b.abs()).max().item()
                    assert err < 3e-6, (title, err)
        if w is None:
            layers.append(L("y", "Contiguous", ["a[0]"]))
            out = y
        else:
            layers.append(L("f0", "torch.flatten", ["a[0]"]))
            layers.append(L("f1", "torch.flatten", ["a[1]"]))
            layers.append(L("y", "Concat", ["f0", "f1"], dim=0))
            out = torch.cat([y.flatten(), w.flatten()])
        sp = OrderedDict([("input", spec_input), ("layers", layers)])
        st = OrderedDict(("a." + k, f32(v)) for k, v in m.state_dict().items())
        case = OrderedDict([("name", title), ("spec", sp), ("mode", mode), ("input", f32(x)),
                            ("state", st), ("output", f32(out)), ("tol", NEAR5)])
        if dropout_seed is not None:
            case["dropout_seed"] = dropout_seed
        cases.append(case)

    E = lambda e, h, **kw: dict(embed_dim=e, num_heads=h, **kw)
    add("self-attention (5, 2, 8), 2 heads", E(8, 2), {}, [[5, 2, 8]])
    add("self-attention batch_first (2, 5, 8), 2 heads (PyTorch's fast path)", E(8, 2, batch_first=True), {}, [[2, 5, 8]])
    add("self-attention unbatched (6, 12), 3 heads, weights per head", E(12, 3), {"average_attn_weights": False}, [[6, 12]])
    add("cross-attention q (4, 3, 8), k = v (7, 3, 8)", E(8, 4), {}, [[4, 3, 8], [7, 3, 8]], same_kv=True)
    add("q, k, v distinct (4, 2, 8), (6, 2, 8), (6, 2, 8), 1 head", E(8, 1), {}, [[4, 2, 8], [6, 2, 8], [6, 2, 8]])
    add("kdim=5, vdim=3, batch_first", E(8, 2, kdim=5, vdim=3, batch_first=True), {}, [[2, 4, 8], [2, 6, 5], [2, 6, 3]])
    add("kdim=5, vdim=3 unbatched, no bias", E(6, 2, kdim=5, vdim=3, bias=False), {}, [[4, 6], [3, 5], [3, 3]])
    add("add_bias_kv", E(8, 2, add_bias_kv=True), {}, [[3, 2, 8], [5, 2, 8], [5, 2, 8]])
    add("add_zero_attn", E(8, 2, add_zero_attn=True), {}, [[3, 2, 8], [5, 2, 8], [5, 2, 8]])
    add("add_bias_kv and add_zero_attn, weights per head", E(8, 4, add_bias_kv=True, add_zero_attn=True),
        {"average_attn_weights": False}, [[3, 2, 8], [4, 2, 8], [4, 2, 8]])
    add("need_weights=False", E(8, 2), {"need_weights": False}, [[5, 2, 8]])
    add("need_weights=False, batch_first", E(8, 2, batch_first=True), {"need_weights": False}, [[3, 4, 8], [3, 2, 8], [3, 2, 8]])
    add("empty key and value (S = 0): out_proj's bias", E(8, 2), {}, [[3, 2, 8], [0, 2, 8], [0, 2, 8]])
    add("empty key with add_zero_attn", E(8, 2, add_zero_attn=True), {}, [[3, 2, 8], [0, 2, 8], [0, 2, 8]])
    add("train mode with dropout=0", E(8, 2), {}, [[5, 2, 8]], mode="train")
    # Train mode: F.dropout of the attention weights, the mask drawn after
    # torch.manual_seed(dropout_seed) (the returned weights are the dropped ones).
    add("train mode, dropout=0.3", E(8, 2, dropout=0.3), {}, [[5, 2, 8]], mode="train", dropout_seed=7)
    add("train mode, dropout=0.5, per-head weights, cross-attention", E(8, 4, dropout=0.5, add_zero_attn=True),
        {"average_attn_weights": False}, [[3, 2, 8], [6, 2, 8], [6, 2, 8]], mode="train", dropout_seed=11)
    add("train mode, dropout=1.0: every weight dropped", E(8, 2, dropout=1.0), {}, [[4, 1, 8]], mode="train", dropout_seed=3)
    add("larger: (16, 3, 64), 8 heads", E(64, 8), {}, [[16, 3, 64]])
    add("larger cross: kdim=24, (10, 2, 32) on (20, 2, 24), 4 heads", E(32, 4, kdim=24, vdim=24),
        {}, [[10, 2, 32], [20, 2, 24]], same_kv=True)
    return cases



def swin_cases(gen):
    """torchvision's Swin and MaxViT modules (written by their torchvision.models paths) with
    every float parameter redrawn from gen (unit-size projections, biases and tables of 0.5;
    the index buffers as built), on randn input: padding to whole windows, shifts (a zero one,
    a negative one, one the window cancels), V2's cosine attention, odd patch merges."""
    SW = "torchvision.models.swin_transformer."
    RP = "torchvision.models.maxvit.RelativePositionalMultiHeadAttention"

    def builder(exprs, seed):
        m = build(exprs, seed)
        with torch.no_grad():
            for name, p in m.named_parameters():
                scale = 0.5 if p.dim() == 1 or "table" in name else 1.0 / p.shape[-1] ** 0.5
                if name.endswith("logit_scale"):
                    p.copy_(torch.rand(p.shape, generator=gen) * 5)  # some past log(100)
                else:
                    p.copy_(torch.randn(p.shape, generator=gen) * scale)
        return m

    tol = {"rtol": 1e-4, "atol": 1e-5}
    cases = []
    for cls in ("ShiftedWindowAttention", "ShiftedWindowAttentionV2"):
        for args, shape in [
                ("8, [3, 3], [0, 0], 2", [1, 6, 6, 8]),
                ("8, [3, 3], [1, 1], 2", [1, 6, 6, 8]),
                ("8, [3, 3], [1, 1], 2", [2, 5, 7, 8]),       # padded, shifted
                ("12, [4, 3], [2, 1], 3", [1, 9, 7, 12]),
                ("8, [3, 3], [0, 2], 4", [1, 6, 9, 8]),       # one shift zero
                ("8, [3, 3], [-1, 2], 2", [1, 6, 6, 8]),      # a negative shift
                ("8, [7, 7], [3, 3], 2", [1, 5, 5, 8]),       # the window covers: no shift
                ("8, [7, 7], [3, 3], 2", [1, 5, 12, 8]),      # shifted along W only
                ("6, [2, 2], [1, 1], 3, qkv_bias=False", [1, 4, 4, 6]),
                ("6, [2, 2], [1, 1], 1, proj_bias=False", [1, 3, 5, 6]),
                ("16, [4, 4], [2, 2], 4", [1, 8, 8, 16]),
                ("8, [1, 1], [0, 0], 2", [1, 3, 3, 8])]:
            expr = "%s%s(%s)" % (SW, cls, args)
            cases.append(run_case([expr], shape, "randn", gen, tol, builder=builder))
    for cls in ("PatchMerging", "PatchMergingV2"):
        for dim, shape in [(4, [1, 4, 4, 4]), (4, [2, 5, 7, 4]), (3, [3, 3, 3]),
                           (2, [2, 1, 3, 3, 2]), (6, [1, 1, 1, 6])]:
            expr = "%s%s(%d)" % (SW, cls, dim)
            cases.append(run_case([expr], shape, "randn", gen, tol, builder=builder))
    for args, shape in [("8, 4, 4", [1, 2, 4, 8]), ("12, 4, 9", [2, 3, 9, 12]),
                        ("6, 2, 1", [1, 3, 1, 6]), ("16, 8, 16", [1, 2, 16, 16]),
                        ("8, 2, 4", [2, 1, 4, 8]), ("6, 2, 1", [1, 2, 5, 6])]:
        cases.append(run_case(["%s(%s)" % (RP, args)], shape, "randn", gen, tol,
                              builder=builder))
    assert all(c is not None for c in cases)
    return cases


STANDALONE.update({
    "swin": lambda: family("swin", swin_cases(torch.Generator().manual_seed(1112)),
                           "rtol 1e-4, atol 1e-5 (the projections' BLAS order)"),
    "attention": lambda: family("attention", attention_cases(torch.Generator().manual_seed(1111)),
                                "rtol 1e-5, atol 1e-5 (products accumulated in double)",
                                extra={"init": attention_init_cases()}),
    "init": lambda: family("init", init_cases(), "bit-exact parameters after torch.manual_seed(seed)"),
    "reduce": lambda: family("reduce", reduce_cases(torch.Generator().manual_seed(1101)),
                             "exact: PyTorch's cascade sum in its order, one thread"),
    "stack": lambda: family("stack", stack_cases(torch.Generator().manual_seed(1102)),
                            "exact: a copy"),
    "matmul": lambda: family("matmul", matmul_cases(torch.Generator().manual_seed(1103)),
                             "rtol 1e-4 (BLAS order)"),
    "einsum": lambda: family("einsum", einsum_cases(torch.Generator().manual_seed(1104)),
                             "rtol 1e-4 (bmm order)"),
})


STANDALONE.update({
    "activation": lambda: family("activation", activation_cases(),
                                 "piecewise-linear exact; exp/log/tanh 1e-6; train-mode masks exact"),
    "networks": lambda: family("networks", network_cases(), "rtol 1e-4 end to end"),
    "dropout": lambda: family("dropout", dropout_cases(),
                              "train-mode masks from torch.manual_seed(dropout_seed): exact"),
    "bicubic": lambda: family("bicubic", bicubic_cases(),
                              "exact, and print(output) for PyTorch's own test cases"),
    "binary": lambda: family("binary", binary_cases(torch.Generator().manual_seed(777)),
                             "exact: one IEEE operation per element; alpha != 1 1e-6"),
    "reshape": lambda: family("reshape", reshape_cases(torch.Generator().manual_seed(4242)),
                              "exact: pure data movement"),
    "split": lambda: family("split", split_cases(torch.Generator().manual_seed(778)),
                            "exact: Chunk, Split and Unbind are copies"),
})


def shared_families():
    """The families drawn in order from one random.Random and one torch.Generator: written
    together, since each changes what the next one draws."""
    rng = random.Random(20240611)
    gen = torch.Generator().manual_seed(12345)
    return [
        family("maxpool", maxpool_cases(rng, gen), "values and int64 indices exact"),
        family("avgpool", avgpool_cases(rng, gen), "exact"),
        family("lppool", lppool_cases(rng, gen), "norm_type 2 exact, others 1e-6"),
        family("adaptive", adaptive_cases(rng, gen), "exact (output size 1 = mean(): PyTorch's cascade sum, reproduced)"),
        family("upsample", upsample_cases(rng, gen), "nearest, area, linear, bicubic and multi-channel bilinear/trilinear exact; others 1e-6"),
        family("batchnorm", batchnorm_cases(rng, gen), "eval exact; batch statistics 1e-5"),
        family("conv", conv_cases(rng, gen), "rtol 1e-4"),
        family("conv_transpose", conv_transpose_cases(rng, gen), "rtol 1e-4"),
        family("linear", linear_cases(rng, gen), "rtol 1e-4"),
        family("misc", misc_cases(rng, gen), "piecewise-linear activations and pads exact; others 1e-6"),
    ]


SHARED = {"maxpool", "avgpool", "lppool", "adaptive", "upsample", "batchnorm", "conv",
          "conv_transpose", "linear", "misc"}


def main():
    """No arguments: every family. Family names: those (a shared one writes all the shared)."""
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    unknown = only - set(STANDALONE) - SHARED
    if unknown:
        sys.exit("unknown families: %s (known: %s)"
                 % (", ".join(sorted(unknown)), ", ".join(sorted(set(STANDALONE) | SHARED))))
    results = []
    if not only or only & SHARED:
        results += shared_families()
    for name in sorted(STANDALONE):
        if not only or name in only:
            results.append(STANDALONE[name]())
    total = 0
    for name, n, size in results:
        total += size
        print("%-16s %4d cases  %8d bytes" % (name, n, size))
    print("total %d bytes" % total)


if __name__ == "__main__":
    main()
