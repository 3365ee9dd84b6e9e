"""The Layer-arithmetic page shows the lecture's form of the output size beside PyTorch's, with
the same numbers (one block per axis, one when both axes have the same numbers)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_url_state import open_with_query  # noqa: E402


def _blocks(at) -> list[str]:  # noqa: ANN001 - an AppTest
    """The output-size blocks (the parameter rule's block below them is not one)."""
    return [block.value for block in at.get("latex") if "C_{out}" not in block.value]


def test_stride_three_reads_two_point_three_three_and_pytorch_floors() -> None:
    at = open_with_query("pages/layer_arithmetic.py", {"h": "7", "w": "7", "sh": "3", "sw": "3"})
    (block,) = _blocks(at)
    assert r"\frac{7 - 3}{3} + 1 = 2.33" in block  # the lecture: "2.33, it does not fit"
    assert r"\right\rfloor + 1 = 2" in block  # PyTorch floors it: 2
    assert "1 x 2 x 2" in at.subheader[0].value


def test_padding_form_and_spanish_decimal_comma() -> None:
    at = open_with_query("pages/layer_arithmetic.py", {"h": "7", "w": "7", "ph": "1", "pw": "1"})
    assert r"\frac{N + 2P - F}{S} + 1 = \frac{7 + 2\cdot1 - 3}{1} + 1 = 7" in _blocks(at)[0]
    at = open_with_query("pages/layer_arithmetic.py", {"h": "7", "w": "7", "sh": "3", "sw": "3"},
                         first={"lang": "es"})
    assert "2{,}33" in _blocks(at)[0] and "La forma de la clase" in _blocks(at)[0]


def test_each_axis_has_its_block_and_transposed_has_only_pytorch() -> None:
    at = open_with_query("pages/layer_arithmetic.py", {"h": "7", "w": "9"})
    blocks = _blocks(at)
    assert len(blocks) == 2 and "= 5" in blocks[0] and "= 7" in blocks[1]
    at = open_with_query("pages/layer_arithmetic.py", {"op": "convt", "h": "3", "w": "3", "sh": "2", "sw": "2"})
    (block,) = _blocks(at)
    assert "lecture" not in block and r"(3-1)\cdot2" in block
