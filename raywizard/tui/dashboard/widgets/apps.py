"""Argo CD Applications: a small keyed table plus the details of the highlighted one.

Details = operation message, conditions, and (when the wizard passes it) the timeline of the last apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable, Static

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text
from raywizard.tui.dashboard.rows import field, text_of
from raywizard.tui.dashboard.widgets.cells import status_cell, theme_styles

if TYPE_CHECKING:
    from raywizard.documents.git import RevisionInfo

# Revision, message and conditions are in the details line under the table (they rarely fit a column).
APP_COLUMNS = (
    ("name", "APPLICATION"),
    ("sync", "SYNC"),
    ("health", "HEALTH"),
    ("operation", "OPERATION"),
    ("last_sync", "LAST SYNC"),
)
STATUS_COLUMNS = {"sync", "health", "operation"}


def app_cells(row: Any, now: datetime | None = None) -> tuple[str, ...]:
    return (
        text_of(field(row, "name")),
        text_of(field(row, "sync")),
        text_of(field(row, "health")),
        text_of(field(row, "operation")),
        _ago(text_of(field(row, "last_sync")), now),
    )


def _ago(timestamp: str, now: datetime | None) -> str:
    """``2026-11-25T20:55:00Z`` → ``5m ago`` (as ``argocd app list`` users read it)."""
    if not timestamp or now is None:
        return timestamp
    from raywizard.kube.views import age

    return f"{age(timestamp, now)} ago"


class ApplicationsTable(DataTable[Text]):
    """Keyed by Application key; cells updated in place."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", **kwargs)
        self.rows_by_key: dict[str, Any] = {}
        self._cells: dict[str, tuple[str, ...]] = {}
        self._styles: dict[str, str] = {}

    def on_mount(self) -> None:
        self._styles = theme_styles(self.app.theme_variables)
        for key, header in APP_COLUMNS:
            self.add_column(header, key=key)

    def _cell(self, column: str, text: str) -> Text:
        return status_cell(text, self._styles) if column in STATUS_COLUMNS else rich_text(text, single_line=True)

    def apply(self, changes: Sequence[tuple[str, Any | None]], now: datetime | None = None) -> None:
        added = False
        for key, row in changes:
            if row is None:
                self.rows_by_key.pop(key, None)
                self._cells.pop(key, None)
                if key in self.rows:
                    self.remove_row(key)
                continue
            self.rows_by_key[key] = row
            cells = app_cells(row, now)
            old = self._cells.get(key)
            self._cells[key] = cells
            if old is None or key not in self.rows:
                self.add_row(*(self._cell(c, t) for (c, _), t in zip(APP_COLUMNS, cells, strict=True)), key=key)
                added = True
                continue
            for (column, _), new_text, old_text in zip(APP_COLUMNS, cells, old, strict=True):
                if new_text != old_text:
                    self.update_cell(key, column, self._cell(column, new_text), update_width=True)
        if added:
            # New rows widen the columns only once measured (on idle); a header line rendered before that kept
            # the label widths ("APPLICATION  SYNC  HEALTH" over wider rows at 80x24). Render it again then.
            self.call_after_refresh(self._rerender_header)

    def _rerender_header(self) -> None:
        from raywizard.tui.common.textual_internals import drop_rendered_lines

        drop_rendered_lines(self)

    @property
    def selected_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            value = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None
        return None if value is None else str(value)


def app_details(row: Any | None, timeline: Sequence[str] = (), revision_info: RevisionInfo | None = None) -> Text:
    """The highlighted Application's message, conditions and the last apply's timeline, all literal; one line
    each (cut with an ellipsis: the panel is small, ``describe`` has the rest). ``revision_info``: what a local
    repository knows of its revision (``documents.git.RevisionInfo``): the commit subject, and when the branch
    moved past it."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if row is None:
        text.append("No Application yet (apply, or check the Argo CD namespace).", style="italic")
        return text
    text.append(literal(field(row, "name"), single_line=True), style="bold")
    # A commit SHA is shortened as Argo CD's UI does; a multi-source Application has one revision per source.
    revision = ",".join(part[:8] if len(part) == 40 and all(ch in "0123456789abcdef" for ch in part) else part
                        for part in text_of(field(row, "revision")).split(","))
    if revision:
        text.append(f"  rev {literal(revision, single_line=True)}")
    if revision_info is not None and revision_info.subject:
        text.append(" ")
        text.append(literal(revision_info.subject, single_line=True), style="italic")
    if revision_info is not None and revision_info.behind:
        text.append("  ")
        text.append(literal(f"behind {revision_info.branch} (at {revision_info.branch_head[:8]})", single_line=True),
                    style="bold")
    message = field(row, "message", default="")
    if message:
        text.append("  ")
        text.append(literal(message, single_line=True))
    managed_by = field(row, "managed_by", default="")
    if managed_by:
        text.append("\n  ")
        text.append(literal(managed_by, single_line=True), style="bold")
    for condition in field(row, "conditions", default=()) or ():
        ctype, cmessage = ([*list(condition), "", ""])[:2]
        text.append("\n  ")
        text.append(literal(ctype, single_line=True), style="bold")
        text.append(": ")
        text.append(literal(cmessage, single_line=True))
    if timeline:
        text.append("\nlast apply: ", style="bold")
        text.append(" → ".join(literal(step, single_line=True) for step in timeline))
    return text


class ApplicationDetails(Static):
    """Shows ``app_details`` for the highlighted row; updated only when its text changes.

    The revision of a git source is looked up in a local repository on a worker thread (the repository itself
    for ``file://``, else the clone in the current directory when it has that remote; never the network) and
    looked up again every ``REVISION_TTL`` seconds, so a push shows as "behind" before Argo CD picks it up."""

    REVISION_TTL = 15.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self._shown: str | None = None
        self._row: Any | None = None
        self._timeline: Sequence[str] = ()
        self._revisions: dict[tuple[str, str, str], tuple[float, RevisionInfo | None]] = {}
        self._looking: set[tuple[str, str, str]] = set()

    def on_mount(self) -> None:
        # Look again while the cluster is quiet too: a push changes nothing in the cluster until Argo CD looks.
        self.set_interval(self.REVISION_TTL, self._look_again)

    def _look_again(self) -> None:
        if self._row is not None and text_of(field(self._row, "repo_url", default="")):
            self.show(self._row, self._timeline)

    def show(self, row: Any | None, timeline: Sequence[str] = ()) -> None:
        self._row, self._timeline = row, timeline
        text = app_details(row, timeline, self._revision_of(row))
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text)

    def _revision_of(self, row: Any | None) -> RevisionInfo | None:
        import time

        if row is None:
            return None
        key = (text_of(field(row, "repo_url", default="")), text_of(field(row, "target_revision", default="")),
               text_of(field(row, "revision", default="")))
        if not key[0] or not key[2] or "," in key[2]:
            return None
        known = self._revisions.get(key)
        if known is None or time.monotonic() - known[0] > self.REVISION_TTL:
            self._look_up(key)
        return known[1] if known is not None else None

    def _look_up(self, key: tuple[str, str, str]) -> None:
        if key in self._looking:
            return
        self._looking.add(key)

        def work() -> None:
            import contextlib
            import time
            from pathlib import Path

            from raywizard.documents.git import describe_revision

            try:
                info = describe_revision(*key, clone=Path.cwd())
            except Exception:
                info = None  # no git, or a repository git cannot read: the revision shows without its subject
            with contextlib.suppress(RuntimeError):  # the app closed meanwhile
                self.app.call_from_thread(self._found, key, time.monotonic(), info)

        self.run_worker(work, thread=True, group="app-revision", exit_on_error=False)

    def _found(self, key: tuple[str, str, str], when: float, info: RevisionInfo | None) -> None:
        self._looking.discard(key)
        self._revisions[key] = (when, info)
        self.show(self._row, self._timeline)
