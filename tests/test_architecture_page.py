"""The Architecture page in AppTest: every preset's numbers are the engine's, edits update the
table, an invalid edit is rejected with its layer named and the network kept, and an exported
spec imports back to the same network."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import convviz  # noqa: E402
from convviz.arithmetic.formatting import human, human_bytes  # noqa: E402
from convviz.arithmetic.presets import get_preset, list_presets  # noqa: E402
from tests._numbers import numbers_in, parse_number  # noqa: E402
from tests.apptest_helpers import open_page  # noqa: E402


@pytest.fixture(scope="module")
def at() -> AppTest:
    return open_page("pages/architecture.py")


def _load(app: AppTest, name: str) -> None:
    app.selectbox(key="arch_preset").set_value(name).run()
    app.button(key="arch_reload").click().run()  # reload even when it was already chosen


def _table(app: AppTest):
    return app.dataframe[0].value


def _check_numbers(app: AppTest, spec_or_name, lang: str = "en") -> None:
    """Totals, metrics and table of the page equal the engine's, read back in ``lang``'s
    number format (Spanish: 61.706 and 61,7 k)."""
    summary = convviz.summarize(spec_or_name)
    assert not app.exception, [e.value for e in app.exception]
    metrics = [m.value for m in app.metric]
    expected = [human(summary.total_params), human(summary.total_macs), human_bytes(summary.total_memory_bytes)]
    if lang == "es":  # "61.7 k" has no thousands separator: only the decimal point changes
        expected = [e.replace(".", ",") for e in expected]
    assert metrics[:3] == expected
    helps = [parse_number(m.help.removesuffix(" B"), lang) for m in app.metric[:3]]
    assert helps == [summary.total_params, summary.total_macs, summary.total_memory_bytes]
    plain = numbers_in(" ".join(m.value for m in app.markdown), lang)
    for number in (summary.total_params, summary.total_macs, summary.total_memory_bytes, summary.total_buffers):
        assert number in plain
    columns = json.loads(app.dataframe[0].proto.columns)
    formats = [c["type_config"]["format"] for c in columns.values() if "type_config" in c]
    assert formats == ["%,d" if lang == "en" else "%'.,d"] * 2  # sprintf: the character after ' groups
    table = _table(app)
    assert len(table) == len(summary.layers)
    assert [p.strip("\u2003") for p in table.iloc[:, 0]] == [r.path for r in summary.layers]
    assert list(table.iloc[:, 3]) == [r.params for r in summary.layers]
    assert list(table.iloc[:, 4]) == [r.macs for r in summary.layers]
    assert list(table.iloc[:, 2]) == ["×".join(map(str, r.output_shape)) for r in summary.layers]
    for shown, row in zip(table.iloc[:, 5], summary.layers, strict=True):  # memory: "18,8 kB" in Spanish
        value, unit = shown.split(" ")
        scale = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}[unit]
        assert abs(parse_number(value, lang) * scale - row.memory_bytes) <= 0.005 * row.memory_bytes


@pytest.mark.parametrize("name", list_presets())
def test_each_preset_loads_with_the_engine_numbers(at: AppTest, name: str) -> None:
    _load(at, name)
    _check_numbers(at, name)
    assert at.session_state["arch_spec"] == get_preset(name)


def test_published_totals_appear_for_resnet50(at: AppTest) -> None:
    _load(at, "resnet50")
    assert "25,557,032" in " ".join(m.value for m in at.markdown)
    assert [m.value for m in at.metric][:2] == ["25.6 M", "4.09 G"]


def test_spanish_ui_writes_numbers_the_spanish_way(media: list) -> None:
    app = open_page("pages/architecture.py", "es")
    _load(app, "resnet50")
    _check_numbers(app, "resnet50", "es")
    assert "25.557.032" in " ".join(m.value for m in app.markdown)
    assert [m.value for m in app.metric][:2] == ["25,6 M", "4,09 G"]
    a, b = convviz.summarize("lecture_5x5_direct"), convviz.summarize("lecture_1x1_bottleneck")
    compare = app.dataframe[1].value
    assert [parse_number(v.removesuffix(" B"), "es") for v in compare.iloc[:, 1]] == [
        a.total_params, a.total_macs, a.total_memory_bytes]
    assert [parse_number(v.removesuffix(" B"), "es") for v in compare.iloc[:, 2]] == [
        b.total_params, b.total_macs, b.total_memory_bytes]
    ratio = parse_number(compare.iloc[0, 3], "es")
    assert abs(ratio - b.total_params / a.total_params) <= 5e-4 * ratio
    markdown = _download(app, 2, media).decode()
    assert "25.557.032" in markdown and "25,557,032" not in markdown  # the Markdown is for people
    csv_text = _download(app, 1, media).decode()  # ... the CSV stays plain digits
    assert csv_text.splitlines()[-1].split(",")[5] == "25557032"


def _args_area(app: AppTest):
    return next(t for t in app.text_area if t.key.startswith("arch_args_"))


def test_editing_a_layer_updates_the_table_and_totals(at: AppTest) -> None:
    _load(at, "lenet5")
    at.selectbox(key="arch_layer").set_value("layers.0").run()
    args = json.loads(_args_area(at).value)
    args["out_channels"] = 12
    _args_area(at).input(json.dumps(args)).run()
    at.button(key="arch_apply").click().run()
    edited = get_preset("lenet5")
    edited["layers"][0]["out_channels"] = 12
    assert at.session_state["arch_spec"] == edited
    _check_numbers(at, edited)
    assert not at.error
    # structural edits: add a layer after it, move it, wrap it, remove it
    at.selectbox(key="arch_new_type").set_value("BatchNorm2d").run()
    at.button(key="arch_add").click().run()
    assert at.session_state["arch_spec"]["layers"][1] == {"type": "BatchNorm2d"}
    assert at.session_state["arch_layer"] == "layers.1"
    _check_numbers(at, at.session_state["arch_spec"])
    at.button(key="arch_wrap_res").click().run()
    assert at.session_state["arch_spec"]["layers"][1] == {"type": "Residual", "body": [{"type": "BatchNorm2d"}]}
    _check_numbers(at, at.session_state["arch_spec"])
    at.button(key="arch_unwrap").click().run()
    at.button(key="arch_remove").click().run()
    assert at.session_state["arch_spec"] == edited


def test_invalid_edit_shows_the_message_and_keeps_the_network(at: AppTest) -> None:
    _load(at, "lenet5")
    before = at.session_state["arch_spec"]
    at.selectbox(key="arch_layer").set_value("layers.3").run()
    layer_type = before["layers"][3]["type"]
    _args_area(at).input(json.dumps({"out_channels": 16, "kernel_size": 40})).run()
    at.button(key="arch_apply").click().run()
    assert not at.exception
    assert at.error and "layers.3" in at.error[0].value
    assert at.session_state["arch_spec"] == before
    _check_numbers(at, "lenet5")
    # not JSON at all
    _args_area(at).input("{out_channels: 16").run()
    at.button(key="arch_apply").click().run()
    assert at.error and "layers.3" in at.error[0].value and at.session_state["arch_spec"] == before
    # an input the network cannot take
    at.number_input(key="arch_in_h").set_value(4).run()
    assert at.error and at.session_state["arch_spec"] == before
    assert layer_type == at.session_state["arch_spec"]["layers"][3]["type"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_broken_json_arguments_are_explained_in_the_users_language(lang: str) -> None:
    """Python's json text ("Expecting property name enclosed in double quotes: line 1
    column 21") is replaced by the catalog's, with the line and column of the problem."""
    app = open_page("pages/architecture.py", lang)
    before = app.session_state["arch_spec"]
    app.selectbox(key="arch_layer").set_value("layers.3").run()
    _args_area(app).input('{"out_channels": 16, kernel_size: 5}').run()
    app.button(key="arch_apply").click().run()
    message = app.error[0].value
    assert "Expecting" not in message and "delimiter" not in message
    expected = {"en": "line 1, column 22: names must be in double quotes",
                "es": "línea 1, columna 22: los nombres van entre comillas dobles"}[lang]
    assert message.startswith("layers.3: ") and expected in message, message
    assert app.session_state["arch_spec"] == before
    _args_area(app).input('{"out_channels": 16\n "kernel_size": 5}').run()
    app.button(key="arch_apply").click().run()
    expected = {"en": "line 2, column 2: a comma", "es": "línea 2, columna 2: falta una coma"}[lang]
    assert expected in app.error[0].value, app.error[0].value


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every in-memory media storage the app's runs create during a test. AppTest gives each
    run its own storage and drops it when the run ends; keeping them here keeps the downloads
    readable (looking them up through ``gc`` failed when a storage had been collected)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    storages: list = []
    original = MemoryMediaFileStorage.__init__

    def keep(self: MemoryMediaFileStorage, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        storages.append(self)

    monkeypatch.setattr(MemoryMediaFileStorage, "__init__", keep)
    return storages


def _download(app: AppTest, index: int, storages: list) -> bytes:
    """Content of a download button, from the storage of the run that drew it (the last)."""
    file_id = app.get("download_button")[index].proto.url.rsplit("/", 1)[-1].split(".")[0]
    return storages[-1].get_file(file_id).content


def test_export_then_import_gives_the_same_network(at: AppTest, media: list) -> None:
    _load(at, "googlenet")
    exported = _download(at, 0, media)
    summary = convviz.summarize("googlenet")
    csv_text = _download(at, 1, media).decode()
    assert csv_text.splitlines()[-1].startswith("total,,,3x224x224,1000,6624904,")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [r["path"] for r in rows] == [r.path for r in summary.layers] + ["total"]
    assert (rows[-1]["macs"], rows[-1]["memory_bytes"]) == (str(summary.total_macs), str(summary.total_memory_bytes))
    markdown = _download(at, 2, media).decode()
    assert "6,624,904" in markdown and f"{summary.total_macs:,}" in markdown
    assert all(f"`{r.path}`" in markdown for r in summary.layers)
    at.selectbox(key="arch_preset").set_value("lenet5").run()
    at.file_uploader(key="arch_upload").set_value(("net.json", exported, "application/json")).run()
    assert at.session_state["arch_spec"] == get_preset("googlenet")
    _check_numbers(at, "googlenet")
    # a broken file keeps the network
    at.file_uploader(key="arch_upload").set_value(("bad.json", b"{not json", "application/json")).run()
    assert at.error and at.session_state["arch_spec"] == get_preset("googlenet")


def test_pytorch_code_and_charts_are_shown(at: AppTest) -> None:
    _load(at, "resnet18")
    code = [c.value for c in at.code]
    assert code and "class Residual(nn.Module)" in code[0] and "nn.Conv2d(3, 64" in code[0]
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # the diagram, costs, shape flow, comparison
    costs = json.loads(charts[1].proto.spec)
    assert costs["layout"]["yaxis"]["type"] == "log"
    at.toggle(key="arch_log").set_value(False).run()
    costs = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert costs["layout"]["yaxis"]["type"] == "linear"


def test_comparison_ratios(at: AppTest) -> None:
    at.selectbox(key="arch_cmp_a").set_value("lecture_5x5_direct").run()
    at.selectbox(key="arch_cmp_b").set_value("lecture_1x1_bottleneck").run()
    table = at.dataframe[1].value
    macs = table.iloc[1]
    assert macs.iloc[1] == "120,422,400" and macs.iloc[2] == "12,443,648"
    assert macs.iloc[3] == f"{12443648 / 120422400:.4g}"
    at.selectbox(key="arch_cmp_a").set_value("vgg16").run()
    at.selectbox(key="arch_cmp_b").set_value("resnet50").run()
    params = at.dataframe[1].value.iloc[0]
    assert params.iloc[1] == "138,357,544" and params.iloc[2] == "25,557,032"


def test_spanish_page_runs(at: AppTest) -> None:
    at.session_state["lang"] = "es"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Arquitectura"
    at.session_state["lang"] = "en"
    at.run()
