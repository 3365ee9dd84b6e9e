"""Network specs: JSON in, a checked tree of layers out.

A spec is ``{"name": ..., "input": [C, H, W], "layers": [{"type": "Conv2d", ...}, ...]}``.
Layer arguments are PyTorch's, with its defaults: an int or an ``[h, w]`` pair, ``"same"`` /
``"valid"`` for Conv2d padding, ``null`` where PyTorch accepts None. ``in_channels``,
``in_features`` and ``num_features`` are optional (inferred from the previous layer; if given
they must match). Blocks: ``{"type": "Residual", "body": [...], "shortcut": [...] or null}``
(the two paths are added) and ``{"type": "Concat", "branches": [[...], [...]]}`` (concatenated
on channels). A layer may carry a ``"name"`` (a label, e.g. torchvision's module name).

Paths name layers: ``layers.4``, ``layers.4.body.0``, ``layers.4.shortcut.0``,
``layers.7.branches.1.0``. Every :class:`~convviz.SpecError` raised here carries the path.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from convviz.arithmetic.layers import BLOCK_TYPES, LAYER_TYPES, PADDING_MODES, REQUIRED, Arg
from convviz.errors import Note, SpecError
from convviz.i18n import translate

TOP_KEYS = ("name", "input", "layers", "description")


class CatalogError(ValueError):
    """A user error of a tool that works on a spec (an edit, an ERF computation), built from a
    string-catalog key and its values: ``str(err)`` is English, ``err.localized("es")``
    Spanish. :class:`convviz.arithmetic.spec_edit.EditError` and :class:`convviz.arithmetic.effective_rf.ERFError`
    are its kinds."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(translate(key, "en", **values))

    def localized(self, lang: str) -> str:
        return translate(self.key, lang, **self.values)
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


Node = Union[LayerNode, ResidualNode, ConcatNode]  # noqa: UP007 (runtime alias on 3.10)


@dataclass(frozen=True)
class Network:
    name: str
    input_shape: tuple[int, ...] | None
    layers: list[Node]


# ---------------------------------------------------------------- loading


def load_spec(source: Any) -> dict[str, Any]:
    """A spec dict from a dict (returned as is), a preset name, a path to a JSON file, or
    JSON text. SpecError when it is none of these or the file is not valid JSON."""
    if isinstance(source, dict):
        return source
    if isinstance(source, Path) or isinstance(source, str):
        text = str(source)
        from convviz.arithmetic import presets

        if isinstance(source, str) and text in presets.PRESETS:
            return presets.get_preset(text)
        if text.lstrip().startswith("{"):
            return _parse_json(text, "JSON")
        path = Path(text)
        if path.is_file():
            try:
                content = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise SpecError.of("engine.bad_json", file=text, error=str(exc)) from None
            return _parse_json(content, text)
        raise SpecError.of("engine.not_found", name=text, presets=", ".join(presets.list_presets()))
    raise SpecError.of("engine.spec_not_object", got=type(source).__name__)


def _parse_json(text: str, origin: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError.of("engine.bad_json", file=origin, error=str(exc)) from None
    if not isinstance(data, dict):
        raise SpecError.of("engine.spec_not_object", got=type(data).__name__)
    return data


def parse_shape(value: Any) -> tuple[int, ...]:
    """An input shape from ``[C, H, W]`` (or ``[features]``, ``[C, L]``) or text ``"3,224,224"``."""
    items = value
    if isinstance(value, str):
        try:
            items = [int(x) for x in value.replace("x", ",").split(",") if x.strip()]
        except ValueError:
            raise SpecError.of("engine.bad_input_shape", got=value) from None
    if (
        not isinstance(items, (list, tuple))
        or not 1 <= len(items) <= 3
        or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in items)
    ):
        raise SpecError.of("engine.bad_input_shape", got=json.dumps(value) if not isinstance(value, str) else value)
    return tuple(items)


# ---------------------------------------------------------------- argument checking


def _got(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else f"'{value}'"


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
        return value
    if k in ("int", "int_or_none"):
        if not _is_int(value):
            raise _wrong(arg, kind, value)
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


def parse_spec(spec: Any, input_shape: Any = None) -> Network:
    """Check a whole spec (dict, preset name, file path or JSON text); ``input_shape``
    overrides the spec's ``input``."""
    data = load_spec(spec)
    for key in data:
        if key not in TOP_KEYS:
            raise SpecError.of("engine.unknown_key", field=key, allowed=", ".join(TOP_KEYS))
    shape_value = input_shape if input_shape is not None else data.get("input")
    shape = parse_shape(shape_value) if shape_value is not None else None
    layers = _layer_list(data.get("layers", []), "layers", "layers")
    return Network(str(data.get("name") or "network"), shape, layers)
