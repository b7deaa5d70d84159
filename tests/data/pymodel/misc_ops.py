# cnnshape: --input 2x8x20x30
"""Forward-time Python people write: sizes unpacked from x.size(), views with them, SE gating
with expand_as, chunk and cat, interpolate to a skip's shape[-2:], torch.stack, permute,
getattr(nn, name), lambda and nested helpers, **kwargs, a conditional expression."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from functools import partial


class SELayer(nn.Module):
    def __init__(self, channel, reduction=4):
        super(SELayer, self).__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Sequential(
            nn.Linear(channel, channel // reduction, bias=False),
            nn.ReLU(inplace=True),
            nn.Linear(channel // reduction, channel, bias=False),
            nn.Sigmoid()
        )

    def forward(self, x):
        b, c, _, _ = x.size()
        y = self.avg_pool(x).view(b, c)
        y = self.fc(y).view(b, c, 1, 1)
        return x * y.expand_as(x)


class Mix(nn.Module):
    def __init__(self, channels=8, act="ReLU", **kwargs):
        super().__init__()
        norm = partial(nn.GroupNorm, 2)
        self.act = getattr(nn, act)()
        self.down = nn.Conv2d(channels, channels * 2, 3, stride=2, padding=1)
        self.norm = norm(channels * 2)
        self.se = SELayer(channels * 2, **kwargs)
        half = lambda c: c // 2
        self.fuse = nn.Conv2d(channels + half(channels * 2), channels, 1)
        self.head = nn.Linear(channels, 3) if kwargs.get("reduction", 4) > 2 else nn.Identity()

    def forward(self, x):
        skip = x
        y = self.se(self.act(self.norm(self.down(x))))
        a, b = y.chunk(2, dim=1)
        y = torch.add(a, b, alpha=0.5)
        y = F.interpolate(y, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        y = self.fuse(torch.cat([skip, y], 1))
        n, c, h, w = y.shape
        tokens = y.reshape(n, c, h * w).permute(0, 2, 1)          # n, hw, c
        pooled = torch.stack([tokens.mean(1), tokens.amax(1)], dim=0).sum(0)
        return self.head(pooled), tokens.transpose(1, 2).contiguous()
