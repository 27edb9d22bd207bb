"""The sandbox's Argo CD against Argo CD v3.5.1 / gitops-engine: three-way diff, ignoreDifferences, managers.

Driven through the real kubectl where the behaviour is what a user sees (see docs/sandbox-fidelity.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from raywizard.sandbox.controllers.argocd_ignore import normalize, normalize_pair
from tests.cluster.controller_helpers import APPS, app_status, guide_apps
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

RC = ("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")


def _kubectl(cluster: Any, *args: str, input: str | None = None) -> str:
    binary = shutil.which("kubectl")
    if binary is None:
        pytest.skip("kubectl is not on PATH")
    env = {
        **os.environ,
        "KUBECONFIG": str(cluster.kubeconfig_path),
        "KUBECACHEDIR": str(Path(cluster.kubeconfig_path).parent / "cache"),
    }
    done = subprocess.run([binary, *args], input=input, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _head_autoscaler(cluster: Any) -> dict[str, Any]:
    rc = cluster.store.get(*RC) or {}
    return dict(((rc.get("spec") or {}).get("autoscalerOptions")) or {})


def test_a_value_removed_from_git_is_drift_and_self_heal_removes_it(tmp_path: Path) -> None:
    with running_sandbox(speed=50) as cluster:
        cluster.allow_anonymous = True
        cluster.write_kubeconfig(tmp_path / "kubeconfig")
        for app in guide_apps():
            cluster.store.create(APPS, app, namespace="argocd")
        wait_for(lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), what="synced")
        wait_for(lambda: "env" in _head_autoscaler(cluster), what="autoscalerOptions.env live")
        # Drop head.autoscalerOptions.env from the Application's values with kubectl (JSON patch remove).
        _kubectl(
            cluster,
            "-n",
            "argocd",
            "patch",
            "applications.argoproj.io",
            "raycluster",
            "--type=json",
            "-p",
            json.dumps([{"op": "remove", "path": "/spec/source/helm/valuesObject/head/autoscalerOptions/env"}]),
        )
        # The live object still has env while last-applied has it and Git does not: OutOfSync, then self-heal.
        wait_for(lambda: "env" not in _head_autoscaler(cluster), what="self-heal removed env")
        def configured() -> bool:
            app = cluster.store.get(APPS, "argocd", "raycluster") or {}
            state = (app.get("status") or {}).get("operationState") or {}
            results = (state.get("syncResult") or {}).get("resources") or []
            return state.get("phase") == "Succeeded" and any(
                r.get("message") == "raycluster.ray.io/raycluster-kuberay configured" for r in results
            )

        wait_for(configured, what="a sync that configured the RayCluster")
        wait_for(lambda: app_status(cluster, "raycluster")[0] == "Synced", what="Synced again")
        live = json.loads(
            _kubectl(
                cluster,
                "-n",
                "ray-cluster",
                "get",
                "raycluster",
                "raycluster-kuberay",
                "-o",
                "json",
                "--show-managed-fields",
            )
        )
        assert "env" not in live["spec"]["autoscalerOptions"]
        managers = {e["manager"] for e in live["metadata"]["managedFields"]}
        assert "argocd-controller" in managers and "sandbox" not in managers


def test_removed_field_is_out_of_sync_and_a_live_only_field_is_not() -> None:
    with running_sandbox(speed=50) as cluster:
        for app in guide_apps():
            cluster.store.create(APPS, app, namespace="argocd")
        wait_for(lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), what="synced")
        wait_for(lambda: "env" in _head_autoscaler(cluster), what="autoscalerOptions.env live")
        # Manual sync from here on: nothing changes the live object behind the comparison.
        cluster.store.patch(
            APPS,
            "argocd",
            "raycluster",
            [
                {"op": "remove", "path": "/spec/syncPolicy/automated"},
                {"op": "remove", "path": "/spec/source/helm/valuesObject/head/autoscalerOptions/env"},
            ],
            "json",
        )
        wait_for(lambda: app_status(cluster, "raycluster")[0] == "OutOfSync", what="OutOfSync")
        assert "env" in _head_autoscaler(cluster)
        # Put env back in Git: Synced again. A field only the live object has (not in last-applied) is no drift.
        cluster.store.patch(
            APPS,
            "argocd",
            "raycluster",
            [
                {
                    "op": "add",
                    "path": "/spec/source/helm/valuesObject/head/autoscalerOptions/env",
                    "value": [{"name": "AUTOSCALER_MAX_CONCURRENT_LAUNCHES", "value": "100"}],
                }
            ],
            "json",
        )
        wait_for(lambda: app_status(cluster, "raycluster")[0] == "Synced", what="Synced")
        cluster.store.patch(RC[0], RC[1], RC[2], {"spec": {"headServiceAnnotations": {"x": "y"}}}, "merge")
        wait_for(
            lambda: ((cluster.store.get(APPS, "argocd", "raycluster") or {}).get("status") or {}).get("reconciledAt"),
            what="reconciled",
        )
        before = cluster.store.get(APPS, "argocd", "raycluster")["status"]["reconciledAt"]
        cluster.store.patch(
            APPS,
            "argocd",
            "raycluster",
            {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}},
            "merge",
        )
        wait_for(
            lambda: (
                cluster.store.get(APPS, "argocd", "raycluster")["status"]["reconciledAt"] != before
                or "argocd.argoproj.io/refresh"
                not in cluster.store.get(APPS, "argocd", "raycluster")["metadata"].get("annotations", {})
            ),
            what="refreshed",
        )
        assert app_status(cluster, "raycluster")[0] == "Synced"


def test_ignore_rules_pointers_jq_and_managers() -> None:
    where = {"group": "ray.io", "kind": "RayCluster", "name": "rc", "namespace": "ns"}
    obj = {"spec": {"a": 1, "b": [{"replicas": 2, "n": "x"}], "c~/d": 3}}
    rules = [{"group": "ray.io", "kind": "RayCluster", "jsonPointers": ["/spec/a", "/spec/c~0~1d", "/spec/missing"]}]
    assert normalize(obj, rules, **where) == {"spec": {"b": [{"replicas": 2, "n": "x"}]}}
    jq_rule = [{"group": "ray.*", "kind": "*", "jqPathExpressions": [".spec.b[].replicas", "not jq ("]}]
    assert normalize(obj, jq_rule, **where)["spec"]["b"] == [{"n": "x"}]
    # A rule for the core group, another name or another namespace does not match.
    for other in ({"kind": "RayCluster"}, {"group": "ray.io", "kind": "RayCluster", "name": "other"}):
        assert normalize(obj, [{**other, "jsonPointers": ["/spec/a"]}], **where) == obj
    live = {
        "metadata": {
            "managedFields": [
                {"manager": "python-requests", "fieldsV1": {"f:spec": {"f:a": {}, "f:keep": {}}}},
                {"manager": "argocd-controller", "fieldsV1": {"f:spec": {"f:z": {}}}},
            ]
        },
        "spec": {"a": 5, "keep": 1, "z": 1},
    }
    desired = {"spec": {"a": 1, "keep": 1, "z": 2}}
    rule = [{"group": "ray.io", "kind": "RayCluster", "managedFieldsManagers": ["python-requests"]}]
    norm_desired, norm_live = normalize_pair(desired, live, rule, **where)
    # Only fields the trusted manager owns *and* that differ are removed; z (argocd-controller) still differs.
    assert norm_desired == {"spec": {"keep": 1, "z": 2}}
    assert norm_live["spec"] == {"keep": 1, "z": 1}


def test_compared_to_drops_zero_values_like_go_omitempty() -> None:
    from raywizard.kube.waits import compared_current

    with running_sandbox(speed=50) as cluster:
        operator = next(a for a in guide_apps() if a["metadata"]["name"] == "ray-operator")
        operator["spec"]["source"]["helm"] = {"skipCrds": False, "valueFiles": [], "passCredentials": False}
        operator["spec"]["destination"]["name"] = ""
        operator["spec"]["ignoreDifferences"] = [{"group": "", "kind": "ConfigMap", "jsonPointers": []}]
        cluster.store.create(APPS, operator, namespace="argocd")
        def compared() -> dict[str, Any] | None:
            found = cluster.store.get(APPS, "argocd", "ray-operator")
            return found if found and (found.get("status") or {}).get("sync") else None

        app = wait_for(compared, what="compared")
        written = app["status"]["sync"]["comparedTo"]
        assert written["source"]["helm"] == {}  # a pointer struct: written, but without its zero fields
        assert "name" not in written["destination"]
        assert written["ignoreDifferences"] == [{"kind": "ConfigMap"}]
        assert compared_current(app, None)  # raywizard does not wait forever for an exact copy


def test_self_heal_backoff_steps_as_argo_cd_v3() -> None:
    from raywizard.sandbox.controllers.argocd_operations import self_heal_delay

    assert [self_heal_delay(n) for n in range(8)] == [0.0, 2.0, 6.0, 18.0, 54.0, 162.0, 300.0, 300.0]


def test_self_heal_counts_its_attempts_in_the_operation_and_syncs_only_what_drifted() -> None:
    with running_sandbox(speed=50) as cluster:
        for app in guide_apps():
            cluster.store.create(APPS, app, namespace="argocd")
        wait_for(lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), what="synced")
        wait_for(lambda: cluster.store.get(*RC), what="the RayCluster")

        def num_cpus() -> Any:
            rc = cluster.store.get(*RC) or {}
            return ((rc.get("spec") or {}).get("headGroupSpec") or {}).get("rayStartParams", {}).get("num-cpus")

        for attempt in (1, 2, 3):
            cluster.store.patch(
                RC[0], RC[1], RC[2], {"spec": {"headGroupSpec": {"rayStartParams": {"num-cpus": "7"}}}}, "merge"
            )

            def healed(expected: int = attempt) -> dict[str, Any] | None:
                app = cluster.store.get(APPS, "argocd", "raycluster") or {}
                state = (app.get("status") or {}).get("operationState") or {}
                sync = (state.get("operation") or {}).get("sync") or {}
                done = state.get("phase") == "Succeeded" and sync.get("selfHealAttemptsCount") == expected
                return app if done and num_cpus() == "0" else None

            app = wait_for(healed, timeout=60, what=f"self-heal #{attempt}")
        operation = app["status"]["operationState"]["operation"]
        assert operation["initiatedBy"] == {"automated": True}
        assert operation["sync"]["resources"] == [{"kind": "RayCluster", "group": "ray.io", "name": RC[2]}]
        assert operation["sync"]["source"] == app["spec"]["source"]


def test_git_revisions_are_the_real_commits_of_the_tags() -> None:
    with running_sandbox(speed=50) as cluster:
        crds = next(a for a in guide_apps() if a["metadata"]["name"] == "ray-operator-crds")
        cluster.store.create(APPS, crds, namespace="argocd")
        wait_for(lambda: app_status(cluster, "ray-operator-crds")[0] == "Synced", what="synced")
        app = cluster.store.get(APPS, "argocd", "ray-operator-crds")
        assert app["status"]["sync"]["revision"] == "9e8a2c085b7b7c96cf7cc5d857787bc2d78406c6"  # v1.5.1
