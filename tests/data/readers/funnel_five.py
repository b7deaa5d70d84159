import torch
import torch.nn as nn

layers_with_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_with_pooling(example).shape

layers_with_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_with_pooling(example).shape

layers_no_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    #nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    #nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_no_pooling(example).shape

layers_with_pooling = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3),
    nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_with_pooling(example).shape

layers_no_pooling_2 = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=3, stride=2),
    #nn.MaxPool2d(kernel_size=2, stride=2),
    nn.Conv2d(8, 16, kernel_size=3, stride=2),
    #nn.MaxPool2d(kernel_size=2, stride=2),
)

example = torch.rand(3, 110, 110)
layers_no_pooling_2(example).shape
