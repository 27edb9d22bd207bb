"""Events as a k9s user reads them: the panel scrolls when focused and keeps Warning events only with W; the
events view (e, or Enter in the panel) filters, groups by object with counts and shows one event in full."""

from __future__ import annotations

from textual.widgets import DataTable

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.events_view import EventDetails, EventsScreen
from raywizard.tui.dashboard.widgets.events import EventsLog
from tests.tui.dashboard_data import NOW, event, filled_state
from tests.tui.helpers import dashboard_ticks

SIZE = (120, 40)


def make_app() -> DashboardApp:
    state = filled_state()
    for index in range(30):  # more than the panel shows: it must scroll
        state.apply_event("events", "ADDED", event(f"normal-{index}", "Pulled", f"pulled {index}",
                                                   seconds_ago=200 - index))
    return DashboardApp(None, load_preset("argocd-guide"), state=state, clock=lambda: NOW)



async def test_panel_scrolls_and_keeps_warnings_only() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot, 4)
        panel = app.dashboard.query_one(EventsLog)
        assert panel.warnings == 2 and panel.total == 34
        panel.focus()
        await dashboard_ticks(pilot, 1)
        bottom = panel.scroll_y
        await pilot.press("up", "up")
        await dashboard_ticks(pilot, 1)
        assert panel.scroll_y < bottom  # scrolled back through older events
        await pilot.press("W")
        await dashboard_ticks(pilot, 1)
        assert panel.warnings_only and len(panel.lines) == 2  # the two Warning events, and only them
        assert "Warning only" in str(app.dashboard.query_one("#events-panel").border_title)


async def test_events_view_filters_groups_and_expands() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot, 4)
        await pilot.press("e")
        await dashboard_ticks(pilot, 1)
        view = app.screen
        assert isinstance(view, EventsScreen)
        assert len(view.shown) == 34
        await pilot.press("W")
        await dashboard_ticks(pilot, 1)
        assert {f["type"] for f in view.shown} == {"Warning"} and len(view.shown) == 2
        await pilot.press("W", "slash", *"pulled 2", "enter")
        await dashboard_ticks(pilot, 1)
        assert {f["message"] for f in view.shown} == {"pulled 2", "pulled 20", "pulled 21", "pulled 22",
                                                      "pulled 23", "pulled 24", "pulled 25", "pulled 26",
                                                      "pulled 27", "pulled 28", "pulled 29"}
        await pilot.press("slash", "escape", "g")
        await dashboard_ticks(pilot, 1)
        assert view.grouped
        headers = [index for index, fields in enumerate(view.shown) if not fields]
        assert len(headers) == len({f["object"] for f in view.shown if f})  # one header per object
        view.query_one("#events-table", DataTable).move_cursor(row=headers[0] + 1)
        await pilot.press("enter")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, EventDetails)
        assert app.screen.fields == view.shown[headers[0] + 1]
        await pilot.press("escape", "escape")
        await dashboard_ticks(pilot, 1)
        assert app.screen is app.dashboard
