"""Issue 16: the digits' data errors (data folders, IDX files, the download, a busy server)
come from the string catalog, so the Training lab in Spanish shows no English sentence."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convviz.digits import datasets as ds  # noqa: E402
from convviz.digits import jobs, mnist  # noqa: E402
from convviz.errors import DataError  # noqa: E402
from tests.lang_scan import english_leaks, rendered_texts  # noqa: E402
from tests.test_training_page import _open as _lab  # noqa: E402

pytestmark = pytest.mark.usefixtures("private_digit_cache")


def _no_english(at: AppTest) -> None:
    leaks = english_leaks(rendered_texts(at))
    assert not leaks, leaks


def _folder_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(ds.ENV_DATA_DIRS, str(tmp_path))
    at = _lab("es")
    at.radio(key="train_source").set_value("folder").run()
    return at


def test_engine_data_errors_are_catalog_errors(tmp_path: Path) -> None:
    """Each kind keeps its old class (ValueError / OSError / TimeoutError / RuntimeError), and
    its Spanish text is not the English one (numbers with Spanish separators)."""
    (tmp_path / "junk").write_bytes(b"\x08\x03\x00\x00")
    with pytest.raises(DataError) as bad_magic:
        mnist.read_idx(tmp_path / "junk")
    with pytest.raises(DataError) as few:
        ds.lab_data("generated", 0, 5)
    with pytest.raises(DataError) as no_files:
        ds.mnist_folder_split(tmp_path)
    with pytest.raises(ValueError) as split:
        ds._split(np.zeros((30, 28, 28)), np.zeros(30), 1000, 500, 0)
    errors = [bad_magic.value, few.value, no_files.value, split.value,
              ds.DownloadError("engine.data_download_failed", ["x: 404"], name="a.gz", mirrors=2),
              jobs.BusyError("engine.server_busy"), jobs.ClosedError("engine.server_closing")]
    for err in errors:
        assert isinstance(err, DataError) and err.key.startswith("engine.")
        assert err.localized("es") != str(err), err.key
    assert "1.000" in split.value.localized("es") and "1,000" in str(split.value)
    assert isinstance(errors[4], OSError) and isinstance(errors[5], TimeoutError)
    assert isinstance(errors[6], RuntimeError)


def test_busy_pool_is_a_catalog_error() -> None:
    pool = jobs.JobPool(workers=1, name="test-busy")
    try:
        gate = pool.submit(lambda job: job.cancelled.wait(5))  # the only worker is taken
        with pytest.raises(jobs.BusyError) as err:
            pool.run(lambda: 1, timeout=0.2)
        assert "ocupado" in err.value.localized("es")
        gate.cancel()
    finally:
        pool.shutdown()
    with pytest.raises(jobs.ClosedError):
        pool.submit(lambda job: None)


def test_folder_without_mnist_files_in_spanish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _folder_lab(tmp_path, monkeypatch)
    assert not at.exception and at.button(key="train_start").disabled
    assert any("no contiene los ficheros de MNIST" in w.value for w in at.warning)
    _no_english(at)


def test_corrupt_idx_file_in_spanish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 7)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"not an idx file")
    at = _folder_lab(tmp_path, monkeypatch)
    assert not at.exception and at.button(key="train_start").disabled
    assert any("cabecera IDX truncada" in e.value for e in at.error), [e.value for e in at.error]
    assert not any("truncated" in e.value for e in at.error)
    _no_english(at)


@pytest.mark.parametrize("error, shown", [
    (jobs.BusyError("engine.server_busy"), "el servidor está ocupado"),
    (RuntimeError("an unexpected English sentence from a library"), "error inesperado del servidor (RuntimeError)"),
])
def test_failed_run_in_spanish(error: Exception, shown: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pages.ui import train_widgets

    def fail(*_args: object) -> None:
        raise error

    monkeypatch.setattr(train_widgets, "load_data", fail)
    at = _lab("es")
    at.button(key="train_start").click().run()
    run = at.session_state["train_run"]
    run.join(60)
    assert not run.running
    at.run()
    assert not at.exception
    texts = [e.value for e in at.error]
    assert any(shown in t for t in texts), texts
    assert not any("English sentence" in t for t in texts)
    _no_english(at)

