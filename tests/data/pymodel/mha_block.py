# cnnshape: --input 2x10x32
"""A pre-norm transformer encoder on a sequence, with nn.MultiheadAttention(batch_first=True)
returning (output, weights), its weights discarded; a learned position embedding."""
import torch
import torch.nn as nn


class EncoderBlock(nn.Module):
    def __init__(self, dim, heads, ratio=2):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * ratio), nn.GELU(), nn.Linear(dim * ratio, dim))

    def forward(self, x):
        h = self.ln1(x)
        a, _ = self.attn(h, h, h, need_weights=False)
        x = x + a
        return x + self.mlp(self.ln2(x))


class SeqModel(nn.Module):
    def __init__(self, dim=32, depth=2, heads=4, length=10, classes=3):
        super().__init__()
        self.pos = nn.Parameter(torch.zeros(1, length, dim))
        self.blocks = nn.Sequential(*[EncoderBlock(dim, heads) for _ in range(depth)])
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.blocks(x + self.pos)
        return self.head(x.mean(dim=1))
