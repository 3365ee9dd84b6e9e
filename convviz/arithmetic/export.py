""""Copy as PyTorch": a network spec -> runnable ``torch.nn`` code, as text.

The spec's layers already use PyTorch's names and arguments, so each layer becomes
``nn.<type>(<inferred sizes>, <its arguments>)``. What the spec may leave out
(``in_channels``, ``in_features``, ``num_features``) is taken from the input shape the
engine computes for that layer. Blocks become two small module classes written into the
generated code (only when used):

* ``Residual(body, shortcut=None)``: ``forward(x) = body(x) + shortcut(x)``
  (identity shortcut when none is given);
* ``Concat(*branches)``: ``forward(x) = torch.cat([b(x) for b in branches], dim=1)``;
* ``Scale(body)``: ``forward(x) = x * body(x)`` with the body's per-channel weights
  (``(N, C, 1, 1)`` or ``(N, C)``) broadcast over height and width (a squeeze-and-excitation
  block);
* ``Side(body)``: ``forward(x)`` keeps ``body(x)`` in ``self.output`` (a side output, e.g. an
  auxiliary classifier: read ``module.output`` after the forward pass) and returns ``x``.

The code needs only ``torch``; nothing from ConvViz. The engine raises
:class:`convviz.SpecError` for a network it cannot build; this module then raises it too.
"""

from __future__ import annotations

from typing import Any

from convviz.arithmetic.summary import summarize

NESTED = ("type", "name", "body", "shortcut", "branches")  # not constructor arguments

# PyTorch's positional order for the arguments we write first.
LEADING: dict[str, tuple[str, ...]] = {
    "Conv2d": ("in_channels", "out_channels", "kernel_size"),
    "ConvTranspose2d": ("in_channels", "out_channels", "kernel_size"),
    "Linear": ("in_features", "out_features"),
    "BatchNorm2d": ("num_features",),
    "MaxPool2d": ("kernel_size",),
    "AvgPool2d": ("kernel_size",),
    "AdaptiveAvgPool2d": ("output_size",),
    "AdaptiveMaxPool2d": ("output_size",),
}

RESIDUAL_CLASS = '''
class Residual(nn.Module):
    """y = body(x) + shortcut(x); the shortcut is the identity when none is given."""

    def __init__(self, body: nn.Module, shortcut: nn.Module | None = None) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut if shortcut is not None else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + self.shortcut(x)
'''

CONCAT_CLASS = '''
class Concat(nn.Module):
    """y = the branches' outputs stacked along the channel axis."""

    def __init__(self, *branches: nn.Module) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)
'''


SCALE_CLASS = '''
class Scale(nn.Module):
    """y = x * body(x): the body's per-channel weights (N, C, 1, 1) or (N, C) rescale x's channels."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.body(x)
        return x * w.reshape(w.shape[0], w.shape[1], 1, 1)
'''

SIDE_CLASS = '''
class Side(nn.Module):
    """A side output: body(x) is kept in self.output; the main path goes on with x unchanged."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body
        self.output: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.output = self.body(x)
        return x
'''

BLOCK_CLASSES = {"Residual": RESIDUAL_CLASS, "Concat": CONCAT_CLASS, "Scale": SCALE_CLASS, "Side": SIDE_CLASS}


def _literal(value: Any) -> str:
    """Python source for a JSON value (lists become tuples, as PyTorch writes sizes)."""
    if isinstance(value, list):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _shape_text(shape: Any) -> str:
    return "x".join(str(v) for v in shape) if shape is not None else "?"


class _Writer:
    def __init__(self, rows: dict[str, Any]) -> None:
        self.rows = rows
        self.used: set[str] = set()

    def layer(self, layer: dict[str, Any], path: str, indent: int) -> list[str]:
        kind = str(layer["type"])
        pad = " " * indent
        row = self.rows.get(path)
        comment = f"  # {path}: {_shape_text(getattr(row, 'output_shape', None))}"
        if kind == "Residual":
            self.used.add("Residual")
            lines = [f"{pad}Residual({comment}", *self.sequential(layer.get("body") or [], f"{path}.body", indent + 4)]
            if layer.get("shortcut") is not None:
                lines += self.sequential(layer["shortcut"], f"{path}.shortcut", indent + 4)
            return [*lines, f"{pad}),"]
        if kind in ("Scale", "Side"):
            self.used.add(kind)
            lines = [f"{pad}{kind}({comment}", *self.sequential(layer.get("body") or [], f"{path}.body", indent + 4)]
            return [*lines, f"{pad}),"]
        if kind == "Concat":
            self.used.add("Concat")
            lines = [f"{pad}Concat({comment}"]
            for b, branch in enumerate(layer.get("branches") or []):
                lines += self.sequential(branch, f"{path}.branches.{b}", indent + 4)
            return [*lines, f"{pad}),"]
        return [f"{pad}nn.{kind}({self.arguments(kind, layer, row)}),{comment}"]

    def arguments(self, kind: str, layer: dict[str, Any], row: Any) -> str:
        args = {k: v for k, v in layer.items() if k not in NESTED}
        in_shape = getattr(row, "input_shape", None)
        if in_shape:
            if kind in ("Conv2d", "ConvTranspose2d"):
                args.setdefault("in_channels", in_shape[0])
            elif kind == "BatchNorm2d":
                args.setdefault("num_features", in_shape[0])
            elif kind == "Linear":
                args.setdefault("in_features", in_shape[-1])
        if kind == "Softmax":
            args.setdefault("dim", 1)  # the class axis of a (batch, classes) tensor
        parts = [_literal(args.pop(name)) for name in LEADING.get(kind, ()) if name in args]
        parts += [f"{k}={_literal(v)}" for k, v in args.items()]
        return ", ".join(parts)

    def sequential(self, layers: list[dict[str, Any]], prefix: str, indent: int) -> list[str]:
        pad = " " * indent
        lines = [f"{pad}nn.Sequential("]
        for i, layer in enumerate(layers):
            lines += self.layer(layer, f"{prefix}.{i}", indent + 4)
        return [*lines, f"{pad}),"]


def to_pytorch(spec: Any, input_shape: Any = None) -> str:
    """``torch.nn`` source code for ``spec`` (a spec dict, file path or preset name).

    The code defines ``model`` (an ``nn.Sequential``) and, run as a script, prints the output
    shape and parameter count of one random input, which match the ConvViz summary."""
    summary = summarize(spec, input_shape)
    rows = {row.path: row for row in summary.layers}
    from convviz.arithmetic.spec import load_spec  # the engine's spec loader (dict, file or preset)

    spec_dict = load_spec(spec) if not isinstance(spec, dict) else spec
    writer = _Writer(rows)
    body: list[str] = ["model = nn.Sequential("]
    for i, layer in enumerate(spec_dict.get("layers") or []):
        body += writer.layer(layer, f"layers.{i}", 4)
    body.append(")")
    in_shape = ", ".join(str(v) for v in summary.input_shape)
    name = str(summary.name or spec_dict.get("name") or "network")
    header = [
        f'"""{name}: generated by ConvViz from its JSON spec."""',
        "",
        "import torch",
        "from torch import nn",
        "",
    ]
    helpers: list[str] = []
    for kind, source in BLOCK_CLASSES.items():
        if kind in writer.used:
            helpers += source.splitlines() + [""]
    footer = [
        "",
        'if __name__ == "__main__":',
        "    model.eval()",
        f"    x = torch.randn(1, {in_shape})",
        f"    print(model(x).shape)  # ConvViz: (1, {', '.join(str(v) for v in summary.output_shape)})",
        f"    print(sum(p.numel() for p in model.parameters()))  # ConvViz: {summary.total_params:,}",
    ]
    if summary.side_outputs:
        shapes = ", ".join("(1, " + ", ".join(map(str, shape)) + ")" for _, shape in summary.side_outputs)
        footer.append(f"    print([m.output.shape for m in model.modules() if isinstance(m, Side)])  # ConvViz: {shapes}")
    return "\n".join([*header, *helpers, "", *body, *footer]) + "\n"
