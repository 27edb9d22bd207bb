"""The dashboard's side of the connection: what the indicator shows (the watches' status, or "reconnecting" while
the probe finds the server silent), re-reading the kubeconfig while the watches are in error, and restarting
them on the new connection. The policy and the network calls are in ``reconnect.py``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.css.query import NoMatches
from textual.widgets import Static

from raywizard.model.textsafe import literal
from raywizard.tui.dashboard.widgets.connection import ConnectionIndicator


class ConnectionUpkeep:
    """Mixed into ``DashboardScreen`` after the Screen bases (so the stubs below never shadow the real methods);
    the screen sets these attributes up in ``__init__``."""

    connection: Any
    snapshot: Any
    watcher: Any
    probe_failure: tuple[datetime, str] | None
    reconnects: int
    _own_state: bool
    _own_connection: bool
    _reconnect: Callable[[], Any] | None
    _reconnecting: bool
    _last_reconnect: float
    _probing: bool
    _last_probe: float
    _error_notified: str
    _clock: Callable[[], datetime]
    app: Any

    if TYPE_CHECKING:  # provided by Textual's Screen

        @property
        def is_mounted(self) -> bool: ...

        def query_one(self, *args: Any) -> Any: ...

        def notify(self, message: str, *, title: str = ..., severity: Any = ..., timeout: float | None = ...,
                   markup: bool = ...) -> None: ...

    # Provided by DashboardScreen.
    def _header_text(self) -> Any:
        raise NotImplementedError

    def _stop_watcher(self, close: Any = None) -> None:
        raise NotImplementedError

    def start_watcher(self) -> None:
        raise NotImplementedError

    def _show_connection(self) -> None:
        """The watches' status, unless they say live while the probe finds the server silent."""
        status: Any = self.snapshot.connection if self.snapshot is not None else None
        if self.probe_failure is not None and str(getattr(status, "state", "")) == "live":
            since, message = self.probe_failure
            status = {"state": "reconnecting", "since": since, "message": message}
        try:
            indicator = self.query_one(ConnectionIndicator)
        except NoMatches:  # a late probe answer while the screen is being taken down
            return
        indicator.show(status)
        state, message = str(getattr(status, "state", "")), str(getattr(status, "message", ""))
        if state == "error" and message and message != self._error_notified:
            # The header has room for the start of it only; the whole message once, as a notification.
            self._error_notified = message
            self.notify(literal(message, single_line=True), title="Connection error", severity="error", timeout=10)
        elif state == "live":
            self._error_notified = ""

    def _check_connection(self, now: float) -> None:
        """Re-read the kubeconfig while the watches are in error; probe the server while they say live."""
        from raywizard.tui.dashboard import reconnect

        if not self._own_state or self.connection is None or self.snapshot is None:
            return
        state = str(getattr(self.snapshot.connection, "state", ""))
        if state == "error" and not self._reconnecting and now - self._last_reconnect >= reconnect.RECONNECT_EVERY:
            load = self._reconnect or reconnect.default_loader(self.app, self.connection)
            if load is not None:
                self._last_reconnect = now
                self._reconnecting = True
                current = self.connection

                def reload() -> None:
                    try:
                        fresh = reconnect.reload_if_changed(current, load)
                    except Exception:  # the kubeconfig is being rewritten, or gone for now: try again later
                        fresh = None
                    with contextlib.suppress(RuntimeError):  # the app is closing
                        self.app.call_from_thread(self._reconnected, fresh)

                threading.Thread(target=reload, name="dashboard-reconnect", daemon=True).start()
        if state == "live" and not self._probing and now - self._last_probe >= reconnect.PROBE_EVERY:
            self._last_probe = now
            self._probing = True
            connection = self.connection

            def run_probe() -> None:
                failure: str | None = None
                try:
                    failure = reconnect.probe(connection)
                finally:  # whatever happens, the next probe must be allowed to run
                    with contextlib.suppress(RuntimeError):  # the app is closing
                        self.app.call_from_thread(self._probed, failure)

            threading.Thread(target=run_probe, name="dashboard-probe", daemon=True).start()

    def _probed(self, failure: str | None) -> None:
        self._probing = False
        if failure is None:
            self.probe_failure = None
        elif self.probe_failure is None:
            self.probe_failure = (self._clock(), failure)
        if self.is_mounted:
            self._show_connection()

    def _reconnected(self, fresh: Any) -> None:
        """Restart the watches on ``fresh`` (a new Connection from the re-read kubeconfig) into the same state."""
        self._reconnecting = False
        if fresh is None:
            return
        if not self.is_mounted:
            fresh.close()
            return
        old = self.connection
        self._stop_watcher(close=old if self._own_connection else None)
        self.connection = fresh
        self._own_connection = True
        self.reconnects += 1
        self.probe_failure = None
        self.query_one("#dash-title", Static).update(self._header_text())
        self.notify("The kubeconfig changed (new credentials): watching again.", title="Reconnecting")
        self.start_watcher()

