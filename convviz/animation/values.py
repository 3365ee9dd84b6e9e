"""The numbers of an animation: the lecture's example, seeded random values, and matrices
typed or read from a file (text, CSV or JSON)."""

from __future__ import annotations

import json
import math
import re

import numpy as np

from convviz.animation.frames import fmt
from convviz.arithmetic import limits
from convviz.arithmetic.limits import Count
from convviz.errors import SpecError

LECTURE_INPUT = [
    [1, 1, 1, 0, 0],
    [0, 1, 1, 1, 0],
    [0, 0, 1, 1, 1],
    [0, 0, 1, 1, 0],
    [0, 1, 1, 0, 0],
]
LECTURE_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]


# --------------------------------------------------------------------------- values
def lecture_values(h: int, w: int, kh: int, kw: int) -> tuple[np.ndarray, np.ndarray]:
    """The lecture's 5x5 binary image and 3x3 kernel, repeated or cut to the sizes asked."""
    img = np.asarray(LECTURE_INPUT, dtype=float)
    ker = np.asarray(LECTURE_KERNEL, dtype=float)
    tile = np.tile(img, (-(-h // 5), -(-w // 5)))[:h, :w]
    ktile = np.tile(ker, (-(-kh // 3), -(-kw // 3)))[:kh, :kw]
    return tile, ktile


def random_values(h: int, w: int, kh: int, kw: int, seed: int = 0,
                  op: str = "conv") -> tuple[np.ndarray, np.ndarray]:
    """Seeded small integers: input 0..3 (0..9 for pooling), kernel -1..2 (not symmetric
    when it can help it, so correlation and true convolution differ)."""
    rng = np.random.default_rng(seed)
    hi = 10 if op in ("maxpool", "avgpool") else 4
    x = rng.integers(0, hi, size=(h, w)).astype(float)
    k = rng.integers(-1, 3, size=(kh, kw)).astype(float)
    if kh * kw > 1 and np.array_equal(k, k[::-1, ::-1]):
        k[0, 0] += 1
    return x, k


_SPLIT = re.compile(r"[,\s;]+")


MAX_VALUE = 1e12
"""The largest magnitude of a typed input or kernel value (sums and products of values this
large stay far inside float64)."""


def parse_matrix(text: str, what: str = "input") -> np.ndarray:
    """A matrix from text: one row per line (or rows separated by ``;``), numbers separated
    by spaces or commas; or JSON ``[[...], ...]``."""
    limits.check("text_chars", len(text or ""), limits.MAX_TEXT_CHARS)  # before any splitting
    text = (text or "").strip()
    if not text:
        raise SpecError.of("anim.empty_matrix", what=what)
    if text.startswith("["):
        try:
            data = limits.loads(text, limits.MAX_TEXT_CHARS)
        except json.JSONDecodeError as exc:
            raise SpecError.of("anim.bad_json", what=what, error=exc.msg) from exc
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else [data]
    else:
        lines = [ln for ln in re.split(r"[\n;]+", text) if ln.strip()]
        rows = [[tok for tok in _SPLIT.split(ln.strip()) if tok] for ln in lines]
    out: list[list[float]] = []
    for r, row in enumerate(rows):
        if not isinstance(row, list):
            raise SpecError.of("anim.ragged", what=what)
        vals = []
        for tok in row:
            try:
                val = float(tok)
            except (TypeError, ValueError) as exc:
                raise SpecError.of("anim.bad_number", what=what, row=r + 1, token=str(tok)) from exc
            if not math.isfinite(val):
                raise SpecError.of("anim.bad_number", what=what, row=r + 1, token=str(tok))
            if abs(val) > MAX_VALUE:  # 1e308 * 1e308 is inf: every sum and product stays finite
                raise SpecError.of("anim.too_large_value", what=what, row=r + 1, token=str(tok),
                                   max=Count("", {"n": int(MAX_VALUE)}))
            vals.append(val)
        out.append(vals)
    if len({len(row) for row in out}) != 1 or not out[0]:
        raise SpecError.of("anim.ragged", what=what)
    return np.asarray(out, dtype=float)


def parse_values_file(text: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Input and kernel from a file's text: JSON ``{"input": [[...]], "kernel": [[...]]}``,
    or two matrices (text/CSV) separated by a blank line (the kernel may be left out for
    pooling)."""
    limits.check("text_chars", len(text or ""), 2 * limits.MAX_TEXT_CHARS)
    stripped = (text or "").strip()
    if stripped.startswith("{"):
        try:
            data = limits.loads(stripped, 2 * limits.MAX_TEXT_CHARS)
        except json.JSONDecodeError as exc:
            raise SpecError.of("anim.bad_json", what="file", error=exc.msg) from exc
        if not isinstance(data, dict) or "input" not in data:
            raise SpecError.of("anim.file_keys")
        x = parse_matrix(json.dumps(data["input"]), "input")
        k = parse_matrix(json.dumps(data["kernel"]), "kernel") if data.get("kernel") else None
        return x, k
    blocks = [b for b in re.split(r"\n\s*\n", stripped.replace("\r\n", "\n")) if b.strip()]
    if not blocks or len(blocks) > 2:
        raise SpecError.of("anim.file_blocks", n=len(blocks))
    x = parse_matrix(blocks[0], "input")
    k = parse_matrix(blocks[1], "kernel") if len(blocks) == 2 else None
    return x, k


def matrix_text(m: np.ndarray) -> str:
    """A matrix as editable text (one row per line)."""
    return "\n".join(" ".join(fmt(v) for v in row) for row in np.asarray(m))
