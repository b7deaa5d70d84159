import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        # control flow on the data's values: refused
        if x.sum() > 0:
            x = self.fc(x)
        return x
