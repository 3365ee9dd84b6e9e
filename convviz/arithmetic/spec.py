"""Network specs: JSON in, a checked tree of layers out.

A spec is ``{"name": ..., "input": [C, H, W], "layers": [{"type": "Conv2d", ...}, ...]}``.
Layer arguments are PyTorch's, with its defaults: an int or an ``[h, w]`` pair, ``"same"`` /
``"valid"`` for Conv2d padding, ``null`` where PyTorch accepts None. ``in_channels``,
``in_features`` and ``num_features`` are optional (inferred from the previous layer; if given
they must match). Blocks: ``{"type": "Residual", "body": [...], "shortcut": [...] or null}``
(the two paths are added) and ``{"type": "Concat", "branches": [[...], [...]]}`` (concatenated
on channels), ``{"type": "Scale", "body": [...]}`` (channel scaling, as in a
squeeze-and-excitation block: the body computes one weight per channel from the block's input,
ending in shape ``(C, 1, 1)`` or ``(C,)``; the output is the input times these weights, same
shape as the input) and ``{"type": "Side", "body": [...]}`` (a side output, e.g. an auxiliary
classifier: the body reads the current tensor and gives an extra output; the main path goes on
with the block's input unchanged). A layer may carry a ``"name"`` (a label, e.g. torchvision's
module name).

Paths name layers: ``layers.4``, ``layers.4.body.0``, ``layers.4.shortcut.0``,
``layers.7.branches.1.0``, ``layers.9.body.2`` (Scale, Side). Every :class:`~convviz.SpecError` raised here carries the path.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from convviz.arithmetic import limits as L
from convviz.arithmetic.layers import BLOCK_TYPES, LAYER_TYPES, PADDING_MODES, REQUIRED, Arg
from convviz.errors import Note, SpecError

TOP_KEYS = ("name", "input", "layers", "description")


LABEL_KEYS = ("type", "name")


@dataclass(frozen=True)
class LayerNode:
    path: str
    type: str
    args: dict[str, Any]
    label: str | None = None


@dataclass(frozen=True)
class ResidualNode:
    path: str
    body: list[Node]
    shortcut: list[Node] | None
    label: str | None = None
    type: str = "Residual"


@dataclass(frozen=True)
class ConcatNode:
    path: str
    branches: list[list[Node]]
    label: str | None = None
    type: str = "Concat"


@dataclass(frozen=True)
class ScaleNode:
    """Channel scaling: ``output = input * body(input)``, the body's ``(C, 1, 1)`` or ``(C,)``
    weights broadcast over the input's ``(C, H, W)`` (a squeeze-and-excitation block)."""

    path: str
    body: list[Node]
    label: str | None = None
    type: str = "Scale"


@dataclass(frozen=True)
class SideNode:
    """A side output (an auxiliary classifier): ``body(input)`` is an extra output of the
    network; the main path continues with the block's input unchanged."""

    path: str
    body: list[Node]
    label: str | None = None
    type: str = "Side"


Node = Union[LayerNode, ResidualNode, ConcatNode, ScaleNode, SideNode]  # noqa: UP007 (runtime alias on 3.10)


@dataclass(frozen=True)
class Network:
    name: str
    input_shape: tuple[int, ...] | None
    layers: list[Node]


# ---------------------------------------------------------------- loading


def load_spec(source: Any) -> dict[str, Any]:
    """A spec dict from a dict (returned as is), a preset name, a path to a JSON file, or
    JSON text. SpecError when it is none of these or the file is not valid JSON, and when
    it is over the limits of :mod:`convviz.arithmetic.limits` (checked before reading or
    parsing: length, nesting, a spec that contains itself)."""
    if isinstance(source, dict):
        L.check_depth(source)
        return source
    if isinstance(source, Path) or isinstance(source, str):
        text = str(source)
        from convviz.arithmetic import presets

        if isinstance(source, str) and text in presets.PRESETS:
            return presets.get_preset(text)
        L.check("json_chars", len(text), L.MAX_SPEC_CHARS)
        if text.lstrip().startswith("{"):
            return _parse_json(text, "JSON")
        content = _read_spec_file(text)
        if content is None:
            shown = text if len(text) <= 80 else text[:80] + "…"
            raise SpecError.of("engine.not_found", name=shown, presets=", ".join(presets.list_presets()))
        return _parse_json(content, text)
    raise SpecError.of("engine.spec_not_object", got=type(source).__name__)


def _read_spec_file(text: str) -> str | None:
    """The text of spec file ``text``, None when there is no such file. A string longer than
    a path (:data:`~convviz.arithmetic.limits.MAX_PATH_CHARS`) or with a line break is never
    looked up; a file longer than the spec limit is refused before it is read."""
    if len(text) > L.MAX_PATH_CHARS or "\n" in text or "\x00" in text:
        return None
    path = Path(text)
    try:
        if not path.is_file():
            return None
        L.check("json_chars", path.stat().st_size, L.MAX_SPEC_CHARS)
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError.of("engine.bad_json", file=text, error=str(exc)) from None


def _parse_json(text: str, origin: str) -> dict[str, Any]:
    try:
        data = L.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError.of("engine.bad_json", file=origin, error=str(exc)) from None
    if not isinstance(data, dict):
        raise SpecError.of("engine.spec_not_object", got=type(data).__name__)
    return data


def parse_shape(value: Any) -> tuple[int, ...]:
    """An input shape from ``[C, H, W]`` (or ``[features]``, ``[C, L]``) or text ``"3,224,224"``.

    Channels at most :data:`~convviz.arithmetic.limits.MAX_CHANNELS`, height and width at
    most :data:`~convviz.arithmetic.limits.MAX_INPUT_SIDE`, a length or feature count at
    most :data:`~convviz.arithmetic.limits.MAX_SIDE`."""
    items = value
    if isinstance(value, str):
        if len(value) > 100:
            raise SpecError.of("engine.bad_input_shape", got=value[:40] + "…")
        try:
            items = [int(x) for x in value.replace("x", ",").split(",") if x.strip()]
        except ValueError:
            raise SpecError.of("engine.bad_input_shape", got=value) from None
    if (
        not isinstance(items, (list, tuple))
        or not 1 <= len(items) <= 3
        or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in items)
    ):
        raise SpecError.of("engine.bad_input_shape", got=_got(value)[:80] if not isinstance(value, str) else value)
    if len(items) == 3:
        L.check("channels", items[0], L.MAX_CHANNELS, arg="C")
        for side in items[1:]:
            L.check("input_side", side, L.MAX_INPUT_SIDE)
    else:
        for side in items:
            L.check("side", side, L.MAX_SIDE)
    return tuple(items)


# ---------------------------------------------------------------- argument checking


def _got(value: Any) -> str:
    """A value as the user typed it, cut to 80 characters."""
    text = json.dumps(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 80 else text[:79] + "…"


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _wrong(arg: Arg, kind: str, value: Any) -> SpecError:
    return SpecError.of("engine.wrong_type", arg=arg.name, type=kind,
                        expected=Note(f"engine.expect_{arg.kind}"), got=_got(value))


def _pair(arg: Arg, kind: str, value: Any, minimum: int) -> tuple[int, int]:
    if _is_int(value):
        pair = (value, value)
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(map(_is_int, value)):
        pair = (value[0], value[1])
    else:
        raise _wrong(arg, kind, value)
    for v in pair:
        if v < minimum:
            key = "engine.not_positive" if minimum == 1 else "engine.negative_arg"
            raise SpecError.of(key, name=arg.name, value=v)
        L.check("arg", v, L.MAX_ARG, arg=arg.name)
    return pair


def check_arg(arg: Arg, kind: str, value: Any) -> Any:
    """The value of ``arg`` in ``kind``'s layer in canonical form (pairs as tuples)."""
    k = arg.kind
    if value is None and (arg.default is None or k.endswith("_or_none")):
        return None
    if k == "count":
        if not _is_int(value):
            raise _wrong(arg, kind, value)
        if value < 1:
            raise SpecError.of("engine.not_positive", name=arg.name, value=value)
        if arg.name == "groups":
            return L.check("arg", value, L.MAX_ARG, arg=arg.name)
        return L.check("channels", value, L.MAX_CHANNELS, arg=arg.name)
    if k in ("int", "int_or_none"):
        if not _is_int(value):
            raise _wrong(arg, kind, value)
        L.check("arg", abs(value), L.MAX_ARG, arg=arg.name)
        return value
    if k == "pair":
        return _pair(arg, kind, value, 1)
    if k == "pair_or_none":
        return _pair(arg, kind, value, 1)
    if k == "pair0":
        return _pair(arg, kind, value, 0)
    if k == "conv_padding":
        if isinstance(value, str):
            if value not in ("same", "valid"):
                raise SpecError.of("engine.bad_padding_string", got=value)
            return value
        return _pair(arg, kind, value, 0)
    if k == "bool":
        if not isinstance(value, bool):
            raise _wrong(arg, kind, value)
        return value
    if k in ("float", "float_or_none"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise _wrong(arg, kind, value)
        return float(value)
    if k == "padding_mode":
        if value not in PADDING_MODES:
            raise SpecError.of("engine.bad_choice", arg=arg.name, got=_got(value),
                               choices=", ".join(PADDING_MODES))
        return value
    if k == "output_size":
        items = [value, value] if _is_int(value) else value
        if not isinstance(items, (list, tuple)) or len(items) != 2 or not all(
            v is None or _is_int(v) for v in items
        ):
            raise _wrong(arg, kind, value)
        for v in items:
            if v is not None and v < 1:
                raise SpecError.of("engine.not_positive", name=arg.name, value=v)
            if v is not None:
                L.check("output_size", v, L.MAX_SIDE)
        return (items[0], items[1])
    raise AssertionError(f"unknown argument kind {k}")  # pragma: no cover


def _hint(word: str, choices: list[str] | tuple[str, ...]) -> Note | str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        lower = {c.lower(): c for c in choices}
        if word.lower() in lower:
            close = [lower[word.lower()]]
    return Note("engine.did_you_mean", {"name": close[0]}) if close else ""


def check_layer_args(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Arguments of one layer checked and completed with PyTorch's defaults."""
    layer_type = LAYER_TYPES[kind]
    names = layer_type.arg_names
    for key in raw:
        if key not in names and key not in LABEL_KEYS:
            raise SpecError.of("engine.unknown_arg", type=kind, arg=key, hint=_hint(key, names),
                               allowed=", ".join(names) or "-")
    args: dict[str, Any] = {}
    for arg in layer_type.args:
        if arg.name in raw:
            args[arg.name] = check_arg(arg, kind, raw[arg.name])
        elif arg.default is REQUIRED:
            raise SpecError.of("engine.missing_arg", type=kind, arg=arg.name)
        else:
            args[arg.name] = arg.default
    return args


# ---------------------------------------------------------------- the tree


def _label(raw: dict[str, Any]) -> str | None:
    name = raw.get("name")
    return str(name) if name is not None else None


def _layer_list(value: Any, path: str, what: str) -> list[Node]:
    if not isinstance(value, list):
        raise SpecError.of("engine.layers_not_list", field=what, got=_got(value)).at(path)
    return [parse_layer(item, f"{path}.{i}") for i, item in enumerate(value)]


def parse_layer(raw: Any, path: str) -> Node:
    """One layer or block at ``path``."""
    if not isinstance(raw, dict) or "type" not in raw:
        raise SpecError.of("engine.layer_not_object", got=_got(raw)).at(path)
    kind = raw["type"]
    if kind == "Residual":
        for key in raw:
            if key not in ("type", "name", "body", "shortcut"):
                raise SpecError.of("engine.unknown_arg", type=kind, arg=key,
                                   hint=_hint(key, ["body", "shortcut"]), allowed="body, shortcut").at(path)
        if "body" not in raw:
            raise SpecError.of("engine.missing_arg", type=kind, arg="body").at(path)
        body = _layer_list(raw["body"], f"{path}.body", "body")
        shortcut = raw.get("shortcut")
        short = None if shortcut is None else _layer_list(shortcut, f"{path}.shortcut", "shortcut")
        return ResidualNode(path, body, short, _label(raw))
    if kind in ("Scale", "Side"):
        for key in raw:
            if key not in ("type", "name", "body"):
                raise SpecError.of("engine.unknown_arg", type=kind, arg=key,
                                   hint=_hint(key, ["body"]), allowed="body").at(path)
        if "body" not in raw:
            raise SpecError.of("engine.missing_arg", type=kind, arg="body").at(path)
        body = _layer_list(raw["body"], f"{path}.body", "body")
        if not body:
            raise SpecError.of("engine.block_body_empty", type=kind).at(path)
        node_class = ScaleNode if kind == "Scale" else SideNode
        return node_class(path, body, _label(raw))
    if kind == "Concat":
        for key in raw:
            if key not in ("type", "name", "branches"):
                raise SpecError.of("engine.unknown_arg", type=kind, arg=key,
                                   hint=_hint(key, ["branches"]), allowed="branches").at(path)
        branches = raw.get("branches")
        if not isinstance(branches, list) or not branches:
            raise SpecError.of("engine.concat_empty").at(path)
        return ConcatNode(
            path,
            [_layer_list(b, f"{path}.branches.{i}", "branches") for i, b in enumerate(branches)],
            _label(raw),
        )
    if not isinstance(kind, str) or kind not in LAYER_TYPES:
        known = [*LAYER_TYPES, *BLOCK_TYPES]
        raise SpecError.of("engine.unknown_type", type=str(kind), hint=_hint(str(kind), known),
                           known=", ".join(known)).at(path)
    try:
        args = check_layer_args(kind, raw)
    except SpecError as err:
        raise err.at(path) from None
    return LayerNode(path, kind, args, _label(raw))


def _check_size(layers: Any) -> None:
    """SpecError when the network has more than :data:`~convviz.arithmetic.limits.MAX_LAYERS`
    layers and blocks or nests blocks more than
    :data:`~convviz.arithmetic.limits.MAX_BLOCK_DEPTH` deep; counted before any layer is
    checked (a layer object listed several times counts each time)."""
    count = 0
    todo: list[tuple[Any, int]] = [(layers, 0)]
    while todo:
        items, depth = todo.pop()
        if not isinstance(items, list):
            continue
        count += len(items)
        L.check("layers", count, L.MAX_LAYERS)
        for item in items:
            if not isinstance(item, dict) or item.get("type") not in BLOCK_TYPES:
                continue
            L.check("block_depth", depth + 1, L.MAX_BLOCK_DEPTH)
            lists = item.get("branches") if item["type"] == "Concat" else [item.get("body"), item.get("shortcut")]
            if isinstance(lists, list):
                todo.extend((sub, depth + 1) for sub in lists)


def parse_spec(spec: Any, input_shape: Any = None) -> Network:
    """Check a whole spec (dict, preset name, file path or JSON text); ``input_shape``
    overrides the spec's ``input``."""
    data = load_spec(spec)
    for key in data:
        if key not in TOP_KEYS:
            raise SpecError.of("engine.unknown_key", field=key, allowed=", ".join(TOP_KEYS))
    shape_value = input_shape if input_shape is not None else data.get("input")
    shape = parse_shape(shape_value) if shape_value is not None else None
    _check_size(data.get("layers", []))
    layers = _layer_list(data.get("layers", []), "layers", "layers")
    return Network(str(data.get("name") or "network"), shape, layers)
