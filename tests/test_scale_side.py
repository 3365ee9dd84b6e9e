"""Scale (channel scaling, squeeze-and-excitation) and Side (side output, auxiliary
classifier) blocks: parsing, shapes, totals, receptive fields, errors in both languages,
the editor's paths, the numpy network's refusal and the PyTorch export (checked with torch)."""

from __future__ import annotations

import copy

import pytest

from convviz import SpecError
from convviz.arithmetic import spec_edit
from convviz.arithmetic.export import to_pytorch
from convviz.arithmetic.spec import ScaleNode, SideNode, parse_spec
from convviz.arithmetic.summary import summarize


def se_body(c: int, r: int) -> list[dict]:
    return [
        {"type": "AdaptiveAvgPool2d", "output_size": 1},
        {"type": "Conv2d", "out_channels": c // r, "kernel_size": 1}, {"type": "ReLU"},
        {"type": "Conv2d", "out_channels": c, "kernel_size": 1}, {"type": "Sigmoid"},
    ]


AUX = [{"type": "AdaptiveAvgPool2d", "output_size": 1}, {"type": "Flatten"}, {"type": "Linear", "out_features": 10}]
CONV = {"type": "Conv2d", "out_channels": 4, "kernel_size": 3}
NET = {"name": "se_side", "input": [32, 8, 8], "layers": [
    {"type": "Scale", "name": "se", "body": se_body(32, 16)},
    {"type": "Side", "name": "aux", "body": AUX},
    CONV,
]}


def test_parsed_into_the_documented_dataclasses() -> None:
    net = parse_spec(NET)
    scale, side = net.layers[0], net.layers[1]
    assert isinstance(scale, ScaleNode) and scale.type == "Scale" and scale.label == "se"
    assert isinstance(side, SideNode) and side.type == "Side" and side.label == "aux"
    assert [n.path for n in scale.body] == [f"layers.0.body.{i}" for i in range(5)]
    assert [n.path for n in side.body] == [f"layers.1.body.{i}" for i in range(3)]


def test_scale_keeps_the_shape_and_its_product_costs_no_multiplications() -> None:
    s = summarize(NET)
    row = s.row("layers.0")
    assert row.is_block and row.input_shape == row.output_shape == (32, 8, 8)
    # 1x1 convs with bias: 32*2 + 2 and 2*32 + 32 parameters; 32*2 + 2*32 multiplications
    assert row.params == 66 + 96
    assert row.macs == 64 + 64
    # memory: the body's tensors and the scaled input
    assert row.memory_elems == 32 + 2 + 2 + 32 + 32 + 32 * 8 * 8


def test_side_output_counts_in_the_totals_and_the_main_path_goes_on() -> None:
    s = summarize(NET)
    side = s.row("layers.1")
    assert side.is_block and side.input_shape == (32, 8, 8) and side.output_shape == (10,)
    assert side.params == 32 * 10 + 10 and side.macs == 320
    assert side.memory_elems == 32 + 32 + 10  # no tensor of its own
    assert s.row("layers.2").input_shape == (32, 8, 8)
    assert s.output_shape == (4, 6, 6)
    assert s.side_outputs == [("layers.1", (10,))]
    conv = 4 * (32 * 9 + 1)
    assert s.total_params == 162 + 330 + conv
    assert s.total_macs == 128 + 320 + 4 * 6 * 6 * 32 * 9


def test_receptive_fields_follow_the_documented_union_convention() -> None:
    # a Side branch does not change the main path's field
    plain = summarize({"input": [3, 16, 16], "layers": [CONV, CONV]})
    with_side = summarize({"input": [3, 16, 16], "layers": [CONV, {"type": "Side", "body": [CONV]}, CONV]})
    assert with_side.row("layers.2").receptive_field == plain.row("layers.1").receptive_field
    assert with_side.row("layers.1").receptive_field.size == (5, 5)  # the side output's own field
    # a Scale after global pooling: every output unit depends on the whole input (unknown)
    se = summarize({"input": [4, 16, 16], "layers": [CONV, {"type": "Scale", "body": se_body(4, 2)}, CONV]})
    assert se.row("layers.0").receptive_field.size == (3, 3)
    assert se.row("layers.1").receptive_field is None and se.row("layers.2").receptive_field is None
    # a Scale whose weights come from a local window: the union of the two fields
    local = [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1}]
    gate = summarize({"input": [4, 16, 16], "layers": [{"type": "Scale", "body": local + [{"type": "AdaptiveAvgPool2d", "output_size": 1}]}]})
    assert gate.row("layers.0").receptive_field is None


@pytest.mark.parametrize("body,weights", [
    (se_body(32, 16)[:-2], "(2, 1, 1)"),
    ([{"type": "Identity"}], "(32, 8, 8)"),
])
def test_scale_body_must_give_one_weight_per_channel(body, weights) -> None:
    spec = {"input": [32, 8, 8], "layers": [CONV, {"type": "Scale", "body": body}]}
    spec["layers"][0] = {"type": "Conv2d", "out_channels": 32, "kernel_size": 1}
    with pytest.raises(SpecError) as info:
        summarize(spec)
    err = info.value
    assert err.path == "layers.1" and err.key == "engine.scale_mismatch"
    assert weights in str(err) and "(32, 1, 1) or (32,)" in str(err)
    assert "multiplica cada canal" in err.localized("es")


def test_scale_with_flat_weights_and_a_flat_input() -> None:
    flat = [{"type": "AdaptiveAvgPool2d", "output_size": 1}, {"type": "Flatten"}]
    s = summarize({"input": [6, 5, 5], "layers": [{"type": "Scale", "body": flat}]})
    assert s.output_shape == (6, 5, 5)
    with pytest.raises(SpecError, match="scale|Scale"):
        summarize({"input": [6], "layers": [{"type": "Scale", "body": [{"type": "Identity"}]}]})


@pytest.mark.parametrize("layer,key", [
    ({"type": "Scale", "body": []}, "engine.block_body_empty"),
    ({"type": "Side"}, "engine.missing_arg"),
    ({"type": "Side", "body": AUX, "branches": []}, "engine.unknown_arg"),
    ({"type": "Scale", "body": "conv"}, "engine.layers_not_list"),
])
def test_malformed_blocks_are_refused_with_the_path(layer, key) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec({"input": [3, 8, 8], "layers": [layer]})
    assert info.value.path.startswith("layers.0") and info.value.key == key
    assert info.value.localized("es") != info.value.localized("en")


def test_editor_walks_and_unwraps_the_new_blocks() -> None:
    paths = spec_edit.layer_paths(NET)
    assert paths[:2] == ["layers.0", "layers.0.body.0"]
    assert "layers.1.body.2" in paths and paths[-1] == "layers.2"
    flat = spec_edit.unwrap(NET, "layers.1")
    assert [layer["type"] for layer in flat["layers"]][1:4] == ["AdaptiveAvgPool2d", "Flatten", "Linear"]


def test_numpy_network_refuses_them_by_path() -> None:
    import numpy as np

    from convviz.nn.from_spec import Unsupported, build_layers, uniform_init

    with pytest.raises(Unsupported) as info:
        build_layers(parse_spec(NET).layers, (32, 8, 8), uniform_init, np.float64)
    assert info.value.path == "layers.0" and info.value.kind == "Scale"


def test_torch_export_computes_the_product_and_keeps_the_side_output() -> None:
    torch = pytest.importorskip("torch")
    namespace: dict = {"__name__": "generated"}
    exec(compile(to_pytorch(NET), "<generated>", "exec"), namespace)
    model = namespace["model"].eval()
    x = torch.randn(2, 32, 8, 8)
    with torch.no_grad():
        y = model(x)
        se = model[0].body
        scaled = x * se(x)  # x times its channel weights, broadcast
        assert torch.allclose(y, model[2](scaled))
        assert model[1].output.shape == (2, 10)
        assert torch.allclose(model[1].output, model[1].body(scaled))
    # an SE block written directly in torch has the engine's parameter count
    nn = torch.nn
    direct = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(32, 2, 1), nn.ReLU(), nn.Conv2d(2, 32, 1), nn.Sigmoid())
    assert sum(p.numel() for p in direct.parameters()) == summarize(NET).row("layers.0").params


def test_spec_input_is_not_changed() -> None:
    before = copy.deepcopy(NET)
    summarize(NET)
    to_pytorch(NET)
    assert NET == before


def test_export_keeps_layer_names_out_of_the_constructor_arguments() -> None:
    code = to_pytorch({"input": [4, 5, 5], "layers": [{"type": "Conv2d", "name": "fc1", "out_channels": 2, "kernel_size": 1}]})
    assert "nn.Conv2d(4, 2, 1)," in code and "name=" not in code
