"""managedFields and server-side apply, approximating structured-merge-diff.

A field set is a set of paths; a path is a tuple of fieldsV1 keys (``"f:spec"``, ``'k:{"name":"ray-head"}'``).
Lists are *atomic* (owned as a whole) except the well-known keyed lists of built-in kinds (see
``patching.MERGE_KEYS``) and ``metadata.ownerReferences``; custom resources get no keyed lists (their CRD
schemas
carry no ``x-kubernetes-list-map-keys``, e.g. RayCluster ``workerGroupSpecs`` is atomic, as in a real
cluster).

Apply semantics: the applied configuration is merged into the live object (maps recursively, keyed lists
by key,
everything else replaced); fields the manager applied last time and no longer applies are removed unless
another
manager also owns them; a field another manager owns with a different value is a conflict (409) unless
``force``,
which moves ownership. Non-apply writes move the changed fields to the writing manager (operation ``Update``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from raywizard.sandbox.patching import merge_key_for
from raywizard.sandbox.status import ApiError
from raywizard.sandbox.watching import clone

Path = tuple[str, ...]
MISSING: Any = object()
_META_FIELDS = ("labels", "annotations", "finalizers", "ownerReferences")


def _key_for(field: str, items: list[Any], builtin: bool, in_metadata: bool) -> str | None:
    if in_metadata:
        return "uid" if field == "ownerReferences" else None
    if not builtin:
        return None
    key = merge_key_for(field, items)
    if key and all(isinstance(i, dict) and key in i for i in items):
        return key
    return None


def _element_key(key: str, item: dict[str, Any]) -> str:
    return "k:" + json.dumps({key: item[key]}, separators=(",", ":"))


def field_set(obj: dict[str, Any], builtin: bool, *, status: bool | None = None) -> set[Path]:
    """Paths of every field set in obj. status=None: all; True: only status; False: all but status."""
    paths: set[Path] = set()
    for top, value in obj.items():
        if top in ("apiVersion", "kind"):
            continue
        if status is True and top != "status":
            continue
        if status is False and top == "status":
            continue
        if top == "metadata":
            if isinstance(value, dict):
                for name in _META_FIELDS:
                    if name in value and value[name] is not None:
                        _walk(value[name], ("f:metadata", "f:" + name), name, builtin, True, paths)
            continue
        _walk(value, ("f:" + top,), top, builtin, False, paths)
    return paths


def _walk(value: Any, prefix: Path, field: str, builtin: bool, in_metadata: bool, out: set[Path]) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _walk(v, (*prefix, "f:" + k), k, builtin, in_metadata, out)
        return
    if isinstance(value, list) and value:
        key = _key_for(field, value, builtin, in_metadata)
        if key is not None:
            for item in value:
                element = (*prefix, _element_key(key, item))
                out.add(element)
                for k, v in item.items():
                    _walk(v, (*element, "f:" + k), k, builtin, in_metadata, out)
            return
    out.add(prefix)


def value_at(obj: Any, path: Path) -> Any:
    current = obj
    for element in path:
        if element.startswith("f:"):
            if not isinstance(current, dict) or element[2:] not in current:
                return MISSING
            current = current[element[2:]]
        elif element.startswith("k:"):
            if not isinstance(current, list):
                return MISSING
            want = json.loads(element[2:])
            current = next(
                (i for i in current if isinstance(i, dict) and all(i.get(k) == v for k, v in want.items())),
                MISSING,
            )
            if current is MISSING:
                return MISSING
        else:
            return MISSING
    return current


def remove_path(obj: Any, path: Path) -> None:
    if not path:
        return
    parent = value_at(obj, path[:-1])
    last = path[-1]
    if last.startswith("f:") and isinstance(parent, dict):
        parent.pop(last[2:], None)
    elif last.startswith("k:") and isinstance(parent, list):
        want = json.loads(last[2:])
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(i.get(k) == v for k, v in want.items()))]


def to_fields_v1(paths: Iterable[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    members = sorted(paths)
    for path in members:
        node = tree
        for element in path:
            node = node.setdefault(element, {})
    for path in members:
        node = tree
        for element in path:
            node = node[element]
        if node and "." not in node:
            node["."] = {}
    return _sorted(tree)


def _sorted(tree: dict[str, Any]) -> dict[str, Any]:
    return {k: _sorted(tree[k]) for k in sorted(tree)}


def from_fields_v1(fields: dict[str, Any] | None, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for key, sub in (fields or {}).items():
        if key == ".":
            out.add(prefix)
            continue
        path = (*prefix, key)
        if not sub:
            out.add(path)
        else:
            out |= from_fields_v1(sub, path)
    return out


def _identity(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (entry.get("manager", ""), entry.get("operation", ""), entry.get("subresource", ""))


def _entry(
    manager: str, operation: str, api_version: str, now: str, paths: set[Path], subresource: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields_v1(paths),
    }
    if subresource:
        entry["subresource"] = subresource
    return entry


def _path_text(path: Path) -> str:
    parts = []
    for element in path:
        if element.startswith("f:"):
            parts.append("." + element[2:])
        elif element.startswith("k:"):
            want = json.loads(element[2:])
            parts.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in want.items()) + "]")
    return "".join(parts)


def _manager_text(entry: dict[str, Any]) -> str:
    text = json.dumps(entry.get("manager", ""))
    if entry.get("subresource"):
        text += f' with subresource "{entry["subresource"]}"'
    if entry.get("operation") == "Update":
        text += f" using {entry.get('apiVersion', '')}"
        if entry.get("time"):
            text += f" at {entry['time']}"
    return text


def conflict_error(conflicts: list[tuple[dict[str, Any], Path]]) -> ApiError:
    """409 Conflict shaped like k8s.io/apiserver fieldmanager's NewConflictError."""
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f"conflict with {_manager_text(e)}",
            "field": _path_text(p),
        }
        for e, p in conflicts
    ]
    if len(conflicts) == 1:
        entry, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_manager_text(entry)}: {_path_text(path)}"
    else:
        by_manager: dict[str, list[str]] = {}
        for entry, path in conflicts:
            by_manager.setdefault(_manager_text(entry), []).append(_path_text(path))
        lines = []
        for manager in sorted(by_manager):
            lines.append(f"conflicts with {manager}:")
            lines.extend(f"- {p}" for p in sorted(by_manager[manager]))
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def apply_merge(live: Any, config: Any, field: str, builtin: bool, in_metadata: bool) -> Any:
    if isinstance(config, dict):
        result = dict(live) if isinstance(live, dict) else {}
        for k, v in config.items():
            if v is None:
                continue
            result[k] = apply_merge(result.get(k), v, k, builtin, in_metadata or (k == "metadata"))
        return result
    if isinstance(config, list) and isinstance(live, list) and config:
        key = _key_for(field, config, builtin, in_metadata)
        if key is not None and all(isinstance(i, dict) and key in i for i in live):
            merged = [clone(i) for i in live]
            index = {i[key]: n for n, i in enumerate(merged)}
            for item in config:
                if item[key] in index:
                    n = index[item[key]]
                    merged[n] = apply_merge(merged[n], item, "", builtin, in_metadata)
                else:
                    index[item[key]] = len(merged)
                    merged.append(clone(item))
            return merged
    return clone(config)


def server_side_apply(
    live: dict[str, Any],
    config: dict[str, Any],
    *,
    manager: str,
    force: bool,
    builtin: bool,
    api_version: str,
    now: str,
    subresource: str | None,
    status_scope: bool | None,
) -> dict[str, Any]:
    """The new object (with managedFields) for applying config onto live; raises the 409 conflict error."""
    entries = [dict(e) for e in (live.get("metadata") or {}).get("managedFields") or []]
    me = (manager, "Apply", subresource or "")
    mine = next((e for e in entries if _identity(e) == me), None)
    previous = from_fields_v1(mine.get("fieldsV1")) if mine else set()
    applied = field_set(config, builtin, status=status_scope)
    others = [(e, from_fields_v1(e.get("fieldsV1"))) for e in entries if _identity(e) != me]

    conflicts: list[tuple[dict[str, Any], Path]] = []
    for path in sorted(applied):
        if path[-1].startswith("k:"):
            continue
        for entry, owned in others:
            if path in owned and value_at(live, path) != value_at(config, path):
                conflicts.append((entry, path))
    if conflicts and not force:
        raise conflict_error(conflicts)
    if conflicts:
        for entry, owned in others:
            lost = {p for e, p in conflicts if e is entry}
            owned -= lost

    merged = apply_merge(live, {k: v for k, v in config.items() if k != "metadata"}, "", builtin, False)
    meta_config = config.get("metadata") or {}
    meta = dict(merged.get("metadata") or {})
    for name in _META_FIELDS:
        if name in meta_config and meta_config[name] is not None:
            meta[name] = apply_merge(meta.get(name), meta_config[name], name, builtin, True)
    merged["metadata"] = meta

    # structured-merge-diff's field sets hold every node, not just leaves: a map this manager applied before and
    # no longer mentions goes as a whole unless someone else owns something inside it.
    kept = _prefixes(applied)
    for _, owned in others:
        kept |= _prefixes(owned)
    for path in sorted(_prefixes(previous) - kept, key=len, reverse=True):
        remove_path(merged, path)

    new_entries = []
    for entry, owned in others:
        if owned:
            entry["fieldsV1"] = to_fields_v1(owned)
            new_entries.append(entry)
    new_entries.append(_entry(manager, "Apply", api_version, now, applied, subresource))
    merged["metadata"]["managedFields"] = new_entries
    return merged


def _prefixes(paths: Iterable[Path]) -> set[Path]:
    return {path[:n] for path in paths for n in range(1, len(path) + 1)}


def record_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    manager: str,
    builtin: bool,
    api_version: str,
    now: str,
    subresource: str | None,
    operation: str = "Update",
) -> None:
    """Move the fields changed by a non-apply write to `manager` (sets new.metadata.managedFields)."""
    scope = True if subresource == "status" else None
    entries = [dict(e) for e in ((old or {}).get("metadata") or {}).get("managedFields") or []]
    new_set = field_set(new, builtin, status=scope)
    if old is None:
        changed = new_set
    else:
        old_set = field_set(old, builtin, status=scope)
        changed = {p for p in new_set if value_at(old, p) != value_at(new, p)} | (old_set - new_set)
    if not changed:
        new["metadata"]["managedFields"] = entries
        return
    me = (manager, operation, subresource or "")
    result = []
    mine: set[Path] = set()
    for entry in entries:
        owned = from_fields_v1(entry.get("fieldsV1"))
        if _identity(entry) == me:
            mine = owned
            continue
        remaining = owned - changed
        if remaining != owned:
            if not remaining:
                continue
            entry["fieldsV1"] = to_fields_v1(remaining)
        result.append(entry)
    mine = (mine | changed) & new_set if old is not None else changed
    if mine:
        result.append(_entry(manager, operation, api_version, now, mine, subresource))
    new["metadata"]["managedFields"] = result
