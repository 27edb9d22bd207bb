"""The dashboard's views beyond its panels, one key away: help, the events view, an Application's resource tree
and history, delete with its cascade, logs of a whole group and a pod's whole YAML. Each view lives in its own
module and is imported when first opened; the screen's keys call in here.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual.worker import get_current_worker

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.kube.cascade import CascadePlan
    from raywizard.kube.session import ClusterSession
    from raywizard.tui.dashboard.screen import DashboardScreen


class DashboardViews:
    """``DashboardViews(screen)``: opens views on the screen's snapshot; reads the cluster only in workers."""

    def __init__(self, screen: DashboardScreen) -> None:
        self.screen = screen

    @property
    def session(self) -> ClusterSession:
        return self.screen.session

    def notify(self, message: str, **options: Any) -> None:
        self.screen.notify(message, **options)

    def _notify_from_thread(self, message: str, **options: Any) -> None:
        if not get_current_worker().is_cancelled:  # the screen is gone: nobody is left to tell
            self.screen.app.call_from_thread(self.screen.notify, message, **options)

    def group_logs(self) -> None:
        """``L``: the logs of every pod in the highlighted pod's worker group (or of the head)."""
        from raywizard.tui.dashboard.logs import open_group_logs
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        key = self.screen.query_one(PodsTable).selected_key
        snapshot = self.screen.snapshot
        pod = snapshot.pods.get(key) if key is not None and snapshot is not None else None
        if pod is None or snapshot is None:
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
        open_group_logs(self.screen.app, self.session, str(group), members)

    def events(self) -> None:
        """``e`` (or Enter in the Events panel): every recent event, scrollable, filterable, grouped."""
        from raywizard.tui.dashboard.events_view import EventsScreen
        from raywizard.tui.dashboard.widgets.events import EventsLog

        panel = self.screen.query_one(EventsLog)
        self.screen.app.push_screen(EventsScreen(lambda: list(panel.buffer), warnings_only=panel.warnings_only))

    def application(self, tab: str = "resources") -> None:
        """``a`` (or Enter in the Applications panel): the highlighted Application's tree, YAML, history and
        last operation."""
        from raywizard.tui.dashboard.argocd_views import ApplicationScreen
        from raywizard.tui.dashboard.widgets.apps import ApplicationsTable

        key = self.screen.query_one(ApplicationsTable).selected_key
        if key is None:
            self.notify("No Application yet.", severity="warning")
            return

        def current() -> tuple[Any, Any]:
            snapshot = self.screen.snapshot
            if snapshot is None:
                return None, ()
            return snapshot.applications.get(key), list(snapshot.pods.values())

        self.screen.app.push_screen(ApplicationScreen(key, current, tab=tab))

    def help(self) -> None:
        from raywizard.tui.dashboard.help import HelpScreen, help_rows

        self.screen.app.push_screen(HelpScreen(list(help_rows(self.screen))))

    # -- delete ---------------------------------------------------------------------------------------------

    def delete(self) -> None:
        """``ctrl+d``: delete the highlighted Application once the confirmation listing its cascade says yes."""
        from raywizard.tui.dashboard.widgets.apps import ApplicationsTable

        key = self.screen.query_one(ApplicationsTable).selected_key
        if key is None or "/" not in key:
            self.notify("No Application selected.", severity="warning")
            return
        if self.session.connection is None:
            self.notify("Not connected to a cluster: nothing can be deleted.", severity="warning")
            return
        namespace, name = key.split("/", 1)
        self.notify(f"Counting what deleting {name} removes…", timeout=3)
        self.screen.run_worker(partial(self._plan_delete, namespace, name), thread=True, exclusive=True,
                               exit_on_error=False, group="dashboard-delete")

    def _plan_delete(self, namespace: str, name: str) -> None:
        try:
            plan = self.session.cascade_plan(namespace, name)
        except Exception as exc:
            self._notify_from_thread(literal(str(exc), single_line=True), title="Delete", severity="error",
                                     timeout=8)
            return
        if not get_current_worker().is_cancelled:
            self.screen.app.call_from_thread(self._confirm_delete, plan)

    def _confirm_delete(self, plan: CascadePlan) -> None:
        from raywizard.tui.dashboard.delete_confirm import DeleteConfirm

        if not plan.exists:
            self.notify(f"Application {plan.namespace}/{plan.name} is already gone.", severity="warning")
            return
        connection = self.session.connection
        where = (f"context {literal(getattr(connection, 'context_name', ''))} "
                 f"({literal(getattr(connection, 'server_url', ''))})")

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.screen.run_worker(partial(self._delete, plan.namespace, plan.name), thread=True,
                                       exit_on_error=False, group="dashboard-delete-write")

        self.screen.app.push_screen(DeleteConfirm(plan, where), answered)

    def _delete(self, namespace: str, name: str) -> None:
        try:
            self.session.delete_application(namespace, name)
        except Exception as exc:
            self._notify_from_thread(literal(str(exc), single_line=True), title="delete failed",
                                     severity="error", timeout=8)
            return
        self._notify_from_thread(f"Deleting {name}: Argo CD removes its resources first.", timeout=6)

    # -- a pod's whole YAML ---------------------------------------------------------------------------------

    def describe_whole_pod(self, namespace: str, name: str) -> None:
        """Read the whole pod, then show it as YAML (``d``): the dashboard keeps only compact records."""
        self.screen.run_worker(partial(self._read_pod, namespace, name), thread=True, exclusive=True,
                               exit_on_error=False, group="dashboard-read")

    def _read_pod(self, namespace: str, name: str) -> None:
        from raywizard.tui.dashboard.dialogs import DescribeScreen

        try:
            pod = self.session.read_pod(namespace, name)
        except Exception as exc:
            self._notify_from_thread(literal(str(exc), single_line=True), title="Pod YAML", severity="error",
                                     timeout=8)
            return
        if pod is None:
            self._notify_from_thread(f"Pod {namespace}/{name} is gone.", severity="warning")
            return
        if not get_current_worker().is_cancelled:
            self.screen.app.call_from_thread(self.screen.app.push_screen,
                                             DescribeScreen(f"Pod {namespace}/{name}", pod))
