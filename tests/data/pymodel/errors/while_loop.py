import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        # a loop whose length depends on the data: refused
        while x.size(1) > 2:
            x = self.fc(x)
        return x
