"""The Apply step when someone else touched the Applications: a field owned by another manager is shown with
the plan and taken over only after a confirmation that says so; a plan the cluster moved past is re-planned, never
answered with CLI advice."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.apply import ApplyScreen
from tests.tui.conftest import SIZE
from tests.tui.helpers import dashboard_ticks
from tests.waiting import wait_until


def _patch_worker_max(sandbox: Any, value: int, *, manager: str) -> None:
    """Another field manager sets the RayCluster Application's worker maxReplicas (server-side apply)."""
    from raywizard.kube import resources
    from raywizard.kube.connection import load_connection

    body = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "raycluster", "namespace": "argocd"},
            "spec": {"source": {"helm": {"valuesObject": {"worker": {"maxReplicas": value}}}}}}
    connection = load_connection(str(sandbox.kubeconfig_path), SANDBOX_CONTEXT)
    try:
        response = resources._custom_api(connection).patch_namespaced_custom_object(
            "argoproj.io", "v1alpha1", "argocd", "applications", "raycluster", body, field_manager=manager,
            force=True, _content_type=resources.APPLY_PATCH, _preload_content=False)
        assert response.status == 200
        response.read()  # an unread response keeps its connection out of the pool, open after close()
        response.release_conn()
    finally:
        connection.close()


def _live_worker_max(sandbox: Any) -> int:
    from raywizard.kube import resources
    from raywizard.kube.connection import load_connection

    connection = load_connection(str(sandbox.kubeconfig_path), SANDBOX_CONTEXT)
    try:
        live = resources.get_custom(connection, resources.APPLICATIONS, "argocd", "raycluster")
    finally:
        connection.close()
    assert live is not None
    return int(live["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"])


def _apply_minimal(sandbox: Any, max_replicas: int) -> None:
    from raywizard.documents.presets import load_preset
    from raywizard.kube.apply import execute_apply, plan_apply
    from raywizard.kube.connection import load_connection

    spec = load_preset("minimal")
    spec.worker_groups[0].max_replicas = max_replicas
    connection = load_connection(str(sandbox.kubeconfig_path), SANDBOX_CONTEXT)
    try:
        execute_apply(connection, plan_apply(connection, spec), wait=False, force=True)
    finally:
        connection.close()


def _wizard(sandbox: Any, max_replicas: int) -> Any:
    app = create_app(preset="minimal", kubeconfig=str(sandbox.kubeconfig_path), context=SANDBOX_CONTEXT,
                     start_step="apply")
    app.model.spec.worker_groups[0].max_replicas = max_replicas
    app.model.changed()
    return app


async def test_field_owned_by_another_manager_is_taken_over_after_saying_so(sandbox: Any) -> None:
    _apply_minimal(sandbox, 4)
    _patch_worker_max(sandbox, 6, manager="kubectl-patch")
    app = _wizard(sandbox, 8)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
        screen = app.screen
        assert isinstance(screen, ApplyScreen)
        result = str(screen.query_one("#apply-result", Static).render())
        assert "another field manager" in result and "kubectl-patch" in result, result
        assert "--force" not in result
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.yes == "Take over and apply"
        assert "kubectl-patch" in app.screen.detail
        assert "maxReplicas: 6 → 8" in app.screen.detail  # the one change, named
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.applied or "failed" in str(
            screen.query_one("#apply-result", Static).render()), timeout=120)
        assert screen.applied, str(screen.query_one("#apply-result", Static).render())
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
        await dashboard_ticks(pilot, 1)  # its watches started before the app closes (not still mounting)
    assert _live_worker_max(sandbox) == 8


async def test_a_plan_the_cluster_moved_past_is_planned_again(sandbox: Any) -> None:
    _apply_minimal(sandbox, 4)
    app = _wizard(sandbox, 5)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
        screen = app.screen
        assert isinstance(screen, ApplyScreen)
        first_plan = screen.plan
        _apply_minimal(sandbox, 3)  # someone else applies between the plan and the apply
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.plan is not None and screen.plan is not first_plan
                       and not screen.applying, timeout=60)
        text = str(screen.query_one("#apply-result", Static).render())
        assert "Nothing was applied: the cluster changed" in text, text
        assert "Plan ready" in text and "--force" not in text and "raywizard diff" not in text
        assert not screen.applied
    assert _live_worker_max(sandbox) == 3
