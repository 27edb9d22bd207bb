"""How the dashboard's panels are filled from the latest snapshot: the RayCluster summary, worker groups (counted
off the UI thread) with their replica history, pod ages on screen, the highlighted Application's and pod's
details, and the panel titles. The base of ``DashboardScreen``, which owns the data loop that calls these.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widgets import DataTable, Static

from raywizard.model.textsafe import literal
from raywizard.tui.dashboard.actions import DashboardActions
from raywizard.tui.dashboard.feed import ReplicaHistory
from raywizard.tui.dashboard.widgets.apps import ApplicationDetails, ApplicationsTable
from raywizard.tui.dashboard.widgets.events import EventsLog
from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel
from raywizard.tui.dashboard.widgets.pods import COLUMN_KEYS, PodsTable
from raywizard.tui.dashboard.widgets.raycluster import RayClusterPanel


class DashboardPanels(DashboardActions):
    """Panel updates; state (``snapshot``, ``history``, ...) is set up by ``DashboardScreen.__init__``."""

    cluster_name: str | None
    apply_timeline: list[str]
    history: ReplicaHistory
    _clock: Callable[[], datetime]
    _styles: dict[str, str]
    _last_group_rows: list[Any]
    _groups_running: bool
    _titles: dict[str, str]
    _pod_details_shown: str

    def _app_order(self, key: str) -> tuple[int, str]:
        """The guide's order: CRDs, operator, cluster; other Applications after them, by name."""
        target = getattr(self.spec, "target", None)
        names = [target.crds_app, target.operator_app, target.cluster_app] if target is not None else []
        name = key.split("/", 1)[-1]
        return (names.index(name) if name in names else len(names), name)

    def _show_raycluster(self) -> None:
        summary = self._summary()
        service = ""
        if summary is not None:
            from raywizard.kube.portforward import head_service_name

            service = head_service_name(summary.name)
        self.query_one(RayClusterPanel).show(summary, self._styles, service)

    def _summary(self) -> Any:
        from raywizard.kube import views

        if self.snapshot is None:
            return None
        now = self._clock()
        return views.raycluster_summary(self.snapshot, self.cluster_name, now) or views.raycluster_summary(
            self.snapshot, None, now
        )

    def _group_rows(self) -> list[Any]:
        from raywizard.kube import views

        summary = self._summary()
        if summary is None:
            return []
        return views.worker_group_rows(self.snapshot, summary.name)

    def _replicas(self) -> dict[str, float]:
        return {row.group: float(row.replicas) for row in self._last_group_rows}

    def _compute_groups(self) -> None:
        """Worker-group counts scan every pod (5,000 of them under load): done on a thread over the immutable
        snapshot, shown when ready, so a tick never waits for it."""
        snapshot, name = self.snapshot, getattr(self._summary(), "name", None)
        if name is None:
            self._groups_ready([])
            return
        self._groups_running = True

        def compute() -> None:
            from raywizard.kube import views

            try:
                rows = views.worker_group_rows(snapshot, name)
            except Exception:  # a malformed object: keep the last counts
                rows = None
            with contextlib.suppress(RuntimeError):  # the app is closing
                self.app.call_from_thread(self._groups_ready, rows)

        threading.Thread(target=compute, name="dashboard-groups", daemon=True).start()

    def _groups_ready(self, rows: list[Any] | None) -> None:
        self._groups_running = False
        if rows is None or not self.is_mounted:
            return
        self._last_group_rows = rows
        self._show_groups(sampled=False)

    def _show_groups(self, *, sampled: bool = False) -> None:
        if not sampled:
            self.history.sample(self._replicas())
        history = {group: self.history.values(group) for group in self.history.series}
        self.query_one(WorkerGroupsPanel).show(self._last_group_rows, history)

    def _refresh_ages(self) -> None:
        """Once a second, even when nothing changed: only age texts (cells and widgets compare before they
        repaint, so an unchanged age costs no redraw)."""
        from raywizard.kube import views

        if self.snapshot is None:
            return
        self._show_raycluster()  # "age 6s" in the RayCluster panel
        apps = self.query_one(ApplicationsTable)
        if apps.rows_by_key:
            # LAST SYNC "… ago": re-derived from the rows already shown (no new view rows needed).
            apps.apply(list(apps.rows_by_key.items()), self._clock())
        table = self.query_one(PodsTable)
        now = self._clock()
        rows = []
        for key in table.visible_keys():
            pod = self.snapshot.pods.get(key)
            if pod is not None:
                rows.append((key, views.pod_row(pod, now), str((pod.get("status") or {}).get("phase", ""))))
        if rows:
            table.apply(rows)

    def _show_app_details(self) -> None:
        table = self.query_one(ApplicationsTable)
        key = table.selected_key
        row = table.rows_by_key.get(key) if key else None
        self.query_one(ApplicationDetails).show(row, self.apply_timeline)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "apps":
            self._show_app_details()
        elif event.data_table.id == "pods":
            self._show_pod_details()

    def _show_pod_details(self) -> None:
        """The highlighted pod's status and full reason (the table's REASON column is often cut off).

        Read from the row under the cursor *now*: after a filter, sort or removal the cursor may sit on another
        pod (or none) without a RowHighlighted event, and a stale line here looked like a ghost table row.
        The ``selected ›`` prefix keeps it from reading as a row at all.
        """
        table = self.query_one(PodsTable)
        key = table.selected_key
        cells = table.cells_by_key.get(key) if key and key in table.rows else None
        text = Text()
        if cells is not None:
            name, status, reason = cells[0], cells[COLUMN_KEYS.index("status")], cells[COLUMN_KEYS.index("reason")]
            text.append("selected › ", style="italic")
            text.append(literal(name, single_line=True), style="bold")
            text.append(f" · {literal(status, single_line=True)}")
            if reason:
                text.append(f" · {literal(reason, single_line=True)}")
        details = self.query_one("#pod-details", Static)
        if text.plain != self._pod_details_shown:
            self._pod_details_shown = text.plain
            details.update(text)

    def _pods_changed(self) -> None:
        """After any change to the pods table's rows (batch, filter, sort): titles and the selected pod."""
        self._update_titles()
        self._show_pod_details()

    def _update_titles(self) -> None:
        # Only on change: setting a border title repaints the panel.
        for panel_id, title in (
            ("#pods-panel", self.query_one(PodsTable).title()),
            ("#events-panel", self.query_one(EventsLog).title()),
        ):
            panel = self.query_one(panel_id)
            if self._titles.get(panel_id) != title:
                self._titles[panel_id] = title
                panel.border_title = Text(literal(title, single_line=True))
