"""What KubeRay and the Ray autoscaler really do when a group's maxReplicas or minReplicas drops below the
number of workers it runs (docs/scale-limits.md).

Pure: takes RayCluster objects (the one an apply would leave, the live one) and the pods, returns one
``ScaleLimitNote`` per group that runs more workers than the new limits allow.

KubeRay v1.5.1 (``reconcilePods``) clamps a group's replicas to [minReplicas, maxReplicas] and, when fewer pods
are wanted than run, deletes pods itself only without in-tree autoscaling or with the operator's
``ENABLE_RANDOM_POD_DELETE=true``; with autoscaling the Ray autoscaler alone removes workers: above
maxReplicas at its next update (nodes not running Ray yet first, then the longest idle, then the least used,
busy ones too), above minReplicas only once idle for ``idleTimeoutSeconds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INT32_MAX = 2**31 - 1
DEFAULT_IDLE_TIMEOUT = 60


@dataclass(frozen=True)
class ScaleLimitNote:
    group: str
    field: str  # "maxReplicas" | "minReplicas"
    limit: int
    running: int
    autoscaling: bool
    idle_timeout: int = DEFAULT_IDLE_TIMEOUT
    target: int = -1  # the pods KubeRay wants (replicas clamped to the limits); -1: the limit

    @property
    def surplus(self) -> int:
        return self.running - (self.limit if self.target < 0 else self.target)

    def consequence(self) -> str:
        """What happens to the surplus workers, as KubeRay v1.5.1 and the Ray autoscaler behave."""
        if not self.autoscaling:
            return (
                f"KubeRay deletes {self.surplus} of its pods at once, in list order rather than by load "
                "(work running on them is lost)"
            )
        if self.field == "maxReplicas":
            return (
                f"KubeRay deletes none itself while in-tree autoscaling is on (unless the operator runs with "
                f"ENABLE_RANDOM_POD_DELETE=true); the Ray autoscaler removes the {self.surplus} extra at its next "
                "update, the longest idle and least used first, busy ones too (their work is lost)"
            )
        return (
            f"nothing is deleted now; the Ray autoscaler removes workers above {self.limit} once they have been "
            f"idle for idleTimeoutSeconds ({self.idle_timeout}s), busy ones stay"
        )

    def line(self) -> str:
        return (
            f"{self.group}: {self.field} {self.limit} is below the {self.running} running workers: {self.consequence()}"
        )

    def why_more(self) -> str:
        """For a display showing 'N replicas · M ready' with M > N: why the extra workers are still there."""
        if self.autoscaling and self.field == "maxReplicas":
            return (
                f"{self.surplus} above maxReplicas {self.limit}: KubeRay leaves them to the Ray autoscaler "
                "(in-tree autoscaling), which removes them at its next update; if they stay, the autoscaler is "
                "not running (is the head up?)"
            )
        if self.autoscaling:
            return (
                f"{self.surplus} above minReplicas {self.limit}: the Ray autoscaler removes them after "
                f"{self.idle_timeout}s idle (idleTimeoutSeconds)"
            )
        return f"{self.surplus} above {self.field} {self.limit}: KubeRay is deleting them"

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "field": self.field,
            "limit": self.limit,
            "running": self.running,
            "autoscaling": self.autoscaling,
            "surplus": self.surplus,
            "message": self.line(),
        }


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _groups(raycluster: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    groups = ((raycluster or {}).get("spec") or {}).get("workerGroupSpecs") or []
    return {str(g.get("groupName", "")): g for g in groups if isinstance(g, dict)}


def running_workers(raycluster_name: str, pods: list[dict[str, Any]]) -> dict[str, int]:
    """Group name -> worker pods of the RayCluster that are not being deleted."""
    counts: dict[str, int] = {}
    for pod in pods:
        meta = pod.get("metadata") or {}
        labels = meta.get("labels") or {}
        if labels.get("ray.io/cluster") != raycluster_name or labels.get("ray.io/node-type") != "worker":
            continue
        if meta.get("deletionTimestamp") or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            continue
        group = str(labels.get("ray.io/group") or "")
        counts[group] = counts.get(group, 0) + 1
    return counts


def _idle_timeout(raycluster: dict[str, Any] | None) -> int:
    options = ((raycluster or {}).get("spec") or {}).get("autoscalerOptions") or {}
    return _int(options.get("idleTimeoutSeconds"), DEFAULT_IDLE_TIMEOUT)


def _notes(
    raycluster: dict[str, Any] | None,
    replicas_from: dict[str, dict[str, Any]],
    running: dict[str, int],
    changed_only: dict[str, dict[str, Any]] | None,
) -> list[ScaleLimitNote]:
    spec = (raycluster or {}).get("spec") or {}
    autoscaling = bool(spec.get("enableInTreeAutoscaling"))
    timeout = _idle_timeout(raycluster)
    notes = []
    for name, group in _groups(raycluster).items():
        hosts = max(1, _int(group.get("numOfHosts"), 1))
        count = running.get(name, 0)
        if not count or group.get("suspend") is True:
            continue
        maximum = _int(group.get("maxReplicas"), INT32_MAX)
        minimum = _int(group.get("minReplicas"), 0)
        before = (changed_only or {}).get(name)
        if changed_only is not None and before is None:
            continue  # a new group runs nothing yet
        if maximum * hosts < count and (before is None or _int(before.get("maxReplicas"), INT32_MAX) != maximum):
            notes.append(ScaleLimitNote(name, "maxReplicas", maximum * hosts, count, autoscaling, timeout))
            continue
        replicas = _int((replicas_from.get(name) or group).get("replicas"), minimum)
        wanted = max(minimum, min(maximum, replicas))
        lowered_min = before is None or _int(before.get("minReplicas"), 0) > minimum
        if minimum * hosts < count and lowered_min and (autoscaling or wanted * hosts < count):
            target = -1 if autoscaling else wanted * hosts
            notes.append(ScaleLimitNote(name, "minReplicas", minimum * hosts, count, autoscaling, timeout, target))
    return notes


def limit_changes(
    desired: dict[str, Any] | None, live: dict[str, Any] | None, pods: list[dict[str, Any]]
) -> list[ScaleLimitNote]:
    """Groups whose maxReplicas or minReplicas the change from ``live`` to ``desired`` lowers below the workers
    they run. With autoscaling the autoscaler owns ``replicas`` (the live value stays); without, the desired
    one applies."""
    if desired is None or live is None:
        return []
    name = str((live.get("metadata") or {}).get("name") or "")
    autoscaling = bool((desired.get("spec") or {}).get("enableInTreeAutoscaling"))
    replicas_from = _groups(live) if autoscaling else _groups(desired)
    return _notes(desired, replicas_from, running_workers(name, pods), _groups(live))


def limits_exceeded(live: dict[str, Any] | None, pods: list[dict[str, Any]]) -> list[ScaleLimitNote]:
    """Groups of the live RayCluster that run more workers than maxReplicas allows (for displays of the live
    state; minReplicas is a floor, running above it is normal)."""
    if live is None:
        return []
    name = str((live.get("metadata") or {}).get("name") or "")
    notes = _notes(live, _groups(live), running_workers(name, pods), None)
    return [note for note in notes if note.field == "maxReplicas"]
