"""Every use of Textual's private API, in one place, behind a check of the version it was written against.

Textual has no public API for five things raywizard needs: adding and removing many DataTable rows in one
pass (its ``remove_row`` re-indexes every remaining row per call: 3 s for 200 of 5,000 rows), dropping a
DataTable's rendered-line caches after rows were measured late, updating a cell without a rebuild of the row order over
every row, and bindings that differ per instance (a dialog's footer naming what its keys do, a footer showing
only the keys that fit). Each function here checks that the private
attributes it uses exist and falls back to the public API (or to doing nothing visible) when they do not, so a
Textual release that changes them degrades speed or a footer label, never correctness. ``pyproject.toml`` pins
Textual to ``TESTED_MAJOR``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from importlib.metadata import version
from typing import Any

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowDoesNotExist, RowKey

TESTED_MAJOR = 8
_TABLE_INTERNALS = ("_row_locations", "_data", "_updated_cells", "_update_count", "_require_update_dimensions")
_ADD_INTERNALS = ("_row_locations", "_data", "_update_count", "_require_update_dimensions", "_highlight_cursor")


def _major(text: str) -> int:
    try:
        return int(text.split(".", 1)[0])
    except ValueError:
        return -1


TEXTUAL_MAJOR = _major(version("textual"))
#: True when the installed Textual is the major release these internals were written against
TESTED = TEXTUAL_MAJOR == TESTED_MAJOR


# -- DataTable ------------------------------------------------------------------------------------------------


def remove_rows(table: DataTable[Any], keys: Iterable[str]) -> None:
    """Remove the rows ``keys`` (missing ones are skipped) re-indexing the table once, not once per row; the
    other rows are untouched (still keyed, never cleared)."""
    doomed = {RowKey(key) for key in keys if key in table.rows}
    if not doomed:
        return
    if len(doomed) == 1 or not TESTED or not all(hasattr(table, name) for name in _TABLE_INTERNALS):
        for key in doomed:
            with contextlib.suppress(RowDoesNotExist):
                table.remove_row(key)
        return
    from textual._two_way_dict import TwoWayDict

    internal: Any = table
    locations = internal._row_locations
    ordered = [locations.get_key(index) for index in range(len(locations))]
    kept = [key for key in ordered if key is not None and key not in doomed]
    internal._row_locations = TwoWayDict({key: index for index, key in enumerate(kept)})
    for key in doomed:
        for column_key in internal._data.get(key, {}):
            internal._updated_cells.discard(CellKey(key, column_key))
        del table.rows[key]
        del internal._data[key]
    internal._require_update_dimensions = True
    table.cursor_coordinate = table.cursor_coordinate
    table.hover_coordinate = table.hover_coordinate
    internal._update_count += 1
    table.check_idle()
    table.refresh(layout=True)


def drop_rendered_lines(table: DataTable[Any]) -> None:
    """Render the table again from its cells: Textual measures new rows on idle without invalidating lines
    drawn before that (columns stayed as wide as their labels)."""
    clear: Callable[[], None] | None = getattr(table, "_clear_caches", None) if TESTED else None
    if clear is not None:
        clear()
    table.refresh()


def add_rows(table: DataTable[Any], rows: Sequence[tuple[str, Sequence[Any]]], width: Callable[[Any], int]) -> None:
    """Append single-line, unlabelled rows ``(key, cells)`` at the bottom in one pass. ``add_row`` per row
    re-validates the cursor (a reactive with watchers) and leaves each cell to be measured on idle through a
    console render: 20,000 pods took seconds of the first fill. Here the table is re-validated once, and each
    column grows to the widest ``width(cell)`` at once."""
    if not rows:
        return
    if not TESTED or not all(hasattr(table, name) for name in _ADD_INTERNALS):
        for key, cells in rows:
            table.add_row(*cells, key=key)
        return
    from textual.widgets.data_table import DuplicateKey, Row

    internal: Any = table
    locations = internal._row_locations
    data = internal._data
    columns = table.ordered_columns
    column_keys = [column.key for column in columns]
    widths = [column.content_width for column in columns]
    was_empty = table.row_count == 0
    index = table.row_count
    for key, cells in rows:
        row_key = RowKey(key)
        if row_key in locations:
            raise DuplicateKey(f"The row key {row_key!r} already exists.")
        if len(cells) != len(columns):
            raise ValueError(f"{len(cells)} cells for {len(columns)} columns")
        locations[row_key] = index
        index += 1
        data[row_key] = dict(zip(column_keys, cells, strict=True))
        table.rows[row_key] = Row(row_key, 1)
        for position, cell in enumerate(cells):
            cell_width = width(cell)
            if cell_width > widths[position]:
                widths[position] = cell_width
    for column, column_width in zip(columns, widths, strict=True):
        column.content_width = column_width
    internal._require_update_dimensions = True  # the virtual size, on idle (no row left to measure)
    table.cursor_coordinate = table.cursor_coordinate
    if was_empty and columns and table.show_cursor and table.cursor_type != "none":
        internal._highlight_cursor()
    internal._update_count += 1
    table.check_idle()


def update_cell_in_place(
    table: DataTable[Any], row_key: str, column_key: str, value: Any, *, update_width: bool = False
) -> None:
    """``table.update_cell`` keeping the table's row order and line offsets: a new cell value moves no row and
    changes no row's height, but Textual counts it as an update and rebuilds both over every row on the next
    frame (20,000 rows: tens of milliseconds, once a second as the ages tick on an otherwise idle dashboard)."""
    internal: Any = table
    before = getattr(internal, "_update_count", None) if TESTED else None
    table.update_cell(row_key, column_key, value, update_width=update_width)
    ordered = getattr(internal, "_ordered_row_cache", None)
    offsets = getattr(internal, "_offset_cache", None)
    after = getattr(internal, "_update_count", None)
    if before is None or ordered is None or offsets is None or not isinstance(after, int) or after == before:
        return
    rows = ordered.get((table.row_count, before))
    if rows is not None:
        ordered.set((table.row_count, after), rows)
    lines = offsets.get(before)
    if lines is not None:
        offsets.set(after, lines)


# -- bindings -------------------------------------------------------------------------------------------------


def bindings_of(node: DOMNode) -> dict[str, list[Binding]]:
    """The node's own bindings by key (its class's and its bases', as this instance holds them)."""
    internal: Any = node
    return dict(internal._bindings.key_to_bindings)


def set_instance_bindings(node: DOMNode, key: str, bindings: Sequence[Binding]) -> None:
    """Bind ``key`` on this instance only. The instance's map is a copy of its class's, but the lists in it are
    the class's: replaced, never changed in place."""
    internal: Any = node
    internal._bindings.key_to_bindings[key] = list(bindings)


def show_in_footer(node: DOMNode, shown: set[str], among: Iterable[str]) -> bool:
    """Of the actions ``among``, show only those in ``shown`` in the footer (their keys keep working either
    way); True when something changed (then call ``refresh_bindings``)."""
    among = set(among)
    changed = False
    for key, found in bindings_of(node).items():
        new = [replace(b, show=b.action in shown) if b.action in among else b for b in found]
        if [b.show for b in new] != [b.show for b in found]:
            set_instance_bindings(node, key, new)
            changed = True
    return changed
