"""Pod logs: streamed in a thread, shown literally; follow (auto-scroll) on/off, scroll, search with n/N."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, RichLog, Static

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text

MAX_LOG_LINES = 20_000
BATCH_SECONDS = 0.1  # lines reach the UI at most 10 times a second, in batches


class PodLogsScreen(Screen[None]):
    """A pod's logs; ``open_stream`` is called in a thread and yields lines."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("escape,q", "back", "Back"),
        Binding("f", "toggle_follow", "Follow"),
        Binding("slash", "search", "Search"),
        Binding("n", "next_match", "Next match"),
        Binding("N", "previous_match", "Prev match", key_display="N"),
        Binding("g", "top", "Top", show=False),
        Binding("G", "bottom", "Bottom", show=False),
    ]

    def __init__(self, title: str, open_stream: Callable[[], Iterator[str]]) -> None:
        super().__init__(classes="pod-logs")
        self._title = title
        self._open_stream = open_stream
        self.lines: list[str] = []
        self.following = True
        self.search_text = ""
        self._match_index = -1
        self.ended = False
        self.error = ""
        self._incoming: deque[str] = deque()
        self._end: str | None = None  # set by the reader when the stream ends ("" or the error)
        self._stop_reading = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static(rich_text(self._title), id="logs-title")
        yield RichLog(max_lines=MAX_LOG_LINES, markup=False, highlight=False, wrap=False, id="logs")
        yield Input(placeholder="search (Enter: find, Escape: close)", id="logs-search")
        yield Static("", id="logs-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#logs-search").display = False
        self.query_one(RichLog).focus()
        self._update_status()
        self.set_interval(BATCH_SECONDS, self._drain)
        self._stream()

    def _stream(self) -> None:
        """Read the log on a daemon thread of its own (not Textual's worker pool, which is the event loop's
        default executor): a followed log blocks until its next line, and that must never hold up leaving
        the screen or quitting the app. The reader only queues lines; the UI drains the queue on a timer (at
        most 10 batches a second), so a quiet stream shows its lines at once and a chatty one cannot flood
        the UI.
        """
        stop = self._stop_reading

        def read() -> None:
            try:
                for line in self._open_stream():
                    if stop.is_set():
                        return
                    self._incoming.append(line)
                self._end = ""
            except Exception as exc:  # shown in the status line; a log stream ending is not a crash
                self._end = literal(str(exc) or type(exc).__name__, single_line=True)

        threading.Thread(target=read, name="pod-logs", daemon=True).start()

    def _drain(self) -> None:
        if self._incoming:
            batch = []
            while self._incoming:
                batch.append(self._incoming.popleft())
            self._append(batch)
        if self._end is not None and not self.ended:
            self._ended(self._end)

    def _line_text(self, line: str) -> Text:
        text = rich_text(line.rstrip("\n"), single_line=True)
        if self.search_text:
            text.highlight_words([self.search_text], style="reverse", case_sensitive=False)
        return text

    def _append(self, batch: list[str]) -> None:
        log = self.query_one(RichLog)
        log.auto_scroll = self.following
        for line in batch:
            self.lines.append(line)
            log.write(self._line_text(line), scroll_end=self.following)
        if len(self.lines) > MAX_LOG_LINES:
            del self.lines[: len(self.lines) - MAX_LOG_LINES]
        self._update_status()

    def _ended(self, error: str) -> None:
        self.ended = True
        self.error = error
        self._update_status()

    def _update_status(self) -> None:
        parts = [f"{len(self.lines):,} lines", "following" if self.following else "paused (f to follow)"]
        if self.search_text:
            count = sum(1 for line in self.lines if self.search_text.lower() in line.lower())
            parts.append(f"“{literal(self.search_text)}”: {count} matches")
        if self.ended:
            parts.append(f"stream ended: {self.error}" if self.error else "stream ended")
        self.query_one("#logs-status", Static).update(Text(" · ".join(parts)))

    def _rewrite(self) -> None:
        log = self.query_one(RichLog)
        log.clear()
        for line in self.lines:
            log.write(self._line_text(line), scroll_end=False)

    # -- actions -------------------------------------------------------------------------------------------

    def on_unmount(self) -> None:
        self._stop_reading.set()  # the reader stops at its next line

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_follow(self) -> None:
        self.following = not self.following
        log = self.query_one(RichLog)
        log.auto_scroll = self.following
        if self.following:
            log.scroll_end(animate=False)
        self._update_status()

    def action_search(self) -> None:
        search = self.query_one("#logs-search", Input)
        search.display = True
        search.value = self.search_text
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search_text = event.value.strip()
        event.input.display = False
        self.query_one(RichLog).focus()
        self._match_index = -1
        self._rewrite()
        self.following = False
        self.action_next_match()

    def on_key(self, event: events.Key) -> None:
        search = self.query_one("#logs-search", Input)
        if event.key == "escape" and search.has_focus:
            event.stop()
            search.display = False
            self.query_one(RichLog).focus()

    def _matches(self) -> list[int]:
        needle = self.search_text.lower()
        return [index for index, line in enumerate(self.lines) if needle in line.lower()] if needle else []

    def _jump(self, step: int) -> None:
        matches = self._matches()
        if not matches:
            self._update_status()
            return
        self._match_index = (self._match_index + step) % len(matches)
        log = self.query_one(RichLog)
        self.following = False
        log.auto_scroll = False
        log.scroll_to(y=max(0, matches[self._match_index] - 2), animate=False)
        self._update_status()

    def action_next_match(self) -> None:
        self._jump(1)

    def action_previous_match(self) -> None:
        self._jump(-1)

    def action_top(self) -> None:
        self.following = False
        self.query_one(RichLog).scroll_home(animate=False)
        self._update_status()

    def action_bottom(self) -> None:
        self.query_one(RichLog).scroll_end(animate=False)
