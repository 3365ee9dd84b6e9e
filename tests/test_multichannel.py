"""Multi-channel convolution: the step-by-step data against the brute-force reference
(tests/reference.py), its figure, its GIF, the 3D volume figure, and the page hooks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from convviz.animation.multichannel import (
    build_multichannel,
    example_values,
    write_multichannel_gif,
)
from convviz.errors import SpecError
from tests import reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("cin", "f", "n", "k", "s", "p"), [(3, 2, 5, 3, 1, 0), (2, 3, 6, 3, 2, 1), (1, 4, 4, 2, 1, 1)])
def test_steps_equal_the_brute_force_convolution(cin, f, n, k, s, p) -> None:
    x, w, b = example_values(cin, n, n, f, k, seed=cin + f)
    anim = build_multichannel(x, w, b, s, p)
    want = reference.conv2d(x, w, b, stride=(s, s), padding=(p, p, p, p))
    np.testing.assert_allclose(anim.output, want)
    assert len(anim.steps) == want.size
    for st in anim.steps:
        assert sum(st.channel_sums) + st.bias == pytest.approx(want[st.f, st.i, st.j])
        xp = np.pad(x, ((0, 0), (p, p), (p, p)))
        for c in range(cin):
            win = xp[c, st.r0 : st.r0 + k, st.c0 : st.c0 + k]
            assert st.channel_sums[c] == pytest.approx(float((win * w[st.f, c]).sum()))


def test_caps_and_bad_shapes_are_clear_errors() -> None:
    x, w, b = example_values(4, 5, 5, 2, 3)
    with pytest.raises(SpecError, match="at most 3 input channels"):
        build_multichannel(x, w, b)
    x, w, b = example_values(2, 3, 3, 1, 5)
    with pytest.raises(SpecError, match="does not fit"):
        build_multichannel(x, w[:, :, :5, :5], b)
    with pytest.raises(ValueError, match="do not match"):
        build_multichannel(np.zeros((2, 4, 4)), np.zeros((1, 3, 3, 3)))


def test_step_text_in_both_languages() -> None:
    anim = build_multichannel(np.full((2, 3, 3), 0.5), np.ones((1, 2, 2, 2)), np.array([0.25]))
    assert anim.step_text(0, "en") == "map 0, cell (0, 0) = ch0 2 + ch1 2 + bias 0.25 = 4.25"
    assert anim.step_text(0, "es") == "mapa 0, celda (0, 0) = c0 2 + c1 2 + bias 0,25 = 4,25"


def test_figure_frames_fill_the_output_step_by_step() -> None:
    from convviz.figures.multichannel import multichannel_figure

    x, w, b = example_values(3, 4, 4, 2, 3, seed=5)
    anim = build_multichannel(x, w, b, 1, 0)
    fig = multichannel_figure(anim, "en").to_dict()
    assert len(fig["frames"]) == len(anim.steps) == 8
    last = fig["frames"][-1]["data"]
    out = np.array([[np.nan if v is None else v for v in row] for row in last[1]["z"]])
    wo = anim.output.shape[2]
    for f in range(2):  # the maps side by side, one empty column between them
        np.testing.assert_allclose(out[:, f * (wo + 1) : f * (wo + 1) + wo], anim.output[f])
    third = fig["frames"][2]["data"][1]["z"]
    assert sum(v is not None for row in third for v in row) == 3
    json.dumps(fig)  # plain JSON (no NaN)


def test_gif_has_one_frame_per_step() -> None:
    x, w, b = example_values(2, 4, 4, 2, 3, seed=1)
    anim = build_multichannel(x, w, b)
    data = write_multichannel_gif(anim, "es")
    im = Image.open(io.BytesIO(data))
    assert data[:6] == b"GIF89a" and im.n_frames == len(anim.steps) and im.info.get("loop") == 0


def test_volume_figure_geometry() -> None:
    from convviz.figures.volume import conv_volume_figure

    fig = conv_volume_figure(3, 32, 32, 6, 5, 28, 28, position=(10, 12), filter_index=2)
    assert fig.layout.title.text == "Input 3×32×32 · 6 filters 3×5×5 → output 6×28×28"
    boxes = {t.name: t for t in fig.data if t.type == "mesh3d"}
    filt, inp = boxes["filter"], boxes["input"]
    assert max(filt.x) - min(filt.x) == 5 and max(filt.z) - min(filt.z) == 5  # k x k at (10, 12)
    assert min(filt.x) == 12 and max(filt.z) == -10
    depth = max(t for m in fig.data if m.type == "mesh3d" and m.name == "input" for t in m.y)
    assert min(filt.y) <= 0 and max(filt.y) >= depth  # the filter spans the whole input depth
    assert sum(1 for t in fig.data if t.type == "mesh3d" and str(t.name).startswith("map ")) == 6
    assert max(inp.x) == 32


def test_layer_arithmetic_lecture_example_and_inspector_volume() -> None:
    import sys
    import types

    from streamlit.testing.v1 import AppTest

    for lang, title in (("en", "Input 3×32×32 · 6 filters 3×5×5 → output 6×28×28"),
                        ("es", "Entrada 3×32×32 · 6 filtros 3×5×5 → salida 6×28×28")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page("pages/layer_arithmetic.py").run()
        at.button(key="xp_lecture").click().run()
        assert not at.exception, [e.value for e in at.exception]
        titles = [(json.loads(c.proto.spec)["layout"].get("title") or {}).get("text") for c in at.get("plotly_chart")]
        assert title in titles
        assert any(b.proto.label for b in at.get("download_button"))
    # the inspector's 3D view of the second convolution of the live network
    module = types.ModuleType("streamlit_drawable_canvas")
    module.st_canvas = lambda **kw: types.SimpleNamespace(image_data=None, json_data=None)
    sys.modules["streamlit_drawable_canvas"] = module
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.switch_page("pages/draw_digit.py").run()
        at.radio(key="digit_source").set_value("sample").run()
        at.toggle(key="xp_volume_on").set_value(True).run()
        assert not at.exception, [e.value for e in at.exception]
        titles = [(json.loads(c.proto.spec)["layout"].get("title") or {}).get("text") for c in at.get("plotly_chart")]
        from convviz.digits import load_classifier

        conv = load_classifier().layers[3]  # the second convolution, after conv + ReLU + 2x2 pool: 14x14 input
        c_in, c_out, (k, _), pad = conv.in_channels, conv.out_channels, conv.kernel, conv.pads[0]
        side = 14 + 2 * pad - k + 1  # 5x5 unpadded in the wide net: 10; 3x3 padded by 1 in the deep net: 14
        assert f"Input {c_in}×14×14 · {c_out} filters {c_in}×{k}×{k} → output {c_out}×{side}×{side}" in titles
    finally:
        del sys.modules["streamlit_drawable_canvas"]
