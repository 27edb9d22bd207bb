"""The sandbox Argo CD's own ``ignoreDifferences``, written from Argo CD v3.5.1's normalizers.

It shares no code with raywizard's diff on purpose: it is the reference raywizard is tested against.
Sources (see docs/sandbox-fidelity.md):

- ``util/argo/normalizers/diff_normalizer.go``: an entry matches by ``group`` and ``kind`` (glob patterns,
  an empty group meaning the core group) and by ``name``/``namespace`` when set. Each ``jsonPointers`` entry
  becomes an RFC 6902 ``remove`` operation and each ``jqPathExpressions`` entry the gojq program
  ``del(<expression>)``; an operation that does not apply (missing path, jq error, not exactly one result)
  leaves the object unchanged.
- ``util/argo/managedfields/managed_fields.go``: for ``managedFieldsManagers``, the fields that a trusted
  manager owns in the *live* object and whose values differ between live and desired are removed from both.
"""

from __future__ import annotations

import copy
import fnmatch
import functools
import json
from typing import Any

from raywizard.sandbox.managedfields import MISSING, from_fields_v1, remove_path, value_at


def matches(rule: dict[str, Any], *, group: str, kind: str, name: str, namespace: str) -> bool:
    rule_group = str(rule.get("group") or "")
    if rule_group and not fnmatch.fnmatchcase(group, rule_group):
        return False
    if not rule_group and group:
        return False
    if not fnmatch.fnmatchcase(kind, str(rule.get("kind") or "")):
        return False
    if rule.get("name") and rule["name"] != name:
        return False
    return not (rule.get("namespace") and rule["namespace"] != namespace)


def _pointer_tokens(pointer: str) -> list[str] | None:
    if not pointer.startswith("/"):
        return None
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def json_pointer_remove(document: Any, pointer: str) -> Any:
    """RFC 6902 ``remove``; the document unchanged when the path does not exist."""
    tokens = _pointer_tokens(pointer)
    if not tokens:
        return document
    result = copy.deepcopy(document)
    parent = result
    for token in tokens[:-1]:
        if isinstance(parent, dict) and token in parent:
            parent = parent[token]
        elif isinstance(parent, list) and token.isdigit() and int(token) < len(parent):
            parent = parent[int(token)]
        else:
            return document
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        del parent[int(last)]
    else:
        return document
    return result


@functools.lru_cache(maxsize=128)
def _deletion_program(expression: str) -> Any:
    import jq

    return jq.compile(f"del({expression})")


def jq_delete(document: Any, expression: str) -> Any:
    try:
        outputs = _deletion_program(expression).input_value(document).all()
    except ValueError:
        return document
    return outputs[0] if len(outputs) == 1 and isinstance(outputs[0], dict) else document


def _normalize_one(obj: dict[str, Any], rules: list[dict[str, Any]]) -> dict[str, Any]:
    result: Any = json.loads(json.dumps(obj))
    for rule in rules:
        for pointer in rule.get("jsonPointers") or []:
            result = json_pointer_remove(result, str(pointer))
        for expression in rule.get("jqPathExpressions") or []:
            result = jq_delete(result, str(expression))
    return result if isinstance(result, dict) else obj


def _normalize_managers(
    desired: dict[str, Any], live: dict[str, Any], managers: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    trusted = [
        entry for entry in (live.get("metadata") or {}).get("managedFields") or [] if entry.get("manager") in managers
    ]
    if not trusted:
        return desired, live
    desired, live = copy.deepcopy(desired), copy.deepcopy(live)
    for entry in trusted:
        for path in sorted(from_fields_v1(entry.get("fieldsV1")), key=len, reverse=True):
            if path and path[0] == "f:metadata" and len(path) > 1 and path[1] == "f:managedFields":
                continue
            live_value = value_at(live, path)
            if live_value is MISSING or live_value == value_at(desired, path):
                continue
            remove_path(live, path)
            remove_path(desired, path)
    return desired, live


def normalize_pair(
    desired: dict[str, Any],
    live: dict[str, Any],
    rules: list[dict[str, Any]],
    *,
    group: str,
    kind: str,
    name: str,
    namespace: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Desired and live with every ignored field removed, as Argo CD compares them."""
    matching = [r for r in rules if matches(r, group=group, kind=kind, name=name, namespace=namespace)]
    if not matching:
        return desired, live
    managers = [str(m) for r in matching for m in r.get("managedFieldsManagers") or []]
    if managers:
        desired, live = _normalize_managers(desired, live, managers)
    return _normalize_one(desired, matching), _normalize_one(live, matching)


def normalize(
    obj: dict[str, Any], rules: list[dict[str, Any]], *, group: str, kind: str, name: str, namespace: str
) -> dict[str, Any]:
    """One object with the pointer and jq rules applied (managedFieldsManagers need a pair)."""
    matching = [r for r in rules if matches(r, group=group, kind=kind, name=name, namespace=namespace)]
    return _normalize_one(obj, matching) if matching else obj
