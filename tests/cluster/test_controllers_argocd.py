"""Argo CD simulation: self-heal against the autoscaler, comparison errors, sync failures, manual sync, deletion."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.cluster.controller_helpers import APPS, app_status, guide_apps
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for


def _replicas(cluster: Any) -> int | None:
    try:
        rc = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")
    except Exception:
        return None
    return None if rc is None else int(rc["spec"]["workerGroupSpecs"][0].get("replicas") or 0)


def _watch_replicas(cluster: Any, seconds: float) -> list[int]:
    """Every value the replicas take during ``seconds``: how they move over a period is what these tests look
    at, so the period is the measurement, not a wait."""
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = _replicas(cluster)
        if value is not None and (not seen or seen[-1] != value):
            seen.append(value)
        time.sleep(0.01)
    return seen


def _apply_guide(cluster: Any, *, keep_ignore_rule: bool) -> None:
    for app in guide_apps():
        if app["metadata"]["name"] == "raycluster" and not keep_ignore_rule:
            del app["spec"]["ignoreDifferences"]
        cluster.store.create(APPS, app, namespace="argocd")
    wait_for(
        lambda: all(
            app_status(cluster, n) == ("Synced", "Healthy") for n in ("ray-operator-crds", "ray-operator", "raycluster")
        ),
        what="guide synced",
    )


def test_self_heal_fights_the_autoscaler_without_the_replicas_rule() -> None:
    with running_sandbox(speed=20) as cluster:
        _apply_guide(cluster, keep_ignore_rule=False)
        wait_for(
            lambda: (
                (cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay") or {})
                .get("status", {})
                .get("state")
                == "ready"
            ),
            what="cluster ready",
        )
        cluster.set_load("burst")
        history = _watch_replicas(cluster, 4.0)
        # The autoscaler raises replicas (1 -> 9), self-heal puts the Git value back (-> 1), again and again.
        reverts = sum(1 for before, after in itertools.pairwise(history) if before > 1 and after == 1)
        assert reverts >= 2, history
        assert max(history) == 9, history
        started = [
            e
            for e in cluster.store.list("events", "argocd")
            if e["reason"] == "OperationStarted" and e["involvedObject"]["name"] == "raycluster"
        ]
        assert sum(int(e.get("count", 1)) for e in started) >= 3
        synced_events = [
            e
            for e in cluster.store.list("events", "argocd")
            if e["message"] == "Updated sync status: Synced -> OutOfSync"
        ]
        assert synced_events and synced_events[0]["count"] >= 2


def test_with_the_replicas_rule_the_autoscaler_wins_and_the_app_stays_synced() -> None:
    with running_sandbox(speed=20) as cluster:
        _apply_guide(cluster, keep_ignore_rule=True)
        wait_for(
            lambda: (
                (cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay") or {})
                .get("status", {})
                .get("state")
                == "ready"
            ),
            what="cluster ready",
        )
        cluster.set_load("burst")
        wait_for(lambda: _replicas(cluster) == 9, what="autoscaler scaled up")
        history = _watch_replicas(cluster, 1.0)
        assert history == [9]
        assert app_status(cluster, "raycluster")[0] == "Synced"
        wait_for(
            lambda: (
                (cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay") or {})
                .get("status", {})
                .get("desiredWorkerReplicas")
                == 27
            ),
            what="27 desired workers",
        )


def test_unknown_revision_is_a_comparison_error_with_unknown_sync() -> None:
    with running_sandbox(speed=50) as cluster:
        app = guide_apps()[0]
        app["spec"]["source"]["targetRevision"] = "v9.9.9"
        cluster.store.create(APPS, app, namespace="argocd")
        status = wait_for(
            lambda: (cluster.store.get(APPS, "argocd", "ray-operator-crds") or {}).get("status"), what="status"
        )
        assert status["sync"]["status"] == "Unknown"
        assert status["conditions"][0]["type"] == "ComparisonError"
        assert "unable to resolve 'v9.9.9' to a commit SHA" in status["conditions"][0]["message"]
        assert status["conditions"][0]["message"].startswith(
            "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error:"
        )


def test_missing_namespace_without_create_namespace_fails_the_sync() -> None:
    with running_sandbox(speed=50) as cluster:
        app = guide_apps()[1]  # the operator
        app["spec"]["syncPolicy"]["syncOptions"] = []
        app["spec"]["syncPolicy"]["retry"] = {"limit": 1, "backoff": {"duration": "1s"}}
        cluster.store.create(APPS, app, namespace="argocd")

        def failed() -> dict[str, Any] | None:
            state = ((cluster.store.get(APPS, "argocd", "ray-operator") or {}).get("status") or {}).get(
                "operationState"
            ) or {}
            return state if state.get("phase") == "Failed" else None

        state = wait_for(failed, what="failed sync")
        assert state["message"] == "one or more synchronization tasks are not valid (retried 1 times)."
        results = state["syncResult"]["resources"]
        assert {r["status"] for r in results} == {"SyncFailed"}
        assert 'namespaces "ray-cluster" not found' in {r["message"] for r in results}
        sync_error = wait_for(
            lambda: [
                c
                for c in (cluster.store.get(APPS, "argocd", "ray-operator") or {})
                .get("status", {})
                .get("conditions", [])
                if c["type"] == "SyncError"
            ],
            what="SyncError condition",
        )
        assert sync_error[0]["message"].startswith("Failed last sync attempt to ")


def test_raycluster_before_crds_fails_then_retries_and_succeeds() -> None:
    with running_sandbox(speed=50) as cluster:
        crds, operator, raycluster = guide_apps()
        cluster.store.create(APPS, raycluster, namespace="argocd")

        def first_failure() -> dict[str, Any] | None:
            state = ((cluster.store.get(APPS, "argocd", "raycluster") or {}).get("status") or {}).get(
                "operationState"
            ) or {}
            return state if state.get("retryCount") else None

        state = wait_for(first_failure, what="a retried sync")
        assert state["phase"] == "Running"
        assert state["message"].startswith("one or more synchronization tasks are not valid. Retrying attempt #")
        assert state["syncResult"]["resources"][0]["message"] == (
            "The Kubernetes API could not find ray.io/RayCluster for requested resource "
            'ray-cluster/raycluster-kuberay. Make sure the "RayCluster" CRD is installed on the destination cluster.'
        )
        cluster.store.create(APPS, crds, namespace="argocd")
        wait_for(lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), what="raycluster synced")
        final = cluster.store.get(APPS, "argocd", "raycluster")["status"]["operationState"]
        assert final["phase"] == "Succeeded" and final["retryCount"] >= 1
        del operator


def test_client_side_apply_of_the_crds_hits_the_annotation_limit() -> None:
    with running_sandbox(speed=50) as cluster:
        app = guide_apps()[0]
        app["spec"]["syncPolicy"]["syncOptions"] = ["CreateNamespace=true"]  # no Replace=true
        app["spec"]["syncPolicy"]["retry"] = {"limit": 0}
        cluster.store.create(APPS, app, namespace="argocd")

        def failed() -> dict[str, Any] | None:
            state = ((cluster.store.get(APPS, "argocd", "ray-operator-crds") or {}).get("status") or {}).get(
                "operationState"
            ) or {}
            return state if state.get("phase") == "Failed" else None

        state = wait_for(failed, what="failed sync")
        messages = [r["message"] for r in state["syncResult"]["resources"] if r["status"] == "SyncFailed"]
        assert len(messages) == 3
        assert messages[0].startswith(
            'CustomResourceDefinition.apiextensions.k8s.io "rayclusters.ray.io" is '
            "invalid: metadata.annotations: Too long: must have at most 262144 bytes"
        )
        assert "Consider using Server-side apply or syncing with replace enabled" in messages[0]


def test_manual_sync_refresh_and_cascade_delete() -> None:
    with running_sandbox(speed=50) as cluster:
        crds, operator, _ = guide_apps()
        cluster.store.create(APPS, crds, namespace="argocd")
        del operator["spec"]["syncPolicy"]["automated"]
        operator["metadata"]["finalizers"] = ["resources-finalizer.argocd.argoproj.io"]
        cluster.store.create(APPS, operator, namespace="argocd")
        wait_for(lambda: app_status(cluster, "ray-operator") == ("OutOfSync", "Missing"), what="OutOfSync/Missing")
        cluster.store.patch(
            APPS,
            "argocd",
            "ray-operator",
            {
                "metadata": {"annotations": {"argocd.argoproj.io/refresh": "hard"}},
                "operation": {
                    "initiatedBy": {"username": "wizard"},
                    "sync": {"syncOptions": ["CreateNamespace=true"], "prune": True},
                },
            },
            "merge",
        )
        wait_for(lambda: app_status(cluster, "ray-operator") == ("Synced", "Healthy"), what="manual sync done")
        app = cluster.store.get(APPS, "argocd", "ray-operator")
        assert app.get("operation") is None
        assert "argocd.argoproj.io/refresh" not in (app["metadata"].get("annotations") or {})
        state = app["status"]["operationState"]
        assert state["phase"] == "Succeeded" and state["operation"]["initiatedBy"] == {"username": "wizard"}
        assert state["message"] == "successfully synced (all tasks run)"
        assert app["status"]["history"][0]["id"] == 0
        deployment = cluster.store.get("deployments.apps", "ray-cluster", "kuberay-operator")
        assert deployment["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"] == (
            "ray-operator:apps/Deployment:ray-cluster/kuberay-operator"
        )
        cluster.store.delete(APPS, "argocd", "ray-operator")
        wait_for(lambda: cluster.store.get(APPS, "argocd", "ray-operator") is None, what="app deleted")
        assert cluster.store.get("deployments.apps", "ray-cluster", "kuberay-operator") is None
        assert cluster.store.get("clusterroles.rbac.authorization.k8s.io", None, "kuberay-operator") is None
        wait_for(lambda: not cluster.store.list("pods", "ray-cluster"), what="operator pod gone")


def _worker_groups(cluster: Any) -> list[dict[str, Any]]:
    rc = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay") or {}
    return list((rc.get("spec") or {}).get("workerGroupSpecs") or [])


def test_changed_values_auto_sync_and_the_respect_ignore_differences_pitfall() -> None:
    with running_sandbox(speed=50) as cluster:
        apps = guide_apps()
        for app in apps:
            cluster.store.create(APPS, app, namespace="argocd")
        wait_for(lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), what="synced")
        wait_for(lambda: len(_worker_groups(cluster)) == 3, what="raycluster")
        # A new value in Git (here: the Application's valuesObject) is synced automatically.
        cluster.store.patch(
            APPS,
            "argocd",
            "raycluster",
            {"spec": {"source": {"helm": {"valuesObject": {"worker": {"maxReplicas": 100}}}}}},
            "merge",
        )
        wait_for(lambda: _worker_groups(cluster)[0]["maxReplicas"] == 100, what="maxReplicas synced")
        # With RespectIgnoreDifferences=true the live workerGroupSpecs array is copied whole into the desired
        # object (merge patch on a custom resource), so the next Git change to a group never reaches the cluster.
        cluster.store.patch(
            APPS,
            "argocd",
            "raycluster",
            {
                "spec": {
                    "syncPolicy": {"syncOptions": ["CreateNamespace=true", "RespectIgnoreDifferences=true"]},
                    "source": {"helm": {"valuesObject": {"worker": {"maxReplicas": 50}}}},
                }
            },
            "merge",
        )
        wait_for(lambda: app_status(cluster, "raycluster")[0] == "OutOfSync", what="OutOfSync")

        def synced_unchanged() -> bool:
            state = (cluster.store.get(APPS, "argocd", "raycluster") or {}).get("status", {}).get("operationState")
            results = ((state or {}).get("syncResult") or {}).get("resources") or []
            return bool(results) and results[0]["message"] == "raycluster.ray.io/raycluster-kuberay unchanged"

        wait_for(synced_unchanged, what="a sync that changed nothing")
        assert _worker_groups(cluster)[0]["maxReplicas"] == 100
        assert app_status(cluster, "raycluster")[0] == "OutOfSync"


def test_renamed_release_prunes_the_old_raycluster() -> None:
    with running_sandbox(speed=50) as cluster:
        for app in guide_apps():
            cluster.store.create(APPS, app, namespace="argocd")
        wait_for(lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), what="synced")
        cluster.store.patch(
            APPS, "argocd", "raycluster", {"spec": {"source": {"helm": {"releaseName": "other"}}}}, "merge"
        )  # the RayCluster becomes other-kuberay

        def renamed() -> bool:
            names = {rc["metadata"]["name"] for rc in cluster.store.list("rayclusters.ray.io", "ray-cluster")}
            return names == {"other-kuberay"}

        wait_for(renamed, what="old RayCluster pruned, new one created")
        state = cluster.store.get(APPS, "argocd", "raycluster")["status"]["operationState"]
        assert {(r["name"], r["status"]) for r in state["syncResult"]["resources"]} == {
            ("other-kuberay", "Synced"),
            ("raycluster-kuberay", "Pruned"),
        }
        wait_for(
            lambda: not cluster.store.list("pods", "ray-cluster", label_selector="ray.io/cluster=raycluster-kuberay"),
            what="old pods gone",
        )


def test_unknown_path_repo_and_chart_messages() -> None:
    with running_sandbox(speed=50) as cluster:
        crds, _, raycluster = guide_apps()
        crds["spec"]["source"]["path"] = "helm-chart/nope"
        raycluster["spec"]["source"]["targetRevision"] = "9.9.9"
        cluster.store.create(APPS, crds, namespace="argocd")
        cluster.store.create(APPS, raycluster, namespace="argocd")

        def message(name: str) -> str:
            conditions = ((cluster.store.get(APPS, "argocd", name) or {}).get("status") or {}).get("conditions")
            return str(conditions[0]["message"]) if conditions else ""

        assert wait_for(lambda: message("ray-operator-crds"), what="condition").endswith(
            "helm-chart/nope: app path does not exist"
        )
        assert wait_for(lambda: message("raycluster"), what="condition").endswith(
            'Error: chart "ray-cluster" version "9.9.9" not found in '
            "https://ray-project.github.io/kuberay-helm/ repository"
        )
        assert app_status(cluster, "raycluster")[0] == "Unknown"


def test_two_apps_rendering_the_same_raycluster_warn_about_a_shared_resource() -> None:
    with running_sandbox(speed=50) as cluster:
        crds, operator, raycluster = guide_apps()
        for app in (crds, operator, raycluster):
            cluster.store.create(APPS, app, namespace="argocd")
        wait_for(lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), what="synced")
        twin = dict(raycluster, metadata={"name": "raycluster-twin", "namespace": "argocd"})
        twin["spec"] = dict(raycluster["spec"], syncPolicy={})  # manual sync only: no tug of war
        cluster.store.create(APPS, twin, namespace="argocd")

        def warning() -> list[dict[str, Any]]:
            status = (cluster.store.get(APPS, "argocd", "raycluster-twin") or {}).get("status") or {}
            return [c for c in status.get("conditions") or [] if c["type"] == "SharedResourceWarning"]

        found = wait_for(warning, what="SharedResourceWarning")
        assert (
            found[0]["message"] == "RayCluster/raycluster-kuberay is part of applications raycluster-twin and "
            "raycluster"
        )
