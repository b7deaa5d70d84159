#!/usr/bin/env python3
"""Check cnnshape's example networks against PyTorch / torchvision.

Run from the repository root with the interpreter that has torch:

    /usr/bin/python3 tools/verify_examples.py           # verify, then write outputs
    /usr/bin/python3 tools/verify_examples.py --check   # verify, and fail if the
                                                         # committed outputs are stale

What it does:

* contains a small, independent interpreter of cnnshape's JSON spec format
  (plus the pasted-Python ``.py`` form and the ``print(model)`` ``.txt`` form),
  which builds real ``torch.nn`` modules and runs them on ``torch.zeros(input)``
  in eval mode;
* for the real networks (alexnet, vgg16, resnet18, mobilenet_v2) compares the
  parameter count, the state_dict keys and tensor shapes, the output shape and
  the MACs against torchvision's model built with ``weights=None``;
* checks the seed examples' output shapes against the tutorials' numbers;
* checks every ``examples/networks/invalid/NAME.*`` case fails the way
  ``invalid/NAME.expected`` says (exit 1: PyTorch itself raises, with the
  given substring in its message; exit 2: the spec is rejected as malformed,
  with the offending name in the message);
* writes ``examples/networks/vgg16_print.txt`` (``print(vgg16().features)``)
  and ``examples/networks/expected.json``.

MACs convention (counted with forward hooks):
  Conv:          output elements x (in_channels / groups) x kernel volume
  ConvTranspose: input elements  x (out_channels / groups) x kernel volume
  Linear:        output elements x in_features
  everything else: 0
``buffers`` is the total number of elements of all registered buffers
(BatchNorm running_mean + running_var + the 1-element num_batches_tracked).
"""

import argparse
import ast
import inspect
import json
import math
import os
import re
import sys
import traceback
import warnings

import torch
import torch.nn as nn
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NET_DIR = os.path.join(ROOT, "examples", "networks")
INVALID_DIR = os.path.join(NET_DIR, "invalid")

# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class SpecError(Exception):
    """Malformed spec (cnnshape exit code 2)."""

    exit_code = 2


class TorchError(Exception):
    """PyTorch raised while constructing a module or running forward (exit 1)."""

    exit_code = 1

    def __init__(self, where, exc):
        self.where = where
        self.original = exc
        super().__init__("%s: %s" % (where, exc))


# --------------------------------------------------------------------------
# Layer catalogue and argument types
# --------------------------------------------------------------------------

LEAF_TYPES = """
Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d
MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d
AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d
AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d LPPool1d LPPool2d
Linear Flatten BatchNorm1d BatchNorm2d BatchNorm3d ZeroPad2d ConstantPad2d
Upsample Dropout Dropout2d Identity ReLU ReLU6 LeakyReLU GELU SiLU Sigmoid
Tanh Hardswish Softmax
""".split()
SPECIAL_TYPES = ["Sequential", "Add", "Concat"]
ALL_TYPES = set(LEAF_TYPES) | set(SPECIAL_TYPES)

# Keys of a layer object that are not keyword arguments of the PyTorch class.
META_KEYS = {"type", "name", "inputs", "args"}


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int_or_ints(v):
    return _is_int(v) or (isinstance(v, tuple) and len(v) > 0 and all(_is_int(x) for x in v))


def _opt(check):
    return lambda v: v is None or check(v)


ARG_TYPES = {
    "in_channels": (_is_int, "an integer"),
    "out_channels": (_is_int, "an integer"),
    "in_features": (_is_int, "an integer"),
    "out_features": (_is_int, "an integer"),
    "num_features": (_is_int, "an integer"),
    "groups": (_is_int, "an integer"),
    "start_dim": (_is_int, "an integer"),
    "end_dim": (_is_int, "an integer"),
    "dim": (_opt(_is_int), "an integer or null"),
    "kernel_size": (_int_or_ints, "an integer or an array of integers"),
    "stride": (_opt(_int_or_ints), "an integer, an array of integers or null"),
    "dilation": (_int_or_ints, "an integer or an array of integers"),
    "output_padding": (_int_or_ints, "an integer or an array of integers"),
    "padding": (lambda v: _int_or_ints(v) or v in ("same", "valid"),
                "an integer, an array of integers, \"same\" or \"valid\""),
    "output_size": (lambda v: v is None or _is_int(v) or (
        isinstance(v, tuple) and len(v) > 0 and all(x is None or _is_int(x) for x in v)),
        "an integer or an array of integers/nulls"),
    "size": (_opt(_int_or_ints), "an integer, an array of integers or null"),
    "scale_factor": (lambda v: v is None or _is_num(v) or (
        isinstance(v, tuple) and len(v) > 0 and all(_is_num(x) for x in v)),
        "a number, an array of numbers or null"),
    "bias": (lambda v: isinstance(v, bool), "true or false"),
    "inplace": (lambda v: isinstance(v, bool), "true or false"),
    "ceil_mode": (lambda v: isinstance(v, bool), "true or false"),
    "count_include_pad": (lambda v: isinstance(v, bool), "true or false"),
    "return_indices": (lambda v: v is False, "false (true is not supported)"),
    "affine": (lambda v: isinstance(v, bool), "true or false"),
    "track_running_stats": (lambda v: isinstance(v, bool), "true or false"),
    "align_corners": (_opt(lambda v: isinstance(v, bool)), "true, false or null"),
    "recompute_scale_factor": (_opt(lambda v: isinstance(v, bool)), "true, false or null"),
    "p": (_is_num, "a number"),
    "eps": (_is_num, "a number"),
    "momentum": (_opt(_is_num), "a number or null"),
    "negative_slope": (_is_num, "a number"),
    "value": (_is_num, "a number"),
    "norm_type": (_is_num, "a number"),
    "divisor_override": (_opt(_is_int), "an integer or null"),
    "padding_mode": (lambda v: isinstance(v, str), "a string"),
    "mode": (lambda v: isinstance(v, str), "a string"),
    "approximate": (lambda v: isinstance(v, str), "a string"),
}

# Keyword arguments of the PyTorch classes that a spec may not use.
FORBIDDEN_ARGS = {"device", "dtype"}

# Leaf types whose channel/feature argument may be omitted, and how it is
# taken from the incoming shape: (argument, number of spatial dims or None).
INFERABLE = {}
for _d in (1, 2, 3):
    INFERABLE["Conv%dd" % _d] = ("in_channels", _d)
    INFERABLE["ConvTranspose%dd" % _d] = ("in_channels", _d)
    INFERABLE["BatchNorm%dd" % _d] = ("num_features", _d)
INFERABLE["Linear"] = ("in_features", None)


def to_tuple(v):
    """JSON arrays mean tuples (recursively)."""
    if isinstance(v, list):
        return tuple(to_tuple(x) for x in v)
    if isinstance(v, tuple):
        return tuple(to_tuple(x) for x in v)
    return v


def ctor_params(cls):
    """Named constructor parameters of a torch.nn class (no self/device/dtype)."""
    sig = inspect.signature(cls.__init__)
    out = []
    for p in sig.parameters.values():
        if p.name == "self" or p.name in FORBIDDEN_ARGS:
            continue
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            out.append(p)
    return out


def infer_from_shape(type_, shape, where):
    arg, nspatial = INFERABLE[type_]
    if nspatial is None:  # Linear: last dimension
        if len(shape) < 1:
            raise SpecError("%s: cannot infer %s from a 0-d input" % (where, arg))
        return shape[-1]
    if type_.startswith("BatchNorm"):
        # BatchNorm1d accepts (N, C) or (N, C, L); 2d/3d need the batch dim.
        if len(shape) < 2:
            raise SpecError("%s: cannot infer %s from input shape %s" % (where, arg, list(shape)))
        return shape[1]
    if len(shape) == nspatial + 2:
        return shape[1]
    if len(shape) == nspatial + 1:
        return shape[0]
    raise SpecError("%s: cannot infer %s from input shape %s" % (where, arg, list(shape)))


def make_leaf(type_, args, kwargs, in_shape, where):
    """Validate a leaf layer's arguments, then construct the module."""
    cls = getattr(nn, type_)
    params = ctor_params(cls)
    names = [p.name for p in params]
    positional = [p.name for p in params if p.kind == p.POSITIONAL_OR_KEYWORD]
    if type_ == "Identity":
        names, positional = [], []

    for k in kwargs:
        if k in FORBIDDEN_ARGS or k not in names:
            raise SpecError("%s: unknown keyword argument '%s' for %s" % (where, k, type_))
    if len(args) > len(positional):
        raise SpecError("%s: %s takes at most %d positional arguments, got %d"
                        % (where, type_, len(positional), len(args)))
    bound = {}
    for name, value in zip(positional, args):
        bound[name] = value
    for k, v in kwargs.items():
        if k in bound:
            raise SpecError("%s: argument '%s' given both positionally and by keyword" % (where, k))
        bound[k] = v

    for k, v in list(bound.items()):
        v = to_tuple(v)
        bound[k] = v
        check = ARG_TYPES.get(k)
        if check is not None and not check[0](v):
            raise SpecError("%s: argument '%s' of %s must be %s, got %s"
                            % (where, k, type_, check[1], json.dumps(v)))
        if check is None and not (v is None or isinstance(v, (bool, int, float, str, tuple))):
            raise SpecError("%s: argument '%s' has an unsupported value" % (where, k))

    if type_ in INFERABLE:
        arg = INFERABLE[type_][0]
        if arg not in bound:
            bound[arg] = infer_from_shape(type_, in_shape, where)

    for p in params:
        if type_ != "Identity" and p.default is inspect.Parameter.empty and p.name not in bound:
            raise SpecError("%s: missing required argument '%s' for %s" % (where, p.name, type_))

    try:
        module = cls(**bound)
    except Exception as e:  # PyTorch rejected the arguments at construction
        raise TorchError(where, e)
    module.eval()
    return module


# --------------------------------------------------------------------------
# Multi-input modules and the graph container
# --------------------------------------------------------------------------


class Add(nn.Module):
    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = torch.add(out, x)
        return out


class Concat(nn.Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = dim

    def forward(self, *xs):
        return torch.cat(list(xs), dim=self.dim)

    def extra_repr(self):
        return "dim=%d" % self.dim


class Graph(nn.Module):
    """A Sequential whose children may take named inputs.

    Children are registered under their spec names, so state_dict keys are the
    dotted spec names. ``steps`` holds (name, refs) where each ref is a key into
    the run-time tensor store: a full dotted layer name, or FULLNAME + "#input"
    for a Sequential's input.
    """

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.steps = []

    def forward(self, x, store=None):
        if store is None:
            store = {}
        store[self.path + "#input"] = x
        out = x
        prefix = self.path + "." if self.path else ""
        for name, refs in self.steps:
            module = self._modules[name]
            ins = [store[r] for r in refs]
            if isinstance(module, Graph):
                out = module(ins[0], store)
            else:
                out = module(*ins)
            store[prefix + name] = out
        return out


# --------------------------------------------------------------------------
# JSON spec interpreter
# --------------------------------------------------------------------------


def parse_layer_string(text, where):
    """'nn.Conv2d(3, 8, kernel_size=3)' -> (type, args, kwargs)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise SpecError("%s: cannot parse layer expression %r: %s" % (where, text, e.msg))
    return call_to_layer(tree.body, where, text)


def call_to_layer(node, where, text=None):
    shown = text if text is not None else ast.dump(node)
    if not isinstance(node, ast.Call):
        raise SpecError("%s: expected a layer constructor call, got %r" % (where, shown))
    f = node.func
    chain = []
    while isinstance(f, ast.Attribute):
        chain.append(f.attr)
        f = f.value
    if not isinstance(f, ast.Name):
        raise SpecError("%s: expected a layer constructor call, got %r" % (where, shown))
    chain.append(f.id)
    chain.reverse()
    if len(chain) == 1 or chain[:-1] in (["nn"], ["torch", "nn"]):
        type_ = chain[-1]
    else:
        raise SpecError("%s: unknown layer type '%s'" % (where, ".".join(chain)))
    args, kwargs = [], {}
    try:
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise SpecError("%s: *args are not supported" % where)
            args.append(ast.literal_eval(a))
        for kw in node.keywords:
            if kw.arg is None:
                raise SpecError("%s: **kwargs are not supported" % where)
            kwargs[kw.arg] = ast.literal_eval(kw.value)
    except ValueError:
        raise SpecError("%s: layer arguments must be literals in %r" % (where, shown))
    return type_, args, kwargs


class Interpreter:
    """Builds a Graph from a spec while propagating a real tensor through it."""

    def __init__(self):
        self.done_full = set()  # full names of completed layers

    # scopes: list (outermost first) of (path, set of completed child names)
    def resolve(self, ref, scopes, where):
        if not isinstance(ref, str) or not ref:
            raise SpecError("%s: inputs must be layer names (strings), got %s" % (where, json.dumps(ref)))
        path, _ = scopes[-1]
        if ref == "input":
            return path + "#input"
        for spath, done in reversed(scopes):
            if ref in done:
                return (spath + "." if spath else "") + ref
        if "." in ref and ref in self.done_full:
            return ref
        raise SpecError("%s: input '%s' does not name an earlier layer "
                        "(unknown layer, or defined later)" % (where, ref))

    def build_sequential(self, path, layers, x, scopes, store, where):
        if not isinstance(layers, list) or not layers:
            raise SpecError("%s: \"layers\" must be a non-empty array" % where)
        graph = Graph(path)
        graph.eval()
        store[path + "#input"] = x
        done = set()
        scopes = scopes + [(path, done)]
        prev = path + "#input"
        prefix = path + "." if path else ""
        out = x
        for i, layer in enumerate(layers):
            name = str(i)
            if isinstance(layer, dict) and "name" in layer:
                name = layer["name"]
                if not isinstance(name, str) or not name:
                    raise SpecError("%s: layer %d: \"name\" must be a non-empty string" % (where, i))
                if name == "input":
                    raise SpecError("%s: layer %d: a layer may not be named 'input'" % (where, i))
                if "." in name:
                    raise SpecError("%s: layer name '%s' may not contain '.'" % (where, name))
            if name in graph._modules:
                raise SpecError("%s: duplicate layer name '%s'" % (where, name))
            lwhere = "layer '%s'" % (prefix + name)

            if isinstance(layer, str):
                type_, args, kwargs = parse_layer_string(layer, lwhere)
                obj = None
                refs = [prev]
            elif isinstance(layer, dict):
                obj = layer
                if "type" not in obj:
                    raise SpecError("%s: missing \"type\"" % lwhere)
                type_ = obj["type"]
                if not isinstance(type_, str):
                    raise SpecError("%s: \"type\" must be a string" % lwhere)
                if "inputs" in obj:
                    ins = obj["inputs"]
                    if not isinstance(ins, list) or not ins:
                        raise SpecError("%s: \"inputs\" must be a non-empty array of names" % lwhere)
                    refs = [self.resolve(r, scopes, lwhere) for r in ins]
                else:
                    refs = [prev]
            else:
                raise SpecError("%s: a layer must be a string or an object" % lwhere)

            if type_ not in ALL_TYPES:
                raise SpecError("%s: unknown layer type '%s'" % (lwhere, type_))
            if type_ not in ("Add", "Concat") and len(refs) != 1:
                raise SpecError("%s: %s takes exactly one input, got %d" % (lwhere, type_, len(refs)))
            ins = [store[r] for r in refs]

            if type_ == "Sequential":
                if obj is None:
                    raise SpecError("%s: Sequential must be written as an object" % lwhere)
                extra = set(obj) - {"type", "name", "inputs", "layers"}
                if extra:
                    raise SpecError("%s: unknown key '%s' for Sequential" % (lwhere, sorted(extra)[0]))
                if "layers" not in obj:
                    raise SpecError("%s: Sequential needs \"layers\"" % lwhere)
                module, out = self.build_sequential(prefix + name, obj["layers"], ins[0],
                                                    scopes, store, lwhere)
            elif type_ in ("Add", "Concat"):
                if obj is None:
                    raise SpecError("%s: %s must be written as an object" % (lwhere, type_))
                allowed = {"type", "name", "inputs"} | ({"dim"} if type_ == "Concat" else set())
                extra = set(obj) - allowed
                if extra:
                    raise SpecError("%s: unknown key '%s' for %s" % (lwhere, sorted(extra)[0], type_))
                if type_ == "Add":
                    if len(refs) < 2:
                        raise SpecError("%s: Add needs at least two inputs" % lwhere)
                    module = Add()
                else:
                    dim = obj.get("dim", 0)
                    if not _is_int(dim):
                        raise SpecError("%s: argument 'dim' of Concat must be an integer" % lwhere)
                    module = Concat(dim)
                try:
                    out = module(*ins)
                except Exception as e:
                    raise TorchError(lwhere, e)
            else:
                if obj is not None:
                    if "layers" in obj:
                        raise SpecError("%s: unknown keyword argument 'layers' for %s" % (lwhere, type_))
                    args = obj.get("args", [])
                    if not isinstance(args, list):
                        raise SpecError("%s: \"args\" must be an array" % lwhere)
                    kwargs = {k: v for k, v in obj.items() if k not in META_KEYS}
                module = make_leaf(type_, args, kwargs, tuple(ins[0].shape), lwhere)
                try:
                    with torch.no_grad():
                        out = module(ins[0])
                except Exception as e:
                    raise TorchError(lwhere, e)
                if not isinstance(out, torch.Tensor):
                    raise SpecError("%s: layer does not return a single tensor" % lwhere)

            graph.add_module(name, module)
            graph.steps.append((name, refs))
            full = prefix + name
            store[full] = out
            done.add(name)
            self.done_full.add(full)
            prev = full
        return graph, out


def check_input_shape(shape, where="spec"):
    if shape is None:
        raise SpecError("%s: missing \"input\" shape" % where)
    if not isinstance(shape, list) or not shape or not all(_is_int(d) and d > 0 for d in shape):
        raise SpecError("%s: \"input\" must be a non-empty array of positive integers" % where)
    return list(shape)


def build_from_layers(layers, input_shape):
    x = torch.zeros(input_shape)
    interp = Interpreter()
    model, out = interp.build_sequential("", layers, x, [], {}, "spec")
    model.eval()
    return model


def load_json_spec(path):
    with open(path) as f:
        text = f.read()
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError("invalid JSON: %s" % e)
    if not isinstance(spec, dict):
        raise SpecError("the spec must be a JSON object")
    extra = set(spec) - {"name", "input", "layers"}
    if extra:
        raise SpecError("unknown top-level key '%s'" % sorted(extra)[0])
    shape = check_input_shape(spec.get("input"))
    if "layers" not in spec:
        raise SpecError("missing \"layers\"")
    return build_from_layers(spec["layers"], shape), shape


# --------------------------------------------------------------------------
# Pasted Python (.py) reader: nn.Sequential(...) assignments + torch.rand(...)
# --------------------------------------------------------------------------

TENSOR_FACTORIES = {"rand", "randn", "zeros", "ones", "empty"}


def _dotted(node):
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        chain.append(node.id)
        return ".".join(reversed(chain))
    return None


def load_python_spec(path):
    with open(path) as f:
        text = f.read()
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        raise SpecError("cannot parse Python: %s (line %s)" % (e.msg, e.lineno))
    models, tensors, applied = {}, {}, None
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            target, value = stmt.targets[0].id, stmt.value
            if isinstance(value, ast.Call):
                fname = _dotted(value.func)
                if fname in ("nn.Sequential", "torch.nn.Sequential", "Sequential"):
                    models[target] = (stmt.lineno, value.args)
                elif fname and fname.startswith("torch.") and fname[6:] in TENSOR_FACTORIES:
                    dims = value.args
                    if len(dims) == 1 and isinstance(dims[0], (ast.Tuple, ast.List)):
                        dims = dims[0].elts
                    try:
                        tensors[target] = [ast.literal_eval(d) for d in dims]
                    except ValueError:
                        raise SpecError("line %d: %s: shape must be integer literals" % (stmt.lineno, target))
        for node in ast.walk(stmt):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in models
                    and len(node.args) == 1 and isinstance(node.args[0], ast.Name)):
                applied = (node.func.id, node.args[0].id)
    if not models:
        raise SpecError("no nn.Sequential(...) found")
    if applied and applied[1] in tensors:
        mname, tname = applied
    else:
        mname = list(models)[-1]
        if not tensors:
            raise SpecError("no input shape: no torch.rand(...)-style input tensor found")
        tname = list(tensors)[-1]
    shape = check_input_shape(tensors[tname], "input '%s'" % tname)
    lineno, arg_nodes = models[mname]
    layers = []
    for i, node in enumerate(arg_nodes):
        type_, args, kwargs = call_to_layer(node, "%s[%d] (line %d)" % (mname, i, node.lineno),
                                            ast.get_source_segment(text, node))
        obj = {"type": type_, "args": list(args)}
        obj.update(kwargs)
        for k in ("type", "args", "name", "inputs", "layers"):
            if k in kwargs:
                raise SpecError("line %d: unknown keyword argument '%s' for %s" % (node.lineno, k, type_))
        layers.append(obj)
    return build_from_layers(layers, shape), shape


# --------------------------------------------------------------------------
# print(model) text (.txt) reader
# --------------------------------------------------------------------------

_LINE = re.compile(r"^\s*\((?P<name>[^)]+)\):\s*(?P<expr>.*?)\s*$")
_BARE = re.compile(r"=(?!True\b|False\b|None\b)([A-Za-z_][A-Za-z_0-9]*)(?=[,)])")


def repr_to_layer(expr, where):
    """Parse a module repr such as 'Upsample(scale_factor=2.0, mode=nearest)'."""
    fixed = _BARE.sub(lambda m: "='%s'" % m.group(1), expr)
    try:
        tree = ast.parse(fixed, mode="eval")
    except SyntaxError:
        raise SpecError("%s: cannot parse %r" % (where, expr))
    type_, args, kwargs = call_to_layer(tree.body, where, expr)
    obj = {"type": type_, "args": list(args)}
    obj.update(kwargs)
    return obj


def load_print_text(path, input_shape):
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    if not lines or not re.match(r"^\s*Sequential\($", lines[0]):
        raise SpecError("%s: expected the text to start with 'Sequential('" % os.path.basename(path))
    stack = [[]]
    closed = False
    for lineno, line in enumerate(lines[1:], 2):
        if closed:
            raise SpecError("line %d: text after the closing ')'" % lineno)
        if line.strip() == ")":
            if len(stack) == 1:
                closed = True
            else:
                items = stack.pop()
                stack[-1][-1]["layers"] = items
            continue
        m = _LINE.match(line)
        if not m:
            raise SpecError("line %d: cannot parse %r" % (lineno, line))
        name, expr = m.group("name"), m.group("expr")
        if expr.endswith("("):
            if expr[:-1] != "Sequential":
                raise SpecError("line %d: unknown container '%s'" % (lineno, expr[:-1]))
            stack[-1].append({"type": "Sequential", "name": name})
            stack.append([])
        else:
            obj = repr_to_layer(expr, "line %d" % lineno)
            obj["name"] = name
            stack[-1].append(obj)
    if len(stack) != 1 or not closed:
        raise SpecError("unbalanced parentheses")
    return build_from_layers(stack[0], check_input_shape(input_shape)), input_shape


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------

CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
CONVT_TYPES = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)


def count_macs(model, input_shape):
    """Run forward on zeros in eval mode, counting MACs with forward hooks."""
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, CONVT_TYPES):
            total[0] += (inputs[0].numel() * (module.out_channels // module.groups)
                         * math.prod(module.kernel_size))
        elif isinstance(module, CONV_TYPES):
            total[0] += (output.numel() * (module.in_channels // module.groups)
                         * math.prod(module.kernel_size))
        elif isinstance(module, nn.Linear):
            total[0] += output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, CONV_TYPES + CONVT_TYPES + (nn.Linear,))]
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.zeros(input_shape))
    finally:
        for h in handles:
            h.remove()
    return total[0], list(out.shape)


def measure(model, input_shape):
    macs, out_shape = count_macs(model, input_shape)
    return {
        "input": list(input_shape),
        "output": out_shape,
        "params": sum(p.numel() for p in model.parameters()),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
        "macs": macs,
    }


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

# Output shapes stated by the seed tutorials (and the brief).
SEED_OUTPUTS = {
    "pool_4x4_max.json": [1, 1, 2, 2],
    "pool_4x4_avg.json": [1, 1, 2, 2],
    "maxpool_6x6.json": [1, 1, 3, 3],
    "funnel.json": [16, 26, 26],
    "funnel_stride2.json": [16, 26, 26],
    "funnel_no_pool.json": [16, 106, 106],
    "adaptive_avg_7x7.json": [2, 3, 7, 7],
    "adaptive_max_7x7.json": [2, 3, 7, 7],
    "funnel.py": [16, 26, 26],
    "lenet5.json": [1, 10],
}

# file -> (torchvision constructor, published parameter total)
REAL_NETWORKS = {
    "alexnet.json": ("alexnet", 61100840),
    "vgg16.json": ("vgg16", 138357544),
    "resnet18.json": ("resnet18", 11689512),
    "mobilenet_v2.json": ("mobilenet_v2", 3504872),
}
PARAM_TOTALS = {"lenet5.json": 61706}

# Inputs for print(model) texts, which carry no input shape of their own.
TXT_INPUTS = {"vgg16_print.txt": [1, 3, 224, 224]}

# Generated files (not specs).
GENERATED = {"expected.json"}


class Report:
    def __init__(self):
        self.failures = []
        self.lines = []

    def ok(self, msg):
        self.lines.append("  ok    " + msg)

    def fail(self, msg):
        self.failures.append(msg)
        self.lines.append("  FAIL  " + msg)

    def check(self, cond, msg):
        (self.ok if cond else self.fail)(msg)
        return cond


def load_any(path):
    base = os.path.basename(path)
    if path.endswith(".json"):
        return load_json_spec(path)
    if path.endswith(".py"):
        return load_python_spec(path)
    if path.endswith(".txt"):
        return load_print_text(path, TXT_INPUTS.get(base))
    raise SpecError("unknown file type: %s" % base)


def run_python_file(path):
    """Execute a pasted-Python example for real; return (model, input) it uses."""
    with open(path) as f:
        src = f.read()
    ns = {"__name__": "__verify__"}
    exec(compile(src, path, "exec"), ns)
    models = [v for v in ns.values() if isinstance(v, nn.Module)]
    tensors = [v for v in ns.values() if isinstance(v, torch.Tensor)]
    return models[-1], tensors[-1]


def compare_torchvision(rep, fname, model, input_shape, tv_name):
    tv = getattr(torchvision.models, tv_name)(weights=None).eval()
    sd, tsd = model.state_dict(), tv.state_dict()
    keys, tkeys = list(sd), list(tsd)
    if keys == tkeys:
        rep.ok("%s: %d state_dict keys equal torchvision.%s's, in order" % (fname, len(keys), tv_name))
    elif set(keys) == set(tkeys):
        rep.ok("%s: state_dict keys equal torchvision.%s's (order differs)" % (fname, tv_name))
    else:
        missing = [k for k in tkeys if k not in sd][:5]
        extra = [k for k in keys if k not in tsd][:5]
        rep.fail("%s: state_dict keys differ from torchvision.%s: missing %s, extra %s"
                 % (fname, tv_name, missing, extra))
    bad = [k for k in keys if k in tsd and tuple(sd[k].shape) != tuple(tsd[k].shape)]
    rep.check(not bad, "%s: state_dict tensor shapes match%s" % (fname, "" if not bad else ": " + ", ".join(bad[:5])))
    m, t = measure(model, input_shape), measure(tv, input_shape)
    for key in ("output", "params", "buffers", "macs"):
        rep.check(m[key] == t[key], "%s: %s %s == torchvision %s" % (fname, key, m[key], t[key]))


def verify_valid(rep, results):
    files = sorted(f for f in os.listdir(NET_DIR)
                   if os.path.isfile(os.path.join(NET_DIR, f)) and f not in GENERATED
                   and f.endswith((".json", ".py", ".txt")))
    for fname in files:
        path = os.path.join(NET_DIR, fname)
        try:
            model, shape = load_any(path)
            m = measure(model, shape)
        except Exception as e:
            rep.fail("%s: %s: %s" % (fname, type(e).__name__, e))
            continue
        results.append(dict(file=fname, **m))
        rep.ok("%s: builds and runs, output %s" % (fname, m["output"]))
        if fname in SEED_OUTPUTS:
            rep.check(m["output"] == SEED_OUTPUTS[fname],
                      "%s: output %s == tutorial's %s" % (fname, m["output"], SEED_OUTPUTS[fname]))
        if fname in PARAM_TOTALS:
            rep.check(m["params"] == PARAM_TOTALS[fname],
                      "%s: params %d == %d" % (fname, m["params"], PARAM_TOTALS[fname]))
        if fname in REAL_NETWORKS:
            tv_name, total = REAL_NETWORKS[fname]
            rep.check(m["params"] == total, "%s: params %d == published %d" % (fname, m["params"], total))
            compare_torchvision(rep, fname, model, shape, tv_name)
        if fname.endswith(".py"):
            real_model, real_input = run_python_file(path)
            rm = measure(real_model, list(real_input.shape))
            for key in ("input", "output", "params", "macs"):
                rep.check(rm[key] == m[key], "%s: %s %s == executed Python's %s" % (fname, key, m[key], rm[key]))
        if fname == "vgg16_print.txt":
            tv = torchvision.models.vgg16(weights=None).features.eval()
            rep.check(list(model.state_dict()) == list(tv.state_dict()),
                      "%s: state_dict keys equal vgg16().features'" % fname)
            t = measure(tv, shape)
            for key in ("output", "params", "macs"):
                rep.check(m[key] == t[key], "%s: %s %s == vgg16().features' %s" % (fname, key, m[key], t[key]))
    return files


def verify_invalid(rep):
    names = sorted(os.listdir(INVALID_DIR))
    specs = [f for f in names if not f.endswith(".expected")]
    expecteds = {f[: -len(".expected")] for f in names if f.endswith(".expected")}
    stems = {os.path.splitext(f)[0] for f in specs}
    for orphan in sorted(expecteds - stems):
        rep.fail("invalid/%s.expected has no spec file" % orphan)
    if len(stems) != len(specs):
        rep.fail("invalid/: two spec files share a stem")
    count = 0
    for fname in specs:
        stem = os.path.splitext(fname)[0]
        path = os.path.join(INVALID_DIR, fname)
        exp_path = os.path.join(INVALID_DIR, stem + ".expected")
        if not os.path.exists(exp_path):
            rep.fail("invalid/%s: no %s.expected" % (fname, stem))
            continue
        with open(exp_path) as f:
            exp_lines = f.read().splitlines()
        if len(exp_lines) != 2 or exp_lines[0] not in ("1", "2") or not exp_lines[1]:
            rep.fail("invalid/%s.expected: must be two lines: exit code (1|2), substring" % stem)
            continue
        code, substring = int(exp_lines[0]), exp_lines[1]
        count += 1
        try:
            load_any(path)
            rep.fail("invalid/%s: was accepted" % fname)
            continue
        except (SpecError, TorchError) as e:
            got_code, msg = e.exit_code, str(e)
        if got_code != code:
            rep.fail("invalid/%s: exit %d expected, got %d (%s)" % (fname, code, got_code, msg))
            continue
        if substring not in msg:
            rep.fail("invalid/%s: message %r lacks %r" % (fname, msg, substring))
            continue
        rep.ok("invalid/%s: exit %d, %r" % (fname, code, substring))
        if fname.endswith(".py") and code == 1:
            try:
                run_python_file(path)
                rep.fail("invalid/%s: executing the Python did not raise" % fname)
            except Exception as e:
                rep.check(substring in str(e), "invalid/%s: executed Python raises %s(%r)"
                          % (fname, type(e).__name__, str(e)))
    rep.check(count >= 12, "invalid/: %d cases (need >= 12)" % count)


def format_expected(results):
    lines = ",\n".join("  " + json.dumps(r) for r in results)
    return "[\n" + lines + "\n]\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; fail if vgg16_print.txt or expected.json are stale")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every check")
    opts = ap.parse_args()
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    rep = Report()

    print_path = os.path.join(NET_DIR, "vgg16_print.txt")
    print_text = str(torchvision.models.vgg16(weights=None).features) + "\n"
    if opts.check:
        with open(print_path) as f:
            rep.check(f.read() == print_text, "vgg16_print.txt is up to date")
    else:
        with open(print_path, "w") as f:
            f.write(print_text)

    results = []
    verify_valid(rep, results)
    verify_invalid(rep)

    expected_path = os.path.join(NET_DIR, "expected.json")
    text = format_expected(results)
    if opts.check:
        with open(expected_path) as f:
            rep.check(f.read() == text, "expected.json is up to date")
    elif not rep.failures:
        with open(expected_path, "w") as f:
            f.write(text)

    for line in rep.lines:
        if opts.verbose or line.startswith("  FAIL"):
            print(line)
    print()
    print("%-22s %-18s %-14s %13s %13s" % ("file", "input", "output", "params", "MACs"))
    for r in results:
        print("%-22s %-18s %-14s %13s %13s" % (r["file"], r["input"], r["output"],
                                                "{:,}".format(r["params"]), "{:,}".format(r["macs"])))
    print()
    n_ok = len(rep.lines) - len(rep.failures)
    if rep.failures:
        print("FAILED: %d of %d checks failed%s" % (len(rep.failures), len(rep.lines),
              "" if opts.check else "; expected.json not written"))
        return 1
    print("OK: %d checks passed%s" % (n_ok, "" if opts.check else "; wrote vgg16_print.txt and expected.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
