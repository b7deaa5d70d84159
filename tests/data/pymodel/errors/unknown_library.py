import timm
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = timm.create_model("resnet18")

    def forward(self, x):
        return self.backbone(x)
