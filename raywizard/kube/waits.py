"""When is a step of an apply done, and if it is not, what is blocking it? Pure predicates over raw JSON.

``app_wait_state`` is what ``argocd app wait`` (no flags: --sync --health --operation) checks: sync Synced, health
Healthy and no operation in progress (``operation`` unset, ``operationState.finishedAt`` set and ``status.reconciledAt
>= finishedAt``). Argo CD has no health check for RayCluster (docs/domain/argocd.md#health-of-a-raycluster), so the app
is Healthy as soon as the RayCluster exists: ``raycluster_wait_state`` adds Ray's own readiness (state
``ready`` or ``RayClusterProvisioned`` True, available workers = desired) and names what holds it back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from raywizard.kube.views import event_time, parse_time, pod_status

IMAGE_ERRORS = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
CRASH_ERRORS = ("CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError", "RunContainerError")


@dataclass(frozen=True)
class WaitState:
    ready: bool
    summary: str  # one line, e.g. "Synced / Healthy" or "2/3 workers available"
    blocker: str | None = None  # what is holding it back, when we can tell
    failed: bool = False  # no point waiting longer (e.g. Degraded, sync failed after retries)


def _conditions(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(((obj.get("status") or {}).get("conditions")) or [])


def operation_in_progress(app: Mapping[str, Any]) -> bool:
    if app.get("operation"):
        return True
    status = app.get("status") or {}
    op_state = status.get("operationState")
    if not op_state:
        return False
    finished = parse_time(op_state.get("finishedAt"))
    if finished is None:
        return True
    reconciled = parse_time(status.get("reconciledAt"))
    return reconciled is None or reconciled < finished


def compared_current(app: Mapping[str, Any] | None, previous_reconciled_at: str | None) -> bool:
    """Has Argo CD compared the Application's *current* spec? ``status.sync.comparedTo`` records the source,
    destination and ignoreDifferences of the last comparison; without it, a newer ``reconciledAt`` will do."""
    if app is None:
        return False
    spec = app.get("spec") or {}
    status = app.get("status") or {}
    compared = (status.get("sync") or {}).get("comparedTo")
    if compared:
        return all(
            # `or None`: a field that is all zero values (the multi-source `source: {repoURL: ""}`) is absent
            (_without_zero_values(compared.get(key)) or None) == (_without_zero_values(spec.get(key)) or None)
            for key in ("source", "sources", "destination", "ignoreDifferences")
        )
    return status.get("reconciledAt") != previous_reconciled_at


def _without_zero_values(value: Any) -> Any:
    """Argo CD writes comparedTo from its Go types, whose fields are all omitempty: `skipCrds: false`,
    `valueFiles: []` or `name: ""` in the spec are absent there, and a multi-source Application's comparedTo has
    `source: {repoURL: ""}` (docs/domain/argocd.md#application-status). Both sides lose their zero values before
    they are compared; Helm values (`valuesObject`) are kept as they are, Argo CD stores them verbatim."""
    if isinstance(value, Mapping):
        kept = {
            key: item if key == "valuesObject" else _without_zero_values(item)
            for key, item in value.items()
        }
        return {key: item for key, item in kept.items() if not _zero(item)}
    if isinstance(value, list):
        return [_without_zero_values(item) for item in value]
    return value


def _zero(value: Any) -> bool:
    return value is None or value is False or value == "" or value == 0 or value == [] or value == {}


def app_wait_state(app: Mapping[str, Any] | None) -> WaitState:
    if app is None:
        return WaitState(False, "not found", "the Application does not exist (yet)")
    status = app.get("status") or {}
    sync = str((status.get("sync") or {}).get("status") or "Unknown")
    health_block = status.get("health") or {}
    health = str(health_block.get("status") or "Unknown")
    op_state = status.get("operationState") or {}
    phase = str(op_state.get("phase") or "")
    running = operation_in_progress(app)
    summary = f"{sync} / {health}" + (f" / operation {phase or 'requested'}" if running else "")
    if sync == "Synced" and health == "Healthy" and not running:
        return WaitState(True, summary)

    blocker: str | None = None
    failed = False
    errors = [c for c in _conditions(app) if str(c.get("type", "")).endswith("Error")]
    if errors:
        blocker = f"{errors[0].get('type')}: {errors[0].get('message', '')}"
    elif phase in ("Failed", "Error") and op_state.get("message"):
        blocker = f"sync {phase.lower()}: {op_state.get('message')}"
    elif health == "Degraded":
        blocker = f"Degraded: {health_block.get('message') or 'a resource of the Application is Degraded'}"
        failed = not running
    if blocker is None:
        failed_resources = [
            r for r in (op_state.get("syncResult") or {}).get("resources") or [] if r.get("status") == "SyncFailed"
        ]
        if failed_resources:
            r = failed_resources[0]
            blocker = f"{r.get('kind')}/{r.get('name')} failed to sync: {r.get('message', '')}"
        elif running and op_state.get("message"):
            blocker = None  # progress, not a blocker
    return WaitState(False, summary, blocker, failed)


def _condition(rc: Mapping[str, Any], type_: str) -> Mapping[str, Any] | None:
    return next((c for c in _conditions(rc) if c.get("type") == type_), None)


def raycluster_wait_state(
    rc: Mapping[str, Any] | None,
    pods: Iterable[Mapping[str, Any]] = (),
    events: Iterable[Mapping[str, Any]] = (),
) -> WaitState:
    """Ray readiness of ``rc`` given its pods and recent events in the namespace."""
    pods = list(pods)
    if rc is None:
        return WaitState(False, "RayCluster not created yet", _event_blocker(events, None) or None)
    status = rc.get("status") or {}
    name = str((rc.get("metadata") or {}).get("name", ""))
    desired = int(status.get("desiredWorkerReplicas") or 0)
    available = int(status.get("availableWorkerReplicas") or 0)
    provisioned = _condition(rc, "RayClusterProvisioned")
    is_provisioned = status.get("state") == "ready" or (provisioned is not None and provisioned.get("status") == "True")
    generation = (rc.get("metadata") or {}).get("generation")
    observed = status.get("observedGeneration")
    current = observed is None or generation is None or int(observed) >= int(generation)
    summary = f"state {status.get('state') or 'pending'}, {available}/{desired} workers available"
    short_groups = _groups_short(rc, pods)
    if short_groups:
        summary += f" (waiting for {', '.join(short_groups)})"
    if is_provisioned and available >= desired and current and status and not short_groups:
        return WaitState(True, summary)

    failure = _condition(rc, "ReplicaFailure")
    if failure is not None and failure.get("status") == "True":
        return WaitState(False, summary, f"ReplicaFailure ({failure.get('reason')}): {failure.get('message', '')}")
    blocker = _pod_blocker(pods) or _event_blocker(events, name)
    if blocker is None and not pods and not status:
        blocker = "no pods yet: is the KubeRay operator running?"
    return WaitState(False, summary, blocker)


def _group_target(group: Mapping[str, Any]) -> int:
    """KubeRay's desired pods of a group: replicas clamped to [min, max] (min > max: max), x numOfHosts."""
    if group.get("suspend"):
        return 0
    replicas = int(group.get("replicas") or 0)
    low, high = int(group.get("minReplicas") or 0), int(group.get("maxReplicas") or 2**31 - 1)
    low = min(low, high)
    return max(low, min(replicas, high)) * int(group.get("numOfHosts") or 1)


def _groups_short(rc: Mapping[str, Any], pods: list[Mapping[str, Any]]) -> list[str]:
    """Groups with fewer running, ready pods than KubeRay wants (status counts sum over groups, so an autoscaled
    group with extra pods would hide a group whose pods cannot start). Skipped when no pods were given."""
    if not pods:
        return []
    ready: dict[str, int] = {}
    for pod in pods:
        labels = (pod.get("metadata") or {}).get("labels") or {}
        if labels.get("ray.io/node-type") != "worker" or (pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        if pod_status(pod) == "Running" and all(
            c.get("ready") for c in (pod.get("status") or {}).get("containerStatuses") or []
        ):
            group = str(labels.get("ray.io/group", ""))
            ready[group] = ready.get(group, 0) + 1
    short = []
    for group in (rc.get("spec") or {}).get("workerGroupSpecs") or []:
        name = str(group.get("groupName", ""))
        want = _group_target(group)
        if ready.get(name, 0) < want:
            short.append(f"{name} {ready.get(name, 0)}/{want}")
    return short


def _pod_blocker(pods: Iterable[Mapping[str, Any]]) -> str | None:
    for pod in pods:
        name = (pod.get("metadata") or {}).get("name", "")
        status_text = pod_status(pod)
        pod_status_block = pod.get("status") or {}
        if status_text in IMAGE_ERRORS or status_text in CRASH_ERRORS:
            message = ""
            for container in pod_status_block.get("containerStatuses") or []:
                waiting = (container.get("state") or {}).get("waiting") or {}
                if waiting.get("reason") == status_text:
                    message = str(waiting.get("message") or "")
                    break
            return f"pod {name}: {status_text}" + (f": {message}" if message else "")
        exited = _exited_under_never(pod)
        if exited:
            return f"pod {name}: {exited}"
        for condition in pod_status_block.get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                why = condition.get("message") or condition.get("reason") or "unschedulable"
                return f"pod {name} Pending: {why}"
    return None


def _exited_under_never(pod: Mapping[str, Any]) -> str | None:
    """A container that exited with an error in a pod that will not restart it: with autoscaler v2 KubeRay sets
    restartPolicy Never and deletes and recreates such pods instead of a CrashLoopBackOff
    (docs/domain/kuberay.md#restart-policy-and-replaced-pods)."""
    status = pod.get("status") or {}
    policy = (pod.get("spec") or {}).get("restartPolicy")
    if policy != "Never" and status.get("phase") != "Failed":
        return None
    for container in status.get("containerStatuses") or []:
        terminated = (container.get("state") or {}).get("terminated") or {}
        code = terminated.get("exitCode")
        if terminated and code:
            why = terminated.get("reason") or "Error"
            return (
                f"{container.get('name', '')} exited ({why}, exit code {code}) under restartPolicy "
                f"{policy or 'Never'}: KubeRay replaces it"
            )
    return None


def _replaced_pod(event: Mapping[str, Any]) -> bool:
    """KubeRay's Normal event for a pod it deleted because it cannot run again."""
    message = str(event.get("message") or "")
    return event.get("reason") in ("DeletedHeadPod", "DeletedWorkerPod") and (
        "Ray container terminated status: &" in message or "Pod status: Failed" in message
    )


def _event_blocker(events: Iterable[Mapping[str, Any]], cluster: str | None) -> str | None:
    latest: Mapping[str, Any] | None = None
    for event in sorted(events, key=event_time):
        if event.get("type") != "Warning" and not _replaced_pod(event):
            continue
        involved = event.get("involvedObject") or event.get("regarding") or {}
        if cluster is not None and involved.get("kind") == "RayCluster" and involved.get("name") != cluster:
            continue
        if involved.get("kind") in ("RayCluster", "Pod") or event.get("reason") == "InvalidRayClusterSpec":
            latest = event
    if latest is None:
        return None
    involved = latest.get("involvedObject") or latest.get("regarding") or {}
    subject = f"{involved.get('kind')}/{involved.get('name')}"
    return f"{latest.get('reason')} on {subject}: {latest.get('message', '')}"
