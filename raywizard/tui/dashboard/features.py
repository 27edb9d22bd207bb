"""The dashboard's views beyond its panels, one key away: help, the events view, an Application's resource tree
and history, delete with its cascade, logs with a container picker and of a whole group. The screen mixes this
in; each view lives in its own module and is imported when first opened.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen


class DashboardFeatures(Screen[None]):
    """Actions that open the dashboard's views; they read the screen's snapshot, never the network here."""

    snapshot: Any
    connection: Any
    spec: Any

    def action_help(self) -> None:
        from raywizard.tui.dashboard.help import HelpScreen, help_rows

        self.app.push_screen(HelpScreen(list(help_rows(self))))
