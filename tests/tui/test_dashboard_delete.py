"""Delete from the dashboard (ctrl+d) on the sandbox: the confirmation lists what the cascade removes; for the
CRDs Application it counts every Ray custom resource in the cluster and wants the Application's name typed."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Button, Static

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.delete_confirm import DeleteConfirm
from raywizard.tui.dashboard.widgets.apps import ApplicationsTable
from tests.tui.test_dashboard_sandbox import guide_sandbox  # noqa: F401  (a fixture)
from tests.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
SIZE = (120, 40)
APPS = "applications.argoproj.io"


def crds_listed(cluster: Any) -> bool:
    app = cluster.store.get(APPS, "argocd", "ray-operator-crds") or {}
    return any(r.get("kind") == "CustomResourceDefinition" for r in (app.get("status") or {}).get("resources") or [])


async def test_delete_lists_the_cascade_and_wants_the_crds_name_typed(guide_sandbox: tuple[Any, Any]) -> None:  # noqa: F811
    cluster, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        apps = screen.query_one(ApplicationsTable)
        await wait_until(pilot, lambda: len(apps.rows_by_key) == 3 and crds_listed(cluster)
                         and cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay"),
                         what="the guide's Applications with their resources")
        apps.focus()
        apps.move_cursor(row=apps.get_row_index("argocd/ray-operator-crds"))
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, DeleteConfirm), what="the delete confirmation")
        confirm = app.screen
        assert isinstance(confirm, DeleteConfirm)
        assert confirm.needs_name and confirm.plan.removes_crds
        counts = {c.crd: c.count for c in confirm.plan.custom_resources}
        assert counts.get("rayclusters.ray.io") == 1  # the guide's RayCluster, in another namespace
        details = str(confirm.query_one("#delete-details", Static).render())
        assert "deleting rayclusters.ray.io also deletes every RayCluster in the cluster: 1" in details
        yes = confirm.query_one("#delete-yes", Button)
        assert yes.disabled
        await pilot.press(*"ray-operator-crd")
        assert yes.disabled  # not the whole name yet
        await pilot.press("s")
        await wait_until(pilot, lambda: not yes.disabled, what="Delete enabled by the whole name")
        await pilot.press("escape")  # no: nothing is deleted
        await wait_until(pilot, lambda: not isinstance(app.screen, DeleteConfirm), what="the confirmation closed")
        assert cluster.store.get(APPS, "argocd", "ray-operator-crds") is not None

        # The RayCluster Application: its resources and the pods that go with the RayCluster; no name to type.
        apps.move_cursor(row=apps.get_row_index("argocd/raycluster"))
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: isinstance(app.screen, DeleteConfirm), what="the second confirmation")
        confirm = app.screen
        assert isinstance(confirm, DeleteConfirm)
        assert not confirm.needs_name
        assert any("RayCluster ray-cluster/raycluster-kuberay with its" in line for line in confirm.plan.lines())
        await pilot.click("#delete-yes")
        await wait_until(pilot, lambda: cluster.store.get(APPS, "argocd", "raycluster") is None, timeout=60,
                         what="the Application deleted with its cascade")
