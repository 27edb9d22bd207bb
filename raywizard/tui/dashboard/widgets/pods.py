"""The pods table: one keyed row per pod, updated cell by cell, filtered and sorted without a rebuild.

Rows are keyed by ``namespace/name`` (the ClusterState key). A batch touches only the rows whose pods
changed: ``update_cell`` for changed cells, ``add_row`` for new or newly matching pods, ``remove_row`` for
deleted or no longer matching pods. Only a new filter text re-evaluates every pod (adding/removing the rows
that flip).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from raywizard.kube.views import PodRow
from raywizard.model.textsafe import literal
from raywizard.tui.common.textual_internals import add_rows, drop_rendered_lines, remove_rows, update_cell_in_place
from raywizard.tui.dashboard.rows import field, text_of
from raywizard.tui.dashboard.widgets.cells import age_seconds, status_style, theme_styles

# (column key, header, names the view row may use for it). kubectl's order first (NAME READY STATUS RESTARTS
# AGE): pod names are ~50 characters and are never cut, so at 80-100 columns the columns after them are what
# gets clipped; STATUS must not be among those (it was cut to "Runni" when it came after GROUP and TYPE).
POD_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("name", "NAME", ("name",)),
    ("ready", "READY", ("ready",)),
    ("status", "STATUS", ("status", "phase")),
    ("restarts", "RESTARTS", ("restarts",)),
    ("age", "AGE", ("age",)),
    ("group", "GROUP", ("group",)),
    ("type", "TYPE", ("node_type", "type", "role")),
    ("reason", "REASON", ("reason", "message")),  # before NODE: a Pending pod's reason matters more
    ("node", "NODE", ("node",)),
)
COLUMN_KEYS = tuple(key for key, _, _ in POD_COLUMNS)
SORT_CYCLE = ("name", "group", "type", "status", "ready", "restarts", "age", "reason", "node")  # what `o` steps
STATUS_COLUMNS = {"status"}
SORT_EVERY = 1.0  # seconds: how long new rows may wait at the bottom before they are sorted in
PHASE_ORDER = ("Running", "Pending", "Succeeded", "Failed", "Unknown")

PodCells = tuple[str, ...]


class PlainCell:
    """A cell shown literally, without style. DataTable draws a value that is neither a str (parsed as markup)
    nor renderable as ``Text(str(value))``, never parsed; this holds the text in 48 bytes where a Rich ``Text``
    takes about 220, times 9 columns of 20,000 pods. ``plain`` reads as on a ``Text``."""

    __slots__ = ("plain",)

    def __init__(self, plain: str) -> None:
        self.plain = plain

    def __str__(self) -> str:
        return self.plain

    def __repr__(self) -> str:
        return f"PlainCell({self.plain!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlainCell) and other.plain == self.plain

    def __hash__(self) -> int:
        return hash(self.plain)


class StatusCell(PlainCell):
    """A literal cell coloured by meaning (``cells.status_style``), made a ``Text`` only when drawn."""

    __slots__ = ("style",)

    def __init__(self, plain: str, style: str) -> None:
        super().__init__(plain)
        self.style = style

    def __rich__(self) -> Text:
        return Text(self.plain, style=self.style)

    def __repr__(self) -> str:
        return f"StatusCell({self.plain!r}, {self.style!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StatusCell) and (other.plain, other.style) == (self.plain, self.style)

    def __hash__(self) -> int:
        return hash(self.plain)


Cell = PlainCell


_POD_ROW_FIELDS = attrgetter(*(names[0] for _, _, names in POD_COLUMNS))


def pod_cells(row: Any) -> PodCells:
    """The text of each column for one view row (``raywizard.kube.views.pod_row``)."""
    if type(row) is PodRow:
        # What the dashboard itself makes, 20,000 of them on a first fill: its fields are the columns' first
        # names, read at once (``field`` tests each name against a Mapping ABC first).
        return tuple(text_of(value) for value in _POD_ROW_FIELDS(row))
    return tuple(text_of(field(row, *names)) for _, _, names in POD_COLUMNS)


def _sort_value(column: str, text: str) -> Any:
    if column == "age":
        return age_seconds(text)
    if column == "restarts":
        digits = text.split(" ", 1)[0]
        return int(digits) if digits.isdigit() else -1
    return text.lower()


def _width(cell: Cell) -> int:
    return cell_len(cell.plain)  # every cell is one line


class PodsTable(DataTable[Cell]):
    """Keyed, in-place pods table with a filter and a sort column."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.cells_by_key: dict[str, PodCells] = {}
        self.phase_counts: Counter[str] = Counter()
        self.phase_by_key: dict[str, str] = {}
        self._sort_due = False
        self._sorted_at = 0.0
        self.filter_text = ""
        self.sort_column: str | None = "name"  # kubectl's order until the user picks another
        self.sort_reverse = False
        self._styles: dict[str, str] = {}
        self.on_counts_changed: Callable[[], None] | None = None

    def on_mount(self) -> None:
        self._styles = theme_styles(self.app.theme_variables)
        for key, header, _ in POD_COLUMNS:
            self.add_column(header, key=key)

    # -- updates -------------------------------------------------------------------------------------------

    def apply(self, rows: Iterable[tuple[str, Any | None, str]]) -> None:
        """Apply ``(key, view row or None for deleted, pod phase)`` triples in place.

        The STATUS column is kubectl's (``ContainerCreating``, ``ErrImagePull``…); the header counts pod
        phases.
        """
        was_empty = self.row_count == 0
        added = False
        resort = False
        doomed: list[str] = []
        new_rows: list[tuple[str, list[Cell]]] = []
        sort_index = COLUMN_KEYS.index(self.sort_column) if self.sort_column else -1
        for key, row, phase in rows:
            old = self.cells_by_key.get(key)
            old_phase = self.phase_by_key.get(key)
            if old_phase != phase:
                if old_phase is not None:
                    self.phase_counts[old_phase] -= 1
                if row is None:
                    self.phase_by_key.pop(key, None)
                else:
                    self.phase_by_key[key] = phase
                    self.phase_counts[phase] += 1
            if row is None:
                if old is None:
                    continue
                del self.cells_by_key[key]
                self.phase_by_key.pop(key, None)
                doomed.append(key)
                continue
            cells = pod_cells(row)
            if cells == old:
                continue
            self.cells_by_key[key] = cells
            shown = key in self.rows
            if not self.matches(cells):
                if shown:
                    doomed.append(key)
                continue
            if not shown:
                new_rows.append((key, self._render_cells(cells)))
                added = True
            elif old is not None:
                for index, (new_text, old_text) in enumerate(zip(cells, old, strict=True)):
                    if new_text != old_text:
                        column_key = COLUMN_KEYS[index]
                        # A column only grows (AGE "59s" -> "110s" was cut to "110"). Only a wider text asks
                        # for it: Textual re-measures the whole column (every pod) for any narrower one.
                        cell = self._cell(index, new_text)
                        column = self.columns.get(ColumnKey(column_key))
                        wider = column is None or cell_len(cell.plain) > column.content_width
                        update_cell_in_place(self, key, column_key, cell, update_width=wider)
                        resort = resort or index == sort_index
        self.remove_rows(doomed)
        self.append_rows(new_rows)
        if self.sort_column and (added or resort):
            # Sorting 5,000 rows costs tens of milliseconds: under churn, new rows wait at the bottom for up
            # to SORT_EVERY seconds and are sorted in with the next flush_sort().
            if was_empty or time.monotonic() - self._sorted_at >= SORT_EVERY:
                self.apply_sort()
            else:
                self._sort_due = True
        if added:
            # Textual measures new rows on idle without invalidating lines rendered before that: a frame drawn
            # in between (e.g. under a modal) kept label-wide columns ("rayc  1/1  Runnin"). Drop them then.
            self.call_after_refresh(self._drop_stale_lines)
        if was_empty and added:
            self.move_cursor(row=0, scroll=False)  # first fill: start at the top, not at the first pod seen
        if self.on_counts_changed is not None:
            self.on_counts_changed()

    def _drop_stale_lines(self) -> None:
        drop_rendered_lines(self)

    def remove_rows(self, keys: Iterable[str]) -> None:
        """Remove rows in one pass (``DataTable.remove_row`` re-indexes every remaining row per call: removing
        200 of 5,000 rows one by one took 3 s)."""
        remove_rows(self, keys)

    def append_rows(self, rows: list[tuple[str, list[Cell]]]) -> None:
        """Append rows in one pass (``add_row`` per row re-validated the cursor and measured every cell through
        a console render: seconds for 20,000 pods)."""
        add_rows(self, rows, _width)

    def _cell(self, index: int, text: str) -> Cell:
        plain = literal(text, single_line=True)
        if COLUMN_KEYS[index] in STATUS_COLUMNS:
            return StatusCell(plain, status_style(plain, self._styles))
        return PlainCell(plain)  # cluster text: no markup, no escapes, one line

    def _render_cells(self, cells: PodCells) -> list[Cell]:
        return [self._cell(index, text) for index, text in enumerate(cells)]

    # -- filter and sort -----------------------------------------------------------------------------------

    def matches(self, cells: PodCells) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        return any(needle in cell.lower() for cell in cells)

    def set_filter(self, text: str) -> None:
        """Show only pods with ``text`` in any column (case-insensitive); rows flip in place."""
        text = text.strip()
        if text == self.filter_text:
            return
        self.filter_text = text
        doomed: list[str] = []
        new_rows: list[tuple[str, list[Cell]]] = []
        for key, cells in self.cells_by_key.items():
            shown = key in self.rows
            wanted = self.matches(cells)
            if shown and not wanted:
                doomed.append(key)
            elif wanted and not shown:
                new_rows.append((key, self._render_cells(cells)))
        added = bool(new_rows)
        self.remove_rows(doomed)
        self.append_rows(new_rows)
        if added and self.sort_column:
            self.apply_sort()
        if self.on_counts_changed is not None:
            self.on_counts_changed()

    def set_sort(self, column: str | None, reverse: bool = False) -> None:
        self.sort_column = column
        self.sort_reverse = reverse
        if column:
            self.apply_sort()

    def cycle_sort(self) -> str:
        """Next sort column (NAME → GROUP → … → none); returns a label for the footer/title."""
        if self.sort_column is None:
            self.set_sort(SORT_CYCLE[0])
        else:
            index = SORT_CYCLE.index(self.sort_column) + 1
            self.set_sort(SORT_CYCLE[index] if index < len(SORT_CYCLE) else None, self.sort_reverse)
        return self.sort_label

    def reverse_sort(self) -> None:
        self.set_sort(self.sort_column or COLUMN_KEYS[0], not self.sort_reverse)

    @property
    def sort_label(self) -> str:
        if not self.sort_column:
            return ""
        return f"{self.sort_column} {'↓' if self.sort_reverse else '↑'}"

    def flush_sort(self) -> bool:
        """Sort now if rows came in since the last sort and SORT_EVERY has passed (called every tick); True if
        it sorted."""
        if self._sort_due and time.monotonic() - self._sorted_at >= SORT_EVERY:
            self.apply_sort()
            return True
        return False

    def apply_sort(self) -> None:
        self._sort_due = False
        self._sorted_at = time.monotonic()
        if not self.sort_column or not self.row_count:
            return
        column = self.sort_column
        selected = self.selected_key
        self.sort(column, key=lambda cell: _sort_value(column, cell.plain), reverse=self.sort_reverse)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected), scroll=False)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        self.set_sort(column, reverse=not self.sort_reverse if column == self.sort_column else False)

    # -- reading -------------------------------------------------------------------------------------------

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            row_key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # the cursor can sit past the last row for a moment after removals
            return None
        return None if row_key.value is None else str(row_key.value)

    def visible_keys(self) -> list[str]:
        """Keys of the rows currently on screen (for refreshing ages without touching 5,000 rows)."""
        top = int(self.scroll_y)
        bottom = top + max(self.size.height, 1)
        keys = []
        for row in self.ordered_rows[top:bottom]:
            if row.key.value is not None:
                keys.append(str(row.key.value))
        return keys

    def title(self) -> str:
        total = len(self.cells_by_key)
        parts = [f"Pods {total:,}"]
        for phase in PHASE_ORDER:
            if self.phase_counts.get(phase):
                parts.append(f"{phase} {self.phase_counts[phase]:,}")
        for phase, count in sorted(self.phase_counts.items()):
            if count and phase not in PHASE_ORDER:
                parts.append(f"{phase or '?'} {count:,}")
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”: {self.row_count:,} shown")
        if self.sort_column:
            parts.append(f"sort {self.sort_label}")
        return " · ".join(parts)
