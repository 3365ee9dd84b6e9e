"""Ready-made networks: the lecture's classic models (torchvision's definitions) and its
worked examples, as spec dicts.

- ``lenet5``: the modern LeNet-5 (conv 6@5x5, pool, conv 16@5x5, pool, fc 120, 84, 10) on 1x32x32.
- ``alexnet``, ``vgg16``, ``resnet18``, ``resnet50``, ``googlenet``: torchvision's models on
  3x224x224 (GoogLeNet without its auxiliary heads, with torchvision's BasicConv2d =
  conv without bias + BatchNorm(eps=0.001) + ReLU, its 3x3 "ch5x5" branch and ceil_mode pools).
- ``resnext50_32x4d``: torchvision's ResNeXt-50 (bottlenecks with a grouped 3x3 conv, 32
  groups of width 4 in the first stage, twice the width of ResNet-50's 3x3 convs).
- ``seresnet50``: timm's SE-ResNet-50: ResNet-50 with a squeeze-and-excitation ``Scale`` block
  (global average pooling, 1x1 conv with bias C -> C/16, ReLU, 1x1 conv with bias C/16 -> C,
  sigmoid) after the last BatchNorm of every bottleneck, before the residual addition.
- ``googlenet_aux``: GoogLeNet with torchvision's two auxiliary classifiers
  (``aux_logits=True``) as ``Side`` blocks after inception4a and inception4d: adaptive average
  pooling to 4x4, BasicConv2d 1x1 to 128, Linear 2048 -> 1024, ReLU, Dropout 0.7, Linear -> 1000.
- ``lecture_*``: the lecture's worked examples; ``digit_cnn``: the app's digit classifier
  (read from ``assets/digit_cnn.spec.json`` when that file exists).

``get_preset(name)`` returns a fresh dict each time (edit it freely).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from convviz.i18n import translate

Layer = dict[str, Any]
DIGIT_CNN_FILE = Path(__file__).resolve().parents[2] / "assets" / "digit_cnn.spec.json"


def _conv(out: int, k: Any, stride: Any = 1, padding: Any = 0, bias: bool = True,
          name: str | None = None) -> Layer:
    layer: Layer = {"type": "Conv2d", "out_channels": out, "kernel_size": k}
    if stride != 1:
        layer["stride"] = stride
    if padding != 0:
        layer["padding"] = padding
    if not bias:
        layer["bias"] = False
    if name:
        layer["name"] = name
    return layer


def _relu() -> Layer:
    return {"type": "ReLU", "inplace": True}


def _bn(eps: float | None = None) -> Layer:
    return {"type": "BatchNorm2d"} if eps is None else {"type": "BatchNorm2d", "eps": eps}


def _maxpool(k: int, stride: int | None = None, padding: int = 0, ceil: bool = False) -> Layer:
    layer: Layer = {"type": "MaxPool2d", "kernel_size": k}
    if stride is not None:
        layer["stride"] = stride
    if padding:
        layer["padding"] = padding
    if ceil:
        layer["ceil_mode"] = True
    return layer


def _net(name: str, shape: list[int], layers: list[Layer]) -> dict[str, Any]:
    return {"name": name, "input": shape, "layers": layers}


def lenet5() -> dict[str, Any]:
    return _net("LeNet-5", [1, 32, 32], [
        _conv(6, 5), _relu(), _maxpool(2),
        _conv(16, 5), _relu(), _maxpool(2),
        {"type": "Flatten"},
        {"type": "Linear", "out_features": 120}, _relu(),
        {"type": "Linear", "out_features": 84}, _relu(),
        {"type": "Linear", "out_features": 10},
    ])


def alexnet() -> dict[str, Any]:
    return _net("AlexNet", [3, 224, 224], [
        _conv(64, 11, 4, 2), _relu(), _maxpool(3, 2),
        _conv(192, 5, padding=2), _relu(), _maxpool(3, 2),
        _conv(384, 3, padding=1), _relu(),
        _conv(256, 3, padding=1), _relu(),
        _conv(256, 3, padding=1), _relu(), _maxpool(3, 2),
        {"type": "AdaptiveAvgPool2d", "output_size": [6, 6]},
        {"type": "Flatten"},
        {"type": "Dropout", "p": 0.5},
        {"type": "Linear", "out_features": 4096}, _relu(),
        {"type": "Dropout", "p": 0.5},
        {"type": "Linear", "out_features": 4096}, _relu(),
        {"type": "Linear", "out_features": 1000},
    ])


def vgg16() -> dict[str, Any]:
    layers: list[Layer] = []
    for item in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                 512, 512, 512, "M"]:
        if item == "M":
            layers.append(_maxpool(2, 2))
        else:
            layers += [_conv(int(item), 3, padding=1), _relu()]
    layers += [
        {"type": "AdaptiveAvgPool2d", "output_size": [7, 7]},
        {"type": "Flatten"},
        {"type": "Linear", "out_features": 4096}, _relu(), {"type": "Dropout", "p": 0.5},
        {"type": "Linear", "out_features": 4096}, _relu(), {"type": "Dropout", "p": 0.5},
        {"type": "Linear", "out_features": 1000},
    ]
    return _net("VGG-16", [3, 224, 224], layers)


def _downsample(out: int, stride: int, inplanes: int) -> list[Layer] | None:
    if stride == 1 and inplanes == out:
        return None
    return [_conv(out, 1, stride, bias=False), _bn()]


def _basic_block(inplanes: int, planes: int, stride: int) -> tuple[list[Layer], int]:
    body = [
        _conv(planes, 3, stride, 1, bias=False), _bn(), _relu(),
        _conv(planes, 3, 1, 1, bias=False), _bn(),
    ]
    block: Layer = {"type": "Residual", "body": body}
    short = _downsample(planes, stride, inplanes)
    if short is not None:
        block["shortcut"] = short
    return [block, _relu()], planes


def _se(channels: int, reduction: int = 16) -> Layer:
    """Squeeze-and-excitation (timm's SEModule): per-channel weights from global pooling."""
    return {"type": "Scale", "name": "se", "body": [
        {"type": "AdaptiveAvgPool2d", "output_size": [1, 1]},
        _conv(channels // reduction, 1, name="fc1"), _relu(),
        _conv(channels, 1, name="fc2"), {"type": "Sigmoid"},
    ]}


def _bottleneck(inplanes: int, planes: int, stride: int, groups: int = 1, width_per_group: int = 64,
                se: bool = False) -> tuple[list[Layer], int]:
    """torchvision's Bottleneck (stride on the 3x3 conv), optionally grouped (ResNeXt) and
    with an SE block before the addition (SE-ResNet)."""
    out = planes * 4
    width = planes * width_per_group // 64 * groups
    mid = _conv(width, 3, stride, 1, bias=False)
    if groups != 1:
        mid["groups"] = groups
    body = [
        _conv(width, 1, bias=False), _bn(), _relu(),
        mid, _bn(), _relu(),
        _conv(out, 1, bias=False), _bn(),
    ]
    if se:
        body.append(_se(out))
    block: Layer = {"type": "Residual", "body": body}
    short = _downsample(out, stride, inplanes)
    if short is not None:
        block["shortcut"] = short
    return [block, _relu()], out


def _resnet(name: str, block: Callable[[int, int, int], tuple[list[Layer], int]],
            counts: list[int]) -> dict[str, Any]:
    layers: list[Layer] = [_conv(64, 7, 2, 3, bias=False), _bn(), _relu(), _maxpool(3, 2, 1)]
    inplanes = 64
    for stage, (planes, count) in enumerate(zip([64, 128, 256, 512], counts, strict=True)):
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            new, inplanes = block(inplanes, planes, stride)
            new[0]["name"] = f"layer{stage + 1}.{i}"
            layers += new
    layers += [
        {"type": "AdaptiveAvgPool2d", "output_size": [1, 1]},
        {"type": "Flatten"},
        {"type": "Linear", "out_features": 1000},
    ]
    return _net(name, [3, 224, 224], layers)


def resnet18() -> dict[str, Any]:
    return _resnet("ResNet-18", _basic_block, [2, 2, 2, 2])


def resnet50() -> dict[str, Any]:
    return _resnet("ResNet-50", _bottleneck, [3, 4, 6, 3])


def resnext50_32x4d() -> dict[str, Any]:
    return _resnet("ResNeXt-50 32x4d", partial(_bottleneck, groups=32, width_per_group=4), [3, 4, 6, 3])


def seresnet50() -> dict[str, Any]:
    return _resnet("SE-ResNet-50", partial(_bottleneck, se=True), [3, 4, 6, 3])


def _basic_conv(out: int, k: int, stride: int = 1, padding: int = 0) -> list[Layer]:
    """torchvision's BasicConv2d: conv (no bias) + BatchNorm(eps=0.001) + ReLU."""
    return [_conv(out, k, stride, padding, bias=False), _bn(0.001), _relu()]


def _inception(name: str, ch1: int, ch3red: int, ch3: int, ch5red: int, ch5: int,
               pool_proj: int) -> Layer:
    return {"type": "Concat", "name": name, "branches": [
        _basic_conv(ch1, 1),
        _basic_conv(ch3red, 1) + _basic_conv(ch3, 3, padding=1),
        # torchvision's "5x5" branch really uses a 3x3 kernel (a known quirk kept for weights)
        _basic_conv(ch5red, 1) + _basic_conv(ch5, 3, padding=1),
        [_maxpool(3, 1, 1, ceil=True)] + _basic_conv(pool_proj, 1),
    ]}


def _aux(name: str) -> Layer:
    """torchvision's InceptionAux as a side output."""
    return {"type": "Side", "name": name, "body": [
        {"type": "AdaptiveAvgPool2d", "output_size": [4, 4]},
        *_basic_conv(128, 1),
        {"type": "Flatten"},
        {"type": "Linear", "out_features": 1024}, _relu(),
        {"type": "Dropout", "p": 0.7},
        {"type": "Linear", "out_features": 1000},
    ]}


def googlenet(aux: bool = False) -> dict[str, Any]:
    layers = [
        *_basic_conv(64, 7, 2, 3),
        _maxpool(3, 2, ceil=True),
        *_basic_conv(64, 1),
        *_basic_conv(192, 3, padding=1),
        _maxpool(3, 2, ceil=True),
        _inception("inception3a", 64, 96, 128, 16, 32, 32),
        _inception("inception3b", 128, 128, 192, 32, 96, 64),
        _maxpool(3, 2, ceil=True),
        _inception("inception4a", 192, 96, 208, 16, 48, 64),
        *([_aux("aux1")] if aux else []),
        _inception("inception4b", 160, 112, 224, 24, 64, 64),
        _inception("inception4c", 128, 128, 256, 24, 64, 64),
        _inception("inception4d", 112, 144, 288, 32, 64, 64),
        *([_aux("aux2")] if aux else []),
        _inception("inception4e", 256, 160, 320, 32, 128, 128),
        _maxpool(2, 2, ceil=True),
        _inception("inception5a", 256, 160, 320, 32, 128, 128),
        _inception("inception5b", 384, 192, 384, 48, 128, 128),
        {"type": "AdaptiveAvgPool2d", "output_size": [1, 1]},
        {"type": "Flatten"},
        {"type": "Dropout", "p": 0.2},
        {"type": "Linear", "out_features": 1000},
    ]
    return _net("GoogLeNet (auxiliary classifiers)" if aux else "GoogLeNet", [3, 224, 224], layers)


def googlenet_aux() -> dict[str, Any]:
    return googlenet(aux=True)


def lecture_16x16x3() -> dict[str, Any]:
    """Ten 3x3 filters, padding 1, on 16x16x3: 10*(3*3*3 + 1) = 280 parameters (the slide says 270)."""
    return _net("16x16x3, ten 3x3 filters", [3, 16, 16], [_conv(10, 3, padding=1)])


def lecture_5x5_direct() -> dict[str, Any]:
    """28x28x192 -> 32 channels with a 5x5 'same' conv: 28*28*32 * 5*5*192 = 120,422,400 MACs."""
    return _net("5x5 conv on 28x28x192", [192, 28, 28], [_conv(32, 5, padding="same")])


def lecture_1x1_bottleneck() -> dict[str, Any]:
    """1x1 to 16 channels then 5x5 to 32: 2,408,448 + 10,035,200 = 12,443,648 MACs."""
    return _net("1x1 bottleneck then 5x5", [192, 28, 28], [
        _conv(16, 1), _conv(32, 5, padding="same"),
    ])


def lecture_32x32x3() -> dict[str, Any]:
    """Six 5x5 filters on 32x32x3: 28x28x6 output, 6*(5*5*3 + 1) = 456 parameters."""
    return _net("32x32x3, six 5x5 filters", [3, 32, 32], [_conv(6, 5)])


def lecture_7x7_stride3() -> dict[str, Any]:
    """7x7 input, 3x3 filter, stride 3: (7-3)/3 + 1 = 2.33 does not tile (PyTorch gives 2x2)."""
    return _net("7x7 input, 3x3 filter, stride 3", [1, 7, 7], [_conv(1, 3, 3)])


def digit_cnn() -> dict[str, Any]:
    data = json.loads(DIGIT_CNN_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{DIGIT_CNN_FILE} does not hold a spec object")
    return data


PRESETS: dict[str, Callable[[], dict[str, Any]]] = {
    "lenet5": lenet5,
    "alexnet": alexnet,
    "vgg16": vgg16,
    "resnet18": resnet18,
    "resnet50": resnet50,
    "googlenet": googlenet,
    "resnext50_32x4d": resnext50_32x4d,
    "seresnet50": seresnet50,
    "googlenet_aux": googlenet_aux,
    "lecture_16x16x3": lecture_16x16x3,
    "lecture_5x5_direct": lecture_5x5_direct,
    "lecture_1x1_bottleneck": lecture_1x1_bottleneck,
    "lecture_32x32x3": lecture_32x32x3,
    "lecture_7x7_stride3": lecture_7x7_stride3,
    "digit_cnn": digit_cnn,
}


def list_presets() -> list[str]:
    """Names of the available presets (``digit_cnn`` only when its file exists)."""
    return [name for name in PRESETS if name != "digit_cnn" or DIGIT_CNN_FILE.is_file()]


def get_preset(name: str) -> dict[str, Any]:
    """A fresh spec dict of preset ``name``; KeyError-like ValueError for unknown names."""
    if name not in list_presets():
        from convviz.errors import SpecError

        raise SpecError.of("engine.unknown_preset", name=name, presets=", ".join(list_presets()))
    return PRESETS[name]()


def description_key(name: str) -> str:
    """Catalog key of the preset's one-line description."""
    return f"engine.preset_{name}"


def describe(name: str, lang: str = "en") -> str:
    """One line about the preset, in ``lang``."""
    return translate(description_key(name), lang)
