"""The dashboard's views beyond its panels, one key away: help, the events view, an Application's resource tree
and history, delete with its cascade, logs with a container picker and of a whole group. The screen mixes this
in; each view lives in its own module and is imported when first opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.kube.session import ClusterSession


class DashboardFeatures(Screen[None]):
    """Actions that open the dashboard's views; they read the screen's snapshot, never the network here."""

    snapshot: Any
    session: ClusterSession
    spec: Any

    def action_help(self) -> None:
        from raywizard.tui.dashboard.help import HelpScreen, help_rows

        self.app.push_screen(HelpScreen(list(help_rows(self))))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-read")
    def describe_whole_pod(self, namespace: str, name: str) -> None:
        """Read the whole pod, then show it as YAML (``d``)."""
        from raywizard.tui.dashboard.dialogs import DescribeScreen

        try:
            pod = self.session.read_pod(namespace, name)
        except Exception as exc:
            self.app.call_from_thread(self.notify, literal(str(exc), single_line=True), title="Pod YAML",
                                      severity="error", timeout=8)
            return
        if pod is None:
            self.app.call_from_thread(self.notify, f"Pod {namespace}/{name} is gone.", severity="warning")
            return
        self.app.call_from_thread(self.app.push_screen, DescribeScreen(f"Pod {namespace}/{name}", pod))
