"""Receptive fields against the support of one output unit's input gradient, found by
perturbing every input cell of the brute-force reference network (tests/reference.py).

Weights are positive and the perturbation is huge, so every input cell an output unit depends
on changes it (also through max pooling) and no other cell does. We compare units far from the
input's borders (the engine's fields are those of an infinite input, as in the literature)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from convviz import SpecError
from convviz.arithmetic.layers import conv_paddings
from convviz.arithmetic.spec import check_layer_args
from convviz.arithmetic.summary import summarize
from tests import reference as ref

BIG = 1e9


def _forward(layers: list[dict[str, Any]], x: np.ndarray, rng_seed: int) -> np.ndarray:
    """Run a spec's layers with the reference loops (positive weights, no bias)."""
    rng = np.random.default_rng(rng_seed)
    for layer in layers:
        kind = layer["type"]
        if kind == "Residual":
            body = _forward(layer["body"], x, rng_seed + 1)
            short = x if layer.get("shortcut") is None else _forward(layer["shortcut"], x, rng_seed + 2)
            x = body + short
            continue
        if kind == "Concat":
            x = np.concatenate([_forward(b, x, rng_seed + 3 + i) for i, b in enumerate(layer["branches"])])
            continue
        a = check_layer_args(kind, layer)
        if kind == "Conv2d":
            (t, b), (left, right) = conv_paddings(a)
            w = rng.uniform(0.1, 1.0, (a["out_channels"], x.shape[0], *a["kernel_size"]))
            x = ref.conv2d(x, w, stride=a["stride"], padding=(t, b, left, right), dilation=a["dilation"])
        elif kind == "ConvTranspose2d":
            w = rng.uniform(0.1, 1.0, (x.shape[0], a["out_channels"], *a["kernel_size"]))
            x = ref.conv_transpose2d(x, w, stride=a["stride"], padding=a["padding"],
                                     output_padding=a["output_padding"], dilation=a["dilation"])
        elif kind in ("MaxPool2d", "AvgPool2d"):
            x = ref.pool2d(x, "max" if kind == "MaxPool2d" else "avg", a["kernel_size"], a["stride"],
                           a["padding"], a.get("dilation", (1, 1)), a["ceil_mode"])
        elif kind == "ReLU":
            x = np.maximum(x, 0)
        else:  # pragma: no cover
            raise AssertionError(kind)
    return x


def _supports(layers: list[dict[str, Any]], shape: tuple[int, int, int]) -> tuple[np.ndarray, dict]:
    """For every output position (i, j): the input cells whose perturbation changes it."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.1, 1.0, shape)
    base = _forward(layers, x, 7)
    hits: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for r in range(shape[1]):
        for c in range(shape[2]):
            x2 = x.copy()
            x2[:, r, c] += BIG
            changed = np.any(_forward(layers, x2, 7) != base, axis=0)
            for i, j in zip(*np.nonzero(changed), strict=True):
                hits.setdefault((int(i), int(j)), []).append((r, c))
    return base, hits


def _conv(k: int, s: int, d: int, p: int) -> dict:
    return {"type": "Conv2d", "out_channels": 1, "kernel_size": [k, 1], "stride": [s, 1],
            "dilation": [d, 1], "padding": [p, 0], "bias": False}


layer_1d = st.one_of(
    st.builds(_conv, st.integers(1, 4), st.integers(1, 2), st.integers(1, 2), st.integers(0, 2)),
    st.builds(lambda k, s, d, p: {"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": [k, 1],
                                  "stride": [s, 1], "dilation": [d, 1], "padding": [p, 0], "bias": False},
              st.integers(1, 4), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1)),
    st.builds(lambda k, s, d, ceil, half: {"type": "MaxPool2d", "kernel_size": [k, 1], "stride": [s, 1],
                                           "dilation": [d, 1], "padding": [k // 2 if half else 0, 0],
                                           "ceil_mode": ceil},
              st.integers(1, 3), st.integers(1, 2), st.integers(1, 2), st.booleans(), st.booleans()),
    st.builds(lambda k, s: {"type": "AvgPool2d", "kernel_size": [k, 1], "stride": [s, 1]},
              st.integers(1, 3), st.integers(1, 2)),
    st.builds(lambda k, d, short: {"type": "Residual", "body": [
        {"type": "Conv2d", "out_channels": 1, "kernel_size": [k, 1], "dilation": [d, 1],
         "padding": "same", "bias": False}, {"type": "ReLU"}],
        "shortcut": [_conv(1, 1, 1, 0)] if short else None},
        st.sampled_from([1, 3, 4]), st.integers(1, 2), st.booleans()),
    st.builds(lambda k: {"type": "Concat", "branches": [
        [_conv(k, 1, 1, (k - 1) // 2)],
        [{"type": "MaxPool2d", "kernel_size": [3, 1], "stride": 1, "padding": [1, 0]}]]},
        st.sampled_from([1, 3, 5])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much,
                                                                  HealthCheck.too_slow])
@given(st.lists(layer_1d, min_size=1, max_size=3))
def test_field_is_the_support_of_one_units_gradient(layers: list[dict]) -> None:
    n = 36
    try:
        summary = summarize({"input": [1, n, 1], "layers": layers})
    except SpecError:
        assume(False)
        return
    rf = summary.top_rows[-1].receptive_field
    assume(rf is not None)
    field = rf.h
    margin = 9
    middle = [o for o in range(summary.output_shape[1])
              if field.bounds(o)[0] >= margin and field.bounds(o)[1] <= n - 1 - margin]
    assume(middle)
    base, hits = _supports(layers, (1, n, 1))
    assert base.shape[1:] == summary.output_shape[1:]
    extents, offsets = [], []
    for o in middle:
        rows = [r for r, _ in hits.get((o, 0), [])]
        actual = (min(rows), max(rows)) if rows else (1, 0)
        assert actual == field.bounds(o), (o, actual, field.bounds(o))
        if rows:
            extents.append(actual[1] - actual[0] + 1)
            offsets.append((o, Fraction(actual[0] + actual[1], 2)))
    if {o % field.period for o in middle} == set(range(field.period)):  # every kind of unit seen
        assert max(extents, default=0) == rf.size[0]
    jump = Fraction(rf.jump[0]).limit_denominator(1000)
    if field.period == 1:
        for o, centre in offsets:
            assert centre == Fraction(rf.start[0]) + o * jump
    # one full period of units: the average centre line is start + o*jump
    inside = set(middle)
    first = next((o for o in middle if all(o + r in inside for r in range(field.period))), None)
    period = [] if first is None else [(o, c) for o, c in offsets if first <= o < first + field.period]
    if period:
        mean = sum((c - o * jump for o, c in period), Fraction(0)) / len(period)
        assert mean == Fraction(rf.start[0]).limit_denominator(1000)


@pytest.mark.parametrize("layers", [
    [{"type": "Conv2d", "out_channels": 1, "kernel_size": [3, 2], "stride": [1, 2], "padding": [1, 0]},
     {"type": "MaxPool2d", "kernel_size": [2, 3], "stride": [2, 1]},
     {"type": "Conv2d", "out_channels": 1, "kernel_size": [2, 2], "dilation": [2, 1]}],
    [{"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": [3, 4], "stride": [2, 2], "padding": [1, 1]},
     {"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "stride": [1, 2]}],
])
def test_rectangular_fields_in_two_dimensions(layers: list[dict]) -> None:
    shape = (1, 16, 18)
    summary = summarize({"input": list(shape), "layers": layers})
    rf = summary.top_rows[-1].receptive_field
    _, hits = _supports(layers, shape)
    checked = 0
    for i in range(summary.output_shape[1]):
        for j in range(summary.output_shape[2]):
            (top, bottom), (left, right) = rf.bounds(i, j)
            if top < 2 or left < 2 or bottom > shape[1] - 3 or right > shape[2] - 3:
                continue
            cells = hits.get((i, j), [])
            assert (min(r for r, _ in cells), max(r for r, _ in cells)) == (top, bottom)
            assert (min(c for _, c in cells), max(c for _, c in cells)) == (left, right)
            checked += 1
    assert checked >= 2


def test_transposed_convolution_fields_by_hand() -> None:
    """k=3, s=2, p=1: unit 0 reads input 0 only, unit 1 reads inputs 0 and 1, ...: sizes
    alternate 1, 2; the largest is 2; jump 1/2; centres 0, 0.5, 1, ... so start 0."""
    rf = summarize({"input": [1, 8, 8], "layers": [
        {"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "padding": 1}]}
    ).layers[0].receptive_field
    assert [rf.h.bounds(o) for o in range(4)] == [(0, 0), (0, 1), (1, 1), (1, 2)]
    assert rf.size == (2, 2) and rf.jump == (0.5, 0.5) and rf.start == (0, 0)
    # dilation 2 with stride 2: every other output unit reads no input at all
    rf = summarize({"input": [1, 8, 8], "layers": [
        {"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 3, "stride": 2, "dilation": 2}]}
    ).layers[0].receptive_field
    assert rf.h.bounds(5) == (1, 0) and rf.h.bounds(4) == (0, 2) and rf.size[0] == 3


def test_published_receptive_fields_of_classic_models() -> None:
    """Araujo, Norris & Sim, "Computing Receptive Fields of CNNs" (Distill 2019):
    AlexNet 195, VGG-16 212 (last conv stage)."""
    assert summarize("alexnet").row("layers.12").receptive_field.size == (195, 195)
    assert summarize("vgg16").row("layers.30").receptive_field.size == (212, 212)


def test_field_is_unknown_after_flatten_linear_and_global_pooling() -> None:
    s = summarize("resnet18")
    kinds = {row.type: row.receptive_field for row in s.layers}
    assert kinds["AdaptiveAvgPool2d"] is None and kinds["Flatten"] is None and kinds["Linear"] is None
    assert summarize({"input": [1, 8, 8], "layers": [
        {"type": "AdaptiveAvgPool2d", "output_size": 4}]}).layers[0].receptive_field.size == (2, 2)


def test_branches_take_the_largest_path() -> None:
    s = summarize({"input": [1, 20, 20], "layers": [{"type": "Concat", "branches": [
        [{"type": "Conv2d", "out_channels": 1, "kernel_size": 1}],
        [{"type": "Conv2d", "out_channels": 1, "kernel_size": 5, "padding": 2}],
        [{"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "padding": 1}]]}]})
    assert s.layers[0].receptive_field.size == (5, 5)
    assert s.layers[0].receptive_field.start == (0, 0)
    # paths with different jumps have no common field
    s = summarize({"input": [1, 8, 8], "layers": [{"type": "Residual",
        "body": [{"type": "Conv2d", "out_channels": 1, "kernel_size": 5}],
        "shortcut": [{"type": "Conv2d", "out_channels": 1, "kernel_size": 1, "stride": 2}]}]})
    assert s.layers[0].receptive_field is None
