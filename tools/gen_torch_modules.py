#!/usr/bin/env python3
"""Generate src/layers/torch_modules.inc: the module classes PyTorch has, for cnnshape's messages.

When a layer type is not one cnnshape supports, the message depends on whether PyTorch has it:
"PyTorch has nn.PReLU; cnnshape does not support it yet" for a real class, "did you mean ...?"
only for a name PyTorch does not have either. This script lists the classes:

* every public class (no leading underscore) defined in torch.nn.modules that is an nn.Module
  subclass, plus the nn.Module subclasses torch.nn exports from elsewhere (nn.DataParallel);
* every nn.Module subclass torchvision.ops exports (StochasticDepth, FrozenBatchNorm2d, ...).

Each entry is {class name, the name to write it by}: "nn.PReLU" when torch.nn exports the class,
its module path otherwise ("torch.nn.modules.linear.NonDynamicallyQuantizableLinear", which
print(model) shows inside MultiheadAttention), "torchvision.ops.StochasticDepth" for torchvision's.
The entries are sorted by class name (byte order), which the C++ test checks along with the names
cnnshape supports all being in the list.

It also writes tests/data/unsupported_print.json: print(nn.Sequential(module)) for a module of
many of the classes cnnshape does not support, as PyTorch prints it, so the test can check that
the print(model) reader names each one as not supported rather than failing on its text.

Regenerate from the repository root (Debian's python3-torch is importable by /usr/bin/python3):

    /usr/bin/python3 tools/gen_torch_modules.py

The output is deterministic.
"""

import importlib
import inspect
import json
import os
import pkgutil
import sys

import torch
import torch.nn as nn
import torchvision
import torchvision.ops as ops
import warnings

warnings.filterwarnings("ignore", message="Lazy modules")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "src", "layers", "torch_modules.inc")
PRINT_OUT = os.path.join(ROOT, "tests", "data", "unsupported_print.json")

# Modules cnnshape does not support, built as a user would; their print(model) text is the test.
UNSUPPORTED = [
    ("Softmin", lambda: nn.Softmin(dim=1)), ("CosineSimilarity", lambda: nn.CosineSimilarity()),
    ("PairwiseDistance", lambda: nn.PairwiseDistance()),
    ("RNN", lambda: nn.RNN(4, 8)), ("LSTMCell", lambda: nn.LSTMCell(4, 8)),
    ("GRUCell", lambda: nn.GRUCell(4, 8)), ("EmbeddingBag", lambda: nn.EmbeddingBag(10, 3)),
    ("CrossEntropyLoss", lambda: nn.CrossEntropyLoss()), ("MultiLabelMarginLoss", lambda: nn.MultiLabelMarginLoss()),
    ("L1Loss", lambda: nn.L1Loss()),
    ("LSTM", lambda: nn.LSTM(10, 20, 2)),
    ("GRU", lambda: nn.GRU(4, 8)), ("RReLU", lambda: nn.RReLU()),
    ("Embedding", lambda: nn.Embedding(10, 3)), ("HingeEmbeddingLoss", lambda: nn.HingeEmbeddingLoss()),
    ("FractionalMaxPool2d", lambda: nn.FractionalMaxPool2d(3, output_size=5)),
    ("KLDivLoss", lambda: nn.KLDivLoss()), ("BCEWithLogitsLoss", lambda: nn.BCEWithLogitsLoss()),
    ("CTCLoss", lambda: nn.CTCLoss()),
    ("MarginRankingLoss", lambda: nn.MarginRankingLoss()),
    ("PoissonNLLLoss", lambda: nn.PoissonNLLLoss()), ("TripletMarginLoss", lambda: nn.TripletMarginLoss()),
    ("Bilinear", lambda: nn.Bilinear(2, 3, 4)), ("GaussianNLLLoss", lambda: nn.GaussianNLLLoss()),
    ("SoftMarginLoss", lambda: nn.SoftMarginLoss()), ("MSELoss", lambda: nn.MSELoss()),
    ("TransformerEncoderLayer", lambda: nn.TransformerEncoderLayer(8, 2, 16)),
    ("FrozenBatchNorm2d", lambda: ops.FrozenBatchNorm2d(4)),
    ("DropBlock2d", lambda: ops.DropBlock2d(0.1, 3)),
    ("SqueezeExcitation", lambda: ops.SqueezeExcitation(8, 2)),
    ("Conv2dNormActivation", lambda: ops.Conv2dNormActivation(3, 8)),
    ("DeformConv2d", lambda: ops.DeformConv2d(3, 4, 3)),
    ("NLLLoss", lambda: nn.NLLLoss()), ("BCELoss", lambda: nn.BCELoss()),
    ("SmoothL1Loss", lambda: nn.SmoothL1Loss()), ("HuberLoss", lambda: nn.HuberLoss()),
    ("RNNCell", lambda: nn.RNNCell(4, 8)), ("CosineEmbeddingLoss", lambda: nn.CosineEmbeddingLoss()),
    ("TransformerDecoderLayer", lambda: nn.TransformerDecoderLayer(8, 2, 16)),
    ("Conv3dNormActivation", lambda: ops.Conv3dNormActivation(3, 8)),
]


def is_module_class(o):
    return inspect.isclass(o) and issubclass(o, nn.Module)


def torch_classes():
    mods = [nn.modules] + [importlib.import_module("torch.nn.modules." + m.name)
                           for m in pkgutil.iter_modules(nn.modules.__path__)]
    found = {}
    for m in mods:
        for name, o in vars(m).items():
            if name.startswith("_") or not is_module_class(o):
                continue
            if not o.__module__.startswith("torch.nn.modules"):
                continue  # imported from elsewhere (torch.nn.parameter, ...)
            found[name] = o
    for name in dir(nn):
        o = getattr(nn, name)
        if not name.startswith("_") and is_module_class(o):
            found.setdefault(name, o)
    entries = {}
    for name, o in found.items():
        if getattr(nn, name, None) is o:
            entries[name] = "nn." + name
        else:
            entries[name] = o.__module__ + "." + name
    return entries


def torchvision_classes():
    return {name: "torchvision.ops." + name for name in dir(ops)
            if not name.startswith("_") and is_module_class(getattr(ops, name))}


# torchvision.models' own modules that are cnnshape layer types (Swin's and MaxViT's attention
# and patch merging), written by their module path.
MODEL_CLASSES = {
    "ShiftedWindowAttention": "torchvision.models.swin_transformer.ShiftedWindowAttention",
    "ShiftedWindowAttentionV2": "torchvision.models.swin_transformer.ShiftedWindowAttentionV2",
    "PatchMerging": "torchvision.models.swin_transformer.PatchMerging",
    "PatchMergingV2": "torchvision.models.swin_transformer.PatchMergingV2",
    "RelativePositionalMultiHeadAttention":
        "torchvision.models.maxvit.RelativePositionalMultiHeadAttention",
}


def model_classes():
    out = {}
    for name, path in MODEL_CLASSES.items():
        mod, _, cls = path.rpartition(".")
        assert is_module_class(getattr(importlib.import_module(mod), cls)), path
        out[name] = path
    return out


# torch.nn classes newer than the PyTorch this script runs on that cnnshape supports anyway.
NEWER = {"ZeroPad1d": "nn.ZeroPad1d", "ZeroPad3d": "nn.ZeroPad3d"}  # PyTorch 2.1


def main():
    entries = torch_classes()
    for name, path in NEWER.items():
        entries.setdefault(name, path)
    for name, path in torchvision_classes().items():
        if name in entries:
            sys.exit("torchvision.ops.%s has the name of %s" % (name, entries[name]))
        entries[name] = path
    for name, path in model_classes().items():
        if name in entries:
            sys.exit("%s has the name of %s" % (path, entries[name]))
        entries[name] = path
    names = sorted(entries, key=lambda s: s.encode())
    lines = [
        "// Generated by tools/gen_torch_modules.py from torch %s and torchvision %s; do not edit."
        % (torch.__version__, torchvision.__version__),
        "// {class name, the name to write it by}: every public nn.Module subclass of",
        "// torch.nn.modules and torch.nn, torchvision.ops's modules and the torchvision.models",
        "// modules cnnshape supports, sorted by class name.",
    ]
    lines += ['{"%s", "%s"},' % (n, entries[n]) for n in names]
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%s: %d classes" % (os.path.relpath(OUT), len(names)))

    cases = []
    for name, make in UNSUPPORTED:
        assert name in entries, name
        cases.append({"name": name, "path": entries[name], "print": repr(nn.Sequential(make()))})
    with open(PRINT_OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print("%s: %d cases" % (os.path.relpath(PRINT_OUT), len(cases)))


if __name__ == "__main__":
    main()
