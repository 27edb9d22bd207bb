"""The connection indicator: live, connecting, reconnecting (since when, why), stale since, error."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from raywizard.model.textsafe import literal
from raywizard.tui.dashboard.rows import field

if TYPE_CHECKING:
    from raywizard.kube.state import ConnectionStatus, ConnectionSummary

# The colour comes from dashboard.tcss (class -live, -reconnecting, ...): theme variables, never hex.
SYMBOLS = {"live": "●", "connecting": "◌", "reconnecting": "◐", "stale": "◑", "error": "✖"}


def format_since(since: Any) -> str:
    """``since`` as local-free UTC clock time (the watcher may hand a datetime, an epoch or ISO text)."""
    if since is None or since == "":
        return ""
    if isinstance(since, int | float):
        since = datetime.fromtimestamp(since, tz=UTC)
    if isinstance(since, datetime):
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return str(since.astimezone(UTC).strftime("%H:%M:%S"))
    return literal(since)


def connection_text(status: ConnectionStatus | ConnectionSummary | None) -> Text:
    state = str(field(status, "state", default="connecting") or "connecting")
    text = Text()
    text.append(f"{SYMBOLS.get(state, '?')} {state}", style="bold")
    since = format_since(field(status, "since", default=None))
    if state != "live" and since:
        text.append(f" since {since}")
    message = field(status, "message", default="")
    if state != "live" and message:
        text.append(" · ")
        text.append(literal(message, single_line=True))
    return text


class ConnectionIndicator(Static):
    """One line; re-rendered only when the connection status changes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(connection_text(None), **kwargs)
        self.state = "connecting"
        self._shown: tuple[str, str, str] | None = None

    def show(self, status: ConnectionStatus | ConnectionSummary | None) -> None:
        key = (
            str(field(status, "state", default="")),
            str(field(status, "since", default="")),
            str(field(status, "message", default="")),
        )
        if key == self._shown:
            return
        self._shown = key
        self.state = key[0] or "connecting"
        self.set_classes(f"-{self.state}")
        text = connection_text(status)
        self.update(text)
        self.tooltip = text.plain if self.state != "live" else None  # the header may cut the message
