"""Label and field selectors, parsed once and matched against object dicts.

Label selectors: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k`` and ``!k``,
comma-joined.
Field selectors: ``path=v``, ``path==v``, ``path!=v`` over the fields real servers support (metadata.name,
metadata.namespace, status.phase, spec.nodeName, involvedObject.* for events, ...); any dotted path is
accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[dict[str, Any]], bool]

_SET_RE = re.compile(r"^\s*(!?)([A-Za-z0-9_./-]+)\s*(?:(in|notin)\s*\(([^)]*)\)|(==|=|!=)\s*([A-Za-z0-9_.-]*))?\s*$")


class SelectorError(ValueError):
    pass


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    terms: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(ch)
    terms.append("".join(current))
    return [t for t in (t.strip() for t in terms) if t]


def _label_check(key: str, op: str, value: str | None, set_values: str | None) -> Callable[[dict[str, str]], bool]:
    values = frozenset(v.strip() for v in (set_values or "").split(",") if v.strip())
    if op == "in":
        return lambda labels: labels.get(key) in values
    if op == "notin":
        return lambda labels: labels.get(key) not in values
    if op in ("=", "=="):
        return lambda labels: labels.get(key) == value
    if op == "!=":
        return lambda labels: labels.get(key) != value
    if op == "!":
        return lambda labels: key not in labels
    return lambda labels: key in labels


def _field_check(path: str, op: str, value: str) -> Callable[[dict[str, Any]], bool]:
    if op == "!=":
        return lambda obj: _field_value(obj, path) != value
    return lambda obj: _field_value(obj, path) == value


def parse_label_selector(text: str | None) -> Matcher | None:
    """A predicate over an object's labels, or None for "everything"."""
    if not text or not text.strip():
        return None
    checks: list[Callable[[dict[str, str]], bool]] = []
    for term in _split_terms(text):
        m = _SET_RE.match(term)
        if not m:
            raise SelectorError(f"unable to parse requirement: {term!r}")
        negate, key, set_op, set_values, op, value = m.groups()
        if negate and (set_op or op):
            raise SelectorError(f"unable to parse requirement: {term!r}")
        checks.append(_label_check(key, set_op or op or ("!" if negate else ""), value, set_values))

    def match(obj: dict[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(check(labels) for check in checks)

    return match


def _field_value(obj: dict[str, Any], path: str) -> str:
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, dict):
            return ""
        current = current.get(part)
        if current is None:
            return ""
    if isinstance(current, bool):
        return "true" if current else "false"
    return str(current)


def parse_field_selector(text: str | None) -> Matcher | None:
    if not text or not text.strip():
        return None
    checks: list[Callable[[dict[str, Any]], bool]] = []
    for term in _split_terms(text):
        m = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$", term)
        if not m:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{term}'")
        path, op, value = m.groups()
        checks.append(_field_check(path, op, value))

    def match(obj: dict[str, Any]) -> bool:
        return all(check(obj) for check in checks)

    return match


def combine(*matchers: Matcher | None) -> Matcher | None:
    active = [m for m in matchers if m is not None]
    if not active:
        return None
    if len(active) == 1:
        return active[0]
    return lambda obj: all(m(obj) for m in active)
