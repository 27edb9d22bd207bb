"""Server-side `Table` output (what `kubectl get` asks for with ``Accept: ...;as=Table``).

Custom resources use their CRD's ``additionalPrinterColumns`` (so ``kubectl get rayclusters`` shows DESIRED
WORKERS, AVAILABLE WORKERS, STATUS... and ``kubectl get applications`` SYNC STATUS and HEALTH STATUS);
the common
built-ins get the columns kubectl users know. Column ``date`` cells are ages, as the real table convertor
renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from raywizard.sandbox.registry import PrinterColumn, ResourceInfo

Col = tuple[str, str, int, Callable[[dict[str, Any]], Any]]


def wants_table(accept: str) -> bool:
    return "as=Table" in accept


def human_age(timestamp: str | None) -> str:
    if not timestamp:
        return "<unknown>"
    try:
        then = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "<invalid>"
    seconds = int((datetime.now(UTC) - then).total_seconds())
    if seconds < 0:
        return "<invalid>"
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y"


def json_path(obj: Any, path: str) -> Any:
    """The simple JSONPath subset printer columns use: ``.a.b``, ``.a[0].b``, ``.a['x.y']``."""
    current = obj
    for token in re.findall(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]|\['([^']+)'\]", path):
        key, index, quoted = token
        if index:
            if not isinstance(current, list) or int(index) >= len(current):
                return None
            current = current[int(index)]
        else:
            if not isinstance(current, dict):
                return None
            current = current.get(key or quoted)
        if current is None:
            return None
    return current


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _age(obj: dict[str, Any]) -> str:
    return human_age(_meta(obj).get("creationTimestamp"))


def _pod_ready(obj: dict[str, Any]) -> str:
    statuses = (obj.get("status") or {}).get("containerStatuses") or []
    total = len((obj.get("spec") or {}).get("containers") or [])
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def _pod_status(obj: dict[str, Any]) -> str:
    if _meta(obj).get("deletionTimestamp"):
        return "Terminating"
    status = obj.get("status") or {}
    reason = status.get("reason")
    for cs in status.get("containerStatuses") or []:
        state = cs.get("state") or {}
        if "waiting" in state and state["waiting"].get("reason"):
            reason = state["waiting"]["reason"]
        elif "terminated" in state and state["terminated"].get("reason"):
            reason = state["terminated"]["reason"]
    return str(reason or status.get("phase") or "Unknown")


def _restarts(obj: dict[str, Any]) -> int:
    return sum(int(cs.get("restartCount", 0)) for cs in (obj.get("status") or {}).get("containerStatuses") or [])


def _ports(obj: dict[str, Any]) -> str:
    out = []
    for p in (obj.get("spec") or {}).get("ports") or []:
        text = f"{p.get('port')}/{p.get('protocol', 'TCP')}"
        if p.get("nodePort"):
            text = f"{p.get('port')}:{p['nodePort']}/{p.get('protocol', 'TCP')}"
        out.append(text)
    return ",".join(out) or "<none>"


def _node_status(obj: dict[str, Any]) -> str:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return "Ready" if c.get("status") == "True" else "NotReady"
    return "Unknown"


BUILTIN_COLUMNS: dict[str, list[Col]] = {
    "pods": [
        ("Ready", "string", 0, _pod_ready),
        ("Status", "string", 0, _pod_status),
        ("Restarts", "string", 0, _restarts),
        ("Age", "string", 0, _age),
        ("IP", "string", 1, lambda o: (o.get("status") or {}).get("podIP") or "<none>"),
        ("Node", "string", 1, lambda o: (o.get("spec") or {}).get("nodeName") or "<none>"),
    ],
    "namespaces": [
        ("Status", "string", 0, lambda o: (o.get("status") or {}).get("phase", "")),
        ("Age", "string", 0, _age),
    ],
    "nodes": [
        ("Status", "string", 0, _node_status),
        ("Roles", "string", 0, lambda o: "<none>"),
        ("Age", "string", 0, _age),
        (
            "Version",
            "string",
            0,
            lambda o: ((o.get("status") or {}).get("nodeInfo") or {}).get("kubeletVersion", "v1.30.6"),
        ),
    ],
    "services": [
        ("Type", "string", 0, lambda o: (o.get("spec") or {}).get("type", "ClusterIP")),
        ("Cluster-IP", "string", 0, lambda o: (o.get("spec") or {}).get("clusterIP", "<none>")),
        ("External-IP", "string", 0, lambda o: "<none>"),
        ("Port(s)", "string", 0, _ports),
        ("Age", "string", 0, _age),
    ],
    "deployments.apps": [
        (
            "Ready",
            "string",
            0,
            lambda o: f"{(o.get('status') or {}).get('readyReplicas', 0)}/{(o.get('spec') or {}).get('replicas', 0)}",
        ),
        ("Up-to-date", "integer", 0, lambda o: (o.get("status") or {}).get("updatedReplicas", 0)),
        ("Available", "integer", 0, lambda o: (o.get("status") or {}).get("availableReplicas", 0)),
        ("Age", "string", 0, _age),
    ],
    "replicasets.apps": [
        ("Desired", "integer", 0, lambda o: (o.get("spec") or {}).get("replicas", 0)),
        ("Current", "integer", 0, lambda o: (o.get("status") or {}).get("replicas", 0)),
        ("Ready", "integer", 0, lambda o: (o.get("status") or {}).get("readyReplicas", 0)),
        ("Age", "string", 0, _age),
    ],
    "serviceaccounts": [
        ("Secrets", "integer", 0, lambda o: len(o.get("secrets") or [])),
        ("Age", "string", 0, _age),
    ],
    "events": [
        ("Last Seen", "string", 0, lambda o: human_age(o.get("lastTimestamp"))),
        ("Type", "string", 0, lambda o: o.get("type", "")),
        ("Reason", "string", 0, lambda o: o.get("reason", "")),
        (
            "Object",
            "string",
            0,
            lambda o: (
                f"{str((o.get('involvedObject') or {}).get('kind', '')).lower()}/"
                f"{(o.get('involvedObject') or {}).get('name', '')}"
            ),
        ),
        ("Message", "string", 0, lambda o: o.get("message", "")),
    ],
    "configmaps": [
        ("Data", "integer", 0, lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
        ("Age", "string", 0, _age),
    ],
    "secrets": [
        ("Type", "string", 0, lambda o: o.get("type", "Opaque")),
        ("Data", "integer", 0, lambda o: len(o.get("data") or {})),
        ("Age", "string", 0, _age),
    ],
    "customresourcedefinitions.apiextensions.k8s.io": [
        ("Created At", "date", 0, lambda o: _meta(o).get("creationTimestamp"))
    ],
}


def _path_cell(path: str, date: bool) -> Callable[[dict[str, Any]], Any]:
    if date:
        return lambda o: human_age(json_path(o, path))
    return lambda o: json_path(o, path)


def _crd_columns(columns: tuple[PrinterColumn, ...]) -> list[Col]:
    return [
        (
            c.name,
            "string" if c.type == "date" else c.type,
            c.priority,
            _path_cell(c.json_path, c.type == "date"),
        )
        for c in columns
    ]


def table(
    info: ResourceInfo,
    items: list[dict[str, Any]],
    resource_version: str | None,
    *,
    single: bool = False,
    continue_token: str | None = None,
    include_object: str = "PartialObjectMetadata",
) -> dict[str, Any]:
    if info.key in BUILTIN_COLUMNS:
        cols = BUILTIN_COLUMNS[info.key]
    elif info.columns:
        cols = _crd_columns(info.columns)
    else:
        cols = [("Age", "string", 0, _age)]
    definitions = [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": "Name must be unique within a namespace.",
            "priority": 0,
        }
    ]
    definitions += [
        {"name": name, "type": type_, "format": "", "description": "", "priority": priority}
        for name, type_, priority, _ in cols
    ]
    if info.key == "events":
        definitions = definitions[1:]
    rows = []
    for obj in items:
        cells: list[Any] = [] if info.key == "events" else [_meta(obj).get("name", "")]
        for _, _, _, fn in cols:
            value = fn(obj)
            cells.append(value)
        partial = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": _meta(obj)}
        rows.append({"cells": cells, "object": obj if include_object == "Object" else partial})
    meta: dict[str, Any] = {}
    if resource_version:
        meta["resourceVersion"] = resource_version
    if continue_token:
        meta["continue"] = continue_token
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": definitions,
        "rows": rows,
    }
