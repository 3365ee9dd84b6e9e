"""Layers: PyTorch's verdict on 2000 random one-layer settings (tests/data, generated with
torch 2.13 by tests/data/make_torch_cases.py), plus parameters, buffers, MACs and the
messages of impossible settings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from convviz import SpecError
from convviz.arithmetic.summary import summarize
from tests import reference as ref

CASES = Path(__file__).with_name("data") / "torch_layer_cases.json"


def one(layer: dict, shape: list[int]):  # noqa: ANN201
    return summarize({"input": shape, "layers": [layer]}).layers[0]


@pytest.mark.skipif(not CASES.exists(), reason="tests/data/torch_layer_cases.json not generated")
def test_engine_agrees_with_pytorch_on_every_recorded_case() -> None:
    data = json.loads(CASES.read_text())
    cases = data["cases"]
    assert len(cases) >= 1000
    rejected = 0
    for case in cases:
        spec = {"input": case["input"], "layers": [case["layer"]]}
        if "error" in case:
            rejected += 1
            with pytest.raises(SpecError) as info:
                summarize(spec)
            assert info.value.path == "layers.0", case
        else:
            assert list(summarize(spec).output_shape) == case["output_shape"], case
    assert 0 < rejected < len(cases)


def test_conv_params_and_macs_count_what_the_reference_multiplies() -> None:
    """Count the multiplications of the reference loop by running it on an instrumented
    weight (an object array that counts products)."""
    row = one({"type": "Conv2d", "out_channels": 4, "kernel_size": [3, 2], "stride": 2,
               "padding": 1, "groups": 2}, [6, 7, 5])
    weight = np.ones((4, 3, 3, 2))
    assert row.params == weight.size + 4
    counter = {"n": 0}

    class Count(float):
        def __mul__(self, other: object) -> float:
            counter["n"] += 1
            return float(self) * float(other)  # type: ignore[arg-type]

    w = np.empty((4, 3, 3, 2), dtype=object)
    w[...] = Count(1.0)
    y = ref.conv2d(np.ones((6, 7, 5)), w, stride=(2, 2), padding=(1, 1, 1, 1), groups=2)
    assert y.shape == row.output_shape
    assert counter["n"] == row.macs


def test_transposed_conv_macs_are_counted_from_the_input() -> None:
    row = one({"type": "ConvTranspose2d", "out_channels": 6, "kernel_size": 3, "stride": 2,
               "groups": 3, "bias": False}, [3, 4, 5])
    # scatter loop: every input cell (3*4*5) times Cout/groups (2) times the kernel (9)
    assert row.macs == 3 * 4 * 5 * 2 * 9
    assert row.params == 3 * 2 * 9


def test_batchnorm_parameters_and_buffers() -> None:
    row = one({"type": "BatchNorm2d"}, [16, 4, 4])
    assert (row.params, row.buffers) == (32, 33)  # weight, bias; mean, var, num_batches_tracked
    row = one({"type": "BatchNorm2d", "affine": False, "track_running_stats": False}, [16, 4, 4])
    assert (row.params, row.buffers) == (0, 0)


def test_linear_flatten_and_elementwise_layers() -> None:
    s = summarize({"input": [4, 3, 5], "layers": [
        {"type": "Linear", "out_features": 7},          # acts on the last axis
        {"type": "LeakyReLU", "negative_slope": 0.2}, {"type": "Sigmoid"}, {"type": "Tanh"},
        {"type": "Dropout2d"}, {"type": "Flatten", "start_dim": 2}, {"type": "Softmax", "dim": -1},
        {"type": "Flatten"}, {"type": "Dropout", "p": 0.1}, {"type": "Identity"},
        {"type": "Linear", "in_features": 84, "out_features": 10, "bias": False},
    ]})
    shapes = [row.output_shape for row in s.layers]
    assert shapes[0] == (4, 3, 7) and s.layers[0].macs == 4 * 3 * 5 * 7
    assert shapes[5] == (4, 21) and shapes[7] == (84,) and shapes[-1] == (10,)
    assert s.layers[-1].params == 840 and s.layers[0].params == 5 * 7 + 7


def test_adaptive_pooling_with_a_none_side() -> None:
    assert one({"type": "AdaptiveAvgPool2d", "output_size": [None, 3]}, [2, 9, 7]).output_shape == (2, 9, 3)
    assert one({"type": "AdaptiveMaxPool2d", "output_size": 5}, [2, 3, 3]).output_shape == (2, 5, 5)


def test_padding_same_valid_and_modes() -> None:
    row = one({"type": "Conv2d", "out_channels": 2, "kernel_size": 4, "dilation": 2,
               "padding": "same", "padding_mode": "reflect"}, [1, 10, 9])
    assert row.output_shape == (2, 10, 9)
    row = one({"type": "Conv2d", "out_channels": 2, "kernel_size": 4, "padding": "same"}, [1, 10, 9])
    assert any("1 + 2" in str(n) for n in row.warnings)  # the odd padding cell goes after
    assert one({"type": "Conv2d", "out_channels": 2, "kernel_size": 3, "padding": "valid"},
               [1, 10, 9]).output_shape == (2, 8, 7)
    assert one({"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "padding": 3,
                "padding_mode": "circular"}, [1, 3, 3]).output_shape == (1, 7, 7)


@pytest.mark.parametrize(("layer", "shape", "words"), [
    ({"type": "Conv2d", "out_channels": 2, "kernel_size": 6}, [1, 5, 9],
     ["layers.0", "height", "kernel 6 does not fit in the padded input 5"]),
    ({"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "groups": 4}, [6, 9, 9],
     ["layers.0", "in_channels 6 is not divisible by groups 4"]),
    ({"type": "Conv2d", "out_channels": 6, "kernel_size": 3, "groups": 4}, [8, 9, 9],
     ["out_channels 6 is not divisible by groups 4"]),
    ({"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "output_padding": 2},
     [1, 4, 4], ["output_padding must be smaller than stride or dilation"]),
    ({"type": "MaxPool2d", "kernel_size": 4, "padding": 3}, [1, 9, 9],
     ["padding 3 is more than half the pooling window 4"]),
    ({"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "padding": "same"},
     [1, 9, 9], ["padding='same' only works with stride 1"]),
    ({"type": "Conv2d", "in_channels": 4, "out_channels": 1, "kernel_size": 3}, [3, 9, 9],
     ["in_channels is 4, but the previous layer gives 3"]),
    ({"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "padding": 3, "padding_mode": "reflect"},
     [1, 3, 9], ["reflect", "padding 3, input 3"]),
    ({"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 2, "padding": 3}, [1, 3, 3],
     ["the output would have -2 cells"]),
    ({"type": "AvgPool2d", "kernel_size": 2, "divisor_override": 0}, [1, 4, 4], ["divisor_override"]),
    ({"type": "Dropout", "p": 1.5}, [1, 4, 4], ["between 0 and 1"]),
    ({"type": "Flatten", "start_dim": 0}, [1, 4, 4], ["batch axis"]),
    ({"type": "Softmax", "dim": 4}, [1, 4, 4], ["dim 4 is out of range"]),
    ({"type": "BatchNorm2d", "num_features": 3}, [2, 4, 4], ["num_features is 3"]),
    ({"type": "Conv2d", "out_channels": 1, "kernel_size": 3}, [12], ["(C, H, W)", "(12,)"]),
])
def test_impossible_layers_name_the_path_and_the_arithmetic(layer: dict, shape: list[int], words: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        one(layer, shape)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert str(info.value).startswith("layers.0: ")
    spanish = info.value.localized("es")
    assert spanish.startswith("layers.0: ") and spanish != str(info.value)


@pytest.mark.parametrize(("layer", "words"), [
    ({"type": "Conv2D", "out_channels": 2, "kernel_size": 3}, ["unknown layer type 'Conv2D'", "did you mean 'Conv2d'"]),
    ({"type": "Conv2d", "out_channels": 2, "kernal_size": 3}, ["no argument 'kernal_size'", "did you mean 'kernel_size'"]),
    ({"type": "Conv2d", "out_channels": 2}, ["needs the argument 'kernel_size'"]),
    ({"type": "Conv2d", "out_channels": 2, "kernel_size": "3"}, ["kernel_size of Conv2d must be", "'3'"]),
    ({"type": "Conv2d", "out_channels": 2, "kernel_size": [3, 3, 3]}, ["[h, w] pair"]),
    ({"type": "Conv2d", "out_channels": 2, "kernel_size": 3, "bias": 1}, ["true or false"]),
    ({"type": "Conv2d", "out_channels": 2, "kernel_size": 3, "padding": "full"}, ["'same' or 'valid'"]),
    ({"type": "Conv2d", "out_channels": 2, "kernel_size": 3, "padding_mode": "wrap"}, ["zeros, reflect"]),
    ({"type": "Conv2d", "out_channels": 0, "kernel_size": 3}, ["out_channels must be at least 1"]),
    ({"type": "MaxPool2d", "kernel_size": 2, "padding": -1}, ["padding must be 0 or more"]),
    ({"type": "AdaptiveAvgPool2d", "output_size": [2, "x"]}, ["null keeps that side"]),
])
def test_spec_errors_explain_what_is_wrong(layer: dict, words: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        one(layer, [3, 8, 8])
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert info.value.path == "layers.0"
