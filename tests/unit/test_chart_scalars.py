"""Go/sprig printing and go-yaml reading of scalars (expected values checked against Go and go-yaml v2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raywizard.chart.sprig import (
    default,
    format_float32,
    format_float64,
    go_sprint,
    quote,
    trim_suffix,
    trunc,
    truthy,
)
from raywizard.chart.yamlscalar import resolve_plain, to_yaml_value, value_from_template


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "-0"),
        (1.0, "1"),
        (999999.0, "999999"),
        (1e6, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (2147483647.0, "2.147483647e+09"),
        (123456.7, "123456.7"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1.5e-7, "1.5e-07"),
        (1e21, "1e+21"),
        (1e100, "1e+100"),
        (-2.5, "-2.5"),
        (0.1, "0.1"),
        (float("inf"), "+Inf"),
        (float("nan"), "NaN"),
    ],
)
def test_format_float64_like_go(number: float, text: str) -> None:
    assert format_float64(number) == text


@pytest.mark.parametrize(
    ("number", "text"), [(0.1, "0.1"), (1.5, "1.5"), (1e6, "1e+06"), (16777217.0, "1.6777216e+07")]
)
def test_format_float32_like_go(number: float, text: str) -> None:
    assert format_float32(number) == text


@pytest.mark.parametrize("empty", [None, False, 0, 0.0, -0.0, "", {}, []])
def test_sprig_empty_values(empty: object) -> None:
    assert not truthy(empty)
    assert default("fallback", empty) == "fallback"


@pytest.mark.parametrize("full", [True, 1, -1, 0.5, "0", "false", " ", {"a": None}, [None]])
def test_sprig_non_empty_values(full: object) -> None:
    assert truthy(full)
    assert default("fallback", full) == full


def test_go_sprint_and_quote() -> None:
    assert go_sprint({"b": [1, None], "a": True}) == "map[a:true b:[1 <nil>]]"
    assert go_sprint(3) == "3"
    assert quote(None) is None
    assert quote(1e6) == "1e+06"
    assert quote('say "hi"\n') == 'say "hi"\n'


def test_trunc_counts_bytes_and_trim_suffix_removes_one() -> None:
    assert trunc("abcdef", 3) == "abc"
    assert trunc("ab", 3) == "ab"
    assert trunc("aéb", 3) == "aé"
    with pytest.raises(ValueError):
        trunc("aéb", 2)
    assert trim_suffix("a--", "-") == "a-"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("y", True),
        ("Yes", True),
        ("on", True),
        ("N", False),
        ("OFF", False),
        ("~", None),
        ("Null", None),
        ("0", 0),
        ("-0", 0),
        ("0x1F", 31),
        ("-0x1f", -31),
        ("0o17", 15),
        ("017", 15),
        ("08", 8),
        ("0b101", 5),
        ("1_000", 1000),
        ("1e3", 1000),
        ("1e+06", 1000000),
        ("2.147483647e+09", 2147483647),
        ("1.5", 1.5),
        (".5", 0.5),
        ("1.", 1),
        ("1e400", "1e400"),
        ("18446744073709551615", 18446744073709551615.0),
        ("2024-01-01", "2024-01-01"),
        ("1:20", "1:20"),
        ("0x", "0x"),
        ("+", "+"),
        ("nan", "nan"),
        ("2.46.0", "2.46.0"),
    ],
)
def test_resolve_plain_like_go_yaml_v2(text: str, value: object) -> None:
    resolved = resolve_plain(text)
    assert resolved == value
    assert type(resolved) is type(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", None),
        ("  x  ", "x"),
        ("x #c", "x"),
        ("#c", None),
        ("a#b", "a#b"),
        ("a:b", "a:b"),
        (":x", ":x"),
        ("-x", "-x"),
    ],
)
def test_value_from_template(text: str, value: object) -> None:
    assert value_from_template(text, "k") == value


REFUSED = ["a: b", "a:", "- x", "-", "[a]", "{a}", "&a", "*a", "!x", "|", ">", "'a'", '"a"', "%x", "@x", "`x"]
REFUSED += ["a\nb", "a\x01", ".inf", "-.Inf", ".nan"]


@pytest.mark.parametrize("text", REFUSED)
def test_value_from_template_refuses_yaml_syntax(text: str) -> None:
    with pytest.raises(ValueError, match="k"):
        value_from_template(text, "k")


def test_to_yaml_value_sorts_keys_and_normalises_numbers() -> None:
    value = to_yaml_value({"b": [1.0, 2.5, 1e21, True, None], "a": {"z": "s", "A": 1e6}})
    assert value == {"a": {"A": 1000000, "z": "s"}, "b": [1, 2.5, 1e21, True, None]}
    assert list(value) == ["a", "b"]
    assert list(value["a"]) == ["A", "z"]
    assert type(value["b"][0]) is int


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_printed_floats_read_back_as_the_same_number(number: float) -> None:
    assert value_from_template(format_float64(number), "k") == number
