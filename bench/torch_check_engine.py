"""Development-only cross-check of the engine against PyTorch (needs torch; CI does not run it).

`python bench/torch_check_engine.py` builds every preset as torch modules from its spec and
compares per-layer output shapes, parameter and buffer counts; then checks receptive fields of
random 1-D stacks (conv, transposed conv, avg pool, residual) against the non-zero support of
autograd's input gradient of each interior output unit.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convviz.arithmetic.presets import get_preset, list_presets  # noqa: E402
from convviz.arithmetic.spec import ConcatNode, LayerNode, ResidualNode, ScaleNode, parse_spec  # noqa: E402
from convviz.arithmetic.summary import summarize  # noqa: E402


class Res(nn.Module):
    def __init__(self, body: nn.Module, short: nn.Module | None) -> None:
        super().__init__()
        self.body, self.short = body, short

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x) + (x if self.short is None else self.short(x))


class Cat(nn.Module):
    def __init__(self, branches: list[nn.Module]) -> None:
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([b(x) for b in self.branches], 1)


class Scale(nn.Module):
    """input * body(input): the body's (C, 1, 1) or (C,) weights broadcast over (C, H, W)."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.body(x)
        return x * w.reshape(w.shape[0], -1, 1, 1)


class Side(nn.Module):
    """A side output: the body runs (its shapes are checked), the main path keeps the input."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.body(x)
        return x


def build(nodes: list, rows: dict) -> nn.Sequential:  # noqa: ANN001
    mods: list[nn.Module] = []
    for n in nodes:
        if isinstance(n, LayerNode):
            mods.append(getattr(nn, n.type)(**rows[n.path].args))
        elif isinstance(n, ResidualNode):
            mods.append(Res(build(n.body, rows), None if n.shortcut is None else build(n.shortcut, rows)))
        elif isinstance(n, ConcatNode):
            mods.append(Cat([build(b, rows) for b in n.branches]))
        elif isinstance(n, ScaleNode):
            mods.append(Scale(build(n.body, rows)))
        else:
            mods.append(Side(build(n.body, rows)))
    return nn.Sequential(*mods)


def torch_model(spec: dict) -> tuple[nn.Module, object]:
    s = summarize(spec)
    return build(parse_spec(spec).layers, {r.path: r for r in s.layers}), s


def check_presets() -> None:
    for name in list_presets():
        model, s = torch_model(get_preset(name))
        model.eval()
        shapes: list[tuple[int, ...]] = []
        for mod in model.modules():
            if not list(mod.children()):
                mod.register_forward_hook(lambda m, i, o, out=shapes: out.append(tuple(o.shape[1:])))
        with torch.no_grad():
            model(torch.zeros(1, *s.input_shape))
        ok = (sum(p.numel() for p in model.parameters()) == s.total_params
              and sum(b.numel() for b in model.buffers()) == s.total_buffers
              and shapes == [r.output_shape for r in s.layers if not r.is_block])
        print(f"{name:<24} {'OK' if ok else 'MISMATCH'}  params {s.total_params:,}")


def check_fields(trials: int = 150) -> None:
    rng = random.Random(1)
    bad = tested = 0
    for _ in range(trials):
        layers = []
        for _ in range(rng.randint(1, 4)):
            kind, k, s, d = rng.choice("ctap"), rng.randint(1, 4), rng.randint(1, 3), rng.randint(1, 2)
            if kind == "c":
                layers.append({"type": "Conv2d", "out_channels": 1, "kernel_size": [k, 1], "stride": [s, 1],
                               "dilation": [d, 1], "padding": [rng.randint(0, 2), 0], "bias": False})
            elif kind == "t":
                layers.append({"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": [k, 1],
                               "stride": [s, 1], "dilation": [d, 1], "padding": [rng.randint(0, 1), 0],
                               "bias": False})
            elif kind == "a":
                layers.append({"type": "AvgPool2d", "kernel_size": [k, 1], "stride": [s, 1]})
            else:
                layers.append({"type": "Residual", "body": [{"type": "Conv2d", "out_channels": 1,
                               "kernel_size": [3, 1], "dilation": [d, 1], "padding": "same", "bias": False}]})
        n = 80
        try:
            model, s = torch_model({"input": [1, n, 1], "layers": layers})
        except ValueError:
            continue
        rf = s.top_rows[-1].receptive_field
        if rf is None:
            continue
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.rand_like(p) + 0.1)
        x = torch.rand(1, 1, n, 1, requires_grad=True)
        y = model(x)
        for o in range(y.shape[2]):
            lo, hi = rf.h.bounds(o)
            if lo < 15 or hi > n - 16:
                continue
            (g,) = torch.autograd.grad(y[0, 0, o, 0], x, retain_graph=True)
            nz = torch.nonzero(g[0, 0, :, 0]).flatten().tolist()
            tested += 1
            bad += ((min(nz), max(nz)) if nz else (1, 0)) != (lo, hi)
    print(f"receptive fields: {tested} interior units checked, {bad} mismatches")


if __name__ == "__main__":
    check_presets()
    check_fields()
