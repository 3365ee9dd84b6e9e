"""The Architecture page's "Input size" panel in AppTest, in English and Spanish: LeNet-5 names
the Linear layer that fixes its input size, another size gives a new first Linear (or, keeping
the trained sizes, a clear rejection), and global average pooling makes it take any size;
AlexNet's adaptive pooling is named and a too-small input is rejected by the engine; GoogLeNet's
auxiliary classifiers are listed as side outputs under the totals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.arithmetic.input_size import try_input_size  # noqa: E402
from convviz.arithmetic.summary import summarize  # noqa: E402
from convviz.i18n import translate  # noqa: E402
from tests.apptest_helpers import open_page  # noqa: E402

TEXT = {
    "en": {"fixes": "layers.7 (Linear) fixes the input size", "rejects": "forces its input to have a certain size",
           "first": "the first Linear layer (layers.7) has **{n}** inputs", "none": "No layer fixes the input size",
           "adaptive": "Adaptive pooling (layers.13)"},
    "es": {"fixes": "layers.7 (Linear) fija el tamaño de la entrada", "rejects": "fuerza la entrada a tener un cierto tamaño",
           "first": "la primera capa Linear (layers.7) tiene **{n}** entradas", "none": "Ninguna capa fija el tamaño de la entrada",
           "adaptive": "El pooling adaptativo (layers.13)"},
}
PARAMS_36 = summarize("lenet5").total_params + (576 - 400) * 120  # 82,826: 176 more inputs to each of 120 units


def _texts(app: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(app, kind)]


def _try(app: AppTest, h: int, w: int, keep: bool) -> None:
    app.number_input(key="arch_size_h").set_value(h)
    app.number_input(key="arch_size_w").set_value(w)
    app.toggle(key="arch_size_keep").set_value(keep)
    app.run()
    assert not app.exception, [e.value for e in app.exception]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_lenet5_input_size_new_network_trained_network_and_global_pooling(lang: str) -> None:
    text = TEXT[lang]
    app = open_page("pages/architecture.py", lang)
    assert translate("arch.size_title", lang) in [s.value for s in app.subheader]
    assert any(text["fixes"] in w for w in _texts(app, "warning"))
    _try(app, 36, 36, keep=False)
    markdown = " ".join(_texts(app, "markdown"))
    assert text["first"].format(n=400) in markdown and text["first"].format(n=576) in markdown
    params = f"{PARAMS_36:,}" if lang == "en" else f"{PARAMS_36:,}".replace(",", ".")
    assert f"**{params}**" in markdown
    assert not app.error
    _try(app, 36, 36, keep=True)
    [error] = _texts(app, "error")
    assert error.startswith("layers.7: ") and text["rejects"] in error
    assert error == try_input_size("lenet5", (1, 36, 36), keep_weights=True).error.localized(lang)
    assert "576" in error and "400" in error
    app.button(key="arch_size_gap").click().run()
    assert not app.exception and not app.error
    assert any(text["none"] in s for s in _texts(app, "success"))
    assert not any(text["fixes"] in w for w in _texts(app, "warning"))
    assert text["first"].replace("layers.7", "layers.8").format(n=16) in " ".join(_texts(app, "markdown"))
    _try(app, 50, 40, keep=True)  # the same network now takes any size
    assert not app.error
    if lang == "es":  # no English text of the panel reaches the Spanish page
        shown = " ".join(_texts(app, "markdown") + _texts(app, "caption") + _texts(app, "success"))
        for key in ("size_intro", "size_none_fixed", "size_result"):
            assert translate(f"arch.{key}", "en")[:25] not in shown


@pytest.mark.parametrize("lang", ["en", "es"])
def test_alexnet_adaptive_pool_and_a_too_small_input(lang: str) -> None:
    app = open_page("pages/architecture.py", lang)
    app.selectbox(key="arch_preset").set_value("alexnet").run()
    assert any(TEXT[lang]["adaptive"] in i for i in _texts(app, "info"))
    assert any(TEXT[lang]["none"] in s for s in _texts(app, "success"))
    assert app.number_input(key="arch_size_h").value == 224  # the trial starts at the network's size
    assert "arch_size_gap" not in [b.key for b in app.button]  # nothing to replace
    _try(app, 32, 32, keep=True)
    [error] = _texts(app, "error")
    assert error.startswith("layers.12: ")
    _try(app, 300, 300, keep=True)
    assert not app.error


@pytest.mark.parametrize("lang", ["en", "es"])
def test_googlenet_aux_side_outputs_are_named_under_the_totals(lang: str) -> None:
    app = open_page("pages/architecture.py", lang)
    app.selectbox(key="arch_preset").set_value("googlenet_aux").run()
    assert not app.exception
    word = {"en": "Side outputs", "es": "Salidas laterales"}[lang]
    [caption] = [c.value for c in app.caption if word in c.value]
    assert "layers.15 → 1000" in caption and "layers.19 → 1000" in caption
    assert app.metric[3].value == "1000"  # the main output
