"""Receptive-field geometry against brute force: impulse responses of all-ones networks
computed with the reference loops (tests/reference.py), never with the formulas under test."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convviz.arithmetic import rf_draw
from tests import reference


def _impulse_response(chain: list[rf_draw.Window], n: int, unit: int) -> np.ndarray:
    """For every input index q of a 1 x n signal: the value of output `unit` when the input is
    the impulse at q, through all-ones 1 x k convolutions (a linear map, so this is the
    number of paths from q to the unit)."""
    out = np.zeros(n)
    for q in range(n):
        x = np.zeros((1, 1, n))
        x[0, 0, q] = 1.0
        for win in chain:
            weight = np.ones((1, 1, 1, win.kernel))
            x = reference.conv2d(x, weight, stride=(1, win.stride), padding=(0, 0, win.padding, win.padding), dilation=(1, win.dilation))
        if unit >= x.shape[2]:
            raise IndexError
        out[q] = x[0, 0, unit]
    return out


windows = st.builds(
    rf_draw.Window,
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 3),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(windows, min_size=1, max_size=3), st.integers(0, 3))
def test_sampled_counts_1d_equal_impulse_responses(chain: list[rf_draw.Window], unit: int) -> None:
    n = 24
    try:
        brute = _impulse_response(chain, n, unit)
    except (IndexError, ValueError):
        return  # the unit does not exist for this chain and length
    offset, counts = rf_draw.sampled_counts_1d(chain, unit, n)
    mine = np.zeros(n)
    for t, c in enumerate(counts):
        q = offset + t
        if 0 <= q < n:
            mine[q] = c
        elif c:
            assert q < 0 or q >= n  # a read of padding: not visible to the brute force
    np.testing.assert_array_equal(mine, brute)


@pytest.mark.parametrize(
    "dilations, size, holes",
    [((1, 1, 1), 7, 0), ((1, 2, 4), 15, 0), ((2, 2, 2), 13, 13 * 13 - 49), ((1, 4), 11, 11 * 11 - 81)],
)
def test_dilated_stack_sampling_equals_brute_force(dilations: tuple[int, ...], size: int, holes: int) -> None:
    """Three (or two) 3 x 3 convs with 'valid' borders: the single output unit's impulse
    responses over a size x size input, computed in 2-D with the reference loops."""
    result = rf_draw.stack_sampling(3, dilations)
    assert result.size == size and result.holes == holes
    brute = np.zeros((size, size))
    # separable all-ones kernels: the 2-D map is rows x columns, but we check it in 2-D anyway
    for r in range(size):
        for c in range(size):
            x = np.zeros((1, size, size))
            x[0, r, c] = 1.0
            for d in dilations:
                x = reference.conv2d(x, np.ones((1, 1, 3, 3)), dilation=(d, d))
            assert x.shape == (1, 1, 1)
            brute[r, c] = x[0, 0, 0]
    np.testing.assert_array_equal(result.counts, brute)
    assert result.read == int(np.count_nonzero(brute))


def test_unit_rect_and_clip() -> None:
    rect = rf_draw.unit_rect((7, 5), (4, 2), (-0.5, 1.0), 2, 3)
    assert rect == rf_draw.Rect(7.5 - 3, 7.0 - 2, 7.5 + 3, 7.0 + 2)
    assert (rect.height, rect.width) == (7, 5)
    assert rf_draw.clip_rect(rf_draw.Rect(-3, -3, 3, 40), 10, 20) == rf_draw.Rect(0, 0, 3, 19)
    assert rf_draw.clip_rect(rf_draw.Rect(12, 0, 14, 3), 10, 20) is None


def test_parse_dilations() -> None:
    assert rf_draw.parse_dilations("1, 2,4") == (1, 2, 4)
    assert rf_draw.parse_dilations("2 2 2") == (2, 2, 2)
    for bad in ("", "a", "0,1", "1,2,1000", ",".join(["1"] * 9)):
        with pytest.raises(ValueError):
            rf_draw.parse_dilations(bad)
    with pytest.raises(ValueError):
        rf_draw.stack_sampling(3, ())


def test_engine_field_rectangle_is_the_bounding_box_of_the_brute_force_support() -> None:
    """The engine's size/jump/start, turned into a rectangle, covers exactly the inputs a
    unit depends on (clipped to the image) for conv/pool stacks with padding and dilation."""
    convviz = pytest.importorskip("convviz.arithmetic.summary")
    spec = {
        "name": "rf",
        "input": [1, 20, 20],
        "layers": [
            {"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "padding": 1, "bias": False},
            {"type": "MaxPool2d", "kernel_size": 2},
            {"type": "Conv2d", "out_channels": 1, "kernel_size": 3, "dilation": 2, "padding": 1, "bias": False},
            {"type": "Conv2d", "out_channels": 1, "kernel_size": [3, 1], "stride": 2, "bias": False},
        ],
    }
    row = convviz.summarize(spec).layers[-1]
    rf = row.receptive_field
    size, jump, start = (rf["size"], rf["jump"], rf["start"]) if isinstance(rf, dict) else (rf.size, rf.jump, rf.start)
    rows_chain = [rf_draw.Window(3, 1, 1), rf_draw.Window(2, 2), rf_draw.Window(3, 1, 1, 2), rf_draw.Window(3, 2)]
    cols_chain = [rf_draw.Window(3, 1, 1), rf_draw.Window(2, 2), rf_draw.Window(3, 1, 1, 2), rf_draw.Window(1, 2)]
    out_h, out_w = row.output_shape[1], row.output_shape[2]
    exact = 0
    for i in range(out_h):
        for j in range(out_w):
            rr = _impulse_response(rows_chain, 20, i)
            cc = _impulse_response(cols_chain, 20, j)
            rect = rf_draw.clip_rect(rf_draw.unit_rect(size, jump, start, i, j), 20, 20)
            ys, xs = np.nonzero(rr)[0], np.nonzero(cc)[0]
            support = rf_draw.Rect(ys.min(), xs.min(), ys.max(), xs.max())
            # always inside the theoretical field ...
            assert rect.top <= support.top <= support.bottom <= rect.bottom
            assert rect.left <= support.left <= support.right <= rect.right
            # ... and equal to it unless the unit reads an intermediate layer's zero padding
            # (then some of its field is reached by no path: the theoretical field ignores that)
            cut = any(
                not np.array_equal(rf_draw.sampled_counts_1d(chain, u, 20)[1], rf_draw.sampled_counts_1d(chain, u)[1])
                for chain, u in ((rows_chain, i), (cols_chain, j))
            )
            if not cut:
                assert rect == support
                exact += 1
    assert exact >= out_h * out_w // 3
