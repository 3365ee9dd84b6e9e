"""Every view is a link: the settings of each page in the URL's query string, and back.

One mechanism for all pages. :mod:`pages.ui.url_fields` declares, per page file, which
session-state keys go to the URL, under which short name, and how a text from the URL is
checked (type, range, choices; strings length-capped). app.py calls:

- :func:`start_language` before the sidebar's language switch: ``?lang=es|en`` picks the
  language; without it the browser's language decides (``st.context.locale``, Spanish for
  ``es-*``) on the first visit;
- each page, first thing, calls :func:`begin`: when the query string is new to this session and page
  (a link was opened), its values are checked and put into the session state before any
  widget exists; a value that is wrong, out of range, hostile or huge resets that setting to
  its default and the page says so in one short line. Nothing else is ever touched: only this
  visitor's ``st.session_state``. Then the current settings are written to the URL and a
  "Copy link" button is put in the sidebar;
- app.py calls :func:`finish` after the page ran: the URL again, with what the page changed while running.

Only settings that differ from their defaults are written, so a page at its defaults has
just ``?lang=..``. A bookmarked URL opened in a new browser gives the same view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from convviz.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

LANG_PARAM = "lang"
LANG_KEY = "lang"
MAX_CHARS = 64
"""Longest text accepted for a number or a choice (a longer one is hostile or a mistake)."""
LANG_SEEN_KEY = "_url_lang_seen"
LINK_SLOT_KEY = "_url_link_slot"
SENT_KEY = "_url_sent"
HELD_KEY = "_url_held"
HELD_RUNS = 2
"""How many more runs re-assert a just-opened link's values when the run that applied them
did not complete (see :func:`_hold`)."""
SENT_KEEP = 64
"""How many of the URLs this session's page wrote are remembered. A rerun's request carries
the URL the browser shows, which lags behind the server while widget changes follow each
other quickly: a query the page itself wrote is an echo, never a new link to apply (applying
it once turned a slider's 15 back into 11)."""


def _query_key(values: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """A query string's settings without the language, as a comparable key."""
    return tuple(sorted((k, str(v)) for k, v in values.items() if k != LANG_PARAM))
PASSTHROUGH = ("embed", "embed_options")
"""Streamlit's own parameters: kept in the URL, never read as settings."""

State = MutableMapping[str, Any]


class Invalid(ValueError):
    """A value from the URL that a field refuses."""


@dataclass(frozen=True)
class Field:
    """One setting: URL name ``param`` <-> session-state ``key``; ``default`` is not written.

    Subclasses define :meth:`parse` (text -> value, raising :class:`Invalid`) and
    :meth:`text` (value -> text). When a link is opened, a setting it does not mention goes
    back to its default: the link alone decides the view.
    """

    param: str
    key: str
    default: Any = None

    def parse(self, text: str) -> Any:
        return text

    def text(self, value: Any) -> str:
        return str(value)

    def params(self) -> tuple[str, ...]:
        return (self.param,)

    def load(self, query: Mapping[str, str], state: State) -> list[str]:
        """Put the URL's value into ``state``; the names of refused parameters."""
        raw = query.get(self.param)
        try:
            if raw is not None:
                state[self.key] = self.parse(raw)
                return []
        except (Invalid, ValueError, TypeError, OverflowError):
            pass
        self.reset(state)
        return [] if raw is None else [self.param]

    def reset(self, state: State) -> None:
        """The default into ``state``; a default that is no value (e.g. "the page decides")
        removes the key, so the page picks it."""
        try:
            state[self.key] = self.parse(self.text(self.default))
        except (Invalid, ValueError, TypeError, OverflowError):
            state.pop(self.key, None)

    def dump(self, state: Mapping[str, Any]) -> dict[str, str]:
        """The parameters for the current value (none at the default or when invalid)."""
        try:
            value = state[self.key]
        except KeyError:
            return {}
        try:
            text = self.text(value)
            if self.parse(text) == self.default:
                return {}
        except (Invalid, ValueError, TypeError, OverflowError):
            return {}
        return {self.param: text}


def _short(text: str, limit: int = MAX_CHARS) -> str:
    if not isinstance(text, str) or len(text) > limit:
        raise Invalid("too long")
    return text.strip()


@dataclass(frozen=True)
class Int(Field):
    lo: int = 0
    hi: int = 1

    def parse(self, text: str) -> int:
        text = _short(text)
        if not re.fullmatch(r"[+-]?\d{1,12}", text):
            raise Invalid("not an integer")
        value = int(text)
        if not self.lo <= value <= self.hi:
            raise Invalid("out of range")
        return value

    def text(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise Invalid("not an integer")
        return str(int(value))


@dataclass(frozen=True)
class Float(Field):
    lo: float = 0.0
    hi: float = 1.0

    def parse(self, text: str) -> float:
        text = _short(text, 24)
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?", text):
            raise Invalid("not a number")
        value = float(text)
        if not math.isfinite(value) or not self.lo <= value <= self.hi:
            raise Invalid("out of range")
        return value

    def text(self, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid("not a number")
        return format(float(value), ".6g")


@dataclass(frozen=True)
class Bool(Field):
    def parse(self, text: str) -> bool:
        text = _short(text).lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise Invalid("not a yes/no")

    def text(self, value: Any) -> str:
        if not isinstance(value, bool):
            raise Invalid("not a yes/no")
        return "1" if value else "0"


@dataclass(frozen=True)
class Choice(Field):
    """One of ``options`` (str or numbers), or of ``options_of()`` when they depend on data."""

    options: Sequence[Any] = ()
    options_of: Callable[[], Sequence[Any]] | None = None

    def _options(self) -> Sequence[Any]:
        return self.options_of() if self.options_of is not None else self.options

    def text(self, value: Any) -> str:
        if isinstance(value, float):
            return format(value, "g")
        return str(value)

    def parse(self, text: str) -> Any:
        text = _short(text)
        for option in self._options():
            if self.text(option) == text:
                return option
        raise Invalid("not one of the choices")


@dataclass(frozen=True)
class Many(Choice):
    """Several of ``options``, comma-separated (a multiselect); the empty list is allowed."""

    def parse(self, text: str) -> list[Any]:
        text = _short(text, 256)
        parts = [p for p in text.split(",") if p] if text else []
        values = [Choice.parse(self, p) for p in parts]
        if len(set(map(str, values))) != len(values):
            raise Invalid("repeated choice")
        return values

    def text(self, value: Any) -> str:
        if not isinstance(value, (list, tuple)):
            raise Invalid("not a list")
        return ",".join(Choice.text(self, v) for v in value)


@dataclass(frozen=True)
class Text(Field):
    """Free text up to ``limit`` characters (no control characters but newline and tab)."""

    limit: int = 64

    def parse(self, text: str) -> str:
        if not isinstance(text, str) or len(text) > self.limit:
            raise Invalid("too long")
        if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text):
            raise Invalid("control character")
        return text

    def text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid("not text")
        return value


# --------------------------------------------------------------------------- the query string
def read_query() -> dict[str, str]:
    """The URL's parameters (the last value of a repeated one), Streamlit's own left out."""
    try:
        items = st.query_params.to_dict()
    except Exception:  # noqa: BLE001 - a malformed query string never breaks a page
        return {}
    return {k: v for k, v in items.items() if isinstance(v, str) and k not in PASSTHROUGH}


def _write_query(values: dict[str, str]) -> None:
    if read_query() != values:
        st.query_params.from_dict(values)


def _locale_language() -> str:
    try:
        locale = st.context.locale or ""
    except Exception:  # noqa: BLE001 - no browser (AppTest, scripts)
        locale = ""
    return "es" if locale.lower().startswith("es") else DEFAULT_LANGUAGE


def start_language() -> None:
    """Before the language switch is drawn: ``?lang=`` when a link brings a new one, else (first
    visit) the browser's language. A later choice in the sidebar wins until another link."""
    state = st.session_state
    asked = read_query().get(LANG_PARAM)
    if asked is not None and asked != state.get(LANG_SEEN_KEY):
        state[LANG_SEEN_KEY] = asked
        if asked in LANGUAGES:
            state[LANG_KEY] = asked
            return
        state.setdefault("_url_pending", []).append(LANG_PARAM)
    if state.get(LANG_KEY) not in LANGUAGES:
        state[LANG_KEY] = _locale_language()


def page_query(fields: Sequence[Field], state: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The query string of ``state`` (settings away from their defaults) and the language."""
    values = {LANG_PARAM: lang}
    for f in fields:
        values.update(f.dump(state))
    return values


def apply_query(fields: Sequence[Field], query: Mapping[str, str], state: State) -> tuple[list[str], int]:
    """Put ``query`` into ``state``: (refused parameter names, number of unknown ones)."""
    known = {name for f in fields for name in f.params()} | {LANG_PARAM}
    refused: list[str] = []
    for f in fields:
        refused.extend(f.load(query, state))
    return refused, sum(1 for k in query if k not in known)


def _notice(refused: list[str], unknown: int, lang: str) -> None:
    if refused:
        names = ", ".join(sorted(set(refused)))
        st.warning(translate("common.url_refused", lang, names=names), icon=":material/link_off:")
    if unknown:
        st.caption(translate("common.url_unknown", lang, n=unknown))


def page_of(script: str) -> str:
    """``"pages/x.py"`` for a page's ``__file__`` (or that name itself)."""
    return f"pages/{Path(script).name}"


def begin(script: str) -> None:
    """First thing a page does (``url_state.begin(__file__)``): a newly opened link's settings
    into the session state before any widget exists, and a place in the sidebar for the
    Copy-link button, which :func:`finish` fills after the page (with the URL)."""
    from pages.ui import lang, run_by_app
    from pages.ui.url_fields import fields_of

    page_file = page_of(script)
    fields = fields_of(page_file)
    state = st.session_state
    query = read_query()
    mine = {k: v for k, v in query.items() if k != LANG_PARAM}
    refused: list[str] = list(state.pop("_url_pending", []))
    unknown = 0
    sent = state.setdefault(SENT_KEY, {}).setdefault(page_file, [])
    if mine and _query_key(mine) not in sent:
        sent.append(_query_key(mine))  # the link itself may come back on a lagging rerun too
        written = _Recorder(state)
        bad, unknown = apply_query(fields, mine, written)
        refused.extend(bad)
        state.setdefault(HELD_KEY, {})[page_file] = (dict(written.written), HELD_RUNS)
    else:
        _hold(state, page_file)
    _notice(refused, unknown, lang())
    slot = st.sidebar.empty()
    if run_by_app():
        state[LINK_SLOT_KEY] = (page_file, slot)  # filled once, by finish() after the page
    else:  # the page script runs alone: nothing calls finish()
        _publish(page_file, fields, slot)


class _Recorder:
    """``state`` seen through a mapping that remembers what was written to it: key -> (the
    new value, the value before). Only the operations fields' ``load`` uses exist, so a new
    one fails loudly instead of reaching a mapping of its own."""

    def __init__(self, state: State) -> None:
        self.state: State = state
        self.written: dict[str, tuple[Any, Any]] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        before = self.written.get(key, (None, self.state.get(key)))[1]
        self.written[key] = (value, before)
        self.state[key] = value

    def __getitem__(self, key: str) -> Any:
        return self.state[key]

    def __contains__(self, key: object) -> bool:
        return key in self.state

    def get(self, key: str, default: Any = None) -> Any:
        return self.state.get(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        self.written.pop(key, None)
        return self.state.pop(key, *default)

    def update(self, *args: Any, **values: Any) -> None:
        for key, value in dict(*args, **values).items():
            self[key] = value


def _hold(state: State, page_file: str) -> None:
    """Re-assert a just-opened link's values when the run that applied them did not complete.

    A value put into ``st.session_state`` reaches its widget in the browser only through that
    run's messages ("set_value" on the widget). When the run is cut short (a rerun the browser
    asks for while it runs, a page switch), Streamlit drops its queued, unsent messages, and
    in the next run the value is no longer new: the browser may keep showing what it showed
    before while the page computes with the link's value, or send that old value back and
    lose the link (tests/test_link_held.py). So until a run of the page completes
    (:func:`finish`), at most ``HELD_RUNS`` times, each link value is written again, as new,
    unless the browser sent a third value (the user's own change, which wins)."""
    held = state.get(HELD_KEY, {})
    values, runs = held.get(page_file, ({}, 0))
    if runs <= 0:
        held.pop(page_file, None)
        return
    held[page_file] = (values, runs - 1)
    for key, (value, before) in values.items():
        try:
            unchanged = key in state and any(state[key] == v for v in (value, before))
        except (ValueError, TypeError):  # a value without a plain == (never a link's)
            unchanged = False
        if unchanged:
            state[key] = value


def finish(page_file: str | None) -> None:
    """app.py, after the page ran to its end (or to ``safe_run.end_page()``): the URL and the Copy-link
    button with the settings the page ended with (once per run: both cost a rerun's time)."""
    from pages.ui.url_fields import fields_of

    state = st.session_state
    mine, slot = state.pop(LINK_SLOT_KEY, (None, None))
    if slot is not None and mine == page_file:
        _publish(page_file, fields_of(page_file), slot)
    state.get(HELD_KEY, {}).pop(page_file, None)  # the link's run completed


def _publish(page_file: str, fields: Sequence[Field], slot: Any) -> None:
    from pages.ui import lang as current_language

    state = st.session_state
    lang = current_language()
    values = page_query(fields, state, lang)
    sent = state.setdefault(SENT_KEY, {}).setdefault(page_file, [])
    key = _query_key(values)
    if key not in sent:
        sent.append(key)
        del sent[:-SENT_KEEP]
    state[LANG_SEEN_KEY] = lang
    _write_query(values)
    _copy_link(slot, page_file, values, lang)


def link_url(values: Mapping[str, str]) -> str:
    """This page's address with ``values`` as its query string."""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser (AppTest)
        base = ""
    return f"{base}?{urlencode(values)}" if values else base


def _copy_link(slot: Any, page_file: str | None, values: Mapping[str, str], lang: str) -> None:
    """The "Copy link" button of the sidebar: the URL in a code box (its copy icon copies it;
    it can also be selected by hand, which works on a plain-http classroom server too)."""
    from pages.ui.url_fields import too_large_note

    with slot.container():
        with st.popover(translate("common.copy_link", lang), icon=":material/link:", width="stretch"):
            st.code(link_url(values), language=None, wrap_lines=True)
            st.caption(translate("common.copy_link_help", lang))
            note = too_large_note(page_file, st.session_state)
            if note:
                st.warning(translate("common.link_too_large", lang, n=note))


def query_for(page_file: str, settings: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The query string that opens ``page_file`` with ``settings`` and every other setting at
    its default: what the home page's lecture links and the practice page's solutions use.

    ``settings`` maps the page's session-state keys (or a field's own URL names, e.g. the
    Architecture page's ``preset`` / ``net``) to values; each is written even when it is the
    default, so the link always resets the page. A value the field refuses raises ValueError.
    """
    from pages.ui.url_fields import fields_of

    values = {LANG_PARAM: lang}
    for f in fields_of(page_file):
        for name in f.params():
            if name in settings and name != f.key:
                values[name] = str(settings[name])
        if f.key in settings:
            text = f.text(settings[f.key])
            f.parse(text)
            values[f.param] = text
    unknown = set(settings) - {f.key for f in fields_of(page_file)} - set(values)
    if unknown:
        raise ValueError(f"{page_file} has no link setting {sorted(unknown)}")
    return values
