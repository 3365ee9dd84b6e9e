"""Practice exercises on the lecture's arithmetic, generated from a seed and answered by the engine.

``exercise_set(seed, level)`` gives one exercise of each kind in :data:`KINDS` (the same seed
and level give the same set, so a teacher can hand a whole class one link). Every answer is
computed by the engine (:mod:`convviz.arithmetic.sizes`, :func:`convviz.summarize`), never by
a formula written here again; ``check(exercise, text)`` judges a typed answer.

Kinds and what the student computes (N input size, F kernel, S stride, P padding, D dilation):

- ``output_size``: ``floor((N + 2P - D(F-1) - 1)/S) + 1``, the lecture's ``(N + 2P - F)/S + 1``;
- ``same_padding``: the padding per side that keeps the size at stride 1, ``D(F-1)/2``;
- ``tiling_strides``: the strides (1 to 4) whose windows cover the input exactly;
- ``params``: ``Cout * (F*F*Cin + 1)`` (weights and one bias per filter);
- ``mults``: ``Hout * Wout * Cout * F*F*Cin`` multiplications;
- ``receptive_field``: the field of one unit after a few layers, ``r += (F-1)*D*j``, ``j *= S``;
- ``transposed``: ``(N-1)S - 2P + D(F-1) + OP + 1``;
- ``pooling``: as the output size, without padding (``ceil_mode`` at the hard level);
- ``bottleneck``: multiplications of a 1x1 reduction then an FxF convolution.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from convviz.arithmetic import sizes

KINDS: tuple[str, ...] = ("output_size", "same_padding", "tiling_strides", "params", "mults",
                          "receptive_field", "transposed", "pooling", "bottleneck")
LEVELS: tuple[str, ...] = ("easy", "medium", "hard")
TILING_STRIDES = (1, 2, 3, 4)


@dataclass(frozen=True)
class Exercise:
    """One question: its ``kind``, the ``values`` in it, the engine's ``answer`` (one number, or
    the sorted strides of ``tiling_strides``), the ``worked`` values of its solution, and what
    shows it: a one-layer ``layer`` (Layer-arithmetic settings) or a ``network`` spec."""

    kind: str
    level: str
    values: dict[str, int]
    answer: tuple[int, ...]
    worked: dict[str, Any] = field(default_factory=dict)
    layer: dict[str, Any] | None = None
    network: dict[str, Any] | None = None


def _summary(input_shape: list[int], layers: list[dict[str, Any]]) -> Any:
    import convviz

    return convviz.summarize({"name": "exercise", "input": input_shape, "layers": layers})


def _conv(out: int, k: int, s: int = 1, p: int | str = 0, d: int = 1) -> dict[str, Any]:
    return {"type": "Conv2d", "out_channels": out, "kernel_size": k, "stride": s, "padding": p, "dilation": d}


def _output_size(rng: random.Random, level: str) -> Exercise:
    while True:
        f = rng.choice((3, 5) if level == "easy" else (3, 5, 7))
        s = 1 if level == "easy" else rng.choice((1, 2, 3))
        p = 0 if level == "easy" else rng.choice((0, 1, 2))
        d = rng.choice((1, 2)) if level == "hard" else 1
        n = rng.randint(6, 32 if level != "easy" else 16)
        tiling = sizes.Tiling(n, f, s, 2 * p, d)
        if n + 2 * p >= d * (f - 1) + 1 and (level == "hard" or tiling.exact):
            break
    out = sizes.conv_out(n, f, s, p, d)
    v = {"n": n, "f": f, "s": s, "p": p, "d": d}
    return Exercise("output_size", level, v, (out,), {**v, "num": tiling.numerator, "out": out},
                    layer={"op": "conv", "h": n, "k": f, "s": s, "p": p, "d": d})


def _same_padding(rng: random.Random, level: str) -> Exercise:
    f = rng.choice((3, 5) if level == "easy" else (3, 5, 7, 9))
    d = rng.choice((2, 3)) if level == "hard" else 1
    n = rng.randint(8, 64)
    before, after = sizes.same_padding(f, d)
    assert before == after  # odd kernels: the same padding on both sides
    v = {"n": n, "f": f, "d": d}
    return Exercise("same_padding", level, v, (before,), {**v, "p": before},
                    layer={"op": "conv", "h": n, "k": f, "s": 1, "p": before, "d": d})


def _tiling(rng: random.Random, level: str) -> Exercise:
    f = rng.choice((2, 3) if level == "easy" else (3, 5))
    n = rng.randint(f + 2, 13 if level == "easy" else 25)
    p = rng.choice((0, 1)) if level == "hard" else 0
    good = tuple(s for s in TILING_STRIDES if sizes.Tiling(n, f, s, 2 * p, 1).exact)
    v = {"n": n, "f": f, "p": p}
    return Exercise("tiling_strides", level, v, good, {**v, "num": n + 2 * p - f},
                    layer={"op": "conv", "h": n, "k": f, "s": good[-1], "p": p, "d": 1})


def _params(rng: random.Random, level: str) -> Exercise:
    cin = rng.choice((1, 3) if level == "easy" else (3, 16, 32, 64))
    cout = rng.choice((2, 4, 6, 10) if level == "easy" else (8, 16, 32, 64, 128))
    f = rng.choice((1, 3, 5) if level != "easy" else (3, 5))
    n = rng.choice((16, 28, 32))
    summary = _summary([cin, n, n], [_conv(cout, f, p=f // 2)])
    v = {"cin": cin, "cout": cout, "f": f, "n": n}
    return Exercise("params", level, v, (summary.total_params,), {**v, "per": f * f * cin + 1},
                    layer={"op": "conv", "h": n, "k": f, "s": 1, "p": f // 2, "d": 1, "cin": cin, "cout": cout})


def _mults(rng: random.Random, level: str) -> Exercise:
    n = rng.choice((8, 14, 16, 28) if level == "easy" else (14, 28, 32, 56))
    cin = rng.choice((1, 3) if level == "easy" else (3, 16, 64))
    cout = rng.choice((4, 6, 8) if level == "easy" else (16, 32, 64))
    f = rng.choice((3, 5))
    s = rng.choice((1, 2)) if level == "hard" else 1
    summary = _summary([cin, n, n], [_conv(cout, f, s, f // 2)])
    _, ho, wo = summary.output_shape
    v = {"n": n, "cin": cin, "cout": cout, "f": f, "s": s, "p": f // 2}
    return Exercise("mults", level, v, (summary.total_macs,), {**v, "ho": ho, "wo": wo, "per": f * f * cin},
                    layer={"op": "conv", "h": n, "k": f, "s": s, "p": f // 2, "d": 1, "cin": cin, "cout": cout})


def _receptive_field(rng: random.Random, level: str) -> Exercise:
    count = {"easy": 2, "medium": 3, "hard": 3}[level]
    layers, shown = [], []
    for _ in range(count):
        f = rng.choice((3, 5) if level != "easy" else (3,))
        s = rng.choice((1, 2)) if level != "easy" else 1
        d = rng.choice((1, 2)) if level == "hard" else 1
        layers.append(_conv(4, f, s, d * (f // 2), d))
        shown.append({"f": f, "s": s, "d": d})
    summary = _summary([1, 64, 64], layers)
    size = summary.layers[-1].receptive_field.size[0]
    steps, r, j = [], 1, 1
    for layer in shown:  # the worked solution, step by step (the answer is the engine's)
        r += (layer["f"] - 1) * layer["d"] * j
        steps.append({**layer, "j": j, "r": r})
        j *= layer["s"]
    spec = {"name": "exercise", "input": [1, 64, 64], "layers": layers}
    return Exercise("receptive_field", level, {"count": count}, (size,), {"layers": shown, "steps": steps},
                    network=spec)


def _transposed(rng: random.Random, level: str) -> Exercise:
    n = rng.randint(2, 8)
    f = rng.choice((2, 3, 4))
    s = rng.choice((1, 2)) if level == "easy" else rng.choice((2, 3))
    p = 0 if level == "easy" else rng.choice((0, 1))
    op = rng.choice(range(s)) if level == "hard" else 0
    if (n - 1) * s - 2 * p + f + op < 1:
        p = 0
    out = sizes.convt_out(n, f, s, p, op)
    v = {"n": n, "f": f, "s": s, "p": p, "op": op}
    return Exercise("transposed", level, v, (out,), {**v, "out": out},
                    layer={"op": "convt", "h": n, "k": f, "s": s, "p": p, "d": 1, "oph": op})


def _pooling(rng: random.Random, level: str) -> Exercise:
    f = 2 if level == "easy" else rng.choice((2, 3))
    s = f if level != "hard" else rng.choice((2, 3))
    ceil = level == "hard" and rng.random() < 0.5
    n = rng.choice((4, 8, 16, 28, 32)) if level == "easy" else rng.randint(7, 33)
    out = sizes.pool_out(n, f, s, 0, 1, ceil)
    v = {"n": n, "f": f, "s": s, "ceil": int(ceil)}
    return Exercise("pooling", level, v, (out,), {**v, "num": n - f, "out": out},
                    layer={"op": "maxpool", "h": n, "k": f, "s": s, "p": 0, "d": 1, "ceil": ceil})


def _bottleneck(rng: random.Random, level: str) -> Exercise:
    n = rng.choice((7, 14, 28))
    cin = rng.choice((64, 128, 192, 256))
    mid = rng.choice((16, 32) if level != "hard" else (16, 24, 48))
    cout = rng.choice((32, 64))
    f = rng.choice((3, 5))
    spec_layers = [_conv(mid, 1), _conv(cout, f, p=f // 2)]
    summary = _summary([cin, n, n], spec_layers)
    first, second = (row.macs for row in summary.layers)
    v = {"n": n, "cin": cin, "mid": mid, "cout": cout, "f": f}
    spec = {"name": "exercise", "input": [cin, n, n], "layers": spec_layers}
    return Exercise("bottleneck", level, v, (summary.total_macs,), {**v, "a": first, "b": second},
                    network=spec)


_MAKERS = {"output_size": _output_size, "same_padding": _same_padding, "tiling_strides": _tiling,
           "params": _params, "mults": _mults, "receptive_field": _receptive_field,
           "transposed": _transposed, "pooling": _pooling, "bottleneck": _bottleneck}


def exercise(kind: str, seed: int, level: str) -> Exercise:
    """The exercise of ``kind`` for ``seed`` and ``level`` (always the same one)."""
    if kind not in _MAKERS or level not in LEVELS:
        raise ValueError(f"unknown exercise {kind!r} or level {level!r}")
    return _MAKERS[kind](random.Random(f"{seed}:{level}:{kind}"), level)


def exercise_set(seed: int, level: str) -> list[Exercise]:
    """One exercise of each kind, in the lecture's order."""
    return [exercise(kind, seed, level) for kind in KINDS]


_INTEGER = re.compile(r"[+-]?(\d{1,3}([ ,.'\u00a0_]\d{3})+|\d+)")


def parse_answer(text: str, many: bool = False) -> tuple[int, ...] | None:
    """The whole number(s) in ``text``; None when it is not one (``"2.33"``, ``"abc"``).

    Thousands may be grouped with ``,`` ``.`` ``'`` a space or ``_`` (``12,443,648``,
    ``12.443.648``). With ``many``, small numbers separated by commas or spaces (``1, 2, 4``).
    """
    text = (text or "").strip()
    if len(text) > 64:
        return None
    if many:
        parts = [p for p in re.split(r"[,;\s]+", text) if p]
        if not parts or not all(re.fullmatch(r"\d{1,3}", p) for p in parts):
            return None
        return tuple(sorted({int(p) for p in parts}))
    if not _INTEGER.fullmatch(text):
        return None
    return (int(re.sub(r"[ ,.'\u00a0_]", "", text)),)


def check(ex: Exercise, text: str) -> bool | None:
    """True / False for a typed answer, None when it cannot be read as one."""
    value = parse_answer(text, many=ex.kind == "tiling_strides")
    return None if value is None else value == ex.answer
