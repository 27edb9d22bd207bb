"""The user's Applications as written, with the spec's edits: every form Argo CD accepts stays in its form.

``render.applications`` renders each Application in one canonical form (a single ``source``, ``valuesObject``).
A user's Application may hold the chart in ``spec.sources`` next to a ``ref`` git source, its values in a
``helm.values`` string, value files and parameters, and any number of keys we have no field for. Writing it back,
we apply only the difference between the canonical render as read (``baseline``) and now (``current``) to the
user's document: the source at its own place, the values into the form they were written in (edited in place
inside a ``values`` string, comments kept), edits of values a parameter sets into that parameter.
"""

from __future__ import annotations

import copy
from typing import Any

from raywizard.render import argocd_helm
from raywizard.render.values_delta import apply_delta, same

_PLACEHOLDER = "\0source"


def role_source(app: Any, role: str) -> tuple[int | None, dict[str, Any]] | None:
    """Where the source that makes ``app`` the ``role`` Application is."""
    if role == "cluster":
        return argocd_helm.chart_source(app)
    for index, source in argocd_helm.sources_of(app):
        path = str(source.get("path") or "").strip("/")
        if (role == "crds" and path.endswith("kuberay-operator/crds")) or (
                role == "operator" and path.endswith("kuberay-operator")):
            return index, source
    return None


def _without_source(app: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(app)
    body = out.get("spec")
    if isinstance(body, dict):
        body["source"] = _PLACEHOLDER
    return out


def write_application(document: dict[str, Any], baseline: dict[str, Any], current: dict[str, Any],
                      role: str, values: tuple[Any, Any] | None = None,
                      parameters: tuple[list[Any], list[Any]] | None = None) -> dict[str, Any]:
    """``document`` with the change ``baseline`` -> ``current`` (canonical renders) applied in its own form.

    ``values``: (inline values as read, inline values now) of the cluster Application; ``parameters``: the
    ``helm.parameters`` as read and now.
    """
    located = role_source(document, role)
    base_source = copy.deepcopy((baseline.get("spec") or {}).get("source") or {})
    now_source = copy.deepcopy((current.get("spec") or {}).get("source") or {})
    for source in (base_source, now_source):
        helm = source.get("helm")
        if isinstance(helm, dict):
            helm.pop("valuesObject", None)
            if not helm:
                source.pop("helm")
    out: dict[str, Any] = apply_delta(_without_source(document), _without_source(baseline), _without_source(current))
    body = out.get("spec") if isinstance(out.get("spec"), dict) else None
    if body is None:
        return out
    if located is not None and located[0] is not None:
        body.pop("source", None)
    if located is None:
        body["source"] = apply_delta({}, base_source, now_source)
        return out
    index, user_source = located
    source = apply_delta(user_source, base_source, now_source)
    written_revision = str(user_source.get("targetRevision") or "")
    if (argocd_helm.is_git_chart_source(user_source) and written_revision.startswith("v")
            and not same(base_source.get("targetRevision"), now_source.get("targetRevision"))):
        source["targetRevision"] = f"v{now_source.get('targetRevision')}"  # a git tag, as the document had it
    if values is not None and not same(values[0], values[1]):
        _write_values(source, values[0], values[1])
    if parameters is not None and not same(parameters[0], parameters[1]):
        helm = source.setdefault("helm", {})
        written = helm.get("parameters") if isinstance(helm.get("parameters"), list) else []
        helm["parameters"] = [
            apply_delta(written[i] if i < len(written) else {}, parameters[0][i] if i < len(parameters[0]) else {},
                        now) for i, now in enumerate(parameters[1])]
    if index is None:
        body["source"] = source  # in the placeholder's place: key order kept
    else:
        body.pop("source", None)
        body["sources"][index] = source
    return out


def _write_values(source: dict[str, Any], as_read: Any, inline: Any) -> None:
    """The change ``as_read`` -> ``inline`` of the inline values, into the form the source holds them in. Only
    the change: what the document holds there may differ from what was read (an ApplicationSet template's
    ``{{placeholders}}``, read with a list element's values)."""
    helm = source.get("helm")
    if not isinstance(helm, dict):
        helm = source["helm"] = {}
    if "valuesObject" not in helm and isinstance(helm.get("values"), str):
        from raywizard.documents.roundtrip_yaml import load_plain
        from raywizard.documents.splice import edit_yaml_text

        written = load_plain(helm["values"]) or {}
        helm["values"] = edit_yaml_text(helm["values"], apply_delta(written, as_read, inline))
        return
    written_object = helm.get("valuesObject")
    helm["valuesObject"] = apply_delta(written_object if isinstance(written_object, dict) else {}, as_read, inline)
