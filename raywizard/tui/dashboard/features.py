"""The dashboard's views beyond its panels, one key away: help, the events view, an Application's resource tree
and history, delete with its cascade, logs with a container picker and of a whole group. The screen mixes this
in; each view lives in its own module and is imported when first opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.screen import Screen

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.kube.session import ClusterSession


class DashboardFeatures(Screen[None]):
    """Actions that open the dashboard's views; they read the screen's snapshot, never the network here."""

    snapshot: Any
    session: ClusterSession
    spec: Any

    def action_group_logs(self) -> None:
        """``L``: the logs of every pod in the highlighted pod's worker group (or of the head)."""
        from raywizard.tui.dashboard.logs import open_group_logs
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        key = self.query_one(PodsTable).selected_key
        snapshot = self.snapshot
        pod = snapshot.pods.get(key) if key is not None and snapshot is not None else None
        if pod is None:
            self.notify("Select a pod of the group first (the pods table).", severity="warning")
            return
        if self.session.connection is None:
            self.notify("Not connected to a cluster: no logs to read.", severity="warning")
            return
        labels = (pod.get("metadata") or {}).get("labels") or {}
        cluster, group = labels.get("ray.io/cluster"), labels.get("ray.io/group")
        if not group:
            self.notify("This pod belongs to no Ray group (no ray.io/group label).", severity="warning")
            return
        members = [
            p for p in snapshot.pods.values()
            if ((p.get("metadata") or {}).get("labels") or {}).get("ray.io/group") == group
            and ((p.get("metadata") or {}).get("labels") or {}).get("ray.io/cluster") == cluster
        ]
        open_group_logs(self.app, self.session, str(group), members)

    def action_events(self) -> None:
        """``e`` (or Enter in the Events panel): every recent event, scrollable, filterable, grouped."""
        from raywizard.tui.dashboard.events_view import EventsScreen
        from raywizard.tui.dashboard.widgets.events import EventsLog

        panel = self.query_one(EventsLog)
        self.app.push_screen(EventsScreen(lambda: list(panel.buffer), warnings_only=panel.warnings_only))

    def action_application(self, tab: str = "resources") -> None:
        """``a`` (or Enter in the Applications panel): the highlighted Application's tree, YAML, history and
        last operation."""
        from raywizard.tui.dashboard.argocd_views import ApplicationScreen
        from raywizard.tui.dashboard.widgets.apps import ApplicationsTable

        key = self.query_one(ApplicationsTable).selected_key
        if key is None:
            self.notify("No Application yet.", severity="warning")
            return

        def current() -> tuple[Any, Any]:
            snapshot = self.snapshot
            if snapshot is None:
                return None, ()
            return snapshot.applications.get(key), list(snapshot.pods.values())

        self.app.push_screen(ApplicationScreen(key, current, tab=tab))

    def on_data_table_row_selected(self, event: Any) -> None:
        if getattr(event.data_table, "id", None) == "apps":
            event.stop()
            self.action_application()

    def action_delete(self) -> None:
        """``ctrl+d``: delete the highlighted Application once the confirmation listing its cascade says yes."""
        from raywizard.tui.dashboard.widgets.apps import ApplicationsTable

        key = self.query_one(ApplicationsTable).selected_key
        if key is None or "/" not in key:
            self.notify("No Application selected.", severity="warning")
            return
        if self.session.connection is None:
            self.notify("Not connected to a cluster: nothing can be deleted.", severity="warning")
            return
        namespace, name = key.split("/", 1)
        self.notify(f"Counting what deleting {name} removes…", timeout=3)
        self._plan_delete(namespace, name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-delete")
    def _plan_delete(self, namespace: str, name: str) -> None:
        try:
            plan = self.session.cascade_plan(namespace, name)
        except Exception as exc:
            self.app.call_from_thread(self.notify, literal(str(exc), single_line=True), title="Delete",
                                      severity="error", timeout=8)
            return
        self.app.call_from_thread(self._confirm_delete, plan)

    def _confirm_delete(self, plan: Any) -> None:
        from raywizard.tui.dashboard.delete_confirm import DeleteConfirm

        if not plan.exists:
            self.notify(f"Application {plan.namespace}/{plan.name} is already gone.", severity="warning")
            return
        connection = self.session.connection
        where = (f"context {literal(getattr(connection, 'context_name', ''))} "
                 f"({literal(getattr(connection, 'server_url', ''))})")

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._delete(plan.namespace, plan.name)

        self.app.push_screen(DeleteConfirm(plan, where), answered)

    @work(thread=True, exit_on_error=False, group="dashboard-delete-write")
    def _delete(self, namespace: str, name: str) -> None:
        try:
            self.session.delete_application(namespace, name)
        except Exception as exc:
            self.app.call_from_thread(self.notify, literal(str(exc), single_line=True), title="delete failed",
                                      severity="error", timeout=8)
            return
        self.app.call_from_thread(self.notify, f"Deleting {name}: Argo CD removes its resources first.",
                                  timeout=6)

    def action_help(self) -> None:
        from raywizard.tui.dashboard.help import HelpScreen, help_rows

        self.app.push_screen(HelpScreen(list(help_rows(self))))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-read")
    def describe_whole_pod(self, namespace: str, name: str) -> None:
        """Read the whole pod, then show it as YAML (``d``)."""
        from raywizard.tui.dashboard.dialogs import DescribeScreen

        try:
            pod = self.session.read_pod(namespace, name)
        except Exception as exc:
            self.app.call_from_thread(self.notify, literal(str(exc), single_line=True), title="Pod YAML",
                                      severity="error", timeout=8)
            return
        if pod is None:
            self.app.call_from_thread(self.notify, f"Pod {namespace}/{name} is gone.", severity="warning")
            return
        self.app.call_from_thread(self.app.push_screen, DescribeScreen(f"Pod {namespace}/{name}", pod))
