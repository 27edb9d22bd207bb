"""Application `.status` pieces in the exact shapes of Argo CD 3.x (docs/domain/argocd.md#application-status)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .objects import now_iso

CONTROLLER_NAMESPACE = "argocd"
FINALIZERS = (
    "resources-finalizer.argocd.argoproj.io",
    "resources-finalizer.argocd.argoproj.io/foreground",
    "resources-finalizer.argocd.argoproj.io/background",
)
IN_CLUSTER = "https://kubernetes.default.svc"


# How Go's encoding/json writes the ComparedTo structs (`pkg/apis/application/v1alpha1/types.go`, v3.5.1): every
# field is `omitempty` except the ones marked "keep"; a pointer to a struct is written even when empty ("ptr"); a
# RawExtension is written as stored ("raw"). Fields not listed fall back to omitempty.
_SOURCE = {"repoURL": "keep", "helm": "ptr", "kustomize": "ptr", "directory": "ptr", "plugin": "ptr"}
_FIELDS: dict[str, dict[str, str]] = {
    "source": _SOURCE,
    "helm": {"valuesObject": "raw"},
    "ignoreDifferences": {"kind": "keep"},
    "parameters": {},
}


def _is_zero(value: Any) -> bool:
    return value is None or value is False or value == "" or value == 0 or value == [] or value == {}


def _go_json(value: Any, fields: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    result: dict[str, Any] = {}
    for key, item in value.items():
        kind = fields.get(key, "")
        if kind == "raw":
            if item is not None:
                result[key] = item
        elif kind == "keep":
            result[key] = item
        elif kind == "ptr":
            if isinstance(item, dict):
                result[key] = _go_json(item, _FIELDS.get(key, {}))
        elif isinstance(item, list):
            items = [_go_json(entry, _FIELDS.get(key, {})) for entry in item]
            if items:
                result[key] = items
        elif isinstance(item, dict):
            nested = _go_json(item, _FIELDS.get(key, {}))
            if nested:
                result[key] = nested
        elif not _is_zero(item):
            result[key] = item
    return result


def _source(source: dict[str, Any] | None) -> dict[str, Any]:
    return _go_json({"repoURL": "", **(source or {})}, _SOURCE)


def compared_to(spec: dict[str, Any]) -> dict[str, Any]:
    """`status.sync.comparedTo` as the controller writes it (`controller/state.go`, CompareAppState): the
    spec's destination, ignoreDifferences and source(s) after a Go round trip, so zero values (`skipCrds: false`,
    `valueFiles: []`, `name: ""`) are gone. A multi-source Application still gets `source: {repoURL: ""}` (a
    struct, never omitted)."""
    result: dict[str, Any] = {"destination": _go_json(dict(spec.get("destination") or {}), {})}
    if spec.get("sources"):
        result["source"] = {"repoURL": ""}
        result["sources"] = [_source(s) for s in spec["sources"]]
    else:
        result["source"] = _source(spec.get("source"))
    ignore = [_go_json(dict(rule), _FIELDS["ignoreDifferences"]) for rule in spec.get("ignoreDifferences") or []]
    if ignore:
        result["ignoreDifferences"] = ignore
    return result


def merge_conditions(old: list[dict[str, Any]], new: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Argo CD keeps lastTransitionTime for a condition whose type and message did not change."""
    previous = {(c.get("type"), c.get("message")): c for c in old or []}
    result = []
    for ctype, message in new:
        kept = previous.get((ctype, message))
        result.append(
            {
                "type": ctype,
                "message": message,
                "lastTransitionTime": (kept or {}).get("lastTransitionTime") or now_iso(),
            }
        )
    return result


def spec_errors(spec: dict[str, Any], project_exists: bool) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    project = spec.get("project") or ""
    if not project_exists:
        errors.append(("InvalidSpecError", f"Application referencing project {project} which does not exist"))
    destination = spec.get("destination") or {}
    server, name = destination.get("server"), destination.get("name")
    if server and name:
        errors.append(
            (
                "InvalidSpecError",
                f"application destination can't have both name and server defined: {name} {server}",
            )
        )
    elif name and name != "in-cluster":
        errors.append(("InvalidSpecError", f"Unable to get cluster: there are no clusters with this name: {name}"))
    elif server and server.rstrip("/") != IN_CLUSTER:
        errors.append(("InvalidSpecError", f"Unable to get cluster: there are no clusters with this URL: {server}"))
    elif not server and not name:
        errors.append(("InvalidSpecError", "Destination server missing from app spec"))
    if not spec.get("source") and not spec.get("sources"):
        errors.append(("InvalidSpecError", "spec.source or spec.sources must be specified"))
    return errors


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")


def parse_duration(text: Any, default: float) -> float:
    if text in (None, ""):
        return default
    if isinstance(text, (int, float)):
        return float(text)
    total, matched = 0.0, False
    for number, unit in _DURATION.findall(str(text)):
        matched = True
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[unit]
    return total if matched else default


def retry_delay(retry: dict[str, Any], attempt: int) -> float:
    """`retry.backoff` (defaults 5s, factor 2, max 3m) for the attempt-th retry (1-based)."""
    backoff = retry.get("backoff") or {}
    duration = parse_duration(backoff.get("duration"), 5.0)
    factor = float(backoff.get("factor") or 2)
    cap = parse_duration(backoff.get("maxDuration"), 180.0)
    return float(min(cap, duration * factor ** max(0, attempt - 1)))


def kitchen_time(seconds_from_now: float) -> str:
    """Go's time.Kitchen ("3:04PM") of a moment `seconds_from_now` (real seconds) ahead."""
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_from_now)
    return moment.strftime("%I:%M%p").lstrip("0")


def history_entry(
    history: list[dict[str, Any]],
    *,
    revision: str,
    source: dict[str, Any],
    started_at: str,
    initiated_by: dict[str, Any],
    revisions: list[str] | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    next_id = max((int(h.get("id", 0)) for h in history or []), default=-1) + 1
    entry: dict[str, Any] = (
        {"revisions": revisions, "sources": sources} if revisions is not None else {"revision": revision}
    )
    entry.update({"deployedAt": now_iso(), "id": next_id})
    if revisions is None:
        entry["source"] = source
    entry.update({"deployStartedAt": started_at, "initiatedBy": initiated_by})
    return ([*list(history or []), entry])[-10:]
