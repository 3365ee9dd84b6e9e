"""Spec edits: pure (inputs never mutated), invertible where they should be, and paths
that agree with an independent walk of the nested dicts (and with the engine's summary)."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.arithmetic import spec_edit as se

LEAVES = [
    {"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1},
    {"type": "ReLU"},
    {"type": "BatchNorm2d"},
    {"type": "MaxPool2d", "kernel_size": 2},
    {"type": "Identity"},
]

leaf = st.sampled_from(LEAVES).map(copy.deepcopy)


def _layers(depth: int) -> st.SearchStrategy:
    if depth == 0:
        return st.lists(leaf, min_size=1, max_size=4)
    inner = _layers(depth - 1)
    block = st.one_of(
        st.builds(lambda body: {"type": "Residual", "body": body}, inner),
        st.builds(lambda body, sc: {"type": "Residual", "body": body, "shortcut": sc}, inner, inner),
        st.builds(lambda br: {"type": "Concat", "branches": br}, st.lists(inner, min_size=1, max_size=3)),
    )
    return st.lists(st.one_of(leaf, block), min_size=1, max_size=4)


specs = st.builds(lambda layers: {"name": "t", "input": [8, 16, 16], "layers": layers}, _layers(2))


def _reference_paths(spec: dict) -> list[tuple[str, dict]]:
    """Independent walk: a queue-free recursive listing written from the path grammar."""
    found: list[tuple[str, dict]] = []

    def visit(layers: list, prefix: list[str]) -> None:
        for index in range(len(layers)):
            layer = layers[index]
            here = [*prefix, str(index)]
            found.append((".".join(here), layer))
            if layer["type"] == "Residual":
                visit(layer["body"], [*here, "body"])
                if "shortcut" in layer:
                    visit(layer["shortcut"], [*here, "shortcut"])
            if layer["type"] == "Concat":
                for b in range(len(layer["branches"])):
                    visit(layer["branches"][b], [*here, "branches", str(b)])

    visit(spec["layers"], ["layers"])
    return found


@settings(max_examples=60, deadline=None)
@given(specs)
def test_paths_match_an_independent_walk_and_get_layer(spec: dict) -> None:
    ref = _reference_paths(spec)
    assert se.layer_paths(spec) == [p for p, _ in ref]
    for path, layer in ref:
        assert se.get_layer(spec, path) == layer


@settings(max_examples=60, deadline=None)
@given(specs, st.data())
def test_edits_never_mutate_and_invert(spec: dict, data: st.DataObject) -> None:
    frozen = json.dumps(spec, sort_keys=True)
    paths = se.layer_paths(spec)
    path = data.draw(st.sampled_from(paths))
    new_leaf = data.draw(leaf)

    inserted = se.add_after(spec, path, new_leaf)
    list_path, index = se.split_path(path)
    assert se.get_layer(inserted, f"{list_path}.{index + 1}") == new_leaf
    assert len(se.layer_paths(inserted)) == len(paths) + 1
    assert se.remove_layer(inserted, f"{list_path}.{index + 1}") == spec

    removed = se.remove_layer(spec, path)
    assert se.insert_layer(removed, list_path, index, se.get_layer(spec, path)) == spec

    wrapped = se.wrap_residual(spec, path)
    assert se.get_layer(wrapped, path)["type"] == "Residual"
    assert se.get_layer(wrapped, f"{path}.body.0") == se.get_layer(spec, path)
    assert se.unwrap(wrapped, path) == spec
    concat = se.wrap_concat(spec, path)
    assert se.get_layer(concat, f"{path}.branches.0.0") == se.get_layer(spec, path)
    assert se.get_layer(concat, f"{path}.branches.1.0") == {"type": "Identity"}
    assert se.unwrap(concat, path) == spec

    siblings = len(se._list_at(spec, list_path))
    if index + 1 < siblings:
        moved, new_path = se.move_layer(spec, path, +1)
        assert se.get_layer(moved, new_path) == se.get_layer(spec, path)
        back, back_path = se.move_layer(moved, new_path, -1)
        assert back == spec and back_path == path
    else:
        with pytest.raises(se.EditError):
            se.move_layer(spec, path, +1)

    changed = se.update_args(spec, path, {"note": 1})
    assert se.get_layer(changed, path) == {**se.get_layer(spec, path), "note": 1}
    assert json.dumps(spec, sort_keys=True) == frozen  # nothing above touched the input


def test_replace_args_keeps_type_and_nested_layers() -> None:
    spec = {"input": [3, 8, 8], "layers": [{"type": "Residual", "body": [{"type": "ReLU"}]}]}
    out = se.replace_args(spec, "layers.0", {"shortcut": [{"type": "Tanh"}], "type": "Linear"})
    # a block's type and nested lists come from the old layer, not from the typed arguments
    assert out["layers"] == [{"type": "Residual", "body": [{"type": "ReLU"}]}]
    out = se.replace_args(
        {"input": [3, 8, 8], "layers": [{"type": "Conv2d", "out_channels": 4, "kernel_size": 3}]},
        "layers.0",
        {"out_channels": 7, "kernel_size": 5},
    )
    assert out["layers"] == [{"type": "Conv2d", "out_channels": 7, "kernel_size": 5}]
    with pytest.raises(se.EditError):
        se.replace_args(spec, "layers.0", [1, 2])


def test_bad_paths_raise_edit_errors_with_messages_in_both_languages() -> None:
    spec = {"input": [3, 8, 8], "layers": [{"type": "ReLU"}]}
    for bad in ("layers.5", "foo.0", "layers.0.body.0", "layers.x", "", "layers"):
        with pytest.raises(se.EditError) as info:
            se.remove_layer(spec, bad)
        assert info.value.localized("es") != str(info.value)
    with pytest.raises(se.EditError):
        se.set_layer(spec, "layers.0", {"out_channels": 3})
    with pytest.raises(se.EditError):
        se.add_branch(spec, "layers.0")
    with pytest.raises(se.EditError):
        se.new_layer("Conv3d")


def test_add_branch_list_paths_and_set_input() -> None:
    spec = se.wrap_concat({"input": [3, 8, 8], "layers": [{"type": "ReLU"}]}, "layers.0")
    spec = se.add_branch(spec, "layers.0", [{"type": "Conv2d", "out_channels": 2, "kernel_size": 1}])
    assert se.list_paths(spec) == ["layers", "layers.0.branches.0", "layers.0.branches.1", "layers.0.branches.2"]
    assert se.set_input(spec, (1, 28, 28))["input"] == [1, 28, 28]
    assert se.add_after(spec, None, se.new_layer("Flatten"))["layers"][-1] == {"type": "Flatten"}


def test_paths_agree_with_the_engine_summary() -> None:
    engine = pytest.importorskip("convviz.arithmetic.summary")
    from convviz.arithmetic.presets import get_preset

    for name in ("resnet18", "googlenet"):
        spec = get_preset(name)
        rows = engine.summarize(spec).layers
        assert se.layer_paths(spec) == [row.path for row in rows]
