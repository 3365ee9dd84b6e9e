"""Speed and size of the live-network views: the overview figure (build + JSON), one
inspector rerun (what the fragment computes when a unit is picked), the 3D volume and the
multi-channel animation.

    python bench/bench_explain.py [--repeat 15] [--model tests/data/wide_digit_cnn.npz]

Prints medians of wall-clock and CPU (process) time in ms; CPU time is the fairer figure on
a shared machine. Set OPENBLAS_NUM_THREADS=1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._timing import median_ms  # noqa: E402
from convviz.digits import load_classifier, preprocess_steps  # noqa: E402
from convviz.digits.samples import sample_canvas  # noqa: E402
from convviz.explain import drawing_box, explain_unit, feeding_channels, forward_trace  # noqa: E402
from convviz.figures import inspector as FI  # noqa: E402
from convviz.figures.network import network_overview_figure  # noqa: E402


def overview(model, trace, names, selected=(3, 5)) -> str:
    fig = network_overview_figure(trace, names, "en", selected=selected, feeding=feeding_channels(model, *selected))
    return fig.to_json()


def inspector(model, steps, trace, layer: int, unit: tuple[int, ...]) -> int:
    """The inspector fragment's work for one pick: explanation, its figures, their JSON."""
    ex = explain_unit(model, steps.image, layer, unit, trace=trace)
    figs = [FI.field_figure(steps.image, ex.input_box, "", steps.gray, drawing_box(steps, ex.input_box))]
    out = trace[layer + 1]
    if out.ndim == 3:
        figs.append(FI.map_figure(out[unit[0]], "map", unit[1:]))
    if ex.layer_type == "Conv2d":
        figs.append(FI.conv_unit_figure(ex, "conv"))
    elif ex.pool is not None:
        figs.append(FI.pool_unit_figure(ex, "pool"))
    elif ex.layer_type == "Linear":
        figs.append(FI.linear_unit_figure(ex, "linear"))
    if ex.probabilities is not None:
        figs.append(FI.output_figure(ex.logits, ex.probabilities, "out"))
    return sum(len(f.to_json()) for f in figs)


def picks(model, trace) -> list[tuple[int, tuple[int, ...]]]:
    """One unit in the middle of the output of the second and first convolutions, the first
    pooling and every Linear layer (whatever the shipped model's layout)."""
    kinds = [layer.type_name for layer in model.layers]
    convs = [i for i, kind in enumerate(kinds) if kind == "Conv2d"][:2][::-1]
    linears = [i for i, kind in enumerate(kinds) if kind == "Linear"]
    return [(i, tuple(n // 2 for n in trace[i + 1].shape)) for i in convs + [kinds.index("MaxPool2d")] + linears]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--model", default=None, help="a model file (default: the shipped one)")
    args = parser.parse_args()
    model = load_classifier(args.model)
    steps = preprocess_steps(sample_canvas(7))
    trace = forward_trace(model, steps.image)
    names = [f"{i} {layer.type_name}" for i, layer in enumerate(model.layers)]
    overview(model, trace, names)  # warm-up (imports)
    size = len(overview(model, trace, names))
    fig = network_overview_figure(trace, names, "en")
    build = median_ms(lambda: network_overview_figure(trace, names, "en", selected=(3, 5),
                                                      feeding=feeding_channels(model, 3, 5)), args.repeat)
    both = median_ms(lambda: overview(model, trace, names), args.repeat)
    json_ms = median_ms(fig.to_json, args.repeat)
    print(f"overview figure: build {build[0]:.0f} ms wall / {build[1]:.0f} ms CPU; to_json {json_ms[0]:.0f} ms; "
          f"build+JSON {both[0]:.0f} ms wall / {both[1]:.0f} ms CPU; JSON {size / 1e6:.3f} MB")
    fwd = median_ms(lambda: forward_trace(model, steps.image), args.repeat)
    print(f"forward trace (cached on the page per digit): {fwd[0]:.1f} ms wall / {fwd[1]:.1f} ms CPU")
    for layer, unit in picks(model, trace):
        inspector(model, steps, trace, layer, unit)
        t = median_ms(lambda layer=layer, unit=unit: inspector(model, steps, trace, layer, unit), args.repeat)
        kb = inspector(model, steps, trace, layer, unit) / 1e3
        print(f"inspector rerun, layer {layer} {model.layers[layer].type_name} unit {unit}: "
              f"{t[0]:.0f} ms wall / {t[1]:.0f} ms CPU, {kb:.0f} kB JSON")
    from convviz.animation.multichannel import (
        build_multichannel,
        example_values,
        write_multichannel_gif,
    )
    from convviz.figures.multichannel import multichannel_figure
    from convviz.figures.volume import conv_volume_figure

    vol = median_ms(lambda: conv_volume_figure(3, 32, 32, 6, 5, 28, 28, (10, 12), 2).to_json(), args.repeat)
    anim = build_multichannel(*example_values(3, 7, 7, 4, 5, 0))
    mc = median_ms(lambda: multichannel_figure(anim, "en").to_json(), max(3, args.repeat // 3))
    mc_size = len(json.dumps(multichannel_figure(anim, "en").to_dict()))
    gif = median_ms(lambda: write_multichannel_gif(anim, "en"), 3)
    print(f"3D volume (lecture 32x32x3, six 5x5): {vol[0]:.0f} ms wall / {vol[1]:.0f} ms CPU")
    print(f"multi-channel animation 3x7x7, 4 filters 5x5 ({len(anim.steps)} steps): figure+JSON "
          f"{mc[0]:.0f} ms wall / {mc[1]:.0f} ms CPU, {mc_size / 1e6:.2f} MB; GIF {gif[0]:.0f} ms wall / {gif[1]:.0f} ms CPU")


if __name__ == "__main__":
    main()
