"""How the dashboard's panels are filled from the latest snapshot: the RayCluster summary, worker groups (counted
off the UI thread by the screen's worker) with their replica history, pod ages on screen, the highlighted
Application's and pod's details, and the panel titles. ``DashboardScreen`` owns the data loop that calls these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from raywizard.model.textsafe import literal
from raywizard.tui.dashboard.feed import ReplicaHistory
from raywizard.tui.dashboard.widgets.apps import ApplicationDetails, ApplicationsTable
from raywizard.tui.dashboard.widgets.events import EventsLog
from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel
from raywizard.tui.dashboard.widgets.pods import COLUMN_KEYS, PodsTable
from raywizard.tui.dashboard.widgets.raycluster import RayClusterPanel

if TYPE_CHECKING:
    from raywizard.kube.views import GroupRow, RayClusterSummary
    from raywizard.tui.dashboard.screen import DashboardScreen


class DashboardPanels:
    """``DashboardPanels(screen)``: reads the screen's snapshot, spec and clock; writes its widgets."""

    def __init__(self, screen: DashboardScreen) -> None:
        self.screen = screen
        self.history = ReplicaHistory()
        self.styles: dict[str, str] = {}
        self.group_rows: list[GroupRow] = []
        self._titles: dict[str, str] = {}
        self._pod_details_shown = ""

    def query_one(self, *args: Any) -> Any:
        return self.screen.query_one(*args)

    def app_order(self, key: str) -> tuple[int, str]:
        """The guide's order: CRDs, operator, cluster; other Applications after them, by name."""
        target = getattr(self.screen.spec, "target", None)
        names = [target.crds_app, target.operator_app, target.cluster_app] if target is not None else []
        name = key.split("/", 1)[-1]
        return (names.index(name) if name in names else len(names), name)

    def show_raycluster(self) -> None:
        summary = self.summary()
        service = ""
        if summary is not None:
            from raywizard.kube.portforward import head_service_name

            service = head_service_name(summary.name)
        self.query_one(RayClusterPanel).show(summary, self.styles, service)

    def summary(self) -> RayClusterSummary | None:
        from raywizard.kube import views

        snapshot = self.screen.snapshot
        if snapshot is None:
            return None
        now = self.screen.clock()
        name = self.screen.cluster_name
        return views.raycluster_summary(snapshot, name, now) or views.raycluster_summary(snapshot, None, now)

    def replicas(self) -> dict[str, float]:
        return {row.group: float(row.replicas) for row in self.group_rows}

    def groups_counted(self, rows: list[GroupRow] | None) -> None:
        if rows is None:  # a malformed object: keep the last counts
            return
        self.group_rows = rows
        self.show_groups(sampled=False)

    def show_groups(self, *, sampled: bool = False) -> None:
        if not sampled:
            self.history.sample(self.replicas())
        history = {group: self.history.values(group) for group in self.history.series}
        self.query_one(WorkerGroupsPanel).show(self.group_rows, history)

    def refresh_ages(self) -> None:
        """Once a second, even when nothing changed: only age texts (cells and widgets compare before they
        repaint, so an unchanged age costs no redraw)."""
        from raywizard.kube import views

        snapshot = self.screen.snapshot
        if snapshot is None:
            return
        self.show_raycluster()  # "age 6s" in the RayCluster panel
        apps = self.query_one(ApplicationsTable)
        if apps.rows_by_key:
            # LAST SYNC "… ago": re-derived from the rows already shown (no new view rows needed).
            apps.apply(list(apps.rows_by_key.items()), self.screen.clock())
        table = self.query_one(PodsTable)
        now = self.screen.clock()
        rows = []
        for key in table.visible_keys():
            pod = snapshot.pods.get(key)
            if pod is not None:
                rows.append((key, views.pod_row(pod, now), str((pod.get("status") or {}).get("phase", ""))))
        if rows:
            table.apply(rows)

    def show_app_details(self) -> None:
        table = self.query_one(ApplicationsTable)
        key = table.selected_key
        row = table.rows_by_key.get(key) if key else None
        self.query_one(ApplicationDetails).show(row, self.screen.apply_timeline)

    def show_pod_details(self) -> None:
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

    def pods_changed(self) -> None:
        """After any change to the pods table's rows (batch, filter, sort): titles and the selected pod."""
        self.update_titles()
        self.show_pod_details()

    def update_titles(self) -> None:
        # Only on change: setting a border title repaints the panel.
        for panel_id, title in (
            ("#pods-panel", self.query_one(PodsTable).title()),
            ("#events-panel", self.query_one(EventsLog).title()),
        ):
            panel = self.query_one(panel_id)
            if self._titles.get(panel_id) != title:
                self._titles[panel_id] = title
                panel.border_title = Text(literal(title, single_line=True))
