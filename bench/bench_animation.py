"""Benchmark of the step-by-step animation (issue 3 targets).

Measures, for a 9x9 input with a 3x3 kernel (49 steps):
- the Layer-arithmetic page rerun in AppTest with the animation panel (warm caches) and the
  first run after a settings change (cold animation/figure caches): target < 150 ms;
- the figure JSON sent to the browser: target < 300 KB;
- the 49-frame GIF: wall and CPU time (target < 1 s) and size (target < 1 MB).
Prints medians. Run: python bench/bench_animation.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._timing import median_ms  # noqa: E402


def main() -> None:
    from streamlit.testing.v1 import AppTest

    from convviz.animation.frames import build_animation
    from convviz.animation.gif import write_gif
    from convviz.animation.values import random_values
    from convviz.arithmetic.layer_calc import LayerSettings
    from convviz.figures.animation import build_animation_figure

    layer = LayerSettings(op="conv", h=9, w=9)
    x, k = random_values(9, 9, 3, 3, 0)
    anim = build_animation(layer, x, k)
    frames_wall, _ = median_ms(lambda: build_animation(layer, x, k).partials)
    fig_wall, _ = median_ms(lambda: build_animation_figure(anim))
    json_size = len(build_animation_figure(anim).to_json())
    phone_size = len(build_animation_figure(anim, width_px=340, stacked=True).to_json())
    write_gif(anim)
    gif_wall, gif_cpu = median_ms(lambda: write_gif(anim), repeat=5)
    gif_size = len(write_gif(anim))

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/layer_arithmetic.py").run()
    at.session_state["arith_h"] = 9
    at.session_state["arith_w"] = 9
    at.run()
    spec_size = len(at.get("plotly_chart")[-1].proto.spec)
    warm_wall, warm_cpu = median_ms(lambda: at.run(), repeat=9)

    seeds = iter(range(1, 1000))

    def cold() -> None:  # a new seed: frames and figure rebuilt (GIF deferred to the click)
        at.session_state["anim_values"] = "random"
        at.session_state["anim_seed"] = next(seeds)
        at.run()

    cold_wall, cold_cpu = median_ms(cold, repeat=7)

    print(f"engine frames (9x9, 3x3, 49 steps): {frames_wall:7.1f} ms")
    print(f"figure build:                       {fig_wall:7.1f} ms")
    print(f"figure JSON (to_json):              {json_size / 1024:7.1f} KB   (target < 300 KB)")
    print(f"figure JSON, phone layout (stacked): {phone_size / 1024:6.1f} KB")
    print(f"figure JSON sent by the page:       {spec_size / 1024:7.1f} KB")
    print(f"page rerun, warm caches:            {warm_wall:7.1f} ms wall, {warm_cpu:6.1f} ms CPU"
          "   (target < 150 ms)")
    print(f"page rerun, new numbers (cold):     {cold_wall:7.1f} ms wall, {cold_cpu:6.1f} ms CPU")
    print(f"GIF, 49 frames, 960 wide:           {gif_wall:7.1f} ms wall, {gif_cpu:6.1f} ms CPU"
          f", {gif_size / 1024:.0f} KB   (targets < 1000 ms, < 1024 KB)")


if __name__ == "__main__":
    main()
