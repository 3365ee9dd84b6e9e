"""Presets: torchvision's published totals and the lecture's worked numbers.

Published figures: torchvision's model documentation ("Table of all available classification
weights": Params and GFLOPS at 3x224x224). GFLOPS there counts multiply-adds; our MAC total
(conv + transposed conv + linear, nothing else) reproduces every printed digit."""

from __future__ import annotations

import pytest

from convviz import SpecError
from convviz.arithmetic.presets import describe, get_preset, list_presets
from convviz.arithmetic.summary import summarize

TORCHVISION = {
    "alexnet": (61_100_840, "0.71"),
    "vgg16": (138_357_544, "15.47"),
    "resnet18": (11_689_512, "1.81"),
    "resnet50": (25_557_032, "4.09"),
    "googlenet": (6_624_904, "1.50"),
}


@pytest.mark.parametrize("name", sorted(TORCHVISION))
def test_torchvision_parameters_and_gflops(name: str) -> None:
    params, gflops = TORCHVISION[name]
    s = summarize(name)
    assert s.input_shape == (3, 224, 224) and s.output_shape == (1000,)
    assert s.total_params == params
    assert f"{s.total_macs / 1e9:.2f}" == gflops


def test_known_intermediate_shapes() -> None:
    alex = summarize("alexnet")
    assert alex.row("layers.12").output_shape == (256, 6, 6)
    resnet = summarize("resnet50")
    last_block = [r for r in resnet.top_rows if r.type == "Residual"][-1]
    assert last_block.output_shape == (2048, 7, 7)
    google = summarize("googlenet")
    assert [r.output_shape for r in google.top_rows if r.type == "Concat"] == [
        (256, 28, 28), (480, 28, 28), (512, 14, 14), (512, 14, 14), (512, 14, 14),
        (528, 14, 14), (832, 14, 14), (832, 7, 7), (1024, 7, 7)]
    assert summarize("vgg16").row("layers.30").output_shape == (512, 7, 7)


def test_batchnorm_buffers_of_resnet18() -> None:
    # 20 BatchNorm2d layers; each has 2*C running statistics + 1 counter
    s = summarize("resnet18")
    bns = [r for r in s.layers if r.type == "BatchNorm2d"]
    assert len(bns) == 20
    assert s.total_buffers == sum(2 * r.output_shape[0] + 1 for r in bns) == 9620


def test_lenet5() -> None:
    s = summarize("lenet5")
    assert [r.output_shape for r in s.layers if r.type in ("Conv2d", "MaxPool2d")] == [
        (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5)]
    assert s.total_params == 156 + 2416 + 48120 + 10164 + 850


def test_the_lectures_worked_examples() -> None:
    s = summarize("lecture_16x16x3")
    assert s.output_shape == (10, 16, 16) and s.total_params == 280
    assert summarize("lecture_5x5_direct").total_macs == 120_422_400
    s = summarize("lecture_1x1_bottleneck")
    assert [r.macs for r in s.layers] == [2_408_448, 10_035_200]
    assert s.total_macs == 12_443_648
    s = summarize("lecture_32x32x3")
    assert s.output_shape == (6, 28, 28) and s.total_params == 456
    s = summarize("lecture_7x7_stride3")
    assert s.output_shape == (1, 2, 2)
    assert any("2.33" in w for w in s.warnings_text())


def test_presets_are_fresh_copies_and_described_in_both_languages() -> None:
    names = list_presets()
    assert {"lenet5", "alexnet", "vgg16", "resnet18", "resnet50", "googlenet"} <= set(names)
    a = get_preset("resnet18")
    a["layers"].clear()
    assert get_preset("resnet18")["layers"]
    for name in names:
        assert describe(name, "en") != describe(name, "es")
        summarize(name)  # every preset builds
    with pytest.raises(SpecError, match="no preset 'resnet19'"):
        get_preset("resnet19")
