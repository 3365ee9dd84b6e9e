"""A small numpy CNN: layers with forward/backward passes, optimisers, Sequential models
saved as ``.npz`` (no pickle), and a trainer with callbacks and early stopping.

    from convviz.nn import build_model, Trainer, TrainConfig, History
"""

from __future__ import annotations

from convviz.nn.layers import (
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Flatten,
    Layer,
    Linear,
    MaxPool2d,
    ReLU,
    Softmax,
    softmax,
    softmax_cross_entropy,
)
from convviz.nn.model import Sequential, build_model, images_to_input
from convviz.nn.optim import SGD, Adam, make_optimizer
from convviz.nn.train import History, TrainConfig, Trainer, evaluate

__all__ = [
    "SGD",
    "Adam",
    "AvgPool2d",
    "BatchNorm2d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "History",
    "Layer",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Sequential",
    "Softmax",
    "TrainConfig",
    "Trainer",
    "build_model",
    "evaluate",
    "images_to_input",
    "make_optimizer",
    "softmax",
    "softmax_cross_entropy",
]
