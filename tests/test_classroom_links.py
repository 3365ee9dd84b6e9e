"""Classroom links, what tests/test_url_state.py does not cover: an edited network too large
for a link makes the Architecture page say so beside the Copy-link box and keep its JSON
download; a phone gets Layer arithmetic in one stacked column."""

from __future__ import annotations

import random
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from convviz.arithmetic.share import MAX_TOKEN_CHARS, spec_token  # noqa: E402
from pages.ui.url_fields import PAGE_FIELDS, Network  # noqa: E402
from pages.ui.url_state import Bool, Choice, Field, Int, Many  # noqa: E402
from tests.test_url_state import open_with_query  # noqa: E402


def _another_value(f: Field) -> object | None:
    """A valid value of ``f`` other than its default (None for the networks, lists and floats,
    which tests/test_url_state.py and tests/test_decimal_sliders.py cover)."""
    if isinstance(f, Bool):
        return not f.default
    if isinstance(f, Choice) and not isinstance(f, Many):
        options = [o for o in f._options() if o != f.default]
        return options[-1] if options else None
    if isinstance(f, Int):
        return f.default + 1 if f.default + 1 <= f.hi else f.default - 1
    return None


@pytest.mark.parametrize("page", sorted(PAGE_FIELDS))
def test_every_setting_of_every_page_travels_in_its_link(page: str) -> None:
    """URL in gives the state and the state gives the URL, for every declared setting at once,
    each away from its default: the page keeps them all and writes them all back."""
    values = {f: v for f in PAGE_FIELDS[page] if not isinstance(f, Network) and (v := _another_value(f)) is not None}
    assert len(values) >= 2, page
    at = open_with_query(page, {f.param: f.text(v) for f, v in values.items()})
    at.run()  # and once more, as the browser's next rerun
    assert not at.exception, [e.value for e in at.exception]
    assert {f.key: at.session_state[f.key] for f in values} == {f.key: v for f, v in values.items()}
    assert {f.param: at.query_params.get(f.param) for f in values} == {f.param: f.text(v) for f, v in values.items()}


def _wide_network() -> dict:
    """400 1x1 convolutions with random 40-letter names: its link token is over the limit."""
    rng = random.Random(0)
    return {"name": "wide", "input": [3, 8, 8],
            "layers": [{"type": "Conv2d", "out_channels": 3, "kernel_size": 1,
                        "name": "".join(rng.choice(string.ascii_letters) for _ in range(40))} for _ in range(400)]}


def test_a_network_too_large_for_a_link_is_said_and_offers_the_json() -> None:
    spec = _wide_network()
    assert len(spec_token(spec)) > MAX_TOKEN_CHARS
    at = open_with_query("pages/architecture.py", {})
    at.session_state["arch_spec"] = spec
    at.session_state["arch_preset"] = "__scratch__"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    notes = [str(w.value) for w in at.warning if "too large for a link" in str(w.value)]
    assert len(notes) == 1 and "Download the network as JSON" in notes[0], [str(w.value) for w in at.warning]
    assert "net" not in at.query_params and "preset" not in at.query_params  # no half-written link
    downloads = [d for d in at.get("download_button") if d.proto.id.endswith("arch_dl_json")]
    assert downloads, "the JSON download the note points to"


def test_a_small_edited_network_travels_without_the_note() -> None:
    spec = _wide_network()
    spec["layers"] = spec["layers"][:3]
    at = open_with_query("pages/architecture.py", {})
    at.session_state["arch_spec"] = spec
    at.session_state["arch_preset"] = "__scratch__"
    at.run()
    assert not [w for w in at.warning if "too large for a link" in str(w.value)]
    assert at.query_params["net"] == spec_token(spec)


def _paths(at) -> dict[str, list[list[str]]]:  # noqa: ANN001 - an AppTest
    """For the title, subheaders and charts: the block types from the page's main area down."""
    found: dict[str, list[list[str]]] = {}

    def walk(node, path: list[str]) -> None:  # noqa: ANN001
        for child in getattr(node, "children", {}).values():
            kind = getattr(child, "type", "?")
            if kind in ("title", "subheader", "plotly_chart"):
                found.setdefault(kind, []).append(path)
            walk(child, [*path, kind])

    walk(at.main, [])
    return found


def test_projector_gets_columns_and_a_phone_one_stacked_column(monkeypatch) -> None:  # noqa: ANN001
    import pages.ui.projector as projector

    desktop = _paths(open_with_query("pages/layer_arithmetic.py", {"h": "7", "w": "7"}))
    assert all("column" in path for paths in desktop.values() for path in paths), desktop
    monkeypatch.setattr(projector, "is_phone", lambda: True)
    phone = _paths(open_with_query("pages/layer_arithmetic.py", {"h": "7", "w": "7"}))
    assert set(phone) == {"title", "subheader", "plotly_chart"}
    assert not any("column" in path for paths in phone.values() for path in paths), phone


def test_phones_are_told_from_their_user_agent() -> None:
    from pages.ui.projector import _MOBILE

    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"
    desktop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    assert _MOBILE.search(iphone) and _MOBILE.search(android) and not _MOBILE.search(desktop)
