"""summarize(): the stable to_dict() format, row order and paths, blocks, totals, loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import convviz
from convviz import SpecError
from convviz.arithmetic.formatting import giga, human, human_bytes, render
from convviz.arithmetic.summary import summarize

TINY = {
    "name": "tiny",
    "input": [3, 8, 8],
    "layers": [
        {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1},
        {"type": "Residual", "body": [
            {"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "stride": 2, "padding": 1},
            {"type": "BatchNorm2d"}],
         "shortcut": [{"type": "Conv2d", "out_channels": 8, "kernel_size": 1, "stride": 2}]},
        {"type": "Concat", "branches": [
            [{"type": "Conv2d", "out_channels": 2, "kernel_size": 1}],
            [{"type": "MaxPool2d", "kernel_size": 3, "stride": 1, "padding": 1}]]},
        {"type": "Flatten"},
        {"type": "Linear", "out_features": 10},
    ],
}


def test_to_dict_has_exactly_the_documented_keys() -> None:
    d = convviz.summarize(TINY).to_dict()
    assert set(d) == {"name", "input_shape", "output_shape", "total_params", "trainable_params",
                      "total_macs", "layers"}
    assert d["input_shape"] == [3, 8, 8] and d["output_shape"] == [10]
    for row in d["layers"]:
        assert set(row) == {"path", "type", "output_shape", "params", "macs", "memory_bytes",
                            "receptive_field", "warnings"}
        rf = row["receptive_field"]
        assert rf is None or set(rf) == {"size", "jump", "start"}
    json.dumps(d)  # plain JSON


def test_rows_blocks_before_children_with_paths_and_depths() -> None:
    s = summarize(TINY)
    assert [(r.path, r.depth, r.type) for r in s.layers] == [
        ("layers.0", 0, "Conv2d"),
        ("layers.1", 0, "Residual"),
        ("layers.1.body.0", 1, "Conv2d"),
        ("layers.1.body.1", 1, "BatchNorm2d"),
        ("layers.1.shortcut.0", 1, "Conv2d"),
        ("layers.2", 0, "Concat"),
        ("layers.2.branches.0.0", 1, "Conv2d"),
        ("layers.2.branches.1.0", 1, "MaxPool2d"),
        ("layers.3", 0, "Flatten"),
        ("layers.4", 0, "Linear"),
    ]
    assert s.row("layers.2").output_shape == (10, 4, 4)
    assert s.row("layers.1").input_shape == (4, 8, 8)


def test_totals_add_up_the_leaf_layers_and_blocks_sum_their_children() -> None:
    s = summarize(TINY)
    leaves = [r for r in s.layers if not r.is_block]
    assert s.total_params == sum(r.params for r in leaves) == s.trainable_params
    assert s.total_macs == sum(r.macs for r in leaves)
    assert s.total_buffers == 2 * 8 + 1
    block = s.row("layers.1")
    assert block.params == sum(s.row(p).params for p in ("layers.1.body.0", "layers.1.body.1", "layers.1.shortcut.0"))
    # memory: every layer output plus the tensors the blocks produce (sum, concatenation)
    blocks = [r for r in s.layers if r.is_block]
    assert s.total_memory_elems == sum(r.memory_elems for r in leaves) + sum(
        r.output_shape[0] * r.output_shape[1] * r.output_shape[2] for r in blocks)
    assert s.total_memory_bytes == 4 * s.total_memory_elems
    # hand count: conv 4*27+4, body conv 8*36+8, bn 16, shortcut 8*4+8, branch 2*8+2, linear 160*10+10
    assert s.total_params == 112 + 296 + 16 + 40 + 18 + 1610


def test_residual_shapes_must_match_and_the_error_names_both() -> None:
    spec = {"input": [4, 8, 8], "layers": [{"type": "Residual", "body": [
        {"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1}]}]}
    with pytest.raises(SpecError) as info:
        summarize(spec)
    text = str(info.value)
    assert text.startswith("layers.0: ") and "(8, 8, 8)" in text and "(4, 8, 8)" in text
    assert "identity" in text


def test_concat_needs_the_same_spatial_size() -> None:
    spec = {"input": [4, 8, 8], "layers": [{"type": "Concat", "branches": [
        [{"type": "Conv2d", "out_channels": 2, "kernel_size": 1}],
        [{"type": "Conv2d", "out_channels": 2, "kernel_size": 3}]]}]}
    with pytest.raises(SpecError, match=r"layers.0: branch 1 gives \(2, 6, 6\) but branch 0 gives \(2, 8, 8\)"):
        summarize(spec)


def test_errors_deep_inside_blocks_name_the_full_path() -> None:
    spec = {"input": [4, 8, 8], "layers": [{"type": "Concat", "branches": [
        [{"type": "Conv2d", "out_channels": 2, "kernel_size": 1}],
        [{"type": "ReLU"}, {"type": "Conv2d", "out_channels": 2, "kernel_size": 9}]]}]}
    with pytest.raises(SpecError, match=r"^layers.0.branches.1.1: height: kernel 9 does not fit"):
        summarize(spec)
    with pytest.raises(SpecError, match=r"^layers.0.body.0: unknown layer type"):
        summarize({"input": [1, 4, 4], "layers": [{"type": "Residual", "body": [{"type": "Relu"}]}]})


def test_loading_from_a_file_json_text_and_input_override(tmp_path: Path) -> None:
    path = tmp_path / "net.json"
    path.write_text(json.dumps(TINY))
    assert summarize(str(path)).total_params == summarize(TINY).total_params
    assert summarize(path).output_shape == (10,)
    assert summarize(json.dumps(TINY)).output_shape == (10,)
    assert summarize("lenet5", "1,28,28").layers[3].output_shape == (16, 8, 8)
    with pytest.raises(SpecError, match="in_features is 400, but the previous layer gives 256"):
        summarize({**convviz.arithmetic.presets.get_preset("lenet5"),
                   "layers": [*convviz.arithmetic.presets.get_preset("lenet5")["layers"][:7],
                              {"type": "Linear", "in_features": 400, "out_features": 120}]}, [1, 28, 28])
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(SpecError, match="not valid JSON"):
        summarize(str(bad))
    with pytest.raises(SpecError, match="neither a preset"):
        summarize("no_such_thing")
    with pytest.raises(SpecError, match="no input shape"):
        summarize({"layers": []})
    with pytest.raises(SpecError, match="input shape must be"):
        summarize(TINY, [3, 0, 8])
    with pytest.raises(SpecError, match="unknown key 'layer'"):
        summarize({"input": [1, 4, 4], "layer": []})


def test_warnings_in_both_languages() -> None:
    s = summarize("lecture_7x7_stride3")
    en, es = s.warnings_text("en"), s.warnings_text("es")
    assert len(en) == 2 and en[0].startswith("layers.0: height: ") and "2.33" in en[0]
    assert es[0].startswith("layers.0: alto: ")


def test_renderers() -> None:
    s = summarize(TINY)
    table = render(s, "table")
    assert "layers.1.body.0 Conv2d" in table and "Warnings" in table
    csv_text = render(s, "csv")
    assert csv_text.splitlines()[0].startswith("path,depth,type,input_shape,output_shape,params")
    assert len(csv_text.splitlines()) == len(s.layers) + 1
    assert json.loads(render(s, "json")) == s.to_dict()
    md = render(s, "markdown", "es")
    assert "| Capa |" in md and "`layers.2.branches.1.0`" in md
    with pytest.raises(ValueError):
        render(s, "xml")


def test_human_units() -> None:
    assert human(61_100_840) == "61.1 M"
    assert human(138_357_544) == "138 M"
    assert human(999_960) == "1.00 M"
    assert human(280) == "280"
    assert giga(714_188_480) == "0.71 G"
    assert human_bytes(602_112) == "602 kB" and human_bytes(12) == "12 B"
