"""A network spec as a short text token for a link, and back.

``spec_token(spec)`` is the spec's compact JSON, zlib-compressed and written in URL-safe
base64 without ``=`` padding (LeNet-5 takes about 250 characters). ``spec_from_token(token)``
undoes it and refuses, with :class:`TokenError`, anything that is not such a token: too long,
not base64, not zlib, more than :data:`MAX_JSON_BYTES` once inflated (a "zip bomb" stops
there), not JSON, or not a spec-shaped object. Whether the network itself can be built is the
engine's question (:func:`convviz.summarize`), asked by the caller.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any

from convviz.arithmetic import limits

MAX_TOKEN_CHARS = 6000
"""Longest token accepted (and written into a link); larger networks go as a JSON file."""
MAX_JSON_BYTES = 64 * 1024
"""Most bytes a token may inflate to."""
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


class TokenError(ValueError):
    """The text is not a network token of this module."""


def spec_token(spec: dict[str, Any]) -> str:
    """``spec`` as a URL-safe token: ``base64url(zlib(json(spec)))`` without padding."""
    text = json.dumps(spec, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii").rstrip("=")


def spec_from_token(token: str) -> dict[str, Any]:
    """The spec dict inside ``token``; :class:`TokenError` for anything else."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS or not _BASE64URL.fullmatch(token):
        raise TokenError("not a network token")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenError("not base64") from exc
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_JSON_BYTES)
    except zlib.error as exc:
        raise TokenError("not compressed data") from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise TokenError("too large or cut off")
    try:
        spec = limits.loads(raw.decode("utf-8"), MAX_JSON_BYTES)
    except ValueError as exc:  # not UTF-8 or not JSON, or a limit (SpecError): depth, digits
        raise TokenError("not JSON") from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
        raise TokenError("not a network spec")
    return spec
