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
from tests.tui.test_dashboard_snapshots import settle


@pytest.fixture(autouse=True)
def no_keys_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(KEYS_ENV, str(tmp_path / "keys.yaml"))


def dashboard() -> DashboardApp:
    return DashboardApp(None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW)


def test_help(snap_compare: Any) -> None:
    async def open_help(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.3)

    assert snap_compare(dashboard(), run_before=open_help, terminal_size=(120, 40))


def test_logs_with_the_container_picker(snap_compare: Any) -> None:
    from raywizard.tui.dashboard.logs import ContainerPicker, LogOptions, PodLogsScreen
    from tests.tui.test_dashboard_logs import HEAD, LogsApp, fixed_reader, wait_lines

    logs = PodLogsScreen([HEAD], fixed_reader([]), LogOptions("ray-head", tail=10))

    async def open_picker(pilot: Any) -> None:
        await wait_lines(pilot, logs, 10)
        await pilot.press("c")
        await pilot.pause(0.2)
        assert isinstance(pilot.app.screen, ContainerPicker)

    assert snap_compare(LogsApp(logs), run_before=open_picker, terminal_size=(100, 30))


def test_events_expanded(snap_compare: Any) -> None:
    async def expand(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause(0.3)
        await pilot.press("g")
        await pilot.pause(0.2)
        await pilot.press("up", "enter")
        await pilot.pause(0.3)

    assert snap_compare(dashboard(), run_before=expand, terminal_size=(120, 40))


def test_resource_tree(snap_compare: Any) -> None:
    from raywizard.tui.dashboard.widgets.apps import ApplicationsTable
    from tests.tui.test_dashboard_application import state_with_tree

    app = DashboardApp(None, load_preset("argocd-guide"), state=state_with_tree(), clock=lambda: NOW)

    async def open_tree(pilot: Any) -> None:
        await settle(pilot)
        apps = pilot.app.dashboard.query_one(ApplicationsTable)
        apps.move_cursor(row=apps.get_row_index("argocd/raycluster"))
        await pilot.press("a")
        await pilot.pause(0.4)

    assert snap_compare(app, run_before=open_tree, terminal_size=(120, 40))
