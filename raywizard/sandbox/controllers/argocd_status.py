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


def compared_to(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "source": dict(spec.get("source") or {}),
        "destination": dict(spec.get("destination") or {}),
    }
    if spec.get("ignoreDifferences"):
        result["ignoreDifferences"] = list(spec["ignoreDifferences"])
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
    elif spec.get("sources"):
        errors.append(("InvalidSpecError", "multiple sources are not supported by the raywizard sandbox"))
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
) -> list[dict[str, Any]]:
    next_id = max((int(h.get("id", 0)) for h in history or []), default=-1) + 1
    entry = {
        "revision": revision,
        "deployedAt": now_iso(),
        "id": next_id,
        "source": source,
        "deployStartedAt": started_at,
        "initiatedBy": initiated_by,
    }
    return ([*list(history or []), entry])[-10:]
