#!/usr/bin/env python3
"""Turn PyTorch's own module tests into cnnshape conformance cases.

PyTorch ships the test tables it checks its modules with:
``torch.testing._internal.common_nn`` (``module_tests`` and ``new_module_tests``:
a constructor, its arguments and an input size per test) and
``torch.testing._internal.common_modules`` (``module_db``: every ModuleInfo's
``module_inputs_func``, run for training and for eval).  This script takes
every case of those tables that is a torch.nn module built from literal
arguments and called on one float tensor, writes it as a layer expression such
as ``nn.MaxPool3d(1)`` (evaluated back with ``eval(expr, {"nn": torch.nn})``,
so the recorded text and the module can never disagree), runs it on
``torch.zeros(input)`` in eval and in train mode, and records what PyTorch
gives, in the format of tools/gen_conformance.py:

* success: ``output`` (the first tensor when the module returns a tuple),
  ``params`` and ``buffers`` (numel sums);
* failure: ``error`` (exception class), ``stage`` (``construct`` or
  ``forward``) and ``message`` (first line of the exception text).

Each case also says where it came from (``source``: ``common_nn:<name>`` or
``module_db:<name>:<desc>``).  The cases of every module are kept, supported by
cnnshape or not: tests/test_conformance.cpp checks those whose layer type
cnnshape knows and counts the rest, so a newly supported layer is checked by
its PyTorch tests from the day it lands.

Cases left out, with the counts printed at the end: functional wrappers and
lambdas (no torch.nn class), non-literal constructor arguments (tensors,
functions), inputs that are not one float tensor (several inputs, integer
indices, keyword inputs), and quantized modules.  Where Debian's PyTorch 1.13
and PyTorch 2.x disagree (see tools/gen_conformance.py) the case is dropped
with its reason.

Regenerate (needs Debian's python3-torch, importable by /usr/bin/python3):

    /usr/bin/python3 tools/gen_module_tests.py

PyTorch's test helpers import ``expecttest``, which Debian does not package;
the script puts a stand-in module in its place (nothing of it is used here).
"""

import os
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import collections  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import types  # noqa: E402
import unittest  # noqa: E402
import warnings  # noqa: E402

_expecttest = types.ModuleType("expecttest")
_expecttest.TestCase = unittest.TestCase
_expecttest.ACCEPT = False
sys.modules.setdefault("expecttest", _expecttest)

import torch  # noqa: E402

warnings.filterwarnings("ignore")
from torch.testing._internal import common_modules, common_nn  # noqa: E402

nn = torch.nn
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "data", "conformance", "torch_module_tests.json")
SKIPPED = collections.Counter()


def first_line(exc):
    msg = str(exc).split("\nException raised from")[0]
    return msg.split("\n")[0]


def literal(v):
    """Python source for a literal constructor argument, or None."""
    if v is None or isinstance(v, (bool, int, str)):
        return repr(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return "float(%r)" % repr(v)
        return repr(v)
    if isinstance(v, torch.Size):
        v = tuple(v)
    if isinstance(v, (tuple, list)):
        parts = [literal(e) for e in v]
        if any(p is None for p in parts):
            return None
        if isinstance(v, tuple):
            return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
        return "[" + ", ".join(parts) + "]"
    return None


def expression(cls, args, kwargs):
    if getattr(nn, cls.__name__, None) is not cls:
        SKIPPED["not a torch.nn class"] += 1
        return None
    positional = [literal(a) for a in args]
    keywords = [(k, literal(v)) for k, v in kwargs.items()]
    if any(p is None for p in positional) or any(v is None for _, v in keywords):
        SKIPPED["non-literal constructor argument"] += 1
        return None
    parts = positional + ["%s=%s" % kv for kv in keywords]
    return "nn.%s(%s)" % (cls.__name__, ", ".join(parts))


def numel_sum(tensors):
    return int(sum(t.numel() for t in tensors))


def evaluate(expr, shape, mode, source):
    case = {"layer": expr, "source": source}
    try:
        module = eval(expr, {"nn": nn, "float": float})
    except Exception as exc:
        case.update({"error": type(exc).__name__, "stage": "construct",
                     "message": first_line(exc)})
        return case
    module.train(mode == "train")
    case["input"] = list(shape)
    case["mode"] = mode
    torch.manual_seed(0)
    try:
        with torch.no_grad():
            out = module(torch.zeros(shape))
    except Exception as exc:
        case.update({"error": type(exc).__name__, "stage": "forward",
                     "message": first_line(exc)})
        return case
    if isinstance(out, (tuple, list)):
        out = out[0]
    if not isinstance(out, torch.Tensor):
        SKIPPED["output is not a tensor"] += 1
        return None
    # Counted after the forward call, which is when a Lazy module's parameters get their shapes.
    case.update({"output": list(out.shape), "params": numel_sum(module.parameters()),
                 "buffers": numel_sum(module.buffers())})
    return case


def common_nn_cases():
    """(class, args, kwargs, input shape, source) from module_tests and new_module_tests."""
    for t in common_nn.module_tests + common_nn.new_module_tests:
        name = t.get("module_name")
        cls = t.get("constructor") or (getattr(nn, name, None) if name else None)
        if not isinstance(cls, type) or not issubclass(cls, nn.Module):
            SKIPPED["not a torch.nn class"] += 1
            continue
        args = t.get("constructor_args", ())
        if "input_size" in t:
            shape = tuple(t["input_size"])
        elif "input_fn" in t:
            torch.manual_seed(0)
            x = t["input_fn"]()
            if not isinstance(x, torch.Tensor) or not x.is_floating_point():
                SKIPPED["input is not one float tensor"] += 1
                continue
            shape = tuple(x.shape)
        else:
            SKIPPED["no input"] += 1
            continue
        source = "common_nn:" + (t.get("fullname") or name + ("_" + t["desc"] if "desc" in t else ""))
        yield cls, tuple(args), {}, shape, source


def module_db_cases():
    for info in common_modules.module_db:
        if not info.name.startswith("nn."):
            SKIPPED["quantized module"] += 1
            continue
        for training in (True, False):
            try:
                inputs = info.module_inputs_func(info, device="cpu", dtype=torch.float32,
                                                 requires_grad=False, training=training)
            except Exception:
                SKIPPED["module_inputs_func failed"] += 1
                continue
            for mi in inputs:
                fwd = mi.forward_input
                if (len(fwd.args) != 1 or fwd.kwargs or not isinstance(fwd.args[0], torch.Tensor)
                        or not fwd.args[0].is_floating_point()):
                    SKIPPED["input is not one float tensor"] += 1
                    continue
                yield (info.module_cls, tuple(mi.constructor_input.args),
                       dict(mi.constructor_input.kwargs), tuple(fwd.args[0].shape),
                       "module_db:%s:%s" % (info.name, mi.desc or "default"))


def main():
    cases, keys = [], set()
    for cls, args, kwargs, shape, source in list(common_nn_cases()) + list(module_db_cases()):
        expr = expression(cls, args, kwargs)
        if expr is None:
            continue
        for mode in ("eval", "train"):
            key = (expr, shape, mode)
            if key in keys:
                SKIPPED["duplicate"] += 1
                continue
            keys.add(key)
            case = evaluate(expr, shape, mode, source)
            if case is None:
                continue
            if case.get("stage") == "construct":
                # One record per expression: construction does not depend on input or mode.
                ckey = (expr, None, None)
                if ckey in keys:
                    continue
                keys.add(ckey)
            cases.append(case)
    with open(OUT, "w") as f:
        f.write('{"torch_version": %s, "family": "torch_module_tests", "cases": [\n'
                % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(c) for c in cases))
        f.write("\n]}\n")
    types_ = collections.Counter(c["layer"].split("(")[0] for c in cases)
    print("%d cases of %d module types -> %s" % (len(cases), len(types_),
                                                  os.path.relpath(OUT, REPO)))
    for reason, n in sorted(SKIPPED.items()):
        print("  left out: %-34s %d" % (reason, n))


if __name__ == "__main__":
    main()
