"""(c) Apply to the sandbox cluster from the wizard and land on the dashboard (or the status summary)."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import DataTable, Static

from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.app import create_app
from raywizard.tui.model import WizardStep
from raywizard.tui.screens.apply import ApplyScreen
from raywizard.tui.screens.modals import ConfirmModal
from tests.tui.conftest import SIZE


async def wait_for(pilot: Any, condition: Any, seconds: float = 90.0) -> None:
    """Let the app run until ``condition()`` holds (workers post their results meanwhile)."""
    for _ in range(int(seconds / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("condition not reached")


async def test_apply_to_sandbox_then_dashboard(sandbox: Any) -> None:
    app = create_app(preset="minimal", kubeconfig=str(sandbox.kubeconfig_path), context=SANDBOX_CONTEXT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.connection is not None or app.connection_error)
        assert app.connection is not None, app.connection_error
        assert app.connection.server_url == sandbox.url
        assert app.preflight, "preflight checks ran"
        app.goto(WizardStep.APPLY)
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
        screen = app.screen
        assert isinstance(screen, ApplyScreen)
        assert screen.query_one("#apply-steps", DataTable).row_count == 3
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        assert SANDBOX_CONTEXT in app.screen.question and sandbox.url in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.applied or "failed" in str(
            screen.query_one("#apply-result", Static).render()), seconds=120)
        assert screen.applied, str(screen.query_one("#apply-result", Static).render())
        steps = screen.query_one("#apply-steps", DataTable)
        assert [steps.get_row(key)[0] for key in ("crds", "operator", "raycluster")] == ["✓", "✓", "✓"]
        await wait_for(pilot, lambda: app.screen is not screen)
        assert type(app.screen).__name__ in ("DashboardScreen", "StatusSummaryScreen")
        await asyncio.sleep(0)
