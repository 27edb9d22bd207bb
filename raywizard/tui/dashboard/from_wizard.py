"""Between the wizard and the dashboard: `w` on the dashboard opens the wizard's worker-group step, and F2 in
the wizard comes back to the live dashboard of the same cluster (the one still on the screen stack, else a
new one on the wizard's connection).
"""

from __future__ import annotations

from typing import Any

WAY_BACK = "F2 returns to the dashboard."


def note_way_back(app: Any) -> None:
    app.notify(WAY_BACK, title="Editing the live worker groups", timeout=6, markup=False)


def open_dashboard(app: Any) -> None:
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
