"""What the dashboard's keys do, given the screen (its widgets and snapshot) and the ``ClusterSession``.

Writes that change what runs or what Argo CD renders (sync, hard refresh) are confirmed in a modal naming the
Application and the cluster; a normal refresh is not. The cluster I/O itself runs in the screen's thread workers,
which post a message when done. Nothing here blocks on the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.kube.session import ClusterSession
    from raywizard.model.spec import ClusterSpec
    from raywizard.tui.dashboard.screen import DashboardScreen
    from raywizard.tui.dashboard.widgets.events import EventsLog
    from raywizard.tui.dashboard.widgets.pods import PodsTable


class DashboardActions:
    """``DashboardActions(screen)``: reads the screen's widgets and snapshot; writes through its session."""

    def __init__(self, screen: DashboardScreen) -> None:
        self.screen = screen
        self._filtering: EventsLog | PodsTable | None = None  # the widget the filter box filters while it is open

    @property
    def session(self) -> ClusterSession:
        return self.screen.session

    def notify(self, message: str, **options: Any) -> None:
        self.screen.notify(message, **options)

    # -- selection -----------------------------------------------------------------------------------------

    def selected_app(self) -> tuple[str, str] | None:
        """(namespace, name) of the highlighted Application, else the spec's RayCluster Application."""
        from raywizard.tui.dashboard.widgets.apps import ApplicationsTable

        key = self.screen.query_one(ApplicationsTable).selected_key
        if key and "/" in key:
            namespace, name = key.split("/", 1)
            return namespace, name
        target = getattr(self.screen.spec, "target", None)
        if target is None:
            return None
        return target.argocd_namespace, target.cluster_app

    def selected_pod(self) -> dict[str, Any] | None:
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        key = self.screen.query_one(PodsTable).selected_key
        snapshot = self.screen.snapshot
        if key is None or snapshot is None:
            return None
        pod = snapshot.pods.get(key)
        return dict(pod) if pod is not None else None

    def where(self) -> str:
        conn = self.session.connection
        if conn is None:
            return "no cluster connection"
        context, server = getattr(conn, "context_name", ""), getattr(conn, "server_url", "")
        return f"context {literal(context)} ({literal(server)})"

    # -- writes --------------------------------------------------------------------------------------------

    def sync(self) -> None:
        self._confirm_write(
            "sync",
            "Sync Application {app}?",
            "Starts an Argo CD sync operation (copies the Application's syncOptions and retry).",
        )

    def refresh(self) -> None:
        """A normal refresh only asks Argo CD to compare again
        (docs/domain/argocd.md#sync-and-refresh-without-the-argo-cd-api): no confirmation, as
        ``argocd app get --refresh`` asks none."""
        app = self.selected_app()
        if app is None:
            self.notify("No Application selected.", severity="warning")
            return
        if self.session.connection is None:
            self.notify("Not connected to a cluster: nothing to refresh.", severity="warning")
            return
        namespace, name = app
        self.notify(f"refresh {name}: sent…", timeout=3)
        self.screen.write("refresh", namespace, name)

    def hard_refresh(self) -> None:
        self._confirm_write(
            "hard_refresh",
            "Hard refresh Application {app}?",
            "Sets argocd.argoproj.io/refresh=hard: Argo CD regenerates the manifests, then compares.",
        )

    def _confirm_write(self, verb: str, title: str, explanation: str) -> None:
        from raywizard.tui.dashboard.dialogs import ConfirmWrite

        app = self.selected_app()
        if app is None:
            self.notify("No Application selected.", severity="warning")
            return
        if self.session.connection is None:
            self.notify("Not connected to a cluster: nothing can be written.", severity="warning")
            return
        namespace, name = app
        snapshot = self.screen.snapshot
        connected = snapshot is not None and str(getattr(snapshot.connection, "state", "")) == "live"
        if connected and snapshot is not None and f"{namespace}/{name}" not in snapshot.applications:
            # Asking first and failing with "not found" afterwards helps nobody.
            self.notify(
                f"There is no Application {namespace}/{name} yet: apply first (raywizard apply, or the wizard).",
                severity="warning",
            )
            return
        details = f"{explanation}\n\nApplication {namespace}/{name} on {self.where()}."

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"{verb.replace('_', ' ')} {name}: sent…", timeout=3)
                self.screen.write(verb, namespace, name)

        self.screen.app.push_screen(ConfirmWrite(title.format(app=f"{namespace}/{name}"), details), answered)

    def restart_old_template(self) -> None:
        """Restart the first group the Ray panel names as running an old template, after a confirmation that
        names the count and says the operator recreates the pods (docs/template-drift.md)."""
        from raywizard.tui.dashboard.dialogs import ConfirmWrite
        from raywizard.tui.dashboard.widgets.ray import RayPanel
        from raywizard.tui.messages import WriteFinished

        insight = self.screen.query_one(RayPanel).insight
        summary = self.screen.panels.summary()
        if insight is None or not insight.old_templates or summary is None:
            self.notify("No worker group runs pods on an old template.", severity="information")
            return
        if self.session.connection is None:
            self.notify("Not connected to a cluster: nothing can be written.", severity="warning")
            return
        group, count, note = insight.old_templates[0]
        namespace, raycluster = summary.namespace, summary.name
        # ConfirmWrite shows its text literally (it is cluster text: group and object names)
        details = (
            f"{note}\n\nThis deletes the {count} pod(s) of {group} that run the old template, and the rest of the "
            f"group's pods with them; KubeRay (and the autoscaler) recreate them from the current template. Work "
            f"running on them is lost.\n\nRayCluster {namespace}/{raycluster} on {self.where()}."
        )

        def restart() -> None:
            try:
                deleted = self.session.restart_group(namespace, raycluster, group)
            except Exception as exc:
                self.screen.post_message(WriteFinished("restart", literal(str(exc), single_line=True), failed=True))
                return
            self.screen.post_message(
                WriteFinished("restart", literal(f"Deleted {deleted} pod(s) of {group}; KubeRay recreates them."))
            )

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.screen.run_worker(restart, thread=True, group="dashboard-restart", exit_on_error=False)

        title = f"Restart {group}: {count} pod(s) on the old template?"
        self.screen.app.push_screen(ConfirmWrite(title, details), answered)

    # -- reading -------------------------------------------------------------------------------------------

    def logs(self) -> None:
        from raywizard.tui.dashboard.logs import open_pod_logs

        pod = self.selected_pod()
        if pod is None:
            self.notify("Select a pod first (the pods table).", severity="warning")
            return
        if self.session.connection is None:
            self.notify("Not connected to a cluster: no logs to read.", severity="warning")
            return
        open_pod_logs(self.screen.app, self.session, pod)

    def describe_pod(self) -> None:
        from raywizard.tui.dashboard.dialogs import DescribeScreen

        pod = self.selected_pod()
        if pod is None:
            self.notify("Select a pod first (the pods table).", severity="warning")
            return
        meta = pod.get("metadata") or {}
        namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
        if self.session.connection is None:
            self.screen.app.push_screen(DescribeScreen(f"Pod {namespace}/{name}", pod))
            return
        self.screen.describe_whole_pod(namespace, name)  # the dashboard keeps compact records of pods

    def describe_raycluster(self) -> None:
        from raywizard.tui.dashboard.dialogs import DescribeScreen

        summary = self.screen.panels.summary()
        snapshot = self.screen.snapshot
        if summary is None or snapshot is None:
            self.notify("No RayCluster yet.", severity="warning")
            return
        obj = snapshot.rayclusters.get(summary.key)
        if obj is None:
            return
        self.screen.app.push_screen(DescribeScreen(f"RayCluster {summary.key}", dict(obj)))

    # -- Ray dashboard ---------------------------------------------------------------------------------------

    def port_forward(self) -> None:
        """Toggle the forward of the head pod's dashboard port (8265) to localhost (pods/portforward)."""
        if self.session.forward is not None:
            self.screen.stop_forward()
            self.notify("Ray dashboard forward stopped.")
            return
        summary = self.screen.panels.summary()
        if summary is None or self.session.connection is None:
            self.notify("No RayCluster to forward to yet.", severity="warning")
            return
        self.screen.start_forward(summary.namespace, summary.name)

    # -- wizard ----------------------------------------------------------------------------------------------

    def live_spec(self) -> ClusterSpec:
        """The spec as the live Argo CD Applications say (their valuesObject), read the way the wizard's "Tweak
        running cluster" reads them (``strip_live`` + ``applications_to_spec``).

        Never the RayCluster's live replicas: those belong to the autoscaler (the ignore rule keeps Argo CD off
        them), and copying them into the spec would write transient numbers into the Application.
        """
        from raywizard.documents.value_files import local_reader
        from raywizard.render.applications import applications_to_spec, role_of
        from raywizard.tui.wizard.cluster_jobs import strip_live

        snapshot = self.screen.snapshot
        apps = [strip_live(dict(a)) for a in (snapshot.applications.values() if snapshot else ())]
        apps = [a for a in apps if role_of(a)]
        target = self.screen.spec.target
        ours = {target.crds_app, target.operator_app, target.cluster_app}
        if any((a.get("metadata") or {}).get("name") in ours for a in apps):
            # Other KubeRay Applications in the namespace (another RayCluster) are not this dashboard's.
            apps = [a for a in apps if (a.get("metadata") or {}).get("name") in ours]
        if not apps:
            return self.screen.spec.clone()
        return applications_to_spec(apps, base=self.screen.spec, read_value_file=local_reader([]))

    def edit_worker_groups(self) -> None:
        try:
            spec = self.live_spec()
        except Exception as exc:  # a live Application we cannot read back: say so, stay on the dashboard
            self.notify(literal(str(exc), single_line=True), title="Cannot read the live spec", severity="error")
            return
        self.screen.request_edit_worker_groups(spec)

    # -- filter and sort -------------------------------------------------------------------------------------

    def _filter_target(self) -> EventsLog | PodsTable:
        from raywizard.tui.dashboard.widgets.events import EventsLog
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        events = self.screen.query_one(EventsLog)
        if events.has_focus or self.screen.focused is events:
            return events
        return self.screen.query_one(PodsTable)

    def open_filter(self) -> None:
        from textual.widgets import Input

        target = self._filter_target()
        box = self.screen.query_one("#dash-filter", Input)
        box.placeholder = f"filter {'events' if target.id == 'events' else 'pods'} (Enter keeps, Escape clears)"
        box.value = target.filter_text
        box.display = True
        self._filtering = target
        box.focus()

    def filter_changed(self, value: str) -> None:
        if self._filtering is not None:
            self._filtering.set_filter(value)
            self.screen.panels.pods_changed()

    def keep_filter(self) -> None:
        from textual.widgets import Input

        self.screen.query_one("#dash-filter", Input).display = False
        target, self._filtering = self._filtering, None
        if target is not None:
            target.focus()

    def clear_filter(self) -> None:
        from textual.widgets import Input

        box = self.screen.query_one("#dash-filter", Input)
        target = self._filtering or self._filter_target()
        target.set_filter("")
        box.value = ""
        box.display = False
        self._filtering = None
        target.focus()
        self.screen.panels.pods_changed()

    def sort(self) -> None:
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        self.screen.query_one(PodsTable).cycle_sort()
        self.screen.panels.pods_changed()

    def reverse_sort(self) -> None:
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        self.screen.query_one(PodsTable).reverse_sort()
        self.screen.panels.pods_changed()
