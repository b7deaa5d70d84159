# cnnshape: --input 2x3x16x16
"""A model that is an nn.Sequential subclass (no forward of its own), its layers from a helper
and a list built in a loop, one named by add_module."""
import torch.nn as nn


def block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]


class Net(nn.Sequential):
    def __init__(self, widths=(8, 16), classes=4):
        layers = []
        cin = 3
        for w in widths:
            layers += block(cin, w)
            layers.append(nn.MaxPool2d(2))
            cin = w
        super().__init__(*layers)
        self.add_module("pool", nn.AdaptiveAvgPool2d(1))
        self.add_module("flat", nn.Flatten())
        self.add_module("fc", nn.Linear(cin, classes))
