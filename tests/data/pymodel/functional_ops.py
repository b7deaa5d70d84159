# cnnshape: --input 2x3x16x16
"""Tensor methods and functions forward() code uses: clamp in its spellings, sigmoid/relu as
methods, a number minus a tensor, x ** 2, repeat, t(), split, unbind, F.gelu/silu/hardswish,
F.layer_norm, F.batch_norm with the module's buffers, F.conv2d and F.linear with its own
Parameters, einsum, @, softmax(-1); a module called twice (its weights shared), Sequential
slices and indices in forward() and in __init__, and ModuleDict iteration."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Gate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.proj = nn.Conv2d(c, c, 1)

    def forward(self, x):
        g = self.proj(x).sigmoid()
        return x * g + (1 - g) * x.relu()


class Net(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        trunk = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
        )
        self.stem = trunk[:3]          # a slice keeps the original indices: stem.0, stem.1
        self.body = trunk[3:]
        self.gate = Gate(8)
        self.mix = nn.Conv2d(8, 8, 3, padding=1)    # called twice: one set of weights
        self.norm = nn.BatchNorm2d(8)               # called twice as well
        self.w = nn.Parameter(torch.randn(16, 8, 3, 3) * 0.1)
        self.b = nn.Parameter(torch.zeros(16))
        self.register_buffer("mean", torch.zeros(16))
        self.register_buffer("var", torch.ones(16))
        self.bn_w = nn.Parameter(torch.ones(16))
        self.bn_b = nn.Parameter(torch.zeros(16))
        self.ln_w = nn.Parameter(torch.ones(16))
        self.ln_b = nn.Parameter(torch.zeros(16))
        self.fc_w = nn.Parameter(torch.randn(num_classes, 32) * 0.05)
        self.heads = nn.ModuleDict({"cls": nn.Linear(16, num_classes), "aux": nn.Linear(16, 2)})
        self.blocks = nn.Sequential(nn.Linear(16, 16), nn.GELU(), nn.Linear(16, 16), nn.SiLU())

    def forward(self, x):
        x = self.body(self.stem(x))
        x = self.gate(x).clamp(min=0)
        x = self.norm(self.mix(x))
        x = F.hardswish(self.norm(self.mix(x))) + x.clamp(-1.0, 1.0) + x.clip(max=6)
        x = x.clamp_min(0.5) * 2 - x / 2 + x ** 2
        x = F.conv2d(x, self.w, self.b, stride=2, padding=1)
        x = F.batch_norm(x, self.mean, self.var, self.bn_w, self.bn_b, self.training, 0.1, 1e-5)
        x = F.silu(x)
        t = x.flatten(2).transpose(-2, -1)                    # 2, 64, 16
        t = F.layer_norm(t, (16,), self.ln_w, self.ln_b)
        t = F.layer_norm(t, t.shape[-1:])
        attn = (t @ t.transpose(-2, -1) / 4).softmax(-1)      # 2, 64, 64
        t = torch.einsum("bij,bjc->bic", attn, t)
        t = self.blocks[:2](t) + self.blocks[-2](t)
        t = F.gelu(self.blocks[3](t))
        pooled = t.mean(1)                                    # 2, 16
        a, b = pooled.split(8, dim=1)
        first, second = pooled.unbind(0)
        both = torch.cat([a, b.contiguous().float()], 1).repeat(1, 2)   # 2, 32
        logits = F.linear(both, self.fc_w)
        outs = [logits]
        for k in self.heads:
            outs.append(self.heads[k](pooled))
        for name, head in self.heads.items():
            outs.append(torch.sigmoid(head(pooled.type_as(x))))
        gram = pooled.t() @ pooled                            # 16, 16
        return outs + [gram + first.unsqueeze(0) * second.unsqueeze(1), torch.tanh(logits)]
