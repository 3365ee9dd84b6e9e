"""The GIF writer: one frame per step, looping, slide-sized, small and fast."""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image

from convviz.animation.frames import build_animation
from convviz.animation.gif import PALETTE, write_gif
from convviz.animation.values import lecture_values, random_values
from convviz.arithmetic.layer_calc import LayerSettings


def _anim(op="conv", view="direct", h=5, w=5, k=3, s=1, p=0, d=1, output_padding=0, **extra):
    layer = LayerSettings(op=op, h=h, w=w, kernel=(k, k), stride=(s, s), padding=(p, p),
                          dilation=(d, d), output_padding=(output_padding, output_padding), **extra)
    x, kernel = random_values(h, w, k, k, 3, op)
    return build_animation(layer, x, kernel, view=view)


def test_gif_has_one_frame_per_step_loops_and_is_slide_sized() -> None:
    x, k = lecture_values(5, 5, 3, 3)
    anim = build_animation(LayerSettings(op="conv", h=5, w=5), x, k)
    data = write_gif(anim, width=960, frame_ms=500)
    im = Image.open(io.BytesIO(data))
    assert im.format == "GIF" and im.n_frames == 9
    assert im.info["loop"] == 0  # loops forever
    assert im.size[0] == 960 and 250 < im.size[1] < 900
    assert im.info["duration"] == 500
    # frames differ (the window moves) and use only the fixed palette's colours
    im.seek(0)
    f0 = np.asarray(im.convert("RGB")).copy()
    im.seek(4)
    f4 = np.asarray(im.convert("RGB"))
    assert (f0 != f4).any()
    colours = {tuple(c) for c in f4.reshape(-1, 3)}
    assert colours <= set(PALETTE)


def test_gif_frame_counts_in_every_mode() -> None:
    cases = [
        (_anim("convt", "scatter", s=2, h=3, w=2), 6),
        (_anim("convt", "direct", s=2, h=3, w=2), 7 * 5),
        (_anim("maxpool", h=6, w=6, k=2, s=2), 9),
        (_anim("avgpool", h=5, w=5, k=2, s=2, ceil_mode=True), 9),
        (_anim("conv", d=2, h=7, w=7), 9),
    ]
    for anim, n in cases:
        assert anim.n_steps == n
        im = Image.open(io.BytesIO(write_gif(anim, width=640)))
        assert im.n_frames == n and im.size[0] == 640


def test_49_frame_gif_is_small_and_fast() -> None:
    anim = _anim(h=9, w=9)
    assert anim.n_steps == 49
    write_gif(anim)  # warm the fonts
    start = time.process_time()
    data = write_gif(anim)
    cpu = time.process_time() - start
    assert len(data) < 1_000_000
    assert cpu < 2.0  # target < 1 s (bench/bench_animation.py); slack for a loaded CI box
    assert Image.open(io.BytesIO(data)).n_frames == 49


def test_gif_labels_in_spanish_render() -> None:
    anim = _anim("convt", "scatter", s=2, p=1, output_padding=1)
    data = write_gif(anim, "es")
    assert Image.open(io.BytesIO(data)).n_frames == 25
