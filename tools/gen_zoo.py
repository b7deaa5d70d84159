#!/usr/bin/python3
"""Convert torchvision 0.14's classification and segmentation models into cnnshape specs.

    /usr/bin/python3 tools/gen_zoo.py build/cnnshape [--models a,b] [--check-run] [--no-write]

Every model is built with weights=None (no downloads), put in eval mode and traced with
torch.fx (a Tracer that records which module's forward created each node). Each node becomes a
cnnshape layer: call_module nodes of torch.nn modules with their constructor arguments read back
from the module, call_function/call_method nodes of torch ops (add, mul, cat, flatten, getitem,
mean, ...) as the cnnshape layer that spells them. Layers are nested in Sequentials that follow
the module tree, so every layer's dotted name is the module's qualified name (its state_dict
prefix) and `cnnshape run --weights` loads torchvision's state_dict. A parameter or buffer
used as a tensor (get_attr: ViT's class_token, ConvNeXt's layer_scale) is a Parameter or Buffer
layer named by its qualified name; a functional call on a module's own weights (LayerNorm2d's
F.layer_norm(x, shape, self.weight, self.bias, eps)) is that module's layer. GoogLeNet and
Inception v3 keep their aux heads (aux_logits=True): traced in training mode, the heads are
layers fed what the training forward feeds them, and reach no output (unused).

Which layers cnnshape has is read from `cnnshape layers` (names and "also torch.xxx" spellings),
so rerunning the tool after new layer types land picks up the models they make convertible.
A model that needs anything else gets no spec; examples/networks/zoo/status.json and
examples/networks/zoo/README.md list, per model, the first unsupported node(s).

Expected values for every model go to tests/data/zoo/expected.json, computed from PyTorch
alone (independent of the conversion): input and output shape, params (sum of
p.numel() over model.parameters()), buffers (over model.buffers()) and MACs from forward hooks
following README's counting conventions (Conv: output elements x in/groups x kernel volume,
ConvTranspose: input elements x out/groups x kernel volume, Linear: output elements x
in_features; nothing else counts).

--check-run runs each converted model with `cnnshape run --weights FILE.safetensors` (the model's
state_dict, BatchNorm statistics randomised, tensors torchvision initialises to zero given small
random values) on a random input and compares
with PyTorch's eval forward (max |diff| <= 1e-4 * max |out|); --run-input sets its spatial size.
"""
import argparse
import inspect
import json
import math
import operator
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.models as tvm
import torchvision.models.maxvit as maxvit
import torchvision.models.swin_transformer as swin
from gen_tensor_fixtures import write_safetensors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZOO_DIR = os.path.join(ROOT, "examples", "networks", "zoo")
EXPECTED = os.path.join(ROOT, "tests", "data", "zoo", "expected.json")

# Constructor arguments besides weights=None (init_weights=False only skips a slow random
# initialisation that shapes do not need).
MODEL_KWARGS = {
    "googlenet": {"init_weights": False},
    "inception_v3": {"init_weights": False},
}
# Models with auxiliary classifiers (torchvision's default aux_logits=True): only the training
# forward calls them. Such a model is traced in training mode, so the aux heads are layers that
# take what the training forward feeds them, and the spec's "outputs" names the eval forward's
# result: the heads are unused (their parameters count, as model.parameters() counts them, their
# MACs do not, as the eval forward never runs them).
TRAIN_TRACE = {"googlenet", "inception_v3"}
SEG_KWARGS = {"weights_backbone": None, "aux_loss": False}


def input_size(name, segmentation):
    if segmentation:
        return 520
    if name == "inception_v3":
        return 299
    return 224


# --------------------------------------------------------------------------------------------
# cnnshape's layer list


class Layers:
    """What `cnnshape layers` prints: each type's parameters and its torch.xxx spellings."""

    def __init__(self, binary):
        out = subprocess.run([binary, "layers"], check=True, capture_output=True, text=True).stdout
        self.params = {}  # type -> [param names] (positional order, keyword-only after '*')
        self.alias = {}  # "torch.cat" -> "Concat"
        for line in out.splitlines():
            m = re.match(r"^(\w+)\((.*)\)(?:\s{2,}also (.*))?$", line.strip())
            if not m:
                continue
            t, sig, also = m.group(1), m.group(2), m.group(3)
            names = []
            depth, piece, pieces = 0, "", []
            for ch in sig:  # split at the top-level commas (defaults may be tuples)
                depth += ch in "([{"
                depth -= ch in ")]}"
                if ch == "," and depth == 0:
                    pieces.append(piece)
                    piece = ""
                else:
                    piece += ch
            pieces.append(piece)
            for p in pieces:
                p = p.strip().split("=")[0].strip()
                if re.fullmatch(r"[A-Za-z_]\w*", p):
                    names.append(p)
            self.params[t] = names
            if also:
                for a in also.split(","):
                    self.alias[a.strip()] = t

    def has(self, t):
        return t in self.params


# --------------------------------------------------------------------------------------------
# Tracing


def _proxy_iter(self):
    """torch 1.13's Proxy.__iter__ looks for the calling instruction at f_lasti // 2, which is
    not where it is on Python 3.11 (inline caches), so `a, b, c, d = x.size()` fails to trace.
    This finds it by its offset."""
    import dis
    frame = inspect.currentframe().f_back
    for inst in dis.get_instructions(frame.f_code):
        if inst.offset == frame.f_lasti:
            if inst.opname == "UNPACK_SEQUENCE":
                return (self[i] for i in range(inst.argval))
            break
    return self.tracer.iter(self)


torch.fx.Proxy.__iter__ = _proxy_iter


class ScopeTracer(torch.fx.Tracer):
    """symbolic_trace that records, per node, the qualified name of the module whose forward
    created it (node.meta["scope"])."""

    # torchvision modules that are one cnnshape layer each: their forwards call fx-wrapped
    # functions (shifted_window_attention, _patch_merging_pad) on the modules' own weights
    LEAF_EXTRA = (torchvision.ops.StochasticDepth, torchvision.ops.misc.Permute,
                  swin.ShiftedWindowAttention, swin.PatchMerging, swin.PatchMergingV2,
                  maxvit.RelativePositionalMultiHeadAttention)

    def __init__(self):
        super().__init__()
        self.stack = [""]

    def is_leaf_module(self, m, qualname):
        if isinstance(m, self.LEAF_EXTRA):
            return True
        return super().is_leaf_module(m, qualname)

    def call_module(self, m, forward, args, kwargs):
        qual = self.path_of_module(m)
        self.stack.append(qual)
        try:
            return super().call_module(m, forward, args, kwargs)
        finally:
            self.stack.pop()

    def create_node(self, *args, **kwargs):
        node = super().create_node(*args, **kwargs)
        node.meta["scope"] = self.stack[-1]
        return node


class Recorder(torch.fx.Interpreter):
    """Runs the graph on a real input and keeps every node's value (tensors, sizes, ints)."""

    def __init__(self, gm):
        super().__init__(gm)
        self.values = {}

    def run_node(self, n):
        v = super().run_node(n)
        self.values[n] = v
        return v


# --------------------------------------------------------------------------------------------
# Conversion


class Unsupported(Exception):
    pass


def collapse(v):
    """(3, 3) -> 3 for readability; other tuples become lists."""
    if isinstance(v, (tuple, list, torch.Size)):
        v = [collapse(x) for x in v]
        if len(v) > 0 and all(isinstance(x, int) and x == v[0] for x in v) and len(v) <= 3:
            return v[0]
        return v
    return v


def plain(v):
    if isinstance(v, (tuple, list, torch.Size)):
        return [plain(x) for x in v]
    if isinstance(v, torch.dtype):
        return str(v)
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return v
    return v


# Module attributes read under another name, or not stored as the constructor took them.
def module_arg(m, p):
    if isinstance(m, swin.ShiftedWindowAttention):
        if p == "dim":
            return m.qkv.in_features
        if p in ("qkv_bias", "proj_bias"):
            return getattr(m, p[:-5]).bias is not None
        if p in ("window_size", "shift_size"):
            return list(getattr(m, p))
    if isinstance(m, maxvit.RelativePositionalMultiHeadAttention) and p == "feat_dim":
        return m.to_qkv.in_features
    if isinstance(m, (swin.PatchMerging, swin.PatchMergingV2)):
        width = (4 if isinstance(m, swin.PatchMerging) else 2) * m.dim
        if not (type(m.norm) is nn.LayerNorm and m.norm.eps == 1e-5 and
                m.norm.elementwise_affine and list(m.norm.normalized_shape) == [width]):
            raise Unsupported(f"{type(m).__name__} with norm {m.norm} (cnnshape's is "
                              "LayerNorm, eps 1e-5)")
    if isinstance(m, nn.MultiheadAttention):
        if p == "bias":
            return m.in_proj_bias is not None
        if p == "add_bias_kv":
            return m.bias_k is not None
        if p in ("kdim", "vdim") and getattr(m, p) == m.embed_dim:
            return None  # the default: embed_dim
    if p == "bias" and isinstance(getattr(m, "bias", None), (torch.Tensor, type(None))):
        return getattr(m, "bias", None) is not None
    if isinstance(m, nn.LayerNorm) and p == "normalized_shape":
        return list(m.normalized_shape)
    if p == "init" and isinstance(m, nn.PReLU):
        return m.init
    if hasattr(m, p):
        return getattr(m, p)
    raise KeyError(p)


def init_defaults(cls):
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return {}
    return {k: p.default for k, p in sig.parameters.items() if p.default is not inspect._empty}


# torch.nn.functional functions as the module that computes the same thing: (module type,
# the function's parameter names after the input, in order).
FUNCTIONAL = {
    F.relu: ("ReLU", ["inplace"]),
    torch.relu: ("ReLU", []),
    F.relu6: ("ReLU6", ["inplace"]),
    F.hardswish: ("Hardswish", ["inplace"]),
    F.hardsigmoid: ("Hardsigmoid", ["inplace"]),
    F.silu: ("SiLU", ["inplace"]),
    F.gelu: ("GELU", ["approximate"]),
    torch.sigmoid: ("Sigmoid", []),
    F.sigmoid: ("Sigmoid", []),
    torch.tanh: ("Tanh", []),
    F.max_pool2d: ("MaxPool2d",
                   ["kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"]),
    F.avg_pool2d: ("AvgPool2d", ["kernel_size", "stride", "padding", "ceil_mode",
                                 "count_include_pad", "divisor_override"]),
    F.adaptive_avg_pool2d: ("AdaptiveAvgPool2d", ["output_size"]),
    F.adaptive_max_pool2d: ("AdaptiveMaxPool2d", ["output_size", "return_indices"]),
    F.dropout: ("Dropout", ["p", "training", "inplace"]),
    F.softmax: ("Softmax", ["dim", "_stacklevel", "dtype"]),
    F.interpolate: ("Upsample", ["size", "scale_factor", "mode", "align_corners",
                                 "recompute_scale_factor", "antialias"]),
    F.layer_norm: ("LayerNorm", ["normalized_shape", "weight", "bias", "eps"]),
    F.pad: ("Pad", ["pad", "mode", "value"]),
}
# Arguments of a functional form that do not exist on the module (dropped when at their
# eval-mode / default values).
# Functional calls that take a module's weights: the arguments that are the module's own
# parameters (by the attribute names they must have).
FUNCTIONAL_WEIGHTS = {F.layer_norm: ("weight", "bias")}
FUNCTIONAL_DROP = {"training": (False, True), "_stacklevel": None, "dtype": (None,),
                   "antialias": (False,)}

BINARY = {operator.add: "Add", operator.iadd: "Add", torch.add: "Add",
          operator.sub: "Sub", torch.sub: "Sub",
          operator.mul: "Mul", operator.imul: "Mul", torch.mul: "Mul",
          operator.truediv: "Div", torch.div: "Div"}
BINARY_METHODS = {"add": "Add", "add_": "Add", "sub": "Sub", "mul": "Mul", "mul_": "Mul",
                  "div": "Div"}

# Tensor methods whose sizes come as *args: gathered into the one tuple argument.
VARARG_METHODS = {"view": ("View", "size"), "reshape": ("Reshape", "shape"),
                  "permute": ("Permute", "dims"), "expand": ("Expand", "size"),
                  "repeat": ("Repeat", "repeats")}


class Converter:
    def __init__(self, layers, model, gm, values):
        self.L = layers
        self.model = model
        self.gm = gm
        self.values = values
        self.modules = dict(model.named_modules())
        self.entries = {}  # node -> dict (the layer object, without name/inputs)
        self.problems = []
        self.find_module_weights()

    # ---- helpers
    def is_tensor(self, n):
        return isinstance(self.values.get(n), torch.Tensor)

    def concrete(self, a):
        """An argument with every non-tensor node replaced by its value."""
        if isinstance(a, torch.fx.Node):
            if self.is_tensor(a):
                raise Unsupported("a tensor where a constant is expected")
            return self.values[a]
        if isinstance(a, (list, tuple)):
            return type(a)(self.concrete(x) for x in a)
        if isinstance(a, dict):
            return {k: self.concrete(v) for k, v in a.items()}
        if isinstance(a, slice):
            return slice(self.concrete(a.start), self.concrete(a.stop), self.concrete(a.step))
        return a

    def need(self, t, what):
        if not self.L.has(t):
            raise Unsupported(f"{what} (cnnshape has no {t})")

    # ---- one node -> (layer dict, [input refs as (node, slot)])
    def convert(self, n):
        if n.op == "call_module":
            return self.convert_module(n)
        if n.op == "call_function":
            return self.convert_function(n)
        if n.op == "call_method":
            return self.convert_method(n)
        if n.op == "get_attr":
            return self.convert_attr(n)
        raise Unsupported(f"{n.op} {n.target}")

    def find_module_weights(self):
        """Functional calls whose weights are a module's own attributes (torchvision's
        LayerNorm2d: F.layer_norm(x, shape, self.weight, self.bias, eps)) become that module's
        layer: self.as_module[node] = the module's qualified name; the get_attr nodes of its
        weights are then no layers of their own (self.consumed)."""
        self.as_module = {}
        self.consumed = set()
        for n in self.gm.graph.nodes:
            if n.op != "call_function" or n.target not in FUNCTIONAL_WEIGHTS:
                continue
            t, names = FUNCTIONAL[n.target]
            bound = self.bind_functional(n, names)
            attrs = [bound.get(k) for k in FUNCTIONAL_WEIGHTS[n.target]]
            if not all(isinstance(a, torch.fx.Node) and a.op == "get_attr" for a in attrs):
                continue
            owners = {a.target.rsplit(".", 1)[0] if "." in a.target else "" for a in attrs}
            leaves = [a.target.rsplit(".", 1)[-1] for a in attrs]
            if len(owners) != 1 or leaves != list(FUNCTIONAL_WEIGHTS[n.target]):
                continue
            owner = owners.pop()
            if not owner or any(len(a.users) != 1 for a in attrs):
                continue
            if owner in self.as_module.values():
                continue  # called twice: its weights are shared, left as they are
            self.as_module[n] = owner
            self.consumed.update(attrs)

    def convert_attr(self, n):
        """A parameter or buffer used as a tensor: a Parameter or Buffer layer named by its
        qualified name, so its state_dict key is the same."""
        if n in self.consumed:
            return None, None
        owner, _, attr = n.target.rpartition(".")
        m = self.modules.get(owner)
        if m is None:
            raise Unsupported(f"get_attr {n.target}: no module {owner}")
        if attr in m._parameters:
            p = m._parameters[attr]
            self.need("Parameter", f"parameter {n.target} used as a tensor")
            layer = {"type": "Parameter", "shape": list(p.shape)}
            if not p.requires_grad:
                layer["requires_grad"] = False
            return layer, []
        if attr in m._buffers:
            b = m._buffers[attr]
            self.need("Buffer", f"buffer {n.target} used as a tensor")
            layer = {"type": "Buffer", "shape": list(b.shape)}
            if attr in m._non_persistent_buffers_set:
                layer["persistent"] = False
            return layer, []
        raise Unsupported(f"get_attr {n.target} (a tensor attribute that is neither a "
                          "parameter nor a buffer)")

    def tensor_inputs(self, args):
        """Tensor nodes among args (flattening lists), in order, as (node, slot)."""
        out = []
        for a in args:
            if isinstance(a, (list, tuple)):
                out += self.tensor_inputs(a)
            elif isinstance(a, torch.fx.Node) and self.ref_of(a) is not None:
                out.append(self.ref_of(a))
        return out

    def ref_of(self, a):
        """(node, slot) for a tensor node: slot k for element k of a tuple-returning layer."""
        if self.is_tensor(a):
            if a.op == "call_function" and a.target is operator.getitem:
                src = a.args[0]
                if isinstance(src, torch.fx.Node) and tensor_tuple(self.values.get(src)):
                    return (src, a.args[1])
            return (a, None)
        return None

    def convert_module(self, n):
        m = self.modules[n.target]
        cls = type(m)
        t = cls.__name__
        if isinstance(m, torchvision.ops.StochasticDepth):
            t = "StochasticDepth"
        elif isinstance(m, torchvision.ops.misc.Permute):
            t = "Permute"
        elif cls.__module__.startswith("torch.nn.modules.linear") and t != "Linear" and \
                isinstance(m, nn.Linear):
            t = "Linear"  # NonDynamicallyQuantizableLinear
        self.need(t, f"module {n.target} ({cls.__module__}.{cls.__name__})")
        forward_args = {}
        if isinstance(m, nn.MultiheadAttention):
            # forward(query, key, value, key_padding_mask=None, need_weights=True,
            # attn_mask=None, average_attn_weights=True): its tensors are the layer's inputs
            # (one input when all three are the same: self-attention), the rest its keywords
            sig = inspect.signature(m.forward)
            bound = sig.bind(*n.args, **n.kwargs)
            bound.apply_defaults()
            b = dict(bound.arguments)
            q, k, v = b.pop("query"), b.pop("key"), b.pop("value")
            ins = [q] if q is k and k is v else [q, k, v]
            for key, val in b.items():
                val = self.concrete(val)
                if val != sig.parameters[key].default:
                    forward_args[key] = val
        elif n.kwargs:
            raise Unsupported(f"module {n.target} called with keyword arguments")
        else:
            ins = [a for a in n.args]
        if not all(isinstance(a, torch.fx.Node) and self.is_tensor(a) for a in ins):
            raise Unsupported(f"module {n.target} called with non-tensor arguments")
        defaults = init_defaults(cls)
        layer = {"type": t}
        for p in self.L.params[t]:
            if p in ("device", "dtype"):
                continue
            if isinstance(m, nn.MultiheadAttention) and p in inspect.signature(m.forward).parameters:
                if p in forward_args:
                    layer[p] = plain(forward_args.pop(p))
                continue
            try:
                v = module_arg(m, p)
            except KeyError:
                if p in defaults:
                    continue
                raise Unsupported(f"module {n.target}: cannot read its argument {p}")
            if p in defaults and plain(v) == plain(defaults[p]):
                continue
            if p in defaults and isinstance(defaults[p], (int, float)) and \
                    isinstance(v, (tuple, list)) and all(x == defaults[p] for x in v):
                continue
            # torchvision's window_size and shift_size are lists (it calls len() of them)
            keep_list = isinstance(m, swin.ShiftedWindowAttention)
            layer[p] = plain(v) if keep_list else collapse(plain(v))
        if forward_args:
            raise Unsupported(f"module {n.target}: cnnshape's {t} has no {sorted(forward_args)}")
        if any(not p.requires_grad for p in m.parameters(recurse=False)):
            layer["trainable"] = False
        return layer, [self.ref_of(a) for a in ins]

    def bind_functional(self, n, names):
        args = list(n.args[1:])
        kw = dict(n.kwargs)
        out = {}
        for i, a in enumerate(args):
            out[names[i]] = a
        out.update(kw)
        return out

    def convert_function(self, n):
        f = n.target
        fname = getattr(f, "__name__", str(f))
        mod = getattr(f, "__module__", "") or ""
        if f in BINARY:
            return self.convert_binary(n, BINARY[f])
        if f is operator.getitem:
            return self.convert_getitem(n)
        if f in (torch.cat, torch.concat):
            self.need("Concat", "torch.cat")
            tensors = n.args[0] if n.args else n.kwargs["tensors"]
            dim = n.args[1] if len(n.args) > 1 else n.kwargs.get("dim", 0)
            return {"type": "Concat", "dim": self.concrete(dim)}, self.tensor_inputs([tensors])
        if f in FUNCTIONAL:
            t, names = FUNCTIONAL[f]
            self.need(t, f"torch function {mod}.{fname}")
            bound = self.bind_functional(n, names)
            defaults = init_defaults(getattr(nn, t)) if hasattr(nn, t) else {}
            layer = {"type": t}
            owner = getattr(self, "as_module", {}).get(n)
            for k, v in bound.items():
                if owner is not None and k in FUNCTIONAL_WEIGHTS[f]:
                    continue  # the module's own weight and bias: the layer's
                if k in FUNCTIONAL_DROP:
                    ok = FUNCTIONAL_DROP[k]
                    if ok is not None and self.concrete(v) not in ok:
                        raise Unsupported(f"torch function {fname} with {k}={v}")
                    continue
                if isinstance(v, torch.fx.Node) and self.is_tensor(v):
                    raise Unsupported(f"torch function {fname} with a tensor argument {k}")
                if k not in self.L.params[t]:
                    raise Unsupported(f"torch function {fname}: cnnshape's {t} has no {k}")
                v = plain(self.concrete(v))
                if k in defaults and v == plain(defaults[k]):
                    continue
                layer[k] = collapse(v)
            return layer, [self.ref_of(n.args[0])]
        # torch.xxx spelled in cnnshape's layer list ("also torch.flatten")
        keys = []
        if mod.startswith("torch.nn.functional"):
            keys = [f"torch.nn.functional.{fname}", f"nn.functional.{fname}", f"F.{fname}"]
        elif mod.startswith("torch"):
            keys = [f"torch.{fname}"]
        for key in keys:
            if key in self.L.alias:
                return self.generic(n, self.L.alias[key], n.args, n.kwargs)
        raise Unsupported(f"torch function {mod}.{fname}" if mod else f"function {fname}")

    def convert_method(self, n):
        meth = n.target
        if meth in BINARY_METHODS:
            return self.convert_binary(n, BINARY_METHODS[meth])
        if meth in VARARG_METHODS:
            t, p = VARARG_METHODS[meth]
            self.need(t, f"Tensor.{meth}")
            rest = n.args[1:]
            if len(rest) == 1 and isinstance(self.concrete(rest[0]), (list, tuple, torch.Size)):
                sizes = self.concrete(rest[0])
            else:
                sizes = self.concrete(list(rest))
            if n.kwargs:
                sizes = self.concrete(list(n.kwargs.values())[0])
            return {"type": t, p: [int(s) for s in sizes]}, [self.ref_of(n.args[0])]
        if meth == "contiguous":
            self.need("Contiguous", "Tensor.contiguous")
            return {"type": "Contiguous"}, [self.ref_of(n.args[0])]
        key = f"torch.{meth}"
        if key in self.L.alias:
            return self.generic(n, self.L.alias[key], n.args, n.kwargs)
        cap = meth[:1].upper() + meth[1:]
        if self.L.has(cap):
            return self.generic(n, cap, n.args, n.kwargs)
        raise Unsupported(f"Tensor.{meth}")

    def generic(self, n, t, args, kwargs):
        """torch.xxx(tensor, ...) / tensor.xxx(...) as cnnshape's t: the leading tensors are the
        inputs, the rest binds to t's parameters in order."""
        args = list(args)
        ins = []
        if t == "Einsum" and args and isinstance(args[0], str):
            # torch.einsum(equation, *operands) or (equation, [operands])
            ops = args[1:]
            if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
                ops = list(ops[0])
            if not all(isinstance(a, torch.fx.Node) and self.is_tensor(a) for a in ops):
                raise Unsupported("torch.einsum with an operand that is not a tensor")
            return {"type": "Einsum", "equation": args[0]}, [self.ref_of(a) for a in ops]
        if args and isinstance(args[0], (list, tuple)) and any(
                isinstance(a, torch.fx.Node) and self.is_tensor(a) for a in args[0]):
            ins = self.tensor_inputs([args[0]])
            args = args[1:]
        else:
            while args and isinstance(args[0], torch.fx.Node) and self.is_tensor(args[0]):
                ins.append(self.ref_of(args[0]))
                args = args[1:]
        for k in ("input", "other"):
            if k in kwargs and isinstance(kwargs[k], torch.fx.Node):
                ins.append(self.ref_of(kwargs[k]))
        params = self.L.params[t]
        layer = {"type": t}
        if len(args) > len(params):
            raise Unsupported(f"{n.op} {n.target}: more arguments than cnnshape's {t} takes")
        for i, a in enumerate(args):
            layer[params[i]] = plain(self.concrete(a))
        for k, v in kwargs.items():
            if k in ("input", "other") and isinstance(v, torch.fx.Node):
                continue
            if k not in params:
                raise Unsupported(f"{n.op} {n.target}: cnnshape's {t} has no {k}")
            layer[k] = plain(self.concrete(v))
        return layer, ins

    def convert_binary(self, n, t):
        self.need(t, f"{n.op} {getattr(n.target, '__name__', n.target)}")
        a = list(n.args)
        kw = dict(n.kwargs)
        ta = [x for x in a if isinstance(x, torch.fx.Node) and self.is_tensor(x)]
        layer = {"type": t}
        if "alpha" in kw:
            layer["alpha"] = self.concrete(kw.pop("alpha"))
        if kw:
            raise Unsupported(f"{n.op} {n.target} with {sorted(kw)}")
        if len(ta) == 2 and len(a) == 2:
            return layer, [self.ref_of(a[0]), self.ref_of(a[1])]
        if len(ta) == 1 and len(a) == 2:
            other = self.concrete(a[1] if a[0] is ta[0] else a[0])
            if not isinstance(other, (int, float)):
                raise Unsupported(f"{n.op} {n.target} with a {type(other).__name__}")
            if a[0] is not ta[0] and t in ("Sub", "Div"):
                raise Unsupported(f"{n.op} {n.target}: a number {t.lower()} a tensor")
            layer["other"] = other
            return layer, [self.ref_of(ta[0])]
        raise Unsupported(f"{n.op} {n.target} with {len(a)} arguments")

    def convert_getitem(self, n):
        src, idx = n.args
        if tensor_tuple(self.values.get(src)):
            # handled as a reference "name[k]" by ref_of; no layer of its own
            return None, None
        idx = self.concrete(idx)
        if not isinstance(idx, tuple):
            idx = (idx,)
        # x[:, 0], x[..., a:b]: one Select or Slice per indexed dim
        layers = []
        dim = 0
        for it in idx:
            if it is Ellipsis:
                raise Unsupported("tensor indexing with ...")
            if isinstance(it, slice):
                if it == slice(None):
                    dim += 1
                    continue
                self.need("Slice", "tensor indexing with a slice")
                layers.append({"type": "Slice", "dim": dim, "start": it.start, "end": it.stop,
                               "step": 1 if it.step is None else it.step})
                dim += 1
            elif isinstance(it, int):
                self.need("Select", "tensor indexing with an int")
                layers.append({"type": "Select", "dim": dim, "index": it})
            else:
                raise Unsupported(f"tensor indexing with {type(it).__name__}")
        if len(layers) != 1:
            raise Unsupported("tensor indexing of several dims")
        return layers[0], [self.ref_of(src)]


def outputs_tuple(n):
    """A call of a namedtuple class (GoogLeNetOutputs): the forward's result, no layer."""
    return n.op == "call_function" and isinstance(n.target, type) and issubclass(n.target, tuple)


def tensor_tuple(v):
    """A tuple of tensors (what chunk/split/unbind return; MultiheadAttention's
    (attn_output, None) with need_weights=False), not a torch.Size."""
    return isinstance(v, (tuple, list)) and not isinstance(v, torch.Size) and \
        any(isinstance(t, torch.Tensor) for t in v) and \
        all(isinstance(t, torch.Tensor) or t is None for t in v)


# --------------------------------------------------------------------------------------------
# Placing layers in nested Sequentials


class Scope:
    def __init__(self, path, input_ref):
        self.path = path  # "layer1.0"
        self.entries = []
        self.names = set()
        self.input_ref = input_ref  # (node, slot) or "input"
        self.last = input_ref


def build_spec(name, gm, conv, input_shape):
    graph = gm.graph
    placeholder = [n for n in graph.nodes if n.op == "placeholder"]
    if len(placeholder) != 1:
        raise Unsupported(f"{len(placeholder)} inputs")
    x = placeholder[0]
    out_node = [n for n in graph.nodes if n.op == "output"][0]
    result = out_node.args[0]
    extra = []  # outputs of the training forward only (auxiliary heads): unused layers
    if isinstance(result, dict):
        result = result.get("out")
    elif name in TRAIN_TRACE:
        # GoogLeNetOutputs(logits, aux2, aux1): a namedtuple, traced as a call of its class
        if isinstance(result, torch.fx.Node) and result.op == "call_function" and \
                isinstance(result.target, type) and issubclass(result.target, tuple):
            result = tuple(result.args) + tuple(result.kwargs.values())
        if isinstance(result, tuple):
            result, extra = result[0], [r for r in result[1:] if isinstance(r, torch.fx.Node)]
    if not isinstance(result, torch.fx.Node) or not conv.is_tensor(result):
        raise Unsupported("the output is not one tensor")

    # the nodes the outputs depend on
    live = set()
    stack = [result] + extra
    while stack:
        n = stack.pop()
        if n in live:
            continue
        live.add(n)
        stack += [a for a in n.all_input_nodes]

    # parameters of modules never called (or called twice) make the totals differ
    called = {}
    for n in graph.nodes:
        if n.op == "call_module":
            called[n.target] = called.get(n.target, 0) + 1
    for owner in conv.as_module.values():
        called[owner] = called.get(owner, 0) + 1
    attrs = {n.target for n in graph.nodes if n.op == "get_attr" and n in live}
    for qual, m in conv.modules.items():
        prefix = qual + "." if qual else ""
        own = [k for k in list(m._parameters) + list(m._buffers)
               if getattr(m, k) is not None and prefix + k not in attrs]
        if not own:
            continue
        leaf_owner = any(qual == c or qual.startswith(c + ".") for c in called)
        if not leaf_owner:
            raise Unsupported(f"module {qual} has parameters but is never called "
                              f"(or uses them outside a module call)")
    for qual, k in called.items():
        m = conv.modules[qual]
        if k > 1 and (list(m.parameters()) or list(m.buffers())):
            raise Unsupported(f"module {qual} is called {k} times (shared weights)")

    root = Scope("", (x, None))
    root.last = (x, None)
    open_scopes = [root]
    closed = set()
    full_name = {}  # node -> dotted name of its layer
    scope_of = {}  # node -> Scope it was placed in
    placed_last = None
    out_scopes = {}  # node -> closed Sequentials whose output it is

    def ref_text(ref, scope):
        if ref is None:
            raise Unsupported("a layer takes something that is not a tensor")
        node, slot = ref
        if node is x:
            if scope.input_ref != (x, None):
                raise Unsupported("a nested module takes the network input directly")
            txt = "input"
        else:
            if ref == scope.input_ref and slot is None:
                return "input"
            for s in out_scopes.get(node, []):
                if s.path.rsplit(".", 1)[0] == scope.path or ("." not in s.path and
                                                               scope.path == ""):
                    txt = s.path.rsplit(".", 1)[-1]  # a Sequential's name is its output
                    return txt if slot is None else f"{txt}[{slot}]"
            txt = full_name[node]
            if scope_of[node] is scope:
                txt = txt.rsplit(".", 1)[-1]
        if slot is not None:
            txt += f"[{slot}]"
        return txt

    def close_to(depth):
        while len(open_scopes) > depth:
            s = open_scopes.pop()
            closed.add(s.path)
            if s.last[0] is not x and s.last[1] is None:
                out_scopes.setdefault(s.last[0], []).append(s)
            parent = open_scopes[-1]
            parent.last = s.last

    def open_path(parts, first_input):
        for i in range(len(open_scopes) - 1, len(parts)):
            parent = open_scopes[-1]
            path = ".".join(parts[: i + 1])
            local = parts[i]
            if path in closed or local in parent.names:
                raise Unsupported(f"the layers of module {path} do not run one after another")
            s = Scope(path, first_input)
            seq = {"name": local, "type": "Sequential", "layers": s.entries}
            if first_input != parent.last:
                seq["inputs"] = [ref_text(first_input, parent)]
            elif first_input[0] is x and parent.input_ref != (x, None):
                seq["inputs"] = [ref_text(first_input, parent)]
            parent.entries.append(seq)
            parent.names.add(local)
            open_scopes.append(s)

    for n in graph.nodes:
        if n not in live or n.op in ("placeholder", "output"):
            continue
        if outputs_tuple(n) or (not conv.is_tensor(n) and not tensor_tuple(conv.values.get(n))):
            continue  # sizes, shapes and other constants: their values are used in place
        if n.op == "call_function" and n.target is operator.getitem and \
                tensor_tuple(conv.values.get(n.args[0])):
            continue  # an element of a tuple: referenced as "name[k]"
        layer, ins = conv.convert(n)
        if layer is None:
            continue
        as_module = n.target if n.op in ("call_module", "get_attr") else conv.as_module.get(n)
        if as_module is not None:
            parts = as_module.split(".")
            scope_parts, local = parts[:-1], parts[-1]
        else:
            scope_parts = [p for p in n.meta.get("scope", "").split(".") if p]
            local = re.sub(r"_\d+$", "", n.name)
            # a module that is one layer (LayerNorm2d): what else its forward does goes beside it
            for k in range(len(scope_parts), 0, -1):
                if ".".join(scope_parts[:k]) in conv.as_module.values():
                    scope_parts = scope_parts[: k - 1]
                    break
        # the deepest open scope that is a prefix, then open the rest
        depth = 1
        while depth < len(open_scopes) and depth <= len(scope_parts) and \
                open_scopes[depth].path == ".".join(scope_parts[:depth]):
            depth += 1
        if as_module is None:
            # a function node goes where it ran, unless that scope was closed already
            while depth <= len(scope_parts) and ".".join(scope_parts[:depth]) in closed:
                scope_parts = scope_parts[: depth - 1]
        close_to(depth)
        if len(scope_parts) > len(open_scopes) - 1:
            # a layer without inputs (a Parameter) opens its module as the next layer would
            open_path(scope_parts, ins[0] if ins else open_scopes[-1].last)
        scope = open_scopes[-1]
        prefix = scope.path + "." if scope.path else ""
        if local in scope.names or (as_module is None and prefix + local in conv.modules):
            if n.op == "get_attr" or n in conv.as_module or (n.op == "call_module" and (
                    list(conv.modules[n.target].parameters()) or
                    list(conv.modules[n.target].buffers()))):
                raise Unsupported(f"name clash {as_module}")
            base = local
            k = 1
            while f"{base}_{k}" in scope.names or prefix + f"{base}_{k}" in conv.modules:
                k += 1
            local = f"{base}_{k}"
        entry = {"name": local}
        entry.update(layer)
        if ins and not (len(ins) == 1 and ins[0] == scope.last):
            entry["inputs"] = [ref_text(r, scope) for r in ins]
        scope.entries.append(entry)
        scope.names.add(local)
        full_name[n] = (scope.path + "." if scope.path else "") + local
        scope_of[n] = scope
        scope.last = (n, None)
        placed_last = n
    close_to(1)
    spec = {"name": name, "input": list(input_shape), "layers": root.entries}
    # the aux heads reach no output when the eval forward's result is the last layer (its
    # default output): that keeps the output unnamed, one tensor as the eval forward returns
    # (a named "outputs" list would make `run` print and save it by name)
    if extra and placed_last is not result:
        spec["outputs"] = [ref_text(conv.ref_of(result), root)]
    elif placed_last is not result:
        entry = {"name": "output", "type": "Identity",
                 "inputs": [ref_text(conv.ref_of(result), root)]}
        root.entries.append(entry)
    return spec


# --------------------------------------------------------------------------------------------
# Writing specs (one layer a line, nested Sequentials indented)


def dump_layer(e, indent):
    pad = "  " * indent
    if e.get("type") == "Sequential":
        head = {k: v for k, v in e.items() if k != "layers"}
        s = json.dumps(head)[:-1] + ', "layers": [\n'
        s += ",\n".join(dump_layer(c, indent + 1) for c in e["layers"])
        return pad + s + "\n" + pad + "]}"
    return pad + json.dumps(e)


def dump_spec(spec):
    s = "{\n"
    s += f'  "name": {json.dumps(spec["name"])},\n'
    s += f'  "input": {json.dumps(spec["input"])},\n'
    s += '  "layers": [\n'
    s += ",\n".join(dump_layer(e, 2) for e in spec["layers"])
    s += "\n  ]"
    if "outputs" in spec:
        s += f',\n  "outputs": {json.dumps(spec["outputs"])}'
    s += "\n}\n"
    return s


# --------------------------------------------------------------------------------------------
# PyTorch's own numbers


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def count_macs(model, forward):
    """MACs of forward() by hooks on model's convolutions and linear layers (and a wrapper of
    MultiheadAttention's forward)."""
    total = [0]

    def conv_hook(m, inp, out):
        k = math.prod(m.kernel_size)
        total[0] += out.numel() * (m.in_channels // m.groups) * k

    def convt_hook(m, inp, out):
        k = math.prod(m.kernel_size)
        total[0] += inp[0].numel() * (m.out_channels // m.groups) * k

    def linear_hook(m, inp, out):
        total[0] += out.numel() * m.in_features

    def wrap_mha(m):
        # forward hooks do not see keyword arguments (ViT calls query=, key=, value=)
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
            # in-projections, QK^T and AV, out-projection (README's convention)
            total[0] += L * N * E * E + S * N * m.kdim * E + S * N * m.vdim * E + \
                2 * N * L * s2 * E + L * N * E * E
            return orig(*args, **kwargs)

        m.forward = forward
        return m

    def wrap_swin(m):
        # shifted_window_attention: qkv and proj of every padded token, QK^T and AV within each
        # window (README's convention, as MultiheadAttention); V2's cpb_mlp Linear layers are
        # modules the hooks see
        orig = m.forward

        def forward(x):
            B, H, W, C = x.shape
            w0, w1 = m.window_size
            pH, pW = H + (w0 - H % w0) % w0, W + (w1 - W % w1) % w1
            T, N = B * pH * pW, w0 * w1
            total[0] += T * C * 3 * C + 2 * T * N * C + T * C * C
            return orig(x)

        m.forward = forward
        return m

    def wrap_rel(m):
        # RelativePositionalMultiHeadAttention: its two einsums, q . k^T and attn . v, over
        # (B, G) windows of P tokens (to_qkv and merge are modules the hooks see)
        orig = m.forward

        def forward(x):
            B, G, P, D = x.shape
            total[0] += 2 * B * G * m.n_heads * P * P * m.head_dim
            return orig(x)

        m.forward = forward
        return m

    hooks = []
    wrapped = []
    for m in model.modules():
        if isinstance(m, maxvit.RelativePositionalMultiHeadAttention):
            wrapped.append(wrap_rel(m))
        if isinstance(m, nn.MultiheadAttention):
            wrapped.append(wrap_mha(m))
        if isinstance(m, swin.ShiftedWindowAttention):
            wrapped.append(wrap_swin(m))
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            hooks.append(m.register_forward_hook(convt_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        out = forward()
    for h in hooks:
        h.remove()
    for m in wrapped:
        del m.forward
    if isinstance(out, dict):
        out = out["out"]
    return total[0], list(out.shape)


class NoInit:
    """Shapes do not need weight values: torch.nn.init's fills do nothing while a model is
    built for planning (then moved to the meta device, where nothing is computed)."""

    def __enter__(self):
        self.saved = {}
        for k in dir(nn.init):
            f = getattr(nn.init, k)
            if k.endswith("_") and not k.startswith("_") and callable(f):
                self.saved[k] = f
                setattr(nn.init, k, lambda t, *a, **kw: t)

    def __exit__(self, *exc):
        for k, f in self.saved.items():
            setattr(nn.init, k, f)


def build_model(name, segmentation, meta=False):
    kwargs = dict(MODEL_KWARGS.get(name, {}))
    if segmentation:
        kwargs.update(SEG_KWARGS)
        fn = getattr(tvm.segmentation, name)
    else:
        fn = getattr(tvm, name)
    torch.manual_seed(0)
    if meta:
        with NoInit():
            model = fn(weights=None, **kwargs).eval()
        model = model.to("meta")
    else:
        model = fn(weights=None, **kwargs).eval()
    return model, kwargs


def trace(tracer, model, name):
    if name not in TRAIN_TRACE:
        return tracer.trace(model)
    model.train()
    try:
        return tracer.trace(model)
    finally:
        model.eval()


def convert_model(name, segmentation, layers, size=None):
    size = size or input_size(name, segmentation)
    shape = [1, 3, size, size]
    model, kwargs = build_model(name, segmentation, meta=True)
    x = torch.randn(shape, device="meta")
    tracer = ScopeTracer()
    try:
        graph = trace(tracer, model, name)
    except Exception as e:  # noqa: BLE001 - any tracing failure is a status, not a crash
        graph = None
        trace_error = f"torch.fx cannot trace it: {type(e).__name__}: {str(e).split('. ')[0]}"
    for attempt in ("meta", "cpu"):
        try:
            if graph is not None:
                gm = torch.fx.GraphModule(tracer.root, graph)
                rec = Recorder(gm)
                if name in TRAIN_TRACE:
                    # the graph runs the aux heads too; MACs are the eval forward's
                    with torch.no_grad():
                        rec.run(x)
                    macs, out_shape = count_macs(model, lambda: model(x))
                else:
                    # one forward pass: the graph calls the model's own modules, so hooks see it
                    macs, out_shape = count_macs(model, lambda: rec.run(x))
            else:
                macs, out_shape = count_macs(model, lambda: model(x))
            break
        except (NotImplementedError, RuntimeError) as e:
            if attempt == "cpu":
                raise
            print(f"{name}: the meta device fails ({type(e).__name__}: {str(e)[:100]}); "
                  "running on the CPU")
            model, kwargs = build_model(name, segmentation)
            x = torch.randn(shape, generator=torch.Generator().manual_seed(0))
            if graph is not None:
                tracer = ScopeTracer()
                graph = trace(tracer, model, name)
    expected = {
        "input": shape,
        "output": out_shape,
        "params": sum(p.numel() for p in model.parameters()),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": macs,
    }
    # what `run --weights` must load: every state_dict key and shape (a digest, so the test
    # checks the names without committing them)
    lines = sorted(f"{k}:{','.join(str(d) for d in v.shape)}" for k, v in model.state_dict().items())
    expected["state_dict"] = {"keys": len(lines), "fnv1a64": fnv1a64("\n".join(lines))}
    if kwargs:
        expected["kwargs"] = {k: v for k, v in kwargs.items()}
    if graph is None:
        return model, expected, None, [trace_error]
    # MACs that the hooks cannot see: convolutions and matrix products outside modules
    mods = dict(model.named_modules())
    for n in graph.nodes:
        fn = getattr(n.target, "__name__", "") if n.op == "call_function" else ""
        if fn in ("conv1d", "conv2d", "conv3d", "linear", "matmul", "bmm", "einsum", "baddbmm",
                  "multi_head_attention_forward") or (n.op == "call_method" and n.target in (
                      "matmul", "bmm", "__matmul__")) or fn == "matmul":
            expected.setdefault("macs_unchecked", f"{fn or n.target} outside a module")
        if n.op == "get_attr" and "." in n.target and isinstance(
                mods.get(n.target.rsplit(".", 1)[0]), (nn.Linear, nn.modules.conv._ConvNd)):
            expected.setdefault("macs_unchecked", f"{n.target} used outside its module")
    conv = Converter(layers, model, gm, rec.values)
    problems = []
    spec = None
    # the first unsupported nodes (up to 3 distinct reasons), then the spec
    for n in graph.nodes:
        if n.op in ("placeholder", "output"):
            continue
        if outputs_tuple(n) or (not conv.is_tensor(n) and not tensor_tuple(rec.values.get(n))):
            continue
        if n.op == "call_function" and n.target is operator.getitem and \
                tensor_tuple(rec.values.get(n.args[0])):
            continue
        try:
            conv.convert(n)
        except Unsupported as e:
            msg = f"{n.name}: {e}"
            if not any(p.split(": ", 1)[1] == str(e) for p in problems):
                problems.append(msg)
            if len(problems) >= 3:
                break
    if not problems:
        try:
            spec = build_spec(name, gm, conv, shape)
        except Unsupported as e:
            problems.append(str(e))
    return model, expected, spec, problems


# --------------------------------------------------------------------------------------------
# Checks against the binary


def plan_totals(binary, spec_path):
    r = subprocess.run([binary, "plan", spec_path, "--format", "json"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        return None, r.stderr.strip() or r.stdout.strip()
    j = json.loads(r.stdout)
    t = j["totals"]
    return {"output": j["output_shape"], "params": t["params"],
            "trainable_params": t["trainable_params"], "buffers": t["buffers"],
            "macs": t["macs"]}, None


def check_run(binary, name, model, spec_path, size, segmentation):
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats:
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
        # Tensors torchvision initialises to zero (biases, class tokens, the last BatchNorm of
        # a block, layer scale's) would leave whole code paths untested: small random values.
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point() and t.numel() and not t.any():
                t.copy_(torch.randn(t.shape, generator=g) * 0.02)
    x = torch.randn([1, 3, size, size], generator=g)
    with torch.no_grad():
        ref = model(x)
    if isinstance(ref, dict):
        ref = ref["out"]
    with tempfile.TemporaryDirectory() as d:
        # the weights as a user exports them: one safetensors file of the state_dict
        wdir = os.path.join(d, "weights.safetensors")
        write_safetensors(wdir, dict(model.state_dict()), {"format": "pt"})
        np.save(os.path.join(d, "x.npy"), x.numpy())
        out = os.path.join(d, "out.npy")
        r = subprocess.run([binary, "run", spec_path, "--weights", wdir, "--input",
                            os.path.join(d, "x.npy"), "--output", out], capture_output=True,
                           text=True)
        if r.returncode != 0:
            return False, f"cnnshape run failed (exit {r.returncode}): {r.stderr.strip()[:300]}"
        got = torch.from_numpy(np.load(out))
    if list(got.shape) != list(ref.shape):
        return False, f"output shape {list(got.shape)}, PyTorch {list(ref.shape)}"
    diff = (got - ref).abs().max().item()
    scale = ref.abs().max().item()
    ok = diff <= 1e-4 * max(scale, 1e-30)
    return ok, f"max |diff| {diff:.3g}, max |out| {scale:.3g} (relative {diff / max(scale, 1e-30):.3g})"


# Seeded runs: `cnnshape run SPEC --seed S` builds its weights as torch.manual_seed(S) and
# each layer's reset_parameters() in order; the same done to the torchvision model (its modules
# in the spec's order) gives PyTorch's output for the test to compare with, no weight files.
RUN_FIXTURE_MODELS = {"squeezenet1_1": 64, "mobilenet_v2": 64, "resnet18": 64,
                      "mobilenet_v3_small": 64, "efficientnet_b0": 64, "googlenet": 64,
                      "densenet121": 64, "inception_v3": 299, "swin_t": 64, "swin_v2_t": 64}
# inception_v3's auxiliary head (unused, but planned) needs Mixed_6e's 17x17: a 299 input.
RUN_FIXTURE = os.path.join(ROOT, "tests", "data", "zoo", "run.json")


def _reset_swin(m):
    # ShiftedWindowAttention(V2).__init__'s draws: qkv, proj, then the table's trunc_normal_
    # (V2: logit_scale log(10), cpb_mlp, k's third of qkv.bias zeroed)
    m.qkv.reset_parameters()
    m.proj.reset_parameters()
    if isinstance(m, swin.ShiftedWindowAttentionV2):
        m.logit_scale.copy_(torch.log(10 * torch.ones_like(m.logit_scale)))
        m.cpb_mlp[0].reset_parameters()
        m.cpb_mlp[2].reset_parameters()
        if m.qkv.bias is not None:
            n = m.qkv.bias.numel() // 3
            m.qkv.bias[n:2 * n].zero_()
    else:
        nn.init.trunc_normal_(m.relative_position_bias_table, std=0.02)


def _reset_merging(m):
    m.reduction.reset_parameters()
    m.norm.reset_parameters()


def _reset_rel(m):
    m.to_qkv.reset_parameters()
    m.merge.reset_parameters()
    nn.init.trunc_normal_(m.relative_position_bias_table, std=0.02)


# torchvision modules without reset_parameters(): what cnnshape's init_weights draws for them
TORCHVISION_RESET = {swin.ShiftedWindowAttention: _reset_swin,
                     swin.ShiftedWindowAttentionV2: _reset_swin,
                     swin.PatchMerging: _reset_merging, swin.PatchMergingV2: _reset_merging,
                     maxvit.RelativePositionalMultiHeadAttention: _reset_rel}


def seeded_run_case(name, layers, size=64, seed=0):
    seg = False
    model, _ = build_model(name, seg)
    _, _, spec, problems = convert_model(name, seg, layers)
    if problems:
        raise SystemExit(f"{name} is not convertible: {problems}")
    order = []

    def walk(entries, prefix):
        for e in entries:
            full = prefix + e["name"]
            if e["type"] == "Sequential":
                walk(e["layers"], full + ".")
            else:
                order.append(full)

    walk(spec["layers"], "")
    mods = dict(model.named_modules())
    torch.manual_seed(seed)
    for full in order:
        m = mods.get(full)
        if m is not None and type(m) in TORCHVISION_RESET:
            with torch.no_grad():
                TORCHVISION_RESET[type(m)](m)
        elif m is not None and hasattr(m, "reset_parameters"):
            m.reset_parameters()
    torch.manual_seed(seed)
    x = torch.randn(1, 3, size, size)
    with torch.no_grad():
        out = model(x)
    return {"model": name, "input": [1, 3, size, size], "seed": seed,
            "output_shape": list(out.shape),
            "output": [float(f"{v:.8g}") for v in out.flatten().tolist()]}


def write_run_fixtures(layers):
    cases = [seeded_run_case(n, layers, size) for n, size in RUN_FIXTURE_MODELS.items()]
    with open(RUN_FIXTURE, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")
    print(f"wrote {RUN_FIXTURE}: {len(cases)} seeded runs")


# --------------------------------------------------------------------------------------------


def model_list():
    cls = sorted(tvm.list_models(module=tvm))
    seg = sorted(tvm.list_models(module=tvm.segmentation))
    return [(n, False) for n in cls] + [(n, True) for n in seg]


def write_readme(status):
    ok = [n for n, s in status.items() if s["converted"]]
    bad = [n for n, s in status.items() if not s["converted"]]
    lines = [
        "# torchvision model zoo",
        "",
        "Generated by `tools/gen_zoo.py` (torchvision 0.14, torch.fx); do not edit by hand.",
        "Every torchvision classification model and the segmentation models, traced in eval mode",
        "with `weights=None`. Layer names are the modules' qualified names (their `state_dict`",
        "prefixes), so `cnnshape run SPEC --weights DIR` loads torchvision's weights.",
        "tests/data/zoo/expected.json holds PyTorch's shapes, params, buffers and MACs for every",
        "model; tests/test_zoo.cpp plans each spec here against them.",
        "",
        f"Converted: {len(ok)} of {len(status)}. Rerun the tool after cnnshape gains layer types:",
        "",
        "    /usr/bin/python3 tools/gen_zoo.py build/cnnshape",
        "",
        "`--check-run` also runs each converted model with `cnnshape run --weights` (its",
        "state_dict as `KEY.npy` files, BatchNorm statistics randomised) and compares the output",
        "with PyTorch's eval forward (1e-4 relative). The specs are for the input shape they",
        "name: sizes PyTorch computes from the input (an `interpolate` to the input's size, a",
        "`view` of `x.size()`) are written as the numbers that input gives.",
        "",
        "| model | spec |",
        "|---|---|",
    ]
    for n in ok:
        lines.append(f"| {n} | [{n}.json]({n}.json) |")
    lines += ["", "## Not converted yet", "", "The first unsupported node(s) of each:", "",
              "| model | first unsupported |", "|---|---|"]
    for n in bad:
        why = "; ".join(status[n]["unsupported"]).replace("|", "\\|")
        lines.append(f"| {n} | {why} |")
    with open(os.path.join(ZOO_DIR, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("binary", help="the cnnshape binary (its `layers` list decides support)")
    ap.add_argument("--models", help="comma-separated subset (default: all); with --no-write")
    ap.add_argument("--check-run", action="store_true",
                    help="also compare `cnnshape run --weights` with PyTorch's forward")
    ap.add_argument("--run-input", type=int, default=64,
                    help="spatial size of --check-run's input (default 64; inception_v3 (299) "
                         "and segmentation models keep theirs if it is too small)")
    ap.add_argument("--run-max-params", type=int, default=150_000_000,
                    help="--check-run skips models with more parameters (default 150M)")
    ap.add_argument("--no-write", action="store_true", help="only report")
    ap.add_argument("--run-fixtures", action="store_true",
                    help="only write tests/data/zoo/run.json (seeded runs of "
                         + ", ".join(RUN_FIXTURE_MODELS) + ")")
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    binary = os.path.abspath(a.binary)
    layers = Layers(binary)
    if a.run_fixtures:
        write_run_fixtures(layers)
        return 0
    models = model_list()
    if a.models:
        want = a.models.split(",")
        models = [m for m in models if m[0] in want]
    write = not a.no_write and not a.models
    torch.set_grad_enabled(False)
    os.makedirs(ZOO_DIR, exist_ok=True)
    status = {}
    expected = {}
    runs = {}
    for name, seg in models:
        model, exp, spec, problems = convert_model(name, seg, layers)
        expected[name] = exp
        st = {"converted": spec is not None and not problems, "unsupported": problems}
        path = os.path.join(ZOO_DIR, name + ".json")
        if st["converted"]:
            text = dump_spec(spec)
            tmp = path if write else os.path.join(tempfile.gettempdir(), f"zoo_{name}.json")
            with open(tmp, "w") as f:
                f.write(text)
            got, err = plan_totals(binary, tmp)
            if err:
                # the spec is not kept: the model is listed with cnnshape's error (a conversion
                # this tool gets wrong, or a cnnshape bug: look at it)
                err = err.replace(tmp, f"{name}.json")
                st = {"converted": False, "unsupported": [f"cnnshape plan fails: {err}"]}
                print(f"{name}: PLAN FAILS: {err}")
                if write:
                    os.remove(path)
            else:
                diffs = [f"{k} {got[k]} vs PyTorch {exp[k]}" for k in got if got[k] != exp[k]
                         and not (k == "macs" and "macs_unchecked" in exp)]
                if diffs:
                    st["mismatch"] = diffs
                print(f"{name}: converted" + (f"; MISMATCH {diffs}" if diffs else ", totals match"))
            if not st["converted"]:
                pass
            elif a.check_run and exp["params"] > a.run_max_params:
                print(f"  run: skipped ({exp['params']} params > --run-max-params)")
            elif a.check_run:
                size = a.run_input
                if name == "inception_v3":
                    size = max(size, 299)  # AuxLogits' 5x5 conv after a 5/3 pool of 17x17
                if seg:
                    size = max(size, 64)
                if name.startswith("vit_") or name == "maxvit_t":
                    size = 224  # their image size is fixed (positional embedding, grid)
                # the spec again at the run's size (sizes such as Upsample's are constants)
                _, _, run_spec, _ = convert_model(name, seg, layers, size)
                run_path = os.path.join(tempfile.gettempdir(), f"zoo_run_{name}.json")
                with open(run_path, "w") as f:
                    f.write(dump_spec(run_spec))
                cpu_model = None
                try:
                    cpu_model, _ = build_model(name, seg)
                    ok, msg = check_run(binary, name, cpu_model, run_path, size, seg)
                except Exception as e:  # PyTorch's side failed: reported, the others still run
                    ok, msg = False, f"PyTorch raised {type(e).__name__}: {str(e)[:300]}"
                del cpu_model
                runs[name] = (ok, msg)
                print(f"  run: {'PASS' if ok else 'FAIL'} {msg}")
        else:
            if write and os.path.exists(path):
                os.remove(path)
            print(f"{name}: not converted: {'; '.join(problems)}")
        status[name] = st
    if write:
        os.makedirs(os.path.dirname(EXPECTED), exist_ok=True)
        with open(EXPECTED, "w") as f:
            f.write("{\n")
            f.write(",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in expected.items()))
            f.write("\n}\n")
        with open(os.path.join(ZOO_DIR, "status.json"), "w") as f:
            f.write("{\n")
            f.write(",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in status.items()))
            f.write("\n}\n")
        write_readme(status)
    n_ok = sum(1 for s in status.values() if s["converted"])
    print(f"{n_ok} of {len(status)} converted")
    if runs:
        print(f"run check: {sum(1 for ok, _ in runs.values() if ok)} of {len(runs)} pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
