"""RayCluster `.status` as KubeRay v1.5.1 computes it (`calculateStatus`; docs/domain/kuberay.md#status)."""

from __future__ import annotations

from typing import Any

from .objects import condition, now_iso, set_condition
from .quantity import Quantity
from .workloads import pod_ready

INT32_MAX = 2_147_483_647


def group_replicas(group: dict[str, Any]) -> tuple[int, int, int, int]:
    """(desired pods, min pods, max pods, numOfHosts) for one worker group, clamped like KubeRay."""
    hosts = int(group.get("numOfHosts") or 1)
    minimum = int(group.get("minReplicas") or 0)
    raw_max = group.get("maxReplicas")
    maximum = int(raw_max) if raw_max is not None else INT32_MAX
    replicas = group.get("replicas")
    replicas = int(replicas) if replicas is not None else minimum
    if group.get("suspend"):
        return 0, minimum * hosts, maximum * hosts, hosts
    if minimum > maximum:
        replicas = maximum
    else:
        replicas = max(minimum, min(maximum, replicas))
    return replicas * hosts, minimum * hosts, maximum * hosts, hosts


def desired_resources(spec: dict[str, Any]) -> dict[str, str]:
    from .kuberay_pods import template_resources

    totals: dict[str, Quantity] = {}

    def add(template: dict[str, Any], count: int) -> None:
        for key, quantity in template_resources(template).items():
            for _ in range(count):
                totals.setdefault(key, Quantity()).add(quantity)

    add((spec.get("headGroupSpec") or {}).get("template") or {}, 1)
    # `CalculateDesiredResources` sums the raw `replicas` (not clamped to the bounds) times numOfHosts
    for group in spec.get("workerGroupSpecs") or []:
        group = group or {}
        if not group.get("suspend"):
            hosts = int(group.get("numOfHosts") or 1)
            add(group.get("template") or {}, max(0, int(group.get("replicas") or 0)) * hosts)
    gpu = Quantity()
    for key, quantity in totals.items():
        if key.endswith("gpu"):
            gpu.add(quantity)
    return {
        "desiredCPU": str(totals.get("cpu", Quantity())),
        "desiredMemory": str(totals.get("memory", Quantity())),
        "desiredGPU": str(gpu),
        "desiredTPU": str(totals.get("google.com/tpu", Quantity())),
    }


def compute_status(
    cluster: dict[str, Any],
    pods: list[dict[str, Any]],
    service: dict[str, Any] | None,
    replica_failure: tuple[str, str] | None,
) -> dict[str, Any]:
    spec = cluster.get("spec") or {}
    old = dict(cluster.get("status") or {})
    now = now_iso()
    heads = [p for p in pods if (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "head"]
    workers = [p for p in pods if (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "worker"]
    desired = minimum = maximum = 0
    for group in spec.get("workerGroupSpecs") or []:
        d, lo, hi, _ = group_replicas(group or {})
        desired += d
        if not (group or {}).get("suspend"):  # CalculateMin/MaxReplicas skip suspended groups
            minimum, maximum = min(INT32_MAX, minimum + lo), min(INT32_MAX, maximum + hi)
    status: dict[str, Any] = {
        "readyWorkerReplicas": sum(1 for p in workers if pod_ready(p)),
        "availableWorkerReplicas": sum(1 for p in workers if (p.get("status") or {}).get("phase") == "Running"),
        "desiredWorkerReplicas": desired,
        "minWorkerReplicas": minimum,
        "maxWorkerReplicas": maximum,
    }
    status.update(desired_resources(spec))
    head = heads[0] if heads else None
    head_status: dict[str, Any] = {}
    if head is not None:
        ip = (head.get("status") or {}).get("podIP")
        head_status["podName"] = head["metadata"]["name"]
        if ip:
            head_status["podIP"] = ip
    if service is not None:
        svc_spec = service.get("spec") or {}
        head_status["serviceName"] = service["metadata"]["name"]
        cluster_ip = svc_spec.get("clusterIP")
        service_ip = head_status.get("podIP") if cluster_ip in (None, "", "None") else cluster_ip
        if service_ip:
            head_status["serviceIP"] = service_ip
        endpoints = {}
        for port in svc_spec.get("ports") or []:
            value = (
                port.get("nodePort")
                if svc_spec.get("type") == "NodePort" and port.get("nodePort")
                else port.get("targetPort", port.get("port"))
            )
            if port.get("name"):
                endpoints[str(port["name"])] = str(value)
        if endpoints:
            status["endpoints"] = endpoints
    if head_status:
        status["head"] = head_status
    all_running = bool(pods) and all(pod_ready(p) for p in pods)
    all_ready = bool(head) and all_running and len(pods) == desired + 1
    state = old.get("state", "")
    transitions = dict(old.get("stateTransitionTimes") or {})
    suspend = bool(spec.get("suspend"))
    if suspend and not pods and state != "suspended":
        state = "suspended"
        transitions["suspended"] = now
    elif not suspend and state in ("", "suspended") and all_ready and replica_failure is None:
        state = "ready"
        transitions["ready"] = now
    if state:
        status["state"] = state
    if transitions:
        status["stateTransitionTimes"] = transitions
    conditions = list(old.get("conditions") or [])
    if replica_failure and replica_failure[0]:
        conditions = set_condition(
            conditions,
            {"type": "ReplicaFailure", "status": "True", "reason": replica_failure[0], "message": replica_failure[1]},
        )
    elif replica_failure is None:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    conditions = set_condition(conditions, _head_condition(head))
    conditions = _provisioned_and_suspend_conditions(conditions, suspend, pods, all_running)
    status["conditions"] = conditions
    status["observedGeneration"] = (cluster.get("metadata") or {}).get("generation", 1)
    status["lastUpdateTime"] = now
    for key in (
        "readyWorkerReplicas",
        "availableWorkerReplicas",
        "desiredWorkerReplicas",
        "minWorkerReplicas",
        "maxWorkerReplicas",
    ):
        if not status[key]:
            del status[key]  # omitempty
    return status


def suspend_condition(cluster: dict[str, Any]) -> str:
    """`FindRayClusterSuspendStatus`: RayClusterSuspending or RayClusterSuspended when True, else ""."""
    for item in (cluster.get("status") or {}).get("conditions") or []:
        if item.get("type") in ("RayClusterSuspending", "RayClusterSuspended") and item.get("status") == "True":
            return str(item["type"])
    return ""


def _provisioned_and_suspend_conditions(
    conditions: list[dict[str, Any]], suspend: bool, pods: list[dict[str, Any]], all_running: bool
) -> list[dict[str, Any]]:
    """`calculateStatus` with the RayClusterStatusConditions gate (on by default): RayClusterProvisioned until
    it is True once, and both suspend conditions on every cluster (docs/domain/kuberay.md#conditions)."""
    suspend_status = suspend_condition({"status": {"conditions": conditions}})

    def put(ctype: str, ok: bool, reason: str | None = None, message: str = "") -> None:
        nonlocal conditions
        item = {"type": ctype, "status": "True" if ok else "False", "reason": reason or ctype, "message": message}
        conditions = set_condition(conditions, item)

    provisioned = condition(conditions, "RayClusterProvisioned")
    if not (provisioned and provisioned.get("status") == "True") and suspend_status != "RayClusterSuspended":
        if all_running:
            put(
                "RayClusterProvisioned",
                True,
                "AllPodRunningAndReadyFirstTime",
                "All Ray Pods are ready for the first time",
            )
        else:
            put(
                "RayClusterProvisioned",
                False,
                "RayClusterPodsProvisioning",
                "RayCluster Pods are being provisioned for first time",
            )
    if suspend_status == "RayClusterSuspending":
        if not pods:
            put("RayClusterProvisioned", False, "RayClusterPodsProvisioning", "RayCluster has been suspended")
            put("RayClusterSuspending", False)
            put("RayClusterSuspended", True)
    elif suspend_status == "RayClusterSuspended":
        if not suspend:
            put("RayClusterSuspended", False)
    else:
        put("RayClusterSuspended", False)
        put("RayClusterSuspending", suspend)
    return conditions


def _head_condition(head: dict[str, Any] | None) -> dict[str, Any]:
    if head is None:
        return {
            "type": "HeadPodReady",
            "status": "False",
            "reason": "HeadPodNotFound",
            "message": "Head Pod not found",
        }
    ready = condition((head.get("status") or {}).get("conditions") or [], "Ready")
    if ready and ready.get("status") == "True":
        return {"type": "HeadPodReady", "status": "True", "reason": "HeadPodRunningAndReady", "message": ""}
    if ready:
        return {
            "type": "HeadPodReady",
            "status": "False",
            "reason": ready.get("reason") or "Unknown",
            "message": ready.get("message", ""),
        }
    return {"type": "HeadPodReady", "status": "False", "reason": "Unknown", "message": ""}


def same_status(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """KubeRay only writes when something besides lastUpdateTime changed (`inconsistentRayClusterStatus`)."""

    def strip(status: dict[str, Any]) -> dict[str, Any]:
        result = {k: v for k, v in status.items() if k != "lastUpdateTime"}
        result["conditions"] = [
            {k: v for k, v in c.items() if k != "lastTransitionTime"} for c in status.get("conditions") or []
        ]
        return result

    return strip(a) == strip(b)
