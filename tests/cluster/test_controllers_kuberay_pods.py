"""The pods KubeRay v1.5.1 builds (`controllers/ray/common/pod.go`) and what it does when a Ray container exits
(`shouldDeletePod`), against the sandbox's operator and kubelet."""

from __future__ import annotations

from typing import Any

import pytest

from raywizard.kube.waits import raycluster_wait_state
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import events, install_operator, raycluster_body, with_namespace
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

RC = "rayclusters.ray.io"


@pytest.fixture(scope="module")
def cluster() -> Any:
    with running_sandbox(speed=50) as sandbox:
        install_operator(sandbox)
        yield sandbox


def _pods(cluster: SandboxCluster, namespace: str, name: str, node_type: str | None = None) -> list[dict[str, Any]]:
    selector = f"ray.io/cluster={name}" + (f",ray.io/node-type={node_type}" if node_type else "")
    return [p for p in cluster.store.list("pods", namespace, label_selector=selector)]


def _status(cluster: SandboxCluster, namespace: str, name: str) -> dict[str, Any]:
    return (cluster.store.get(RC, namespace, name) or {}).get("status") or {}


def _autoscaled(name: str, namespace: str, version: str = "v2", **worker: Any) -> dict[str, Any]:
    body = raycluster_body(name, namespace, **worker)
    body["spec"]["enableInTreeAutoscaling"] = True
    body["spec"]["autoscalerOptions"] = {"version": version}
    return body


def _running(pod: dict[str, Any]) -> bool:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return (
        (pod.get("status") or {}).get("phase") == "Running" and bool(statuses) and all(s.get("ready") for s in statuses)
    )


def test_autoscaler_v2_pods_never_restart_and_carry_what_the_operator_adds(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "v2-pods")
    body = _autoscaled("v2", ns)
    body["spec"]["headGroupSpec"]["template"]["metadata"] = {"labels": {"ray.io/cluster": "other", "team": "ml"}}
    cluster.store.create(RC, body)
    wait_for(lambda: _status(cluster, ns, "v2").get("state") == "ready", what="ready")
    head = _pods(cluster, ns, "v2", "head")[0]
    worker = _pods(cluster, ns, "v2", "worker")[0]
    assert head["spec"]["restartPolicy"] == worker["spec"]["restartPolicy"] == "Never"
    ray_head = head["spec"]["containers"][0]
    assert "--no-monitor" in ray_head["args"][0]
    assert {"name": "RAY_enable_autoscaler_v2", "value": "1"} in ray_head["env"]
    # the template's ports (none here) plus metrics; the head Service keeps the default ports
    assert [(p["name"], p["containerPort"]) for p in ray_head["ports"]] == [("metrics", 8080)]
    service = cluster.store.get("services", ns, "v2-head-svc")
    assert sorted(p["name"] for p in service["spec"]["ports"]) == [
        "client",
        "dashboard",
        "gcs-server",
        "metrics",
        "serve",
    ]
    assert {"mountPath": "/dev/shm", "name": "shared-mem"} in ray_head["volumeMounts"]
    assert {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}} in head["spec"]["volumes"]
    assert {"mountPath": "/tmp/ray", "name": "ray-logs"} in head["spec"]["containers"][1]["volumeMounts"]
    assert head["metadata"]["labels"]["ray.io/cluster"] == "v2" and head["metadata"]["labels"]["team"] == "ml"
    assert head["metadata"]["annotations"]["ray.io/ft-enabled"] == "false"
    assert "ray.io/ft-enabled" not in (worker["metadata"].get("annotations") or {})
    assert {"mountPath": "/dev/shm", "name": "shared-mem"} in worker["spec"]["containers"][0]["volumeMounts"]


def test_autoscaler_v1_and_no_autoscaler_keep_the_template_restart_policy(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "v1-pods")
    cluster.store.create(RC, _autoscaled("v1", ns, version="v1"))
    wait_for(lambda: _status(cluster, ns, "v1").get("state") == "ready", what="ready")
    assert {p["spec"]["restartPolicy"] for p in _pods(cluster, ns, "v1")} == {"Always"}
    assert "--no-monitor" in _pods(cluster, ns, "v1", "head")[0]["spec"]["containers"][0]["args"][0]


def test_worker_name_prefix_is_the_first_fifty_characters() -> None:
    from raywizard.sandbox.controllers.kuberay_pods import build_pod

    body = raycluster_body("a" * 30, "ns", groupName="Group-" + "b" * 30)
    pod = build_pod(body, group=body["spec"]["workerGroupSpecs"][0])
    assert pod["metadata"]["generateName"] == ("a" * 30 + "-group-" + "b" * 13)[:50] + "-worker-"
    head = build_pod(raycluster_body("c" * 53, "ns"), group=None)
    assert head["metadata"]["generateName"] == "c" * 50 + "-head-"


def test_desired_resources_sum_the_raw_replicas(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "raw-replicas")
    cluster.store.create(RC, raycluster_body("raw", ns, replicas=0, minReplicas=1))
    status = wait_for(lambda: (s := _status(cluster, ns, "raw")).get("state") == "ready" and s, what="ready")
    assert status["desiredWorkerReplicas"] == 1  # clamped to minReplicas
    assert (status["desiredCPU"], status["desiredMemory"]) == ("1", "2G")  # the head only: replicas is 0


def test_a_crashed_ray_container_under_restart_policy_never_is_replaced(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "replaced")
    cluster.store.create(RC, _autoscaled("churn", ns))
    wait_for(lambda: _status(cluster, ns, "churn").get("state") == "ready", what="ready")
    old = _pods(cluster, ns, "churn", "worker")[0]["metadata"]["name"]
    assert cluster.crash_container(ns, old)
    deleted = wait_for(lambda: events(cluster, ns, "DeletedWorkerPod"), what="the failed worker deleted")
    assert deleted[0]["message"].startswith(
        f"Deleted worker Pod {ns}/{old}; Pod status: Failed; Pod restart policy: Never"
    )
    assert "ExitCode:1" in deleted[0]["message"]
    wait_for(
        lambda: [p for p in _pods(cluster, ns, "churn", "worker") if p["metadata"]["name"] != old and _running(p)],
        what="a new worker",
    )
    assert old not in {p["metadata"]["name"] for p in _pods(cluster, ns, "churn")}

    head = _pods(cluster, ns, "churn", "head")[0]
    assert cluster.crash_container(ns, head["metadata"]["name"], "ray-head")  # the autoscaler sidecar still runs
    wait_for(lambda: events(cluster, ns, "DeletedHeadPod"), what="the head deleted")
    wait_for(
        lambda: [
            p
            for p in _pods(cluster, ns, "churn", "head")
            if p["metadata"]["name"] != head["metadata"]["name"] and _running(p)
        ],
        what="a new head",
    )


def test_raywizard_names_a_ray_container_that_exited(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "exited")
    cluster.store.create(RC, _autoscaled("gone", ns))
    wait_for(lambda: _status(cluster, ns, "gone").get("state") == "ready", what="ready")
    worker = _pods(cluster, ns, "gone", "worker")[0]["metadata"]["name"]
    pods = [_failed_copy(p, worker) for p in _pods(cluster, ns, "gone")]
    state = raycluster_wait_state(cluster.store.get(RC, ns, "gone"), pods, [])
    assert state.blocker == (
        f"pod {worker}: ray-worker exited (OOMKilled, exit code 137) under restartPolicy Never: KubeRay replaces it"
    )


def _failed_copy(pod: dict[str, Any], name: str) -> dict[str, Any]:
    """The pod as a list taken between the exit and the operator's delete shows it."""
    if pod["metadata"]["name"] != name:
        return pod
    copy = dict(pod, status=dict(pod.get("status") or {}, phase="Failed"))
    copy["status"]["containerStatuses"] = [
        {
            "name": "ray-worker",
            "ready": False,
            "restartCount": 0,
            "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
        }
    ]
    return copy


def test_a_crash_under_restart_policy_always_loops_back(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "looping")
    cluster.store.create(RC, raycluster_body("loop", ns))
    wait_for(lambda: _status(cluster, ns, "loop").get("state") == "ready", what="ready")
    worker = _pods(cluster, ns, "loop", "worker")[0]
    assert cluster.crash_container(ns, worker["metadata"]["name"])
    pod = cluster.store.get("pods", ns, worker["metadata"]["name"])
    entry = pod["status"]["containerStatuses"][0]
    assert entry["state"]["waiting"]["reason"] == "CrashLoopBackOff" and entry["restartCount"] == 1
    assert entry["lastState"]["terminated"]["exitCode"] == 1
    assert raycluster_wait_state(cluster.store.get(RC, ns, "loop"), _pods(cluster, ns, "loop"), []).blocker == (
        f"pod {worker['metadata']['name']}: CrashLoopBackOff: {entry['state']['waiting']['message']}"
    )
    wait_for(lambda: _running(cluster.store.get("pods", ns, worker["metadata"]["name"])), what="restarted")
    assert not events(cluster, ns, "DeletedWorkerPod")
