"""The ray-cluster chart values a user's documents hold, as plain data, with the edits made through the spec.

The spec models only some of the chart's values, and models them with defaults of its own (an image always has
a pull policy). What Helm renders is the user's values, not the spec's: so ``template`` and ``validate`` start
from the document (a values file, or the RayCluster Application's ``valuesObject`` / ``values``) and apply only
what an edit through the spec changed (``apply_edit``).
"""

from __future__ import annotations

import copy
from typing import Any

from raywizard.model.errors import InputError

_MISSING = object()


def values_of_application(app: dict[str, Any]) -> dict[str, Any] | None:
    """The Helm values of the RayCluster Application ``app`` (``valuesObject`` wins over the ``values`` string,
    as in Argo CD), or None when it sets none."""
    from raywizard.documents.roundtrip_yaml import load_plain

    spec: dict[str, Any] = app["spec"] if isinstance(app.get("spec"), dict) else {}
    sources = [spec.get("source"), *list(spec.get("sources") or [])]
    for source in sources:
        if not isinstance(source, dict) or not isinstance(source.get("helm"), dict):
            continue
        if source.get("chart") not in (None, "ray-cluster"):
            continue
        helm = source["helm"]
        if isinstance(helm.get("valuesObject"), dict):
            return copy.deepcopy(helm["valuesObject"])
        if isinstance(helm.get("values"), str):
            try:
                parsed = load_plain(helm["values"])
            except Exception as exc:  # the YAML reader raises many types: all mean unreadable values
                raise InputError(f"the RayCluster Application's helm.values is not valid YAML ({exc})") from None
            return parsed if isinstance(parsed, dict) else {}
    return None


def apply_edit(document: Any, before: Any, after: Any) -> Any:
    """``document`` with the change from ``before`` to ``after`` (two renders of the spec) applied.

    Keys whose rendered value did not change keep the document's value, whatever the spec made of it; a key the
    edit added is set, one it removed is deleted, maps are compared key by key. ``document`` is not modified.
    """
    if before == after:
        return copy.deepcopy(document)
    if not (isinstance(document, dict) and isinstance(before, dict) and isinstance(after, dict)):
        return copy.deepcopy(after)
    result = copy.deepcopy(document)
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        if old == new:
            continue
        if new is _MISSING:
            result.pop(key, None)
        elif old is _MISSING or key not in result:
            result[key] = copy.deepcopy(new)
        else:
            result[key] = apply_edit(result[key], old, new)
    return result
