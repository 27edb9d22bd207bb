"""Pure logic of the cluster layer over raw JSON (shapes: docs/domain/kuberay.md, argocd.md): views, waits, Lua health.

No sandbox needed; the same functions then run against the sandbox in the other test_kube_* files.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from raywizard.kube import views
from raywizard.kube.health_lua import configmap_patch, evaluate
from raywizard.kube.state import MAX_EVENTS, ClusterState
from raywizard.kube.waits import app_wait_state, compared_current, raycluster_wait_state

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def ts(seconds_ago: float) -> str:
    return (NOW - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def app(sync="Synced", health="Healthy", **status) -> dict[str, Any]:
    body = {"sync": {"status": sync, "revision": "abc"}, "health": {"status": health}}
    body.update(status)
    return {"metadata": {"name": "raycluster", "namespace": "argocd", "resourceVersion": "1"}, "status": body}


def pod(name, group="workergroup", node_type="worker", phase="Running", ready=True, **extra) -> dict[str, Any]:
    obj = {
        "metadata": {
            "name": name,
            "namespace": "ray",
            "creationTimestamp": ts(300),
            "resourceVersion": "1",
            "labels": {"ray.io/cluster": "rc", "ray.io/group": group, "ray.io/node-type": node_type},
        },
        "spec": {"containers": [{"name": "ray-worker"}], "nodeName": "node-1"},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [
                {
                    "name": "ray-worker",
                    "ready": ready,
                    "restartCount": 0,
                    "state": {"running": {}} if phase == "Running" else {"waiting": {}},
                }
            ],
        },
    }
    for key, value in extra.items():
        obj["status"][key] = value
    return obj


def raycluster(
    state="ready", desired=2, available=2, ready=2, conditions=None, generation=1, observed=1
) -> dict[str, Any]:
    status = {
        "desiredWorkerReplicas": desired,
        "availableWorkerReplicas": available,
        "readyWorkerReplicas": ready,
        "observedGeneration": observed,
        "desiredCPU": "3",
        "desiredMemory": "5G",
        "desiredGPU": "0",
        "head": {"podIP": "10.0.0.1", "serviceIP": "10.0.0.1"},
        "endpoints": {"dashboard": "8265"},
    }
    if state:
        status["state"] = state
    status["conditions"] = (
        conditions
        if conditions is not None
        else [{"type": "HeadPodReady", "status": "True"}, {"type": "RayClusterProvisioned", "status": "True"}]
    )
    return {
        "metadata": {
            "name": "rc",
            "namespace": "ray",
            "generation": generation,
            "creationTimestamp": ts(60),
            "resourceVersion": "5",
        },
        "spec": {"workerGroupSpecs": [{"groupName": "workergroup", "replicas": 2, "minReplicas": 1, "maxReplicas": 5}]},
        "status": status,
    }


# --- argocd app wait ---
def test_app_wait_ready_when_synced_healthy_and_no_operation():
    assert app_wait_state(app()).ready


def test_app_wait_not_ready_while_operation_set_or_not_reconciled():
    running = app()
    running["operation"] = {"sync": {}}
    assert not app_wait_state(running).ready
    unreconciled = app(operationState={"phase": "Succeeded", "finishedAt": ts(5)}, reconciledAt=ts(10))
    assert not app_wait_state(unreconciled).ready
    reconciled = app(operationState={"phase": "Succeeded", "finishedAt": ts(10)}, reconciledAt=ts(5))
    assert app_wait_state(reconciled).ready
    unfinished = app(operationState={"phase": "Running", "startedAt": ts(10)}, reconciledAt=ts(5))
    assert not app_wait_state(unfinished).ready


def test_application_row_operation_column():
    requested = app(operationState={"phase": "Succeeded", "finishedAt": ts(60)})
    requested["operation"] = {"sync": {}}
    assert views.application_row(requested).operation == "Requested"
    failed = app("OutOfSync", "Missing", operationState={"phase": "Failed", "message": "boom"})
    row = views.application_row(failed)
    assert (row.operation, row.message) == ("Failed", "boom")


def test_app_wait_names_the_blocker():
    error = app("Unknown", "Healthy", conditions=[{"type": "ComparisonError", "message": "repo not found"}])
    assert app_wait_state(error).blocker == "ComparisonError: repo not found"
    degraded = app("Synced", "Degraded")
    degraded["status"]["health"]["message"] = "Deployment exceeded deadline"
    state = app_wait_state(degraded)
    assert state.failed and "Deployment exceeded deadline" in (state.blocker or "")
    failed = app(
        "OutOfSync",
        "Missing",
        operationState={"phase": "Failed", "message": "namespace not found", "finishedAt": ts(1)},
    )
    assert "namespace not found" in (app_wait_state(failed).blocker or "")
    assert not app_wait_state(None).ready


def test_compared_current_uses_compared_to():
    live = app()
    live["spec"] = {
        "source": {"chart": "ray-cluster", "targetRevision": "1.5.1"},
        "destination": {"namespace": "ray"},
    }
    live["status"]["sync"]["comparedTo"] = {
        "source": {"chart": "ray-cluster", "targetRevision": "1.4.0"},
        "destination": {"namespace": "ray"},
    }
    assert not compared_current(live, None)
    live["status"]["sync"]["comparedTo"]["source"]["targetRevision"] = "1.5.1"
    assert compared_current(live, None)


# --- Ray readiness ---
def test_raycluster_ready_needs_provisioned_and_all_workers():
    pods = [pod("w1"), pod("w2")]
    assert raycluster_wait_state(raycluster(), pods).ready
    assert not raycluster_wait_state(raycluster(available=1), pods).ready
    assert not raycluster_wait_state(raycluster(generation=2, observed=1), pods).ready
    assert raycluster_wait_state(raycluster(state=None), pods).ready  # condition alone is enough
    assert not raycluster_wait_state(None).ready


def test_raycluster_blockers():
    pending = pod(
        "w1",
        phase="Pending",
        ready=False,
        conditions=[
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": "0/3 nodes are available: 3 Insufficient cpu.",
            }
        ],
    )
    state = raycluster_wait_state(raycluster(state="", available=0, conditions=[]), [pending])
    assert state.blocker == "pod w1 Pending: 0/3 nodes are available: 3 Insufficient cpu."
    pulling = pod("w2", phase="Pending", ready=False)
    pulling["status"]["containerStatuses"][0]["state"] = {
        "waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image rayproject/ray:nope"}
    }
    state = raycluster_wait_state(raycluster(state="", available=0, conditions=[]), [pulling])
    assert state.blocker == "pod w2: ImagePullBackOff: Back-off pulling image rayproject/ray:nope"
    failure = raycluster(
        state="",
        conditions=[
            {
                "type": "ReplicaFailure",
                "status": "True",
                "reason": "FailedCreateWorkerPod",
                "message": "quota exceeded",
            }
        ],
    )
    assert "quota exceeded" in (raycluster_wait_state(failure, []).blocker or "")
    invalid = {
        "type": "Warning",
        "reason": "InvalidRayClusterSpec",
        "message": "name too long",
        "involvedObject": {"kind": "RayCluster", "name": "rc"},
        "lastTimestamp": ts(1),
    }
    state = raycluster_wait_state(raycluster(state="", available=0, conditions=[]), [], [invalid])
    assert state.blocker == "InvalidRayClusterSpec on RayCluster/rc: name too long"


# --- views ---
def test_pod_status_like_kubectl():
    assert views.pod_status(pod("a")) == "Running"
    creating = pod("b", phase="Pending", ready=False)
    creating["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "ContainerCreating"}}
    assert views.pod_status(creating) == "ContainerCreating"
    crash = pod("c", ready=False)
    crash["status"]["containerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    assert views.pod_status(crash) == "CrashLoopBackOff"
    terminating = pod("d")
    terminating["metadata"]["deletionTimestamp"] = ts(1)
    assert views.pod_status(terminating) == "Terminating"
    done = pod("e")
    done["status"]["containerStatuses"][0]["state"] = {"terminated": {"exitCode": 137, "signal": 9}}
    assert views.pod_status(done) == "Signal:9"


def test_pod_row_fields():
    pending = pod(
        "w1",
        phase="Pending",
        ready=False,
        conditions=[{"type": "PodScheduled", "status": "False", "message": "0/3 nodes are available"}],
    )
    row = views.pod_row(pending, NOW)
    assert (row.name, row.group, row.node_type, row.ready, row.age, row.reason) == (
        "w1",
        "workergroup",
        "worker",
        "0/1",
        "5m",
        "0/3 nodes are available",
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5, "5s"),
        (150, "2m30s"),
        (3600, "60m"),
        (4 * 3600, "4h"),
        (30 * 3600, "30h"),
        (3 * 86400, "3d"),
        (400 * 86400, "400d"),
    ],
)
def test_human_duration(seconds, text):
    assert views.human_duration(seconds) == text


def test_views_over_a_snapshot():
    state = ClusterState()
    state.replace_all("applications", [app(operationState={"phase": "Succeeded", "finishedAt": ts(9)})])
    state.replace_all("rayclusters", [raycluster()])
    state.replace_all("pods", [pod("w1"), pod("w2", phase="Pending", ready=False), pod("h", "headgroup", "head")])
    state.apply_event(
        "events",
        "ADDED",
        {
            "metadata": {"name": "e1", "namespace": "ray"},
            "type": "Warning",
            "reason": "FailedScheduling",
            "message": "[red]no[/red] \x1b[31m",
            "involvedObject": {"kind": "Pod", "name": "w2"},
            "count": 3,
        },
    )
    snap = state.snapshot()
    (row,) = views.application_rows(snap)
    assert (row.name, row.sync, row.health, row.operation, row.revision) == (
        "raycluster",
        "Synced",
        "Healthy",
        "Succeeded",
        "abc",
    )
    summary = views.raycluster_summary(snap, now=NOW)
    assert summary is not None
    assert (
        summary.name,
        summary.state,
        summary.desired_workers,
        summary.cpus,
        summary.head_pod_ip,
        summary.age,
    ) == ("rc", "ready", 2, "3", "10.0.0.1", "60s")
    assert views.worker_group_rows(snap) == [views.GroupRow("workergroup", 2, 1, 5, 1, 1)]
    (event,) = views.event_rows(snap, warnings_only=True)
    assert (event.object, event.count, event.message) == ("pod/w2", 3, "[red]no[/red] \x1b[31m")


# --- ClusterState ---
def test_state_versions_and_changed_since():
    state = ClusterState()
    state.replace_all("pods", [pod("a"), pod("b")])
    v1 = state.version
    state.replace_all("pods", [pod("a"), pod("b")])  # nothing changed
    assert state.version == v1
    changed = pod("a")
    changed["metadata"]["resourceVersion"] = "2"
    state.apply_event("pods", "MODIFIED", changed)
    state.apply_event("pods", "DELETED", pod("b"))
    assert state.changed_since(v1)["pods"] == {"ray/a", "ray/b"}
    assert set(state.snapshot().pods) == {"ray/a"}
    state.apply_event("pods", "DELETED", pod("b"))  # already gone: no change
    assert state.changed_since(state.version) == {k: set() for k in ("applications", "rayclusters", "pods", "events")}


def test_events_are_bounded_and_oldest_first():
    state = ClusterState()
    for i in range(MAX_EVENTS + 50):
        state.apply_event("events", "ADDED", {"metadata": {"name": f"e{i}", "namespace": "ray"}})
    events = state.snapshot().events
    assert len(events) == MAX_EVENTS
    assert events[0]["metadata"]["name"] == "e50" and events[-1]["metadata"]["name"] == f"e{MAX_EVENTS + 49}"
    state.apply_event("events", "MODIFIED", {"metadata": {"name": "e60", "namespace": "ray"}, "count": 2})
    assert state.snapshot().events[-1]["metadata"]["name"] == "e60"


def test_connection_overall_is_the_worst():
    state = ClusterState()
    for kind in ("applications", "rayclusters", "pods", "events"):
        state.set_connection(kind, "live")
    assert state.snapshot().connection.state == "live"
    state.set_connection("pods", "reconnecting", "connection refused")
    snap = state.snapshot()
    assert (snap.connection.state, snap.connection.message) == ("reconnecting", "connection refused")
    assert snap.connection.watches["applications"].state == "live"


def test_state_is_thread_safe_under_concurrent_writers():
    state = ClusterState()

    def writer(prefix: str) -> None:
        for i in range(2000):
            state.apply_event(
                "pods",
                "ADDED",
                {"metadata": {"name": f"{prefix}{i}", "namespace": "ray", "resourceVersion": str(i)}},
            )

    threads = [threading.Thread(target=writer, args=(p,)) for p in "abcd"]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        state.snapshot()
    for t in threads:
        t.join()
    assert len(state.snapshot().pods) == 8000 and state.version == 8000


# --- Lua health check (run with lupa, as Argo CD runs it with gopher-lua) ---
@pytest.mark.parametrize(
    ("rc", "status", "message_part"),
    [
        ({"metadata": {"generation": 1}}, "Progressing", "Waiting for the KubeRay operator"),
        (raycluster(), "Healthy", "2/2 workers ready"),
        (raycluster(generation=2, observed=1), "Progressing", "latest spec"),
        (
            raycluster(
                state="",
                ready=1,
                conditions=[
                    {"type": "HeadPodReady", "status": "True"},
                    {"type": "RayClusterProvisioned", "status": "False"},
                ],
            ),
            "Progressing",
            "Provisioning: 1/2",
        ),
        (raycluster(ready=1), "Progressing", "Scaling: 1/2"),
        (
            raycluster(conditions=[{"type": "ReplicaFailure", "status": "True", "message": "quota exceeded"}]),
            "Degraded",
            "quota exceeded",
        ),
        (
            raycluster(
                conditions=[
                    {"type": "HeadPodReady", "status": "False", "message": "containers not ready"},
                    {"type": "RayClusterProvisioned", "status": "True"},
                ]
            ),
            "Degraded",
            "Head pod not ready: containers not ready",
        ),
        (
            raycluster(
                state="",
                conditions=[{"type": "HeadPodReady", "status": "False", "reason": "HeadPodNotFound"}],
            ),
            "Progressing",
            "HeadPodNotFound",
        ),
        (
            raycluster(state="suspended", conditions=[{"type": "RayClusterSuspended", "status": "True"}]),
            "Suspended",
            "suspended",
        ),
    ],
)
def test_lua_health_check(rc, status, message_part):
    result = evaluate(rc)
    assert result["status"] == status
    assert message_part in result["message"]


def test_configmap_patch_is_yaml_with_the_key():
    import yaml

    data = yaml.safe_load(configmap_patch())
    script = data["data"]["resource.customizations.health.ray.io_RayCluster"]
    assert script.startswith("-- raywizard") and "return hs" in script


def test_compared_current_ignores_the_zero_values_argo_cd_omits():
    live = app()
    live["spec"] = {
        "source": {"chart": "ray-cluster", "helm": {"skipCrds": False, "valueFiles": [], "valuesObject": {"a": False}}},
        "destination": {"namespace": "ray", "name": ""},
        "ignoreDifferences": [{"kind": "RayCluster", "jsonPointers": []}],
    }
    live["status"]["sync"]["comparedTo"] = {
        "source": {"repoURL": "", "chart": "ray-cluster", "helm": {"valuesObject": {"a": False}}},
        "destination": {"namespace": "ray"},
        "ignoreDifferences": [{"kind": "RayCluster"}],
    }
    assert compared_current(live, None)
    live["status"]["sync"]["comparedTo"]["source"]["helm"]["valuesObject"] = {}  # values are compared as stored
    assert not compared_current(live, None)
