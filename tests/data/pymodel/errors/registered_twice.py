import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 3))
        # the same layers again under another name
        self.stem = self.features[:2]

    def forward(self, x):
        return self.features(x)
