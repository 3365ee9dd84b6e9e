"""Regenerate torch_layer_cases.json: what PyTorch itself says about random layer settings.

Development-only (needs torch; CI does not): `python tests/data/make_torch_cases.py`.
Each case is a one-layer spec in ConvViz's JSON format, an input shape [C, H, W], and
PyTorch's answer: the output shape without the batch axis, or "error" with its message.
The engine's tests replay every case, so PyTorch is the oracle without being a dependency.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import torch
from torch import nn

OUT = Path(__file__).with_name("torch_layer_cases.json")


def pair(rng: random.Random, lo: int, hi: int) -> int | list[int]:
    a = rng.randint(lo, hi)
    return a if rng.random() < 0.6 else [a, rng.randint(lo, hi)]


def build(spec: dict, cin: int) -> nn.Module:
    args = {k: v for k, v in spec.items() if k != "type"}
    kind = spec["type"]
    if kind == "Conv2d":
        return nn.Conv2d(cin, **args)
    if kind == "ConvTranspose2d":
        return nn.ConvTranspose2d(cin, **args)
    return getattr(nn, kind)(**args)


def random_case(rng: random.Random) -> tuple[dict, list[int]]:
    kind = rng.choice(["Conv2d", "Conv2d", "ConvTranspose2d", "ConvTranspose2d", "MaxPool2d",
                       "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"])
    c = rng.choice([1, 2, 3, 4, 6, 8])
    shape = [c, rng.randint(1, 12), rng.randint(1, 12)]
    if kind in ("Conv2d", "ConvTranspose2d"):
        spec = {"type": kind, "out_channels": rng.choice([1, 2, 4, 6, 8]),
                "kernel_size": pair(rng, 1, 6), "stride": pair(rng, 1, 4),
                "dilation": pair(rng, 1, 3), "groups": rng.choice([1, 1, 1, 2, 3, 4]),
                "bias": rng.random() < 0.5}
        if kind == "Conv2d":
            spec["padding"] = rng.choice([pair(rng, 0, 3), "same", "valid", 0])
        else:
            spec["padding"] = pair(rng, 0, 3)
            spec["output_padding"] = pair(rng, 0, 3)
    elif kind in ("MaxPool2d", "AvgPool2d"):
        spec = {"type": kind, "kernel_size": pair(rng, 1, 5),
                "stride": rng.choice([None, pair(rng, 1, 4)]),
                "padding": pair(rng, 0, 3), "ceil_mode": rng.random() < 0.5}
        if kind == "MaxPool2d":
            spec["dilation"] = pair(rng, 1, 3)
        else:
            spec["count_include_pad"] = rng.random() < 0.5
    else:
        spec = {"type": kind, "output_size": rng.choice(
            [rng.randint(1, 8), [rng.randint(1, 8), rng.randint(1, 8)], [None, rng.randint(1, 8)]])}
    return spec, shape


def main() -> None:
    rng = random.Random(20261128)
    cases = []
    while len(cases) < 2000:
        spec, shape = random_case(rng)
        try:
            with torch.no_grad():
                y = build(spec, shape[0])(torch.zeros(1, *shape))
            answer: dict = {"output_shape": list(y.shape[1:])}
            if min(y.shape) == 0:
                continue  # PyTorch returns an empty tensor here; not a network anyone builds
        except (RuntimeError, ValueError) as exc:
            answer = {"error": str(exc).splitlines()[0][:200]}
        cases.append({"input": shape, "layer": spec, **answer})
    OUT.write_text(json.dumps({"torch_version": torch.__version__, "cases": cases}, indent=0))
    errors = sum("error" in c for c in cases)
    print(f"{len(cases)} cases ({errors} rejected by PyTorch) -> {OUT}")


if __name__ == "__main__":
    main()
