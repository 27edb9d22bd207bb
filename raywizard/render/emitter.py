"""A small, fast YAML emitter for plain data in the guide's style (block maps, sequences indented under keys).

ruamel.yaml's round-trip dumper keeps comments but costs ~1 ms per worker group; fresh renders (``render``, the
wizard's preview, every keystroke) have no comments to keep, so they use this emitter instead. Strings are written
plain only when every YAML 1.1 and 1.2 reader reads them back as the same string; otherwise single-quoted, or
double-quoted with escapes when they hold characters that are not printable. A test parses random documents back
to prove the round trip.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString

_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./\\(\[][A-Za-z0-9 _./\\()\[\]=:@+-]*$")
_LOOKS_TYPED = re.compile(
    r"""^(?:
        [-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.[\d_]+)(?:[eE][-+]?\d+)?   # ints, floats: 1, 0., .5, 1e3
      | [-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)
      | 0[xXoObB][0-9a-fA-F_]+
      | [-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?               # YAML 1.1 sexagesimal
      | \d{4}-\d\d?-\d\d?(?:[Tt ].*)?                       # timestamps
      | y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
      | null|Null|NULL|~|<<|=
    )$""",
    re.VERBOSE,
)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"  # YAML 1.1 readers need the dot (and a signed exponent) to see a float
        return f"{mantissa}e{exponent if exponent[0] in '+-' else '+' + exponent}" if e else mantissa
    text = str(value)
    if isinstance(value, DoubleQuotedScalarString):  # a style the renderer asked for explicitly
        return _double_quoted(text)
    if (text and _PLAIN_SAFE.fullmatch(text) and not _LOOKS_TYPED.fullmatch(text) and not text.endswith((" ", ":"))
            and ": " not in text and " #" not in text and not text.startswith(("[", "(")) and "\\" not in text):
        return text
    if text.isprintable():
        # Single quotes need no escaping but '' for ': the guide's form for Ray's resources string.
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _double_quoted(text: str) -> str:
    """YAML double-quoted scalar: printable characters as they are, everything else as \\x, \\u or \\U escapes
    (a YAML reader does not join JSON-style surrogate pairs)."""
    parts = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            parts.append("\\" + char)
        elif char.isprintable() and not 0xD800 <= code <= 0xDFFF and code != 0xFEFF:
            parts.append(char)
        elif code <= 0xFF:
            parts.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            parts.append(f"\\u{code:04x}")
        else:
            parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)


def _key(key: Any) -> str:
    return scalar(str(key) if not isinstance(key, str) else key)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict) and item:
                out.append(f"{pad}{_key(key)}:\n")
                _emit(item, indent + 2, out)
            elif isinstance(item, list) and item:
                out.append(f"{pad}{_key(key)}:\n")
                _emit_list(item, indent + 2, out)
            else:
                out.append(f"{pad}{_key(key)}: {_inline(item)}\n")
    elif isinstance(value, list):
        _emit_list(value, indent, out)
    else:
        out.append(f"{pad}{_inline(value)}\n")


def _emit_list(items: list[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and item:
            start = len(out)
            _emit(item, indent + 2, out)
            out[start] = f"{pad}- {out[start][indent + 2:]}"
        elif isinstance(item, list) and item:
            start = len(out)
            _emit_list(item, indent + 2, out)
            out[start] = f"{pad}- {out[start][indent + 2:]}"
        else:
            out.append(f"{pad}- {_inline(item)}\n")


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def emit(document: Any) -> str:
    out: list[str] = []
    _emit(document, 0, out)
    return "".join(out)


def emit_all(documents: list[Any]) -> str:
    return "---\n".join(emit(doc) for doc in documents)
