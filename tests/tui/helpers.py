"""Pilot helpers shared by the wizard tests."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from raywizard.tui.wizard.app import WizardApp
from tests.waiting import wait_until


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    """Replace the text of the Input at ``selector`` by typing, as a user would."""
    editor = pilot.app.screen.query_one(selector, Input)
    editor.focus()
    await pilot.pause()
    editor.value = ""
    await pilot.press(*text) if text else await pilot.pause()
    await settle(pilot)


async def fill(pilot: Pilot[int], selector: str, text: str) -> None:
    """Put ``text`` into the Input at once (long paths: typing them key by key only makes the test slow)."""
    editor = pilot.app.screen.query_one(selector, Input)
    editor.focus()
    editor.value = text
    await settle(pilot)


async def settle(pilot: Pilot[int]) -> None:
    """Let the app finish handling input, including the revalidation it defers until after the next frame."""
    await pilot.pause()
    app = pilot.app
    while getattr(app, "keys_pending", False):  # keys typed ahead go to the widgets one at a time
        await pilot.pause()
    if isinstance(app, WizardApp):
        app.flush_changes()
    await pilot.pause()


def app_of(pilot: Pilot[int]) -> WizardApp:
    app = pilot.app
    assert isinstance(app, WizardApp)
    return app


async def dashboard_ticks(pilot: Pilot[Any], ticks: int = 3) -> None:
    """Let the dashboard run ``ticks`` more of its data ticks (8 a second) and finish the worker-group count it
    started: what the cluster state held when this was called is then on screen. Counting the dashboard's own
    ticks instead of sleeping, a loaded machine only makes this slower. The time-based parts of the dashboard
    (sorting new rows once a second, counting groups twice a second) are reached by asking for enough ticks.
    Without a dashboard on the screen stack (a wizard before it opens one, a dashboard that has been left) it is
    ``settle``."""
    from raywizard.tui.dashboard.screen import DashboardScreen

    app = pilot.app
    dashboard = next((s for s in reversed(app.screen_stack) if isinstance(s, DashboardScreen)), None)
    if dashboard is None:
        await settle(pilot)
        return
    target = len(dashboard.tick_seconds) + ticks

    def settled() -> bool:
        if dashboard not in app.screen_stack or app.return_code is not None or not app.is_running:
            return True  # left: it ticks no more
        counting = any(worker.is_running for worker in app.workers if worker.group == "dashboard-groups")
        return len(dashboard.tick_seconds) >= target and not counting

    await wait_until(pilot, settled, what=f"{ticks} dashboard ticks")
    await pilot.pause()
