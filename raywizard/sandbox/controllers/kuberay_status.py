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
    for group in spec.get("workerGroupSpecs") or []:
        add((group or {}).get("template") or {}, group_replicas(group or {})[0])
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
        desired, minimum, maximum = desired + d, min(INT32_MAX, minimum + lo), min(INT32_MAX, maximum + hi)
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
    all_ready = bool(head) and all(pod_ready(p) for p in pods) and len(pods) == desired + 1
    state = old.get("state", "")
    transitions = dict(old.get("stateTransitionTimes") or {})
    suspend = bool(spec.get("suspend"))
    if suspend and not pods and state != "suspended":
        state = "suspended"
        transitions["suspended"] = now
    elif not suspend and state in ("", "suspended") and all_ready:
        state = "ready"
        transitions["ready"] = now
    if state:
        status["state"] = state
    if transitions:
        status["stateTransitionTimes"] = transitions
    conditions = list(old.get("conditions") or [])
    conditions = set_condition(conditions, _head_condition(head))
    conditions = _suspend_conditions(conditions, suspend, bool(pods))
    provisioned = condition(conditions, "RayClusterProvisioned")
    if suspend:  # RayClusterProvisioned only changes after True when the cluster is suspended
        conditions = set_condition(
            conditions,
            {
                "type": "RayClusterProvisioned",
                "status": "False",
                "reason": "RayClusterPodsProvisioning",
                "message": "RayCluster Pods are being provisioned for first time",
            },
        )
    elif not (provisioned and provisioned.get("status") == "True"):
        conditions = set_condition(
            conditions,
            {
                "type": "RayClusterProvisioned",
                "status": "True" if all_ready else "False",
                "reason": "AllPodRunningAndReadyFirstTime" if all_ready else "RayClusterPodsProvisioning",
                "message": "All Ray Pods are ready for the first time"
                if all_ready
                else "RayCluster Pods are being provisioned for first time",
            },
        )
    if replica_failure:
        conditions = set_condition(
            conditions,
            {
                "type": "ReplicaFailure",
                "status": "True",
                "reason": replica_failure[0],
                "message": replica_failure[1],
            },
        )
    else:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
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


def _suspend_conditions(conditions: list[dict[str, Any]], suspend: bool, has_pods: bool) -> list[dict[str, Any]]:
    """RayClusterSuspending while pods are being deleted, then RayClusterSuspended (reason = type, as KubeRay)."""
    suspending = suspend and has_pods
    suspended = suspend and not has_pods
    known = {c.get("type") for c in conditions}
    for ctype, active in (("RayClusterSuspending", suspending), ("RayClusterSuspended", suspended)):
        if active or ctype in known:
            conditions = set_condition(
                conditions, {"type": ctype, "status": "True" if active else "False", "reason": ctype, "message": ""}
            )
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
