#!/usr/bin/env python3
"""Generate cnnshape's PyTorch conformance tables (tests/data/conformance/*.json).

PyTorch is the oracle: every case is a layer expression such as
``nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)`` that is evaluated with
``eval(expr, {"nn": torch.nn})`` (so the recorded text and the module can never
disagree) and then called on ``torch.zeros(input)`` (float32) in eval mode, or in
train mode when the case says ``"mode": "train"``.  What is recorded:

* success: ``output`` (shape; the first element when the module returns a tuple,
  e.g. ``return_indices=True``), ``params`` (sum of numel over
  ``module.parameters()``) and ``buffers`` (sum of numel over ``module.buffers()``);
* failure: ``error`` (exception class name), ``stage`` (``construct`` when
  evaluating the expression raised, ``forward`` when calling it raised) and
  ``message`` (first line of ``str(exc)``, with PyTorch's C++ context cut off).
  Construction errors carry no ``input``.
Python warnings are silenced and never recorded.

Families (one file each): conv (Conv1d/2d/3d), conv_transpose
(ConvTranspose1d/2d/3d), maxpool, avgpool (Max/AvgPool1d/2d/3d), adaptive
(AdaptiveMax/AvgPool1d/2d/3d), lppool (LPPool1d/2d), linear_flatten, batchnorm
(BatchNorm1d/2d/3d, incl. train mode), pad (ZeroPad2d, ConstantPad2d), upsample,
misc (Dropout, Dropout2d, Identity, activations, Softmax), norms (LayerNorm,
GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm, incl. train mode), binary (Add, Sub,
Mul, Div as torch.add/sub/mul/div on two or more tensors of any broadcastable
or clashing shapes, or a tensor and a number; these cases record ``inputs``,
the list of input shapes, instead of ``input``), edge_shapes (every
layer type with a zero-size dim in each position, batched and unbatched, and on
a 0-d input), pad_modes (ZeroPad/ConstantPad/ReflectionPad/ReplicationPad
1d/2d/3d; ZeroPad1d/3d, PyTorch 2.1's, are evaluated as ConstantPad{1,3}d(p,
0.0)), upsampling (UpsamplingNearest2d, UpsamplingBilinear2d), fold (Fold,
Unfold), lazy (LazyConv*, LazyConvTranspose*, LazyLinear, LazyBatchNorm*,
LazyInstanceNorm*, their
params counted after the first forward) and unpool (MaxUnpool1d/2d/3d on two
inputs, values and indices; output_size, forward's argument, written as a
keyword of the layer).  Each family mixes
hand-picked edge cases, small exhaustive grids and seeded random sampling.

cnnshape follows PyTorch 2.x, but the oracle here is Debian's 1.13.1.  Cases
where the two are known to disagree are left out (see ``exclusion`` below and
the counts printed at the end):

* pooling pad check with dilation: 1.13 checks ``pad <= k/2``, 2.x
  ``pad <= ((k-1)*d+1)/2``; only cases where both give the same verdict in every
  spatial dim are kept;
* MaxPool1d without indices whose computed output length is 0: 1.13 returns an
  empty tensor, 2.x raises "max_pool1d() Invalid computed output size: 0";
* convolutions with groups <= 0 or dilation <= 0 (never generated);
* Conv with padding_mode='circular' on an unbatched input: 1.13's
  ``_pad_circular`` requires a batch dim ("Invalid padding size ..."), 2.x
  accepts it;
* Conv1d/Conv2d with padding_mode='reflect' on an unbatched input with 0
  channels: 1.13's reflection_pad{1,2}d skip dim 0 and accept it, 2.x's
  ``check_valid_input`` requires every dim of an unbatched input to be non-zero;
* ZeroPad2d/ConstantPad2d whose output has a dim of size exactly 0 while some
  pad is positive: 1.13 raises "... resulted in a negative output size", 2.x
  (``new_dim >= 0``) returns an empty tensor;
* ConvTranspose on an empty (zero batch) input whose computed output size is
  <= 0 or whose output_padding is invalid: 1.13's empty-input path skips the
  slow kernel's checks and fails inside a reshape (or returns a tensor);
* adaptive pooling is kept to small sizes (1.13 computes window bounds in float).
* ReflectionPad1d/2d on an input with an empty non-batch dim that 1.13 accepts
  (its reflection_pad{1,2}d check only some dims), and ReflectionPad2d/3d of an
  empty batch to a negative width (1.13 returns a shape with a negative dim);
* MaxUnpool to a negative size on an empty batch (1.13 returns it).
Messages 1.13 words differently from 2.x are kept as cases but not compared
word for word (tests/test_conformance.cpp's exact_message): 1.13's "Padding
length too large", reflection_pad{1,2}d's "of input 4" and "2input (W: 3)is too
small", im2col's "Given input with spatial size (H, H)", and "numel: integer
multiplication overflow" for negative output sizes.

Regenerate (from the repository root; needs PyTorch, e.g. Debian's
python3-torch, which is importable by /usr/bin/python3 only):

    /usr/bin/python3 tools/gen_conformance.py [FAMILY ...]

(with family names, only those files are rewritten).

The output is deterministic: fixed random seed, and the script re-executes
itself with PYTHONHASHSEED=0 because some PyTorch messages print Python sets
(e.g. "padding_mode must be one of {...}") whose order depends on string hashing.
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import collections  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import torch  # noqa: E402
import torchvision  # noqa: E402

nn = torch.nn

SEED = 20240611
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO, "tests", "data", "conformance")

EXCLUDED = collections.Counter()


# ----------------------------------------------------------------------------
# Evaluation
# ----------------------------------------------------------------------------

def first_line(exc):
    msg = str(exc)
    msg = msg.split("\nException raised from")[0]
    return msg.split("\n")[0]


def numel_sum(tensors):
    return int(sum(t.numel() for t in tensors))


def evaluate(expr, shape, mode):
    """Return a case dict for one expression / input shape / mode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = eval(expr, {"nn": nn, "torchvision": torchvision})
        except Exception as exc:  # construction error
            return {"layer": expr, "error": type(exc).__name__,
                    "stage": "construct", "message": first_line(exc)}
        params = numel_sum(module.parameters())
        buffers = numel_sum(module.buffers())
        if mode == "train":
            module.train()
        else:
            module.eval()
        case = {"layer": expr, "input": list(shape)}
        if mode:
            case["mode"] = mode
        try:
            out = module(torch.zeros(shape))
        except Exception as exc:
            case.update({"error": type(exc).__name__, "stage": "forward",
                         "message": first_line(exc)})
            return case
        if isinstance(out, (tuple, list)):
            out = out[0]
        case.update({"output": list(out.shape), "params": params,
                     "buffers": buffers})
        return case


class Family:
    def __init__(self, name, drop=None):
        self.name = name
        self.drop = drop
        self.cases = []
        self.keys = set()

    def add(self, expr, shape=None, mode=None, drop=None):
        """Evaluate and record a case.

        ``drop(case)`` may return a reason string to exclude the case (a known
        1.13 vs 2.x disagreement that can only be seen from the result)."""
        key = (expr, None if shape is None else tuple(shape), mode)
        if key in self.keys:
            return None
        self.keys.add(key)
        case = evaluate(expr, shape if shape is not None else [], mode)
        if case.get("stage") == "construct":
            ckey = (expr, "construct")
            if ckey in self.keys:
                return None
            self.keys.add(ckey)
        drop = drop or self.drop
        if drop is not None:
            reason = drop(case)
            if reason:
                EXCLUDED[reason] += 1
                return None
        self.cases.append(case)
        return case

    def write(self):
        os.makedirs(OUT_DIR, exist_ok=True)
        path = os.path.join(OUT_DIR, self.name + ".json")
        lines = [json.dumps(c) for c in self.cases]
        with open(path, "w") as f:
            f.write('{"torch_version": %s, "family": %s, "cases": [\n'
                    % (json.dumps(torch.__version__), json.dumps(self.name)))
            f.write(",\n".join(lines))
            f.write("\n]}\n")
        return path, len(self.cases), os.path.getsize(path)


# ----------------------------------------------------------------------------
# Expression formatting
# ----------------------------------------------------------------------------

def fmt(v):
    if isinstance(v, list):
        v = tuple(v)
    return repr(v)


def spatial(vals, rng, nd):
    """An int when all dims agree (sometimes still a tuple), else a tuple."""
    vals = list(vals)
    if all(v == vals[0] for v in vals):
        if nd == 1:
            return vals[0] if rng.random() < 0.92 else (vals[0],)
        return vals[0] if rng.random() < 0.65 else tuple(vals)
    return tuple(vals)


def call(name, sig, args, rng, npos=None):
    """Format ``nn.name(...)``.

    ``args``: list of (param, value) in signature order; a random-length prefix
    that matches the signature is written positionally, the rest as keywords."""
    names = [a for a, _ in args]
    maxpos = 0
    for i, p in enumerate(sig):
        if i < len(names) and names[i] == p:
            maxpos = i + 1
        else:
            break
    if npos is None:
        n = rng.randint(0, maxpos)
    else:
        n = min(npos, maxpos)
    parts = [fmt(v) for _, v in args[:n]] + ["%s=%s" % (k, fmt(v)) for k, v in args[n:]]
    return "nn.%s(%s)" % (name, ", ".join(parts))


def tdiv(a, b):
    """C++ truncating integer division."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def as_list(v, nd):
    if isinstance(v, (tuple, list)):
        return list(v)
    return [v] * nd


# ----------------------------------------------------------------------------
# Pooling (max / avg)
# ----------------------------------------------------------------------------

MAXPOOL_SIG = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]
AVGPOOL_SIG = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
               "divisor_override"]


def pool_pad_disagrees(k, p, d):
    """True when 1.13's pad check (pad <= k/2) and 2.x's (pad <= ((k-1)*d+1)/2)
    give different verdicts in some dim."""
    for kk, pp, dd in zip(k, p, d):
        old = pp <= tdiv(kk, 2)
        new = pp <= tdiv((kk - 1) * dd + 1, 2)
        if old != new:
            return True
    return False


def pool_expr(rng, kind, nd, k, s, p, d=None, ceil=False, ri=False, cip=True, div=None):
    """kind: 'Max' or 'Avg'. k, p, d per-dim lists; s None or per-dim list."""
    name = "%sPool%dd" % (kind, nd)
    args = [("kernel_size", spatial(k, rng, nd))]
    if s is not None:
        args.append(("stride", spatial(s, rng, nd)))
    elif rng.random() < 0.15:
        args.append(("stride", None))
    if any(p) or rng.random() < 0.15:
        args.append(("padding", spatial(p, rng, nd)))
    if kind == "Max":
        if d is not None and (any(x != 1 for x in d) or rng.random() < 0.1):
            args.append(("dilation", spatial(d, rng, nd)))
        if ri or rng.random() < 0.08:
            args.append(("return_indices", bool(ri)))
        if ceil or rng.random() < 0.15:
            args.append(("ceil_mode", bool(ceil)))
        sig = MAXPOOL_SIG
    else:
        if ceil or rng.random() < 0.15:
            args.append(("ceil_mode", bool(ceil)))
        if not cip or rng.random() < 0.08:
            args.append(("count_include_pad", bool(cip)))
        if div is not None:
            args.append(("divisor_override", div))
        sig = AVGPOOL_SIG
    return call(name, sig, args, rng)


def pool_drop_factory(kind, nd, ri):
    def drop(case):
        if kind == "Max" and nd == 1 and not ri and "output" in case and case["output"][-1] == 0:
            return "MaxPool1d (no indices) with computed output length 0"
        return None
    return drop


def add_pool(fam, rng, kind, nd, k, s, p, d, ceil, ri, cip, div, shape, expr=None):
    if kind == "Max" and pool_pad_disagrees(k, p, d):
        EXCLUDED["pooling pad check with dilation (1.13 pad<=k/2 vs 2.x effective kernel)"] += 1
        return
    if expr is None:
        expr = pool_expr(rng, kind, nd, k, s, p, d, ceil, ri, cip, div)
    fam.add(expr, shape, drop=pool_drop_factory(kind, nd, ri))


def rand_pool_case(rng, kind, nd):
    sq = rng.random() < 0.55
    dims = 1 if sq else nd

    def pick(f):
        v = [f() for _ in range(dims)]
        return v * nd if sq else v

    kmax = 4 if nd == 3 else 5
    k = pick(lambda: rng.choice([0, -1]) if rng.random() < 0.03 else rng.randint(1, kmax))
    if rng.random() < 0.3:
        s = None
    else:
        s = pick(lambda: rng.choice([0, -1]) if rng.random() < 0.03 else rng.randint(1, 4))
    r = rng.random()
    if r < 0.45:
        p = [0] * nd
    elif r < 0.9:
        p = [rng.randint(0, max(0, kk // 2)) for kk in k] if not sq else [rng.randint(0, max(0, k[0] // 2))] * nd
    else:
        p = pick(lambda: rng.choice([-1, 1, 2, 3]))
    if kind == "Max":
        if rng.random() < 0.6:
            d = [1] * nd
        else:
            d = pick(lambda: rng.choice([0, -1]) if rng.random() < 0.03 else rng.randint(1, 3))
    else:
        d = [1] * nd
    ceil = rng.random() < 0.45
    ri = kind == "Max" and rng.random() < 0.4
    cip = True if kind == "Max" else rng.random() < 0.7
    div = None
    if kind == "Avg" and nd > 1 and rng.random() < 0.12:
        div = rng.choice([0, 1, 2, 3, 5, -2])
    # input shape
    effk = [max(1, (kk - 1) * max(dd, 1) + 1) for kk, dd in zip(k, d)]
    smax = 7 if nd == 3 else 12
    sp = []
    for e in effk:
        if rng.random() < 0.15:
            sp.append(rng.randint(0, max(1, e)))
        else:
            lo = max(1, e - 2)
            sp.append(rng.randint(lo, max(lo, min(smax, e + 7))))
    r = rng.random()
    C = rng.randint(1, 3)
    if r < 0.3:
        shape = [C] + sp                      # unbatched
    elif r < 0.9:
        shape = [rng.choice([1, 1, 2])] + [C] + sp
    elif r < 0.94:
        shape = [0, C] + sp                   # zero batch
    elif r < 0.96:
        shape = [1, 0] + sp                   # zero channels
    else:                                     # wrong rank
        shape = rng.choice([sp, [1, 1, 1] + sp, sp[:-1] or [2]])
    return k, s, p, d, ceil, ri, cip, div, shape


def gen_pool(fam, rng, kind, n_random):
    dims = (1, 2, 3)
    # -- worked examples from SEMANTICS.md and other hand-picked cases --------
    for nd in dims:
        one = lambda v: [v] * nd  # noqa: E731
        b = lambda L: [1, 1] + [L] * nd  # noqa: E731
        for (L, k, s, p, c) in [(3, 2, 2, 1, True), (5, 3, 3, 1, True), (5, 2, 2, 0, True),
                                (6, 3, 2, 1, True), (9, 2, 2, 1, True), (9, 3, 2, 1, True),
                                (4, 2, 2, 1, True), (7, 3, 2, 1, True), (1, 2, 2, 1, True),
                                (2, 3, 3, 1, True), (8, 4, 3, 2, True), (10, 3, 4, 1, True)]:
            for ri in ((False, True) if kind == "Max" else (False,)):
                add_pool(fam, rng, kind, nd, one(k), one(s), one(p), one(1), c, ri, True, None, b(L))
                add_pool(fam, rng, kind, nd, one(k), one(s), one(p), one(1), not c, ri, True, None, b(L))
        # pad exactly k/2 ok, above -> error; negative pad
        for k in (1, 2, 3, 4, 5):
            for p in (-1, k // 2, k // 2 + 1):
                for ri in ((False, True) if kind == "Max" else (False,)):
                    add_pool(fam, rng, kind, nd, one(k), None, one(p), one(1), False, ri, True, None, b(6))
        # stride 0, kernel 0, negative stride, stride larger than kernel, output too small
        for k, s, p, L in [(2, 0, 0, 5), (0, None, 0, 5), (0, 1, 0, 5), (2, -1, 0, 5), (-1, 1, 0, 5),
                           (2, 5, 0, 9), (3, 7, 1, 9), (7, None, 0, 6), (4, 2, 0, 1), (4, 2, 1, 1),
                           (3, 1, 0, 2), (3, 1, 1, 1), (5, 3, 2, 2), (2, None, 0, 1)]:
            for c in (False, True):
                for ri in ((False, True) if kind == "Max" else (False,)):
                    add_pool(fam, rng, kind, nd, one(k), None if s is None else one(s), one(p),
                             one(1), c, ri, True, None, b(L))
        # ranks: unbatched, zero batch, zero channel, zero spatial, wrong ranks
        for shape in ([3] + [6] * nd, [2, 3] + [6] * nd, [0, 3] + [6] * nd, [1, 0] + [6] * nd,
                      [0, 0] + [6] * nd, [2, 3] + [6] * (nd - 1) + [0], [3] + [0] + [6] * (nd - 1),
                      [6] * nd, [1, 1, 1] + [6] * nd, [6], [], [1, 2, 3, 4, 5, 6][: nd + 3]):
            for ri in ((False, True) if kind == "Max" else (False,)):
                add_pool(fam, rng, kind, nd, one(2), None, one(0), one(1), False, ri, True, None, shape)
        if kind == "Max":
            # dilation (only where 1.13 and 2.x agree), dilation 0 / negative
            for k, d, p, L in [(2, 2, 0, 5), (3, 2, 1, 7), (2, 3, 1, 2), (3, 3, 1, 5), (2, 2, 1, 4),
                               (2, 0, 0, 5), (3, -1, 0, 5), (2, 4, 1, 3), (3, 2, 0, 4), (4, 2, 2, 9)]:
                for c in (False, True):
                    for ri in (False, True):
                        add_pool(fam, rng, kind, nd, one(k), None, one(p), one(d), c, ri, True,
                                 None, b(L))
            # the SEMANTICS.md example that 1.13 rejects but 2.x accepts (excluded)
            add_pool(fam, rng, kind, nd, one(3), None, one(2), one(2), False, False, True, None, b(9))
        else:
            for cip in (True, False):
                for div in (None, 1, 3, 0, -2):
                    if nd == 1 and div is not None:
                        continue
                    for c in (False, True):
                        add_pool(fam, rng, kind, nd, one(3), one(2), one(1), one(1), c, False, cip,
                                 div, b(6))
            if nd == 3:
                # input smaller than kernel (fires even if padding would make it fit)
                for sp_ in ([2, 4, 4], [4, 2, 4], [4, 4, 2], [3, 3, 3], [2, 2, 2]):
                    for p in (0, 1):
                        add_pool(fam, rng, kind, nd, one(3), None, one(p), one(1), False, False,
                                 True, None, [1, 2] + sp_)
                        add_pool(fam, rng, kind, nd, one(3), None, one(p), one(1), True, False,
                                 True, None, [2] + sp_)
    if kind == "Avg":
        for shape in ([2, 4], [1, 2, 4]):
            fam.add("nn.AvgPool1d((2, 2))", shape)
            fam.add("nn.AvgPool1d(kernel_size=2, stride=(1, 1))", shape)
            fam.add("nn.AvgPool1d(2, padding=(1, 1))", shape)

    # -- exhaustive grids -----------------------------------------------------
    strides = [None, 1, 2, 3]
    for nd, Ls in ((1, range(1, 11)), (2, range(1, 9))):
        for L in Ls:
            for k in range(1, 5):
                for s in strides:
                    for p in range(0, k // 2 + 1):
                        for c in (False, True):
                            for d in ((1, 2) if kind == "Max" else (1,)):
                                ri = kind == "Max" and rng.random() < 0.5
                                cip = True if kind == "Max" else rng.random() < 0.5
                                if nd == 2:
                                    shape = [1, 2, L, rng.randint(max(1, L - 2), L + 2)]
                                    if rng.random() < 0.25:
                                        shape = shape[1:]
                                else:
                                    shape = rng.choice([[1, 2, L], [2, L]])
                                add_pool(fam, rng, kind, nd, [k] * nd,
                                         None if s is None else [s] * nd, [p] * nd, [d] * nd, c,
                                         ri, cip, None, shape)

    # -- seeded random sampling ----------------------------------------------
    for i in range(n_random):
        nd = dims[i % 3]
        k, s, p, d, ceil, ri, cip, div, shape = rand_pool_case(rng, kind, nd)
        if nd == 1:
            div = None
        add_pool(fam, rng, kind, nd, k, s, p, d, ceil, ri, cip, div, shape)


# ----------------------------------------------------------------------------
# Convolutions
# ----------------------------------------------------------------------------

CONV_SIG = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
            "groups", "bias", "padding_mode"]
CONVT_SIG = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
             "groups", "bias", "dilation", "padding_mode"]


def conv_expr(rng, nd, cin, cout, k, s=None, p=None, d=None, g=1, bias=True, pm="zeros",
              transposed=False, op=None):
    name = ("ConvTranspose%dd" if transposed else "Conv%dd") % nd
    args = [("in_channels", cin), ("out_channels", cout), ("kernel_size", spatial(k, rng, nd))]
    if s is not None and (any(x != 1 for x in s) or rng.random() < 0.2):
        args.append(("stride", spatial(s, rng, nd)))
    if p is not None:
        if isinstance(p, str):
            args.append(("padding", p))
        elif any(p) or rng.random() < 0.2:
            args.append(("padding", spatial(p, rng, nd)))
    if transposed and op is not None and (any(op) or rng.random() < 0.15):
        args.append(("output_padding", spatial(op, rng, nd)))
    if not transposed and d is not None and (any(x != 1 for x in d) or rng.random() < 0.1):
        args.append(("dilation", spatial(d, rng, nd)))
    if g != 1 or rng.random() < 0.1:
        args.append(("groups", g))
    if not bias or rng.random() < 0.1:
        args.append(("bias", bias))
    if transposed and d is not None and (any(x != 1 for x in d) or rng.random() < 0.1):
        args.append(("dilation", spatial(d, rng, nd)))
    if pm != "zeros" or rng.random() < 0.08:
        args.append(("padding_mode", pm))
    return call(name, CONVT_SIG if transposed else CONV_SIG, args, rng)


def conv_drop(case):
    if case.get("message", "").startswith("Invalid padding size"):
        return "Conv padding_mode='circular' on unbatched input (1.13 _pad_circular needs a batch dim)"
    layer, shape = case["layer"], case.get("input", [])
    if "'reflect'" in layer and layer[:9] in ("nn.Conv1d", "nn.Conv2d") and \
            len(shape) == int(layer[7]) + 1 and shape[0] == 0 and \
            not case.get("message", "").startswith("Argument #"):  # (an error in both)
        return ("Conv padding_mode='reflect' (1d/2d) on an unbatched input with 0 channels "
                "(1.13's reflection_pad skips dim 0, 2.x's check_valid_input refuses it)")
    return None


CONVT_EMPTY_ARTIFACTS = ("invalid shape dimension", "only one dimension can be inferred",
                         "cannot reshape tensor of 0 elements")


def convt_drop(case):
    """Empty-input ConvTranspose whose computed output size is <= 0: 1.13's
    empty-tensor path fails inside a reshape or returns a 0-size dim; not a rule
    that 2.x documents, so leave it out."""
    msg = case.get("message", "")
    if msg.startswith(CONVT_EMPTY_ARTIFACTS):
        return "ConvTranspose on empty input with output size <= 0 (1.13 reshape artifact)"
    out = case.get("output")
    if out is not None and 0 in case["input"][:2] and 0 in out[2:]:
        return "ConvTranspose on empty input with output size <= 0 (1.13 reshape artifact)"
    if out is not None and case["input"][0] == 0:
        m = eval(case["layer"], {"nn": nn})
        if any(op >= s and op >= d for op, s, d in zip(m.output_padding, m.stride, m.dilation)):
            return ("ConvTranspose on zero-batch input with invalid output_padding (the empty-input "
                    "path skips the check)")
    return None


def rand_conv(rng, nd):
    r = rng.random()
    if r < 0.55:
        g = 1
    elif r < 0.8:
        g = rng.choice([2, 3, 4])
    else:
        g = -1  # depthwise
    if g == -1:
        cin = rng.randint(1, 4)
        g = cin
        cout = cin * rng.randint(1, 2)
    else:
        cin = g * rng.randint(1, 2)
        cout = g * rng.randint(1, 3)
    if rng.random() < 0.04:
        cin += 1 if g > 1 else 0
    if rng.random() < 0.04:
        cout += 1 if g > 1 else 0
    kmax = {1: 5, 2: 4, 3: 3}[nd]
    sq = rng.random() < 0.55

    def pick(f):
        if sq:
            return [f()] * nd
        return [f() for _ in range(nd)]

    k = pick(lambda: rng.randint(1, kmax))
    s = pick(lambda: rng.choice([0, -1]) if rng.random() < 0.02 else rng.choice([1, 1, 1, 2, 2, 3]))
    d = pick(lambda: rng.choice([1, 1, 1, 2, 3]))
    r = rng.random()
    if r < 0.1:
        p = "same"
        if rng.random() < 0.85:
            s = [1] * nd
    elif r < 0.15:
        p = "valid"
    elif r < 0.17:
        p = [-1] * nd
    else:
        p = pick(lambda: rng.choice([0, 0, 1, 1, 2, 3]))
    r = rng.random()
    pm = "zeros" if r < 0.64 else ("reflect" if r < 0.76 else ("replicate" if r < 0.88 else
                                                                ("circular" if r < 0.995 else "foo")))
    if pm != "zeros" and isinstance(p, list) and p[0] < 0:
        p = [1] * nd
    bias = rng.random() < 0.75
    smax = {1: 14, 2: 9, 3: 6}[nd]
    effk = [(kk - 1) * dd + 1 for kk, dd in zip(k, d)]
    sp = []
    for e in effk:
        if rng.random() < 0.08:
            sp.append(rng.randint(0, 2))
        else:
            sp.append(rng.randint(max(1, e - 3), min(smax, max(e + 5, 3))))
    C = cin if rng.random() < 0.93 else cin + rng.choice([-1, 1, 2])
    r = rng.random()
    if r < 0.3:
        shape = [C] + sp
    elif r < 0.94:
        shape = [rng.choice([1, 1, 2])] + [C] + sp
    elif r < 0.97:
        shape = [0, C] + sp
    else:
        shape = rng.choice([sp, [1, 1, C] + sp, [C]])
    return cin, cout, k, s, p, d, g, bias, pm, shape


def gen_conv(fam, rng, n_random):
    for nd in (1, 2, 3):
        one = lambda v: [v] * nd  # noqa: E731
        sp = {1: [7], 2: [6, 5], 3: [4, 5, 3]}[nd]
        # construction errors
        for expr in ["nn.Conv%dd(4, 6, kernel_size=3, groups=4)",
                     "nn.Conv%dd(3, 6, 3, groups=2)",
                     "nn.Conv%dd(6, 3, 3, groups=2)",
                     "nn.Conv%dd(3, 8, 3, padding='foo')",
                     "nn.Conv%dd(3, 8, 3, padding='SAME')",
                     "nn.Conv%dd(3, 8, 3, stride=2, padding='same')",
                     "nn.Conv%dd(3, 8, 3, 2, 'same')",
                     "nn.Conv%dd(3, 8, 3, padding_mode='foo')",
                     "nn.Conv%dd(3, 8, 3, padding_mode='constant')",
                     "nn.Conv%dd(in_channels=3, out_channels=8, kernel_size=3, padding='same', stride=1)"]:
            fam.add(expr % nd, [1, 3] + sp)
        # basic, channel mismatch, unbatched, zero batch, wrong ranks
        for shape in ([1, 3] + sp, [3] + sp, [2, 3] + sp, [0, 3] + sp, [1, 4] + sp, [4] + sp,
                      [1, 0] + sp, sp, [1, 1, 3] + sp, [3], [], [1, 3] + sp[:-1] + [0],
                      [1, 3] + [1] * nd, [1, 3] + [2] * nd):
            fam.add("nn.Conv%dd(3, 8, 3)" % nd, shape)
            fam.add("nn.Conv%dd(3, 8, 1, bias=False)" % nd, shape)
            fam.add("nn.Conv%dd(3, 8, 3, padding=1)" % nd, shape)
        # 'same' with even kernels and dilation, and padding modes
        for k in (1, 2, 3, 4, 5):
            for d in (1, 2, 3):
                for pm in ("zeros", "reflect", "replicate", "circular"):
                    fam.add(conv_expr(rng, nd, 2, 4, one(k), one(1), "same", one(d), 1, True, pm),
                            [1, 2] + [max(8, (k - 1) * d + 1)] * nd, drop=conv_drop)
                fam.add(conv_expr(rng, nd, 2, 4, one(k), one(1), "valid", one(d)), [1, 2] + [9] * nd)
        # reflect / circular limits: pad vs input size
        for pm in ("reflect", "replicate", "circular"):
            for p in (1, 2, 3, 4):
                for L in (1, 2, 3, 4, 5):
                    fam.add(conv_expr(rng, nd, 1, 2, one(1), None, one(p), None, 1, True, pm),
                            [1, 1] + [L] * nd, drop=conv_drop)
                fam.add(conv_expr(rng, nd, 1, 2, one(3), None, one(p), None, 1, True, pm),
                        [1] + [3] * nd, drop=conv_drop)
                fam.add(conv_expr(rng, nd, 1, 2, one(3), None, one(p), None, 1, True, pm),
                        [0, 1] + [3] * nd, drop=conv_drop)
        # kernel larger than padded input
        for k, p, d, L in [(3, 0, 1, 2), (3, 1, 1, 1), (5, 1, 1, 2), (3, 0, 2, 4), (2, 0, 3, 3),
                           (3, 1, 1, 0), (1, 0, 1, 0), (1, 1, 1, 0), (4, 1, 1, 2), (3, 0, 1, 3)]:
            fam.add(conv_expr(rng, nd, 2, 3, one(k), None, one(p), one(d)), [1, 2] + [L] * nd)
        # stride / negative padding
        for s, p in [(0, 0), (-1, 0), (1, -1), (2, -1), (3, 0), (5, 1)]:
            fam.add(conv_expr(rng, nd, 2, 3, one(3), one(s), one(p), one(1)), [1, 2] + [7] * nd)
        # groups and depthwise
        for cin, cout, g in [(4, 4, 4), (4, 8, 4), (4, 4, 2), (6, 9, 3), (2, 2, 2), (8, 4, 4),
                             (3, 3, 3), (4, 6, 2)]:
            for C in (cin, cin // 2, cin + 1):
                fam.add(conv_expr(rng, nd, cin, cout, one(3), one(1), one(1), one(1), g),
                        [1, C] + [5] * nd)
    # grid: Conv2d over k, s, p, d on a few sizes
    for k in (1, 2, 3, 5):
        for s in (1, 2, 3):
            for p in (0, 1, 2):
                for d in (1, 2):
                    for L in (3, 6, 11):
                        nd = 2 if rng.random() < 0.6 else rng.choice([1, 3])
                        if nd == 3 and L > 6:
                            L = 6
                        fam.add(conv_expr(rng, nd, 2, 3, [k] * nd, [s] * nd, [p] * nd, [d] * nd,
                                          1, rng.random() < 0.7),
                                rng.choice([[1, 2], [2]]) + [L] * nd, drop=conv_drop)
    # random
    for i in range(n_random):
        nd = (1, 2, 3)[i % 3]
        cin, cout, k, s, p, d, g, bias, pm, shape = rand_conv(rng, nd)
        fam.add(conv_expr(rng, nd, cin, cout, k, s, p, d, g, bias, pm), shape, drop=conv_drop)


def gen_conv_transpose(fam, rng, n_random):
    for nd in (1, 2, 3):
        one = lambda v: [v] * nd  # noqa: E731
        sp = {1: [5], 2: [4, 3], 3: [3, 2, 3]}[nd]
        for expr in ["nn.ConvTranspose%dd(4, 6, kernel_size=3, groups=4)",
                     "nn.ConvTranspose%dd(3, 6, 3, groups=2)",
                     "nn.ConvTranspose%dd(3, 8, 3, padding_mode='reflect')",
                     "nn.ConvTranspose%dd(3, 8, 3, padding_mode='circular')",
                     "nn.ConvTranspose%dd(3, 8, 3, padding_mode='replicate')",
                     "nn.ConvTranspose%dd(3, 8, 3, padding_mode='foo')"]:
            fam.add(expr % nd, [1, 3] + sp)
        for shape in ([1, 3] + sp, [3] + sp, [2, 3] + sp, [0, 3] + sp, [1, 4] + sp, [4] + sp,
                      sp, [1, 1, 3] + sp, [3], [1, 3] + [1] * nd):
            fam.add("nn.ConvTranspose%dd(3, 8, 3)" % nd, shape)
            fam.add("nn.ConvTranspose%dd(3, 8, 2, stride=2, bias=False)" % nd, shape)
        # output_padding valid (< stride or < dilation) and invalid
        for s in (1, 2, 3):
            for d in (1, 2, 3):
                for op in range(0, max(s, d) + 1):
                    fam.add(conv_expr(rng, nd, 2, 3, one(3), one(s), one(1), one(d), 1, True,
                                      transposed=True, op=one(op)), [1, 2] + [3] * nd)
        fam.add(conv_expr(rng, nd, 2, 3, one(3), one(2), one(0), one(1), 1, True, transposed=True,
                          op=one(-1)), [1, 2] + [3] * nd)
        # output too small, negative padding, zero stride
        for k, s, p, L in [(3, 1, 3, 2), (3, 1, 2, 1), (1, 1, 1, 1), (2, 2, 2, 1), (3, 2, 3, 2),
                           (3, 0, 0, 2), (3, -1, 0, 2), (3, 1, -1, 2), (1, 1, 0, 1), (2, 1, 1, 1)]:
            fam.add(conv_expr(rng, nd, 2, 3, one(k), one(s), one(p), one(1), transposed=True,
                              op=one(0)), [1, 2] + [L] * nd)
        for cin, cout, g in [(4, 4, 4), (4, 8, 4), (4, 4, 2), (6, 9, 3), (2, 6, 2)]:
            for C in (cin, cin + 1):
                fam.add(conv_expr(rng, nd, cin, cout, one(3), one(2), one(1), one(1), g,
                                  transposed=True, op=one(1)), [1, C] + [3] * nd)
    for i in range(n_random):
        nd = (1, 2, 3)[i % 3]
        r = rng.random()
        if r < 0.6:
            g = 1
        else:
            g = rng.choice([2, 3])
        cin = g * rng.randint(1, 2)
        cout = g * rng.randint(1, 3)
        if rng.random() < 0.03 and g > 1:
            cout += 1
        sq = rng.random() < 0.55

        def pick(f):
            return [f()] * nd if sq else [f() for _ in range(nd)]

        k = pick(lambda: rng.randint(1, 4 if nd < 3 else 3))
        s = pick(lambda: rng.choice([1, 1, 2, 2, 3]))
        d = pick(lambda: rng.choice([1, 1, 1, 2, 3]))
        p = pick(lambda: rng.choice([0, 0, 1, 1, 2, 3]))
        op = []
        for ss, dd in zip(s, d):
            if rng.random() < 0.75:
                op.append(0)
            elif rng.random() < 0.85:
                op.append(rng.randint(0, max(ss, dd) - 1))
            else:
                op.append(max(ss, dd))
        if sq and nd > 1 and rng.random() < 0.5:
            op = [op[0]] * nd
        bias = rng.random() < 0.75
        smax = {1: 8, 2: 6, 3: 4}[nd]
        sp = [rng.randint(1, smax) for _ in range(nd)]
        C = cin if rng.random() < 0.95 else cin + 1
        r = rng.random()
        if r < 0.3:
            shape = [C] + sp
        elif r < 0.96:
            shape = [rng.choice([1, 1, 2])] + [C] + sp
        else:
            shape = [0, C] + sp
        fam.add(conv_expr(rng, nd, cin, cout, k, s, p, d, g, bias, transposed=True, op=op), shape,
                drop=convt_drop)


# ----------------------------------------------------------------------------
# Adaptive pooling
# ----------------------------------------------------------------------------

def adaptive_expr(rng, kind, nd, out, ri=False):
    name = "Adaptive%sPool%dd" % (kind, nd)
    args = [("output_size", out)]
    if kind == "Max" and (ri or rng.random() < 0.1):
        args.append(("return_indices", ri))
    return call(name, ["output_size", "return_indices"], args, rng)


def gen_adaptive(fam, rng, n_random):
    for kind in ("Avg", "Max"):
        for nd in (1, 2, 3):
            ris = (False, True) if kind == "Max" else (False,)
            sp = {1: [7], 2: [7, 5], 3: [5, 4, 3]}[nd]
            outs = [1, 2, 3, 0, -1, 10]
            if nd > 1:
                outs += [tuple([1] * nd), tuple([2] * nd), tuple([3] + [None] * (nd - 1)),
                         tuple([None] * nd), tuple([None] + [2] * (nd - 1)),
                         tuple(range(1, nd + 1)), tuple([0] + [2] * (nd - 1)),
                         tuple([2] * (nd - 1) + [-1]), tuple([2] * (nd + 1)), tuple([2] * (nd - 1))]
            else:
                outs += [(2,), (2, 2)]
            shapes = [[2, 3] + sp, [3] + sp, [0, 3] + sp, [1, 0] + sp, [3, 0] + sp[1:],
                      [1, 3] + sp[:-1] + [0], sp, [1, 1, 3] + sp, [sp[0]], [],
                      [1, 3] + [1] * nd, [1, 2] + [12] * nd if nd < 3 else [1, 2, 9, 9, 9]]
            for out in outs:
                for shape in shapes[:3] + rng.sample(shapes[3:], 4):
                    for ri in ris:
                        fam.add(adaptive_expr(rng, kind, nd, out, ri), shape)
    # random
    for i in range(n_random):
        kind = "Avg" if i % 2 == 0 else "Max"
        nd = (1, 2, 3)[(i // 2) % 3]
        smax = {1: 16, 2: 12, 3: 7}[nd]
        sp = [rng.randint(1, smax) for _ in range(nd)]
        if rng.random() < 0.04:
            sp[rng.randrange(nd)] = 0
        outs = [rng.randint(1, smax + 3) for _ in range(nd)]
        if rng.random() < 0.05:
            outs[rng.randrange(nd)] = rng.choice([0, -2])
        if nd == 1:
            out = outs[0]
        elif rng.random() < 0.35:
            out = outs[0]
        else:
            out = tuple(None if rng.random() < 0.15 else o for o in outs)
        r = rng.random()
        C = rng.randint(1, 3)
        if r < 0.3:
            shape = [C] + sp
        elif r < 0.93:
            shape = [rng.choice([1, 2])] + [C] + sp
        elif r < 0.96:
            shape = [0, C] + sp
        else:
            shape = rng.choice([sp, [1, 1, C] + sp])
        fam.add(adaptive_expr(rng, kind, nd, out, kind == "Max" and rng.random() < 0.4), shape)


# ----------------------------------------------------------------------------
# LPPool
# ----------------------------------------------------------------------------

def gen_lppool(fam, rng, n_random):
    sig = ["norm_type", "kernel_size", "stride", "ceil_mode"]
    norms = [1, 2, 3, 1.5, 2.0]
    for nd in (1, 2):
        for p in norms:
            for k in (1, 2, 3):
                for s in (None, 1, 2, 3):
                    for c in (False, True):
                        for L in (1, 2, 3, 4, 5, 7):
                            if rng.random() < 0.55:
                                continue
                            ks = k if nd == 1 else spatial([k, k], rng, 2)
                            args = [("norm_type", p), ("kernel_size", ks)]
                            if s is not None:
                                args.append(("stride", s if nd == 1 else spatial([s, s], rng, 2)))
                            elif rng.random() < 0.2:
                                args.append(("stride", None))
                            if c or rng.random() < 0.2:
                                args.append(("ceil_mode", c))
                            if nd == 1:
                                shape = rng.choice([[1, 2, L], [2, L]])
                            else:
                                shape = rng.choice([[1, 2, L, rng.randint(1, 7)], [2, L, L]])
                            fam.add(call("LPPool%dd" % nd, sig, args, rng), shape)
        # edge cases
        for expr in ["nn.LPPool%dd(2, 0)", "nn.LPPool%dd(2, 2, 0)", "nn.LPPool%dd(2, 2, -1)",
                     "nn.LPPool%dd(2, 3)", "nn.LPPool%dd(1, 3, stride=2, ceil_mode=True)",
                     "nn.LPPool%dd(norm_type=3, kernel_size=2)"]:
            for shape in ([1, 2] + [2] * nd, [2] + [5] * nd, [0, 2] + [5] * nd, [5] * nd,
                          [1, 1, 1] + [5] * nd, [1, 2] + [6] * nd):
                fam.add(expr % nd, shape)
    fam.add("nn.LPPool2d(2, (2, 3), stride=(1, 2))", [1, 2, 5, 7])
    fam.add("nn.LPPool2d(2, (3, 1), (2, 1), True)", [1, 2, 6, 4])
    for i in range(n_random):
        nd = 1 + i % 2
        k = [rng.randint(1, 4) for _ in range(nd)]
        s = None if rng.random() < 0.3 else [rng.randint(1, 3) for _ in range(nd)]
        args = [("norm_type", rng.choice(norms)),
                ("kernel_size", k[0] if nd == 1 else spatial(k, rng, 2))]
        if s is not None:
            args.append(("stride", s[0] if nd == 1 else spatial(s, rng, 2)))
        c = rng.random() < 0.5
        if c:
            args.append(("ceil_mode", True))
        sp = [rng.randint(1, 10) for _ in range(nd)]
        shape = rng.choice([[1, 2] + sp, [2] + sp, [2, 3] + sp])
        fam.add(call("LPPool%dd" % nd, sig, args, rng), shape)


# ----------------------------------------------------------------------------
# Linear / Flatten
# ----------------------------------------------------------------------------

def gen_linear_flatten(fam, rng):
    for fin, fout in [(4, 3), (1, 1), (16, 8), (10, 1), (3, 7)]:
        for bias in (True, False):
            if bias and rng.random() < 0.5:
                expr = rng.choice(["nn.Linear(%d, %d)", "nn.Linear(in_features=%d, out_features=%d)"]) % (fin, fout)
            else:
                expr = call("Linear", ["in_features", "out_features", "bias"],
                            [("in_features", fin), ("out_features", fout), ("bias", bias)], rng)
            for shape in ([fin], [2, fin], [0, fin], [2, 3, fin], [1, 2, 3, fin], [fin + 1],
                          [2, fin + 1], [fin, 2], [2, 3, 1, fin - 1 if fin > 1 else 2], [], [2, 0]):
                fam.add(expr, shape)
    fam.add("nn.Linear(0, 3)", [2, 0])
    fam.add("nn.Linear(3, 0)", [2, 3])
    flat_args = [(None, None), (1, -1), (0, -1), (0, 1), (1, 2), (2, 3), (-3, -2), (-2, -1), (2, 1),
                 (0, 0), (3, -1), (1, 0), (-1, -1), (4, 5), (-5, -1)]
    for sd, ed in flat_args:
        args = []
        if sd is not None:
            args.append(("start_dim", sd))
        if ed is not None and (ed != -1 or rng.random() < 0.5):
            args.append(("end_dim", ed))
        expr = call("Flatten", ["start_dim", "end_dim"], args, rng)
        for shape in ([2, 3, 4, 5], [3, 4, 5], [4, 5], [5], [], [2, 0, 3], [0, 3, 4], [2, 3, 4, 5, 6]):
            fam.add(expr, shape)
    for i in range(60):
        r = rng.randint(1, 5)
        shape = [rng.randint(1, 5) for _ in range(r)]
        fam.add(call("Flatten", ["start_dim", "end_dim"],
                     [("start_dim", rng.randint(-3, 3)), ("end_dim", rng.randint(-3, 3))], rng),
                shape)
        fin = rng.randint(1, 8)
        last = fin if rng.random() < 0.8 else rng.randint(1, 8)
        fam.add(call("Linear", ["in_features", "out_features", "bias"],
                     [("in_features", fin), ("out_features", rng.randint(1, 8)),
                      ("bias", rng.random() < 0.6)], rng),
                [rng.randint(1, 3) for _ in range(rng.randint(0, 3))] + [last])


# ----------------------------------------------------------------------------
# BatchNorm
# ----------------------------------------------------------------------------

def gen_batchnorm(fam, rng):
    sig = ["num_features", "eps", "momentum", "affine", "track_running_stats"]
    for nd in (1, 2, 3):
        C = 3
        good = {1: [[2, C], [2, C, 5], [1, C, 1]], 2: [[2, C, 4, 4], [1, C, 2, 1]],
                3: [[2, C, 2, 3, 2], [1, C, 1, 1, 2]]}[nd]
        for affine in (True, False):
            for trs in (True, False):
                args = [("num_features", C)]
                if rng.random() < 0.2:
                    args.append(("eps", 1e-3))
                if rng.random() < 0.2:
                    args.append(("momentum", 0.05))
                if not affine or rng.random() < 0.2:
                    args.append(("affine", affine))
                if not trs or rng.random() < 0.2:
                    args.append(("track_running_stats", trs))
                expr = call("BatchNorm%dd" % nd, sig, args, rng)
                shapes = good + [[2, C + 1] + s[2:] for s in good] + [
                    [C], [C, 4], [2, C, 4], [2, C, 4, 4], [2, C, 2, 2, 2], [2, C, 1, 1, 1, 1], [],
                    [0, C] + [2] * (nd - 1 if nd > 1 else 0)]
                for shape in shapes:
                    for mode in (None, "train"):
                        fam.add(expr, shape, mode)
                # single value per channel in training
                for shape in ([1, C], [1, C, 1], [1, C, 1, 1], [1, C, 1, 1, 1], [2, C, 1, 1],
                              [1, C, 2], [0, C, 1, 1]):
                    fam.add(expr, shape, "train")
    fam.add("nn.BatchNorm1d(1)", [1, 1], "train")
    fam.add("nn.BatchNorm1d(1)", [2, 1], "train")


# ----------------------------------------------------------------------------
# Padding layers
# ----------------------------------------------------------------------------

def pad_drop(case):
    msg = case.get("message", "")
    if "resulted in a negative output size" in msg:
        # "The input size N, plus negative padding A and B resulted in ..."
        try:
            words = msg.split()
            n = int(words[3].rstrip(","))
            a = int(words[7])
            b = int(words[9])
            if n + a + b == 0:
                return "ZeroPad/ConstantPad net size 0 with a positive pad (1.13 errors, 2.x empty)"
        except (IndexError, ValueError):
            pass
    return None


def gen_pad(fam, rng, n_random):
    pads = [0, 1, 2, -1, -2, (1, 2, 3, 4), (0, 0, 0, 0), (-1, -1, 0, 0), (1, 1, -2, -2),
            (-2, -2, -2, -2), (-3, -3, 0, 0), (-4, 0, 0, 0), (0, 0, -4, 1), (-5, 1, 0, 0),
            (2, 0, -1, 0), (1, 2), (1, 2, 3), (1, 2, 3, 4, 5, 6), -3, -4]
    shapes = [[1, 1, 4, 4], [2, 3, 4, 5], [3, 4, 4], [4, 4], [4], [], [1, 2, 3, 4, 4],
              [0, 1, 4, 4], [1, 1, 0, 4], [1, 1, 6, 3]]
    for pad in pads:
        for shape in shapes:
            style = rng.random()
            if style < 0.5:
                fam.add("nn.ZeroPad2d(%s)" % fmt(pad), shape, drop=pad_drop)
            elif style < 0.65:
                fam.add("nn.ZeroPad2d(padding=%s)" % fmt(pad), shape, drop=pad_drop)
            else:
                val = rng.choice([0, 1.5, -2.0, 3])
                if rng.random() < 0.5:
                    expr = "nn.ConstantPad2d(%s, %s)" % (fmt(pad), fmt(val))
                else:
                    expr = "nn.ConstantPad2d(padding=%s, value=%s)" % (fmt(pad), fmt(val))
                fam.add(expr, shape, drop=pad_drop)
    fam.add("nn.ConstantPad2d(1)", [1, 1, 4, 4])
    for i in range(n_random):
        if rng.random() < 0.3:
            pad = rng.randint(-3, 3)
        else:
            pad = tuple(rng.randint(-4, 3) for _ in range(4))
        r = rng.randint(2, 5)
        shape = [rng.randint(1, 3) for _ in range(r - 2)] + [rng.randint(1, 7), rng.randint(1, 7)]
        if rng.random() < 0.5:
            fam.add("nn.ZeroPad2d(%s)" % fmt(pad), shape, drop=pad_drop)
        else:
            fam.add("nn.ConstantPad2d(%s, %s)" % (fmt(pad), fmt(rng.choice([0.0, 1, -1.5]))), shape,
                    drop=pad_drop)


def gen_pad_modes(fam, rng, n_random):
    """ConstantPad/ZeroPad/ReflectionPad/ReplicationPad 1d/2d/3d. ZeroPad1d/3d are PyTorch
    2.1's: their cases are ConstantPad{1,3}d(padding, 0.0) under the ZeroPad name."""
    kinds = ["Zero", "Constant", "Reflection", "Replication"]

    def add(kind, nd, pad, shape, value=None, kw=False):
        arg = ("padding=%s" if kw else "%s") % fmt(pad)
        if kind == "Constant":
            v = value if value is not None else 1.5
            expr = "nn.ConstantPad%dd(%s, %s)" % (nd, arg, fmt(v))
            run_expr = expr
        elif kind == "Zero":
            expr = "nn.ZeroPad%dd(%s)" % (nd, arg)
            run_expr = expr if nd == 2 else "nn.ConstantPad%dd(%s, %s0.0)" % (
                nd, arg, "value=" if kw else "")
        else:
            expr = run_expr = "nn.%sPad%dd(%s)" % (kind, nd, arg)
        key = (expr, tuple(shape))
        if key in fam.keys:
            return
        fam.keys.add(key)
        case = evaluate(run_expr, shape, None)
        case["layer"] = expr
        if kind in ("Zero", "Constant"):
            reason = pad_drop(case)
        elif any(v < 0 for v in case.get("output", [])):
            reason = ("ReflectionPad2d/3d of an empty batch to a negative width (1.13 returns a "
                      "shape with a negative dim)")
        else:
            reason = None
            rank, npairs = len(shape), (len(pad) // 2 if isinstance(pad, tuple) else nd)
            batch = rank == npairs + 2
            if (kind == "Reflection" and "output" in case and npairs in (1, 2)
                    and 0 in (shape[1:] if batch else shape)):
                reason = ("ReflectionPad{1,2}d on an input with an empty non-batch dim (1.13's "
                          "reflection_pad{1,2}d accept some, 2.x's check_valid_input refuses them)")
        if reason:
            EXCLUDED[reason] += 1
            return
        fam.cases.append(case)

    shapes = {1: [[3], [2, 5], [1, 3, 4], [2, 1, 1], [0, 2, 4], [2, 0, 4], [1, 2, 0], [0, 4],
                  [4, 0], [1, 1, 3, 4]],
              2: [[1, 1, 3, 3], [2, 3, 4, 5], [3, 4, 4], [4, 4], [1, 1, 1, 3, 3], [0, 1, 3, 3],
                  [1, 0, 3, 3], [1, 1, 0, 3], [0, 3, 3], [2, 0, 3], [1, 2, 1, 1]],
              3: [[1, 1, 2, 3, 4], [2, 3, 3, 3], [1, 2, 3, 3, 3], [3, 3, 3], [0, 1, 2, 2, 2],
                  [1, 0, 2, 2, 2], [1, 2, 0, 2], [1, 1, 1, 1, 1, 1], [1, 1, 2, 2, 2]]}
    pads = {1: [0, 1, 2, 3, -1, -2, -3, (1, 2), (2, 1), (0, 3), (-1, 2), (-3, 1), (-4, 1), (3, -1),
                (1,), (1, 2, 3), (1, 1, 1, 1), (1, 2, 3, 4, 5, 6), (1, 2, 3, 4, 5, 6, 7, 8), ()],
            2: [0, 1, 2, 3, -1, -2, (1, 2, 0, 1), (2, 2, -1, 0), (-2, -2, 0, 0), (-3, 0, 0, 0),
                (0, 0, -3, 0), (0, 0, 3, 3), (2, 3, 2, 3), (1, 2), (1, 2, 3), (1, 1, 1, 1, 1, 1),
                (-1, -1, -1, -1), (3, 0, 0, 0)],
            3: [0, 1, 2, 3, -1, -2, (1, 0, 0, 1, 1, 0), (1, 2, 1, 2, 1, 2), (-2, -2, 0, 0, 0, 0),
                (-4, 1, 0, 0, 0, 0), (0, 0, -3, 0, 0, 0), (1, 1, 1, 1), (1, 2),
                (1, 1, 1, 1, 1, 1, 1, 1), (0, 0, 0, 0, 2, 2), (1, 2, 3, 4, 5)]}
    for nd in (1, 2, 3):
        for kind in kinds:
            for pad in pads[nd]:
                for shape in shapes[nd] + rng.sample(shapes[1 + nd % 3], 2):
                    add(kind, nd, pad, shape, value=rng.choice([0, 1.5, -2.0, 3]),
                        kw=rng.random() < 0.2)
    for expr, shape in [("nn.ConstantPad1d(1)", [1, 3]), ("nn.ReflectionPad1d()", [1, 3]),
                        ("nn.ReplicationPad3d()", [1, 1, 1, 1]), ("nn.ConstantPad3d(1, None)",
                                                                   [1, 2, 2, 2]),
                        ("nn.ConstantPad1d(value=2.0, padding=1)", [1, 3]),
                        ("nn.ReflectionPad2d(padding=(1, 1, 1, 1))", [1, 2, 2])]:
        fam.add(expr, shape)
    for i in range(n_random):
        nd = rng.randint(1, 3)
        kind = rng.choice(kinds)
        if rng.random() < 0.3:
            pad = rng.randint(-3, 4)
        else:
            pad = tuple(rng.randint(-4, 4) for _ in range(2 * nd if rng.random() < 0.9
                                                            else 2 * rng.randint(1, 3)))
        r = nd + rng.choice([1, 2, 2]) if rng.random() < 0.95 else rng.randint(1, 6)
        shape = [rng.randint(1, 6) for _ in range(r)]
        if rng.random() < 0.05:
            shape[rng.randrange(r)] = 0
        add(kind, nd, pad, shape, value=rng.choice([0.0, 1, -1.5]))


# ----------------------------------------------------------------------------
# Upsample
# ----------------------------------------------------------------------------

UPS_SIG = ["size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"]
MODES = ["nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"]


def ups_expr(rng, size=None, scale=None, mode=None, ac=None, rsf=None, keep_none=False):
    args = []
    if size is not None or keep_none:
        args.append(("size", size))
    if scale is not None:
        args.append(("scale_factor", scale))
    if mode is not None:
        args.append(("mode", mode))
    if ac is not None:
        args.append(("align_corners", ac))
    if rsf is not None:
        args.append(("recompute_scale_factor", rsf))
    return call("Upsample", UPS_SIG, args, rng)


def gen_upsample(fam, rng, n_random):
    shapes = {3: [[1, 2, 5], [2, 1, 7], [0, 2, 5]], 4: [[1, 2, 5, 4], [2, 1, 3, 6], [2, 3, 4]],
              5: [[1, 2, 3, 4, 2], [1, 1, 2, 2, 2]]}
    odd_shapes = [[3, 5], [5], [], [1, 1, 2, 2, 2, 2]]
    ranks = {"linear": (3,), "bilinear": (4,), "bicubic": (4,), "trilinear": (5,)}
    interpolating = ("linear", "bilinear", "bicubic", "trilinear")
    for mode in MODES + [None, "foo"]:
        good_ranks = ranks.get(mode, (3, 4, 5))
        for spec in [("size", 8), ("size", 1), ("size", (3, 6)), ("size", (4,)), ("size", (2, 3, 4)),
                     ("scale", 2), ("scale", 2.5), ("scale", 0.5), ("scale", 1.7), ("scale", (2, 3)),
                     ("scale", (2.0,)), ("scale", (1, 2, 0.5)), ("scale", 0.1), ("size", 0),
                     ("scale", 1), ("scale", 0.34), ("size", (0, 3)), ("scale", (0.5, 3, 1.5))]:
            for ac in (None, True, False):
                if ac is not None and rng.random() < (0.5 if mode in interpolating else 0.85):
                    continue
                kw = {"size": spec[1]} if spec[0] == "size" else {"scale": spec[1]}
                expr = ups_expr(rng, mode=mode, ac=ac, **kw)
                n = len(spec[1]) if isinstance(spec[1], tuple) else None
                cand = []
                for r in good_ranks:
                    if n is None or n == r - 2:
                        cand += shapes[r]
                if not cand:
                    cand = [rng.choice(shapes[good_ranks[0]])]
                elif rng.random() < 0.5:
                    cand = cand[:1] + rng.sample(cand[1:], min(len(cand) - 1, 2))
                others = [sh for r in (3, 4, 5) if r not in good_ranks for sh in shapes[r]]
                if others and rng.random() < 0.35:
                    cand.append(rng.choice(others))
                if rng.random() < 0.1:
                    cand.append(rng.choice(odd_shapes))
                for shape in cand:
                    fam.add(expr, shape)
    # both / neither of size and scale_factor, recompute_scale_factor
    for expr in ["nn.Upsample()", "nn.Upsample(size=4, scale_factor=2)", "nn.Upsample(4, 2)",
                 "nn.Upsample(scale_factor=0)", "nn.Upsample(size=None, scale_factor=None)",
                 "nn.Upsample(size=4, recompute_scale_factor=True)",
                 "nn.Upsample(scale_factor=2.5, recompute_scale_factor=True)",
                 "nn.Upsample(scale_factor=2.5, mode='bilinear', recompute_scale_factor=True)",
                 "nn.Upsample(scale_factor=0.3, mode='area')",
                 "nn.Upsample(scale_factor=1.5, mode='area', recompute_scale_factor=False)",
                 "nn.Upsample(scale_factor=(2, 0.5), mode='bicubic', align_corners=True)",
                 "nn.Upsample(size=(2, 3), mode='nearest', align_corners=False)"]:
        for shape in ([1, 2, 5], [1, 2, 5, 4], [1, 2, 3, 4, 2]):
            fam.add(expr, shape)
    for i in range(n_random):
        r = rng.choice([3, 4, 5])
        sp = [rng.randint(1, 8 if r < 5 else 4) for _ in range(r - 2)]
        shape = [rng.randint(0, 2) if rng.random() < 0.1 else rng.randint(1, 2), rng.randint(1, 3)] + sp
        if rng.random() < 0.06:
            shape = shape[1:]
        if rng.random() < 0.08:
            mode = rng.choice(MODES)
        else:
            mode = rng.choice({3: ["nearest", "linear", "area", "nearest-exact"],
                               4: ["nearest", "bilinear", "bicubic", "area", "nearest-exact"],
                               5: ["nearest", "trilinear", "area", "nearest-exact"]}[r])
        if mode in ("linear", "bilinear", "bicubic", "trilinear") or rng.random() < 0.05:
            ac = rng.choice([None, None, True, False])
        else:
            ac = None
        if rng.random() < 0.5:
            if rng.random() < 0.4:
                size = rng.randint(1, 10)
            else:
                size = tuple(rng.randint(1, 10) for _ in range(r - 2 if rng.random() < 0.92 else r - 1))
            expr = ups_expr(rng, size=size, mode=mode, ac=ac)
        else:
            if rng.random() < 0.4:
                scale = rng.choice([2, 3, 0.5, 1.5, 2.25, 0.75, 1.3, 4])
            else:
                scale = tuple(rng.choice([1, 2, 0.5, 1.5, 2.5, 3.0, 0.7])
                              for _ in range(r - 2 if rng.random() < 0.92 else r - 1))
            rsf = rng.choice([None, None, None, True, False])
            expr = ups_expr(rng, scale=scale, mode=mode, ac=ac, rsf=rsf)
        fam.add(expr, shape)


def gen_upsampling(fam, rng, n_random):
    """nn.UpsamplingNearest2d / nn.UpsamplingBilinear2d(size=None, scale_factor=None)."""
    shapes = [[1, 2, 5, 4], [2, 1, 3, 6], [2, 3, 4], [1, 2, 5], [1, 1, 2, 3, 2], [0, 2, 3, 3],
              [1, 0, 3, 3], [3, 5], [1, 1, 1, 1], []]
    specs = ["", "8", "size=1", "(3, 6)", "size=(4,)", "size=(2, 3, 4)", "scale_factor=2",
             "scale_factor=2.5", "None, 0.5", "scale_factor=(2, 3)", "scale_factor=(1.5,)",
             "size=0", "size=(0, 3)", "4, 2", "size=4, scale_factor=2", "scale_factor=0",
             "None, None", "scale_factor=0.34", "size=(3, -1)", "scale_factor=1"]
    for typ in ("UpsamplingNearest2d", "UpsamplingBilinear2d"):
        for sp in specs:
            for shape in shapes:
                fam.add("nn.%s(%s)" % (typ, sp), shape)
        for bad in ("mode='bilinear'", "4, 2, 'nearest'", "align_corners=True"):
            fam.add("nn.%s(%s)" % (typ, bad), [1, 1, 2, 2])
    for i in range(n_random):
        typ = rng.choice(("UpsamplingNearest2d", "UpsamplingBilinear2d"))
        r = rng.choice([3, 4, 4, 4, 5])
        shape = [rng.randint(1, 3), rng.randint(1, 3)] + [rng.randint(1, 7) for _ in range(r - 2)]
        if rng.random() < 0.5:
            sz = rng.randint(1, 9) if rng.random() < 0.4 else tuple(rng.randint(1, 9) for _ in range(r - 2))
            expr = "nn.%s(%s)" % (typ, fmt(sz))
        else:
            sc = rng.choice([2, 3, 0.5, 1.5, 2.25, 0.75, 1.3]) if rng.random() < 0.5 else \
                tuple(rng.choice([1, 2, 0.5, 1.5, 3.0]) for _ in range(r - 2))
            expr = "nn.%s(scale_factor=%s)" % (typ, fmt(sc))
        fam.add(expr, shape)


UNFOLD_SIG = ["kernel_size", "dilation", "padding", "stride"]
FOLD_SIG = ["output_size"] + UNFOLD_SIG


def gen_fold(fam, rng, n_random):
    """nn.Fold / nn.Unfold: hand-picked checks in aten's order, then random configurations (for
    Fold, often the block count of a matching Unfold, so the shape rule is exercised)."""
    ushapes = [[1, 3, 4, 4], [3, 4, 4], [2, 2, 5, 6], [4, 4], [4], [], [1, 1, 3, 4, 4],
               [0, 3, 4, 4], [1, 0, 4, 4], [1, 3, 0, 4], [0, 4], [0, 4, 4], [2, 1, 1, 1]]
    uexprs = ["nn.Unfold(2)", "nn.Unfold(5)", "nn.Unfold(0)", "nn.Unfold(2, stride=0)",
              "nn.Unfold(2, dilation=0)", "nn.Unfold(2, padding=-1)", "nn.Unfold((2, 3, 4))",
              "nn.Unfold((2,))", "nn.Unfold((2, 3), stride=(1, 2, 3))",
              "nn.Unfold((2, 2), dilation=(1, 1, 1), padding=(1, 2, 3))",
              "nn.Unfold(0, dilation=0, padding=-1, stride=0)", "nn.Unfold(3, padding=1)",
              "nn.Unfold(kernel_size=2, dilation=2, padding=1, stride=2)", "nn.Unfold((1, 3), 1, (0, 1), (2, 1))",
              "nn.Unfold(2, dilation=(1, 0))", "nn.Unfold(2, 1, 0, (1, -1))", "nn.Unfold(1)"]
    for e in uexprs:
        for sh in ushapes:
            fam.add(e, sh)
    fshapes = [[1, 12, 9], [12, 9], [1, 12, 8], [1, 13, 9], [1, 12, 9, 1], [12], [], [0, 12, 9],
               [1, 0, 9], [1, 12, 0], [0, 9], [12, 0], [1, 4, 1], [1, 4, 4], [2, 8, 6], [1, 25, 0],
               [1, 4, 16]]
    fexprs = ["nn.Fold(4, 2)", "nn.Fold(4, 0)", "nn.Fold(1, 2)", "nn.Fold(4, 2, stride=0)",
              "nn.Fold(4, 2, padding=-1)", "nn.Fold(4, 2, dilation=0)", "nn.Fold(0, 2)",
              "nn.Fold(-1, 2)", "nn.Fold(-3, 2)", "nn.Fold((4, 5, 6), 2)", "nn.Fold(4, (2, 2, 2))",
              "nn.Fold((1, 4), 2)", "nn.Fold((1, 5), 2)", "nn.Fold(4, 5)",
              "nn.Fold(output_size=(5, 6), kernel_size=2, dilation=2, padding=1, stride=2)",
              "nn.Fold(4, 0, dilation=0, padding=-1, stride=0)", "nn.Fold(0, 1, padding=1)",
              "nn.Fold((0, 3), 1, padding=(1, 0))", "nn.Fold(4, 1)", "nn.Fold(4, (1, 2), stride=(1, 2))",
              "nn.Fold(4, 2, 1, 0, (1,))", "nn.Fold((2, 4), (1, 2), 1, 0, (2, 2))"]
    for e in fexprs:
        for sh in fshapes:
            fam.add(e, sh)
    for i in range(n_random):
        k = [rng.randint(1, 4) for _ in range(2)]
        d = [rng.randint(1, 3) for _ in range(2)]
        p = [rng.randint(0, 2) for _ in range(2)]
        st = [rng.randint(1, 3) for _ in range(2)]
        if rng.random() < 0.04:
            rng.choice([k, d, st])[rng.randint(0, 1)] = 0
        if rng.random() < 0.03:
            p[rng.randint(0, 1)] = -1
        hw = [rng.randint(1, 9) for _ in range(2)]
        c = rng.randint(1, 3)
        args = [("kernel_size", spatial(k, rng, 2)), ("dilation", spatial(d, rng, 2)),
                ("padding", spatial(p, rng, 2)), ("stride", spatial(st, rng, 2))]
        args = [a for j, a in enumerate(args) if j == 0 or rng.random() < 0.6]
        if rng.random() < 0.5:
            shape = ([rng.randint(0, 2) if rng.random() < 0.1 else rng.randint(1, 2)]
                     if rng.random() < 0.8 else []) + [c] + hw
            fam.add(call("Unfold", UNFOLD_SIG, args, rng), shape)
        else:
            def nb(j):
                if st[j] <= 0:
                    return 1
                return (hw[j] + 2 * p[j] - d[j] * (k[j] - 1) - 1) // st[j] + 1
            L = nb(0) * nb(1)
            if rng.random() < 0.15:
                L += rng.choice([-1, 1, 2])
            planes = c * k[0] * k[1] + (rng.choice([1, -1]) if rng.random() < 0.08 else 0)
            shape = ([rng.randint(1, 2)] if rng.random() < 0.8 else []) + [max(planes, 0),
                                                                          max(L, 0)]
            fam.add(call("Fold", FOLD_SIG, [("output_size", spatial(hw, rng, 2))] + args, rng), shape)


def evaluate_lazy(expr, shape):
    """evaluate() for nn.Lazy* modules: their parameters exist only after the first forward, so
    they are counted then (PyTorch's own counts after inference)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = eval(expr, {"nn": nn})
        except Exception as exc:
            return {"layer": expr, "error": type(exc).__name__, "stage": "construct",
                    "message": first_line(exc)}
        module.eval()
        case = {"layer": expr, "input": list(shape)}
        try:
            out = module(torch.zeros(shape))
        except Exception as exc:
            case.update({"error": type(exc).__name__, "stage": "forward",
                         "message": first_line(exc)})
            return case
        case.update({"output": list(out.shape), "params": numel_sum(module.parameters()),
                     "buffers": numel_sum(module.buffers())})
        return case


def gen_lazy(fam, rng, n_random):
    """nn.LazyConv*, nn.LazyConvTranspose*, nn.LazyLinear, nn.LazyBatchNorm*,
    nn.LazyInstanceNorm*. An input with 0
    channels is left out: the lazy modules treat in_channels/num_features 0 as still
    uninitialised and behave erratically (LazyConv2d on [1, 0, 5, 5] gives [1, 0, 3, 3])."""
    def add(expr, shape):
        key = (expr, tuple(shape))
        if key in fam.keys:
            return
        fam.keys.add(key)
        if len(shape) >= 2 and shape[1] == 0 and "Linear" not in expr:
            EXCLUDED["Lazy module on an input with 0 channels (stays uninitialised)"] += 1
            return
        fam.cases.append(evaluate_lazy(expr, shape))

    for nd in (1, 2, 3):
        good = [[1, 3] + [5] * nd, [3] + [5] * nd, [2, 4] + [6] * nd]
        bad = [[5] * nd, [1, 3] + [5] * (nd + 1), [], [1, 4] + [2] * nd]
        for e in ["nn.LazyConv%dd(8, 3)", "nn.LazyConv%dd(8, 3, groups=2)",
                  "nn.LazyConv%dd(7, 3, groups=2)", "nn.LazyConv%dd(1, 3, groups=2)",
                  "nn.LazyConv%dd(8, 3, groups=0)", "nn.LazyConv%dd(8, 3, stride=2, padding=1)",
                  "nn.LazyConv%dd(8, 3, padding='same', dilation=2)",
                  "nn.LazyConv%dd(8, 3, padding_mode='reflect', padding=2)",
                  "nn.LazyConv%dd(8, 3, padding='foo')", "nn.LazyConv%dd(-1, 3)",
                  "nn.LazyConv%dd(8, -3)", "nn.LazyConv%dd(8, 3, bias=False)",
                  "nn.LazyConv%dd(out_channels=6, kernel_size=2, groups=3)",
                  "nn.LazyConvTranspose%dd(8, 3)", "nn.LazyConvTranspose%dd(7, 3, groups=2)",
                  "nn.LazyConvTranspose%dd(7, 3, groups=2, bias=False)",
                  "nn.LazyConvTranspose%dd(8, 3, groups=2, stride=2, output_padding=1)",
                  "nn.LazyConvTranspose%dd(8, 3, padding_mode='reflect')",
                  "nn.LazyConvTranspose%dd(8, 3, groups=3)", "nn.LazyConvTranspose%dd(-2, 3)",
                  "nn.LazyConvTranspose%dd(4, 3, dilation=2, padding=1, bias=False)"]:
            for sh in good + bad:
                add(e % nd, sh)
        for e in ["nn.LazyBatchNorm%dd()", "nn.LazyBatchNorm%dd(affine=False)",
                  "nn.LazyBatchNorm%dd(track_running_stats=False)",
                  "nn.LazyBatchNorm%dd(1e-3, 0.2, False, False)", "nn.LazyBatchNorm%dd(3)"]:
            for sh in ([], [3], [2, 3], [2, 3, 4], [2, 3, 4, 4], [2, 3, 4, 4, 4], [1, 3, 1, 1],
                       [0, 3, 2, 2], [2, 5, 3, 3, 3]):
                add(e % nd, sh)
        for e in ["nn.LazyInstanceNorm%dd()", "nn.LazyInstanceNorm%dd(affine=False)",
                  "nn.LazyInstanceNorm%dd(track_running_stats=False)",
                  "nn.LazyInstanceNorm%dd(1e-3, 0.2, False, False)",
                  "nn.LazyInstanceNorm%dd(1e-3, 0.2, True, False)"]:
            for sh in ([], [3], [2, 3], [3, 4], [2, 3, 4], [3, 4, 4], [2, 3, 4, 4], [2, 3, 4, 4, 4],
                       [1, 3, 1, 1], [0, 3, 2, 2], [2, 5, 3, 3, 3], [4, 5], [4, 4, 5], [4, 4, 4, 5],
                       [2, 3, 1], [1, 3, 1, 1, 1]):
                # num_features is shape[1] (for an unbatched input too); with affine=True a
                # channel count that differs is 2.x's ValueError, 1.13's batch_norm checks.
                affine = "affine=False" not in e and "False, False" not in e
                rank = len(sh)
                if affine and rank in (nd + 1, nd + 2) and sh[rank - nd - 1] != sh[1]:
                    EXCLUDED["InstanceNorm affine=True, channels != num_features: 1.13 "
                             "batch_norm's checks, 2.x ValueError"] += 1
                    continue
                add(e % nd, sh)
    for e in ["nn.LazyLinear(5)", "nn.LazyLinear(5, bias=False)", "nn.LazyLinear(0)",
              "nn.LazyLinear(-1)", "nn.LazyLinear(out_features=3)", "nn.LazyLinear(4, False)"]:
        for sh in ([2, 3], [3], [], [2, 0], [0, 3], [2, 3, 4, 7]):
            add(e, sh)
    for i in range(n_random):
        nd = rng.randint(1, 3)
        g = rng.choice([1, 1, 1, 2, 3])
        c = g * rng.randint(1, 3) if rng.random() < 0.9 else rng.randint(1, 5)
        o = g * rng.randint(1, 3) if rng.random() < 0.85 else rng.randint(1, 7)
        k = rng.randint(1, 3)
        t = rng.random() < 0.4
        kw = ["groups=%d" % g] if g != 1 else []
        if rng.random() < 0.4:
            kw.append("stride=%d" % rng.randint(1, 3))
        if rng.random() < 0.4:
            kw.append("padding=%d" % rng.randint(0, 2))
        if rng.random() < 0.2:
            kw.append("bias=False")
        expr = "nn.Lazy%s%dd(%s)" % ("ConvTranspose" if t else "Conv", nd,
                                      ", ".join(["%d" % o, "%d" % k] + kw))
        shape = ([rng.randint(1, 2)] if rng.random() < 0.8 else []) + [c] + \
            [rng.randint(1, 7) for _ in range(nd)]
        add(expr, shape)


def evaluate_unpool(ctor, shapes, output_size=None):
    """MaxUnpool: forward(values, indices, output_size). The case's layer is cnnshape's spelling,
    with output_size as a keyword of the layer; the indices are zeros (always in range)."""
    expr = ctor if output_size is None else "%s, output_size=%s)" % (ctor[:-1], fmt(output_size)) \
        if not ctor.endswith("()") else "%soutput_size=%s)" % (ctor[:-1], fmt(output_size))
    if isinstance(output_size, list):  # keep a list a list in the expression
        expr = expr.replace("output_size=%s" % fmt(output_size), "output_size=%r" % output_size)
    case = {"layer": expr, "inputs": [list(s) for s in shapes]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = eval(ctor, {"nn": nn})
            kw = {} if output_size is None else {"output_size": output_size}
            out = m(torch.zeros(shapes[0]), torch.zeros(shapes[1], dtype=torch.long), **kw)
        except Exception as exc:
            case.update({"error": type(exc).__name__, "stage": "forward",
                         "message": first_line(exc)})
            return case
    case.update({"output": list(out.shape), "params": 0, "buffers": 0})
    return case


def gen_unpool(fam, rng, n_random):
    def add(ctor, shapes, output_size=None):
        key = (ctor, tuple(tuple(s) for s in shapes), repr(output_size))
        if key in fam.keys:
            return
        fam.keys.add(key)
        case = evaluate_unpool(ctor, shapes, output_size)
        if "output" in case and any(v < 0 for v in case["output"]):
            EXCLUDED["MaxUnpool to a negative size (1.13 returns it)"] += 1
            return
        fam.cases.append(case)

    hand = {1: [[1, 1, 3], [1, 3], [3], [], [1, 1, 1, 3], [1, 0, 3], [0, 2, 3], [2, 4, 1]],
            2: [[1, 1, 2, 2], [1, 2, 2], [2, 2], [2], [1, 1, 1, 2, 2], [1, 0, 2, 2], [0, 1, 2, 2],
                [2, 3, 3, 1], [1, 1, 1, 1]],
            3: [[1, 1, 2, 2, 2], [1, 2, 2, 2], [2, 2, 2], [1, 0, 2, 2], [0, 1, 2, 2, 2],
                [1, 1, 1, 2, 2, 2], [1, 1, 2, 3, 1]]}
    ctors = ["nn.MaxUnpool%dd(2)", "nn.MaxUnpool%dd(2, stride=1, padding=1)",
             "nn.MaxUnpool%dd(2, padding=2)", "nn.MaxUnpool%dd(0)", "nn.MaxUnpool%dd(2, stride=0)",
             "nn.MaxUnpool%dd(3, 2, 1)", "nn.MaxUnpool%dd(kernel_size=3, stride=1, padding=2)",
             "nn.MaxUnpool%dd(2, padding=-1)", "nn.MaxUnpool%dd((2, 3, 4))",
             "nn.MaxUnpool%dd((2, 2), stride=(1, 2, 3))", "nn.MaxUnpool%dd(2, padding=(1,))",
             "nn.MaxUnpool%dd(3, stride=2)"]
    for nd in (1, 2, 3):
        for c in ctors:
            for sh in hand[nd]:
                add(c % nd, [sh, sh])
        base = hand[nd][0]
        other = list(base)
        other[-1] += 1
        add("nn.MaxUnpool%dd(2)" % nd, [base, other])
        add("nn.MaxUnpool%dd(2)" % nd, [base, base[1:]])
        for osz in ([5] * nd, [4] * nd, [6] * nd, [3] * nd, [1, 1] + [5] * nd, [1] + [5] * nd,
                    [2] * nd, [5] * (nd + 1)):
            for as_list in (False, True):
                add("nn.MaxUnpool%dd(2)" % nd, [base, base], osz if as_list else tuple(osz))
        add("nn.MaxUnpool%dd(3, 2, 1)" % nd, [base, base], tuple([4] * nd))
    for i in range(n_random):
        nd = rng.randint(1, 3)
        k = [rng.randint(1, 4) for _ in range(nd)]
        s = [rng.randint(1, 3) for _ in range(nd)] if rng.random() < 0.6 else None
        p = [rng.randint(0, 1) for _ in range(nd)]
        args = [("kernel_size", spatial(k, rng, nd))]
        if s is not None:
            args.append(("stride", spatial(s, rng, nd)))
        if any(p) or rng.random() < 0.3:
            args.append(("padding", spatial(p, rng, nd)))
        ctor = call("MaxUnpool%dd" % nd, ["kernel_size", "stride", "padding"], args, rng)
        shape = ([rng.randint(1, 2)] if rng.random() < 0.8 else []) + [rng.randint(1, 3)] + \
            [rng.randint(1, 5) for _ in range(nd)]
        osz = None
        if rng.random() < 0.35:
            st = s or k
            osz = tuple((shape[-nd + d] - 1) * st[d] - 2 * p[d] + k[d] + rng.randint(-st[d], st[d])
                        for d in range(nd))
        add(ctor, [shape, shape], osz)


# ----------------------------------------------------------------------------
# Misc (dropout, identity, activations, softmax)
# ----------------------------------------------------------------------------

def gen_misc(fam, rng):
    shapes = [[2, 3, 4, 4], [3, 4, 4], [2, 5], [5], [], [0, 3], [1, 2, 3, 4, 5]]
    exprs = ["nn.Dropout()", "nn.Dropout(0.5)", "nn.Dropout(p=0.0)", "nn.Dropout(1.0)",
             "nn.Dropout(p=0.25, inplace=True)", "nn.Dropout(1.5)", "nn.Dropout(-0.1)",
             "nn.Dropout(p=2)", "nn.Dropout2d()", "nn.Dropout2d(0.2)", "nn.Dropout2d(p=1.01)",
             "nn.Dropout2d(-1)", "nn.Identity()", "nn.Identity(3, foo=4)", "nn.ReLU()",
             "nn.ReLU(inplace=True)", "nn.ReLU(True)", "nn.ReLU6()", "nn.ReLU6(inplace=True)",
             "nn.LeakyReLU()", "nn.LeakyReLU(0.2)", "nn.LeakyReLU(negative_slope=0.1, inplace=True)",
             "nn.GELU()", "nn.GELU(approximate='tanh')", "nn.GELU(approximate='none')",
             "nn.GELU('tanh')", "nn.GELU(approximate='foo')", "nn.SiLU()", "nn.SiLU(inplace=True)",
             "nn.Sigmoid()", "nn.Tanh()", "nn.Hardswish()", "nn.Hardswish(inplace=True)",
             "nn.Hardsigmoid()", "nn.Hardsigmoid(inplace=True)",
             "nn.Softmax()", "nn.Softmax(dim=None)", "nn.Softmax(dim=0)", "nn.Softmax(1)",
             "nn.Softmax(dim=-1)", "nn.Softmax(dim=2)", "nn.Softmax(dim=3)", "nn.Softmax(dim=4)",
             "nn.Softmax(dim=-4)", "nn.Softmax(dim=-5)", "nn.Softmax(-2)"]
    for expr in exprs:
        for shape in shapes:
            fam.add(expr, shape)
    for expr in ["nn.Dropout(0.5)", "nn.Dropout2d(0.3)", "nn.Dropout(0.0)", "nn.Dropout(1.0)"]:
        for shape in ([2, 3, 4, 4], [3, 4], [0, 2]):
            fam.add(expr, shape, "train")
    for i in range(80):
        expr = rng.choice(exprs)
        shape = [rng.randint(1, 4) for _ in range(rng.randint(0, 5))]
        fam.add(expr, shape)


def gen_activation(fam, rng):
    """Issue 11's activations and dropouts: shapes, construction and forward errors."""
    shapes = [[2, 3, 4, 4], [3, 4, 4], [2, 5], [5], [], [0, 3], [1, 2, 3, 4, 5], [2, 4, 6],
              [2, 3, 0, 4]]
    exprs = ["nn.Hardtanh()", "nn.Hardtanh(-2.0, 2.0)", "nn.Hardtanh(0.5, 0.5)",
             "nn.Hardtanh(1, -1)", "nn.Hardtanh(min_val=-0.5, max_val=3, inplace=True)",
             "nn.Hardtanh(min_value=-3.0)", "nn.Hardtanh(max_value=-2.0)",
             "nn.Hardtanh(float('nan'), 1.0)", "nn.ELU()", "nn.ELU(0.5)", "nn.ELU(alpha=-1.0, inplace=True)",
             "nn.SELU()", "nn.SELU(True)", "nn.CELU()", "nn.CELU(2.0)", "nn.CELU(alpha=0.0)",
             "nn.CELU(0)", "nn.Mish()", "nn.Mish(inplace=True)", "nn.Softplus()",
             "nn.Softplus(2, 10)", "nn.Softplus(beta=0.5, threshold=1)", "nn.Softplus(0)",
             "nn.Softsign()", "nn.Threshold(0.1, 20.0)", "nn.Threshold(0, -1, True)",
             "nn.Threshold(threshold=1.5, value=0.0)", "nn.Hardshrink()", "nn.Hardshrink(0.0)",
             "nn.Hardshrink(-1.0)", "nn.Hardshrink(lambd=2)", "nn.Softshrink()",
             "nn.Softshrink(0.0)", "nn.Softshrink(-1.0)", "nn.Softshrink(lambd=-0.25)",
             "nn.Softshrink(-1e-7)", "nn.Tanhshrink()", "nn.LogSigmoid()", "nn.PReLU()", "nn.PReLU(3)",
             "nn.PReLU(4)", "nn.PReLU(num_parameters=5, init=0.1)", "nn.PReLU(0)",
             "nn.PReLU(-1)", "nn.PReLU(1, -0.5)", "nn.PReLU(2)", "nn.GLU()", "nn.GLU(0)",
             "nn.GLU(1)", "nn.GLU(dim=2)", "nn.GLU(-2)", "nn.GLU(4)", "nn.GLU(-5)", "nn.GLU(dim=-6)",
             "nn.LogSoftmax()", "nn.LogSoftmax(dim=None)", "nn.LogSoftmax(0)", "nn.LogSoftmax(dim=1)",
             "nn.LogSoftmax(dim=-1)", "nn.LogSoftmax(dim=3)", "nn.LogSoftmax(dim=4)",
             "nn.LogSoftmax(-5)", "nn.Softmax2d()", "nn.Dropout1d()", "nn.Dropout1d(0.3)",
             "nn.Dropout1d(p=1.5)", "nn.Dropout1d(-0.5, True)", "nn.Dropout3d()",
             "nn.Dropout3d(0.2)", "nn.Dropout3d(p=2.0)", "nn.AlphaDropout()",
             "nn.AlphaDropout(0.1, inplace=True)", "nn.AlphaDropout(1.1)",
             "nn.FeatureAlphaDropout()", "nn.FeatureAlphaDropout(p=0.25)",
             "nn.FeatureAlphaDropout(-1)",
             "torchvision.ops.StochasticDepth(0.2, 'row')",
             "torchvision.ops.StochasticDepth(p=0.5, mode='batch')",
             "torchvision.ops.StochasticDepth(0.0, 'row')",
             "torchvision.ops.StochasticDepth(1.5, 'row')",
             "torchvision.ops.StochasticDepth(-0.5, 'batch')",
             "torchvision.ops.StochasticDepth(0.2, 'rows')",
             "torchvision.ops.StochasticDepth(2, 'foo')",
             "torchvision.ops.StochasticDepth(0.5, 1)",
             "torchvision.ops.StochasticDepth(0.5, None)"]
    for expr in exprs:
        for shape in shapes:
            fam.add(expr, shape)
    train = ["nn.Dropout1d(0.5)", "nn.Dropout1d(0.0)", "nn.Dropout3d(0.5)", "nn.Dropout3d(1.0)",
             "nn.AlphaDropout(0.5)", "nn.AlphaDropout(0.0)", "nn.FeatureAlphaDropout(0.5)",
             "nn.FeatureAlphaDropout(1.0)", "torchvision.ops.StochasticDepth(0.2, 'row')",
             "torchvision.ops.StochasticDepth(0.2, 'batch')",
             "torchvision.ops.StochasticDepth(0.0, 'row')",
             "torchvision.ops.StochasticDepth(1.0, 'row')", "nn.PReLU(3)", "nn.GLU(1)",
             "nn.Softmax2d()"]
    for expr in train:
        for shape in ([2, 3, 4, 4], [3, 4], [4], [], [0, 2], [2, 3, 2, 2, 2], [0]):
            fam.add(expr, shape, "train")
    for i in range(120):
        expr = rng.choice(exprs)
        shape = [rng.randint(1, 4) for _ in range(rng.randint(0, 5))]
        fam.add(expr, shape, rng.choice([None, "train"]))


# ----------------------------------------------------------------------------
# Edge shapes: a zero-size dim in every position, batched and unbatched, and 0-d
# ----------------------------------------------------------------------------

def edge_layers():
    """(expression, unbatched rank) for every layer type cnnshape supports; the
    batched rank is one more.  Channel counts are 3, so a channel dim of 3 fits."""
    out = []
    for nd in (1, 2, 3):
        r = nd + 1
        out += [("nn.MaxPool%dd(1)" % nd, r), ("nn.MaxPool%dd(2)" % nd, r),
                ("nn.MaxPool%dd(1, return_indices=True)" % nd, r),
                ("nn.AvgPool%dd(1)" % nd, r), ("nn.AvgPool%dd(2, padding=1)" % nd, r),
                ("nn.AdaptiveAvgPool%dd(1)" % nd, r), ("nn.AdaptiveAvgPool%dd(2)" % nd, r),
                ("nn.AdaptiveMaxPool%dd(1)" % nd, r), ("nn.AdaptiveMaxPool%dd(2)" % nd, r),
                ("nn.AdaptiveMaxPool%dd(2, return_indices=True)" % nd, r),
                ("nn.Conv%dd(3, 2, 1)" % nd, r), ("nn.Conv%dd(3, 2, 2, padding=1)" % nd, r),
                ("nn.Conv%dd(3, 3, 1, groups=3, bias=False)" % nd, r),
                ("nn.ConvTranspose%dd(3, 2, 1)" % nd, r),
                ("nn.ConvTranspose%dd(3, 2, 2, stride=2)" % nd, r),
                ("nn.BatchNorm%dd(3)" % nd, {1: 1, 2: 3, 3: 4}[nd])]
        if nd < 3:
            out += [("nn.LPPool%dd(2, 1)" % nd, r), ("nn.LPPool%dd(1.5, 2)" % nd, r)]
    for pm in ("reflect", "replicate", "circular"):
        out.append(("nn.Conv2d(3, 2, 3, padding=1, padding_mode='%s')" % pm, 3))
    out += [("nn.Conv2d(3, 2, 3, padding='same')", 3), ("nn.ZeroPad2d(1)", 3),
            ("nn.ConstantPad2d((1, 0, 2, 0), 0.5)", 3)]
    for mode, r in (("nearest", 2), ("nearest", 3), ("nearest", 4), ("nearest-exact", 3),
                    ("linear", 2), ("bilinear", 3), ("bicubic", 3), ("trilinear", 4),
                    ("area", 2), ("area", 3), ("area", 4)):
        out.append(("nn.Upsample(scale_factor=2, mode='%s')" % mode, r))
        if mode == "area":
            out.append(("nn.Upsample(size=1, mode='area')", r))
    out += [("nn.Linear(3, 2)", 1), ("nn.Flatten()", 1), ("nn.Flatten(0)", 1),
            ("nn.Softmax(dim=1)", 1), ("nn.Softmax(dim=-1)", 1), ("nn.Softmax(dim=0)", 1),
            ("nn.Dropout()", 1), ("nn.Dropout2d()", 2), ("nn.Identity()", 1), ("nn.ReLU()", 1),
            ("nn.GELU()", 1), ("nn.Sigmoid()", 1)]
    return out


def edge_drop(case):
    """The other families' known 1.13 vs 2.x disagreements, by layer type."""
    layer = case["layer"]
    if layer.startswith("nn.ConvTranspose"):
        return convt_drop(case)
    if layer.startswith("nn.Conv"):
        return conv_drop(case)
    if layer.startswith("nn.MaxPool1d") and "return_indices" not in layer:
        return pool_drop_factory("Max", 1, False)(case)
    if "Pad2d" in layer:
        return pad_drop(case)
    return None


def gen_edge_shapes(fam, rng):
    """Which dims PyTorch lets be 0 differs between families, and between
    batched and unbatched inputs (max_pool3d on an unbatched 4-D input checks
    dim 0 too; adaptive_avg_pool2d only the spatial dims).  Every layer type is
    run on an input of 3s with one 0 in each position, at its unbatched and
    batched rank, on an all-zero-size input, and on a 0-d tensor."""
    del rng  # fixed cases only
    for expr, r in edge_layers():
        for rank in (r, r + 1):
            for zi in range(rank):
                shape = [3] * rank
                shape[zi] = 0
                fam.add(expr, shape)
            fam.add(expr, [0] * rank)
        fam.add(expr, [])
    # the cases from the issue
    for expr in ("nn.MaxPool3d(1)", "nn.AvgPool3d(1)"):
        fam.add(expr, [0, 1, 2, 10])
        fam.add(expr, [0, 1, 2, 10, 3])


# ----------------------------------------------------------------------------


# ----------------------------------------------------------------------------
# binary: torch.add / sub / mul / div with broadcasting
# ----------------------------------------------------------------------------

def evaluate_binary(expr, shapes):
    """torch.add(alpha=2) on [[2, 3], [3]] is torch.add(zeros(2, 3), zeros(3), alpha=2); more than
    two shapes fold left to right (Add()/Mul() on a + b + c), as cnnshape's merge layers do."""
    case = {"layer": expr, "inputs": [list(s) for s in shapes]}
    ts = [torch.zeros(s) for s in shapes]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if len(ts) > 2:
                fn = {"Add()": torch.add, "Mul()": torch.mul}[expr]
                out = ts[0]
                for t in ts[1:]:
                    out = fn(out, t)
            else:
                out = eval(expr.replace("(", "(*ts, ", 1).replace(", )", ")"),
                           {"torch": torch, "ts": ts})
    except Exception as exc:
        case.update({"error": type(exc).__name__, "stage": "forward", "message": first_line(exc)})
        return case
    case.update({"output": list(out.shape), "params": 0, "buffers": 0})
    return case


def gen_binary(fam, rng):
    def add(expr, shapes):
        key = (expr, tuple(tuple(s) for s in shapes))
        if key in fam.keys:
            return
        fam.keys.add(key)
        fam.cases.append(evaluate_binary(expr, shapes))

    ops = ["torch.add()", "torch.sub()", "torch.mul()", "torch.div()", "torch.add(alpha=2)",
           "torch.sub(alpha=0.5)", "torch.div(rounding_mode='floor')",
           "torch.div(rounding_mode='trunc')", "torch.subtract()", "torch.multiply()",
           "torch.divide()"]
    hand = [
        ([2, 3, 4, 4], [2, 3, 1, 1]), ([2, 3, 1, 1], [2, 3, 4, 4]), ([2, 3, 4, 4], [3, 1, 1]),
        ([2, 3, 4, 4], [4]), ([2, 1, 5], [2, 5]), ([3], [4]), ([2, 3], [3, 2]), ([], [2, 3]),
        ([2, 3], []), ([], []), ([0, 3], [1, 3]), ([0, 3], [2, 3]), ([0], [1]), ([0], [2]),
        ([1, 6, 7], [6, 1]), ([5, 1, 4, 1], [3, 1, 1]), ([2, 3, 4], [2, 3, 5]),
        ([1, 1, 1, 1, 1], [7]), ([4, 1], [1, 4]),
    ]
    for a, b in hand:
        for op in ops:
            add(op, [a, b])
    # Argument checks, before any shape.
    for expr in ["torch.add(alpha=True)", "torch.sub(alpha=False)", "torch.div(rounding_mode='xyz')",
                 "torch.div(rounding_mode='Floor')", "torch.add(alpha=1e300)",
                 "torch.sub(alpha=-1e39)", "torch.add(alpha=3.5e38)"]:
        add(expr, [[2, 3], [3]])
        add(expr, [[2, 3], [4]])
    # A tensor and a number.
    for expr in ["torch.add(2.5)", "torch.add(1, alpha=3)", "torch.sub(0.5)", "torch.mul(2)",
                 "torch.mul(-0.0)", "torch.div(3)", "torch.div(0.0)", "torch.div(2, rounding_mode='floor')",
                 "torch.div(2, rounding_mode='trunc')", "torch.mul(True)", "torch.add(False)",
                 "torch.sub(True)", "torch.mul(1e300)"]:
        for s in ([2, 3, 4], [], [0, 2]):
            add(expr, [s])
    # Random pairs: a base shape, each dim of each side kept, set to 1, dropped (leading dims)
    # or, rarely, changed so they clash.
    sizes = [0, 1, 2, 3, 4, 5, 7]
    for _ in range(500):
        rank = rng.randint(0, 5)
        base = [rng.choice(sizes[1:]) if rng.random() < 0.9 else 0 for _ in range(rank)]
        sides = []
        for _side in range(2):
            s = []
            for d in base:
                r = rng.random()
                s.append(1 if r < 0.3 else (d + 1 if r < 0.36 else d))
            drop = rng.randint(0, len(s)) if rng.random() < 0.4 else 0
            sides.append(s[drop:])
        add(rng.choice(ops), sides)
    # Three or four inputs folded left to right.
    for _ in range(120):
        rank = rng.randint(0, 4)
        base = [rng.choice(sizes[1:]) for _ in range(rank)]
        shapes = []
        for _k in range(rng.choice([3, 3, 4])):
            s = [1 if rng.random() < 0.35 else (d + 1 if rng.random() < 0.04 else d) for d in base]
            shapes.append(s[rng.randint(0, len(s)) if rng.random() < 0.3 else 0:])
        add(rng.choice(["Add()", "Mul()"]), shapes)

# ----------------------------------------------------------------------------
# reshape: the data-movement ops (torch.reshape, Tensor.view, permute, ...)
# ----------------------------------------------------------------------------

class _Bound:
    """torch.f(args) written without its input: torch.reshape((2, -1)) is torch.reshape(x, (2, -1))."""

    def __init__(self, x):
        self.x = x

    def __getattr__(self, name):
        fn = getattr(torch, name)
        return lambda *a, **k: fn(self.x, *a, **k)


def _slice(x):
    """Slice(dim, start, end, step): Python's x[:, ..., a:b:c] (dim >= 0) or x[..., a:b:c, :]."""
    def f(dim=0, start=None, end=None, step=1):
        s = slice(start, end, step)
        if dim >= 0:
            return x[(slice(None),) * dim + (s,)]
        return x[(Ellipsis, s) + (slice(None),) * (-dim - 1)]
    return f


def evaluate_reshape(expr, shape):
    """nn.* and torchvision.ops.* are modules (built, then called); torch.f(...) gets the input as
    its first argument; View(...), Expand(...), Contiguous() and Slice(...) are x.view(...),
    x.expand(...), x.contiguous() and x[..., a:b:c]."""
    import torchvision
    x = torch.zeros(shape)
    module = expr.startswith("nn.") or expr.startswith("torchvision.")
    ns = {"nn": nn, "torchvision": torchvision, "torch": _Bound(x),
          "View": lambda size: x.view(size), "Expand": lambda size: x.expand(size),
          "Contiguous": lambda: x.contiguous(), "Slice": _slice(x)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if module:
            try:
                m = eval(expr, ns)
            except Exception as exc:
                return {"layer": expr, "error": type(exc).__name__, "stage": "construct",
                        "message": first_line(exc)}
        case = {"layer": expr, "input": list(shape)}
        try:
            out = m(x) if module else eval(expr, ns)
        except Exception as exc:
            case.update({"error": type(exc).__name__, "stage": "forward",
                         "message": first_line(exc)})
            return case
    case.update({"output": list(out.shape), "params": 0, "buffers": 0})
    return case


def gen_reshape(fam, rng):
    def add(expr, shape):
        key = (expr, tuple(shape))
        if key in fam.keys:
            return
        fam.keys.add(key)
        case = evaluate_reshape(expr, shape)
        if case.get("stage") == "construct":
            if (expr, "construct") in fam.keys:
                return
            fam.keys.add((expr, "construct"))
            case.pop("input", None)
        fam.cases.append(case)

    shapes = [[2, 3, 4, 5], [2, 3, 4], [6], [], [0, 3], [1, 4, 1, 2], [2, 8, 4, 4], [1, 3, 1, 1],
              [24], [2, 12], [3, 0, 2], [1], [4, 6, 1]]
    exprs = [
        # reshape / view
        "torch.reshape((2, -1))", "torch.reshape((-1,))", "torch.reshape((2, -1, 5))",
        "torch.reshape((-1, -1))", "torch.reshape((-2, 12))", "torch.reshape((5,))",
        "torch.reshape(())", "torch.reshape((-1, 0))", "torch.reshape((2, 0, -1))",
        "torch.reshape((6, 4))", "torch.reshape((1, -1, 1))", "torch.reshape(-1)",
        "View((2, -1))", "View(-1)", "View((2, -1, 5))", "View((-1, -1))", "View((-2, 12))",
        "View((4, 3, 2))", "View(())", "View((1, 1))", "View((0, -1))", "View((3, -1, 4))",
        "View(size=(1, -1))",
        # permute / transpose
        "torch.permute((0, 1))", "torch.permute((0, 1, 1))", "torch.permute((0, 1, 3))",
        "torch.permute((2, 0, 1))", "torch.permute((0, 2, 3, 1))", "torch.permute((0, 3, 1, 2))",
        "torch.permute((-1, 0, 1))", "torch.permute((0, -1, 2))", "torch.permute(())",
        "torch.permute((0,))", "torch.permute((1, 0))", "torch.permute((1, 0, 2, 3))",
        "torch.permute((5, 0, 0))", "torch.permute((0, 0, 5))", "torch.permute((3, 2, 1, 0))",
        "torchvision.ops.Permute([0, 2, 3, 1])", "torchvision.ops.Permute([0, 2, 1])",
        "torchvision.ops.misc.Permute([0, 3, 1, 2])",
        "torch.transpose(0, 1)", "torch.transpose(1, 2)", "torch.transpose(-1, -2)",
        "torch.transpose(0, 3)", "torch.transpose(0, -1)", "torch.transpose(2, 2)",
        "torch.swapaxes(1, 3)", "torch.swapaxes(0, 2)", "torch.swapdims(0, 1)",
        "torch.swapdims(-4, 1)",
        # squeeze / unsqueeze
        "torch.squeeze()", "torch.squeeze(0)", "torch.squeeze(1)", "torch.squeeze(2)",
        "torch.squeeze(-1)", "torch.squeeze(-3)", "torch.squeeze(4)", "torch.squeeze(dim=-2)",
        "torch.unsqueeze(0)", "torch.unsqueeze(1)", "torch.unsqueeze(-1)", "torch.unsqueeze(2)",
        "torch.unsqueeze(4)", "torch.unsqueeze(-5)", "torch.unsqueeze(-2)", "torch.unsqueeze(1)",
        # unflatten / flatten
        "nn.Unflatten(1, (3, 4))", "nn.Unflatten(1, (3, -1))", "nn.Unflatten(-1, [2, 2])",
        "nn.Unflatten(0, (2, 3))", "nn.Unflatten(1, (5, -1))", "nn.Unflatten(1, (-1, -1))",
        "nn.Unflatten(1, ())", "nn.Unflatten(1, 3)", "nn.Unflatten(1, (3.0, 4))",
        "nn.Unflatten(2, (2, 2))", "nn.Unflatten(1, (0, -1))", "nn.Unflatten(1, (-1, -2))",
        "nn.Unflatten(0, (1, -1))", "nn.Unflatten(-1, (1,))",
        "torch.unflatten(1, (3, 4))", "torch.unflatten(1, (3, -1))", "torch.unflatten(0, (2, -1))",
        "torch.unflatten(1, ())", "torch.unflatten(-1, (5, -1))", "torch.unflatten(0, (-1, -1))",
        "torch.unflatten(0, (2, 3, -1))",
        "torch.flatten()", "torch.flatten(1)", "torch.flatten(0, 1)", "torch.flatten(2, 1)",
        "torch.flatten(-2)", "torch.flatten(0, 0)", "torch.flatten(start_dim=1, end_dim=2)",
        "torch.flatten(5)",
        # expand
        "Expand((2, 4))", "Expand((3, -1))", "Expand((-1, 3))", "Expand((3,))", "Expand(-2)",
        "Expand((2, 3, 4, 5))", "Expand((2, -1, -1, -1))", "Expand((2, 2, 3, 4, 5))",
        "Expand((-1, 4, -1, 2))", "Expand((1, 4, 3, 2))", "Expand((5, -1, 6, -1, -1))",
        "Expand(())", "Expand((0, 3))", "Expand((2, 3))", "Expand((1, 0, 3))", "Expand((3, 2))",
        "Expand((2, 1, 4, 5))", "Expand((6, 6))", "Expand((2, 4, 6, 1))", "Expand((-1, -1, 3, -1))",
        # roll
        "torch.roll(1)", "torch.roll(-7)", "torch.roll(1, 0)", "torch.roll(2, -1)",
        "torch.roll((1, 2), (0, 1))", "torch.roll((1, 2), (0,))", "torch.roll(1, (0, 1))",
        "torch.roll(())", "torch.roll((1, 2))", "torch.roll(1, 4)", "torch.roll(1, -5)",
        "torch.roll((1, -3), (1, 1))", "torch.roll((5, 1, 2), (0, 2, -1))",
        "torch.roll(3, dims=2)", "torch.roll(shifts=(1, 1), dims=(0, 1))",
        # contiguous
        "Contiguous()",
        # pixel shuffle / unshuffle, channel shuffle
        "nn.PixelShuffle(2)", "nn.PixelShuffle(1)", "nn.PixelShuffle(0)", "nn.PixelShuffle(-1)",
        "nn.PixelShuffle(3)", "nn.PixelUnshuffle(2)", "nn.PixelUnshuffle(1)",
        "nn.PixelUnshuffle(0)", "nn.PixelUnshuffle(-2)", "nn.PixelUnshuffle(3)",
        "torch.pixel_shuffle(2)", "torch.pixel_unshuffle(2)",
        "nn.ChannelShuffle(2)", "nn.ChannelShuffle(3)", "nn.ChannelShuffle(1)",
        "nn.ChannelShuffle(0)", "nn.ChannelShuffle(-1)", "nn.ChannelShuffle(4)",
        "torch.channel_shuffle(2)",
        # select / narrow / slice / flip
        "torch.select(0, 0)", "torch.select(0, 5)", "torch.select(0, -1)", "torch.select(1, -4)",
        "torch.select(-1, 2)", "torch.select(2, 0)", "torch.select(3, 1)", "torch.select(-5, 0)",
        "torch.select(1, 2)",
        "torch.narrow(1, 0, 2)", "torch.narrow(1, 2, 3)", "torch.narrow(1, -1, 1)",
        "torch.narrow(1, 5, 0)", "torch.narrow(1, 1, -1)", "torch.narrow(0, 0, 1)",
        "torch.narrow(-1, 1, 3)", "torch.narrow(1, 3, 0)", "torch.narrow(1, -3, 2)",
        "torch.narrow(4, 0, 1)", "torch.narrow(0, 0, 0)", "torch.narrow(0, -1, 0)",
        "Slice(1, 0, 2)", "Slice(1, 1, None, 2)", "Slice(-1, None, -1)", "Slice(0, -2)",
        "Slice(1, 5, 1)", "Slice(1, -10, 10, 3)", "Slice(2, None, None, 2)", "Slice(1, 2, 1)",
        "Slice()", "Slice(3, 1, 3)", "Slice(-3, 0, 1)", "Slice(1, None, None, 0)",
        "Slice(1, None, None, -1)", "Slice(4, 0, 1)", "Slice(-5, 0, 1)", "Slice(0, 1, 2)",
        "Slice(dim=-2, start=1, step=3)",
        "torch.flip((0,))", "torch.flip((0, 0))", "torch.flip((2,))", "torch.flip(())",
        "torch.flip((-1,))", "torch.flip((0, -2))", "torch.flip((1, 3))", "torch.flip((-1, 1))",
        "torch.flip((0, 1, 2, 3))", "torch.flip(1)",
    ]
    for e in exprs:
        for s in shapes:
            add(e, s)
    # Random reshapes, permutations and expands of random shapes.
    sizes = [1, 1, 2, 3, 4, 5]
    for _ in range(300):
        rank = rng.randint(0, 5)
        s = [rng.choice(sizes) for _ in range(rank)]
        kind = rng.randrange(5)
        if kind == 0:
            n = 1
            for v in s:
                n *= v
            t = [rng.choice([1, 2, 3, 4, 6]) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.6:
                t[rng.randrange(len(t))] = -1
            add(rng.choice(["torch.reshape(%s)", "View(%s)"]) % fmt(t), s)
        elif kind == 1:
            p = list(range(rank))
            rng.shuffle(p)
            add("torch.permute(%s)" % fmt(p), s)
        elif kind == 2:
            t = [rng.choice([-1, v, 2 * v if v == 1 else v, 3]) for v in s]
            t = [rng.choice([1, 2]) for _ in range(rng.randint(0, 2))] + t
            add("Expand(%s)" % fmt(t), s)
        elif kind == 3 and rank:
            d = rng.randrange(rank)
            add("torch.roll(%d, %d)" % (rng.randint(-6, 6), d), s)
            add("Slice(%d, %d, %d, %d)" % (d, rng.randint(-6, 6), rng.randint(-6, 6),
                                          rng.randint(1, 3)), s)
        elif kind == 4 and rank:
            d = rng.randrange(-rank, rank)
            add("torch.narrow(%d, %d, %d)" % (d, rng.randint(-3, 3), rng.randint(0, 3)), s)
            add("torch.select(%d, %d)" % (d, rng.randint(-4, 4)), s)


# ----------------------------------------------------------------------------
# split: torch.chunk / split / unbind, which return tuples
# ----------------------------------------------------------------------------

TUPLE_FNS = {"Chunk": torch.chunk, "torch.chunk": torch.chunk, "Split": torch.split,
             "torch.split": torch.split, "Unbind": torch.unbind, "torch.unbind": torch.unbind}


def evaluate_tuple(expr, shape):
    """torch.chunk(2, dim=1) on [2, 6] is torch.chunk(zeros(2, 6), 2, dim=1); "outputs" holds
    every element's shape, "output" the first (cnnshape's plan output; [] for none)."""
    case = {"layer": expr, "input": list(shape)}
    name = expr[:expr.index("(")]
    x = torch.zeros(shape)
    try:
        out = eval("f(x, " + expr[expr.index("(") + 1:], {"f": TUPLE_FNS[name], "x": x})
    except Exception as exc:
        case.update({"error": type(exc).__name__, "stage": "forward", "message": first_line(exc)})
        return case
    shapes = [list(t.shape) for t in out]
    case.update({"output": shapes[0] if shapes else [], "outputs": shapes, "params": 0,
                 "buffers": 0})
    return case


def gen_split(fam, rng):
    def add(expr, shape):
        key = (expr, tuple(shape))
        if key in fam.keys:
            return
        fam.keys.add(key)
        fam.cases.append(evaluate_tuple(expr, shape))

    shapes = [[], [0], [5], [7], [1], [2, 6], [2, 0, 3], [4, 7, 5], [1, 116, 28, 28], [2, 3, 4, 5]]
    exprs = []
    for c in (1, 2, 3, 4, 8, 0, -1):
        for d in (None, 0, 1, -1, 2, -3, 4):
            dim = "" if d is None else ", dim=%d" % d
            exprs.append("torch.chunk(%d%s)" % (c, dim))
    for sz in (1, 2, 3, 5, 0, -1, 100):
        for d in (None, 1, -1, 3):
            dim = "" if d is None else ", dim=%d" % d
            exprs.append("torch.split(%d%s)" % (sz, dim))
    for secs in ([2, 3], [5], [1, 1, 1, 1, 1], [3, 2, 2], [0, 5], [6, -1], [], [0], [2, 4],
                 [3, 3], [28, 0], [58, 58], [3, 4], [1, 2, 1]):
        for d in (None, 1, -1):
            dim = "" if d is None else ", dim=%d" % d
            exprs.append("torch.split(%s%s)" % (secs, dim))
    for d in (None, 0, 1, -1, 2, 3, -4, 4):
        exprs.append("torch.unbind()" if d is None else "torch.unbind(dim=%d)" % d)
    for e in ("Chunk(2, 1)", "Split(2, 1)", "Unbind(1)", "Chunk(chunks=3)",
              "Split(split_size_or_sections=[1, 1], dim=0)"):
        exprs.append(e)
    for e in exprs:
        for sh in shapes:
            add(e, sh)


# ----------------------------------------------------------------------------
# norms: LayerNorm, GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm
# ----------------------------------------------------------------------------

LAYERNORM_SIG = ["normalized_shape", "eps", "elementwise_affine"]
GROUPNORM_SIG = ["num_groups", "num_channels", "eps", "affine"]
INSTANCENORM_SIG = ["num_features", "eps", "momentum", "affine", "track_running_stats"]
LRN_SIG = ["size", "alpha", "beta", "k"]


def rand_shape(rng, rank, hi=4, zero=0.06):
    return [0 if rng.random() < zero else rng.randint(1, hi) for _ in range(rank)]


def gen_norms(fam, rng):
    """LayerNorm, GroupNorm, InstanceNorm{1,2,3}d and LocalResponseNorm: shapes, counts, and
    construction and forward errors, in eval and train mode.  Left out (EXCLUDED): GroupNorm on
    fewer than 2 dims (1.13: an IndexError from input.size(1); 2.x: "Expected at least 2
    dimensions ...") and InstanceNorm with affine=True on channels other than num_features (1.13:
    batch_norm's size checks, skipped for an empty input; 2.x: a ValueError)."""
    modes = (None, "train")

    # LayerNorm
    exprs = set()
    for ns in (4, [4], (4,), [3, 4], (2, 3, 4), [], (), 0, [0], [2, 0], -1, [1, -1], [1, 1], 1,
               [5, 1, 2, 3, 4]):
        for affine in (True, False):
            args = [("normalized_shape", ns)]
            if not affine or rng.random() < 0.3:
                args.append(("elementwise_affine", affine))
            exprs.add(call("LayerNorm", LAYERNORM_SIG, args, rng))
            args.insert(1, ("eps", 1e-3))
            exprs.add(call("LayerNorm", LAYERNORM_SIG, args, rng))
    fixed = [[2, 3, 4], [3, 4], [4], [], [0, 4], [2, 0], [1, 1], [5, 1, 2, 3, 4], [2, 5, 1, 2, 3, 4],
             [1, 2, 3, 4], [3, 2, 0], [4, 3], [2, 4, 3], [1]]
    for expr in sorted(exprs):
        for shape in fixed:
            fam.add(expr, shape)
    for _ in range(900):
        rank = rng.randint(0, 5)
        shape = rand_shape(rng, rank)
        k = rng.randint(0, rank) if rng.random() < 0.9 else rng.randint(1, 3)
        ns = list(shape[rank - k:]) if k <= rank else [rng.randint(1, 4) for _ in range(k)]
        if ns and rng.random() < 0.25:  # a mismatch
            i = rng.randrange(len(ns))
            ns[i] += rng.choice([-1, 1, 2])
        if len(ns) == 1 and rng.random() < 0.5:
            ns = ns[0]
        elif rng.random() < 0.4:
            ns = tuple(ns)
        args = [("normalized_shape", ns)]
        if rng.random() < 0.2:
            args.append(("eps", rng.choice([1e-3, 0.0, 1e-6])))
        if rng.random() < 0.4:
            args.append(("elementwise_affine", rng.random() < 0.5))
        fam.add(call("LayerNorm", LAYERNORM_SIG, args, rng), shape, rng.choice(modes))

    # GroupNorm
    def group_norm(expr, shape, mode=None):
        if len(shape) < 2:
            EXCLUDED["GroupNorm on fewer than 2 dims: 1.13 IndexError, 2.x RuntimeError"] += 1
            return
        fam.add(expr, shape, mode)

    for g in (-2, -1, 0, 1, 2, 3, 4, 6):
        for c in (-4, -3, 0, 1, 2, 3, 4, 6, 8, 12):
            for affine in (True, False):
                args = [("num_groups", g), ("num_channels", c)]
                if rng.random() < 0.2:
                    args.append(("eps", 1e-3))
                if not affine or rng.random() < 0.3:
                    args.append(("affine", affine))
                expr = call("GroupNorm", GROUPNORM_SIG, args, rng)
                shapes = [[2, max(c, 0)], [1, max(c, 0)], [1, max(c, 0), 1], [2, max(c, 0), 3],
                          [1, max(c, 0), 1, 1], [0, max(c, 0), 2], [2, max(c, 0) + 2, 2],
                          [2, max(c, 0) + 1, 2], [2, 2 * max(c, 1), 2, 2], [1, max(c, 0), 2, 1, 1]]
                for shape in shapes:
                    group_norm(expr, shape)
    for _ in range(600):
        g = rng.choice([1, 1, 2, 2, 3, 4, -1, 0])
        c = g * rng.randint(0, 4) if rng.random() < 0.85 else rng.randint(0, 8)
        args = [("num_groups", g), ("num_channels", c)]
        if rng.random() < 0.3:
            args.append(("affine", rng.random() < 0.5))
        rank = rng.randint(1, 5)
        shape = rand_shape(rng, rank, 3)
        if rank >= 2:
            shape[1] = max(c, 0) if rng.random() < 0.8 else rng.randint(0, 8)
        group_norm(call("GroupNorm", GROUPNORM_SIG, args, rng), shape, rng.choice(modes))

    # InstanceNorm1d/2d/3d
    def instance_norm(expr, nd, nf, affine, shape, mode):
        rank = len(shape)
        if affine and rank in (nd + 1, nd + 2) and shape[rank - nd - 1] != nf:
            EXCLUDED["InstanceNorm affine=True, channels != num_features: 1.13 batch_norm's "
                     "checks, 2.x ValueError"] += 1
            return
        fam.add(expr, shape, mode)

    for nd in (1, 2, 3):
        for nf in (-1, 0, 1, 3):
            for affine in (False, True):
                for track in (False, True):
                    args = [("num_features", nf)]
                    if rng.random() < 0.2:
                        args.append(("eps", 1e-3))
                    if rng.random() < 0.2:
                        args.append(("momentum", 0.05))
                    if affine or rng.random() < 0.2:
                        args.append(("affine", affine))
                    if track or rng.random() < 0.2:
                        args.append(("track_running_stats", track))
                    expr = call("InstanceNorm%dd" % nd, INSTANCENORM_SIG, args, rng)
                    c = max(nf, 0)
                    shapes = []
                    for rank in range(0, nd + 4):
                        shapes.append([2, c] + [3] * (rank - 2) if rank >= 2 else [c] * rank)
                    shapes += [[c] + [1] * nd, [2, c] + [1] * nd, [1, c] + [1] * nd,
                               [c] + [2] + [1] * (nd - 1), [0, c] + [2] * nd, [2, c] + [0] * nd,
                               [c + 2] + [3] * nd, [2, c + 1] + [2] * nd, [0, c + 1] + [2] * nd,
                               [1, c + 2] + [1] * nd, [0, 1] + [2] * nd, [0, 0] + [2] * nd]
                    for shape in shapes:
                        for mode in modes:
                            instance_norm(expr, nd, nf, affine, shape, mode)
    for _ in range(700):
        nd = rng.randint(1, 3)
        nf = rng.randint(0, 4)
        affine = rng.random() < 0.4
        track = rng.random() < 0.4
        args = [("num_features", nf), ("affine", affine), ("track_running_stats", track)]
        expr = call("InstanceNorm%dd" % nd, INSTANCENORM_SIG, args, rng)
        rank = rng.randint(nd, nd + 3) if rng.random() < 0.3 else rng.randint(nd + 1, nd + 2)
        shape = rand_shape(rng, rank, 3, 0.04)
        fd = rank - nd - 1
        if 0 <= fd < rank and rng.random() < 0.8:
            shape[fd] = nf
        instance_norm(expr, nd, nf, affine, shape, rng.choice(modes))

    # An empty input skips batch_norm's checks but takes weight[0] (BatchNorm too)
    for expr in ("nn.BatchNorm2d(0)", "nn.BatchNorm2d(0, affine=False)", "nn.BatchNorm1d(0)",
                 "nn.BatchNorm2d(3)", "nn.BatchNorm2d(-1, affine=False, track_running_stats=False)",
                 "nn.BatchNorm1d(-2, affine=False, track_running_stats=False)",
                 "nn.BatchNorm1d(-1, affine=False)", "nn.BatchNorm1d(-1, track_running_stats=False)"):
        for shape in ([2, 0, 3, 3], [0, 0, 2, 2], [0, 3, 2, 2], [2, 0], [0, 3], [2, 3], [2, 3, 2, 2]):
            for mode in modes:
                fam.add(expr, shape, mode)

    # LocalResponseNorm
    for size in (-7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 7, 100):
        args = [("size", size)]
        if rng.random() < 0.3:
            args.append(("alpha", 1e-3))
        if rng.random() < 0.3:
            args.append(("beta", 0.5))
        if rng.random() < 0.3:
            args.append(("k", 2.0))
        expr = call("LocalResponseNorm", LRN_SIG, args, rng)
        for c in range(0, 10):
            for shape in ([2, c, 4], [2, c, 3, 3], [1, c, 2, 2, 2], [1, c, 2, 1, 1, 2]):
                fam.add(expr, shape)
        for shape in ([], [3], [2, 3], [0, 0], [0, 3, 4], [2, 0, 4, 4], [3, 4, 0]):
            fam.add(expr, shape)
    for _ in range(300):
        size = rng.randint(-3, 8)
        shape = rand_shape(rng, rng.randint(0, 6), 5)
        fam.add(call("LocalResponseNorm", LRN_SIG, [("size", size)], rng), shape,
                rng.choice(modes))
# reduce: torch.mean / sum / amax / amin
# ----------------------------------------------------------------------------

REDUCE_FNS = {"Mean": torch.mean, "torch.mean": torch.mean, "Sum": torch.sum,
              "torch.sum": torch.sum, "Amax": torch.amax, "torch.amax": torch.amax,
              "Amin": torch.amin, "torch.amin": torch.amin}


def evaluate_call(fns, expr, shapes):
    """torch.mean(1, keepdim=True) on [2, 3] is torch.mean(zeros(2, 3), 1, keepdim=True); with
    several shapes (a list of lists) the tensors are the first arguments (torch.stack takes them
    as one list when fns says so)."""
    multi = shapes and isinstance(shapes[0], (list, tuple))
    case = {"layer": expr}
    if multi:
        case["inputs"] = [list(s) for s in shapes]
    else:
        case["input"] = list(shapes)
    name = expr[:expr.index("(")]
    fn, as_list = fns[name] if isinstance(fns[name], tuple) else (fns[name], False)
    ts = [torch.zeros(s) for s in shapes] if multi else [torch.zeros(shapes)]
    rest = expr[expr.index("(") + 1:]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if as_list:
                out = eval("f(ts, " + rest, {"f": fn, "ts": ts})
            else:
                out = eval("f(*ts, " + rest, {"f": fn, "ts": ts})
    except Exception as exc:
        case.update({"error": type(exc).__name__, "stage": "forward", "message": first_line(exc)})
        return case
    case.update({"output": list(out.shape), "params": 0, "buffers": 0})
    return case


def gen_reduce(fam, rng):
    def add(expr, shape):
        key = (expr, tuple(shape))
        if key in fam.keys:
            return
        fam.keys.add(key)
        fam.cases.append(evaluate_call(REDUCE_FNS, expr, shape))

    shapes = [[], [0], [1], [5], [2, 3], [2, 0, 3], [0, 3], [1, 1, 1], [2, 3, 4, 5],
              [1, 64, 7, 7], [3, 1, 4], [2, 3, 0, 5]]
    dims = [None, 0, 1, -1, 2, 3, -4, 4, -5, (), [], (1,), (1, 2), (-1, -2), (2, 3), (0, 2),
            (1, 1), (1, -3), (0, 1, 2, 3), (3, 2, 1, 0), (0, 0), (1, 1, 4), (1, 4), (4, 1),
            [-1], (0, -1), (5, -2), (0, -2, 5), (-2,), (0, 0, 1), (1, True)]
    for name in ("torch.mean", "torch.sum", "torch.amax", "torch.amin"):
        for d in dims:
            for kd in (None, False, True):
                args = []
                if d is not None:
                    args.append(repr(d) if not isinstance(d, list) else str(d))
                if kd is not None:
                    args.append("keepdim=%s" % kd)
                if d is None and kd is not None and name in ("torch.mean", "torch.sum"):
                    args.insert(0, "dim=None")
                expr = "%s(%s)" % (name, ", ".join(args))
                for sh in shapes:
                    add(expr, sh)
    for e in ("Mean(1)", "Mean(dim=(2, 3), keepdim=True)", "Sum(-1)", "Sum(dim=[0, 2])",
              "Amax(1, True)", "Amin(dim=(-1, -2))", "Amax()", "Amin(())", "Mean()", "Sum()",
              "torch.amax(dim=None)", "torch.mean(dim=None)", "torch.sum(dim=[])",
              "torch.mean((1, 2.0))", "torch.amax((1, 2.0))", "torch.sum((0, 'a'))",
              "torch.amax(1.5)", "torch.amin('x')"):
        for sh in ([2, 3, 4, 5], [2, 3], [], [2, 0, 3]):
            add(e, sh)
    # Random: a rank, a shape (sometimes with 0 or 1), a random subset of dims in random order
    # and sign, sometimes repeated or out of range.
    for _ in range(600):
        rank = rng.randint(0, 5)
        sh = [rng.choice([1, 2, 3, 4, 5, 7]) if rng.random() < 0.93 else 0 for _ in range(rank)]
        k = rng.randint(0, rank + 1)
        ds = rng.sample(range(max(rank, 1)), min(k, max(rank, 1)))
        ds = [d - max(rank, 1) if rng.random() < 0.4 else d for d in ds]
        if ds and rng.random() < 0.08:
            ds.append(rng.choice(ds))
        if rng.random() < 0.05:
            ds.append(rank + rng.randint(0, 2))
        name = rng.choice(["torch.mean", "torch.sum", "torch.amax", "torch.amin", "Mean", "Sum",
                           "Amax", "Amin"])
        dim = str(ds[0]) if len(ds) == 1 and rng.random() < 0.5 else str(tuple(ds))
        kd = rng.choice(["", ", keepdim=True", ", keepdim=False", ", True"])
        add("%s(%s%s)" % (name, dim, kd), sh)


# ----------------------------------------------------------------------------
# stack: torch.stack; matmul: torch.matmul / torch.bmm (several inputs)
# ----------------------------------------------------------------------------

STACK_FNS = {"Stack": (torch.stack, True), "torch.stack": (torch.stack, True)}
MATMUL_FNS = {"Matmul": torch.matmul, "torch.matmul": torch.matmul, "Bmm": torch.bmm,
              "torch.bmm": torch.bmm}


def gen_stack(fam, rng):
    def add(expr, shapes):
        key = (expr, tuple(tuple(s) for s in shapes))
        if key in fam.keys:
            return
        fam.keys.add(key)
        fam.cases.append(evaluate_call(STACK_FNS, expr, shapes))

    groups = [[[1, 2], [1, 3]], [[1, 2], [1, 2], [2, 2]], [[2, 3]], [[], []], [[], [2]],
              [[3], [2, 3]], [[2, 3], [3]], [[0, 3], [0, 3]], [[2, 3, 4], [2, 3, 4], [2, 3, 4]],
              [[1, 64, 7, 7], [1, 64, 7, 7]], [[5], [5], [5], [5]], [[2, 0], [2, 0]],
              [[2, 3], [2, 3]], [[4, 1, 2], [4, 2, 1]]]
    for g in groups:
        for d in (None, 0, 1, -1, 2, -2, 3, -3, 4, -4, 5):
            add("torch.stack()" if d is None else "torch.stack(dim=%d)" % d, g)
    for e in ("Stack()", "Stack(1)", "Stack(dim=-1)"):
        for g in groups[:6]:
            add(e, g)
    for _ in range(300):
        rank = rng.randint(0, 4)
        base = [rng.choice([0, 1, 2, 3, 5]) for _ in range(rank)]
        shapes = []
        for _k in range(rng.randint(1, 4)):
            s = list(base)
            if s and rng.random() < 0.15:
                s[rng.randrange(len(s))] += 1
            if rng.random() < 0.05:
                s = s[1:]
            shapes.append(s)
        d = rng.randint(-rank - 2, rank + 1)
        add("torch.stack(dim=%d)" % d, shapes)


def gen_matmul(fam, rng):
    def add(expr, shapes):
        key = (expr, tuple(tuple(s) for s in shapes))
        if key in fam.keys:
            return
        fam.keys.add(key)
        fam.cases.append(evaluate_call(MATMUL_FNS, expr, shapes))

    pairs = [((), (2, 3)), ((2, 3), ()), ((), ()), ((3,), (3,)), ((3,), (4,)), ((2, 3), (4, 5)),
             ((2, 3), (3,)), ((2, 3), (4,)), ((3,), (3, 4)), ((4,), (3, 4)), ((2, 2, 3), (4, 5)),
             ((2, 2, 3), (3, 5)), ((2, 3), (2, 4, 5)), ((2, 3), (2, 3, 5)), ((2, 2, 3), (2, 4, 5)),
             ((2, 2, 3), (3, 3, 5)), ((3, 2, 3), (2, 3, 5)), ((2, 1, 2, 3), (3, 3, 5)),
             ((2, 1, 2, 3), (4, 3, 3, 5)), ((2, 2, 3), (3,)), ((2, 2, 3), (4,)), ((3,), (2, 3, 5)),
             ((4,), (2, 3, 5)), ((2, 1, 4, 3), (5, 3, 2)), ((0, 3), (3, 4)), ((2, 0), (0, 4)),
             ((2, 2, 3), (2, 3, 5)), ((5, 2, 2, 3), (2, 3, 5)), ((1, 2, 3), (2, 3, 4)),
             ((2, 2, 3), (1, 3, 4)), ((2, 3, 2, 3), (3, 2, 3, 4)), ((2, 3), (2, 3, 4, 5)),
             ((4,), (2, 5, 4, 6)), ((2, 5, 3, 4), (4,)), ((2, 5, 3, 4), (5,)), ((0,), (0,)),
             ((0, 2, 3), (0, 3, 4)), ((3, 0, 5), (0, 0)), ((3, 5, 0), (0, 2)), ((0,), (2, 0, 3)),
             ((2, 8, 49, 32), (2, 8, 32, 49)), ((2, 8, 49, 49), (2, 8, 49, 32)),
             ((1, 4, 197, 64), (1, 4, 64, 197)), ((2, 3, 4), (1, 4, 5)), ((2, 1, 3, 4), (1, 5, 4, 2))]
    for a, b in pairs:
        add("torch.matmul()", [list(a), list(b)])
        add("Matmul()", [list(a), list(b)])
        add("torch.bmm()", [list(a), list(b)])
    for _ in range(700):
        ra, rb = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 4, 5]), rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
        m, k, n = rng.choice([0, 1, 2, 3, 5]), rng.choice([0, 1, 2, 3, 4]), rng.choice([1, 2, 3, 6])
        batch = [rng.choice([1, 2, 3]) for _ in range(4)]
        def side(r, rows, cols, other_k):
            if r == 0:
                return []
            if r == 1:
                return [other_k]
            bt = [1 if rng.random() < 0.3 else v for v in batch[:r - 2]][::-1]
            return bt + [rows, cols]
        a = side(ra, m, k, k)
        kb = k if rng.random() < 0.85 else k + 1
        b = side(rb, kb, n, kb)
        bmm = rng.random() < (0.6 if ra == rb == 3 else 0.05)
        add("torch.bmm()" if bmm else "torch.matmul()", [a, b])


# ----------------------------------------------------------------------------
# einsum: torch.einsum(equation, *operands)
# ----------------------------------------------------------------------------

def gen_einsum(fam, rng):
    def add(eq, shapes, spelling="torch.einsum"):
        expr = "%s(%r)" % (spelling, eq)
        key = (expr, tuple(tuple(s) for s in shapes))
        if key in fam.keys:
            return
        fam.keys.add(key)
        case = {"layer": expr, "inputs": [list(s) for s in shapes]}
        try:
            out = torch.einsum(eq, *[torch.zeros(s) for s in shapes])
        except Exception as exc:
            case.update({"error": type(exc).__name__, "stage": "forward",
                         "message": first_line(exc)})
        else:
            case.update({"output": list(out.shape), "params": 0, "buffers": 0})
        fam.cases.append(case)

    hand = [("bhid,bhjd->bhij", [(2, 3, 4, 5), (2, 3, 6, 5)]),
            ("bhij,bhjd->bhid", [(2, 3, 4, 6), (2, 3, 6, 5)]),
            ("bhid,bhjd->bhij", [(2, 3, 4, 5), (2, 3, 6, 4)]), ("ij,jk", [(2, 3), (3, 4)]),
            ("ij,jk", [(2, 3), (1, 4)]), ("ij,jk->ik", [(2, 3), (4, 4)]), ("ii->i", [(3, 3)]),
            ("ii->i", [(3, 4)]), ("ii", [(3, 3)]), ("ij", [(3, 3, 3)]),
            ("...ij->...ji", [(2, 3, 4, 5)]), ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 6)]),
            ("...ij,...jk->...ik", [(2, 2, 3, 4), (5, 4, 6)]),
            ("...ij,...jk", [(2, 2, 3, 4), (2, 4, 6)]), ("ij->iii", [(2, 3)]),
            ("ij->ik", [(2, 3)]), ("i1j", [(2, 3)]), ("ij,jk", [(2, 3)]),
            ("ij", [(2, 3), (3, 4)]), ("i..j", [(2, 3)]), ("i......j", [(2, 3)]),
            ("ij->i..", [(2, 3)]), ("...ij->ij", [(5, 2, 3)]), ("Ab,bA->A", [(2, 3), (3, 2)]),
            ("ba,ab", [(2, 3), (3, 2)]), ("bA", [(2, 3)]), ("ij->", [(2, 3)]),
            ("i j , j k -> i k", [(2, 3), (3, 4)]), ("ij,jk->ik", [(2, 1), (3, 4)]),
            ("ij,jk->ik", [(2, 0), (0, 4)]), ("", [()]), ("->", [()]), ("i,i->", [(3,), (1,)]),
            ("ij->j...", [(2, 3)]), ("...i->...", [(2, 3)]), ("i...->...", [(2, 3)]),
            ("ij...,jk...->ik...", [(2, 3, 5), (3, 4, 1)]),
            ("ij...,jk...->ik...", [(2, 3, 5), (3, 4, 2)]), ("ij,kl->ijkl", [(2, 3), (4, 5)]),
            ("bchw,bkc->bkhw", [(2, 3, 4, 5), (2, 6, 3)]), ("nqhd,nkhd->nhqk", [(1, 7, 2, 4), (1, 9, 2, 4)]),
            ("nhql,nlhd->nqhd", [(1, 2, 7, 9), (1, 9, 2, 4)]), ("bij,bjk->bik", [(0, 2, 3), (0, 3, 4)]),
            ("ij,ij,ij->i", [(2, 3), (2, 3), (1, 3)]), ("i,j,k->ijk", [(2,), (3,), (4,)]),
            ("iij->j", [(2, 2, 3)]), ("iij->j", [(2, 3, 3)]), ("ijk->kji", [(2, 3, 4)]),
            ("...,...->...", [(2, 3), (3,)]), ("...ii->...i", [(4, 3, 3)]),
            ("i->i", [(0,)]), ("ij-k", [(2, 3)]), ("i,j", [(2,), (3,)]),
            ("ab...,b...->a...", [(2, 3, 4, 5), (3, 5)]), ("aa...", [(2, 2, 3, 4)]),
            ("...", [(2, 3)]), ("...", [()]), ("i...j,j...k->...ik", [(2, 5, 3), (3, 1, 4)]),
            ("ij,jk->ki", [(2, 3), (3, 4)]), ("zZ,Zz->", [(2, 3), (3, 2)])]
    for eq, shapes in hand:
        add(eq, shapes)
    for eq, shapes in hand[:6]:
        add(eq, shapes, "Einsum")
    # Random two-operand contractions over letters with random sizes, sometimes clashing.
    letters = "abcdij"
    for _ in range(400):
        na, nb = rng.randint(1, 4), rng.randint(1, 4)
        la = "".join(rng.sample(letters, na))
        lb = "".join(rng.sample(letters, nb))
        sizes = {c: rng.choice([1, 2, 3, 4]) for c in letters}
        def shape(ls):
            return tuple(sizes[c] if rng.random() < 0.93 else sizes[c] + 1 for c in ls)
        seen = sorted(set(la + lb))
        if rng.random() < 0.3:
            eq = la + "," + lb
        else:
            out = [c for c in seen if rng.random() < 0.5]
            rng.shuffle(out)
            eq = la + "," + lb + "->" + "".join(out)
        add(eq, [shape(la), shape(lb)])
# attention: nn.MultiheadAttention on query, key and value
# ----------------------------------------------------------------------------

MHA_FORWARD = ("key_padding_mask", "need_weights", "attn_mask", "average_attn_weights")


def mha_expr(args, kw):
    """cnnshape's expression: the constructor's arguments, then forward()'s keywords."""
    parts = [repr(a) for a in args] + ["%s=%r" % (k, v) for k, v in kw.items()]
    return "nn.MultiheadAttention(%s)" % ", ".join(parts)


def evaluate_mha(args, kw, shapes, same_as=None, mode=None):
    """mha(q, k, v, **forward kwargs) on zeros. One shape: self-attention, mha(x, x, x) with one
    tensor (PyTorch's `query is key is value` path). Three: distinct tensors, except where
    ``same_as`` says input k is input same_as[k] (mha(q, kv, kv): `key is value`). Records
    "outputs": attn_output's and attn_weights' shapes (attn_weights left out when None)."""
    expr = mha_expr(args, kw)
    ctor = {k: v for k, v in kw.items() if k not in MHA_FORWARD}
    fwd = {k: v for k, v in kw.items() if k in MHA_FORWARD}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = nn.MultiheadAttention(*args, **ctor)
        except Exception as exc:
            return {"layer": expr, "error": type(exc).__name__, "stage": "construct",
                    "message": first_line(exc)}
        params = numel_sum(module.parameters())
        module.train(mode == "train")
        case = {"layer": expr}
        if len(shapes) == 1:
            case["input"] = list(shapes[0])
            x = torch.zeros(shapes[0])
            ins = [x, x, x]
        else:
            case["inputs"] = [list(sh) for sh in shapes]
            ts = [torch.zeros(sh) for sh in shapes]
            if same_as:
                case["same_as"] = list(same_as)
                ts = [ts[j] for j in same_as]
            ins = ts
        if mode:
            case["mode"] = mode
        try:
            out = module(*ins, **fwd)
        except Exception as exc:
            case.update({"error": type(exc).__name__, "stage": "forward",
                         "message": first_line(exc)})
            return case
        outs = [list(t.shape) for t in out if t is not None]
        case.update({"output": outs[0], "outputs": outs, "params": params, "buffers": 0})
        return case


def gen_attention(fam, rng):
    def add(args, kw, shapes, same_as=None, mode=None):
        key = (mha_expr(args, kw), tuple(tuple(sh) for sh in shapes), tuple(same_as or ()), mode)
        if key in fam.keys:
            return
        fam.keys.add(key)
        case = evaluate_mha(args, kw, shapes, same_as, mode)
        if case.get("stage") == "construct":
            ckey = (case["layer"], "construct")
            if ckey in fam.keys:
                return
            fam.keys.add(ckey)
        # Negative num_heads: PyTorch builds the module and infers views from the negative
        # sizes; cnnshape plans only the view errors it raises.
        if args[1] < 0 and "error" not in case:
            EXCLUDED["MultiheadAttention with a negative num_heads that runs"] += 1
            return
        fam.cases.append(case)

    # Construction: divisibility (Python's floor division), zero heads, negative sizes, E = 0.
    for e, h in [(8, 3), (8, 0), (8, -2), (8, -3), (0, 2), (0, 1), (-4, 2), (-3, 2), (3, -3),
                 (3, -1), (6, 4), (12, 5), (1, 2), (7, 7), (-8, -2), (5, 10), (-6, 3)]:
        for kw in ({}, {"kdim": 3}, {"bias": False}, {"add_bias_kv": True}):
            add([e, h], kw, [[2, 1, abs(e) or 1]])
    for kw in ({"kdim": 0}, {"kdim": -1}, {"vdim": -5}, {"kdim": -4, "vdim": -5}, {"vdim": 0},
               {"kdim": 0, "vdim": 0}, {"dropout": 1.5}, {"dropout": -1}, {"kdim": 8},
               {"kdim": 8, "vdim": 8}, {"kdim": 8, "vdim": None}, {"bias": False, "kdim": 2}):
        add([8, 2], kw, [[5, 3, 8], [4, 3, kw.get("kdim") or 8], [4, 3, kw.get("vdim") or 8]])
    # Forward, by hand: every assert and op error of multi_head_attention_forward.
    z = [8, 2]
    hand = [
        ({}, [[5, 3, 6], [5, 3, 6], [5, 3, 6]]),
        ({}, [[5, 3, 8], [4, 3, 8], [5, 3, 8]]),
        ({}, [[5, 3, 8], [4, 3, 8], [4, 2, 8]]),
        ({}, [[5, 3, 8], [4, 2, 8], [4, 2, 8]]),
        ({}, [[5, 3, 8], [4, 3, 6], [4, 3, 6]]),
        ({}, [[5, 3, 8, 1], [4, 3, 6], [4, 3, 6]]),
        ({}, [[5, 3, 8], [4, 6], [4, 3, 6]]),
        ({}, [[5, 8], [4, 6], [4, 3, 6]]),
        ({}, [[5, 8], [4, 8], [4, 8]]),
        ({}, [[5, 8], [4, 8], [3, 8]]),
        ({}, [[5, 8], [4, 6], [4, 6]]),
        ({}, [[8], [8], [8]]),
        ({}, [[], [], []]),
        ({}, [[5, 3, 8], [], [5, 3, 8]]),
        ({}, [[0, 3, 8], [5, 3, 8], [5, 3, 8]]),
        ({}, [[5, 3, 8], [0, 3, 8], [0, 3, 8]]),
        ({}, [[5, 3, 8], [0, 2, 8], [0, 2, 8]]),
        ({}, [[5, 0, 8], [4, 0, 8], [4, 0, 8]]),
        ({"add_bias_kv": True}, [[5, 3, 8], [4, 2, 8], [4, 2, 8]]),
        ({"add_bias_kv": True}, [[5, 3, 8], [0, 2, 8], [0, 2, 8]]),
        ({"add_zero_attn": True}, [[5, 3, 8], [0, 2, 8], [0, 2, 8]]),
        ({"add_bias_kv": True, "add_zero_attn": True}, [[5, 3, 8], [4, 3, 8], [4, 3, 8]]),
        ({"kdim": 4, "vdim": 6}, [[5, 3, 8], [4, 3, 4], [4, 2, 6]]),
        ({"kdim": 4, "vdim": 6}, [[5, 3, 8], [4, 3, 5], [4, 3, 6]]),
        ({"kdim": 4, "vdim": 6}, [[5, 3, 8], [4, 3, 4], [4, 3, 7]]),
        ({"kdim": 4, "vdim": 6}, [[5, 3, 8], [4, 3, 4], [4, 3, 6]]),
        ({"kdim": 4, "vdim": 6}, [[5, 8], [4, 4], [4, 6]]),
        ({"kdim": 4, "vdim": 6}, [[5, 8], [4, 4], [3, 6]]),
        ({"kdim": 4, "vdim": 6, "need_weights": False}, [[5, 8], [4, 4], [4, 6]]),
        ({"kdim": 4, "vdim": 6, "average_attn_weights": False}, [[5, 8], [4, 4], [4, 6]]),
        ({"batch_first": True}, [[5, 3, 8], [4, 6], [4, 3, 6]]),
        ({"batch_first": True}, [[5, 3, 8], [4], [4, 3, 6]]),
        ({"batch_first": True}, [[5, 3, 8], [5, 3, 8], [5]]),
        ({"batch_first": True}, [[5, 3, 8], [5, 3, 8], []]),
        ({"batch_first": True}, [[5, 3, 8], [5, 0, 8], [5, 0, 8]]),
        ({"batch_first": True}, [[2, 5, 8], [2, 4, 8], [2, 4, 8]]),
        ({"batch_first": True}, [[2, 5, 8], [3, 4, 8], [3, 4, 8]]),
        ({"batch_first": True}, [[5, 8], [4, 8], [4, 8]]),
        ({"batch_first": True, "need_weights": False}, [[2, 5, 8], [2, 4, 8], [2, 4, 8]]),
    ]
    for kw, shapes in hand:
        add(z, kw, shapes)
    # key is value (mha(q, kv, kv)): the packed projection's w_kv, the transpose of both.
    for kw, shapes in [({}, [[5, 3, 8], [4, 3, 6], [4, 3, 6]]), ({}, [[5, 3, 8], [4, 2, 8], [4, 2, 8]]),
                       ({"batch_first": True}, [[5, 3, 8], [4], [4]]),
                       ({"batch_first": True}, [[3, 5, 8], [3, 4, 8], [3, 4, 8]]),
                       ({"kdim": 6, "vdim": 6}, [[5, 3, 8], [4, 3, 6], [4, 3, 6]]),
                       ({}, [[5, 8], [4, 6], [4, 6]])]:
        add(z, kw, shapes, same_as=[0, 1, 1])
    # Self-attention (one input).
    for kw in ({}, {"batch_first": True}, {"need_weights": False}, {"average_attn_weights": False},
               {"add_bias_kv": True, "add_zero_attn": True}, {"bias": False}):
        for sh in ([5, 3, 8], [5, 8], [0, 2, 8], [5, 0, 8], [5, 3, 6], [8], [], [1, 2, 3, 8],
                   [1, 1, 8]):
            add(z, kw, [sh])
    # Train mode: F.dropout's check (only for dropout > 0).
    for p in (0.0, 0.5, 1.0, 1.5, -1.0):
        add([8, 2], {"dropout": p}, [[5, 3, 8]], mode="train")
        add([8, 2], {"dropout": p}, [[5, 3, 6]], mode="train")
    # Random configurations and inputs: mostly valid, each size sometimes perturbed.
    for _ in range(2500):
        h = rng.choice([1, 1, 2, 2, 3, 4, 8])
        hd = rng.choice([1, 2, 3, 4])
        e = h * hd if rng.random() < 0.93 else h * hd + rng.choice([-1, 1])
        if e <= 0:
            e = h
        kw = {}
        if rng.random() < 0.3:
            kw["kdim"] = rng.choice([e, 1, 3, 5])
        if rng.random() < 0.3:
            kw["vdim"] = rng.choice([e, 2, 3, 7])
        for k in ("bias", "add_bias_kv", "add_zero_attn", "batch_first"):
            if rng.random() < 0.3:
                kw[k] = k == "bias" and False or k != "bias"
        if rng.random() < 0.2:
            kw["need_weights"] = False
        if rng.random() < 0.2:
            kw["average_attn_weights"] = False
        if rng.random() < 0.15:
            kw["dropout"] = 0.1
        L, S, N = rng.choice([0, 1, 2, 3, 5]), rng.choice([0, 1, 2, 4]), rng.choice([0, 1, 2, 3])
        batched = rng.random() < 0.75
        kd = kw.get("kdim") or e
        vd = kw.get("vdim") or e
        q, k, v = [L, N, e], [S, N, kd], [S, N, vd]
        if kw.get("batch_first"):
            q, k, v = [N, L, e], [N, S, kd], [N, S, vd]
        if not batched:
            q, k, v = [L, e], [S, kd], [S, vd]
        shapes = [list(q), list(k), list(v)]
        for sh in shapes:
            for i in range(len(sh)):
                if rng.random() < 0.04:
                    sh[i] = max(0, sh[i] + rng.choice([-1, 1, 2]))
            if rng.random() < 0.02:
                sh.pop(0) if sh and rng.random() < 0.5 else sh.insert(0, 1)
        if rng.random() < 0.15 and "kdim" not in kw and "vdim" not in kw:
            add([e, h], kw, [shapes[0]])
        elif rng.random() < 0.15:
            add([e, h], kw, [shapes[0], shapes[1], shapes[1]], same_as=[0, 1, 1])
        else:
            add([e, h], kw, shapes)


# ----------------------------------------------------------------------------
# swin: torchvision's Swin and MaxViT modules (ShiftedWindowAttention(V2), PatchMerging(V2),
# RelativePositionalMultiHeadAttention), written by their torchvision.models paths
# ----------------------------------------------------------------------------

SWIN = "torchvision.models.swin_transformer."
MAXVIT = "torchvision.models.maxvit."


def gen_swin(fam, rng):
    def swa(cls, dim, ws, ss, heads, kw=""):
        return "%s%s(%d, %r, %r, %d%s)" % (SWIN, cls, dim, ws, ss, heads, kw)

    for cls in ("ShiftedWindowAttention", "ShiftedWindowAttentionV2"):
        # construction: lengths, negative sizes, empty and negative windows, zero heads
        for dim, ws, ss, heads in [(8, [7], [0, 0], 2), (8, [7, 7], [0], 2),
                                   (8, [7, 7, 7], [0, 0, 0], 2), (-8, [7, 7], [0, 0], 2),
                                   (8, [7, 7], [0, 0], -2), (8, [0, 7], [0, 0], 2),
                                   (8, [0, 0], [0, 0], 2), (8, [-2, 3], [0, 0], 2),
                                   (8, [3, -1], [0, 0], 2), (8, [7, 7], [0, 0], 0),
                                   (0, [2, 2], [0, 0], 1), (6, [1, 1], [0, 0], 3),
                                   (8, [7, 7], [0, 0], 3), (6, [7, 7], [0, 0], 4)]:
            fam.add(swa(cls, dim, ws, ss, heads), [1, 5, 5, max(dim, 1)])
        # forward: ranks, dim mismatch, dropout ranges
        for shape in ([5, 5, 8], [1, 1, 5, 5, 8], [8], [1, 5, 5, 6], [2, 5, 5, 4]):
            fam.add(swa(cls, 8, [3, 3], [1, 1], 2), shape)
        for ad, dr in [(1.5, 0.0), (-0.1, 0.0), (0.0, 2.0), (0.0, -1.0), (1.0, 0.0)]:
            fam.add(swa(cls, 8, [3, 3], [1, 1], 2,
                        ", attention_dropout=%r, dropout=%r" % (ad, dr)), [1, 4, 4, 8])
        # random valid and invalid configurations
        for _ in range(260):
            heads = rng.choice([1, 2, 3, 4])
            dim = heads * rng.choice([1, 2, 3]) if rng.random() < 0.9 else rng.choice([5, 7])
            ws = [rng.randint(1, 5), rng.randint(1, 5)]
            ss = [rng.randint(0, w) for w in ws] if rng.random() < 0.7 else [0, 0]
            if rng.random() < 0.1:
                ss = [rng.randint(-2, 2), rng.randint(-2, 2)]
            kw = ""
            if rng.random() < 0.2:
                kw += ", qkv_bias=False"
            if rng.random() < 0.2:
                kw += ", proj_bias=False"
            c = dim if rng.random() < 0.9 else dim + 1
            shape = [rng.randint(1, 2), rng.randint(1, 11), rng.randint(1, 11), c]
            fam.add(swa(cls, dim, ws, ss, heads, kw), shape)

    for cls in ("PatchMerging", "PatchMergingV2"):
        for dim in (-4, -1):
            fam.add("%s%s(%d)" % (SWIN, cls, dim), [1, 4, 4, 4])
        for shape in ([5], [5, 8], [4, 4, 4], [5, 5, 16], [2, 3, 5, 5, 4], [1, 4, 4, 8]):
            fam.add("%s%s(4)" % (SWIN, cls), shape)
        for _ in range(150):
            dim = rng.randint(1, 12)
            c = dim if rng.random() < 0.85 else rng.randint(1, 12)
            rank = rng.choice([3, 4, 4, 4, 5])
            shape = [rng.randint(1, 3) for _ in range(rank - 3)] + \
                [rng.randint(1, 9), rng.randint(1, 9), c]
            fam.add("%s%s(%d)" % (SWIN, cls, dim), shape)

    rel = MAXVIT + "RelativePositionalMultiHeadAttention(%d, %d, %d)"
    for f, hd, m in [(8, 3, 4), (8, 0, 4), (-8, 4, 4), (8, -4, 4), (0, 4, 4), (8, 4, -1),
                     (-8, -4, 4), (12, 4, 0), (6, 2, 1)]:
        fam.add(rel % (f, hd, m), [1, 2, max(m, 1), max(f, 1)])
    for shape in ([2, 4, 8], [1, 1, 2, 4, 8], [1, 2, 4, 6], [1, 2, 5, 8], [2, 3, 4, 8]):
        fam.add(rel % (8, 4, 4), shape)
    for _ in range(200):
        hd = rng.choice([1, 2, 4])
        f = hd * rng.choice([1, 2, 3])
        side = rng.randint(1, 4)
        m = side * side if rng.random() < 0.85 else rng.choice([2, 5, 8])
        p_len = m if rng.random() < 0.85 else rng.randint(1, 9)
        d = f if rng.random() < 0.9 else f + 1
        fam.add(rel % (f, hd, m), [rng.randint(1, 2), rng.randint(1, 3), p_len, d])


def main():
    t0 = time.time()
    torch.manual_seed(0)
    torch.set_num_threads(1)

    fams = []

    only = set(sys.argv[1:])

    def run(name, fn, *args, drop=None):
        if only and name not in only:
            return
        fam = Family(name, drop)
        # one RNG stream per family so editing one family leaves the others unchanged
        fn(fam, random.Random("%d/%s" % (SEED, name)), *args)
        fams.append(fam)

    run("conv", gen_conv, 2700, drop=conv_drop)
    run("conv_transpose", gen_conv_transpose, 1500, drop=convt_drop)
    run("maxpool", lambda f, r: gen_pool(f, r, "Max", 1800))
    run("avgpool", lambda f, r: gen_pool(f, r, "Avg", 2000))
    run("adaptive", gen_adaptive, 1200)
    run("lppool", gen_lppool, 250)
    run("linear_flatten", gen_linear_flatten)
    run("batchnorm", gen_batchnorm)
    run("pad", gen_pad, 250, drop=pad_drop)
    run("pad_modes", gen_pad_modes, 1500)
    run("upsample", gen_upsample, 900)
    run("upsampling", gen_upsampling, 300)
    run("fold", gen_fold, 1500)
    run("lazy", gen_lazy, 600)
    run("unpool", gen_unpool, 700)
    run("misc", gen_misc)
    run("edge_shapes", gen_edge_shapes, drop=edge_drop)
    run("binary", gen_binary)
    run("activation", gen_activation)
    run("reshape", gen_reshape)
    run("split", gen_split)
    run("norms", gen_norms)
    run("reduce", gen_reduce)
    run("stack", gen_stack)
    run("matmul", gen_matmul)
    run("einsum", gen_einsum)
    run("attention", gen_attention)
    run("swin", gen_swin)

    total = 0
    size = 0
    for fam in fams:
        path, n, nbytes = fam.write()
        total += n
        size += nbytes
        errs = sum(1 for c in fam.cases if "error" in c)
        print("%-16s %6d cases (%5d errors) %8d bytes" % (fam.name + ".json", n, errs, nbytes))
    print("%-16s %6d cases %24d bytes" % ("total", total, size))
    print("excluded (known 1.13 vs 2.x disagreements):")
    for reason, n in sorted(EXCLUDED.items()):
        print("  %5d  %s" % (n, reason))
    print("torch %s, %.1f s" % (torch.__version__, time.time() - t0))


if __name__ == "__main__":
    main()
