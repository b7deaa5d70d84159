# cnnshape: --input 1x3x20x20
"""Modules built in another order than they are registered: the downsample branch is built
before the block that holds it (as torchvision's _make_layer does), the head before the stem.
PyTorch draws each module's weights when it is built, so `run --seed` follows the building
order, not the state_dict's."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        skip = x if self.downsample is None else self.downsample(x)
        return F.relu(out + skip)


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        head = nn.Linear(16, num_classes)
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        down = nn.Sequential(nn.Conv2d(8, 16, 1, stride=2, bias=False), nn.BatchNorm2d(16))
        self.layer1 = nn.Sequential(Block(8, 16, 2, down), Block(16, 16))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = head

    def forward(self, x):
        x = self.layer1(F.relu(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))
