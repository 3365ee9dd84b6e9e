"""Variable input size (convviz.arithmetic.input_size): which layers fix the input size,
checked against a brute-force reference (summarise the network at other sizes and see
whose in_features change), the network at another size (new network vs trained network),
and global average pooling in place of the Flatten."""

from __future__ import annotations

import pytest

from convviz import SpecError
from convviz.arithmetic import spec_edit
from convviz.arithmetic.input_size import (
    fixed_size_layers,
    pin_linear_inputs,
    size_adapters,
    try_input_size,
    with_global_pool,
)
from convviz.arithmetic.presets import get_preset
from convviz.arithmetic.summary import summarize


def _linear_inputs(spec: dict, shape: tuple[int, ...]) -> dict[str, int] | None:
    """in_features of every Linear at input ``shape`` (None when the network cannot build)."""
    try:
        s = summarize(spec_edit.set_input(spec, list(shape)))
    except SpecError:
        return None
    return {r.path: r.args["in_features"] for r in s.layers if r.type == "Linear"}


def _changing_linears(spec: dict) -> list[str]:
    """Brute force: the Linear layers whose in_features differ between the spec's own input
    and a few larger ones (height and width changed apart)."""
    own = tuple(spec["input"])
    base = _linear_inputs(spec, own)
    assert base is not None
    changed: set[str] = set()
    others = [(own[0], own[1] + dh, own[2] + dw) for dh, dw in ((8, 0), (0, 8), (17, 5))] if len(own) == 3 else [(own[0] + 3,)]
    for shape in others:
        other = _linear_inputs(spec, shape)
        assert other is not None, shape
        changed |= {p for p, n in other.items() if n != base[p]}
    return sorted(changed, key=list(base).index)


MLP = {"input": [20], "layers": [{"type": "Linear", "out_features": 5}, {"type": "ReLU"}, {"type": "Linear", "out_features": 2}]}
ON_W = {"input": [3, 8, 8], "layers": [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3}, {"type": "Linear", "out_features": 2}]}
PARTIAL = {"input": [3, 12, 12], "layers": [
    {"type": "Conv2d", "out_channels": 4, "kernel_size": 3},
    {"type": "AdaptiveAvgPool2d", "output_size": [2, None]},
    {"type": "Flatten"}, {"type": "Linear", "out_features": 3}]}
BLOCKS = {"input": [3, 16, 16], "layers": [
    {"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1},
    {"type": "Side", "body": [{"type": "Flatten"}, {"type": "Linear", "out_features": 4}]},
    {"type": "Side", "body": [{"type": "AdaptiveAvgPool2d", "output_size": 2}, {"type": "Flatten"}, {"type": "Linear", "out_features": 4}]},
    {"type": "Residual", "body": [{"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1}]},
    {"type": "Scale", "body": [{"type": "AdaptiveAvgPool2d", "output_size": 1}, {"type": "Flatten"},
                               {"type": "Linear", "out_features": 8}, {"type": "Sigmoid"}]},
    {"type": "MaxPool2d", "kernel_size": 2},
    {"type": "Flatten"}, {"type": "Linear", "out_features": 10}, {"type": "ReLU"}, {"type": "Linear", "out_features": 2}]}

CASES = {"lenet5": "lenet5", "alexnet": "alexnet", "resnet18": "resnet18", "googlenet_aux": "googlenet_aux",
         "mlp": MLP, "on_w": ON_W, "partial": PARTIAL, "blocks": BLOCKS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixed_layers_are_the_linears_whose_inputs_change_with_the_size(name: str) -> None:
    spec = CASES[name] if isinstance(CASES[name], dict) else get_preset(CASES[name])
    assert [f.path for f in fixed_size_layers(spec)] == _changing_linears(spec)


def test_lenet5_is_fixed_by_its_first_linear_and_alexnet_by_none() -> None:
    [fixed] = fixed_size_layers("lenet5")
    assert (fixed.path, fixed.in_features, fixed.flatten_path, fixed.flatten_input) == ("layers.7", 400, "layers.6", (16, 5, 5))
    assert fixed_size_layers("alexnet") == []
    assert size_adapters("alexnet") == ["layers.13"]  # AdaptiveAvgPool2d((6, 6))
    assert [f.path for f in fixed_size_layers(BLOCKS)] == ["layers.1.body.1", "layers.7"]


def test_a_new_network_at_another_size_has_another_first_linear() -> None:
    # LeNet-5 at 36x36: conv 5x5 -> 32, pool -> 16, conv 5x5 -> 12, pool -> 6: 16*6*6 = 576 inputs
    trial = try_input_size("lenet5", (1, 36, 36))
    assert trial.error is None and trial.first_linear == ("layers.7", 576)
    own = summarize("lenet5").total_params
    assert trial.summary is not None and trial.summary.total_params == own + (576 - 400) * 120


def test_the_trained_network_rejects_another_size_naming_the_linear() -> None:
    trial = try_input_size("lenet5", (1, 36, 36), keep_weights=True)
    assert trial.summary is None and trial.error is not None
    err = trial.error
    assert err.path == "layers.7" and err.key == "engine.size_linear_fixed"
    assert "400" in str(err) and "576" in str(err) and "1×36×36" in str(err)
    assert "fully connected layer forces its input to have a certain size" in str(err)
    assert "fuerza la entrada a tener un cierto tamaño" in err.localized("es")
    # its own size is fine, and so is any size with the same 5x5 map before the Flatten
    assert try_input_size("lenet5", (1, 32, 32), keep_weights=True).error is None
    assert try_input_size("lenet5", (1, 33, 33), keep_weights=True).error is None  # floors to 5x5


def test_alexnet_takes_other_sizes_until_its_windows_no_longer_fit() -> None:
    big = try_input_size("alexnet", (3, 300, 260), keep_weights=True)
    assert big.error is None and big.first_linear == ("layers.16", 256 * 6 * 6)
    assert big.summary is not None and big.summary.total_params == 61_100_840
    small = try_input_size("alexnet", (3, 32, 32), keep_weights=True)
    assert small.error is not None and small.error.key != "engine.size_linear_fixed"
    assert small.error.path == "layers.12"  # the last max pool: its window no longer fits


def test_pinned_sizes_are_the_inferred_ones() -> None:
    pinned = pin_linear_inputs("lenet5")
    linears = [layer for _, layer in spec_edit.iter_layers(pinned) if layer.get("type") == "Linear"]
    assert [layer["in_features"] for layer in linears] == [400, 120, 84]
    assert summarize(pinned).total_params == summarize("lenet5").total_params
    assert "in_features" not in get_preset("lenet5")["layers"][7]  # a copy


@pytest.mark.parametrize("name", ["lenet5", "on_w", "blocks", "digit_cnn"])
def test_global_pooling_makes_the_network_take_any_size(name: str) -> None:
    spec = get_preset(name) if name in ("lenet5", "digit_cnn") else CASES[name]
    gap = with_global_pool(spec)
    assert fixed_size_layers(gap) == []
    assert _changing_linears(gap) == []
    # ... even as a trained network: its Linear sizes pinned at the old input
    own = tuple(gap["input"])
    assert try_input_size(gap, (own[0], own[1] + 9, own[2] + 4), keep_weights=True).error is None


def test_lenet5_with_global_pooling() -> None:
    gap = with_global_pool(pin_linear_inputs("lenet5"))
    types = [layer["type"] for layer in gap["layers"]]
    assert types[5:9] == ["MaxPool2d", "AdaptiveAvgPool2d", "Flatten", "Linear"]
    s = summarize(gap)
    assert s.row("layers.8").args["in_features"] == 16  # one value per channel
    assert s.total_params == summarize("lenet5").total_params - (400 - 16) * 120


def test_an_adaptive_pool_before_the_flatten_is_made_global() -> None:
    gap = with_global_pool(PARTIAL)
    assert gap["layers"][1] == {"type": "AdaptiveAvgPool2d", "output_size": [1, 1]}
    assert len(gap["layers"]) == len(PARTIAL["layers"])


def test_nothing_to_replace_is_said_in_both_languages() -> None:
    with pytest.raises(SpecError) as info:
        with_global_pool("alexnet")
    assert info.value.key == "engine.size_nothing_fixed" and "Flatten" in info.value.localized("es")
    with pytest.raises(SpecError) as info:
        with_global_pool(MLP)
    assert info.value.key == "engine.size_not_image"
