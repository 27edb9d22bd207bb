"""``raywizard dashboard`` as its own app: a thin App around ``DashboardScreen`` (the wizard pushes the same
screen after apply). Used by the CLI, the tests, the bench and the screenshot script.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.worker import Worker, WorkerState

from raywizard.tui.dashboard.screen import DashboardScreen

if TYPE_CHECKING:
    from raywizard.kube.connection import Connection
    from raywizard.kube.state import ClusterState
    from raywizard.model.spec import ClusterSpec


class DashboardApp(App["ClusterSpec | None"]):
    """Exits with ``None`` (quit) or with a ``ClusterSpec`` to open in the wizard's worker-group step."""

    TITLE = "raywizard dashboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
    ]

    def __init__(
        self,
        connection: Connection | None,
        spec: ClusterSpec,
        *,
        state: ClusterState | None = None,
        apply_timeline: Sequence[str] = (),
        **screen_options: Any,
    ) -> None:
        super().__init__()
        self.connection = connection
        self.spec = spec
        self._state = state
        self._timeline = apply_timeline
        self._screen_options = screen_options

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())

    def make_screen(self) -> DashboardScreen:
        return DashboardScreen(
            self.connection,
            self.spec,
            state=self._state,
            apply_timeline=self._timeline,
            **self._screen_options,
        )

    @property
    def dashboard(self) -> DashboardScreen:
        screen = next(s for s in self.screen_stack if isinstance(s, DashboardScreen))
        return screen

    def on_dashboard_screen_edit_worker_groups(self, message: DashboardScreen.EditWorkerGroups) -> None:
        # Standalone: hand the live spec to the CLI, which opens the wizard on its worker-group step.
        self.exit(message.spec)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for background failures: a clear message, never a traceback."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            from raywizard.model.textsafe import literal

            self.notify(
                literal(str(event.worker.error), single_line=True),
                title=f"{event.worker.name or 'background task'} failed",
                severity="error",
                timeout=8,
                markup=False,
            )
