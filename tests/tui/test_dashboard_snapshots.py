"""Snapshot tests of the dashboard at fixed sizes, over deterministic data (a ClusterState built from fixed
JSON and a fixed clock), so that a frame only changes when the layout or the rendering does.
"""

from __future__ import annotations

from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp
from tests.tui.dashboard_data import NOW, filled_state
from tests.tui.helpers import dashboard_ticks
from tests.waiting import wait_until


def dashboard() -> DashboardApp:
    return DashboardApp(None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW)


async def settle(pilot: Any) -> None:
    """Until the worker groups (counted on a thread) are on screen, then three more ticks: a cold first test
    could otherwise shoot before them."""
    from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel

    screen = pilot.app.dashboard
    await wait_until(pilot, lambda: screen.query_one(WorkerGroupsPanel).lines and screen.ticks_applied,
                     what="the worker groups on screen")
    await dashboard_ticks(pilot, 3)


@pytest.mark.parametrize("size", [(120, 40), (100, 32), (80, 24)])
def test_dashboard(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(), run_before=settle, terminal_size=size)


def test_dashboard_filtered_pods(snap_compare: Any) -> None:
    async def filter_pending(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.dashboard.query_one("#dash-filter").cursor_blink = False  # a blinking cursor is not a change
        await pilot.press("slash", *"pending")
        await settle(pilot)

    assert snap_compare(dashboard(), run_before=filter_pending, terminal_size=(120, 40))


def test_sync_confirmation(snap_compare: Any) -> None:
    async def ask(pilot: Any) -> None:
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        await settle(pilot)
        pods = pilot.app.dashboard.query_one(PodsTable)
        # DataTable measures new rows when idle: shoot after it did
        await wait_until(pilot, lambda: pods.columns["name"].content_width > len("NAME"), what="rows measured")
        pilot.app.dashboard.session.connection = type("Conn", (), {"context_name": "prod", "server_url": "https://k8s"})()
        await pilot.press("s")
        await wait_until(pilot, lambda: pilot.app.screen is not pilot.app.dashboard, what="the confirmation")
        await dashboard_ticks(pilot, 3)  # snap_compare then waits for the modal's animations

    assert snap_compare(dashboard(), run_before=ask, terminal_size=(120, 40))


def test_describe_raycluster(snap_compare: Any) -> None:
    async def describe(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(dashboard(), run_before=describe, terminal_size=(100, 32))
