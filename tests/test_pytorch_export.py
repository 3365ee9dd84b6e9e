"""'Copy as PyTorch': the generated code is valid Python and, when torch is importable,
builds a model whose every layer has the engine's output shape and parameter count."""

from __future__ import annotations

import ast

import pytest

from convviz.arithmetic.export import to_pytorch
from convviz.arithmetic.presets import list_presets
from convviz.arithmetic.summary import summarize

SMALL = {
    "name": "blocks",
    "input": [3, 17, 15],
    "layers": [
        {"type": "Conv2d", "out_channels": 8, "kernel_size": [3, 5], "padding": "same", "bias": False},
        {"type": "BatchNorm2d"},
        {"type": "LeakyReLU", "negative_slope": 0.2},
        {"type": "Residual", "body": [{"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1, "groups": 2}]},
        {"type": "Residual", "body": [{"type": "Conv2d", "out_channels": 12, "kernel_size": 3, "stride": 2, "padding": 1}],
         "shortcut": [{"type": "Conv2d", "out_channels": 12, "kernel_size": 1, "stride": 2}]},
        {"type": "Concat", "branches": [[{"type": "Conv2d", "out_channels": 4, "kernel_size": 1}],
                                         [{"type": "MaxPool2d", "kernel_size": 3, "stride": 1, "padding": 1}]]},
        {"type": "ConvTranspose2d", "out_channels": 6, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
        {"type": "AvgPool2d", "kernel_size": 3, "stride": 2, "ceil_mode": True, "count_include_pad": False},
        {"type": "AdaptiveAvgPool2d", "output_size": [2, None]},
        {"type": "Dropout2d", "p": 0.1},
        {"type": "Flatten"},
        {"type": "Linear", "out_features": 5},
        {"type": "Softmax", "dim": 1},
    ],
}

SE_SIDE = {
    "name": "scale_side",
    "input": [16, 9, 9],
    "layers": [
        {"type": "Scale", "body": [
            {"type": "AdaptiveAvgPool2d", "output_size": 1},
            {"type": "Conv2d", "out_channels": 4, "kernel_size": 1}, {"type": "ReLU"},
            {"type": "Conv2d", "out_channels": 16, "kernel_size": 1}, {"type": "Sigmoid"}]},
        {"type": "Side", "body": [{"type": "AdaptiveAvgPool2d", "output_size": 2}, {"type": "Flatten"},
                                  {"type": "Linear", "out_features": 7}]},
        {"type": "Scale", "body": [{"type": "AdaptiveMaxPool2d", "output_size": 1}, {"type": "Flatten"}, {"type": "Softmax"}]},
        {"type": "Conv2d", "out_channels": 3, "kernel_size": 3},
    ],
}

CASES = [SMALL, SE_SIDE, *list_presets()]


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s if isinstance(s, str) else s["name"])
def test_generated_code_is_valid_python_naming_every_layer(spec) -> None:
    code = to_pytorch(spec)
    tree = ast.parse(code)
    calls = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    leaf_types = {row.type for row in summarize(spec).layers if not row.is_block}
    assert leaf_types <= calls | {"Residual", "Concat", "Scale", "Side"}
    for row in summarize(spec).layers:
        assert f"# {row.path}:" in code


def _module_at(model, path: str):
    """The torch module for a ConvViz path (layers.4.body.0, layers.7.branches.1.0, ...)."""
    parts = path.split(".")[1:]
    module = model[int(parts[0])]
    k = 1
    while k < len(parts):
        if parts[k] in ("body", "shortcut"):
            module = getattr(module, parts[k])[int(parts[k + 1])]
            k += 2
        else:  # branches.b.i
            module = module.branches[int(parts[k + 1])][int(parts[k + 2])]
            k += 3
    # a Side block returns its input: its row (the side output) is its body's output
    return module.body if type(module).__name__ == "Side" else module


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s if isinstance(s, str) else s["name"])
def test_torch_builds_the_engine_shapes_and_parameter_counts(spec) -> None:
    torch = pytest.importorskip("torch")
    summary = summarize(spec)
    namespace: dict = {"__name__": "generated"}
    # the meta device builds the modules and propagates shapes without allocating or computing
    with torch.device("meta"):
        exec(compile(to_pytorch(spec), "<generated>", "exec"), namespace)
        model = namespace["model"].eval()
        seen: dict[str, tuple[int, ...]] = {}
        for row in summary.layers:
            module = _module_at(model, row.path)
            module.register_forward_hook(lambda m, i, o, p=row.path: seen.__setitem__(p, tuple(o.shape[1:])))
        out = model(torch.empty(1, *summary.input_shape))
    assert tuple(out.shape[1:]) == tuple(summary.output_shape)
    assert sum(p.numel() for p in model.parameters()) == summary.total_params
    for row in summary.layers:
        module = _module_at(model, row.path)
        assert seen[row.path] == tuple(row.output_shape), row.path
        assert sum(p.numel() for p in module.parameters()) == row.params, row.path


def test_small_network_runs_for_real_and_as_a_script(capsys) -> None:
    torch = pytest.importorskip("torch")
    code = to_pytorch(SMALL)
    namespace: dict = {"__name__": "generated"}
    exec(compile(code, "<generated>", "exec"), namespace)
    y = namespace["model"].eval()(torch.randn(2, 3, 17, 15))
    assert y.shape == (2, 5)
    assert torch.allclose(y.sum(dim=1), torch.ones(2))
    # run as a script (its __main__ part), in this process to avoid importing torch twice
    exec(compile(code, "<generated>", "exec"), {"__name__": "__main__"})
    printed = capsys.readouterr().out.splitlines()
    assert printed == ["torch.Size([1, 5])", str(summarize(SMALL).total_params)]


def test_invalid_network_raises_the_engine_error() -> None:
    from convviz import SpecError

    bad = {"input": [3, 4, 4], "layers": [{"type": "Conv2d", "out_channels": 2, "kernel_size": 7}]}
    with pytest.raises(SpecError) as info:
        to_pytorch(bad)
    assert info.value.path == "layers.0"
