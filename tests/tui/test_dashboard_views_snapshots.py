"""Snapshots of the dashboard's views over deterministic data: help, logs with the container picker, events
expanded, an Application's resource tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.keys import KEYS_ENV
from tests.tui.dashboard_data import NOW, filled_state
from tests.tui.helpers import dashboard_ticks
from tests.tui.test_dashboard_snapshots import settle
from tests.waiting import wait_until


@pytest.fixture(autouse=True)
def no_keys_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(KEYS_ENV, str(tmp_path / "keys.yaml"))


def dashboard() -> DashboardApp:
    return DashboardApp(None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW)


def test_help(snap_compare: Any) -> None:
    async def open_help(pilot: Any) -> None:
        from raywizard.tui.dashboard.help import HelpScreen

        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), what="the help screen")
        await dashboard_ticks(pilot)

    assert snap_compare(dashboard(), run_before=open_help, terminal_size=(120, 40))


def test_logs_with_the_container_picker(snap_compare: Any) -> None:
    from raywizard.tui.dashboard.logs import ContainerPicker, LogOptions, PodLogsScreen
    from tests.tui.test_dashboard_logs import HEAD, LogsApp, fixed_reader, wait_lines

    logs = PodLogsScreen([HEAD], fixed_reader([]), LogOptions("ray-head", tail=10))

    async def open_picker(pilot: Any) -> None:
        await wait_lines(pilot, logs, 10)
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ContainerPicker), what="the container picker")
        await pilot.pause()

    assert snap_compare(LogsApp(logs), run_before=open_picker, terminal_size=(100, 30))


def test_events_expanded(snap_compare: Any) -> None:
    async def expand(pilot: Any) -> None:
        from raywizard.tui.dashboard.events_view import EventDetails, EventsScreen

        await settle(pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EventsScreen), what="the events view")
        events = pilot.app.screen
        await dashboard_ticks(pilot)
        await pilot.press("g")
        await wait_until(pilot, lambda: events.grouped, what="events grouped")
        await dashboard_ticks(pilot)
        await pilot.press("up", "enter")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EventDetails), what="an event in full")
        await dashboard_ticks(pilot)

    assert snap_compare(dashboard(), run_before=expand, terminal_size=(120, 40))


def test_resource_tree(snap_compare: Any) -> None:
    from raywizard.tui.dashboard.argocd_views import ApplicationScreen
    from raywizard.tui.dashboard.widgets.apps import ApplicationsTable
    from tests.tui.test_dashboard_application import state_with_tree

    app = DashboardApp(None, load_preset("argocd-guide"), state=state_with_tree(), clock=lambda: NOW)

    async def open_tree(pilot: Any) -> None:
        await settle(pilot)
        apps = pilot.app.dashboard.query_one(ApplicationsTable)
        apps.move_cursor(row=apps.get_row_index("argocd/raycluster"))
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ApplicationScreen), what="the Application")
        await dashboard_ticks(pilot)

    assert snap_compare(app, run_before=open_tree, terminal_size=(120, 40))
