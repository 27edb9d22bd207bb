"""The guide end to end: its all-in-one file applied with real kubectl, and with the Python client.

Both must converge (speed 20, within 30 s): three Applications Synced/Healthy, the RayCluster with 3 desired and
3 available workers, and the operator, head and 3 worker pods Running with KubeRay's real names and labels.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.controller_helpers import guide_apps
from tests.conftest import FIXTURES
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

ALL_IN_ONE = FIXTURES / "ray-argocd-all.yaml"
WORKER_GROUPS = ("standard-worker", "additional-worker-group1", "additional-worker-group2")


def _check_pods(pods: list[dict[str, Any]]) -> None:
    names = sorted(p["metadata"]["name"] for p in pods)
    assert len(pods) == 5, names
    assert all(p["status"]["phase"] == "Running" for p in pods), names
    operator = [n for n in names if n.startswith("kuberay-operator-")]
    assert len(operator) == 1 and re.fullmatch(r"kuberay-operator-[b-z2-9]{10}-[b-z2-9]{5}", operator[0])
    by_name = {p["metadata"]["name"]: p for p in pods}
    heads = [n for n in names if re.fullmatch(r"raycluster-kuberay-head-[b-z2-9]{5}", n)]
    assert len(heads) == 1
    head_labels = by_name[heads[0]]["metadata"]["labels"]
    assert head_labels["ray.io/node-type"] == "head"
    assert head_labels["ray.io/group"] == "headgroup"
    assert head_labels["ray.io/identifier"] == "raycluster-kuberay-head"
    assert head_labels["ray.io/cluster"] == "raycluster-kuberay"
    assert head_labels["ray.io/is-ray-node"] == "yes"
    assert head_labels["app.kubernetes.io/created-by"] == "kuberay-operator"
    assert head_labels["app.kubernetes.io/instance"] == "raycluster"  # the chart's template labels are kept
    containers = [c["name"] for c in by_name[heads[0]]["spec"]["containers"]]
    assert containers == ["ray-head", "autoscaler"]
    for group in WORKER_GROUPS:
        workers = [n for n in names if re.fullmatch(rf"raycluster-kuberay-{group}-worker-[b-z2-9]{{5}}", n)]
        assert len(workers) == 1, (group, names)
        labels = by_name[workers[0]]["metadata"]["labels"]
        assert labels["ray.io/group"] == group and labels["ray.io/node-type"] == "worker"
        assert labels["ray.io/identifier"] == "raycluster-kuberay-worker"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_apply_all_in_one(tmp_path: Path) -> None:
    # kubectl does not send the kubeconfig's bearer token over plain http here, so let it in anonymously.
    with running_sandbox(speed=20, anonymous=True) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")

        def kubectl(*args: str) -> str:
            done = subprocess.run(
                ["kubectl", "--kubeconfig", str(kubeconfig), *args],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            return done.stdout

        out = kubectl("apply", "--validate=false", "-f", str(ALL_IN_ONE))
        assert out.count("created") == 3, out

        def apps_ready() -> bool:
            items = json.loads(kubectl("get", "applications", "-n", "argocd", "-o", "json"))["items"]
            return len(items) == 3 and all(
                (i.get("status") or {}).get("sync", {}).get("status") == "Synced"
                and (i.get("status") or {}).get("health", {}).get("status") == "Healthy"
                for i in items
            )

        wait_for(apps_ready, timeout=30, interval=0.3, what="three Synced/Healthy Applications")

        def raycluster_ready() -> dict[str, Any] | None:
            rc = json.loads(kubectl("get", "raycluster", "-n", "ray-cluster", "raycluster-kuberay", "-o", "json"))
            status = rc.get("status") or {}
            ok = status.get("desiredWorkerReplicas") == 3 and status.get("availableWorkerReplicas") == 3
            ok = ok and status.get("state") == "ready"
            return rc if ok else None

        rc = wait_for(raycluster_ready, timeout=30, interval=0.3, what="RayCluster 3/3")
        assert rc["status"]["state"] == "ready"
        assert rc["status"]["desiredCPU"] == "4" and rc["status"]["desiredMemory"] == "5G"

        def pods_running() -> list[dict[str, Any]] | None:
            pods = json.loads(kubectl("get", "pods", "-n", "ray-cluster", "-o", "json"))["items"]
            running = [p for p in pods if p["status"].get("phase") == "Running"]
            return pods if len(pods) == 5 and len(running) == 5 else None

        _check_pods(wait_for(pods_running, timeout=30, interval=0.3, what="5 Running pods"))
        table = kubectl("get", "applications", "-n", "argocd")
        assert table.count("Synced") == 3 and table.count("Healthy") == 3, table


def test_python_client_applies_the_guide(tmp_path: Path) -> None:
    kubernetes = pytest.importorskip("kubernetes")
    with running_sandbox(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        api_client = kubernetes.config.new_client_from_config(config_file=str(kubeconfig))
        custom = kubernetes.client.CustomObjectsApi(api_client)
        core = kubernetes.client.CoreV1Api(api_client)
        for app in guide_apps():
            custom.create_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", app)

        def apps_ready() -> bool:
            items = custom.list_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications")["items"]
            return len(items) == 3 and all(
                (i.get("status") or {}).get("sync", {}).get("status") == "Synced"
                and (i.get("status") or {}).get("health", {}).get("status") == "Healthy"
                for i in items
            )

        wait_for(apps_ready, timeout=30, interval=0.2, what="three Synced/Healthy Applications")
        app = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", "raycluster")
        status = app["status"]
        assert status["sync"]["comparedTo"]["ignoreDifferences"][0]["jqPathExpressions"] == [
            ".spec.workerGroupSpecs[].replicas"
        ]
        assert status["sync"]["revision"] == "1.4.1"
        assert status["operationState"]["phase"] == "Succeeded"
        assert status["operationState"]["operation"]["initiatedBy"] == {"automated": True}
        assert status["resourceHealthSource"] == "appTree" and status["controllerNamespace"] == "argocd"
        assert status["resources"] == [
            {
                "group": "ray.io",
                "version": "v1",
                "kind": "RayCluster",
                "namespace": "ray-cluster",
                "name": "raycluster-kuberay",
                "status": "Synced",
            }
        ]
        assert app.get("operation") is None

        def raycluster() -> dict[str, Any] | None:
            rc = custom.get_namespaced_custom_object("ray.io", "v1", "ray-cluster", "rayclusters", "raycluster-kuberay")
            st = rc.get("status") or {}
            return (
                rc
                if st.get("availableWorkerReplicas") == 3 and st.get("desiredWorkerReplicas") == 3 and st.get("state")
                else None
            )

        rc = wait_for(raycluster, timeout=30, what="RayCluster 3/3")
        tracking = rc["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"]
        assert tracking == "raycluster:ray.io/RayCluster:ray-cluster/raycluster-kuberay"
        conditions = {c["type"]: c for c in rc["status"]["conditions"]}
        assert conditions["RayClusterProvisioned"]["reason"] == "AllPodRunningAndReadyFirstTime"
        assert rc["status"]["endpoints"]["dashboard"] == "8265"

        def pods() -> list[dict[str, Any]] | None:
            items = api_client.sanitize_for_serialization(core.list_namespaced_pod("ray-cluster").items)
            return items if len(items) == 5 and all(p["status"]["phase"] == "Running" for p in items) else None

        _check_pods(wait_for(pods, timeout=30, what="5 Running pods"))
        head_svc = core.read_namespaced_service("raycluster-kuberay-head-svc", "ray-cluster")
        assert head_svc.spec.cluster_ip == "None"
        assert sorted(p.name for p in head_svc.spec.ports) == [
            "client",
            "dashboard",
            "gcs-server",
            "metrics",
            "serve",
        ]
        ray_pods = core.list_namespaced_pod("ray-cluster", label_selector="ray.io/node-type=worker").items
        assert len(ray_pods) == 3
