"""The user's document as the source of truth: carry only the edits of the spec back into it.

The spec is a lens over a document (a values file, an Application): reading the document into the spec normalises
it (``tag: 0.1`` becomes the string ``"0.1"``, a missing ``pullPolicy`` becomes ``IfNotPresent``, ``groupName`` is
filled in). Writing the lens out again would write those normalisations as changes the user never made. Instead,
what we write is the document with the *difference* between the lens as loaded (``baseline``) and the lens now
(``current``) applied to it:

- a key whose lens value did not change keeps the document's value exactly (type, quoting), or stays absent;
- a changed map is entered key by key, so a sibling the user wrote stays as written;
- a changed scalar or list is replaced by the new value (Helm replaces lists as a whole, too);
- a key the lens no longer has is removed; a key new in the lens is added;
- keys the lens never saw are kept.
"""

from __future__ import annotations

import copy
from typing import Any

_MISSING = object()


def _kind(value: Any) -> type:
    for kind in (bool, int, float, str, dict, list):  # bool before int: True is an int to Python
        if isinstance(value, kind):
            return kind
    return type(value)


def same(a: Any, b: Any) -> bool:
    """Equal as data and of the same types at every level (YAML ``1`` and ``1.0`` and ``"1"`` differ; a quoted
    string is the same string as a plain one)."""
    if _kind(a) is not _kind(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def apply_delta(document: Any, baseline: Any, current: Any) -> Any:
    """``document`` with the change ``baseline`` -> ``current`` applied (a new object; inputs are not changed)."""
    if same(baseline, current):
        return copy.deepcopy(current) if document is _MISSING else copy.deepcopy(document)
    if isinstance(current, dict) and isinstance(baseline, dict) and (document is _MISSING
                                                                     or isinstance(document, dict)):
        # A map the lens filled in without the document having it (a default) is entered as an empty map, so
        # only the changed keys are written.
        source: dict[Any, Any] = document if isinstance(document, dict) else {}
        out = copy.deepcopy(source)
        for key in list(baseline):
            if key not in current:
                out.pop(key, None)
        for key, value in current.items():
            before = baseline.get(key, _MISSING)
            if before is _MISSING and isinstance(value, dict) and isinstance(source.get(key), dict):
                # New in the lens but already in the document (a map the lens had left out because it held
                # nothing the lens models, e.g. `head: {resources: null}`): add the lens's keys to it.
                out[key] = apply_delta(source[key], {}, value)
            elif before is _MISSING:
                out[key] = copy.deepcopy(value)
            elif not same(before, value):
                out[key] = apply_delta(source.get(key, _MISSING), before, value)
        return out
    # A scalar or a list (replaced as a whole, as Helm does), or a map where the document has something else.
    return copy.deepcopy(current)


def changed_paths(baseline: Any, current: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The key paths where ``current`` differs from ``baseline`` (maps entered, anything else compared whole)."""
    if same(baseline, current):
        return []
    if isinstance(baseline, dict) and isinstance(current, dict):
        paths: list[tuple[str, ...]] = []
        for key in [*baseline, *(k for k in current if k not in baseline)]:
            paths.extend(changed_paths(baseline.get(key, _MISSING), current.get(key, _MISSING), (*prefix, str(key))))
        return paths
    return [prefix]
