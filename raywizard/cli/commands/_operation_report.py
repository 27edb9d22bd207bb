"""What `raywizard sync --wait` and `refresh --wait` print once Argo CD is done, laid out as `argocd app sync`
prints its result: the Application's sync and health, the operation (revision, phase, times, message) and one
row per resource of the sync result. Every cluster string is shown through ``textsafe``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from raywizard.model.textsafe import literal

RESOURCE_HEADERS = ("GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOK", "MESSAGE")


def _field(label: str, value: Any) -> str:
    return f"{label + ':':<20}{literal(str(value or ''), single_line=True)}".rstrip()


def _duration(op_state: Mapping[str, Any]) -> str:
    from raywizard.kube.views import human_duration, parse_time

    started, finished = parse_time(op_state.get("startedAt")), parse_time(op_state.get("finishedAt"))
    if started is None or finished is None:
        return ""
    return human_duration((finished - started).total_seconds())


def app_summary(app: Mapping[str, Any]) -> list[str]:
    meta = app.get("metadata") or {}
    status = app.get("status") or {}
    sync = status.get("sync") or {}
    health = status.get("health") or {}
    revision = sync.get("revision") or ",".join(sync.get("revisions") or [])
    sync_line = str(sync.get("status") or "Unknown") + (f" to {revision}" if revision else "")
    lines = [
        _field("Name", f"{meta.get('namespace', '')}/{meta.get('name', '')}"),
        _field("Sync Status", sync_line),
        _field("Health Status", health.get("status") or "Unknown"),
    ]
    if health.get("message"):
        lines.append(_field("Health Message", health["message"]))
    return lines


def operation_lines(app: Mapping[str, Any]) -> list[str]:
    op_state = (app.get("status") or {}).get("operationState") or {}
    if not op_state:
        return []
    result = op_state.get("syncResult") or {}
    revision = result.get("revision") or ",".join(result.get("revisions") or [])
    return [
        _field("Operation", "Sync"),
        _field("Sync Revision", revision),
        _field("Phase", op_state.get("phase")),
        _field("Start", op_state.get("startedAt")),
        _field("Finished", op_state.get("finishedAt")),
        _field("Duration", _duration(op_state)),
        _field("Message", op_state.get("message")),
    ]


def resource_table(app: Mapping[str, Any]) -> list[str]:
    status = app.get("status") or {}
    health_of = {
        (r.get("group") or "", r.get("kind"), r.get("namespace") or "", r.get("name")): (r.get("health") or {})
        for r in status.get("resources") or []
    }
    rows: list[tuple[str, ...]] = [RESOURCE_HEADERS]
    for r in ((status.get("operationState") or {}).get("syncResult") or {}).get("resources") or []:
        ident = (r.get("group") or "", r.get("kind"), r.get("namespace") or "", r.get("name"))
        health = health_of.get(ident, {}).get("status") or ""
        hook = r.get("hookType") or ""
        cells = (*ident, r.get("status") or "", health, hook, r.get("message") or "")
        rows.append(tuple(literal(str(cell or ""), single_line=True) for cell in cells))
    if len(rows) == 1:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(RESOURCE_HEADERS))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def sync_report(app: Mapping[str, Any]) -> str:
    parts = [app_summary(app), operation_lines(app), resource_table(app)]
    return "\n\n".join("\n".join(part) for part in parts if part) + "\n"


def refresh_report(app: Mapping[str, Any]) -> str:
    status = app.get("status") or {}
    lines = app_summary(app)
    lines.append(_field("Compared At", status.get("reconciledAt")))
    for condition in status.get("conditions") or []:
        lines.append(_field(str(condition.get("type") or "Condition"), condition.get("message")))
    return "\n".join(lines) + "\n"


def operation_phase(app: Mapping[str, Any]) -> str:
    return str(((app.get("status") or {}).get("operationState") or {}).get("phase") or "")
