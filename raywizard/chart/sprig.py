"""What Go templates and sprig do with Helm values, in Python terms.

Helm reads every values source (the chart's values.yaml, ``-f`` files, Argo CD ``valuesObject``) through
sigs.k8s.io/yaml, i.e. YAML -> JSON -> ``map[string]interface{}``. So inside a template every number is a Go
``float64`` (an ``int`` in our dicts stands for that float64), booleans and strings stay, null is ``nil``.
Numbers written in the chart's template itself (``default 2147483647``) are Go ints; the renderer handles
those.

Functions here model:
- Go template truth (``if``/``with``/``not``/``or``) and sprig ``empty``/``default``: nil, false, 0, "",
  empty map and empty list are all "empty";
- ``fmt.Sprint``-style printing (``{{ . }}`` and sprig ``quote``), including Go's float formatting:
  ``%v`` of a float64 is ``strconv.FormatFloat(f, 'g', -1, 64)``, which switches to exponent form from
  1e+06 on (``2147483647`` prints as ``2.147483647e+09``);
- sprig ``trunc`` (byte based) and ``trimSuffix``.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal
from typing import Any

# Helm's engine replaces this marker (what text/template prints for a missing value) with "" in the whole
# rendered file; a user string containing it loses it too.
NO_VALUE = "<no value>"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def truthy(value: Any) -> bool:
    """Go template truth, which is also the inverse of sprig ``empty`` for values Helm can hold."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if is_number(value):
        return float(value) != 0.0
    if isinstance(value, str | dict | list):
        return len(value) > 0
    return True


def default(fallback: Any, value: Any) -> Any:
    """sprig ``default``: ``value`` unless it is empty (0, "", false, nil, {} and [] all count as empty)."""
    return value if truthy(value) else fallback


def _shortest_digits(value: float, bits: int) -> tuple[str, int]:
    """Shortest decimal digits that round-trip ``value`` (as float64, or float32 when bits == 32).

    Returns (digits without leading/trailing zeros, decimal point position ``dp``) so that
    value == 0.<digits> * 10**dp, the way Go's strconv describes it.
    """
    if bits == 64:
        text = repr(abs(value))
    else:
        target = struct.unpack("f", struct.pack("f", abs(value)))[0]
        text = ""
        for significant in range(1, 10):
            text = f"{target:.{significant - 1}e}"
            if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
                break
    _sign, digit_tuple, exponent = Decimal(text).as_tuple()
    digits = "".join(str(d) for d in digit_tuple).lstrip("0")
    assert isinstance(exponent, int)
    # Decimal gives value = int(digits) * 10**exponent; strip trailing zeros into the exponent.
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    return stripped, len(stripped) + exponent


_FLOAT32_MAX = 3.4028234663852886e38


def _format_g_shortest(value: float, bits: int) -> str:
    """``strconv.FormatFloat(value, 'g', -1, bits)``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    negative = math.copysign(1.0, value) < 0
    sign = "-" if negative else ""
    if value == 0:
        return sign + "0"
    if bits == 32 and abs(value) > _FLOAT32_MAX:
        return "-Inf" if negative else "+Inf"  # Go's float32(x) overflows to infinity
    digits, dp = _shortest_digits(value, bits)
    exponent = dp - 1
    # With the shortest precision Go decides on %e vs %f with precision 6.
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp_sign = "-" if exponent < 0 else "+"
        return f"{sign}{mantissa}e{exp_sign}{abs(exponent):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def format_float64(value: float) -> str:
    """Go ``fmt`` ``%v`` of a float64: ``1`` -> "1", ``1e6`` -> "1e+06", ``0.5`` -> "0.5"."""
    return _format_g_shortest(value, 64)


def format_float32(value: float) -> str:
    """``strconv.FormatFloat(value, 'g', -1, 32)``, which sigs.k8s.io/yaml uses for float map keys."""
    return _format_g_shortest(value, 32)


def as_float64(value: int | float) -> float:
    """A values number as Helm holds it (float64); Python ints too large for a float64 cannot be."""
    try:
        return float(value)
    except OverflowError as exc:
        raise ValueError(f"number {value} is out of range for Helm (float64)") from exc


def go_sprint(value: Any) -> str:
    """``fmt.Sprint`` of a Helm value (used by sprig ``quote`` and inside printed maps/lists)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_float64(as_float64(value))
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        items = " ".join(f"{key}:{go_sprint(value[key])}" for key in sorted(value))
        return f"map[{items}]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(item) for item in value) + "]"
    return str(value)


def template_print(value: Any) -> str:
    """What ``{{ value }}`` writes into the rendered file (nil and missing values vanish)."""
    if value is None:
        return ""
    return go_sprint(value).replace(NO_VALUE, "")


def quote(value: Any) -> str | None:
    """The string that sprig ``quote`` (Go ``%q``) yields once the YAML double-quoted scalar is parsed.

    Go's %q escapes are all valid YAML double-quoted escapes, so parsing gives back ``fmt.Sprint(value)``
    exactly. ``quote`` skips a nil argument, so ``key: {{ nil | quote }}`` renders ``key:`` -> null.
    """
    if value is None:
        return None
    return go_sprint(value).replace(NO_VALUE, "")


def trunc(text: str, length: int) -> str:
    """sprig ``trunc``: the first ``length`` *bytes* (Go strings are bytes)."""
    raw = text.encode("utf-8")
    if len(raw) <= length:
        return text
    try:
        return raw[:length].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{text!r}: truncating to {length} bytes would cut a character in half") from exc


def trim_suffix(text: str, suffix: str) -> str:
    """sprig ``trimSuffix``: remove one trailing ``suffix`` if present."""
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text
