"""Issue 12, property: any spec, within the limits or far beyond them, as a dict or as JSON
text, either raises SpecError or is summarised within the budget (2 s of CPU; the memory
of the extreme cases is measured in tests/test_limits.py). Nothing else may escape."""

from __future__ import annotations

import json
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convviz
from convviz.arithmetic import limits as L
from convviz.arithmetic.layers import BLOCK_TYPES, LAYER_TYPES
from convviz.errors import SpecError

ARG_NAMES = sorted({arg.name for t in LAYER_TYPES.values() for arg in t.args})
EDGES = [0, 1, 2, 3, 7, L.MAX_INPUT_SIDE, L.MAX_INPUT_SIDE + 1, L.MAX_SIDE, L.MAX_SIDE + 1,
         2**31, 2**63, 10**18, 10**29, -1, -(2**63)]

ints = st.one_of(st.integers(-2, 12), st.integers(-(10**6), 10**6), st.sampled_from(EDGES))
values = st.one_of(
    ints, st.lists(ints, max_size=3), st.booleans(), st.none(), st.sampled_from(["same", "valid", "zeros", "x"]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4),
)
layer = st.fixed_dictionaries(
    {"type": st.sampled_from([*LAYER_TYPES, "Nope"])},
    optional={name: values for name in ARG_NAMES},
)


def _blocks(children: st.SearchStrategy) -> st.SearchStrategy:
    body = st.lists(children, max_size=4)
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("Residual"), "body": body},
                              optional={"shortcut": st.one_of(st.none(), body)}),
        st.fixed_dictionaries({"type": st.just("Concat"), "branches": st.lists(body, max_size=3)}),
    )


nodes = st.recursive(layer, _blocks, max_leaves=8)
VALID_SHAPES = [[3, 32, 32], [1, 28, 28], [3, 224, 224], [16, 4096, 4096], [8, 7, 9], [100]]
shapes = st.one_of(st.sampled_from(VALID_SHAPES), st.sampled_from(VALID_SHAPES), st.sampled_from(VALID_SHAPES),
                   st.lists(ints, min_size=0, max_size=4), ints, st.text(max_size=12))


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    layers = draw(st.lists(nodes, max_size=6))
    repeat = draw(st.sampled_from([1, 1, 1, 1, 30, L.MAX_LAYERS + 1]))  # across the layer limit
    depth = draw(st.sampled_from([0, 0, 0, 3, L.MAX_BLOCK_DEPTH + 1, 40]))  # across the nesting limit
    for _ in range(depth):
        layers = [{"type": draw(st.sampled_from(BLOCK_TYPES)), "body": layers, "branches": [layers]}]
        layers[0].pop("branches" if layers[0]["type"] == "Residual" else "body")
    return {"name": draw(st.text(max_size=8)), "input": draw(shapes), "layers": layers * repeat}


def _summarise_within_budget(spec: Any) -> None:
    start = time.process_time()
    try:
        convviz.summarize(spec)
    except SpecError:
        pass
    assert time.process_time() - start < 2.0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs())
def test_random_specs_raise_spec_error_or_return_in_budget(spec: dict[str, Any]) -> None:
    _summarise_within_budget(spec)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs(), st.sampled_from(["", " ", "\n"]))
def test_random_specs_as_json_text(spec: dict[str, Any], lead: str) -> None:
    _summarise_within_budget(lead + json.dumps(spec))


@settings(max_examples=80, deadline=None)
@given(st.recursive(st.one_of(st.none(), st.booleans(), ints, st.text(max_size=5)),
                    lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(max_size=4), c, max_size=4)),
                    max_leaves=40))
def test_any_json_value_as_a_spec(value: Any) -> None:
    _summarise_within_budget(value)
    _summarise_within_budget(json.dumps(value))
