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


# Published totals of the models built from the new blocks: torchvision's table for ResNeXt-50
# (25,028,904 parameters, 4.23 GFLOPS) and GoogLeNet with aux_logits=True (13,004,888
# parameters: 6,624,904 plus two InceptionAux heads), timm's seresnet50 (28,088,024).
PUBLISHED = {
    "resnext50_32x4d": 25_028_904,
    "seresnet50": 28_088_024,
    "googlenet_aux": 13_004_888,
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_parameters_of_the_block_presets(name: str) -> None:
    s = summarize(name)
    assert s.input_shape == (3, 224, 224) and s.output_shape == (1000,)
    assert s.total_params == PUBLISHED[name]
    assert name in list_presets()


def test_resnext50_multiplications_are_torchvisions_gflops() -> None:
    s = summarize("resnext50_32x4d")
    assert s.total_macs == 4_230_479_872
    assert f"{s.total_macs / 1e9:.2f}" == "4.23"
    grouped = [r for r in s.layers if r.type == "Conv2d" and r.args.get("groups") == 32]
    assert len(grouped) == 16 and grouped[0].output_shape == (128, 56, 56)


def test_seresnet50_has_an_se_block_before_every_addition() -> None:
    s = summarize("seresnet50")
    blocks = [r for r in s.top_rows if r.type == "Residual"]
    assert len(blocks) == 16
    for block in blocks:
        body = [r for r in s.layers if r.path.startswith(block.path + ".body.") and r.depth == 1]
        assert body[-1].type == "Scale" and body[-2].type == "BatchNorm2d"
        c = block.output_shape[0]
        se = [r for r in s.layers if r.path.startswith(body[-1].path + ".body.")]
        assert [r.type for r in se] == ["AdaptiveAvgPool2d", "Conv2d", "ReLU", "Conv2d", "Sigmoid"]
        assert se[1].output_shape == (c // 16, 1, 1) and se[3].output_shape == (c, 1, 1)
        assert body[-1].params == (c * (c // 16) + c // 16) + (c // 16 * c + c)
    # the SE blocks add only their 1x1 convs to ResNet-50: no multiplications for the product
    se_macs = sum(r.macs for r in s.layers if r.type == "Scale")
    assert s.total_macs == summarize("resnet50").total_macs + se_macs


def test_googlenet_aux_side_outputs() -> None:
    s = summarize("googlenet_aux")
    plain = summarize("googlenet")
    sides = [r for r in s.top_rows if r.type == "Side"]
    assert [r.label for r in sides] == ["aux1", "aux2"]
    assert [r.input_shape for r in sides] == [(512, 14, 14), (528, 14, 14)]
    assert s.side_outputs == [(r.path, (1000,)) for r in sides]
    assert s.total_params == plain.total_params + sum(r.params for r in sides)
    assert s.total_macs == plain.total_macs + sum(r.macs for r in sides)
    # the main path is GoogLeNet's, layer for layer
    main = [r.output_shape for r in s.top_rows if r.type != "Side"]
    assert main == [r.output_shape for r in plain.top_rows]
