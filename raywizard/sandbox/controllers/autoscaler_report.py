"""What the simulated Ray autoscaler reports about one RayCluster, in the shapes Ray's autoscaler writes to the
GCS (docs/ray-head-api.md): the ``load_metrics_report`` (usage, pending resource demands as (bundle, count)
pairs, node types) and the ``autoscaler_report`` (active, idle, pending and failed nodes, launches in flight).

Demand model (the simulation's, documented in docs/ray-head-api.md): the load profile asks each worker group for
``extra`` workers above minReplicas, one task per worker shaped like that group's node (``{"CPU": n}``); tasks
beyond what ready workers can run stay pending — forever when the group is at maxReplicas. During a burst the
load also asks for four ``{"GPU": 1}`` tasks, which only a group offering GPUs can run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .quantity import parse_or_none
from .workloads import pod_ready

GPU_TASKS_IN_BURST = 4
HEAD_NODE_TYPE = "headgroup"  # the node type KubeRay's autoscaler config gives the head group


@dataclass
class GroupView:
    name: str
    resources: dict[str, float]
    minimum: int
    maximum: int
    replicas: int
    ready: list[dict[str, Any]] = field(default_factory=list)
    starting: list[dict[str, Any]] = field(default_factory=list)
    failed: list[tuple[dict[str, Any], str]] = field(default_factory=list)


def node_resources(template: dict[str, Any], start_params: dict[str, Any]) -> dict[str, float]:
    """A Ray node's logical resources as `ray start` derives them in a KubeRay pod (num-cpus/num-gpus win over the
    container's limits, then requests)."""
    containers = ((template.get("spec") or {}).get("containers")) or [{}]
    resources = (containers[0] or {}).get("resources") or {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}

    def amount(key: str) -> float:
        quantity = parse_or_none(limits.get(key, requests.get(key)))
        return float(quantity.value) if quantity is not None else 0.0

    cpu = float(start_params["num-cpus"]) if _number(start_params.get("num-cpus")) else amount("cpu")
    gpu = float(start_params["num-gpus"]) if _number(start_params.get("num-gpus")) else amount("nvidia.com/gpu")
    out = {"CPU": float(int(cpu)) if cpu >= 1 else cpu, "memory": amount("memory")}
    if gpu:
        out["GPU"] = gpu
    out["object_store_memory"] = round(out["memory"] * 0.3)
    return out


def _number(value: Any) -> bool:
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def failure_reason(pod: dict[str, Any]) -> str:
    """Why a worker pod cannot become a Ray node ('' when it may still start)."""
    status = pod.get("status") or {}
    if status.get("phase") == "Failed":
        return str(status.get("reason") or "Failed")
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return str(condition.get("reason") or "Unschedulable")
    for container in status.get("containerStatuses") or []:
        waiting = (container.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff", "InvalidImageName"):
            return str(waiting["reason"])
    return ""


def _ip(pod: dict[str, Any]) -> str:
    return str((pod.get("status") or {}).get("podIP") or "")


def build_report(
    groups: list[GroupView],
    head: dict[str, Any] | None,
    head_resources: dict[str, float],
    extra: int,
    burst: bool,
    idle_since: dict[str, float],
) -> dict[str, Any]:
    """The status document (``load_metrics_report`` + ``autoscaler_report``) for one cluster, snake_case like
    Ray's dataclasses; the dashboard's REST layer camel-cases it."""
    usage: dict[str, list[float]] = {}
    usage_by_node: dict[str, dict[str, list[float]]] = {}
    node_type_mapping: dict[str, str] = {}
    demand: dict[tuple[tuple[str, float], ...], int] = {}
    node_types: list[list[Any]] = []
    active: dict[str, int] = {}
    idle: dict[str, int] = {}
    pending_nodes: list[list[str]] = []
    pending_launches: dict[str, int] = {}
    failed_nodes: list[list[str]] = []
    idle_time_map: dict[str, int] = {}
    now = time.monotonic()

    def add_node(ip: str, node_type: str, resources: dict[str, float], busy: bool) -> None:
        node_usage = {key: [value if busy else 0.0, value] for key, value in resources.items()}
        node_usage[f"node:{ip}"] = [0.0, 1.0]
        usage_by_node[ip] = node_usage
        node_type_mapping[ip] = node_type
        for key, (used, total) in node_usage.items():
            entry = usage.setdefault(key, [0.0, 0.0])
            entry[0] += used
            entry[1] += total

    if head is not None and pod_ready(head):
        add_node(_ip(head), HEAD_NODE_TYPE, head_resources, busy=False)
        usage["node:__internal_head__"] = [0.0, 1.0]
        active[HEAD_NODE_TYPE] = 1
        node_types.append([dict(head_resources), 1])
    gpu_capacity = 0.0
    for group in groups:
        wanted = group.minimum + extra if extra else 0
        busy_slots = min(wanted, len(group.ready))
        for index, pod in enumerate(sorted(group.ready, key=lambda p: p["metadata"].get("creationTimestamp", ""))):
            add_node(_ip(pod), group.name, group.resources, busy=index < busy_slots)
        if group.ready:
            active[group.name] = len(group.ready)
            node_types.append([dict(group.resources), len(group.ready)])
        gpu_capacity += group.resources.get("GPU", 0.0) * len(group.ready)
        unplaced = max(0, wanted - len(group.ready))
        if unplaced:
            bundle = tuple(sorted({k: v for k, v in group.resources.items() if k == "CPU"}.items()))
            demand[bundle] = demand.get(bundle, 0) + unplaced
        target = max(group.minimum, min(group.maximum, group.minimum + extra))
        surplus = len(group.ready) - target
        if surplus > 0 and group.name in idle_since:
            idle[group.name] = surplus
            idle_ms = int((now - idle_since[group.name]) * 1000)
            for pod in sorted(group.ready, key=lambda p: p["metadata"].get("creationTimestamp", ""))[-surplus:]:
                idle_time_map[_ip(pod)] = idle_ms
        for pod in group.starting:
            pending_nodes.append([_ip(pod), group.name, "setting-up"])
        for pod, _reason in group.failed:
            failed_nodes.append([_ip(pod), group.name])
        missing = group.replicas - len(group.ready) - len(group.starting) - len(group.failed)
        if missing > 0:
            pending_launches[group.name] = missing
    if burst and gpu_capacity < GPU_TASKS_IN_BURST:
        gpu_bundle = (("GPU", 1.0),)
        demand[gpu_bundle] = demand.get(gpu_bundle, 0) + GPU_TASKS_IN_BURST - int(gpu_capacity)
    return {
        "load_metrics_report": {
            "usage": usage,
            "resource_demand": [[dict(bundle), count] for bundle, count in demand.items()],
            "pg_demand": [],
            "request_demand": [],
            "node_types": node_types,
            "head_ip": _ip(head) if head else None,
            "usage_by_node": usage_by_node,
            "node_type_mapping": node_type_mapping,
            "idle_time_map": idle_time_map,
        },
        "time": time.time(),
        "monitor_pid": 66,
        "autoscaler_report": {
            "active_nodes": active,
            "idle_nodes": idle,
            "pending_nodes": pending_nodes,
            "pending_launches": pending_launches,
            "failed_nodes": failed_nodes,
            "node_availability_summary": {"node_availabilities": {}},
            "pending_resources": {},
            "node_type_mapping": node_type_mapping,
            "legacy": False,
        },
    }


def group_views(spec: dict[str, Any], pods: list[dict[str, Any]]) -> list[GroupView]:
    from .kuberay_status import group_replicas

    views = []
    for group in spec.get("workerGroupSpecs") or []:
        group = group or {}
        name = str(group.get("groupName", ""))
        replicas, minimum, maximum, hosts = group_replicas(group)
        view = GroupView(
            name,
            node_resources(group.get("template") or {}, group.get("rayStartParams") or {}),
            minimum // hosts,
            maximum // hosts,
            replicas // hosts,
        )
        for pod in pods:
            labels = pod["metadata"].get("labels") or {}
            if labels.get("ray.io/group") != name or labels.get("ray.io/node-type") != "worker":
                continue
            reason = failure_reason(pod)
            if reason:
                view.failed.append((pod, reason))
            elif pod_ready(pod):
                view.ready.append(pod)
            else:
                view.starting.append(pod)
        views.append(view)
    return views
