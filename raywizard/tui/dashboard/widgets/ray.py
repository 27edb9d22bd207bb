"""The Ray panel: what the Ray autoscaler on the head says (read through a port-forward, read-only).

Demands that cannot be met with the reason ("{GPU: 1} × 4 pending: no group offers GPU", "at maxReplicas"),
launches in progress, failures with their reasons and idle nodes about to be removed; or "Ray head not
reachable (why)" when the head could not be asked. Fed a RayInsight (raywizard.model.ray_insight) by
``show``; knows nothing of how it was fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.widgets import Static

from raywizard.model.ray_insight import RayInsight, insight_rows, insight_summary
from raywizard.tui.common.literal_text import rich_text

KIND_STYLES = {"demand": "yellow", "launching": "cyan", "pending": "cyan", "failed": "red", "idle": "dim"}
MAX_LINES = 8


def ray_text(insight: RayInsight | None) -> Text:
    if insight is None:
        return Text("Ray: asking the head…", style="italic")
    text = _autoscaler_text(insight)
    for _group, _count, note in insight.old_templates:  # pods KubeRay does not restart after a template change
        text.append("\n")
        text.append(f"{'old tmpl':<9} ", style="bold magenta")
        text.append_text(rich_text(note, "magenta", single_line=True))
    return text


def _autoscaler_text(insight: RayInsight) -> Text:
    if not insight.reachable:
        return rich_text(insight.message, "yellow", single_line=True)
    text = rich_text(insight_summary(insight), "bold", single_line=True)
    rows = insight_rows(insight)
    if not rows:
        text.append("\nno pending demands, launches, failures or idle nodes", style="green")
        return text
    for kind, group, detail in rows[:MAX_LINES]:
        style = KIND_STYLES.get(kind, "")
        if kind == "demand" and "no group offers" in detail:
            style = "red"
        text.append("\n")
        text.append(f"{kind:<9} ", style=f"bold {style}".strip())
        if group:
            text.append_text(rich_text(group, single_line=True))
            text.append(" ")
        text.append_text(rich_text(detail, style, single_line=True))
    if len(rows) > MAX_LINES:
        text.append(f"\n… {len(rows) - MAX_LINES} more (raywizard status shows all)", style="dim")
    return text


class RayPanel(Static):
    """The autoscaler's view; ``show(None)`` while the first answer is on its way."""

    DEFAULT_CSS = """
    RayPanel { height: auto; max-height: 10; padding: 0 1; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ray_text(None), **kwargs)
        self.insight: RayInsight | None = None
        self._ask: Callable[[], RayInsight] | None = None

    def poll(self, ask: Callable[[], RayInsight], every: float) -> None:
        """Call ``ask`` (which talks to the cluster) on a worker thread now and every ``every`` seconds."""
        self._ask = ask
        self.set_interval(every, self._refresh_insight, name="ray-panel-poll")
        self._refresh_insight()

    @work(thread=True, exclusive=True, exit_on_error=False, group="ray-panel")
    def _refresh_insight(self) -> None:
        from textual.worker import get_current_worker

        ask = self._ask
        if ask is None:
            return
        try:
            insight = ask()
        except Exception as exc:  # a bug or a surprise from the cluster: say so in the panel, keep polling
            insight = RayInsight.unreachable(f"{type(exc).__name__}: {exc}")
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, insight)

    def show(self, insight: RayInsight | None) -> None:
        if insight == self.insight and insight is not None:
            return
        self.insight = insight
        self.update(ray_text(insight))

    @property
    def plain(self) -> str:
        return ray_text(self.insight).plain
