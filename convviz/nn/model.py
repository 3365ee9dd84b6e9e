"""A Sequential model of numpy layers: forward, backward, prediction, save and load.

A model file is a ``.npz`` holding every parameter and buffer as float32 arrays named
``layers.<i>.<name>`` plus two JSON strings: ``__architecture__`` (the layer configs, the
input shape, the name and whether inputs are deskewed: enough to rebuild the model) and
``__spec__`` (the network in the engine's spec format). It is loaded with
``allow_pickle=False``: no code runs on load.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from convviz.nn.blas import limit_blas_threads
from convviz.nn.layers import (
    DTYPE,
    BatchNorm2d,
    Conv2d,
    Dropout,
    Layer,
    Linear,
    layer_from_config,
    softmax,
)

FORMAT_VERSION = 1


def images_to_input(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, 28, 28) or (28, 28) in 0..255 -> float32 (N, 1, 28, 28) in 0..1."""
    arr = np.asarray(images)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 3:
        arr = arr[:, None]
    if arr.ndim != 4:
        raise ValueError(f"expected images of shape (N, H, W), got {np.shape(images)}")
    return arr.astype(DTYPE) / DTYPE(255.0)


class Sequential:
    """Layers applied one after the other; the last one outputs the class scores (logits)."""

    def __init__(
        self,
        layers: list[Layer],
        input_shape: tuple[int, int, int] = (1, 28, 28),
        name: str = "digit_cnn",
        deskew: bool = False,
    ) -> None:
        self.layers = list(layers)
        self.input_shape = tuple(int(v) for v in input_shape)
        self.name = name
        self.deskew = bool(deskew)  # straighten every image first (convviz.digits.deskew)
        self.meta: dict[str, Any] = {}
        self.lock = threading.RLock()
        limit_blas_threads()  # small matrices: one BLAS thread is faster on a shared machine
        if self.layers:
            self.layers[0].need_input_grad = False
        self.output_shapes()  # validates the chain of shapes

    # -- computation -------------------------------------------------------
    def prepare(self, images: np.ndarray) -> np.ndarray:
        """uint8 images (N, H, W) or (H, W) as the first layer sees them: deskewed when the
        model was trained on deskewed digits, else unchanged."""
        if not self.deskew:
            return np.asarray(images)
        from convviz.digits.deskew import deskew  # scipy.ndimage: only for a model that deskews

        return deskew(images)

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, dlogits: np.ndarray, input_grad: bool = False) -> np.ndarray | None:
        """Back-propagate; fills every layer's ``grads``. Returns dL/dx when ``input_grad``."""
        first = self.layers[0]
        first.need_input_grad = input_grad
        try:
            d: np.ndarray | None = np.asarray(dlogits, dtype=self.layers[-1].dtype)
            for layer in reversed(self.layers):
                d = layer.backward(d)
        finally:
            first.need_input_grad = False
        return d

    def params(self) -> dict[str, np.ndarray]:
        """Every learnable array by name (``layers.<i>.<weight|bias>``); updated in place."""
        return {f"layers.{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}

    def grads(self) -> dict[str, np.ndarray]:
        """The gradients of the last backward pass, same keys as :meth:`params`."""
        return {f"layers.{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()}

    def buffers(self) -> dict[str, np.ndarray]:
        return {f"layers.{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.buffers.items()}

    def state(self) -> dict[str, np.ndarray]:
        """A copy of every parameter and buffer (for early stopping)."""
        return {k: v.copy() for k, v in {**self.params(), **self.buffers()}.items()}

    def load_state(self, state: dict[str, np.ndarray]) -> None:
        current = {**self.params(), **self.buffers()}
        missing = set(current) - set(state)
        if missing:
            raise ValueError(f"missing arrays in the model file: {sorted(missing)[:3]}")
        for k, v in current.items():
            if state[k].shape != v.shape:
                raise ValueError(f"{k}: shape {state[k].shape} does not match {v.shape}")
            v[...] = state[k]

    def n_params(self) -> int:
        return int(sum(v.size for v in self.params().values()))

    def logits(self, images: np.ndarray, batch_size: int = 128) -> np.ndarray:
        x = images_to_input(self.prepare(images))
        with self.lock:
            out = [self.forward(x[i : i + batch_size], train=False) for i in range(0, len(x), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, self.output_shapes()[-1][0]), DTYPE)

    def predict_proba(self, images: np.ndarray, batch_size: int = 128) -> np.ndarray:
        """Class probabilities (N, 10) of uint8 MNIST-style images (N, 28, 28)."""
        return softmax(self.logits(images, batch_size).astype(np.float64))

    def predict(self, images: np.ndarray) -> np.ndarray:
        return self.predict_proba(images).argmax(axis=1)

    def activations(self, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Every layer's output for one uint8 image: [(\"0 Conv2d\", array (C, H, W) or (F,)), ...]."""
        x = images_to_input(self.prepare(image))[:1]
        out = []
        with self.lock:
            for i, layer in enumerate(self.layers):
                x = layer.forward(x, train=False)
                out.append((f"{i} {layer.type_name}", x[0].copy()))
        return out

    def input_gradient(self, image: np.ndarray, target: int | None = None) -> tuple[int, np.ndarray]:
        """d(score of ``target``)/d(input pixels) for one image (the saliency map).

        ``target`` defaults to the predicted class. Returns (target, gradient (H, W)).
        The gradient is with respect to the network input x = pixel / 255 (of the deskewed
        image when the model deskews: see :meth:`prepare`).
        """
        x = images_to_input(self.prepare(image))[:1]
        with self.lock:
            logits = self.forward(x, train=False)
            cls = int(logits[0].argmax()) if target is None else int(target)
            d = np.zeros_like(logits)
            d[0, cls] = 1.0
            grad = self.backward(d, input_grad=True)
        assert grad is not None
        return cls, np.ascontiguousarray(grad[0, 0])

    # -- description ------------------------------------------------------
    def output_shapes(self) -> list[tuple[int, ...]]:
        shape: tuple[int, ...] = self.input_shape
        shapes = []
        for i, layer in enumerate(self.layers):
            try:
                shape = layer.output_shape(shape)
            except ValueError as exc:
                raise ValueError(f"layers.{i}: {exc}") from exc
            if min(shape) < 1:
                raise ValueError(f"layers.{i} ({layer.type_name}): the output would be empty {shape}")
            shapes.append(shape)
        return shapes

    def architecture(self) -> dict[str, Any]:
        arch: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "name": self.name,
            "input": list(self.input_shape),
            "layers": [layer.config() for layer in self.layers],
        }
        if self.deskew:  # only then: older files and their content keys stay as they were
            arch["deskew"] = True
        return arch

    def to_spec(self) -> dict[str, Any]:
        """The network in the engine's spec format (PyTorch layer and argument names)."""
        return {"name": self.name, "input": list(self.input_shape), "layers": [layer.spec() for layer in self.layers]}

    def __repr__(self) -> str:
        inner = "\n".join(f"  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n{inner}\n)"

    # -- files ------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write parameters, buffers, architecture and spec into a compressed ``.npz``."""
        arrays: dict[str, np.ndarray] = {k: np.asarray(v, DTYPE) for k, v in self.state().items()}
        arrays["__architecture__"] = np.array(json.dumps(self.architecture()))
        arrays["__spec__"] = np.array(json.dumps(self.to_spec()))
        arrays["__meta__"] = np.array(json.dumps(self.meta))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:  # a file object keeps numpy from appending ".npz"
            np.savez_compressed(fh, **arrays)
        os.replace(tmp, path)  # readers never see a half-written file

    @classmethod
    def load(cls, path: str | Path) -> Sequential:
        """Rebuild a model saved with :meth:`save` (never unpickles anything)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                files = dict(data.items())
        except (OSError, ValueError, EOFError) as exc:
            raise ValueError(f"{path}: not a ConvViz model file ({exc})") from exc
        if "__architecture__" not in files:
            raise ValueError(f"{path}: not a ConvViz model file (no architecture)")
        arch = json.loads(str(files.pop("__architecture__")))
        files.pop("__spec__", None)
        meta = json.loads(str(files.pop("__meta__", "{}")))
        model = cls.from_architecture(arch)
        model.load_state(files)
        model.meta = meta
        return model

    @classmethod
    def from_architecture(cls, arch: dict[str, Any], seed: int = 0) -> Sequential:
        rng = np.random.default_rng(seed)
        layers = [layer_from_config(cfg, rng) for cfg in arch["layers"]]
        return cls(layers, tuple(arch["input"]), arch.get("name", "model"), bool(arch.get("deskew", False)))


Stage = tuple[int, int, int]
"""One convolution stage: (output channels, kernel size, padding); ReLU and 2x2 max-pool follow."""

SIZES: dict[str, tuple[tuple[Stage, ...], int]] = {
    # (convolution stages, hidden units)
    "small": (((8, 5, 2), (16, 5, 0)), 64),
    "medium": (((16, 5, 2), (32, 5, 0)), 128),
    "wide": (((24, 5, 2), (48, 5, 0)), 128),
    "large": (((32, 5, 2), (64, 5, 0)), 256),
    "deep": (((32, 5, 2), (64, 3, 1), (96, 3, 1)), 128),
}


def build_model(
    size: str = "medium",
    batchnorm: bool = False,
    dropout: float = 0.0,
    seed: int = 0,
    init_scale: float = 1.0,
    deskew: bool = False,
) -> Sequential:
    """The digit CNN: conv + ReLU + 2x2 max-pool per stage, then Linear + ReLU (+ dropout), Linear 10.

    Every size but ``"deep"`` has two 5x5 stages (``"medium"``: 16 and 32 filters, 128
    hidden units; ``"wide"``: 24 and 48); ``"deep"`` has three (32 5x5, 64 3x3, 96 3x3).
    Weights are He-normal times ``init_scale``; the last layer is Glorot-uniform times
    ``init_scale``. Everything is seeded by ``seed``. ``deskew``: the model straightens
    every input first (:meth:`Sequential.prepare`).
    """
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(SIZES)}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError("dropout must be in [0, 1)")
    if init_scale <= 0:
        raise ValueError("init_scale must be positive")
    stages, hidden = SIZES[size]
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    channels = 1
    for out, kernel, padding in stages:
        layers.append(Conv2d(channels, out, kernel, padding=padding, rng=rng, init_scale=init_scale))
        if batchnorm:
            layers.append(BatchNorm2d(out))
        layers += [layer_from_config({"type": "ReLU"}), layer_from_config({"type": "MaxPool2d", "kernel_size": 2})]
        channels = out
    shape: tuple[int, ...] = (1, 28, 28)
    for layer in layers:  # each layer's own output-size formula (convviz.arithmetic.sizes)
        shape = layer.output_shape(shape)
    layers += [
        layer_from_config({"type": "Flatten"}),
        Linear(int(np.prod(shape)), hidden, rng=rng, init_scale=init_scale),
        layer_from_config({"type": "ReLU"}),
    ]
    if dropout > 0:
        layers.append(Dropout(dropout, rng=np.random.default_rng(seed + 1)))
    layers.append(Linear(hidden, 10, rng=rng, init_scale=init_scale, init="glorot"))
    return Sequential(layers, (1, 28, 28), "digit_cnn", deskew)
