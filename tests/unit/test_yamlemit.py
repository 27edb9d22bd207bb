"""The fast emitter writes YAML that every reader reads back as the same data."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from raywizard.render.emitter import emit, emit_all

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
                    st.sampled_from(["yes", "no", "on", "1e3", "0x1F", "12:30", "2024-01-01", "~", "- x", "a: b",
                                     "#c", "0.", ".5", "1_0", "A\n", "'q'", '"d"', "1.5.1", "v1.5.1", "", " lead",
                                     "trail ", "null", "=",
                                     '"{\\"standard-worker\\": 1}"']))
documents = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=4),
                                                      st.dictionaries(st.text(max_size=8), c, max_size=4)),
                         max_leaves=25)


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.text(max_size=8), documents, min_size=1, max_size=5))
def test_round_trip_through_pyyaml_and_ruamel(document: dict[str, Any]) -> None:
    text = emit(document)
    assert yaml.safe_load(text) == document
    assert YAML(typ="safe", pure=True).load(text) == document


def test_guide_style() -> None:
    text = emit_all([{"a": {"b": [{"c": "1", "d": True}], "e": []}}, {"f": None}])
    assert text == "a:\n  b:\n    - c: '1'\n      d: true\n  e: []\n---\nf: null\n"
