import torch
import torch.nn as nn

C = 16
k = 3
cfg = (2, 2)
C2 = C * 2
hidden: int = 64
mode = 'bilinear'
scale = 2
batch, channels = 2, 3


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        width = C2 + 8
        self.width = width
        self.body = nn.Sequential(
            nn.Conv2d(channels, C, k, padding=k // 2),
            nn.MaxPool2d(cfg),
            nn.Upsample(scale_factor=scale, mode=mode),
            nn.Conv2d(C, self.width, kernel_size=k),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(width, hidden),
        )

    def forward(self, x):
        return self.body(x)


model = Net()
x = torch.randn(batch, channels, 32, 32)
print(model(x).shape)
