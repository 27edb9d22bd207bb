"""Plain scalars as Helm, kubectl and Argo CD read them (YAML 1.1), not as ruamel's YAML 1.2 loader does.

Helm reads a values file, and kubectl an Application, through sigs.k8s.io/yaml, which resolves plain scalars the
way go-yaml v2 does (docs/domain/ray-cluster-chart.md#how-helm-reads-a-values-file): ``yes``/``no``/``on``/``off``
and ``y``/``n`` are booleans, an integer written with a leading zero (``010``) is octal, and a timestamp-like
value (``2024-01-01``) stays a string. ruamel's round-trip loader follows YAML 1.2, where the first two are
strings and decimals and the third a date. ``resolve_like_helm`` rewrites those values in the parsed tree in
place, so everything downstream (the chart model, validation, the spec) sees what Helm sees. Quoted scalars are
strings in both and are left alone; the file's text is never changed by this.
"""

from __future__ import annotations

import datetime
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.compat import ordereddict
from ruamel.yaml.scalarint import BinaryInt, HexInt, OctalInt, ScalarInt

_BOOLEANS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}


def _resolved(value: Any, text_at: Any) -> Any:
    """What go-yaml v2 makes of the plain scalar ruamel loaded as ``value`` (``value`` itself when they agree)."""
    if type(value) is str and value in _BOOLEANS:  # exactly str: quoted strings are ScalarString subclasses
        return _BOOLEANS[value]
    if type(value) is ScalarInt and not isinstance(value, OctalInt | HexInt | BinaryInt):
        width = getattr(value, "_width", None)
        digits = str(abs(int(value)))
        if width is not None and width > len(digits):
            # Written with leading zeros: Go's ParseInt(text, 0, 64) reads it as octal; with an 8 or 9 in it
            # ParseInt fails and go-yaml reads it as the (decimal) float, the value ruamel already has.
            padded = digits.zfill(width)
            if set(padded) <= set("01234567"):
                number = int(padded, 8)
                return -number if int(value) < 0 else number
        return value
    if isinstance(value, datetime.datetime):
        text = text_at()
        return text if text is not None else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()  # a date-only YAML timestamp is always written YYYY-MM-DD
    return value


def _line_text(lines: list[str], position: tuple[int, int] | None) -> str | None:
    """The plain scalar starting at (line, column), up to a comment or the end of the line."""
    if position is None or position[0] >= len(lines):
        return None
    rest = lines[position[0]][position[1]:]
    cut = rest.find(" #")
    return (rest if cut < 0 else rest[:cut]).strip().rstrip(",]}").strip() or None


def resolve_like_helm(node: Any, text: str) -> None:
    """Rewrite, in place, the plain scalars of a parsed round-trip tree that YAML 1.1 reads differently."""
    lines = text.splitlines()
    merging: list[CommentedMap] = []

    def walk(item: Any) -> None:
        if isinstance(item, CommentedMap):
            if item.merge:
                merging.append(item)
            for key in list(item.keys()):
                if key not in item._ok:  # a key a `<<:` merge brought in: refreshed from its source below
                    continue
                value = item[key]
                if isinstance(value, CommentedMap | CommentedSeq):
                    walk(value)
                    continue
                new = _resolved(value, lambda k=key: _line_text(lines, _value_position(item, k)))
                if new is not value:
                    item[key] = new
        elif isinstance(item, CommentedSeq):
            for index, value in enumerate(item):
                if isinstance(value, CommentedMap | CommentedSeq):
                    walk(value)
                    continue
                new = _resolved(value, lambda i=index: _line_text(lines, _item_position(item, i)))
                if new is not value:
                    item[index] = new

    walk(node)
    for mapping in merging:
        sources = [entry[1] if isinstance(entry, tuple) else entry for entry in mapping.merge]
        for key in [k for k in mapping if k not in mapping._ok]:
            source = next((m for m in sources if key in m), None)
            if source is not None:
                # Not through __setitem__, which would make the key the map's own (written out on a dump).
                ordereddict.__setitem__(mapping, key, source[key])


def _value_position(mapping: CommentedMap, key: Any) -> tuple[int, int] | None:
    try:
        line, column = mapping.lc.value(key)
    except (KeyError, TypeError, AttributeError):
        return None
    return int(line), int(column)


def _item_position(sequence: CommentedSeq, index: int) -> tuple[int, int] | None:
    try:
        line, column = sequence.lc.item(index)
    except (KeyError, TypeError, AttributeError):
        return None
    return int(line), int(column)
