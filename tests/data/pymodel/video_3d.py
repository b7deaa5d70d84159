# cnnshape: --input 1x3x8x56x56
"""A C3D-style video net: Conv3d/BatchNorm3d blocks built from a list of (channels, pool)
pairs with zip, and a global pool with .mean over three dims."""
import torch
import torch.nn as nn


def conv_block(cin, cout, pool):
    layers = [nn.Conv3d(cin, cout, kernel_size=(3, 3, 3), padding=(1, 1, 1)),
              nn.BatchNorm3d(cout), nn.ReLU(inplace=True)]
    if pool is not None:
        layers.append(nn.MaxPool3d(kernel_size=pool, stride=pool))
    return nn.Sequential(*layers)


class C3D(nn.Module):
    widths = [16, 32, 64, 64]
    pools = [(1, 2, 2), (2, 2, 2), (2, 2, 2), None]

    def __init__(self, num_classes=5):
        super().__init__()
        blocks = []
        cin = 3
        for cout, pool in zip(self.widths, self.pools):
            blocks.append(conv_block(cin, cout, pool))
            cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.dropout = nn.Dropout(p=0.5)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        for i, block in enumerate(self.blocks):
            x = block(x)
        x = x.mean(dim=(2, 3, 4))
        return self.fc(self.dropout(x))
