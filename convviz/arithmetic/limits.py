"""Limits on what one request may ask of the engine, checked before any work is done.

ConvViz runs on a shared server: one typed value must not stall it for everybody. Every
entry point (a spec as JSON text, file or dict; a layer's arguments; a typed matrix or
kernel) checks these limits first and raises :class:`convviz.SpecError` naming the limit
(catalog key ``engine.limit`` with the limit's own words, ``engine.limit_<name>``).

The limits are far above any network a course uses (the largest preset, GoogLeNet, is 197
layers and blocks, 2 levels of blocks, 22 kB of JSON) and low enough that the most expensive
spec allowed is summarised in well under 2 s and 500 MB (``tests/test_limits*.py`` measure
it in a subprocess with a memory cap). Sizes are exact integers: the shape arithmetic is a
closed form, so it stays exact for huge values; only the receptive-field enumeration, whose
work grows with the pattern's period, has a work budget (:data:`RF_WORK_BUDGET`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from convviz.errors import Note, SpecError
from convviz.i18n import fmt_number

MAX_SPEC_CHARS = 1_000_000
"""Longest spec as JSON text (characters; a file: bytes). 45x GoogLeNet pretty-printed; a
100,000-layer spec (2.3 MB) took 9-16 s per action before this limit."""
MAX_LAYERS = 2_000
"""Most layers and blocks in one network, counted through every block (10x GoogLeNet or
ResNet-50; ResNet-152 has about 520). At the limit a summary takes about 0.1 s."""
MAX_BLOCK_DEPTH = 16
"""Most Residual / Concat blocks nested inside each other (presets nest 1). 250 nested
blocks crashed copying and printing the spec (Python's recursion limit)."""
MAX_JSON_DEPTH = 64
"""Most nested JSON arrays / objects (a block level takes 2-3; 16 blocks, the layer and a
pair fit). Python's parser fails with RecursionError near 1,000 levels."""
MAX_JSON_INT_DIGITS = 30
"""Most digits of a JSON integer (Python refuses to convert more than 4,300; every count
ConvViz accepts has at most 6)."""
MAX_INPUT_SIDE = 4_096
"""Largest input height / width of a network (the Architecture page's own maximum): the
Receptive-field page draws an image of the input's size."""
MAX_SIDE = 65_536
"""Largest height / width of any layer's output (and of a 1-D input's features). The shape
arithmetic is exact beyond it, but no course network comes near."""
MAX_CHANNELS = 65_536
"""Largest channel or feature count typed (in/out_channels, out_features, num_features,
input channels); the largest in the presets is 4,096."""
MAX_ARG = 65_536
"""Largest kernel_size, stride, padding, dilation, output_padding, groups, output_size or
dim: none can do anything a layer of at most :data:`MAX_SIDE` cells could use."""
RF_WORK_BUDGET = 1_000_000
"""Receptive-field cells the summary of one network may enumerate. Networks without
transposed convolutions or uneven adaptive pooling need one cell per layer; after them the
fields repeat with a period and one period is enumerated. Past the budget the field of the
remaining layers is reported as not computed, with a warning (0.7 s of CPU at the budget)."""
RF_MAX_PERIOD = 65_536
"""Longest receptive-field period stored per axis (the pattern of fields that repeats)."""
MAX_PATH_CHARS = 4_096
"""A longer string given as a spec is never taken for a file name (Linux's PATH_MAX)."""
MAX_TEXT_CHARS = 20_000
"""Longest text typed in a small box (a kernel, a matrix of the animation, a layer's
arguments). A 15x15 kernel with 20-digit numbers needs about 4,700."""


@dataclass(frozen=True)
class Count(Note):
    """A number in a message, written with the separators of the reader's language
    (``65,536`` / ``65.536``); a giant integer, which Python cannot print, as its size."""

    def text(self, lang: str = "en") -> str:
        value = self.values["n"]
        if isinstance(value, int) and not isinstance(value, bool):
            if value.bit_length() > 200:
                return f"~10^{int(value.bit_length() * 0.30103)}"
            return fmt_number(value, lang)
        return str(value)


def limit_error(name: str, value: Any, limit: int, **what: object) -> SpecError:
    """The SpecError of limit ``name``: ``engine.limit`` with the limit's own words
    (``engine.limit_<name>``, filled with ``what``), the value and the limit."""
    return SpecError.of("engine.limit", what=Note(f"engine.limit_{name}", what),
                        value=Count("", {"n": value}), limit=Count("", {"n": limit}))


def check(name: str, value: int, limit: int, **what: object) -> int:
    """``value`` when it is at most ``limit``; the SpecError of limit ``name`` otherwise."""
    if value > limit:
        raise limit_error(name, value, limit, **what)
    return value


# ---------------------------------------------------------------- safe JSON


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise limit_error("json_digits", len(text.lstrip("-")), MAX_JSON_INT_DIGITS)
    return int(text)


def _constant(name: str) -> Any:
    raise json.JSONDecodeError(f"Expecting value ({name} is not JSON)", name, 0)


def _children(obj: Any) -> Iterator[Any]:
    if isinstance(obj, dict):
        return iter(obj.values())
    if isinstance(obj, (list, tuple)):
        return iter(obj)
    return iter(())


def check_depth(obj: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """SpecError when ``obj`` nests lists / dicts more than ``limit`` deep or contains
    itself (a self-referencing dict given through the API). Iterative (no recursion); a
    list or dict shared by several parents is walked once."""
    if not isinstance(obj, (dict, list, tuple)):
        return
    heights: dict[int, int] = {}
    on_path = {id(obj)}
    stack: list[list[Any]] = [[obj, _children(obj), 0]]
    while stack:
        frame = stack[-1]
        for child in frame[1]:
            if not isinstance(child, (dict, list, tuple)):
                continue
            if id(child) in on_path:
                raise SpecError.of("engine.self_reference")
            if id(child) in heights:
                frame[2] = max(frame[2], heights[id(child)])
                if len(stack) + heights[id(child)] > limit:
                    raise limit_error("json_depth", len(stack) + heights[id(child)], limit)
                continue
            if len(stack) + 1 > limit:
                raise limit_error("json_depth", f"> {limit}", limit)
            on_path.add(id(child))
            stack.append([child, _children(child), 0])
            break
        else:
            stack.pop()
            on_path.discard(id(frame[0]))
            heights[id(frame[0])] = frame[2] + 1
            if stack:
                stack[-1][2] = max(stack[-1][2], frame[2] + 1)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _replace_lone_surrogates(obj: Any) -> Any:
    """``obj`` with every lone surrogate of its strings (keys too) replaced by U+FFFD. JSON's
    ``"\\ud800"`` escape gives a string no UTF-8 text can hold: a page showing it failed.
    Recursive: called only on data whose depth :func:`check_depth` has bounded."""
    if isinstance(obj, str):
        return obj.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(obj, list):
        return [_replace_lone_surrogates(v) for v in obj]
    if isinstance(obj, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in obj.items()}
    return obj


def loads(text: str | bytes, max_chars: int = MAX_SPEC_CHARS, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that checks the length first, refuses NaN / Infinity and integers of
    more than :data:`MAX_JSON_INT_DIGITS` digits, and nesting deeper than ``max_depth``;
    a lone surrogate escape (``"\\ud800"``) becomes U+FFFD, the replacement character.

    Raises ``json.JSONDecodeError`` for bad syntax (as ``json.loads``; callers explain it),
    UnicodeDecodeError for bytes that are not UTF-8, and SpecError for a limit."""
    if len(text) > max_chars:
        raise limit_error("json_chars", len(text), max_chars)
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        data = json.loads(text, parse_int=_int, parse_constant=_constant)
    except RecursionError:
        raise limit_error("json_depth", f"> {max_depth}", max_depth) from None
    check_depth(data, max_depth)
    if _SURROGATE_ESCAPE.search(text):  # pairs were joined by the parser; only lone ones change
        data = _replace_lone_surrogates(data)
    return data
