"""KubeRay operator, kubelet/scheduler and Ray autoscaler simulations, driven through the store."""

from __future__ import annotations

from typing import Any

import pytest

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


def _pods(cluster: SandboxCluster, namespace: str, cluster_name: str) -> list[dict[str, Any]]:
    return cluster.store.list("pods", namespace, label_selector=f"ray.io/cluster={cluster_name}")


def _status(cluster: SandboxCluster, namespace: str, name: str) -> dict[str, Any]:
    return (cluster.store.get(RC, namespace, name) or {}).get("status") or {}


def test_no_operator_no_pods() -> None:
    with running_sandbox(speed=50) as sandbox:
        from raywizard.sandbox.controllers.crds import kuberay_crds

        for crd in kuberay_crds("v1.5.1"):
            sandbox.store.create("customresourcedefinitions.apiextensions.k8s.io", crd)
        ns = with_namespace(sandbox, "lonely")
        sandbox.store.create(RC, raycluster_body("rc", ns))
        wait_for(lambda: sandbox.store.get(RC, ns, "rc"), what="created")
        import time

        time.sleep(0.3)  # 15 simulated seconds in which nothing may happen: no operator, no pods, no status
        assert _pods(sandbox, ns, "rc") == [] and _status(sandbox, ns, "rc") == {}
        install_operator(sandbox)  # the operator arrives: the cluster is reconciled
        wait_for(lambda: _status(sandbox, ns, "rc").get("state") == "ready", what="ready once the operator runs")


def test_status_fields_and_scaling_without_autoscaler(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "scaling")
    cluster.store.create(RC, raycluster_body("demo", ns, replicas=2))
    status = wait_for(lambda: (s := _status(cluster, ns, "demo")).get("state") == "ready" and s, what="ready")
    assert status["desiredWorkerReplicas"] == 2 and status["availableWorkerReplicas"] == 2
    assert status["readyWorkerReplicas"] == 2
    assert status["minWorkerReplicas"] == 1 and status["maxWorkerReplicas"] == 5
    assert (status["desiredCPU"], status["desiredMemory"], status["desiredGPU"]) == ("3", "4G", "0")
    assert status["head"]["serviceName"] == "demo-head-svc"
    assert status["head"]["serviceIP"] == status["head"]["podIP"]  # headless head service
    assert status["observedGeneration"] == 1
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "HeadPodReady": "True",
        "RayClusterProvisioned": "True",
        "RayClusterSuspended": "False",
        "RayClusterSuspending": "False",
    }
    cluster.store.patch(
        RC, ns, "demo", [{"op": "replace", "path": "/spec/workerGroupSpecs/0/replicas", "value": 1}], "json"
    )
    wait_for(
        lambda: (
            len([p for p in _pods(cluster, ns, "demo") if p["metadata"]["labels"]["ray.io/node-type"] == "worker"]) == 1
        ),
        what="scaled down",
    )
    wait_for(lambda: _status(cluster, ns, "demo").get("observedGeneration") == 2, what="observedGeneration")
    assert events(cluster, ns, "DeletedWorkerPod")
    assert _status(cluster, ns, "demo")["state"] == "ready"  # never reset from ready


def test_invalid_name_gives_only_a_warning_event(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "invalid-name")
    name = "a" * 54
    cluster.store.create(RC, raycluster_body(name, ns))
    found = wait_for(lambda: events(cluster, ns, "InvalidRayClusterMetadata"), what="warning event")
    assert found[0]["type"] == "Warning"
    assert found[0]["message"] == (
        f"The RayCluster metadata is invalid {ns}/{name}: RayCluster name should be no more than 53 characters"
    )
    assert _pods(cluster, ns, name) == [] and _status(cluster, ns, name) == {}


def test_invalid_spec_gives_only_a_warning_event(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "invalid-spec")
    body = raycluster_body("bad", ns)
    body["spec"]["enableInTreeAutoscaling"] = True
    body["spec"]["autoscalerOptions"] = {"version": "v2"}
    body["spec"]["workerGroupSpecs"][0]["template"]["spec"]["restartPolicy"] = "Always"
    cluster.store.create(RC, body)
    found = wait_for(lambda: events(cluster, ns, "InvalidRayClusterSpec"), what="warning event")
    assert found[0]["message"] == (
        f"The RayCluster spec is invalid {ns}/bad: restartPolicy for worker group workers should be Never or unset "
        "when using autoscaler V2"
    )
    assert found[0]["source"]["component"] == "raycluster-controller"
    assert _pods(cluster, ns, "bad") == [] and _status(cluster, ns, "bad") == {}


def test_min_above_max_runs_max_replicas(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "min-above-max")
    cluster.store.create(RC, raycluster_body("odd", ns, replicas=3, minReplicas=3, maxReplicas=1))
    status = wait_for(lambda: (s := _status(cluster, ns, "odd")).get("state") == "ready" and s, what="ready")
    assert status["desiredWorkerReplicas"] == 1
    assert not events(cluster, ns, "InvalidRayClusterSpec")


def test_requests_above_limits_fail_pod_creation(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "too-big")
    body = raycluster_body("greedy", ns)
    body["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["resources"] = {
        "requests": {"cpu": "4", "memory": "8G"},
        "limits": {"cpu": "1", "memory": "1G"},
    }
    cluster.store.create(RC, body)
    status = wait_for(
        lambda: (
            (s := _status(cluster, ns, "greedy")).get("conditions")
            and any(c["type"] == "ReplicaFailure" for c in s["conditions"])
            and s
        ),
        what="ReplicaFailure",
    )
    failure = next(c for c in status["conditions"] if c["type"] == "ReplicaFailure")
    assert failure["reason"] == "FailedCreateWorkerPod"
    assert (
        'spec.containers[0].resources.requests: Invalid value: "4": must be less than or equal to cpu '
        "limit of 1" in failure["message"]
    )
    warning = events(cluster, ns, "FailedToCreateWorkerPod")[0]
    assert warning["type"] == "Warning" and warning["message"].startswith(f"Failed to create worker Pod {ns}/")
    workers = [p for p in _pods(cluster, ns, "greedy") if p["metadata"]["labels"]["ray.io/node-type"] == "worker"]
    assert workers == []


def test_missing_image_tag_pulls_fail_with_backoff(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "bad-image")
    body = raycluster_body("typo", ns)
    body["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["image"] = "rayproject/ray:2.99.9"
    cluster.store.create(RC, body)

    def waiting_reasons() -> set[str]:
        heads = [p for p in _pods(cluster, ns, "typo") if p["metadata"]["labels"]["ray.io/node-type"] == "head"]
        return {
            ((s.get("state") or {}).get("waiting") or {}).get("reason", "")
            for p in heads
            for s in (p.get("status") or {}).get("containerStatuses") or []
        }

    wait_for(
        lambda: "ErrImagePull" in waiting_reasons() or "ImagePullBackOff" in waiting_reasons(), what="ErrImagePull"
    )
    wait_for(lambda: "ImagePullBackOff" in waiting_reasons(), what="ImagePullBackOff")
    failed = [e["message"] for e in events(cluster, ns, "Failed")]
    assert (
        'Failed to pull image "rayproject/ray:2.99.9": rpc error: code = NotFound desc = failed to pull and '
        'unpack image "docker.io/rayproject/ray:2.99.9"'
        in failed[0]
        or "Error: ErrImagePull" in failed
    )
    assert events(cluster, ns, "BackOff")
    assert _status(cluster, ns, "typo").get("state") is None


def test_pods_that_do_not_fit_stay_pending_unschedulable(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "no-room")
    body = raycluster_body("huge", ns)
    body["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["resources"] = {
        "requests": {"cpu": "100", "memory": "1G"},
        "limits": {"cpu": "100", "memory": "1G"},
    }
    cluster.store.create(RC, body)

    def unschedulable() -> dict[str, Any] | None:
        for pod in _pods(cluster, ns, "huge"):
            for cond in (pod.get("status") or {}).get("conditions") or []:
                if cond["type"] == "PodScheduled" and cond.get("reason") == "Unschedulable":
                    return cond
        return None

    cond = wait_for(unschedulable, what="Unschedulable pod")
    assert cond["message"].startswith("0/3 nodes are available: 3 Insufficient cpu.")
    assert events(cluster, ns, "FailedScheduling")[0]["type"] == "Warning"
    status = wait_for(lambda: (s := _status(cluster, ns, "huge")).get("head", {}).get("podIP") and s, what="head")
    assert status.get("availableWorkerReplicas", 0) == 0 and status.get("state") is None


def test_autoscaler_scales_up_then_down_through_workers_to_delete(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "autoscaled")
    body = raycluster_body("auto", ns, replicas=1, minReplicas=1, maxReplicas=4)
    body["spec"]["enableInTreeAutoscaling"] = True
    body["spec"]["autoscalerOptions"] = {"idleTimeoutSeconds": 30}
    cluster.store.create(RC, body)
    wait_for(lambda: _status(cluster, ns, "auto").get("state") == "ready", what="ready")
    head = next(p for p in _pods(cluster, ns, "auto") if p["metadata"]["labels"]["ray.io/node-type"] == "head")
    assert [c["name"] for c in head["spec"]["containers"]] == ["ray-head", "autoscaler"]
    assert cluster.store.get("serviceaccounts", ns, "auto") is not None
    assert cluster.store.get("rolebindings.rbac.authorization.k8s.io", ns, "auto") is not None
    cluster.set_load("steady")
    wait_for(lambda: _status(cluster, ns, "auto").get("availableWorkerReplicas") == 3, what="3 workers")
    cluster.set_load("idle")
    seen: list[list[str]] = []

    def scaled_down() -> bool:
        group = cluster.store.get(RC, ns, "auto")["spec"]["workerGroupSpecs"][0]
        victims = (group.get("scaleStrategy") or {}).get("workersToDelete")
        if victims:
            seen.append(victims)
        return group["replicas"] == 1 and bool(seen) and victims == []

    wait_for(scaled_down, timeout=30, what="idle scale-down and cleared workersToDelete")
    assert len(seen[0]) == 2
    wait_for(lambda: _status(cluster, ns, "auto").get("availableWorkerReplicas") == 1, what="1 worker left")
    cluster.set_load("idle")


def test_deleting_a_raycluster_removes_its_pods_and_service(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "deleting")
    cluster.store.create(RC, raycluster_body("gone", ns))
    wait_for(lambda: _status(cluster, ns, "gone").get("state") == "ready", what="ready")
    cluster.store.delete(RC, ns, "gone")
    wait_for(lambda: not _pods(cluster, ns, "gone"), what="pods garbage-collected")
    assert cluster.store.get("services", ns, "gone-head-svc") is None


def test_load_generator_creates_running_pods_and_events(cluster: SandboxCluster) -> None:
    names = cluster.generate_pods(50)
    assert len(names) == 50
    pods = cluster.store.list("pods", "load", label_selector="app=load")
    assert len(pods) == 50 and all(p["status"]["phase"] == "Running" for p in pods)
    cluster.set_event_rate(400)
    wait_for(lambda: len(cluster.store.list("events", "load")) >= 40, what="load events")
    cluster.set_event_rate(0)


def test_suspend_deletes_pods_and_resume_recreates_them(cluster: SandboxCluster) -> None:
    ns = with_namespace(cluster, "suspending")
    cluster.store.create(RC, raycluster_body("nap", ns))
    wait_for(lambda: _status(cluster, ns, "nap").get("state") == "ready", what="ready")
    cluster.store.patch(RC, ns, "nap", {"spec": {"suspend": True}}, "merge")
    status = wait_for(lambda: (s := _status(cluster, ns, "nap")).get("state") == "suspended" and s, what="suspended")
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions == {
        "HeadPodReady": "False",
        "RayClusterProvisioned": "False",
        "RayClusterSuspended": "True",
        "RayClusterSuspending": "False",
    }
    assert _pods(cluster, ns, "nap") == []
    assert [e["message"] for e in events(cluster, ns, "DeletedPod")] == [
        f"Deleted Pods for RayCluster {ns}/nap due to suspension"
    ]
    cluster.store.patch(RC, ns, "nap", {"spec": {"suspend": False}}, "merge")
    status = wait_for(lambda: (s := _status(cluster, ns, "nap")).get("state") == "ready" and s, what="ready again")
    assert {c["type"]: c["status"] for c in status["conditions"]}["RayClusterSuspended"] == "False"
    assert set(status["stateTransitionTimes"]) == {"ready", "suspended"}


def test_paused_controllers_do_nothing_until_resumed(cluster: SandboxCluster) -> None:
    import time

    ns = with_namespace(cluster, "paused")
    cluster.pause_controllers()
    try:
        cluster.store.create(RC, raycluster_body("frozen", ns))
        time.sleep(0.3)  # 15 simulated seconds: a running operator would have created the pods by now
        assert _pods(cluster, ns, "frozen") == [] and _status(cluster, ns, "frozen") == {}
    finally:
        cluster.resume_controllers()
    wait_for(lambda: _status(cluster, ns, "frozen").get("state") == "ready", what="ready after resume")
