"""The wizard's Apply step on the sandbox: after an apply that changes a group's pod template it says how many of
the group's running pods still run the previous template (KubeRay does not restart them) and how to restart them,
and hands the same line to the dashboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import Static

from raywizard.fields.set_paths import set_path
from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.apply import ApplyScreen
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.plugins.sandbox import running_sandbox
from tests.tui.conftest import SIZE
from tests.tui.helpers import dashboard_ticks
from tests.waiting import wait_for, wait_until

pytestmark = pytest.mark.cluster




def _running(cluster: Any, group: str) -> int:
    pods = cluster.store.list("pods", "ray-cluster", label_selector=f"ray.io/group={group}")
    return sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running"
               and not p["metadata"].get("deletionTimestamp"))


async def test_apply_step_counts_the_running_pods_on_the_previous_template(tmp_path: Any) -> None:
    from raywizard.documents.presets import load_preset
    from raywizard.kube.apply import execute_apply, plan_apply
    from raywizard.kube.connection import load_connection

    with running_sandbox(speed=20) as sandbox:
        cluster: Any = sandbox
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        connection = load_connection(str(kubeconfig), SANDBOX_CONTEXT)
        try:
            execute_apply(connection, plan_apply(connection, load_preset("argocd-guide")), wait=True)
        finally:
            connection.close()
        wait_for(lambda: _running(cluster, "standard-worker") >= 1, timeout=90, what="a standard worker")

        app = create_app(preset="argocd-guide", kubeconfig=str(kubeconfig), context=SANDBOX_CONTEXT)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
            assert app.connection is not None, app.connection_error
            for setting in ("cpuRequest", "cpuLimit"):  # the group's pod template changes
                set_path(app.model.spec, f"workerGroups.standard-worker.{setting}", "2")
            app.goto(WizardStep.APPLY)
            await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
            screen = app.screen
            assert isinstance(screen, ApplyScreen)
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press("y")
            result = screen.query_one("#apply-result", Static)
            await wait_until(pilot, lambda: screen.applied or "failed" in str(result.render()), timeout=150)
            said = str(result.render())
            assert screen.applied, said
            stale = re.search(r"⚠ (\d+) of (\d+) running pods of standard-worker still run the old template "
                              r"\(ray-worker resources\.\w+\.cpu: 1 -> 2", said)
            assert stale is not None and 1 <= int(stale.group(1)) <= int(stale.group(2)), said
            assert ("KubeRay does not restart them; restart the group from the dashboard (T) or delete its pods "
                    "(raywizard restart standard-worker)") in said
            assert "additional-worker-group1" not in said  # its template did not change
            assert any("of standard-worker still run the old template" in line for line in screen.timeline)
            await wait_until(pilot, lambda: app.screen is not screen)
            assert type(app.screen).__name__ == "DashboardScreen"
            assert any("old template" in line for line in app.screen.apply_timeline)  # type: ignore[attr-defined]
            await dashboard_ticks(pilot, 1)  # up and running before the app closes (not still mounting)
