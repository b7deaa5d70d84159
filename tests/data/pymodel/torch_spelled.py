# cnnshape: --input 3x1x28x28
"""Fully spelled names (torch.nn.Module, torch.nn.functional), a Sequential from an
OrderedDict, a ModuleDict iterated by values(), nn.Flatten and log_softmax over dim=1."""
import collections

import torch


class Classifier(torch.nn.Module):
    def __init__(self, hidden=32, classes=10):
        super(Classifier, self).__init__()
        self.features = torch.nn.Sequential(collections.OrderedDict([
            ("conv", torch.nn.Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))),
            ("relu", torch.nn.ReLU()),
            ("pool", torch.nn.MaxPool2d(kernel_size=2, stride=2, ceil_mode=True)),
        ]))
        self.branches = torch.nn.ModuleDict({
            "a": torch.nn.Conv2d(8, 4, 1),
            "b": torch.nn.Conv2d(8, 4, 3, padding=1),
        })
        self.flatten = torch.nn.Flatten()
        self.fc = torch.nn.Linear(8 * 13 * 13, hidden)
        self.out = torch.nn.Linear(hidden, classes)

    def forward(self, x):
        x = self.features(x)
        x = torch.cat([branch(x) for branch in self.branches.values()], dim=1)
        x = torch.nn.functional.relu(self.fc(self.flatten(x)))
        x = torch.nn.functional.dropout(x, 0.25, self.training)
        return torch.nn.functional.log_softmax(self.out(x), dim=1)
