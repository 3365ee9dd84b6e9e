"""The one numpy network of ConvViz: layers with forward/backward passes (convolutions with
stride, padding, dilation and groups, transposed convolutions, pooling, adaptive pooling,
activations, BatchNorm, dropout, Residual and Concat blocks), Sequential models saved as
``.npz`` (no pickle), optimisers, a trainer with callbacks and early stopping, and networks
built from a parsed spec (:mod:`convviz.nn.from_spec`, used by the effective receptive field).
Output sizes come from :mod:`convviz.arithmetic.sizes`; tests/reference.py checks every layer.

    from convviz.nn import build_model, Trainer, TrainConfig, History
"""

from __future__ import annotations

from convviz.nn.blocks import Concat, Residual
from convviz.nn.layers import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Dropout2d,
    Flatten,
    Identity,
    Layer,
    LeakyReLU,
    Linear,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    label_smoothing_floor,
    smoothed_targets,
    softmax,
    softmax_cross_entropy,
)
from convviz.nn.model import Sequential, build_model, images_to_input
from convviz.nn.optim import SGD, Adam, make_optimizer
from convviz.nn.train import History, TrainConfig, Trainer, evaluate

__all__ = [
    "SGD",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "Adam",
    "AvgPool2d",
    "BatchNorm2d",
    "Concat",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Dropout2d",
    "Flatten",
    "History",
    "Identity",
    "Layer",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TrainConfig",
    "Trainer",
    "build_model",
    "evaluate",
    "images_to_input",
    "make_optimizer",
    "softmax",
    "label_smoothing_floor",
    "smoothed_targets",
    "softmax_cross_entropy",
]
