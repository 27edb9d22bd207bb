"""How the text a template writes becomes data again.

The rendered chart is read by Argo CD and Kubernetes through sigs.k8s.io/yaml (go-yaml v2 -> JSON -> the API
server). That reader -- not PyYAML -- decides what ``replicas: 1e+06`` or ``instance: yes`` means, so this
module models go-yaml v2's plain-scalar resolution (YAML 1.1 booleans incl. ``y``/``n``, Go ``ParseInt``
with base prefixes, floats with optional dot such as ``1e+06``, timestamps kept as strings) followed by the
JSON step (integral floats become integers).

Known differences from PyYAML's ``safe_load`` of the same text (only for unusual values): ``1e+06`` is a float
here and a string in PyYAML; ``y``/``n`` are booleans here; ``1:20`` is a string here (PyYAML: 80);
``2024-01-01`` stays a string here (PyYAML: a date).

Text this module cannot model faithfully (flow collections, anchors, block indicators, a ``: `` inside a
value, several lines) raises ``ValueError``; the renderer turns that into a ChartRenderError naming the value.
"""

from __future__ import annotations

import math
import re
from typing import Any

from raywizard.chart.sprig import NO_VALUE, as_float64, format_float32, is_number

_BOOLEANS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_GO_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1
# A plain scalar may not start with these (``-``, ``?`` and ``:`` only when followed by a blank).
_INDICATORS = set(",[]{}#&*!|>'\"%@`")
# YAML's printable set (what libyaml accepts in a stream).
_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)``, falling back to ``ParseUint`` (no sign) like go-yaml does."""
    match = _GO_INT.fullmatch(text)
    if not match:
        return None
    sign, body = match.groups()
    lowered = body.lower()
    if lowered.startswith("0x"):
        number = int(body[2:], 16)
    elif lowered.startswith("0o"):
        number = int(body[2:], 8)
    elif lowered.startswith("0b"):
        number = int(body[2:], 2)
    elif body.startswith("0"):
        number = int(body, 8)
    else:
        number = int(body)
    if sign == "-":
        number = -number
    if _INT64_MIN <= number < 2**63:
        return number
    if not sign and number <= _UINT64_MAX:
        return number
    return None


def _json_number(value: float) -> int | float:
    """A float64 after encoding/json and the API server: integral values that fit an int64 come back as
    integers, others stay floats."""
    if math.isfinite(value) and value == int(value) and -(2**63) <= value < 2**63:
        return int(value)
    return value


def resolve_plain(text: str) -> Any:
    """The value go-yaml v2 (then JSON) gives a plain scalar ``text`` (already stripped)."""
    if text in _NULLS:
        return None
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    first = text[0]
    if first == ".":
        if re.fullmatch(r"\.[0-9]+([eE][-+]?[0-9]+)?", text):
            return _json_number(float(text))
        return text
    if first in "+-0123456789":
        plain = text.replace("_", "")
        number = _go_parse_int(plain)
        if number is not None:
            # uint64 values above int64 reach the API server as JSON numbers it can only read as floats.
            return number if number < 2**63 else float(number)
        if _YAML_STYLE_FLOAT.fullmatch(plain):
            value = float(plain)
            if math.isfinite(value):  # Go's ParseFloat fails (and go-yaml keeps a string) on overflow
                return _json_number(value)
    return text


def _check_plain(text: str, what: str) -> None:
    if "\n" in text or "\r" in text:
        raise ValueError(f"{what} would span several lines in the rendered YAML")
    if _NON_PRINTABLE.search(text):
        raise ValueError(f"{what} contains a control character, which YAML rejects")
    first = text[0]
    second = text[1:2]
    if first in _INDICATORS or (first in "-?:" and second in ("", " ", "\t")):
        raise ValueError(f"{what} starts with {first!r}, which the chart would render as YAML syntax")
    if ": " in text or ":\t" in text or text.endswith(":"):
        raise ValueError(f"{what} contains ': ', which the chart would render as a nested mapping")


def _strip_comment(text: str) -> str:
    """Drop a `` #...`` comment: ``key: a #b`` reads as ``a``."""
    match = re.search(r"[ \t]#", text)
    return text[: match.start()] if match else text


def value_from_template(text: str, what: str) -> Any:
    """The value of ``key: <text>`` where ``text`` is what a template wrote after the key."""
    text = text.replace(NO_VALUE, "").strip(" \t")
    if text.startswith("#"):
        return None
    text = _strip_comment(text).rstrip(" \t")
    if not text:
        return None
    _check_plain(text, what)
    value = resolve_plain(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{what} renders as {text!r}, an infinity/NaN that Kubernetes' JSON cannot carry")
    return value


def key_from_template(text: str, what: str) -> str:
    """A mapping key written raw by a template (``{{ $key }}: ...``), as a JSON object key."""
    text = text.replace(NO_VALUE, "").strip(" \t")
    if not text or text.startswith("#") or _strip_comment(text) != text:
        raise ValueError(f"{what}: key {text!r} cannot be written as a YAML key by the chart")
    _check_plain(text, what)
    if text == "<<":
        raise ValueError(f"{what}: '<<' is a YAML merge key")
    return json_key(resolve_plain(text))


def json_key(key: Any) -> str:
    """How sigs.k8s.io/yaml turns a non-string YAML key into a JSON object key."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        text = format_float32(key)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)
    raise ValueError(f"unsupported YAML map key {key!r}")


def _string_after_no_value(text: str) -> Any:
    """A ``toYaml`` string after Helm strips "<no value>" from the output (approximate for odd strings).

    go-yaml writes most strings plain, so what is left is read again as a plain scalar: "<no value>" alone
    becomes null, "1<no value>" the number 1.
    """
    if NO_VALUE not in text:
        return text
    rest = text.replace(NO_VALUE, "")
    if text != text.strip(" \t"):
        return rest  # go-yaml quotes strings with leading/trailing blanks
    if not rest:
        return None
    try:
        _check_plain(rest, "value")
    except ValueError:
        return rest
    return resolve_plain(rest)


class _NotJSON(Exception):
    """A value that encoding/json refuses (NaN, infinity)."""


def _to_yaml_value(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if is_number(value):
        number = as_float64(value)
        if not math.isfinite(number):
            raise _NotJSON
        return _json_number(number)
    if isinstance(value, str):
        return _string_after_no_value(value)
    if isinstance(value, dict):
        return {key: _to_yaml_value(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_to_yaml_value(item) for item in value]
    raise ValueError(f"unsupported value {value!r}")


def to_yaml_value(value: Any) -> Any:
    """The data a ``toYaml`` block reads back as: a JSON round trip, map keys sorted (Go = code point order).

    Helm's ``toYaml`` swallows marshalling errors and writes nothing, so a NaN or infinity anywhere makes the
    whole block an empty value (null).
    """
    try:
        return _to_yaml_value(value)
    except _NotJSON:
        return None
