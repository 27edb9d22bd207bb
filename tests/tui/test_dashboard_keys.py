"""The dashboard's keys as a k9s user expects them: ``?`` lists them by panel, the command palette offers the
dashboard's commands, a keys file remaps them by binding id, F2 in the wizard comes back to the dashboard, and a
normal refresh needs no confirmation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp, DashboardScreen
from raywizard.tui.dashboard.help import HelpScreen, commands, help_rows
from raywizard.tui.dashboard.keys import KEYS_ENV, read_keymap
from raywizard.tui.dashboard.widgets.pods import PodsTable
from tests.tui.dashboard_data import NOW, filled_state
from tests.tui.helpers import dashboard_ticks
from tests.tui.test_dashboard_sandbox import guide_sandbox  # noqa: F401  (a fixture)

SIZE = (120, 40)


def make_app() -> DashboardApp:
    return DashboardApp(None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW)



@pytest.fixture(autouse=True)
def no_keys_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Never the developer's keys file: each test names its own (absent unless written)."""
    path = tmp_path / "keys.yaml"
    monkeypatch.setenv(KEYS_ENV, str(path))
    return path


async def test_question_mark_lists_the_keys_by_panel() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        await pilot.press("question_mark")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, HelpScreen)
        assert app.screen.panels == ["Applications", "Pods", "Events", "RayCluster and Ray", "Everywhere"]
        rows = dict(help_rows(app.dashboard))
        assert ("s", "sync the highlighted Application (asks first)") in rows["Applications"]
        assert any(key == "l" and "container" in text for key, text in rows["Pods"])
        await pilot.press("escape")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, DashboardScreen)


async def test_palette_offers_the_dashboards_commands() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        screen = app.dashboard
        titles = [title for title, _, _ in commands(screen)]
        for wanted in ("Sync (s)", "Refresh (r)", "Logs (l)", "Filter (/)", "Sort (o)", "Pod YAML (d)",
                       "Ray UI (p)", "Edit groups (w)", "Help (?)"):
            assert wanted in titles
        # Through the palette itself: type, pick, and the action runs on the dashboard.
        pods = screen.query_one(PodsTable)
        before = pods.sort_column
        await pilot.press("ctrl+p")
        await dashboard_ticks(pilot, 1)
        await pilot.press(*"Sort (o)", "enter")
        await dashboard_ticks(pilot, 2)
        assert app.screen is screen
        assert pods.sort_column != before


async def test_keys_file_remaps_by_binding_id(no_keys_file: Path) -> None:
    no_keys_file.write_text("dashboard.sort: x\ndashboard.help: ctrl+h\n", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        screen = app.dashboard
        pods = screen.query_one(PodsTable)
        pods.focus()
        await pilot.press("x")
        await dashboard_ticks(pilot, 1)
        assert pods.sort_column == "group"  # the next column after NAME
        rows = dict(help_rows(screen))
        assert ("x", "sort by the next column") in rows["Pods"]
        assert any(title == "Sort (x)" for title, _, _ in commands(screen))
        await pilot.press("ctrl+h")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, HelpScreen)


async def test_a_broken_keys_file_is_one_warning_and_the_default_keys(no_keys_file: Path) -> None:
    no_keys_file.write_text("dashboard.sort: [x\n", encoding="utf-8")
    assert read_keymap(no_keys_file)[1].startswith(f"{no_keys_file} is not YAML")
    no_keys_file.write_text("dashboard.sort: ''\ndashboard.help: '?'\n", encoding="utf-8")
    keymap, problem = read_keymap(no_keys_file)
    assert keymap == {"dashboard.help": "question_mark"} and "ignored dashboard.sort" in problem
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        assert any("ignored dashboard.sort" in n.message for n in app._notifications)
        await pilot.press("o")
        await dashboard_ticks(pilot, 1)
        assert app.dashboard.query_one(PodsTable).sort_column == "group"


async def test_normal_refresh_asks_nothing_hard_refresh_asks() -> None:
    from raywizard.tui.dashboard.dialogs import ConfirmWrite

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        await pilot.press("r")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, DashboardScreen)  # no confirmation (here: nothing to write to)
        assert any("Not connected" in n.message for n in app._notifications)
        await pilot.press("R")
        await dashboard_ticks(pilot, 1)
        assert not isinstance(app.screen, ConfirmWrite)  # without a connection nothing is asked either


@pytest.mark.slow
@pytest.mark.cluster
async def test_normal_refresh_on_the_sandbox_writes_without_asking(guide_sandbox: tuple[Any, Any]) -> None:  # noqa: F811
    from raywizard.tui.dashboard.dialogs import ConfirmWrite
    from raywizard.tui.dashboard.widgets.apps import ApplicationsTable
    from tests.waiting import wait_until

    _, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        apps = screen.query_one(ApplicationsTable)
        await wait_until(pilot, lambda: "argocd/raycluster" in apps.rows_by_key, what="the Applications")
        apps.focus()
        apps.move_cursor(row=apps.get_row_index("argocd/raycluster"))
        await pilot.press("r")
        await wait_until(
            pilot,
            lambda: any("Refresh of raycluster requested" in n.message for n in app._notifications),
            what="the refresh",
        )
        assert not isinstance(app.screen, ConfirmWrite)  # sent without asking


async def test_f2_in_the_wizard_comes_back_to_the_dashboard() -> None:
    from raywizard.tui.wizard.app import create_app
    from raywizard.tui.wizard.screens.workers import WorkersScreen

    wizard = create_app(preset="argocd-guide", offline=True)
    async with wizard.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        dashboard = DashboardScreen(None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW)
        wizard.push_screen(dashboard)
        await dashboard_ticks(pilot)
        # The palette over the dashboard offers the dashboard's commands, not the wizard's steps.
        names = [command.title for command in wizard.get_system_commands(dashboard)]
        assert not any(name.startswith("Go to") for name in names)
        from raywizard.tui.wizard.screens.base import StepScreen

        await pilot.press("f2")  # already on the dashboard: stays
        await dashboard_ticks(pilot, 1)
        assert wizard.screen is dashboard
        wizard.push_screen(WorkersScreen())
        await dashboard_ticks(pilot, 1)
        assert isinstance(wizard.screen, StepScreen)
        await pilot.press("f2")
        await dashboard_ticks(pilot, 1)
        assert wizard.screen is dashboard
