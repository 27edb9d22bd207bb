"""Patch formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and an approximation of strategic merge.

Strategic merge (documented approximation): a merge patch, except that lists whose elements are objects with a
well-known merge key are merged element-wise by that key
(``containers``/``initContainers``/``env``/``volumes``/
``imagePullSecrets`` by ``name``, ``volumeMounts`` by ``mountPath``, container ``ports`` by ``containerPort``,
service ``ports`` by ``port``, ``conditions`` by ``type``, ``ownerReferences`` by ``uid``); ``{"$patch":
"delete"}``
removes an element, ``{"$patch": "replace"}`` replaces a map or list; other ``$`` directives
(``$setElementOrder/...``, ``$retainKeys``, ``$deleteFromPrimitiveList/...``) are dropped.
"""

from __future__ import annotations

import json
from typing import Any

from raywizard.sandbox.status import ApiError, bad_request, unprocessable
from raywizard.sandbox.watching import clone

#: list field name -> merge key, for built-in kinds (strategic merge and server-side apply)
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}


def merge_key_for(field: str, items: list[Any]) -> str | None:
    """The merge key of a built-in list field, given its items (``ports`` depends on who holds it)."""
    if field == "ports":
        sample = next((i for i in items if isinstance(i, dict)), None)
        if sample is None:
            return None
        return "containerPort" if "containerPort" in sample else "port"
    return MERGE_KEYS.get(field)


# ---------------------------------------------------------------- merge patch
def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386; returns a new value (target is not modified)."""
    if not isinstance(patch, dict):
        return clone(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# ---------------------------------------------------------------- strategic merge (approximation)
def strategic_merge(target: Any, patch: Any, field: str = "") -> Any:
    if isinstance(patch, dict):
        if patch.get("$patch") == "replace":
            return {k: clone(v) for k, v in patch.items() if not k.startswith("$")}
        if patch.get("$patch") == "delete":
            return None
        result = dict(target) if isinstance(target, dict) else {}
        for key, value in patch.items():
            if key.startswith("$"):
                continue
            if value is None:
                result.pop(key, None)
            else:
                result[key] = strategic_merge(result.get(key), value, key)
        return result
    if isinstance(patch, list):
        key = merge_key_for(field, patch) if isinstance(target, list) else None
        if key is None or not all(isinstance(i, dict) for i in patch):
            if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
                return [clone(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
            return [clone(i) for i in patch]
        merged = [clone(i) for i in (target or [])]
        index = {item.get(key): n for n, item in enumerate(merged) if isinstance(item, dict)}
        deleted: set[int] = set()
        for item in patch:
            if item.get("$patch") == "replace":
                return [clone(i) for i in patch if i.get("$patch") is None]
            k = item.get(key)
            if item.get("$patch") == "delete":
                if k in index:
                    deleted.add(index[k])
                continue
            if k in index:
                merged[index[k]] = strategic_merge(merged[index[k]], item, "")
            else:
                index[k] = len(merged)
                merged.append(strategic_merge(None, item, ""))
        return [item for n, item in enumerate(merged) if n not in deleted]
    return clone(patch)


# ---------------------------------------------------------------- JSON patch
def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _split_pointer(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise bad_request(f"invalid JSON pointer {pointer!r}")
    return [_unescape(t) for t in pointer[1:].split("/")]


def _parent(doc: Any, tokens: list[str], pointer: str) -> Any:
    current = doc
    for token in tokens[:-1]:
        if isinstance(current, dict):
            if token not in current:
                raise unprocessable(f"doc is missing path: {pointer!r}: missing value")
            current = current[token]
        elif isinstance(current, list):
            idx = _index(token, len(current), pointer)
            current = current[idx]
        else:
            raise unprocessable(f"doc is missing path: {pointer!r}: missing value")
    return current


def _index(token: str, length: int, pointer: str, allow_end: bool = False) -> int:
    if token == "-" and allow_end:
        return length
    try:
        idx = int(token)
    except ValueError:
        raise unprocessable(f"doc is missing path: {pointer!r}: invalid index {token!r}") from None
    if idx < 0 or idx > length or (idx == length and not allow_end):
        raise unprocessable(f"doc is missing path: {pointer!r}: index out of range")
    return idx


def _get(doc: Any, pointer: str) -> Any:
    tokens = _split_pointer(pointer)
    if not tokens:
        return doc
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise unprocessable(f"doc is missing path: {pointer!r}: missing value")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(last, len(parent), pointer)]
    raise unprocessable(f"doc is missing path: {pointer!r}: missing value")


def _add(doc: Any, pointer: str, value: Any) -> Any:
    tokens = _split_pointer(pointer)
    if not tokens:
        return value
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(last, len(parent), pointer, allow_end=True), value)
    else:
        raise unprocessable(f"doc is missing path: {pointer!r}: missing value")
    return doc


def _remove(doc: Any, pointer: str) -> Any:
    tokens = _split_pointer(pointer)
    if not tokens:
        raise unprocessable("unable to remove the whole document")
    parent = _parent(doc, tokens, pointer)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise unprocessable(f"unable to remove nonexistent key: {last}: missing value")
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(last, len(parent), pointer)]
    else:
        raise unprocessable(f"doc is missing path: {pointer!r}: missing value")
    return doc


def json_patch(target: Any, ops: Any) -> Any:
    """RFC 6902 add/remove/replace/move/copy/test; returns a new document."""
    if not isinstance(ops, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = clone(target)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise bad_request("Unexpected kind: missing op")
        kind, path = op["op"], op.get("path", "")
        if kind == "add":
            doc = _add(doc, path, clone(op.get("value")))
        elif kind == "remove":
            doc = _remove(doc, path)
        elif kind == "replace":
            # evanphx/json-patch v4 (what kube-apiserver uses): the parent must exist and a list index must be in
            # range, but a missing key of an object is simply set, as by `add`
            tokens = _split_pointer(path)
            parent = _parent(doc, tokens, path) if tokens else None
            if isinstance(parent, dict):
                parent[tokens[-1]] = clone(op.get("value"))
            else:
                _get(doc, path)  # must exist
                doc = _remove(doc, path) if tokens else doc
                doc = _add(doc, path, clone(op.get("value")))
        elif kind == "move":
            value = _get(doc, op.get("from", ""))
            doc = _remove(doc, op.get("from", ""))
            doc = _add(doc, path, value)
        elif kind == "copy":
            doc = _add(doc, path, clone(_get(doc, op.get("from", ""))))
        elif kind == "test":
            actual = _get(doc, path)
            if json.dumps(actual, sort_keys=True) != json.dumps(op.get("value"), sort_keys=True):
                raise unprocessable(f"testing value {path} failed: test failed")
        else:
            raise bad_request(f"Unexpected kind: {kind}")
    return doc


__all__ = ["MERGE_KEYS", "ApiError", "json_patch", "merge_key_for", "merge_patch", "strategic_merge"]
