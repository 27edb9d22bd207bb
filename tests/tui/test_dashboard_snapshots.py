"""Snapshot tests of the dashboard at fixed sizes, over deterministic data (a ClusterState built from fixed
JSON and a fixed clock), so that a frame only changes when the layout or the rendering does.
"""

from __future__ import annotations

from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp
from tests.tui.dashboard_data import NOW, filled_state


def dashboard() -> DashboardApp:
    return DashboardApp(None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW)


async def settle(pilot: Any) -> None:
    """Until the worker groups (counted on a thread) are on screen, then two more ticks: a cold first test
    could otherwise shoot before them."""
    from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel

    for _ in range(40):
        await pilot.pause(0.12)
        screen = pilot.app.dashboard
        if screen.query_one(WorkerGroupsPanel).lines and screen.ticks_applied:
            break
    for _ in range(3):
        await pilot.pause(0.12)


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
        for _ in range(20):  # DataTable measures new rows when idle: shoot after it did
            if pods.columns["name"].content_width > len("NAME"):
                break
            await pilot.pause(0.12)
        pilot.app.dashboard.session.connection = type("Conn", (), {"context_name": "prod", "server_url": "https://k8s"})()
        await pilot.press("s")
        for _ in range(6):  # the modal and its fade-in
            await pilot.pause(0.12)

    assert snap_compare(dashboard(), run_before=ask, terminal_size=(120, 40))


def test_describe_raycluster(snap_compare: Any) -> None:
    async def describe(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(dashboard(), run_before=describe, terminal_size=(100, 32))
