"""AppTest of the Training lab: counts, presets, data sources, a short training run in the
background thread (curves, stored model, downloads) and the Stop button."""

from __future__ import annotations

import gzip
import json
import os
import struct
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.digits import datasets as ds  # noqa: E402
from convviz.figures.training import curves_figure  # noqa: E402
from tests.apptest_helpers import finish_training  # noqa: E402

pytestmark = pytest.mark.usefixtures("private_digit_cache")


def _open(lang: str = "en", **state: object) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("pages/training_lab.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _md(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)




@pytest.mark.parametrize("lang", ["en", "es"])
def test_counts_and_summary(lang: str) -> None:
    at = _open(lang)
    text = _md(at)
    # N = 1000, B = 32: ceil(1000 / 32) = 32 iterations per epoch, 5 epochs -> 160
    thousands = "1,000" if lang == "en" else "1.000"  # counts in the user's number format
    assert thousands in text and "**B = 32**" in text and "= **32**" in text and "5 epochs = **160**" in text
    # the engine's summary of the small network: 208 + 3,216 + 25,664 + 650 parameters
    assert ("29,738" if lang == "en" else "29.738") in text
    if lang == "es":
        assert "1,000" not in text and "29,738" not in text
    assert at.info  # the data source is stated before training


def test_batch_modes_change_the_counts() -> None:
    at = _open()
    at.radio(key="train_batch_mode").set_value("full").run()
    assert "⌈N / B⌉ = **1**" in _md(at) and "1 × 5 epochs = **5**" in _md(at)
    at.radio(key="train_batch_mode").set_value("stochastic").run()
    assert "⌈N / B⌉ = **1,000**" in _md(at)
    at.select_slider(key="train_n").set_value(5000)
    at.radio(key="train_batch_mode").set_value("full").run()  # 5,000 digits in one step: refused
    assert not at.exception and at.error and at.button(key="train_start").disabled
    at.select_slider(key="train_n").set_value(1000).run()
    assert not at.error and not at.button(key="train_start").disabled
    at.radio(key="train_batch_mode").set_value("mini").run()
    assert at.select_slider(key="train_batch_size").value == 32  # kept while disabled
    # B larger than N: capped at N, and called what it is (not "1 < B = 50 < N")
    at.select_slider(key="train_n").set_value(50)
    at.select_slider(key="train_batch_size").set_value(512).run()
    captions = "\n".join(c.value for c in at.caption)
    assert "**B = 50**" in _md(at) and "512 is not smaller than N = 50" in captions and "1 < B" not in captions


def test_one_click_preset_sets_the_controls() -> None:
    at = _open()
    at.radio(key="train_source").set_value("generated").run()
    at.button(key="train_repro_overfitting").click().run()
    assert not at.exception
    assert at.select_slider(key="train_n").value == 50
    assert at.slider(key="train_epochs").value == 30
    at.button(key="train_repro_slow_start").click().run()
    assert at.select_slider(key="train_init").value == 0.2
    assert at.radio(key="train_optimizer").value == "momentum"


def test_short_training_run_shows_curves_and_hands_over_the_model() -> None:
    at = _open()
    at.select_slider(key="train_n").set_value(50)
    at.select_slider(key="train_batch_size").set_value(16)
    at.slider(key="train_epochs").set_value(2)
    at.checkbox(key="train_early").check().run()
    at.slider(key="train_patience").set_value(1).run()
    at.button(key="train_start").click().run()
    assert not at.exception
    run = finish_training(at)
    assert run.status == "done"
    snap = run.snapshot()
    assert snap.iteration == 8  # ceil(50 / 16) = 4 per epoch, 2 epochs
    assert len(snap.iter_loss) == 8 and len(snap.val_loss) == 2
    from convviz.nn import Sequential

    model = at.session_state["trained_model"]
    assert isinstance(model, Sequential) and model is run.model
    assert not model.deskew
    assert model.predict_proba(np.zeros((1, 28, 28), np.uint8)).shape == (1, 10)
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {trace.get("name") for trace in fig["data"]}
    assert {"training, each iteration", "training, per epoch", "validation, per epoch"} <= names
    text = _md(at)
    assert "Data in use: generated digits" in text and "50 for training and 500 for validation" in text
    assert at.get("download_button")
    assert at.warning or at.success  # the pattern the curves show is named


def test_a_deskewing_run_hands_over_a_deskewing_model() -> None:
    """The "Deskew the digits" box: the trained network deskews what it reads (the Draw
    page then shows the deskewed input), and the box travels in the page's link."""
    at = _open("es")
    assert at.checkbox(key="train_deskew").label == "Enderezar los dígitos"
    at.select_slider(key="train_n").set_value(50)
    at.slider(key="train_epochs").set_value(1).run()
    assert "deskew" not in at.query_params  # off by default: the link leaves it out
    at.checkbox(key="train_deskew").check().run()
    assert at.query_params["deskew"] == "1"  # in the link
    at.button(key="train_start").click().run()
    assert not at.exception
    assert finish_training(at).status == "done"
    assert at.session_state["trained_model"].deskew


def test_stop_button_stops_the_run() -> None:
    at = _open()
    at.select_slider(key="train_n").set_value(1000)
    at.slider(key="train_epochs").set_value(50).run()
    at.button(key="train_start").click().run()
    run = at.session_state["train_run"]
    deadline = time.monotonic() + 60
    while run.snapshot().iteration < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    at.button(key="train_stop").click().run()
    run = finish_training(at, 60)
    assert run.status == "stopped"
    assert 3 <= run.snapshot().iteration < run.settings.total_iterations
    assert "Stopped after" in "\n".join(p.proto.text for p in at.get("progress"))


def _idx(array: np.ndarray) -> bytes:
    head = struct.pack(">BBBB", 0, 0, 8, array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    return head + array.astype(np.uint8).tobytes()


def test_folder_source_is_off_by_default() -> None:
    """On a shared server no visitor can probe the filesystem: without CONVVIZ_DATA_DIRS the
    folder source is not offered at all, and a hostile session value is ignored."""
    at = _open(train_source="folder", train_folder="/etc")
    assert not at.exception
    assert "folder" not in at.radio(key="train_source").options
    assert at.radio(key="train_source").value == "generated"
    assert not at.text_input and "/etc" not in _md(at)


def test_folder_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "mnist-data"
    data.mkdir()
    monkeypatch.setenv(ds.ENV_DATA_DIRS, f"{data}{os.pathsep}{tmp_path / 'nowhere'}")
    at = _open()
    at.radio(key="train_source").set_value("folder").run()
    assert at.selectbox(key="train_folder").options == ["mnist-data"]  # a name, never a path
    assert at.warning and at.button(key="train_start").disabled  # no MNIST files yet
    tmp_path = data
    # broken files: refused before Start, with the reason, and the settings stay
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 7)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"not an idx file")
    at.slider(key="train_epochs").set_value(2).run()
    at.run()
    assert not at.exception and at.button(key="train_start").disabled
    assert any("cannot be read" in e.value and "truncated" in e.value for e in at.error)
    assert not any(str(tmp_path) in e.value for e in at.error)
    assert at.slider(key="train_epochs").value == 2
    for f in tmp_path.iterdir():
        f.unlink()
    x, y = ds.generate_digits(560, seed=9)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx(x)))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx(y))
    at.run()
    assert any("560 digits" in w.value for w in at.warning)  # N = 1,000 + 500 validation > 560
    assert at.button(key="train_start").disabled
    at.select_slider(key="train_n").set_value(50)
    at.slider(key="train_epochs").set_value(1).run()
    assert any("(560 digits)" in i.value for i in at.info) and not at.button(key="train_start").disabled
    at.button(key="train_start").click().run()
    run = finish_training(at)
    assert run.status == "done" and run.data_source == "folder"
    assert "MNIST from the folder mnist-data" in _md(at) and str(tmp_path) not in _md(at)


def test_folder_with_only_the_test_split(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Like the development data: only t10k-*; the lab says so and trains on it."""
    monkeypatch.setenv(ds.ENV_DATA_DIRS, str(tmp_path))
    x, y = ds.generate_digits(600, seed=4)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx(x)))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx(y)))
    at = _open("es")
    at.radio(key="train_source").set_value("folder").run()
    assert any("t10k, 600 dígitos" in i.value for i in at.info)
    assert any("600" in w.value and "1.500" in w.value for w in at.warning)  # N = 1.000 + 500 > 600
    assert at.button(key="train_start").disabled
    at.select_slider(key="train_n").set_value(100).run()
    assert not at.warning and not at.button(key="train_start").disabled


def test_download_source_without_cache_offers_the_download() -> None:
    at = _open("es")
    at.radio(key="train_source").set_value("download").run()
    assert not at.exception
    assert at.button(key="train_download") and at.button(key="train_start").disabled
    assert str(ds.mnist_cache_dir()) not in " ".join(i.value for i in at.info)  # no server path


def test_curves_figure_places_iterations_and_epochs_on_one_axis() -> None:
    labels = {k: k for k in ("loss", "accuracy", "epoch", "iter_train", "smooth", "train", "val", "best", "stopped")}
    fig = curves_figure([2.0, 1.5, 1.2, 1.0, 0.9, 0.8], [0.1] * 6, [1.6, 0.9], [0.3, 0.6], [1.4, 1.0], [0.4, 0.5],
                        iterations_per_epoch=3, labels=labels, best_epoch=2, stopped_early=True, total_epochs=4)
    by_name = {t.name: t for t in fig.data}
    np.testing.assert_allclose(by_name["iter_train"].x, [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    assert list(by_name["val"].x) == [1, 2]
    assert any(s["type"] == "line" and s["x0"] == 2 for s in fig.layout.shapes)  # the early-stopping mark
    assert fig.layout.xaxis2.range[1] >= 4
