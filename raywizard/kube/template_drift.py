"""Changes that running pods miss: KubeRay does not restart a group's existing pods when the group's pod
template changes (docs/template-drift.md), so after an apply they keep running the old template.

``stale_pods`` compares each running pod of a RayCluster with its group's template (per container of the
template, by name: image, resource requests and limits, and the env entries the template declares: what a user
edits; fields the operator or the API server add to pods are not compared). ``restart_group`` deletes a
group's pods so that the operator recreates them from the current template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from raywizard.kube.connection import Connection

HEAD_GROUP = "headgroup"


@dataclass(frozen=True)
class GroupDrift:
    group: str
    stale: tuple[str, ...]  # pod names still on an older template
    total: int
    differences: tuple[str, ...] = field(default_factory=tuple)  # e.g. "ray-worker resources.limits.cpu: 1 -> 2"

    def line(self) -> str:
        what = f" ({'; '.join(self.differences[:2])})" if self.differences else ""
        return f"{len(self.stale)} of {self.total} running pods of {self.group} still run the old template{what}"

    def advice(self) -> str:
        """The line and what to do about it, as the wizard's Apply step says it after an apply."""
        return (f"{self.line()}: KubeRay does not restart them; restart the group from the dashboard (T) or "
                f"delete its pods (raywizard restart {self.group})")


def _normalise(resources: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for kind in ("requests", "limits"):
        values = (resources or {}).get(kind) or {}
        out[kind] = {str(k): str(v) for k, v in values.items()}
    return out


def container_differences(template: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    live = {c.get("name"): c for c in ((pod.get("spec") or {}).get("containers") or [])}
    differences = []
    for wanted in (template.get("spec") or {}).get("containers") or []:
        name = wanted.get("name")
        running = live.get(name)
        if running is None:
            differences.append(f"container {name} missing")
            continue
        if wanted.get("image") and wanted.get("image") != running.get("image"):
            differences.append(f"{name} image: {running.get('image')} -> {wanted.get('image')}")
        want_res, have_res = _normalise(wanted.get("resources")), _normalise(running.get("resources"))
        for kind in ("requests", "limits"):
            for key, value in want_res[kind].items():
                if have_res[kind].get(key) != value:
                    differences.append(f"{name} resources.{kind}.{key}: {have_res[kind].get(key)} -> {value}")
        have_env = {e.get("name"): e for e in running.get("env") or []}
        for entry in wanted.get("env") or []:
            if have_env.get(entry.get("name")) != entry:
                differences.append(f"{name} env {entry.get('name')}")
    return differences


def _groups(raycluster: dict[str, Any]) -> dict[str, dict[str, Any]]:
    spec = raycluster.get("spec") or {}
    groups = {HEAD_GROUP: (spec.get("headGroupSpec") or {}).get("template") or {}}
    for group in spec.get("workerGroupSpecs") or []:
        groups[str((group or {}).get("groupName", ""))] = (group or {}).get("template") or {}
    return groups


def stale_pods(raycluster: dict[str, Any], pods: list[dict[str, Any]]) -> list[GroupDrift]:
    """Per group with at least one pod on an older template: which pods, out of how many running."""
    name = (raycluster.get("metadata") or {}).get("name")
    drifts = []
    for group, template in _groups(raycluster).items():
        members = []
        for pod in pods:
            meta = pod.get("metadata") or {}
            labels = meta.get("labels") or {}
            if labels.get("ray.io/cluster") != name or meta.get("deletionTimestamp"):
                continue
            kind = labels.get("ray.io/node-type")
            if (group == HEAD_GROUP and kind == "head") or (kind == "worker" and labels.get("ray.io/group") == group):
                members.append(pod)
        stale, seen = [], []
        for pod in members:
            found = container_differences(template, pod)
            if found:
                stale.append(str(pod["metadata"]["name"]))
                seen += [d for d in found if d not in seen]
        if stale:
            drifts.append(GroupDrift(group, tuple(sorted(stale)), len(members), tuple(seen)))
    return drifts


def old_template_groups(conn: Connection, namespace: str, raycluster: str) -> list[GroupDrift]:
    """``stale_pods`` of the live RayCluster ``raycluster`` (none when it does not exist); raises ClusterError."""
    from raywizard.kube import resources

    live = resources.get_custom(conn, resources.RAYCLUSTERS, namespace, raycluster)
    if live is None:
        return []
    return stale_pods(live, resources.list_pods(conn, namespace, f"ray.io/cluster={raycluster}"))


def restart_group(conn: Connection, namespace: str, raycluster: str, group: str) -> int:
    """Delete the pods of ``group`` (``headgroup`` for the head); KubeRay recreates them from the current
    template. Returns how many deletions were asked."""
    from kubernetes import client

    core: Any = client.CoreV1Api(getattr(conn, "api_client", conn))
    selector = f"ray.io/cluster={raycluster}," + (
        "ray.io/node-type=head" if group == HEAD_GROUP else f"ray.io/group={group},ray.io/node-type=worker"
    )
    pods = core.list_namespaced_pod(namespace, label_selector=selector).items
    for pod in pods:
        core.delete_namespaced_pod(pod.metadata.name, namespace)
    return len(pods)
