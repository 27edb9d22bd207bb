"""(c) Apply to the sandbox cluster from the wizard and land on the dashboard (or the status summary)."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Static

from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.apply import ApplyScreen
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.tui.conftest import SIZE
from tests.tui.helpers import dashboard_ticks
from tests.waiting import wait_until


async def test_apply_to_sandbox_then_dashboard(sandbox: Any) -> None:
    app = create_app(preset="minimal", kubeconfig=str(sandbox.kubeconfig_path), context=SANDBOX_CONTEXT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
        assert app.connection is not None, app.connection_error
        assert app.connection.server_url == sandbox.url
        assert app.preflight, "preflight checks ran"
        app.goto(WizardStep.APPLY)
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
        screen = app.screen
        assert isinstance(screen, ApplyScreen)
        assert screen.query_one("#apply-steps", DataTable).row_count == 3
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert SANDBOX_CONTEXT in app.screen.question and sandbox.url in app.screen.question
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.applied or "failed" in str(
            screen.query_one("#apply-result", Static).render()), timeout=120)
        assert screen.applied, str(screen.query_one("#apply-result", Static).render())
        steps = screen.query_one("#apply-steps", DataTable)
        assert [steps.get_row(key)[0].plain for key in ("crds", "operator", "raycluster")] == ["✓", "✓", "✓"]
        await wait_until(pilot, lambda: app.screen is not screen)
        assert type(app.screen).__name__ == "DashboardScreen"
        await dashboard_ticks(pilot, 1)  # up and running before the app closes (not still mounting)


async def test_tweak_running_cluster_loads_live_applications(sandbox: Any) -> None:
    from raywizard.documents.presets import load_preset
    from raywizard.kube.apply import execute_apply, plan_apply
    from raywizard.kube.connection import load_connection
    from raywizard.render.applications import render_applications

    applied = load_preset("minimal")
    applied.worker_groups[0].max_replicas = 4
    connection = load_connection(str(sandbox.kubeconfig_path), SANDBOX_CONTEXT)
    try:
        execute_apply(connection, plan_apply(connection, applied), wait=False)
    finally:
        connection.close()

    app = create_app(kubeconfig=str(sandbox.kubeconfig_path), context=SANDBOX_CONTEXT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
        assert app.current_step is WizardStep.START
        await pilot.press("l")
        await wait_until(pilot, lambda: app.current_step is WizardStep.VERSIONS)
        assert render_applications(app.model.spec) == render_applications(applied)
        assert not app.model.dirty  # what is live counts as saved


async def test_dead_api_server_shows_an_error_not_a_traceback(tmp_path: Any) -> None:
    import socket

    from raywizard.sandbox.kubeconfig import write_kubeconfig

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", f"http://127.0.0.1:{port}", "token")
    app = create_app(preset="minimal", kubeconfig=str(kubeconfig), context=SANDBOX_CONTEXT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
        app.goto(WizardStep.START, force=True)
        await pilot.pause()
        summary = str(app.screen.query_one("#cluster-summary", Static).render())
        assert "✗" in summary, summary  # a failed preflight check or the connection error, in words
        assert "Traceback" not in summary
        assert app.is_running


async def test_slow_api_keeps_the_ui_responsive(sandbox: Any) -> None:
    # One preflight check (the CRD read) stays unanswered until released: the wizard is connecting for exactly as
    # long as the test needs, however slow the machine.
    sandbox.faults.hold("get", "customresourcedefinitions")
    try:
        app = create_app(kubeconfig=str(sandbox.kubeconfig_path), context=SANDBOX_CONTEXT)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.connecting)
            # A spinner, not a frozen screen (shown once the screen has seen the state change).
            await wait_until(pilot, lambda: app.screen.query_one("#cluster-spinner").display)
            await pilot.press("ctrl+n")  # the UI answers while the preflight is still waiting
            await wait_until(pilot, lambda: app.current_step is WizardStep.VERSIONS)
            assert app.connecting
            # The other checks report as they finish (the start screen shows "Connecting… preflight 3/9: …").
            await wait_until(pilot, lambda: "preflight" in app.preflight_progress, timeout=60)
            assert app.connecting
            sandbox.faults.release()
            await wait_until(pilot, lambda: not app.connecting, timeout=60)
            assert app.connection is not None
    finally:
        sandbox.faults.clear()


async def test_forbidden_apply_reports_the_reason(sandbox: Any) -> None:
    app = create_app(preset="minimal", kubeconfig=str(sandbox.kubeconfig_path), context=SANDBOX_CONTEXT,
                     start_step="apply")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
            screen = app.screen
            assert isinstance(screen, ApplyScreen)
            sandbox.faults.forbid("patch", "applications")
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("y")
            result = screen.query_one("#apply-result", Static)
            await wait_until(pilot, lambda: not screen.applying and "Applying" not in str(result.render()))
            text = str(result.render())
            assert text.startswith("✗"), text
            assert "403" in text or "forbidden" in text.lower(), text
            assert "Traceback" not in text
            assert not screen.applied
    finally:
        sandbox.faults.clear()
