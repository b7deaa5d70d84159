import torch
import torch.nn as nn

# Two networks and no model class around them: cnnshape does not guess which one is meant.
features = nn.Sequential(
    nn.Conv2d(3, 16, 3),
    nn.BatchNorm2d(16),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3),
    nn.BatchNorm2d(32),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
)
classifier = nn.Sequential(
    nn.Flatten(),
    nn.Linear(32, 10),
)

x = torch.randn(1, 3, 32, 32)
print(classifier(features(x)).shape)
