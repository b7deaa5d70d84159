import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    nn.MaxPool2d(kernal_size=2),
)

example = torch.rand(1, 3, 32, 32)
model(example).shape
