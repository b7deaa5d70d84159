# cnnshape: --input 8x20
"""An MLP from a list of sizes: a ModuleList built with a comprehension over zip, iterated in
forward with enumerate, the last layer without activation; dropout through F.dropout."""
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, sizes=(20, 64, 32, 5), p=0.1, act=nn.ReLU):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
        self.act = act()
        self.p = p

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.dropout(self.act(x), self.p, training=self.training)
        return x
