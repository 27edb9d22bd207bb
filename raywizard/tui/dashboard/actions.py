"""The dashboard's one-key actions. Writes that change what runs or what Argo CD renders (sync, hard refresh)
are confirmed in a modal naming the Application and the cluster; a normal refresh is not. All cluster I/O runs
in thread workers that report back with ``call_from_thread``.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from rich.text import Text
from textual import work
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Input, Static

from raywizard.model.errors import RaywizardError
from raywizard.model.textsafe import literal


def _operations() -> Any:
    from raywizard.kube import operations

    return operations


class DashboardActions(Screen[None]):
    """The base of ``DashboardScreen``: reads its widgets and snapshot, never the network on the UI thread."""

    connection: Any
    spec: Any
    snapshot: Any
    forward: Any
    forward_text: str
    forward_state: str
    _filtering: Any = None

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry names and errors from the cluster: shown literally unless asked otherwise."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # Provided by DashboardScreen.
    def _summary(self) -> Any:
        raise NotImplementedError

    def _group_rows(self) -> list[Any]:
        raise NotImplementedError

    def _update_titles(self) -> None:
        raise NotImplementedError

    def _pods_changed(self) -> None:
        raise NotImplementedError

    def request_edit_worker_groups(self, spec: Any) -> None:
        raise NotImplementedError

    # -- selection -----------------------------------------------------------------------------------------

    def _selected_app(self) -> tuple[str, str] | None:
        """(namespace, name) of the highlighted Application, else the spec's RayCluster Application."""
        from raywizard.tui.dashboard.widgets.apps import ApplicationsTable

        key = self.query_one(ApplicationsTable).selected_key
        if key and "/" in key:
            namespace, name = key.split("/", 1)
            return namespace, name
        target = getattr(self.spec, "target", None)
        if target is None:
            return None
        return target.argocd_namespace, target.cluster_app

    def _selected_pod(self) -> dict[str, Any] | None:
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        key = self.query_one(PodsTable).selected_key
        if key is None or self.snapshot is None:
            return None
        pod = self.snapshot.pods.get(key)
        return dict(pod) if pod is not None else None

    def _where(self) -> str:
        conn = self.connection
        if conn is None:
            return "no cluster connection"
        context, server = getattr(conn, "context_name", ""), getattr(conn, "server_url", "")
        return f"context {literal(context)} ({literal(server)})"

    # -- writes --------------------------------------------------------------------------------------------

    def action_sync(self) -> None:
        self._confirm_write(
            "sync",
            "Sync Application {app}?",
            "Starts an Argo CD sync operation (copies the Application's syncOptions and retry).",
        )

    def action_refresh(self) -> None:
        """A normal refresh only asks Argo CD to compare again
        (docs/domain/argocd.md#sync-and-refresh-without-the-argo-cd-api): no confirmation, as
        ``argocd app get --refresh`` asks none."""
        app = self._selected_app()
        if app is None:
            self.notify("No Application selected.", severity="warning")
            return
        if self.connection is None:
            self.notify("Not connected to a cluster: nothing to refresh.", severity="warning")
            return
        namespace, name = app
        self.notify(f"refresh {name}: sent…", timeout=3)
        self._write("refresh", namespace, name)

    def action_hard_refresh(self) -> None:
        self._confirm_write(
            "hard_refresh",
            "Hard refresh Application {app}?",
            "Sets argocd.argoproj.io/refresh=hard: Argo CD regenerates the manifests, then compares.",
        )

    def _confirm_write(self, verb: str, title: str, explanation: str) -> None:
        from raywizard.tui.dashboard.dialogs import ConfirmWrite

        app = self._selected_app()
        if app is None:
            self.notify("No Application selected.", severity="warning")
            return
        if self.connection is None:
            self.notify("Not connected to a cluster: nothing can be written.", severity="warning")
            return
        namespace, name = app
        snapshot = self.snapshot
        connected = snapshot is not None and str(getattr(snapshot.connection, "state", "")) == "live"
        if connected and f"{namespace}/{name}" not in snapshot.applications:
            # Asking first and failing with "not found" afterwards helps nobody.
            self.notify(
                f"There is no Application {namespace}/{name} yet: apply first (raywizard apply, or the wizard).",
                severity="warning",
            )
            return
        details = f"{explanation}\n\nApplication {namespace}/{name} on {self._where()}."

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.notify(f"{verb.replace('_', ' ')} {name}: sent…", timeout=3)
                self._write(verb, namespace, name)

        self.app.push_screen(ConfirmWrite(title.format(app=f"{namespace}/{name}"), details), answered)

    @work(thread=True, exit_on_error=False, group="dashboard-write")
    def _write(self, verb: str, namespace: str, name: str) -> None:
        ops = _operations()
        try:
            if verb == "sync":
                ops.sync_application(self.connection, namespace, name)
                message = f"Sync of {name} started: watch its operation in the Applications panel."
            else:
                ops.refresh_application(self.connection, namespace, name, hard=verb == "hard_refresh")
                message = f"{'Hard refresh' if verb == 'hard_refresh' else 'Refresh'} of {name} requested."
        except Exception as exc:
            self.app.call_from_thread(
                self.notify,
                literal(str(exc), single_line=True),
                title=f"{verb} failed",
                severity="error",
                timeout=8,
            )
            return
        self.app.call_from_thread(self.notify, message, timeout=4)

    # -- reading -------------------------------------------------------------------------------------------

    def action_logs(self) -> None:
        from raywizard.tui.dashboard.logs import PodLogsScreen

        pod = self._selected_pod()
        if pod is None:
            self.notify("Select a pod first (the pods table).", severity="warning")
            return
        if self.connection is None:
            self.notify("Not connected to a cluster: no logs to read.", severity="warning")
            return
        meta = pod.get("metadata") or {}
        containers = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
        # Ray's own container first: ray-head / ray-worker, not the autoscaler sidecar.
        container = next((c for c in containers if c.startswith("ray-")), containers[0] if containers else "")
        namespace, name = str(meta.get("namespace", "")), str(meta.get("name", ""))
        connection = self.connection

        def open_stream() -> Any:
            return _operations().pod_logs(connection, namespace, name, container, True, 1000)

        title = f"Logs of pod {namespace}/{name}, container {container} (tail 1000, following)"
        self.app.push_screen(PodLogsScreen(title, open_stream))

    def action_describe_pod(self) -> None:
        from raywizard.tui.dashboard.dialogs import DescribeScreen

        pod = self._selected_pod()
        if pod is None:
            self.notify("Select a pod first (the pods table).", severity="warning")
            return
        meta = pod.get("metadata") or {}
        self.app.push_screen(DescribeScreen(f"Pod {meta.get('namespace', '')}/{meta.get('name', '')}", pod))

    def action_describe_raycluster(self) -> None:
        from raywizard.tui.dashboard.dialogs import DescribeScreen

        summary = self._summary()
        if summary is None:
            self.notify("No RayCluster yet.", severity="warning")
            return
        obj = self.snapshot.rayclusters.get(summary.key)
        if obj is None:
            return
        self.app.push_screen(DescribeScreen(f"RayCluster {summary.key}", dict(obj)))

    # -- Ray dashboard ---------------------------------------------------------------------------------------

    def action_port_forward(self) -> None:
        """Toggle the forward of the head pod's dashboard port (8265) to localhost (pods/portforward)."""
        if self.forward is not None:
            self.stop_forward()
            self.notify("Ray dashboard forward stopped.")
            return
        summary = self._summary()
        if summary is None or self.connection is None:
            self.notify("No RayCluster to forward to yet.", severity="warning")
            return
        from raywizard.kube.portforward import RAY_DASHBOARD_PORT, HeadPortForward, PortMapping

        self.forward = HeadPortForward(
            self.connection.api_client,
            summary.namespace,
            summary.name,
            [PortMapping(RAY_DASHBOARD_PORT, RAY_DASHBOARD_PORT)],
            on_status=self._forward_status,
            fallback_to_free_port=True,  # 8265 taken (another forward, a local Ray): any free port will do
        )
        self._start_forward(self.forward)

    @work(thread=True, exit_on_error=False, group="dashboard-forward")
    def _start_forward(self, forward: Any) -> None:
        try:
            url = forward.start()
        except (OSError, RaywizardError) as exc:
            self.app.call_from_thread(self.notify, f"Cannot listen locally: {exc}", severity="error")
            self.forward = None
            return
        self.app.call_from_thread(self.notify, f"Ray dashboard: {url} (p stops the forward)", timeout=8)

    def _forward_status(self, status: Any) -> None:
        """Called from the port-forward's threads."""
        with contextlib.suppress(RuntimeError):  # the app is closing: nothing to show any more
            self.app.call_from_thread(self._show_forward, status)

    def _show_forward(self, status: Any) -> None:
        if not self.is_mounted:  # a status that arrived while the screen was closing
            return
        url = self.forward.url if self.forward is not None else ""
        state = getattr(status, "state", "")
        message = str(getattr(status, "message", "") or "")
        if state == "stopped" or not url:
            text = Text("")
        else:
            text = Text(f"Ray dashboard {url} ", style="bold")
            text.append(f"({literal(state)})")
            if state == "error" and self.forward_state != "error":
                self.notify(literal(message, single_line=True), title="Ray dashboard forward", severity="error")
        self.forward_state = state
        self.forward_text = text.plain
        self.query_one("#dash-forward", Static).update(text)

    def stop_forward(self, *, closing: bool = False) -> None:
        forward, self.forward = self.forward, None
        if forward is None:
            return
        forward.on_status = None
        # A plain daemon thread: stopping joins the forward's threads, and a closing app must not wait on it.
        threading.Thread(target=forward.stop, name="portforward-stop", daemon=True).start()
        if not closing:
            self._show_forward(None)

    # -- wizard ----------------------------------------------------------------------------------------------

    def live_spec(self) -> Any:
        """The spec as the live Argo CD Applications say (their valuesObject), read the way the wizard's "Tweak
        running cluster" reads them (``tui.cluster.strip_live`` + ``applications_to_spec``).

        Never the RayCluster's live replicas: those belong to the autoscaler (the ignore rule keeps Argo CD off
        them), and copying them into the spec would write transient numbers into the Application.
        """
        from raywizard.render.applications import applications_to_spec, role_of
        from raywizard.tui.wizard.cluster_jobs import strip_live

        snapshot = self.snapshot
        apps = [strip_live(dict(a)) for a in (snapshot.applications.values() if snapshot else ())]
        apps = [a for a in apps if role_of(a)]
        return applications_to_spec(apps, base=self.spec) if apps else self.spec.clone()

    def action_edit_worker_groups(self) -> None:
        try:
            spec = self.live_spec()
        except Exception as exc:  # a live Application we cannot read back: say so, stay on the dashboard
            self.notify(literal(str(exc), single_line=True), title="Cannot read the live spec", severity="error")
            return
        self.request_edit_worker_groups(spec)

    # -- filter and sort -------------------------------------------------------------------------------------

    def _filter_target(self) -> Any:
        from raywizard.tui.dashboard.widgets.events import EventsLog
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        events = self.query_one(EventsLog)
        if events.has_focus or self.focused is events:
            return events
        return self.query_one(PodsTable)

    def action_filter(self) -> None:
        target = self._filter_target()
        box = self.query_one("#dash-filter", Input)
        box.placeholder = f"filter {'events' if target.id == 'events' else 'pods'} (Enter keeps, Escape clears)"
        box.value = target.filter_text
        box.display = True
        self._filtering = target
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "dash-filter" and self._filtering is not None:
            self._filtering.set_filter(event.value)
            self._pods_changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "dash-filter":
            event.input.display = False
            target = self._filtering
            self._filtering = None
            if target is not None:
                target.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#dash-filter", Input)
        target = self._filtering or self._filter_target()
        target.set_filter("")
        box.value = ""
        box.display = False
        self._filtering = None
        target.focus()
        self._pods_changed()

    def action_sort(self) -> None:
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        table = self.query_one(PodsTable)
        table.cycle_sort()
        self._pods_changed()

    def action_reverse_sort(self) -> None:
        from raywizard.tui.dashboard.widgets.pods import PodsTable

        self.query_one(PodsTable).reverse_sort()
        self._pods_changed()
