#!/usr/bin/env python3
"""Generate the receptive-field fixtures (tests/data/rf.json) from PyTorch's autograd.

The receptive field of an output position is the set of input positions it depends on.
PyTorch can show it: the gradient of that one output element with respect to the input is
non-zero exactly there, provided nothing cancels (weights are set to 0.1, inputs are positive,
and only layers whose every tap carries a non-zero weight are used: no max pooling, which passes
the gradient to one element, and no interpolation with a zero weight). For each case the file
records, per input dim, the first and last input index the gradient reaches for the output
element at index 0 of every dim (``spans``) and for the element at index 1 of every dim where
the output has one (``spans_next``), so the test can check each axis's size, start and jump.
PyTorch clips the field to the input; the test clips cnnshape's field the same way.

Regenerate (needs PyTorch; Debian's python3-torch is importable by /usr/bin/python3 only), from
the repository root:

    /usr/bin/python3 tools/gen_rf_fixtures.py
"""

import json
import os

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "rf.json")

CASES = [
    # (layers, input shape, mode, number of spatial axes)
    (["nn.ReLU()"], [1, 2, 9, 9], "eval", 2),
    (["nn.Sigmoid()", "nn.Conv2d(2, 2, 3)"], [1, 2, 9, 9], "eval", 2),
    (["nn.ReLU()", "nn.Conv2d(2, 2, 3)"], [2, 9, 9], "eval", 2),  # unbatched
    (["nn.Dropout(0.5)", "nn.Conv1d(2, 2, 3)"], [1, 2, 12], "eval", 1),
    (["nn.Conv2d(2, 2, 3)", "nn.Conv2d(2, 2, 3, stride=2)"], [1, 2, 16, 16], "eval", 2),
    (["nn.Conv2d(2, 2, 3, padding=1)", "nn.AvgPool2d(2)"], [1, 2, 12, 12], "eval", 2),
    (["nn.Conv2d(2, 2, 3, dilation=2)", "nn.AvgPool2d(3, stride=2, padding=1)"], [1, 2, 16, 16],
     "eval", 2),
    (["nn.Softmax(dim=-1)"], [1, 2, 9, 9], "eval", 2),
    (["nn.Softmax(dim=2)"], [1, 2, 9, 9], "eval", 2),
    (["nn.Softmax(dim=1)"], [1, 2, 9, 9], "eval", 2),
    (["nn.Softmax()"], [1, 2, 9, 9], "eval", 2),
    (["nn.Conv2d(2, 2, 3)", "nn.Softmax(dim=-1)"], [1, 2, 16, 16], "eval", 2),
    (["nn.Conv2d(2, 2, 3)", "nn.Softmax(dim=-1)", "nn.Conv2d(2, 2, 3)"], [1, 2, 16, 16], "eval", 2),
    (["nn.Conv2d(2, 2, 3, stride=2)", "nn.Softmax(dim=-2)", "nn.AvgPool2d(2)"], [1, 2, 17, 17],
     "eval", 2),
    (["nn.Conv1d(2, 2, 3)", "nn.Softmax(dim=-1)"], [1, 2, 15], "eval", 1),
    (["nn.Conv2d(2, 2, 3)", "nn.Linear(14, 5)"], [1, 2, 16, 16], "eval", 2),
    (["nn.Conv1d(2, 2, 3)", "nn.Linear(10, 4)"], [1, 2, 12], "eval", 1),
    (["nn.Conv2d(2, 3, 3)", "nn.BatchNorm2d(3)"], [2, 2, 10, 10], "eval", 2),
    (["nn.Conv2d(2, 3, 3)", "nn.BatchNorm2d(3)"], [2, 2, 10, 10], "train", 2),
    (["nn.Conv2d(2, 3, 3)", "nn.BatchNorm2d(3, track_running_stats=False)"], [2, 2, 10, 10],
     "eval", 2),
    (["nn.Conv1d(2, 3, 3)", "nn.BatchNorm1d(3)"], [2, 2, 12], "train", 1),
    (["nn.Conv2d(2, 2, 3)", "nn.AdaptiveAvgPool2d(1)"], [1, 2, 11, 11], "eval", 2),
    (["nn.Conv2d(2, 2, 3)", "nn.AdaptiveAvgPool2d((3, 4))"], [1, 2, 11, 13], "eval", 2),
    (["nn.Upsample(scale_factor=0.25, mode='area')"], [1, 2, 8, 8], "eval", 2),
    (["nn.Conv2d(2, 2, 3)", "nn.Upsample(size=(3, 4), mode='area')"], [1, 2, 12, 14], "eval", 2),
    (["nn.Upsample(scale_factor=2, mode='nearest')", "nn.Conv2d(2, 2, 3)"], [1, 2, 6, 6], "eval", 2),
    (["nn.ZeroPad2d((1, 2, 0, 3))", "nn.Conv2d(2, 2, 3)"], [1, 2, 9, 9], "eval", 2),
    (["nn.ConvTranspose2d(2, 2, 3, stride=2)", "nn.Conv2d(2, 2, 3)"], [1, 2, 6, 6], "eval", 2),
]


def spans(grad):
    nz = (grad.abs() > 0).nonzero()
    return [[int(nz[:, d].min()), int(nz[:, d].max())] for d in range(grad.dim())]


def field(model, x, index):
    x = x.detach().clone().requires_grad_(True)
    y = model(x)
    if tuple(index) >= tuple(y.shape):
        return None
    y[tuple(index)].backward()
    return spans(x.grad)


def main():
    torch.manual_seed(0)
    out = []
    for layers, shape, mode, spatial in CASES:
        model = nn.Sequential(*[eval(e, {"nn": nn}) for e in layers])
        with torch.no_grad():
            for p in model.parameters():
                p.fill_(0.1)
        model.train(mode == "train")
        x = torch.rand(shape) + 0.5
        with torch.no_grad():
            y = model(x)
        first = field(model, x, [0] * y.dim())
        case = {"layers": layers, "input": shape, "mode": mode, "spatial": spatial,
                "spans": first}
        if all(s > 1 for s in y.shape[y.dim() - spatial:]):
            nxt = [0] * (y.dim() - spatial) + [1] * spatial
            case["spans_next"] = field(model, x, nxt)
        out.append(case)
    with open(OUT, "w") as f:
        f.write('{"torch_version": %s, "cases": [\n' % json.dumps(torch.__version__))
        f.write(",\n".join(json.dumps(c) for c in out))
        f.write("\n]}\n")
    print("%d cases -> %s" % (len(out), OUT))


if __name__ == "__main__":
    main()
