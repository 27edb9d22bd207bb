"""The events stream: newest at the bottom, warnings highlighted, filterable, bounded.

At 1,000 events/s the UI must not write 1,000 lines a second: each batch writes at most ``max_per_batch``
of the
newest matching events (older ones in that batch are counted, and remain in the buffer for a later filter).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import RichLog

from raywizard.textsafe import literal
from raywizard.tui.dashboard.rows import field, text_of
from raywizard.tui.dashboard.widgets.cells import theme_styles


def event_line(row: Any, styles: dict[str, str]) -> tuple[Text, str]:
    """One event as a literal line and its lower-cased search text."""
    when = text_of(field(row, "time", "last_seen", "lastTimestamp", "age"))
    if len(when) >= 19 and when[10] == "T":
        when = when[11:19]  # ISO timestamp: the clock time (UTC) is what a stream needs
    kind = text_of(field(row, "type", default="Normal"))
    reason = text_of(field(row, "reason"))
    obj = text_of(field(row, "object", "involved_object", "involvedObject"))
    message = text_of(field(row, "message"))
    count = field(row, "count", default=None)
    warning = kind == "Warning"
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(literal(when, single_line=True).ljust(9))
    line.append(literal(kind, single_line=True).ljust(8), style=styles.get("bad", "") if warning else "")
    line.append(literal(reason, single_line=True).ljust(18), style="bold" if warning else "")
    line.append(" ")
    line.append(literal(obj, single_line=True))
    line.append(": ")
    line.append(literal(message, single_line=True), style=styles.get("bad", "") if warning else "")
    if isinstance(count, int) and count > 1:
        line.append(f" (×{count})", style=styles.get("dim", ""))
    return line, " ".join((kind, reason, obj, message)).lower()


class EventsLog(RichLog):
    """A bounded, filterable event stream over a buffer of recent events."""

    def __init__(self, *, buffer: int = 2000, max_per_batch: int = 60, **kwargs: Any) -> None:
        super().__init__(max_lines=500, markup=False, highlight=False, wrap=False, **kwargs)
        self.buffer: deque[tuple[Text, str, bool]] = deque(maxlen=buffer)
        self.max_per_batch = max_per_batch
        self.filter_text = ""
        self.total = 0
        self.warnings = 0
        self.skipped = 0
        self._styles: dict[str, str] = {}

    def on_mount(self) -> None:
        self._styles = theme_styles(self.app.theme_variables)

    def add(self, rows: Iterable[Any]) -> None:
        """Append new event rows (oldest first)."""
        fresh: list[Text] = []
        for row in rows:
            line, search = event_line(row, self._styles)
            warning = text_of(field(row, "type")) == "Warning"
            self.buffer.append((line, search, warning))
            self.total += 1
            self.warnings += warning
            if self._matches(search):
                fresh.append(line)
        if len(fresh) > self.max_per_batch:
            self.skipped += len(fresh) - self.max_per_batch
            fresh = fresh[-self.max_per_batch :]
        for line in fresh:
            self._write_line(line)

    def _write_line(self, line: Text) -> None:
        # Render at the visible width (Rich would measure against an 80-column console otherwise); long
        # lines end
        # in an ellipsis; the full text is in the buffer for the filter.
        width = self.scrollable_content_region.width
        self.write(line, width=width if width > 20 else None)

    def _matches(self, search: str) -> bool:
        return not self.filter_text or self.filter_text.lower() in search

    def set_filter(self, text: str) -> None:
        text = text.strip()
        if text == self.filter_text:
            return
        self.filter_text = text
        self.clear()
        matching = [line for line, search, _ in self.buffer if self._matches(search)]
        for line in matching[-200:]:
            self._write_line(line)

    def title(self) -> str:
        parts = [f"Events {self.total:,}", f"Warning {self.warnings:,}"]
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        return " · ".join(parts)
