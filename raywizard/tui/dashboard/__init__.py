"""The live dashboard: ``DashboardScreen(connection, spec)`` and the standalone ``DashboardApp``."""

from raywizard.tui.dashboard.dashboard_app import DashboardApp
from raywizard.tui.dashboard.screen import DashboardScreen

__all__ = ["DashboardApp", "DashboardScreen"]
