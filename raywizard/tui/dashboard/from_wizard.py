"""Between the wizard and the dashboard: `w` on the dashboard opens the wizard's worker-group step, and F2 in
the wizard comes back to the live dashboard of the same cluster (the one still on the screen stack, else a
new one on the wizard's connection).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from raywizard.tui.dashboard.keys import note_way_back

if TYPE_CHECKING:
    from raywizard.tui.wizard.app import WizardApp

__all__ = ["note_way_back", "open_dashboard"]


def open_dashboard(app: WizardApp) -> None:
    """Show the dashboard in the wizard ``app``: the one under the wizard's screens if any, else a new one."""
    from raywizard.tui.dashboard.screen import DashboardScreen

    for index, screen in enumerate(app.screen_stack):
        if isinstance(screen, DashboardScreen):
            while len(app.screen_stack) > index + 1:
                app.pop_screen()
            return
    connection = getattr(app, "connection", None)
    if connection is None:
        message = ("Connecting to the cluster… F2 again once connected." if getattr(app, "connecting", False)
                   else "Not connected to a cluster: choose a context on the Start step first.")
        app.notify(message, title="No dashboard yet", severity="warning", markup=False)
        return
    app.push_screen(DashboardScreen(connection, app.model.spec))
