"""Issue 12: no visitor can hurt the server. Every hostile spec, value and text the attack
found is refused quickly with a SpecError naming the limit (or, within the limits, handled
within the budget of one summary: 2 s and 500 MB, measured in a subprocess)."""

from __future__ import annotations

import base64
import copy
import json
import time
import zlib

import pytest

import convviz
from convviz.arithmetic import limits as L
from convviz.arithmetic import share
from convviz.arithmetic.presets import get_preset
from convviz.errors import SpecError
from tests._budget import run_budgeted


def _resnet_avgpool(size: int) -> dict:
    spec = get_preset("resnet18")
    for layer in spec["layers"]:
        if layer["type"] == "AdaptiveAvgPool2d":
            layer["output_size"] = size
    return spec


def _nested(kind: str, depth: int) -> dict:
    inner: dict = {"type": "ReLU"}
    for _ in range(depth):
        inner = {"type": "Residual", "body": [inner]} if kind == "Residual" else {"type": "Concat", "branches": [[inner]]}
    return {"input": [1, 8, 8], "layers": [inner]}


def _nested_text(kind: str, depth: int) -> str:
    """The JSON of :func:`_nested` (written directly: json.dumps itself recurses)."""
    head, tail = ('{"type": "Residual", "body": [', "]}") if kind == "Residual" else ('{"type": "Concat", "branches": [[', "]]}")
    return '{"input": [1, 8, 8], "layers": [' + head * depth + '{"type": "ReLU"}' + tail * depth + "]}"


def _raises_limit(spec: object, name: str, seconds: float = 1.0) -> SpecError:
    start = time.process_time()  # CPU time: what the refusal costs, however busy the machine
    with pytest.raises(SpecError) as err:
        convviz.summarize(spec)
    assert time.process_time() - start < seconds
    assert err.value.key == "engine.limit", err.value
    assert err.value.values["what"].key == f"engine.limit_{name}", err.value
    return err.value


# ---------------------------------------------------------------- the reproductions


@pytest.mark.parametrize("size", [10_000_000, 100_000_000, 10**9])
def test_huge_adaptive_output_size_is_refused_before_any_work(size: int) -> None:
    err = _raises_limit(_resnet_avgpool(size), "output_size")
    assert "65,536" in str(err) and "65.536" in err.localized("es")


def test_adaptive_pool_at_the_limit_stays_in_budget() -> None:
    report = run_budgeted("summarize", _resnet_avgpool(L.MAX_SIDE))
    assert report["ok"], report


def test_transposed_stride_ten_million_is_refused() -> None:
    spec = get_preset("lenet5")
    spec["layers"].insert(1, {"type": "ConvTranspose2d", "out_channels": 6, "kernel_size": 3, "stride": 10**7})
    _raises_limit(spec, "arg")


def test_three_transposed_convs_at_stride_300_are_refused_by_the_output_size() -> None:
    spec = {"input": [1, 8, 8], "layers": [
        {"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 3, "stride": 300}] * 3}
    with pytest.raises(SpecError) as err:
        convviz.summarize(spec)
    assert "65,536" in str(err.value)


def test_receptive_field_enumeration_has_a_budget() -> None:
    """Transposed convs with co-prime strides make a long period; the fields past the budget
    are reported as not computed (with a warning), the shapes and costs stay exact."""
    layers = [{"type": "ConvTranspose2d", "out_channels": 1, "kernel_size": 3, "stride": s} for s in (7, 11, 13, 17)]
    layers += [{"type": "Conv2d", "out_channels": 1, "kernel_size": 5}] * 40
    report = run_budgeted("summarize", {"input": [1, 4, 4], "layers": layers})
    assert report["ok"], report
    summary = convviz.summarize({"input": [1, 4, 4], "layers": layers})
    assert summary.layers[-1].receptive_field is None
    notes = [n for _, n in summary.notes() if n.key == "engine.rf_budget"]
    assert len(notes) == 1 and "17,017" in notes[0].text() and "17.017" in notes[0].text("es")
    assert summary.layers[4].receptive_field is not None  # the first layers are still enumerated
    side = 4
    for stride in (7, 11, 13, 17):
        side = (side - 1) * stride + 3  # PyTorch's ConvTranspose2d size, padding 0
    assert summary.row("layers.43").output_shape == (1, side - 40 * 4, side - 40 * 4)


def test_huge_input_is_refused() -> None:
    _raises_limit({"input": [1, 100_000, 100_000], "layers": [{"type": "ReLU"}]}, "input_side")
    _raises_limit({"input": [3, 20_000, 20_000], "layers": [{"type": "ReLU"}]}, "input_side")
    _raises_limit({"input": [10**18, 8, 8], "layers": [{"type": "ReLU"}]}, "channels")


def test_a_hundred_thousand_layers_are_refused_quickly() -> None:
    spec = {"input": [1, 8, 8], "layers": [{"type": "ReLU"}] * 100_000}
    _raises_limit(spec, "layers", seconds=0.5)
    text = json.dumps(spec)
    assert len(text) > L.MAX_SPEC_CHARS
    _raises_limit(text, "json_chars", seconds=0.5)


def test_the_largest_network_allowed_stays_in_budget() -> None:
    per_block = [{"type": "Conv2d", "out_channels": 8, "kernel_size": 3, "padding": 1}, {"type": "ReLU"}]
    layers = [{"type": "Residual", "body": per_block}] * (L.MAX_LAYERS // 3)
    report = run_budgeted("summarize", {"input": [8, 64, 64], "layers": layers})
    assert report["ok"], report


@pytest.mark.parametrize("kind", ["Residual", "Concat"])
@pytest.mark.parametrize("depth", [250, 500])
def test_deeply_nested_blocks_give_spec_error(kind: str, depth: int) -> None:
    spec = _nested(kind, depth)
    with pytest.raises(SpecError):
        convviz.summarize(spec)
    with pytest.raises(SpecError):
        convviz.summarize(_nested_text(kind, depth))


def test_nesting_within_the_limit_works() -> None:
    summary = convviz.summarize(_nested("Residual", L.MAX_BLOCK_DEPTH))
    assert summary.output_shape == (1, 8, 8)
    _raises_limit(_nested("Residual", L.MAX_BLOCK_DEPTH + 1), "block_depth")


def test_self_referencing_spec() -> None:
    layer: dict = {"type": "Residual", "body": []}
    layer["body"].append(layer)
    with pytest.raises(SpecError) as err:
        convviz.summarize({"input": [1, 8, 8], "layers": [layer]})
    assert err.value.key == "engine.self_reference"
    spec: dict = {"input": [1, 8, 8], "layers": [{"type": "ReLU"}]}
    spec["name"] = spec
    with pytest.raises(SpecError):
        convviz.summarize(spec)


def test_a_shared_layer_is_not_a_self_reference() -> None:
    relu = {"type": "ReLU"}
    assert len(convviz.summarize({"input": [1, 8, 8], "layers": [relu, relu, relu]}).layers) == 3


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_json_text(depth: int) -> None:
    text = '{"input": [1, 8, 8], "layers": [' + "[" * depth + "]" * depth + "]}"
    with pytest.raises(SpecError) as err:
        convviz.summarize(text)
    assert err.value.values["what"].key == "engine.limit_json_depth"


def test_integer_of_thousands_of_digits() -> None:
    text = '{"input": [1, 8, 8], "layers": [{"type": "Conv2d", "out_channels": ' + "9" * 5000 + ', "kernel_size": 3}]}'
    _raises_limit(text, "json_digits")


def test_nan_and_infinity_are_not_json() -> None:
    with pytest.raises(SpecError) as err:
        convviz.summarize('{"input": [1, 8, 8], "layers": [{"type": "Dropout", "p": NaN}]}')
    assert err.value.key == "engine.bad_json"


def test_lone_surrogate_escapes_become_the_replacement_character() -> None:
    """JSON may escape half a UTF-16 pair (``"\\ud800"``): Python keeps a string no UTF-8 text
    can hold, and the Architecture page failed showing it (found auditing issue 12)."""
    data = L.loads('{"name": "a\\ud800b", "\\udfff": ["\\ud83d\\ude00"]}')
    assert data == {"name": "a\ufffdb", "\ufffd": ["\U0001F600"]}  # a real pair is kept
    with pytest.raises(SpecError) as err:
        convviz.summarize('{"input": [1, 8, 8], "layers": [{"type": "\\ud800"}]}')
    assert "\ufffd" in str(err.value)
    str(err.value).encode("utf-8")
    spec = {"name": "\ud800", "input": [1, 8, 8], "layers": [{"type": "ReLU"}]}
    assert share.spec_from_token(share.spec_token(spec))["name"] == "\ufffd"  # links too


def test_link_tokens_keep_the_json_limits() -> None:
    text = '{"input": [1, 8, 8], "layers": [{"type": "Conv2d", "out_channels": ' + "9" * 5000 + "}]}"
    token = base64.urlsafe_b64encode(zlib.compress(text.encode())).decode().rstrip("=")
    with pytest.raises(share.TokenError):  # was Python's own ValueError about 4,300 digits
        share.spec_from_token(token)


def test_long_string_is_not_taken_for_a_file_name() -> None:
    with pytest.raises(SpecError) as err:
        convviz.summarize("x" * 100_000)
    assert err.value.key == "engine.not_found"
    with pytest.raises(SpecError):
        convviz.summarize("a/" * 3000)


def test_channel_counts_beyond_the_limit() -> None:
    spec = {"input": [1, 28, 28], "layers": [{"type": "Conv2d", "out_channels": 10**18, "kernel_size": 5}]}
    _raises_limit(spec, "channels")


def test_counts_beyond_int64_within_the_limits_stay_exact() -> None:
    """Limits keep the work bounded, not the arithmetic: 2^64 MACs are counted exactly."""
    spec = {"input": [L.MAX_CHANNELS, 4096, 4096], "layers": [
        {"type": "Conv2d", "out_channels": L.MAX_CHANNELS, "kernel_size": 1, "padding": 30_000}]}
    summary = convviz.summarize(spec)
    assert summary.total_macs == L.MAX_CHANNELS * (4096 + 60_000) ** 2 * L.MAX_CHANNELS
    assert summary.total_macs >= 2**63


def test_limits_keep_every_preset_working() -> None:
    from convviz.arithmetic.presets import list_presets

    for name in list_presets():
        spec = get_preset(name)
        assert convviz.summarize(copy.deepcopy(spec)).total_params >= 0
        # far below the limit (SE-ResNet-50, the longest, is about 1/39 of it pretty-printed)
        assert len(json.dumps(spec, indent=2)) < L.MAX_SPEC_CHARS / 30


def test_limit_messages_are_translated() -> None:
    err = _raises_limit({"input": [1, 8, 8], "layers": [{"type": "ReLU"}] * 5000}, "layers")
    en, es = str(err), err.localized("es")
    assert "2,000" in en and "2.000" in es and en != es


def test_field_start_over_a_long_period_is_the_exact_mean() -> None:
    """``AxisField.start`` sums in integers (65,536 Fractions took 1.3 s per axis, read by the
    Architecture page's table and CSV); it is still the exact mean of the non-empty units'
    centres ``(lo + hi)/2 - r*shift/period`` (here summed with Fractions, one by one)."""
    from fractions import Fraction
    from random import Random

    from convviz.arithmetic.receptive import AxisField

    rng = Random(12)
    for period in (2, 3, 7, 64, 1000):
        lo = [rng.randint(-50, 50) for _ in range(period)]
        hi = [a + rng.randint(-3, 20) for a in lo]  # some units empty (hi < lo)
        lo[0], hi[0] = 0, 5
        field = AxisField(period, rng.randint(1, 40), tuple(lo), tuple(hi))
        centres = [Fraction(a + b, 2) - Fraction(r * field.shift, field.period)
                   for r, (a, b) in enumerate(zip(lo, hi, strict=True)) if a <= b]
        mean = sum(centres, Fraction(0)) / len(centres)
        assert field.start == (int(mean) if mean.denominator == 1 else float(mean))


def test_kernel_weights_stay_inside_float32() -> None:
    """The Filter lab filters in float32: a typed weight of 1e308 gave an image of NaN and
    no message; weights beyond MAX_WEIGHT are refused, up to it they filter finitely."""
    import numpy as np

    from convviz.images import filters as F

    for text in ("1e308", "1 -1e13", "1e26/10"):
        with pytest.raises(F.KernelError) as err:
            F.parse_kernel(text)
        assert "infinite or too large to be a weight" in str(err.value)
    kernel = F.parse_kernel("; ".join([" ".join(["1e12"] * 15)] * 15))
    image = np.full((40, 40), 255.0, np.float32)
    assert np.isfinite(F.convolve(image, F.compose(kernel, kernel))).all()
