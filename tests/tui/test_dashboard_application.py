"""One Application as Argo CD shows it: a (or Enter in the Applications panel) opens its resource tree from
status.resources with the RayCluster's pods under it, its YAML, the sync history and the last operation in
full."""

from __future__ import annotations

import copy
from typing import Any

from textual.widgets import Static, Tree

from raywizard.documents.presets import load_preset
from raywizard.kube.state import ClusterState
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.argocd_views import ApplicationScreen, history_rows, resource_rows
from raywizard.tui.dashboard.widgets.apps import ApplicationsTable
from tests.tui.dashboard_data import CLUSTER, NOW, NS, application, filled_state
from tests.tui.helpers import dashboard_ticks

SIZE = (120, 40)
SHA = "3f2a9c1d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c"
FAILED = ("one or more objects failed to apply, reason: RayCluster.ray.io \"raycluster-kuberay\" is invalid: "
          "spec.workerGroupSpecs[0].maxReplicas: Invalid value: -1: spec.workerGroupSpecs[0].maxReplicas in body "
          "should be greater than or equal to 0")


def cluster_application() -> dict[str, Any]:
    app = application("raycluster", sync="OutOfSync", phase="Failed", message=FAILED, rv=7)
    status = app["status"]
    status["resources"] = [
        {"group": "ray.io", "version": "v1", "kind": "RayCluster", "namespace": NS, "name": CLUSTER,
         "status": "OutOfSync", "health": {"status": "Progressing", "message": "1 of 4 workers pending"}},
        {"version": "v1", "kind": "ConfigMap", "namespace": NS, "name": "ray-config", "status": "Synced"},
        {"version": "v1", "kind": "Service", "namespace": NS, "name": "old-svc", "status": "OutOfSync",
         "requiresPruning": True},
    ]
    status["history"] = [
        {"id": 0, "revision": "1.5.0", "deployedAt": "2026-11-25T18:00:00Z", "deployStartedAt": "2026-11-25T17:59:58Z",
         "source": {"repoURL": "https://ray-project.github.io/kuberay-helm/", "chart": "ray-cluster",
                    "targetRevision": "1.5.0"},
         "initiatedBy": {"username": "admin"}},
        {"id": 1, "revision": SHA, "deployedAt": "2026-11-25T20:00:00Z", "deployStartedAt": "2026-11-25T19:59:59Z",
         "source": {"repoURL": "https://git.example/ml/ray.git", "path": "clusters/prod", "targetRevision": "main"},
         "initiatedBy": {"automated": True}},
    ]
    status["operationState"]["operation"] = {"sync": {"revision": SHA}, "initiatedBy": {"username": "raywizard"}}
    status["operationState"]["syncResult"] = {"resources": [
        {"kind": "RayCluster", "namespace": NS, "name": CLUSTER, "status": "SyncFailed", "message": FAILED},
        {"kind": "ConfigMap", "namespace": NS, "name": "ray-config", "status": "Synced",
         "message": "configmap/ray-config unchanged"},
    ]}
    return app


def state_with_tree() -> ClusterState:
    state = filled_state()
    state.apply_event("applications", "MODIFIED", cluster_application())
    return state


def make_app() -> DashboardApp:
    return DashboardApp(None, load_preset("argocd-guide"), state=state_with_tree(), clock=lambda: NOW)



def test_rows_from_status() -> None:
    app = cluster_application()
    kinds = [row["kind"] for row in resource_rows(app)]
    assert kinds == ["ConfigMap", "Service", "RayCluster"]  # the order Argo CD syncs them in
    rows = history_rows(app)
    assert [row["id"] for row in rows] == ["1", "0"]  # newest first
    assert rows[0]["revision"] == SHA[:8] and rows[0]["by"] == "automated"
    assert "path clusters/prod @ main" in rows[0]["source"]
    empty = copy.deepcopy(app)
    del empty["status"]["history"]
    assert history_rows(empty) == []


async def test_tree_yaml_history_and_the_last_operation_in_full() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot, 4)
        apps = app.dashboard.query_one(ApplicationsTable)
        apps.focus()
        apps.move_cursor(row=apps.get_row_index("argocd/raycluster"))
        await pilot.press("enter")
        await dashboard_ticks(pilot, 1)
        view = app.screen
        assert isinstance(view, ApplicationScreen) and view.active_tab == "resources"
        tree = view.query_one(Tree)
        labels = [str(node.label) for node in tree.root.children]
        assert labels == ["ConfigMap (1)", "Service (1)", "RayCluster (1)"]
        raycluster = tree.root.children[2].children[0]
        assert "OutOfSync" in str(raycluster.label) and "1 of 4 workers pending" in str(raycluster.label)
        pods = [str(leaf.label) for leaf in raycluster.children]
        assert len(pods) == 5 and any("Pending" in p for p in pods)
        assert "requires pruning" in str(tree.root.children[1].children[0].label)
        await pilot.press("y")
        await dashboard_ticks(pilot, 1)
        assert view.active_tab == "yaml"
        assert "operationState:" in str(view.query_one("#application-yaml", Static).render())
        await pilot.press("h")
        await dashboard_ticks(pilot, 1)
        assert view.active_tab == "history" and [r["revision"] for r in view.history] == [SHA[:8], "1.5.0"]
        await pilot.press("m")
        await dashboard_ticks(pilot, 1)
        operation = str(view.query_one("#application-operation", Static).render())
        assert FAILED in operation.replace("\n", " ") or "greater than or equal to 0" in operation
        assert "SyncFailed" in operation and "configmap/ray-config unchanged" in operation
        await pilot.press("escape")
        await dashboard_ticks(pilot, 1)
        assert app.screen is app.dashboard
        await pilot.press("a")  # the key from anywhere on the dashboard
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, ApplicationScreen)
