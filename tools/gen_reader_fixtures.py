#!/usr/bin/env python3
"""Generate tests/data/readers/: pasted texts holding several networks, names or hidden arguments,
with what PyTorch computes for them (expected.json).

Each fixture is Python source (or the print(model) text of a network that source builds). The
source is written to the fixture file and executed here, so the text cnnshape reads and the
modules PyTorch runs cannot disagree. For every network a test plans (chosen with --model), the
record holds the input shape, PyTorch's output shape and sum(p.numel() for p in parameters()).

print_hidden.txt is the print(model) text of a network built with arguments its repr does not
show (AvgPool2d(ceil_mode=True, ...)). Two modules print that same text (checked here): the real
one, and the one with those arguments at their defaults, which is what cnnshape plans (and says
so). Both results are recorded.

Regenerate from the repository root (needs PyTorch, which only /usr/bin/python3 has here):

    /usr/bin/python3 tools/gen_reader_fixtures.py
"""

import json
import os

import torch
import torch.nn as nn

OUT = "tests/data/readers"

NET_CLASS = '''import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


model = Net()
x = torch.randn(1, 3, 32, 32)
print(model(x).shape)
'''

# The code of the funnel tutorial (seed 002): five nn.Sequential, three of them the same.
WITH_POOLING = '''layers_with_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_with_pooling(example).shape
'''
FUNNEL_FIVE = (
    "import torch\nimport torch.nn as nn\n\n"
    + WITH_POOLING
    + "\n"
    + WITH_POOLING
    + '''
layers_no_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    #nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    #nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_no_pooling(example).shape

'''
    + WITH_POOLING
    + '''
layers_no_pooling_2 = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3, stride=2),
    #nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3, stride=2),
    #nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_no_pooling_2(example).shape
'''
)

VARIABLES = '''import torch
import torch.nn as nn

C = 16
k = 3
cfg = (2, 2)
C2 = C * 2
hidden: int = 64
mode = 'bilinear'
scale = 2
batch, channels = 2, 3


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        width = C2 + 8
        self.width = width
        self.body = nn.Sequential(
            nn.Conv2d(channels, C, k, padding=k // 2),
            nn.MaxPool2d(cfg),
            nn.Upsample(scale_factor=scale, mode=mode),
            nn.Conv2d(C, self.width, kernel_size=k),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(width, hidden),
        )

    def forward(self, x):
        return self.body(x)


model = Net()
x = torch.randn(batch, channels, 32, 32)
print(model(x).shape)
'''


def run(module, shape):
    module.eval()
    with torch.no_grad():
        out = module(torch.rand(*shape))
    if isinstance(out, tuple):
        out = out[0]
    return {
        "input": list(shape),
        "output": list(out.shape),
        "params": sum(p.numel() for p in module.parameters()),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    ns = {}
    exec(NET_CLASS, ns)
    m = ns["model"]
    with open(f"{OUT}/net_class.py", "w") as f:
        f.write(NET_CLASS)
    with open(f"{OUT}/net_class_print.txt", "w") as f:
        f.write(str(m) + "\n")
    nets = {
        "self.features": run(m.features, (1, 3, 32, 32)),
        "self.classifier": run(m.classifier, (1, 32, 1, 1)),
    }
    whole = run(m, (1, 3, 32, 32))
    expected["net_class.py"] = {"models": nets, "whole": whole}
    expected["net_class_print.txt"] = {
        "models": {"features": nets["self.features"], "classifier": nets["self.classifier"]},
        "whole": whole,
    }

    ns = {}
    exec(FUNNEL_FIVE, ns)
    with open(f"{OUT}/funnel_five.py", "w") as f:
        f.write(FUNNEL_FIVE)
    expected["funnel_five.py"] = {
        "models": {
            n: run(ns[n], (3, 110, 110))
            for n in ("layers_with_pooling", "layers_no_pooling", "layers_no_pooling_2")
        }
    }

    ns = {}
    exec(VARIABLES, ns)
    with open(f"{OUT}/variables.py", "w") as f:
        f.write(VARIABLES)
    expected["variables.py"] = {"models": {"self.body": run(ns["model"].body, (2, 3, 32, 32))}}

    real = nn.Sequential(
        nn.Conv2d(1, 4, 3),
        nn.AvgPool2d(3, ceil_mode=True, count_include_pad=False),
        nn.MaxPool2d(2),
        nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True),
    )
    default = nn.Sequential(
        nn.Conv2d(1, 4, 3),
        nn.AvgPool2d(3),
        nn.MaxPool2d(2),
        nn.Upsample(scale_factor=2, mode="bilinear"),
    )
    assert str(real) == str(default), "the hidden arguments show in repr"
    with open(f"{OUT}/print_hidden.txt", "w") as f:
        f.write(str(real) + "\n")
    expected["print_hidden.txt"] = {
        "real": run(real, (1, 1, 12, 12)),
        "defaults": run(default, (1, 1, 12, 12)),
        "assumed": {
            "1": ["ceil_mode", "count_include_pad", "divisor_override"],
            "2": ["return_indices"],
            "3": ["align_corners", "recompute_scale_factor"],
        },
    }

    with open(f"{OUT}/expected.json", "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    for name, e in expected.items():
        print(name, json.dumps(e))


if __name__ == "__main__":
    main()
