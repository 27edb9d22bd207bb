"""The events stream: newest at the bottom, warnings highlighted, filterable, bounded.

At 1,000 events/s the UI must not render 1,000 lines a second. The buffer keeps the recent event rows as
they are (cheap); a batch renders only the newest ``max_per_batch`` matching rows, about what the panel
shows. Skipped rows stay in the buffer, so a filter still finds them.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import RichLog

from raywizard.model.textsafe import literal
from raywizard.tui.dashboard.rows import field, text_of
from raywizard.tui.dashboard.widgets.cells import theme_styles


def event_line(row: Any, styles: dict[str, str]) -> Text:
    """One event as a literal line: time, type, reason, object, message (and the repeat count)."""
    when = text_of(field(row, "time", "last_seen", "lastTimestamp", "age"))
    if len(when) >= 19 and when[10] == "T":
        when = when[11:19]  # ISO timestamp: the clock time (UTC) is what a stream needs
    kind = text_of(field(row, "type", default="Normal"))
    warning = kind == "Warning"
    bad = styles.get("bad", "") if warning else ""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(literal(when, single_line=True).ljust(9))
    line.append(literal(kind, single_line=True).ljust(8), style=bad)
    line.append(literal(text_of(field(row, "reason")), single_line=True).ljust(18), style="bold" if warning else "")
    line.append(" ")
    line.append(literal(text_of(field(row, "object", "involved_object", "involvedObject")), single_line=True))
    line.append(": ")
    line.append(literal(text_of(field(row, "message")), single_line=True), style=bad)
    count = field(row, "count", default=None)
    if isinstance(count, int) and count > 1:
        line.append(f" (×{count})", style=styles.get("dim", ""))
    return line


def search_text(row: Any) -> str:
    parts = (field(row, "type"), field(row, "reason"), field(row, "object"), field(row, "message"))
    return " ".join(text_of(part) for part in parts).lower()


class EventsLog(RichLog):
    """A bounded, filterable event stream over a buffer of recent event rows. Focused (tab), it scrolls with
    the cursor keys, ``W`` keeps Warning events only and Enter opens the events view (``events_view.py``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("W", "toggle_warnings", "Warning only", key_display="W", id="events.warnings"),
        Binding("enter", "screen.events", "All events", id="events.open"),
    ]

    def __init__(self, *, buffer: int = 2000, max_per_batch: int = 12, **kwargs: Any) -> None:
        super().__init__(max_lines=200, markup=False, highlight=False, wrap=False, **kwargs)
        self.buffer: deque[Any] = deque(maxlen=buffer)
        self.max_per_batch = max_per_batch
        self.filter_text = ""
        self.warnings_only = False
        self.total = 0
        self.warnings = 0
        self.skipped = 0
        self._recent: deque[tuple[float, int]] = deque(maxlen=50)  # (time, total) for the rate
        self._styles: dict[str, str] = {}
        self._rendered_width = 0

    def on_mount(self) -> None:
        self._styles = theme_styles(self.app.theme_variables)

    def on_resize(self, event: events.Resize) -> None:
        super().on_resize(event)
        width = self.scrollable_content_region.width
        if self.lines and width != self._rendered_width:
            # Lines were cut at the old width (62 columns of message with 60 empty beside them): re-render.
            self._rerender()
        self._follow()  # a smaller panel (short terminal) still shows the newest events

    def _rerender(self) -> None:
        self.clear()
        matching = [row for row in self.buffer if self._matches(row)]
        for row in matching[-200:]:
            self._write_line(event_line(row, self._styles))

    def add(self, rows: Iterable[Any]) -> None:
        """Append new event rows (oldest first); render only the newest matching ones."""
        fresh: list[Any] = []
        for row in rows:
            self.buffer.append(row)
            self.total += 1
            self.warnings += field(row, "type") == "Warning"
            if self._matches(row):
                fresh.append(row)
        self._recent.append((time.monotonic(), self.total))
        if len(fresh) > self.max_per_batch:
            self.skipped += len(fresh) - self.max_per_batch
            fresh = fresh[-self.max_per_batch :]
        for row in fresh:
            self._write_line(event_line(row, self._styles))
        self._follow()

    def _follow(self) -> None:
        # Scroll now, in the same frame: RichLog's own scroll_end waits for the next refresh, which would
        # cost a second redraw per batch.
        if not self.auto_scroll:
            return
        if self._size_known:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:  # the first lines render once the size is known: follow them then
            self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)

    def _write_line(self, line: Text) -> None:
        # Rendered at the visible width (Rich would measure against an 80-column console otherwise); a long
        # line ends in an ellipsis, the whole event stays in the buffer (describe, filter).
        width = self.scrollable_content_region.width
        self._rendered_width = width
        self.write(line, width=width if width > 20 else None, scroll_end=False if self._size_known else None)

    def _matches(self, row: Any) -> bool:
        if self.warnings_only and field(row, "type") != "Warning":
            return False
        return not self.filter_text or self.filter_text.lower() in search_text(row)

    def action_toggle_warnings(self) -> None:
        self.warnings_only = not self.warnings_only
        self._rerender()
        self._follow()
        update = getattr(self.screen, "panels", None)
        if update is not None:
            update.update_titles()

    def set_filter(self, text: str) -> None:
        text = text.strip()
        if text == self.filter_text:
            return
        self.filter_text = text
        self._rerender()
        self._follow()

    def rate(self) -> float:
        """Events per second over the last few batches."""
        if len(self._recent) < 2:
            return 0.0
        (first_time, first_total), (last_time, last_total) = self._recent[0], self._recent[-1]
        return (last_total - first_total) / (last_time - first_time) if last_time > first_time else 0.0

    def title(self) -> str:
        parts = [f"Events {self.total:,}", f"Warning {self.warnings:,}"]
        rate = self.rate()
        if rate >= 1:
            parts.append(f"{rate:,.0f}/s")
        if self.warnings_only:
            parts.append("Warning only (W)")
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        return " · ".join(parts)
