"""The Spanish-page scan, shared by tests/test_spanish_pages.py and any later view.

A Spanish page must show no English catalog text and no number written with a decimal
point. :func:`rendered_texts` collects every text an AppTest run shows (markdown, captions,
labels, options, help, messages, latex, dataframe headers and cells, and the strings of
every plotly figure: hovertemplates, axis titles, annotations, trace names, tick texts),
:func:`english_leaks` finds the English catalog's phrases among them and
:func:`decimal_points` the numbers written the English way.

The views to scan are data: :data:`VIEWS` lists (page, name, session-state settings); a new
page, section or tab is one more :class:`View` row.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from convviz.i18n import catalog
from tests.apptest_helpers import finish_training, open_page

MIN_CHARS = 12
"""A catalog fragment shorter than this (and of fewer than :data:`MIN_WORDS` words) is too
short to be sure it is English only ("max", "ReLU", "3x3")."""
MIN_WORDS = 3

# proto fields that are never shown as text (ids, keys, formats, styles, data)
_HIDDEN_FIELDS = {
    "id", "formId", "key", "type", "language", "theme", "format", "arrowData", "data", "styles",
    "selectionMode", "width", "height", "color", "icon", "default", "value", "rawValue",
    "setValue", "step", "min", "max", "dataType", "tag", "textAlignment", "url", "src",
    "mimetype", "deltaPath", "scriptHash", "placeholder_if_empty", "spec", "useContainerWidth",
    "queryString", "page", "pageScriptHash",
}
# plotly keys whose strings are never shown (colours, modes, anchors, references)
_PLOTLY_HIDDEN = re.compile(
    r"(color|colorscale|mode|anchor|ref|type|position|dash|shape|family|align|font|xaxis|yaxis"
    r"|symbol|fill|hoverinfo|hoverlabel|layout|method|args|redraw|easing|pattern|uid|tickformat"
    r"|hovermode|dragmode|barmode|autorange|side|orientation|scaleanchor|constrain|textinfo"
    r"|legendgroup|bdata|dtype|visible|hoveron|textposition|direction|valign|xanchor|yanchor)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class View:
    """One screen to scan: ``page`` (a registry file) with ``state`` set in the session state
    before a rerun (a section's radio, an operation), then ``widgets`` set through the widgets
    themselves (their on_change callbacks run: a preset that loads a network), then ``act``
    (clicks, anything else) if given."""

    page: str
    name: str
    state: dict[str, object] = field(default_factory=dict)
    widgets: dict[str, object] = field(default_factory=dict)
    act: Callable[[AppTest], None] | None = None

    @property
    def id(self) -> str:
        return f"{self.page.removeprefix('pages/').removesuffix('.py')}:{self.name}"


def set_widget(at: AppTest, key: str, value: object) -> None:
    """Set the widget ``key`` (any type) to ``value`` and rerun, as a user's change would."""
    widget = next((el for el in _elements(at._tree) if getattr(el, "key", None) == key), None)
    assert widget is not None, f"no widget {key!r} on the page"
    widget.set_value(value).run()


def answer_every_exercise_wrong(at: AppTest) -> None:
    """Practice: answer each exercise with an impossible value, so its verdict and worked
    solution show."""
    keys = [str(t.key) for t in at.text_input if str(t.key).startswith("practice_answer_")]
    assert keys, "no exercise on the page"
    for key in keys:  # the elements of the last run (each run draws them anew)
        at.text_input(key=key).input("99" if "tiling" in key else "999999")
        ident = key.removeprefix("practice_answer_")
        next(b for b in at.button if b.proto.is_form_submitter and ident in b.proto.form_id).click()
        at.run()


def train_briefly(at: AppTest, timeout: float = 120) -> None:
    """Training lab: a two-epoch run on 50 generated digits, waited for, then the page again
    (curves, the pattern they show, the summary)."""
    set_widget(at, "train_n", 50)
    set_widget(at, "train_epochs", 2)
    at.button(key="train_start").click().run()
    finish_training(at, timeout)


VIEWS: list[View] = [
    *(View("pages/concepts.py", s, {"concepts_section": s})
      for s in ("activations", "fc_conv", "norm", "dropout", "softmax", "pool_shift", "augment", "descent",
                "adam")),
    View("pages/concepts.py", "fc_conv_invalid", {
        "concepts_section": "fc_conv", "concepts_fc_h": 7, "concepts_fc_w": 7, "concepts_fc_k": 3,
        "concepts_fc_stride": 3}),
    *(View("pages/layer_arithmetic.py", op, {"arith_op": op})
      for op in ("conv", "convt", "maxpool", "avgpool")),
    View("pages/layer_arithmetic.py", "tiling", {
        "arith_op": "conv", "arith_pad_mode": "number", "arith_h": 8, "arith_w": 8, "arith_kh": 3,
        "arith_kw": 3, "arith_sh": 3, "arith_sw": 3, "arith_ph": 0, "arith_pw": 0}),
    View("pages/layer_arithmetic.py", "impossible", {
        "arith_op": "conv", "arith_pad_mode": "number", "arith_h": 2, "arith_w": 2, "arith_kh": 5, "arith_kw": 5,
        "arith_ph": 0, "arith_pw": 0}),
    View("pages/architecture.py", "default"),
    View("pages/architecture.py", "resnet18", widgets={"arch_preset": "resnet18"}),
    View("pages/architecture.py", "googlenet", widgets={"arch_preset": "googlenet"}),
    *(View("pages/architecture.py", name, widgets={"arch_preset": name})
      for name in ("googlenet_aux", "seresnet50", "resnext50_32x4d", "lenet5")),
    View("pages/receptive_field.py", "default"),
    View("pages/filter_lab.py", "default"),
    View("pages/filter_lab.py", "custom_bad", {"flt_name": "custom", "flt_custom": "1 2 3\n4 x"}),
    View("pages/filter_lab.py", "custom_fraction", {"flt_name": "custom", "flt_custom": "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9"}),
    *(View("pages/filter_lab.py", c, {"flt_concept": c})
      for c in ("corr", "assoc", "sep", "border", "stride", "equiv")),
    View("pages/draw_digit.py", "default"),
    View("pages/draw_digit.py", "sample", {"digit_source": "sample"}),
    *(View("pages/draw_digit.py", f"sample_layer{layer}", {"digit_source": "sample"}, widgets={"xp_layer": layer})
      for layer in (2, 6, 7, 10)),  # pooling, flatten, linear, the output layer's softmax
    View("pages/training_lab.py", "default"),
    View("pages/training_lab.py", "trained", act=train_briefly),
    *(View("pages/practice.py", level, {"practice_level": level}, act=answer_every_exercise_wrong)
      for level in ("easy", "medium", "hard")),
    View("pages/home.py", "default"),
]
"""Every screen the scan visits. Other pages, sections and tabs: add a row."""


def open_view(view: View) -> AppTest:
    """The view's page in Spanish with its settings applied (fails on an exception)."""
    at = open_page(view.page, "es")
    if view.state:
        for key, value in view.state.items():
            at.session_state[key] = value
        at.run()
    for key, value in view.widgets.items():
        set_widget(at, key, value)
    if view.act is not None:
        view.act(at)
    assert not at.exception, (view.id, [e.value for e in at.exception])
    return at


# ------------------------------------------------------------------------------ collecting


def _strings(value: object, key: str = "") -> Iterator[str]:
    """Every string in a (nested) dict/list, skipping the keys that are never shown."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in _HIDDEN_FIELDS:
                yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)


def _plotly_strings(value: object, key: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if not _PLOTLY_HIDDEN.search(key):
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if not _PLOTLY_HIDDEN.search(k):
                yield from _plotly_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _plotly_strings(v, key)


def _drop_silent_names(fig: dict) -> dict:
    """A trace's name shows only in a legend or in the hover box's "extra" part: drop the
    names that neither shows (internal names that tests and callbacks use)."""
    no_legend = fig.get("layout", {}).get("showlegend") is False
    traces = list(fig.get("data", [])) + [t for f in fig.get("frames", []) for t in f.get("data", [])]
    for trace in traces:
        hover_hidden = trace.get("hoverinfo") == "skip" or "<extra></extra>" in str(trace.get("hovertemplate", ""))
        if hover_hidden and (no_legend or trace.get("showlegend") is False):
            trace.pop("name", None)
    return fig


def _elements(node: object) -> Iterator[object]:
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            yield from _elements(child)
    if getattr(node, "proto", None) is not None:
        yield node


def rendered_texts(at: AppTest) -> list[tuple[str, str]]:
    """``(element type, text)`` for every text the run shows (see the module docstring)."""
    out: list[tuple[str, str]] = []
    for el in _elements(at._tree):
        kind = getattr(el, "type", type(el).__name__)
        proto = el.proto
        if kind == "plotly_chart":
            out += [(kind, s) for s in _plotly_strings(_drop_silent_names(json.loads(proto.spec)))]
            continue
        if kind in ("dataframe", "table"):
            frame = el.value
            out += [(kind, str(c)) for c in frame.columns]
            out += [(kind, v) for col in frame.columns for v in frame[col] if isinstance(v, str)]
            continue
        try:
            message = MessageToDict(proto)
        except TypeError:  # not a protobuf message
            continue
        out += [(kind, s) for s in _strings(message)]
    return out


# ------------------------------------------------------------------------------ checking


def _fragments(template: str) -> list[str]:
    """The literal parts of a ``str.format`` template (between its placeholders)."""
    parts = []
    for literal, *_ in string.Formatter().parse(template):
        parts += [p.strip() for p in re.split(r"\n+", literal)]
    return [p for p in parts if p]


def _is_phrase(text: str) -> bool:
    words = re.findall(r"[A-Za-z]{2,}", text)
    return bool(words) and (len(words) >= MIN_WORDS or len(text) > MIN_CHARS)


GLOSSARY_WORDS = "glossary.term_"
"""The glossary shows every term's English word on the Spanish pages too, on purpose."""


@cache
def _glossary_english() -> re.Pattern[str]:
    words = sorted((v for k, v in catalog("en").items() if k.startswith(GLOSSARY_WORDS)), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@cache
def english_phrases() -> dict[str, str]:
    """``{phrase: catalog key}``: the English catalog's sentences and phrases that no Spanish
    catalog value contains (symbols, units, names and code shared by both are left out)."""
    en, es = catalog("en"), catalog("es")
    spanish = "\n".join(v for k, v in es.items() if not k.startswith(GLOSSARY_WORDS))
    phrases: dict[str, str] = {}
    for key, text in en.items():
        if es.get(key) == text or key.startswith(GLOSSARY_WORDS):
            continue
        for part in _fragments(text):
            if _is_phrase(part) and part not in spanish:
                phrases.setdefault(part, key)
    return phrases


def english_leaks(texts: list[tuple[str, str]]) -> list[str]:
    """``"element: catalog key: phrase"`` for every English catalog phrase shown."""
    phrases = english_phrases()
    found = []
    for kind, text in texts:
        text = _glossary_english().sub(" ", text)
        for phrase, key in phrases.items():
            if phrase in text:
                found.append(f"{kind}: {key}: {phrase!r} in {text[:160]!r}")
    return found


_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")  # 61.706: Spanish grouping, not a decimal
_INPUT_SYNTAX = re.compile(r"\(0\.25\)|-0\.5, 1e-3")
"""The Filter lab's typed kernel is read with a decimal point (its comma separates entries):
its label and its error message show that syntax on purpose."""
_NOT_NUMBERS = re.compile(
    r"https?://\S+|\bv?\d+\.\d+\.\d+\.\d+\S*|\\[a-zA-Z]+|%\{[^}]*\}|[\w.-]+\.(?:py|json|png|csv|npz|gif)\b"
)


def decimal_points(texts: list[tuple[str, str]]) -> list[str]:
    """``"element: text"`` for every number written with a decimal point (2.33, 0.001).
    Spanish thousands (61.706), URLs, file names, plotly placeholders (``%{y:.2f}``) and
    code blocks (a spec's JSON) are left out; "3x3" is no decimal."""
    found = []
    for kind, text in texts:
        if kind == "code":
            continue
        plain = _NOT_NUMBERS.sub(" ", _INPUT_SYNTAX.sub(" ", text))
        for m in _DECIMAL.finditer(plain):
            if not _THOUSANDS.fullmatch(m.group()):
                found.append(f"{kind}: {m.group()!r} in {text[:160]!r}")
    return found


ENGLISH_WORDS = (
    "the", "of", "and", "is", "are", "must", "cannot", "does", "not", "with", "from", "which",
    "this", "that", "only", "into", "row", "col", "unit", "units", "value", "values", "input",
    "output", "layer", "layers", "channel", "step", "weight", "weights", "should", "choose",
)
"""Words of English that Spanish text never uses: they find English that is not in the
catalog at all (an engine's plain message, a figure's literal hover text)."""
_ENGLISH = re.compile(r"(?<![\w{%$\\])(?:" + "|".join(ENGLISH_WORDS) + r")(?![\w}])", re.IGNORECASE)


ALLOWED_ENGLISH = re.compile(
    r"\blayers(?:\.\d+)+|\bLayer norm|\blayer, instance|<style>.*|squeeze-and-excitation|\"[A-Za-z_]+\"",
    re.DOTALL)
"""English a Spanish page may show: a layer's path in the spec (``layers.3``, as the JSON
names it), the lecture's own names of methods (squeeze-and-excitation: the paper's name of
the block), the spec format's quoted JSON keys and types ("input", "layers", "body"), the
page's CSS."""


def english_words(texts: list[tuple[str, str]]) -> list[str]:
    """``"element: word in text"`` for every English word (:data:`ENGLISH_WORDS`) shown."""
    found = []
    for kind, text in texts:
        if kind in ("code", "latex"):
            continue
        for m in _ENGLISH.finditer(ALLOWED_ENGLISH.sub(" ", _glossary_english().sub(" ", text))):
            found.append(f"{kind}: {m.group()!r} in {text[:160]!r}")
    return found
