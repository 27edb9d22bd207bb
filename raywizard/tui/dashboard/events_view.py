"""The events view (``e``): every recent event in a table that scrolls, filters (``/``), keeps Warning events only
(``W``), groups by object with counts as ``kubectl events`` reads (``g``), and expands one event to its full
text (Enter). The rows come from the Events panel's buffer (the newest few thousand), refreshed once a second
while the view is open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Static

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text
from raywizard.tui.dashboard.rows import field, text_of
from raywizard.tui.dashboard.widgets.cells import theme_styles

COLUMNS = (("time", "LAST SEEN"), ("type", "TYPE"), ("reason", "REASON"), ("object", "OBJECT"),
           ("count", "COUNT"), ("message", "MESSAGE"))
REFRESH_SECONDS = 1.0


def event_fields(row: Any) -> dict[str, str]:
    when = text_of(field(row, "time", "last_seen", "lastTimestamp"))
    count = field(row, "count", default=1)
    return {
        "time": when,
        "type": text_of(field(row, "type", default="Normal")) or "Normal",
        "reason": text_of(field(row, "reason")),
        "object": text_of(field(row, "object", "involved_object")),
        "count": str(count if isinstance(count, int) else 1),
        "message": text_of(field(row, "message")),
    }


def short_time(when: str) -> str:
    return when[11:19] if len(when) >= 19 and when[10] == "T" else when


class EventDetails(ModalScreen[None]):
    """One event in full: every field, the message wrapped (the table cuts it at its column)."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(classes="event-details")
        self.fields = fields

    def compose(self) -> ComposeResult:
        text = Text()
        for key, label in COLUMNS:
            if key == "message":
                continue
            text.append(f"{label.title():<10} ", style="bold")
            text.append(literal(self.fields[key], single_line=True))
            text.append("\n")
        text.append("\n")
        text.append(literal(self.fields["message"]))  # the whole message, its own line breaks kept
        with Vertical(id="event-dialog"):
            yield Static(rich_text(f"{self.fields['type']} event: {self.fields['reason']}", single_line=True),
                         id="event-title")
            with VerticalScroll(id="event-body"):
                yield Static(text, id="event-text")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


class EventsScreen(Screen[None]):
    """All recent events; ``rows()`` returns the current event rows, oldest first."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="events.back"),
        Binding("enter", "expand", "Full text", id="events.expand"),
        Binding("W", "toggle_warnings", "Warning only", key_display="W", id="events.warnings"),
        Binding("g", "toggle_grouped", "Group by object", id="events.group"),
        Binding("slash", "filter", "Filter", key_display="/", id="events.filter"),
    ]

    def __init__(self, rows: Callable[[], Sequence[Any]], *, warnings_only: bool = False) -> None:
        super().__init__(classes="events-view")
        self._rows = rows
        self.warnings_only = warnings_only
        self.grouped = False
        self.filter_text = ""
        self.shown: list[dict[str, str]] = []  # one per table row; a group header row is None-keyed
        self._seen: tuple[int, Any] = (-1, None)
        self._styles: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="events-view-title")
        yield DataTable(cursor_type="row", id="events-table")
        yield Input(placeholder="filter events (Enter keeps, Escape clears)", id="events-filter")
        yield Footer()

    def on_mount(self) -> None:
        self._styles = theme_styles(self.app.theme_variables)
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.query_one("#events-filter").display = False
        table.focus()
        self.refill()
        self.set_interval(REFRESH_SECONDS, self._refresh_if_new)

    def _refresh_if_new(self) -> None:
        rows = self._rows()
        marker = (len(rows), rows[-1] if rows else None)
        if marker != self._seen:
            self.refill()

    # -- rows ----------------------------------------------------------------------------------------------

    def matching(self) -> list[dict[str, str]]:
        needle = self.filter_text.lower()
        found = []
        for row in self._rows():
            fields = event_fields(row)
            if self.warnings_only and fields["type"] != "Warning":
                continue
            if needle and needle not in " ".join(fields.values()).lower():
                continue
            found.append(fields)
        return found

    def refill(self) -> None:
        """Rebuild the table (a view of at most a few thousand rows, rebuilt at most once a second), keeping the
        highlighted event under the cursor."""
        rows = self._rows()
        self._seen = (len(rows), rows[-1] if rows else None)
        table = self.query_one(DataTable)
        selected = self.selected
        found = self.matching()
        table.clear()
        self.shown = []
        bad = self._styles.get("bad", "")
        if self.grouped:
            by_object: dict[str, list[dict[str, str]]] = {}
            for fields in found:
                by_object.setdefault(fields["object"], []).append(fields)
            for obj in sorted(by_object):
                members = by_object[obj]
                counts = Counter(f["type"] for f in members)
                total = sum(int(f["count"]) for f in members)
                header = Text(literal(obj or "(no object)", single_line=True), style="bold")
                summary = f"{len(members)} events, {total} occurrences"
                if counts.get("Warning"):
                    summary += f", {counts['Warning']} Warning"
                table.add_row(Text(""), Text(""), Text(""), header, Text(str(total)), Text(summary, style="italic"))
                self.shown.append({})
                for fields in members:
                    self._add(table, fields, bad, indent=True)
        else:
            for fields in found:
                self._add(table, fields, bad)
        if selected in self.shown:
            table.move_cursor(row=self.shown.index(selected), scroll=True)
        elif self.shown:
            table.move_cursor(row=len(self.shown) - 1, scroll=True)  # the newest, as a stream reads
        self._show_title(len(rows))

    def _add(self, table: DataTable[Any], fields: dict[str, str], bad: str, *, indent: bool = False) -> None:
        warning = fields["type"] == "Warning"
        cells = [
            Text(short_time(fields["time"])),
            Text(fields["type"], style=bad if warning else ""),
            rich_text(fields["reason"], single_line=True),
            rich_text(("  " if indent else "") + fields["object"], single_line=True),
            Text(fields["count"]),
            rich_text(fields["message"], single_line=True),
        ]
        table.add_row(*cells)
        self.shown.append(fields)

    def _show_title(self, total: int) -> None:
        parts = [f"Events {total:,}", f"shown {sum(1 for f in self.shown if f):,}"]
        if self.warnings_only:
            parts.append("Warning only")
        if self.grouped:
            parts.append("grouped by object")
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        parts.append("Enter: full text")
        self.query_one("#events-view-title", Static).update(rich_text(" · ".join(parts), single_line=True))

    @property
    def selected(self) -> dict[str, str] | None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        if 0 <= row < len(self.shown) and self.shown[row]:
            return self.shown[row]
        return None

    # -- keys ----------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_expand(self) -> None:
        fields = self.selected
        if fields is not None:
            self.app.push_screen(EventDetails(fields))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_expand()

    def action_toggle_warnings(self) -> None:
        self.warnings_only = not self.warnings_only
        self.refill()

    def action_toggle_grouped(self) -> None:
        self.grouped = not self.grouped
        self.refill()

    def action_filter(self) -> None:
        box = self.query_one("#events-filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        self.refill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.query_one(DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#events-filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.display = False
            self.query_one(DataTable).focus()
