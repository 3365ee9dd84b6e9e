"""Pure edits of a network spec: every function returns a NEW spec dict, never mutates.

A layer is addressed by its path, the same path the engine uses in summaries and errors:
``"layers.4"`` (the fifth top-level layer), ``"layers.4.body.0"`` (first layer of a
Residual's body), ``"layers.4.shortcut.1"``, ``"layers.7.branches.1.0"`` (first layer of
the second branch of a Concat). A *list path* names a list of layers: ``"layers"``,
``"layers.4.body"``, ``"layers.7.branches.1"``.

Edits (add, remove, move, change arguments, wrap in Residual / Concat) only rearrange the
dicts; whether the result is a network PyTorch can build is for the engine to say
(``convviz.summarize``). Bad paths raise :class:`EditError` (a ``ValueError``) whose
``key``/``values`` are a catalog entry, so pages can show it in the user's language.
"""

from __future__ import annotations

import copy
from typing import Any

from convviz.errors import CatalogError

Spec = dict[str, Any]
Layer = dict[str, Any]


class EditError(CatalogError):
    """An edit that cannot be applied (unknown path, moving past the end, ...)."""


def _parts(path: str) -> list[str]:
    parts = [p for p in str(path).strip().split(".") if p != ""]
    if not parts or parts[0] != "layers":
        raise EditError("arch.edit_bad_path", path=path)
    return parts


def _resolve(spec: Spec, parts: list[str], path: str) -> Any:
    """The object at ``parts`` inside ``spec`` (a layer dict or a list of layers)."""
    node: Any = spec
    for part in parts:
        if isinstance(node, dict):
            if part not in node:
                raise EditError("arch.edit_bad_path", path=path)
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise EditError("arch.edit_bad_path", path=path)
            node = node[int(part)]
        else:
            raise EditError("arch.edit_bad_path", path=path)
    return node


def split_path(path: str) -> tuple[str, int]:
    """``"layers.4.body.0"`` -> (``"layers.4.body"``, 0): the list holding a layer and its index."""
    parts = _parts(path)
    if len(parts) < 2 or not parts[-1].isdigit():
        raise EditError("arch.edit_bad_path", path=path)
    return ".".join(parts[:-1]), int(parts[-1])


def get_layer(spec: Spec, path: str) -> Layer:
    """A copy of the layer dict at ``path``."""
    node = _resolve(spec, _parts(path), path)
    if not isinstance(node, dict):
        raise EditError("arch.edit_bad_path", path=path)
    return copy.deepcopy(node)


def _list_at(spec: Spec, list_path: str) -> list[Layer]:
    node = _resolve(spec, _parts(list_path), list_path)
    if not isinstance(node, list):
        raise EditError("arch.edit_bad_path", path=list_path)
    return node


def layer_paths(spec: Spec) -> list[str]:
    """Every layer path in order, blocks before their children (the summary's order)."""
    out: list[str] = []

    def walk(layers: Any, prefix: str) -> None:
        if not isinstance(layers, list):
            return
        for i, layer in enumerate(layers):
            path = f"{prefix}.{i}"
            out.append(path)
            if not isinstance(layer, dict):
                continue
            if layer.get("type") in ("Residual", "Scale", "Side"):
                walk(layer.get("body"), f"{path}.body")
                if layer.get("shortcut") is not None:
                    walk(layer.get("shortcut"), f"{path}.shortcut")
            elif layer.get("type") == "Concat":
                for b, branch in enumerate(layer.get("branches") or []):
                    walk(branch, f"{path}.branches.{b}")

    walk(spec.get("layers"), "layers")
    return out


def set_layer(spec: Spec, path: str, layer: Layer) -> Spec:
    """``spec`` with the layer at ``path`` replaced by ``layer``."""
    if not isinstance(layer, dict) or not isinstance(layer.get("type"), str):
        raise EditError("arch.edit_need_type")
    new = copy.deepcopy(spec)
    list_path, index = split_path(path)
    layers = _list_at(new, list_path)
    if index >= len(layers):
        raise EditError("arch.edit_bad_path", path=path)
    layers[index] = copy.deepcopy(layer)
    return new


def insert_layer(spec: Spec, list_path: str, index: int, layer: Layer) -> Spec:
    """``spec`` with ``layer`` inserted at position ``index`` of the list ``list_path``
    (``index`` may equal the list's length: append)."""
    if not isinstance(layer, dict) or not isinstance(layer.get("type"), str):
        raise EditError("arch.edit_need_type")
    new = copy.deepcopy(spec)
    new.setdefault("layers", [])
    layers = _list_at(new, list_path)
    if not 0 <= index <= len(layers):
        raise EditError("arch.edit_bad_path", path=f"{list_path}.{index}")
    layers.insert(index, copy.deepcopy(layer))
    return new


def add_after(spec: Spec, path: str | None, layer: Layer) -> Spec:
    """``spec`` with ``layer`` right after the layer at ``path`` (at the end when None)."""
    if path is None:
        return insert_layer(spec, "layers", len(spec.get("layers") or []), layer)
    list_path, index = split_path(path)
    return insert_layer(spec, list_path, index + 1, layer)


def remove_layer(spec: Spec, path: str) -> Spec:
    """``spec`` without the layer at ``path``."""
    new = copy.deepcopy(spec)
    list_path, index = split_path(path)
    layers = _list_at(new, list_path)
    if index >= len(layers):
        raise EditError("arch.edit_bad_path", path=path)
    del layers[index]
    return new


def move_layer(spec: Spec, path: str, delta: int) -> tuple[Spec, str]:
    """``spec`` with the layer at ``path`` moved ``delta`` places within its list
    (negative: towards the input), and the layer's new path."""
    new = copy.deepcopy(spec)
    list_path, index = split_path(path)
    layers = _list_at(new, list_path)
    target = index + delta
    if index >= len(layers) or not 0 <= target < len(layers):
        raise EditError("arch.edit_cannot_move", path=path)
    layers.insert(target, layers.pop(index))
    return new, f"{list_path}.{target}"


def wrap_residual(spec: Spec, path: str, count: int = 1, shortcut: list[Layer] | None = None) -> Spec:
    """``spec`` with ``count`` consecutive layers starting at ``path`` moved into the body of a
    new Residual block (identity shortcut unless ``shortcut`` is given): y = body(x) + x."""
    new = copy.deepcopy(spec)
    list_path, index = split_path(path)
    layers = _list_at(new, list_path)
    if count < 1 or index + count > len(layers):
        raise EditError("arch.edit_bad_path", path=path)
    block: Layer = {"type": "Residual", "body": layers[index : index + count]}
    if shortcut is not None:
        block["shortcut"] = copy.deepcopy(shortcut)
    layers[index : index + count] = [block]
    return new


def wrap_concat(spec: Spec, path: str, count: int = 1, extra_branches: list[list[Layer]] | None = None) -> Spec:
    """``spec`` with ``count`` consecutive layers starting at ``path`` made the first branch of
    a new Concat block; ``extra_branches`` (default: one Identity branch) are added after it,
    so the output has the channels of all branches stacked."""
    new = copy.deepcopy(spec)
    list_path, index = split_path(path)
    layers = _list_at(new, list_path)
    if count < 1 or index + count > len(layers):
        raise EditError("arch.edit_bad_path", path=path)
    extra = copy.deepcopy(extra_branches) if extra_branches is not None else [[{"type": "Identity"}]]
    layers[index : index + count] = [{"type": "Concat", "branches": [layers[index : index + count], *extra]}]
    return new


def add_branch(spec: Spec, path: str, branch: list[Layer] | None = None) -> Spec:
    """``spec`` with one more branch (default ``[Identity]``) in the Concat block at ``path``."""
    layer = get_layer(spec, path)
    if layer.get("type") != "Concat":
        raise EditError("arch.edit_not_concat", path=path)
    layer.setdefault("branches", []).append(copy.deepcopy(branch) if branch is not None else [{"type": "Identity"}])
    return set_layer(spec, path, layer)


def unwrap(spec: Spec, path: str) -> Spec:
    """``spec`` with the block at ``path`` replaced by its body (Residual, Scale, Side) or first
    branch (Concat)."""
    layer = get_layer(spec, path)
    if layer.get("type") in ("Residual", "Scale", "Side"):
        inner = layer.get("body") or []
    elif layer.get("type") == "Concat":
        inner = (layer.get("branches") or [[]])[0]
    else:
        raise EditError("arch.edit_not_block", path=path)
    new = copy.deepcopy(spec)
    list_path, index = split_path(path)
    layers = _list_at(new, list_path)
    layers[index : index + 1] = copy.deepcopy(inner)
    return new


def set_input(spec: Spec, shape: list[int] | tuple[int, ...]) -> Spec:
    """``spec`` with a new input shape [C, H, W]."""
    new = copy.deepcopy(spec)
    new["input"] = [int(v) for v in shape]
    return new


def layer_args(layer: Layer) -> dict[str, Any]:
    """The layer's arguments (everything but ``type`` and the nested layer lists of a block)."""
    return {k: copy.deepcopy(v) for k, v in layer.items() if k not in ("type", "body", "shortcut", "branches")}


def replace_args(spec: Spec, path: str, args: dict[str, Any]) -> Spec:
    """``spec`` with the layer at ``path`` given exactly ``args`` (its type and, for blocks,
    its nested layers kept): the result of editing the arguments as JSON."""
    if not isinstance(args, dict):
        raise EditError("arch.edit_args_object")
    old = get_layer(spec, path)
    nested = ("type", "body", "shortcut", "branches")
    layer: Layer = {"type": old["type"], **{k: copy.deepcopy(v) for k, v in args.items() if k not in nested}}
    for key in ("body", "shortcut", "branches"):
        if key in old:
            layer[key] = old[key]
    return set_layer(spec, path, layer)


# Arguments a new layer of each type starts with in the editor (PyTorch's names).
NEW_LAYER_DEFAULTS: dict[str, Layer] = {
    "Conv2d": {"type": "Conv2d", "out_channels": 16, "kernel_size": 3, "padding": 1},
    "ConvTranspose2d": {"type": "ConvTranspose2d", "out_channels": 16, "kernel_size": 2, "stride": 2},
    "MaxPool2d": {"type": "MaxPool2d", "kernel_size": 2},
    "AvgPool2d": {"type": "AvgPool2d", "kernel_size": 2},
    "AdaptiveAvgPool2d": {"type": "AdaptiveAvgPool2d", "output_size": 1},
    "AdaptiveMaxPool2d": {"type": "AdaptiveMaxPool2d", "output_size": 1},
    "BatchNorm2d": {"type": "BatchNorm2d"},
    "ReLU": {"type": "ReLU"},
    "LeakyReLU": {"type": "LeakyReLU", "negative_slope": 0.01},
    "Sigmoid": {"type": "Sigmoid"},
    "Tanh": {"type": "Tanh"},
    "Softmax": {"type": "Softmax", "dim": 1},
    "Dropout": {"type": "Dropout", "p": 0.5},
    "Dropout2d": {"type": "Dropout2d", "p": 0.5},
    "Flatten": {"type": "Flatten"},
    "Linear": {"type": "Linear", "out_features": 10},
    "Identity": {"type": "Identity"},
}


def new_layer(layer_type: str) -> Layer:
    """A fresh layer of ``layer_type`` with the editor's starting arguments."""
    if layer_type not in NEW_LAYER_DEFAULTS:
        raise EditError("arch.edit_unknown_type", type=layer_type)
    return copy.deepcopy(NEW_LAYER_DEFAULTS[layer_type])
