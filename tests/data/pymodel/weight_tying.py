# cnnshape: --input 2x3x12x12
"""Weight tying and functional calls with another module's weights (self.fc.weight)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.conv = nn.Conv2d(16, 16, 3, padding=1)
        self.bn = nn.BatchNorm2d(16)
        self.plain = nn.BatchNorm2d(16, affine=False)
        self.ln = nn.LayerNorm(16)
        self.fc = nn.Linear(16, num_classes)
        self.proj = nn.Linear(16, 16, bias=False)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(self.stem(x))))
        # the same convolution's weights again, through F.conv2d, with a stride
        x = F.conv2d(x, self.conv.weight, self.conv.bias, stride=2, padding=1)
        x = F.batch_norm(x, self.bn.running_mean, self.bn.running_var, self.bn.weight,
                         self.bn.bias, False, 0.1, self.bn.eps)
        x = self.plain(x)
        assert self.plain.weight is None
        x = x.mean((2, 3))
        x = self.ln(x)
        x = F.layer_norm(x, (16,), self.ln.weight, self.ln.bias)
        h = self.proj(x)
        h = F.linear(h, self.proj.weight, self.proj.bias)
        return self.fc(h) + F.linear(h, self.fc.weight, self.fc.bias)
