"""Development-only cross-check of the engine against PyTorch (needs torch; CI does not run it).

`python bench/torch_check_engine.py` builds random 1-D stacks (conv, transposed conv, avg
pool, residual) as torch modules, by running the code of the app's "Copy as PyTorch"
(`convviz.arithmetic.export.to_pytorch`), and checks the engine's receptive fields of them
against the non-zero support of autograd's input gradient of each interior output unit.
Every preset's per-layer shapes and parameter counts against PyTorch's are a test:
`tests/test_pytorch_export.py` (it runs when torch is installed).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convviz.arithmetic.export import to_pytorch  # noqa: E402
from convviz.arithmetic.summary import summarize  # noqa: E402


def torch_model(spec: dict) -> tuple[nn.Module, object]:
    """The network as PyTorch modules, built by running the app's own "Copy as PyTorch" code
    (:func:`convviz.arithmetic.export.to_pytorch`), and the engine's summary of it."""
    namespace: dict = {"__name__": "generated"}
    exec(compile(to_pytorch(spec), "<generated>", "exec"), namespace)  # noqa: S102 - our own code
    return namespace["model"], summarize(spec)


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
    check_fields()
