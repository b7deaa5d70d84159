# cnnshape: --input 2x1x28x28
"""A convolutional autoencoder returning (reconstruction, code): ConvTranspose2d, Sigmoid,
view with a computed size, and a tuple return."""
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, code_size):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(True),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(True),
        )
        self.fc = nn.Linear(32 * 7 * 7, code_size)

    def forward(self, x):
        x = self.net(x)
        return self.fc(x.view(x.size(0), -1))


class Decoder(nn.Module):
    def __init__(self, code_size):
        super().__init__()
        self.fc = nn.Linear(code_size, 32 * 7 * 7)
        self.net = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(True),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )

    def forward(self, z):
        x = self.fc(z).view(-1, 32, 7, 7)
        return self.net(x)


class AutoEncoder(nn.Module):
    def __init__(self, code_size=10):
        super(AutoEncoder, self).__init__()
        self.encoder = Encoder(code_size)
        self.decoder = Decoder(code_size)

    def forward(self, x):
        z = self.encoder(x)
        return self.decoder(z), z
