"""Shared page helpers: the active language, translated strings, and error display.

Pages import this as ``from pages.ui import tr``. It is the only place (with the pages
themselves) that touches streamlit; the engine in ``convviz/`` never does.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import pages.ui.preload  # noqa: F401 - first: imports what pages use lazily, once (see there)
from convviz.glossary import entries as glossary_entries
from convviz.i18n import DEFAULT_LANGUAGE, LANGUAGES, NUMBER_SEPARATORS, fmt_number, translate
from convviz.images import EXTENSIONS

LANG_KEY = "lang"
NAV_KEY = "_convviz_navigation"
GOTO_KEY = "_convviz_goto"
_RUN = threading.local()  # this script run's language, once app.py has settled it
_PAGE_OBJECTS: dict[str, Any] = {}  # page file -> app.py's st.Page (see remember_pages)


def mark_navigation() -> str | None:
    """Called by app.py before st.navigation: pages know they run inside the app.

    Returns the page file a redirected deep link asked for (see :func:`start_page`).
    """
    _RUN.ctx = None  # a new run: the language is read from the session until settle_language
    st.session_state[NAV_KEY] = True
    return st.session_state.pop(GOTO_KEY, None)


def remember_pages(pages: dict[str, Any]) -> None:
    """app.py's ``st.Page`` of each page file, for :func:`page_link`. Their script hashes and
    URL paths are the same in every session and language (labels are always given)."""
    _PAGE_OBJECTS.update(pages)


def page_link(file: str, label: str, icon: str = "", **kwargs: Any) -> None:
    """``st.page_link`` to a page file of the registry. Given the file's ``st.Page`` (which
    app.py registered) instead of its path, Streamlit skips resolving the path on disk and
    searching every page: Home shows about 50 links, and that search was half its rerun."""
    st.page_link(_PAGE_OBJECTS.get(file, file), label=label, icon=icon, **kwargs)


def start_page(file: str) -> None:
    """The first call of every page script: ``start_page(__file__)``.

    On a fresh server, Streamlit runs the first visitor's deep link (``/filter_lab``) in its
    legacy ``pages/`` mode: the page script alone, before app.py has ever called
    st.navigation, so without the app's menu, titles and language switch. Then the page
    asks app.py (which it switches to) to open it inside the navigation.
    """
    if not st.session_state.get(NAV_KEY) and st.runtime.exists():
        st.session_state[GOTO_KEY] = f"pages/{Path(file).name}"
        st.switch_page("app.py", query_params=st.query_params.to_dict() or None)  # keep the link's settings
    glossary()


@cache
def glossary_markdown(language: str) -> str:
    """The glossary as a markdown table: the term in English and in Spanish, the definition
    in ``language`` (built once per language)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|")
    rows = [f"| {translate('glossary.col_en', language)} | {translate('glossary.col_es', language)} "
            f"| {translate('glossary.col_def', language)} |", "|---|---|---|"]
    rows += [f"| **{cell(e.words['en'])}** | **{cell(e.words['es'])}** | {cell(e.definition)} |"
             for e in glossary_entries(language)]
    return "\n".join(rows)


def glossary() -> None:
    """The lecture's words, EN/ES, one click away in the sidebar of every page (a popover;
    the first call of every page, :func:`start_page`, draws it)."""
    with st.sidebar.popover(tr("glossary.button"), icon=":material/menu_book:", width="stretch"):
        st.markdown(f"**{tr('glossary.title')}**  \n{tr('glossary.intro')}")
        st.markdown(glossary_markdown(lang()))


def _session_language() -> str:
    value = st.session_state.get(LANG_KEY, DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def settle_language() -> None:
    """Called by app.py once this run's language is decided (link, browser, sidebar): then
    :func:`lang` answers without a session-state look-up (a page makes dozens; on Home they
    were a tenth of the rerun). A fragment's rerun keeps the value of its page's run."""
    _RUN.ctx, _RUN.lang = get_script_run_ctx(), _session_language()


def run_by_app() -> bool:
    """Whether this script run went through app.py, which calls ``url_state.finish`` after the
    page; not when a page script runs alone (AppTest's ``switch_page``, Streamlit's legacy mode)."""
    return getattr(_RUN, "ctx", None) is not None and _RUN.ctx is get_script_run_ctx()


def lang() -> str:
    """The language the user picked in the sidebar (English until they pick)."""
    if run_by_app():
        return _RUN.lang
    return _session_language()


def tr(key: str, **values: object) -> str:
    """The text of catalog ``key`` in the active language."""
    return translate(key, lang(), **values)


def _is_choice(value: object) -> bool:
    """Whether ``value`` can be what a radio, selectbox, select_slider or multiselect holds:
    a str or number, or a non-empty list / tuple of them. Booleans (buttons, checkboxes),
    None, dicts (data editors), uploaded files and component results are left out: Streamlit
    refuses writes to buttons, file uploaders and data editors, and they have no labels."""
    def scalar(v: object) -> bool:
        return isinstance(v, (str, int, float)) and not isinstance(v, bool)
    if isinstance(value, (list, tuple)):
        return bool(value) and all(scalar(v) for v in value)
    return scalar(value)


def _resend_choices() -> None:
    """on_change of the language switch: re-assign every kept widget value.

    Streamlit 1.67's browser side remembers the option of a radio, selectbox, select_slider
    and multiselect by its displayed label and the server re-sends it only when the value
    changes (segmented controls and pills re-send a changed label by themselves). After a
    language switch a translated label matched no option: a radio showed nothing chosen, a
    selectbox kept the old language's text, and the next click on anything sent the stale
    label back, which the server no longer knew, so the widget fell back to its default.
    A value assigned through ``st.session_state`` counts as new for one run, so Streamlit
    sends it to the browser again, labelled in the new language. Values are unchanged.
    """
    for key in list(st.session_state.keys()):
        if key == LANG_KEY:
            continue
        try:
            value = st.session_state[key]
        except KeyError:  # a widget whose state Streamlit cannot read right now
            continue
        if _is_choice(value):
            st.session_state[key] = value


def language_switch() -> None:
    """Sidebar selector English / Español; the choice survives page switches, and so do the
    options chosen on the pages (shown in the new language, see ``_resend_choices``)."""
    st.session_state.setdefault(LANG_KEY, DEFAULT_LANGUAGE)
    st.sidebar.selectbox(
        translate("common.language", lang()),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=LANG_KEY,
        on_change=_resend_choices,
    )


def message(exc: Exception) -> str:
    """An error's text in the user's language: an engine error (``ConvVizError``) is written
    from its catalog key; other errors keep their own text."""
    localized = getattr(exc, "localized", None)
    return localized(lang()) if callable(localized) else str(exc)


def reason(exc: Exception) -> str:
    """Why something failed, in the user's language: an engine error's text (catalog); any
    other error only by its class name (its own text is English and may name server paths)."""
    return message(exc) if callable(getattr(exc, "localized", None)) else type(exc).__name__


def show_error(exc: Exception) -> None:
    """Show an engine error in the page (never a traceback)."""
    st.error(f"{tr('common.error_prefix')}: {message(exc)}")


def number_format(lang: str) -> str:
    """printf format of a number column of ``st.dataframe`` with the thousands separator of
    ``lang`` ("%,d" -> 61,706; "%'.,d" -> 61.706: Streamlit's sprintf takes the character after
    ``'`` as the separator). The values stay numbers, so the column still sorts numerically;
    "localized" would follow the browser's locale, not the language picked in the app."""
    sep = NUMBER_SEPARATORS.get(lang, NUMBER_SEPARATORS["en"])[0]
    return "%,d" if sep == "," else f"%'{sep},d"


def num(value: float, decimals: int | None = None, spec: str | None = None) -> str:
    """A number in the user's language (61.706, 0,0625, 71,0 % in Spanish): ``decimals``
    fixed decimals, or a format ``spec`` such as ".4g" or ".1%"."""
    return fmt_number(value, lang(), decimals, spec=spec)


def sig(value: float) -> str:
    """A measured value to 4 significant digits in the user's language (0,0625 in Spanish)."""
    return fmt_number(float(value), lang(), spec=".4g")


def num_format(spec: str = "g") -> Callable[[float], str]:
    """A number widget's ``format_func`` (select_slider): ``0,003`` in Spanish, bound to the
    language of this run like :func:`labels`."""
    language = lang()
    return lambda value: fmt_number(value, language, spec=spec)


def decimal_slider(container: Any, label: str, lo: float, hi: float, value: float, step: float,
                   key: str, **kwargs: Any) -> float:
    """A float slider whose numbers use the language's decimal mark (0,1 in Spanish).

    ``st.slider`` formats floats in the browser, always with a decimal point; this is a
    ``select_slider`` over ``lo, lo + step, ..., hi`` (rounded to the step's decimals) labelled
    with :func:`num_format`. A kept value off the grid (an older float, a shared link) is
    first snapped to the nearest option, and anything unreadable falls back to ``value``."""
    decimals = max(0, -Decimal(str(step)).as_tuple().exponent)
    options = [round(lo + i * step, decimals) for i in range(round((hi - lo) / step) + 1)]
    try:
        wanted = float(st.session_state.get(key, value))
    except (TypeError, ValueError):
        wanted = value
    if not math.isfinite(wanted):
        wanted = value
    snapped = min(options, key=lambda option: abs(option - wanted))
    if st.session_state.get(key) != snapped:
        st.session_state[key] = snapped
    return float(container.select_slider(label, options=options, format_func=num_format(), key=key, **kwargs))


def labels(prefix: str) -> Callable[[Any], str]:
    """A widget's ``format_func``: option -> the catalog text ``prefix + option``, in the
    language of this run (bound now: AppTest calls it after the script has run)."""
    language = lang()
    return lambda option: translate(f"{prefix}{option}", language)


def image_uploader(label: str, key: str) -> Any:
    """The file uploader of every page that takes a picture: the formats the engine reads
    (:data:`convviz.images.EXTENSIONS`). Returns Streamlit's uploaded file or None."""
    return st.file_uploader(label, type=list(EXTENSIONS), key=key)


def session_alive_probe():  # -> Callable[[], bool] | None
    """A probe for background work (the training pool): False once this browser session is
    gone (tab closed, session expired), so its work stops and frees its memory. None
    outside a running server (AppTest), where nothing is reaped."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return None
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)
