"""Read rows produced by ``raywizard.kube.views`` without caring whether they are dicts or objects.

The view functions are shared with ``raywizard status --watch``; the dashboard only reads named fields from
what they return, so a row may be a mapping, a dataclass or a named tuple.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def field(row: Any, *names: str, default: Any = "") -> Any:
    """The first of ``names`` that ``row`` has (mapping key or attribute), else ``default``."""
    for name in names:
        if isinstance(row, Mapping):
            if name in row:
                return row[name]
        elif hasattr(row, name):
            return getattr(row, name)
    return default


def text_of(value: Any) -> str:
    """How a scalar cell value reads: ``None`` as an empty cell, lists joined by commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(text_of(item) for item in value)
    return str(value)
