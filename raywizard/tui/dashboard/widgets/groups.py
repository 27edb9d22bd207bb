"""Worker groups: replicas / min / max / ready per group, and a sparkline of replicas over time.

One ``GroupLine`` per group, keyed by group name and updated in place; the sparkline makes autoscaler
activity (and Argo CD reverting it, when the ignore rule is missing) visible at a glance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from raywizard.model.textsafe import literal
from raywizard.tui.dashboard.rows import field


def group_label(row: Any) -> str:
    name = literal(field(row, "group", "name"), single_line=True)
    replicas = field(row, "replicas", default=0)
    low = field(row, "min_replicas", default=0)
    high = field(row, "max_replicas", default=0)
    ready = field(row, "ready", default=0)
    pending = field(row, "pending", default=0)
    high_text = "∞" if isinstance(high, int) and high >= 2147483647 else str(high)
    if len(name) > 26:  # keep the end: group names often differ only there (…-group1, …-group2)
        name = "…" + name[-25:]
    text = f"{name:<26} {replicas:>3} replicas ({low}‥{high_text}) · {ready} ready"
    if pending:
        text += f" · {pending} pending"
    return text


def _safe_id(group: str) -> str:
    return "group-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in group)


class GroupLine(Horizontal):
    def __init__(self, group: str, **kwargs: Any) -> None:
        super().__init__(id=_safe_id(group), classes="group-line", **kwargs)
        self.group = group
        self._label = ""

    def compose(self) -> ComposeResult:
        yield Label("", classes="group-label")
        yield Sparkline([], summary_function=max, classes="group-sparkline")

    def show(self, row: Any, history: Sequence[float]) -> None:
        label = group_label(row)
        if label != self._label:
            self._label = label
            self.query_one(Label).update(Text(label))  # a str would be parsed as markup
        sparkline = self.query_one(Sparkline)
        data = list(history) or [0.0]
        if len(data) == 1:
            data = data * 2  # one sample would render as a full block; two render a flat line
        if list(sparkline.data or []) != data:
            sparkline.data = data


class WorkerGroupsPanel(VerticalScroll):
    """Scrolls (Tab to it, then arrows, or the mouse wheel) when there are more groups than rows; the bottom
    border then says how many are hidden, so short terminals never silently drop groups."""

    can_focus = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: dict[str, GroupLine] = {}

    def compose(self) -> ComposeResult:
        yield Static("No worker groups yet.", classes="empty")

    def show(self, rows: Sequence[Any], history: Mapping[str, Sequence[float]]) -> None:
        names = [str(field(row, "group", "name")) for row in rows]
        for gone in [g for g in self.lines if g not in names]:
            self.lines.pop(gone).remove()
        for row, name in zip(rows, names, strict=True):
            line = self.lines.get(name)
            if line is None:
                line = GroupLine(name)
                self.lines[name] = line
                self.mount(line)
                line.call_after_refresh(line.show, row, history.get(name, ()))
                continue
            line.show(row, history.get(name, ()))
        self.query_one(".empty").display = not self.lines
        self.call_after_refresh(self.update_hint)

    def update_hint(self) -> None:
        rows = max(self.scrollable_content_region.height, 0)
        above = int(self.scroll_y)
        below = max(len(self.lines) - rows - above, 0)
        parts = []
        if above:
            parts.append(f"↑ {above} more")
        if below:
            parts.append(f"↓ {below} more")
        hint = " · ".join(parts) + " (Tab here, then ↑/↓)" if parts else ""
        if self.border_subtitle != hint:
            self.border_subtitle = hint

    def on_resize(self) -> None:
        self.call_after_refresh(self.update_hint)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.update_hint()
