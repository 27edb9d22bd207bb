"""The wizard's Apply step on the sandbox warns, as diff and apply do, when a lowered maxReplicas is below the
workers a group runs, saying what KubeRay and the autoscaler do with the surplus."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.apply import ApplyScreen
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.plugins.sandbox import running_sandbox
from tests.tui.conftest import SIZE
from tests.waiting import wait_for, wait_until

pytestmark = pytest.mark.cluster




def _running(cluster: Any, group: str) -> int:
    pods = cluster.store.list("pods", "ray-cluster", label_selector=f"ray.io/group={group}")
    return sum(1 for p in pods if (p.get("status") or {}).get("phase") == "Running")


async def test_apply_step_warns_when_max_replicas_drops_below_the_running_workers(tmp_path: Any) -> None:
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
        cluster.set_load("steady")  # two workers above minReplicas 1 per group
        wait_for(lambda: _running(cluster, "standard-worker") == 3, timeout=90, what="three standard workers")

        app = create_app(preset="argocd-guide", kubeconfig=str(kubeconfig), context=SANDBOX_CONTEXT)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
            group = next(g for g in app.model.spec.worker_groups if g.name == "standard-worker")
            group.max_replicas = 2
            app.goto(WizardStep.APPLY)
            await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
            screen = app.screen
            assert isinstance(screen, ApplyScreen)
            said = str(screen.query_one("#apply-result", Static).render())
            assert "⚠ standard-worker: maxReplicas 2 is below the 3 running workers" in said, said
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            modal = app.screen
            assert isinstance(modal, ConfirmModal)
            assert "maxReplicas 2 is below the 3 running workers" in modal.detail
            await pilot.press("n")
        cluster.set_load("idle")
