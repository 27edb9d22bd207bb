"""Argo CD ``ignoreDifferences``: which rules match a resource and how they normalise it.

Argo CD (``util/argo/normalizers/diff_normalizer.go``) matches an entry by ``group``/``kind`` (globs) and
``name``/``namespace`` (exact, when set), then removes ``jsonPointers`` with RFC 6902 ``remove`` ops and evaluates
each of ``jqPathExpressions`` as gojq ``del(<expr>)``. A pointer or expression that does not apply (missing path,
jq error) is skipped silently, as Argo CD does. Normalisation runs on both desired and live before comparing.

The ``jq`` package is imported lazily, only when a jq rule is evaluated.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
from typing import Any

REPLICAS_JQ = ".spec.workerGroupSpecs[].replicas"


def rule_matches(rule: dict[str, Any], *, group: str, kind: str, name: str, namespace: str) -> bool:
    if not fnmatch.fnmatchcase(group, str(rule.get("group", "") or "")) and not (
        rule.get("group") in (None, "") and group == ""
    ):
        return False
    if not fnmatch.fnmatchcase(kind, str(rule.get("kind", "") or "")):
        return False
    if rule.get("name") and rule["name"] != name:
        return False
    return not (rule.get("namespace") and rule["namespace"] != namespace)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def remove_pointer(document: Any, pointer: str) -> bool:
    """Remove the value at JSON pointer ``pointer`` in place; False (and nothing changed) if it is absent."""
    if pointer in ("", "/"):
        return False
    tokens = [_unescape(t) for t in pointer.lstrip("/").split("/")]
    parent = document
    for token in tokens[:-1]:
        if isinstance(parent, dict) and token in parent:
            parent = parent[token]
        elif isinstance(parent, list) and token.isdigit() and int(token) < len(parent):
            parent = parent[int(token)]
        else:
            return False
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        del parent[int(last)]
        return True
    return False


@functools.lru_cache(maxsize=256)
def _compiled_deletion(expression: str) -> Any:
    import jq

    return jq.compile(f"del({expression})")


def delete_jq(document: Any, expression: str) -> Any:
    """``del(expression)`` on ``document``; the document unchanged if the expression fails or yields != 1 doc."""
    try:
        results = _compiled_deletion(expression).input_value(document).all()
    except ValueError:
        return document
    return results[0] if len(results) == 1 else document


def jq_error(expression: str) -> str | None:
    """The jq compile error of ``expression`` (for validation), or None when it compiles."""
    try:
        _compiled_deletion(expression)
    except ValueError as exc:
        return str(exc)
    return None


def normalize_ignored(
    obj: dict[str, Any], rules: list[dict[str, Any]], *, group: str, kind: str, name: str, namespace: str
) -> dict[str, Any]:
    """A copy of ``obj`` with every field that a matching ``ignoreDifferences`` rule ignores removed."""
    result: Any = copy.deepcopy(obj)
    for rule in rules:
        if not rule_matches(rule, group=group, kind=kind, name=name, namespace=namespace):
            continue
        for pointer in rule.get("jsonPointers") or []:
            remove_pointer(result, str(pointer))
        for expression in rule.get("jqPathExpressions") or []:
            # Round-trip through JSON so that ruamel/ordered types reach jq as plain JSON values.
            result = delete_jq(json.loads(json.dumps(result)), str(expression))
    return result if isinstance(result, dict) else obj


def ignored_paths(
    obj: dict[str, Any], rules: list[dict[str, Any]], *, group: str, kind: str, name: str, namespace: str
) -> list[str]:
    """JSON pointers of the leaf values in ``obj`` that the rules hide (to explain what a rule ignores)."""
    normalized = normalize_ignored(obj, rules, group=group, kind=kind, name=name, namespace=namespace)
    hidden: list[str] = []

    def walk(before: Any, after: Any, pointer: str) -> None:
        if isinstance(before, dict):
            for key, value in before.items():
                child = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
                if not isinstance(after, dict) or key not in after:
                    hidden.append(child)
                else:
                    walk(value, after[key], child)
        elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
            for index, (b, a) in enumerate(zip(before, after, strict=True)):
                walk(b, a, f"{pointer}/{index}")

    walk(obj, normalized, "")
    return hidden
