"""Rows for tables, computed from a ``StateSnapshot``: the dashboard and ``raywizard status`` both use these.

Pure functions over raw JSON dicts (shapes: docs/domain/kuberay.md#status, docs/domain/argocd.md#application-status).
Strings come straight from the cluster: callers show them through ``raywizard.model.textsafe``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from raywizard.kube.state import StateSnapshot


@dataclass(frozen=True)
class AppRow:
    key: str
    name: str
    sync: str
    health: str
    operation: str  # operationState.phase; "Requested" while `.operation` waits for the controller; "" when none
    message: str  # health message, operation message or first error condition
    revision: str
    last_sync: str  # operationState.finishedAt (or startedAt while running)
    conditions: tuple[tuple[str, str], ...] = ()  # (type, message)
    managed_by: str = ""  # "managed by Application ray-root (repo, path, revision)" for a child of a parent
    repo_url: str = ""  # of a git source (empty for a Helm chart repository)
    target_revision: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RayClusterSummary:
    key: str
    name: str
    namespace: str
    state: str
    conditions: tuple[tuple[str, str, str, str], ...]  # (type, status, reason, message)
    desired_workers: int
    available_workers: int
    ready_workers: int
    cpus: str
    memory: str
    gpus: str
    head_pod_ip: str
    head_service_ip: str
    endpoints: dict[str, str] = field(default_factory=dict)
    age: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GroupRow:
    group: str
    replicas: int
    min_replicas: int
    max_replicas: int
    ready: int
    pending: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PodRow:
    key: str
    name: str
    group: str
    node_type: str
    status: str
    ready: str
    restarts: int
    age: str
    node: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EventRow:
    key: str
    type: str
    reason: str
    object: str
    message: str
    count: int
    last_seen: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- helpers ---
def _get(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, Mapping):
            return default
        obj = obj.get(part)
        if obj is None:
            return default
    return obj


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def human_duration(seconds: float) -> str:
    """kubectl's short duration: 45s, 3m20s, 5h, 2d3h, 400d."""
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 8:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    return f"{days}d"


def age(timestamp: Any, now: datetime) -> str:
    when = parse_time(timestamp)
    return human_duration((now - when).total_seconds()) if when else "<unknown>"


def error_conditions(app: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(c.get("type", "")), str(c.get("message", "")))
        for c in _get(app, "status", "conditions", default=[]) or []
        if str(c.get("type", "")).endswith("Error")
    ]


# --- Applications ---
def application_row(app: Mapping[str, Any], applications: Mapping[str, Mapping[str, Any]] | None = None) -> AppRow:
    """``applications`` (key -> live Application): where to look up the parent its tracking names, for
    ``managed_by`` with the parent's repository, path and revision (without it: the parent's name only)."""
    status = app.get("status") or {}
    op_state = status.get("operationState") or {}
    operation = str(op_state.get("phase", "") or "")
    if app.get("operation") and operation not in ("Running", "Terminating"):
        operation = "Requested"  # set, not yet picked up by the controller (the old phase is history)
    conditions = tuple(
        (str(c.get("type", "")), str(c.get("message", ""))) for c in status.get("conditions") or []
    )
    errors = [c for c in conditions if c[0].endswith("Error")]
    health = status.get("health") or {}
    message = ""
    if errors:
        message = f"{errors[0][0]}: {errors[0][1]}"
    elif operation in ("Failed", "Error") or (operation == "Running" and op_state.get("message")):
        message = str(op_state.get("message", ""))
    elif health.get("message"):
        message = str(health["message"])
    sync = status.get("sync") or {}
    revision = str(sync.get("revision") or ",".join(sync.get("revisions") or []) or "")
    body = app.get("spec") or {}
    source = body.get("source") or next(iter(body.get("sources") or []), None) or {}
    last_sync = str(op_state.get("finishedAt") or op_state.get("startedAt") or "")
    return AppRow(
        key=_key(app),
        name=str(_get(app, "metadata", "name", default="")),
        sync=str(sync.get("status") or "Unknown"),
        health=str(health.get("status") or "Unknown"),
        operation=operation,
        message=message,
        revision=revision,
        last_sync=last_sync,
        conditions=conditions,
        managed_by=_managed_by(app, applications),
        repo_url=str(source.get("repoURL") or "") if not source.get("chart") else "",
        target_revision=str(source.get("targetRevision") or ""),
    )


def _managed_by(app: Mapping[str, Any], applications: Mapping[str, Mapping[str, Any]] | None) -> str:
    from raywizard.kube.tracking import parent_from, tracked_parent

    named = tracked_parent(dict(app))
    if named is None:
        return ""
    namespace, name, method = named
    parent = (applications or {}).get(f"{namespace}/{name}")
    if parent is not None:
        return parent_from(dict(parent), method).line()
    if applications is not None and method == "label":
        return ""  # the label names no Application: a Helm release name, not a parent
    return f"managed by Application {name}"


def application_rows(snap: StateSnapshot) -> list[AppRow]:
    return [application_row(app, snap.applications) for _, app in sorted(snap.applications.items())]


# --- RayCluster ---
def _pick_raycluster(snap: StateSnapshot, name: str | None) -> Mapping[str, Any] | None:
    clusters = [rc for _, rc in sorted(snap.rayclusters.items())]
    if name is None:
        return clusters[0] if clusters else None
    return next((rc for rc in clusters if _get(rc, "metadata", "name") == name), None)


def raycluster_summary(
    snap: StateSnapshot, name: str | None = None, now: datetime | None = None
) -> RayClusterSummary | None:
    rc = _pick_raycluster(snap, name)
    if rc is None:
        return None
    return summarize_raycluster(rc, now or snap.taken_at)


def summarize_raycluster(rc: Mapping[str, Any], now: datetime) -> RayClusterSummary:
    status = rc.get("status") or {}
    head = status.get("head") or {}
    conditions = tuple(
        (
            str(c.get("type", "")),
            str(c.get("status", "")),
            str(c.get("reason", "")),
            str(c.get("message", "")),
        )
        for c in status.get("conditions") or []
    )
    return RayClusterSummary(
        key=_key(rc),
        name=str(_get(rc, "metadata", "name", default="")),
        namespace=str(_get(rc, "metadata", "namespace", default="")),
        state=str(status.get("state") or ""),
        conditions=conditions,
        desired_workers=int(status.get("desiredWorkerReplicas") or 0),
        available_workers=int(status.get("availableWorkerReplicas") or 0),
        ready_workers=int(status.get("readyWorkerReplicas") or 0),
        cpus=str(status.get("desiredCPU") or "0"),
        memory=str(status.get("desiredMemory") or "0"),
        gpus=str(status.get("desiredGPU") or "0"),
        head_pod_ip=str(head.get("podIP") or ""),
        head_service_ip=str(head.get("serviceIP") or ""),
        endpoints={str(k): str(v) for k, v in (status.get("endpoints") or {}).items()},
        age=age(_get(rc, "metadata", "creationTimestamp"), now),
    )


def _pod_is_ready(pod: Mapping[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in _get(pod, "status", "conditions", default=[])
    )


def _pods_of(snap: StateSnapshot, cluster: str) -> Iterable[Mapping[str, Any]]:
    for pod in snap.pods.values():
        if _get(pod, "metadata", "labels", "ray.io/cluster") == cluster:
            yield pod


def worker_group_rows(snap: StateSnapshot, name: str | None = None) -> list[GroupRow]:
    rc = _pick_raycluster(snap, name)
    if rc is None:
        return []
    cluster = str(_get(rc, "metadata", "name", default=""))
    return group_rows(rc, _pods_of(snap, cluster))


def group_rows(rc: Mapping[str, Any], pods: Iterable[Mapping[str, Any]]) -> list[GroupRow]:
    """One row per worker group of the RayCluster ``rc``: its live replicas and bounds, and how many of
    ``pods`` (the cluster's) are ready or pending in it."""
    ready: dict[str, int] = {}
    pending: dict[str, int] = {}
    for pod in pods:
        if _get(pod, "metadata", "labels", "ray.io/node-type") != "worker":
            continue
        group = str(_get(pod, "metadata", "labels", "ray.io/group", default=""))
        phase = _get(pod, "status", "phase", default="Pending")
        if phase == "Running" and _pod_is_ready(pod) and not _get(pod, "metadata", "deletionTimestamp"):
            ready[group] = ready.get(group, 0) + 1
        elif phase == "Pending" or (phase == "Running" and not _pod_is_ready(pod)):
            pending[group] = pending.get(group, 0) + 1
    rows = []
    for spec in _get(rc, "spec", "workerGroupSpecs", default=[]) or []:
        group = str(spec.get("groupName", ""))
        rows.append(
            GroupRow(
                group=group,
                replicas=int(spec.get("replicas") or 0),
                min_replicas=int(spec.get("minReplicas") or 0),
                max_replicas=int(spec.get("maxReplicas") or 0),
                ready=ready.get(group, 0),
                pending=pending.get(group, 0),
            )
        )
    return rows


# --- pods (kubectl's printPod STATUS logic) ---
def pod_status(pod: Mapping[str, Any]) -> str:
    status = pod.get("status") or {}
    reason = str(status.get("reason") or status.get("phase") or "Pending")
    init_statuses = status.get("initContainerStatuses") or []
    initializing = False
    for index, container in enumerate(init_statuses):
        state = container.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            reason = "Init:" + str(terminated.get("reason") or f"ExitCode:{terminated.get('exitCode')}")
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{index}/{len(_get(pod, 'spec', 'initContainers', default=[]) or init_statuses)}"
        initializing = True
        break
    if not initializing:
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            state = container.get("state") or {}
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated and terminated.get("reason"):
                reason = str(terminated["reason"])
            elif terminated:
                signal = terminated.get("signal")
                reason = f"Signal:{signal}" if signal else f"ExitCode:{terminated.get('exitCode')}"
            elif state.get("running") and container.get("ready"):
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running" if _pod_is_ready(pod) else "NotReady"
    meta = pod.get("metadata") or {}
    if meta.get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def _pending_reason(pod: Mapping[str, Any]) -> str:
    status = pod.get("status") or {}
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return str(condition.get("message") or condition.get("reason") or "")
    for container in status.get("containerStatuses") or []:
        waiting = (container.get("state") or {}).get("waiting") or {}
        if waiting.get("message"):
            return str(waiting["message"])
        terminated = (container.get("lastState") or {}).get("terminated") or {}
        if terminated.get("message"):
            return str(terminated["message"])
    return str(status.get("message") or "")


def pod_row(pod: Mapping[str, Any], now: datetime) -> PodRow:
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    status = pod.get("status") or {}
    containers = _get(pod, "spec", "containers", default=[]) or []
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    total = len(containers) or len(statuses)
    return PodRow(
        key=_key(pod),
        name=str(meta.get("name", "")),
        group=str(labels.get("ray.io/group", "")),
        node_type=str(labels.get("ray.io/node-type", "")),
        status=pod_status(pod),
        ready=f"{ready}/{total}",
        restarts=sum(int(c.get("restartCount") or 0) for c in statuses),
        age=age(meta.get("creationTimestamp"), now),
        node=str(_get(pod, "spec", "nodeName", default="") or ""),
        reason=_pending_reason(pod),
    )


def pod_rows(snap: StateSnapshot, now: datetime | None = None) -> list[PodRow]:
    moment = now or snap.taken_at
    return [pod_row(pod, moment) for _, pod in sorted(snap.pods.items())]


# --- events ---
def event_time(event: Mapping[str, Any]) -> str:
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or _get(event, "series", "lastObservedTime")
        or event.get("firstTimestamp")
        or _get(event, "metadata", "creationTimestamp", default="")
    )


def event_row(event: Mapping[str, Any]) -> EventRow:
    involved = event.get("involvedObject") or event.get("regarding") or {}
    return EventRow(
        key=_key(event),
        type=str(event.get("type") or "Normal"),
        reason=str(event.get("reason") or ""),
        object=f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}"
        if involved.get("kind")
        else str(involved.get("name", "")),
        message=str(event.get("message") or event.get("note") or ""),
        count=int(event.get("count") or _get(event, "series", "count", default=1) or 1),
        last_seen=event_time(event),
    )


def event_rows(
    snap: StateSnapshot, *, warnings_only: bool = False, limit: int | None = None
) -> list[EventRow]:
    rows = [event_row(e) for e in snap.events]
    if warnings_only:
        rows = [r for r in rows if r.type == "Warning"]
    return rows[-limit:] if limit else rows


def _key(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    return f"{namespace}/{meta.get('name', '')}" if namespace else str(meta.get("name", ""))
