"""Deterministic cluster data for the dashboard's snapshot tests and screenshots: a ClusterState filled from
fixed JSON (the shapes of docs/domain/kuberay.md and argocd.md), not from the live sandbox, so that every run
renders the same frame.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from raywizard.kube.state import ClusterState

NOW = datetime(2026, 11, 25, 21, 0, 0, tzinfo=UTC)
NS = "ray-cluster"
CLUSTER = "raycluster-kuberay"


def _ts(seconds_ago: float) -> str:
    return (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def application(
    name: str,
    *,
    sync: str = "Synced",
    health: str = "Healthy",
    phase: str = "Succeeded",
    message: str = "successfully synced (all tasks run)",
    revision: str = "1.5.1",
    conditions: list[dict[str, Any]] | None = None,
    rv: int = 1,
) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd", "resourceVersion": str(rv)},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": NS},
        },
        "status": {
            "sync": {"status": sync, "revision": revision},
            "health": {"status": health},
            "operationState": {
                "phase": phase,
                "message": message,
                "startedAt": _ts(300),
                "finishedAt": _ts(290),
            },
            "conditions": conditions or [],
            "reconciledAt": _ts(10),
        },
    }


def raycluster(*, replicas: int = 3, available: int = 3, rv: int = 1) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {
            "name": CLUSTER,
            "namespace": NS,
            "resourceVersion": str(rv),
            "creationTimestamp": _ts(600),
        },
        "spec": {
            "rayVersion": "2.46.0",
            "workerGroupSpecs": [
                {"groupName": "workergroup", "replicas": replicas, "minReplicas": 1, "maxReplicas": 10},
                {"groupName": "gpu-group", "replicas": 0, "minReplicas": 0, "maxReplicas": 4},
            ],
        },
        "status": {
            "state": "ready",
            "desiredWorkerReplicas": replicas,
            "availableWorkerReplicas": available,
            "readyWorkerReplicas": available,
            "desiredCPU": str(1 + replicas),
            "desiredMemory": f"{2 + replicas}G",
            "desiredGPU": "0",
            "head": {"podIP": "10.244.0.12", "serviceIP": "10.96.14.3", "podName": f"{CLUSTER}-head-x7k2p"},
            "endpoints": {"client": "10001", "dashboard": "8265", "gcs-server": "6379", "metrics": "8080"},
            "conditions": [
                {"type": "HeadPodReady", "status": "True", "reason": "HeadPodRunningAndReady"},
                {
                    "type": "RayClusterProvisioned",
                    "status": "True",
                    "reason": "AllPodRunningAndReadyFirstTime",
                },
            ],
        },
    }


def pod(
    name: str,
    *,
    group: str,
    node_type: str,
    phase: str = "Running",
    ready: bool = True,
    age: float = 540,
    restarts: int = 0,
    pending_reason: str = "",
    rv: int = 1,
    node: str = "sandbox-node-1",
) -> dict[str, Any]:
    container = "ray-head" if node_type == "head" else "ray-worker"
    status: dict[str, Any] = {"phase": phase, "conditions": []}
    if phase == "Pending" and pending_reason:
        status["conditions"].append(
            {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": pending_reason}
        )
    else:
        status["conditions"].append({"type": "Ready", "status": "True" if ready else "False"})
        status["containerStatuses"] = [
            {
                "name": container,
                "ready": ready,
                "restartCount": restarts,
                "state": {"running": {"startedAt": _ts(age - 20)}}
                if ready
                else {"waiting": {"reason": "ContainerCreating"}},
            }
        ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": NS,
            "resourceVersion": str(rv),
            "creationTimestamp": _ts(age),
            "labels": {"ray.io/cluster": CLUSTER, "ray.io/group": group, "ray.io/node-type": node_type},
        },
        "spec": {"containers": [{"name": container}], "nodeName": "" if phase == "Pending" else node},
        "status": status,
    }


def event(
    name: str,
    reason: str,
    message: str,
    *,
    kind: str = "Normal",
    obj: str = CLUSTER,
    obj_kind: str = "RayCluster",
    seconds_ago: float = 60,
    count: int = 1,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": NS, "resourceVersion": "1"},
        "type": kind,
        "reason": reason,
        "message": message,
        "count": count,
        "involvedObject": {"kind": obj_kind, "name": obj, "namespace": NS},
        "lastTimestamp": _ts(seconds_ago),
    }


def worker_pods(count: int, *, start: int = 0) -> list[dict[str, Any]]:
    return [
        pod(
            f"{CLUSTER}-workergroup-worker-{i:05d}",
            group="workergroup",
            node_type="worker",
            age=500 - i % 400,
        )
        for i in range(start, start + count)
    ]


def filled_state(*, workers: int = 3) -> ClusterState:
    """Three Synced/Healthy apps, a ready RayCluster, head + workers + one Pending pod, a few events."""
    state = ClusterState()
    state.replace_all(
        "applications",
        [
            application("ray-operator-crds"),
            application("ray-operator"),
            application(
                "raycluster",
                sync="OutOfSync",
                phase="Running",
                message="waiting for healthy state of ray.io/RayCluster raycluster-kuberay",
                conditions=[{"type": "SharedResourceWarning", "message": "[red]not markup[/red] kept literally"}],
            ),
        ],
    )
    state.replace_all("rayclusters", [raycluster(replicas=workers + 1, available=workers)])
    pods = [
        pod(f"{CLUSTER}-head-x7k2p", group="headgroup", node_type="head", age=600),
        *[
            pod(
                f"{CLUSTER}-workergroup-worker-{suffix}",
                group="workergroup",
                node_type="worker",
                age=540 - i * 30,
                restarts=i % 2,
            )
            for i, suffix in enumerate(["4fjq8", "b9x2m", "kq7rt", "z2w8c", "p0o9i"][:workers])
        ],
        pod(
            f"{CLUSTER}-workergroup-worker-pend1",
            group="workergroup",
            node_type="worker",
            phase="Pending",
            age=45,
            pending_reason="0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available.",
        ),
    ]
    state.replace_all("pods", pods)
    state.replace_all(
        "events",
        [
            event(
                "e1",
                "Created",
                "Created head Pod ray-cluster/raycluster-kuberay-head-x7k2p",
                obj_kind="RayCluster",
                seconds_ago=600,
            ),
            event(
                "e2",
                "Scheduled",
                "Successfully assigned pod to sandbox-node-1",
                obj_kind="Pod",
                obj=f"{CLUSTER}-head-x7k2p",
                seconds_ago=598,
            ),
            event(
                "e3",
                "FailedScheduling",
                "0/3 nodes are available: 3 Insufficient cpu.",
                kind="Warning",
                obj_kind="Pod",
                obj=f"{CLUSTER}-workergroup-worker-pend1",
                seconds_ago=40,
                count=4,
            ),
            event(
                "e4",
                "Odd",
                "message with [bold]markup[/bold] and \x1b[31mANSI\x1b[0m escapes",
                kind="Warning",
                seconds_ago=20,
            ),
        ],
    )
    for watch in ("applications", "rayclusters", "pods", "events"):
        state.set_connection(watch, "live")
    return state
