"""Benchmark of the Architecture and Receptive-field pages (issue 4 target: a rerun of the
Architecture page with ResNet-50 loaded under 200 ms).

Timed with AppTest reruns (warm caches: the state a user is in after loading a network), and
the first run after an edit (cold summary/figure caches), plus the engine's own summarize()
for reference. Prints medians (wall and CPU). Run: python bench/bench_pages.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._timing import median_ms  # noqa: E402

REPEAT = 15


def warm_rerun(at, key: str, value: str, label: str, note: str = "") -> None:  # noqa: ANN001 - an AppTest
    """Pick ``value`` in the selectbox ``key``, then print the median of warm reruns."""
    at.selectbox(key=key).set_value(value).run()
    at.run()
    assert not at.exception
    wall, cpu = median_ms(at.run, REPEAT)
    print(f"{label}: {wall:.1f} ms wall, {cpu:.1f} ms CPU{note}")


def main() -> None:
    from streamlit.testing.v1 import AppTest

    import convviz
    from convviz.arithmetic.presets import get_preset

    wall, cpu = median_ms(lambda: convviz.summarize(get_preset("resnet50")), REPEAT)
    print(f"summarize('resnet50'): {wall:.1f} ms wall, {cpu:.1f} ms CPU")

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/architecture.py").run()
    warm_rerun(at, "arch_preset", "resnet50", "Architecture page rerun, ResNet-50 loaded (warm)",
               " (target < 200 ms)")

    counter = iter(range(1, 10_000))

    def edit() -> None:
        # a new out_channels each time: a spec never seen before, so summary, texts and figures are rebuilt
        area = next(t for t in at.text_area if t.key.startswith("arch_args_"))
        args = json.loads(area.value)
        args["out_channels"] = 64 + next(counter)
        area.input(json.dumps(args))
        at.button(key="arch_apply").click().run()

    at.selectbox(key="arch_layer").set_value("layers.0").run()
    wall, cpu = median_ms(edit, repeat=7)
    print(f"Architecture page, apply an edit to ResNet-50 (cold caches, two runs): {wall:.1f} ms wall, {cpu:.1f} ms CPU")

    at.switch_page("pages/receptive_field.py").run()
    warm_rerun(at, "rf_net", "resnet50", "Receptive-field page rerun, ResNet-50 (warm)")
    warm_rerun(at, "rf_net", "lenet5", "Receptive-field page rerun, LeNet-5 with its ERF (warm)")


if __name__ == "__main__":
    main()
