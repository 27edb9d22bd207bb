"""A status summary after apply, used until (or when) the dashboard screen is not available: the three
Applications' sync/health and the RayCluster's state, read once in a worker and refreshed on demand."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from raywizard.model.textsafe import literal
from raywizard.tui.wizard.cluster_jobs import ClusterResult, run_in_worker


def status_job(connection: Any, spec: Any) -> Any:
    def job() -> str:
        from raywizard.kube.resources import APPLICATIONS, RAYCLUSTERS, get_custom
        from raywizard.model.errors import ClusterError
        from raywizard.render.applications import raycluster_name

        lines = []
        for name in (spec.target.crds_app, spec.target.operator_app, spec.target.cluster_app):
            try:
                app = get_custom(connection, APPLICATIONS, spec.target.argocd_namespace, name)
            except ClusterError as exc:
                lines.append(f"Application {name}: not readable ({exc})")
                continue
            status = (app or {}).get("status") or {}
            lines.append(f"Application {name}: sync {(status.get('sync') or {}).get('status', '?')}, "
                         f"health {(status.get('health') or {}).get('status', '?')}" if app else
                         f"Application {name}: not found")
        cluster = raycluster_name(spec)
        try:
            rc = get_custom(connection, RAYCLUSTERS, spec.target.namespace, cluster)
        except ClusterError as exc:
            rc = None
            lines.append(f"RayCluster {cluster}: not readable ({exc})")
        if rc is not None:
            status = rc.get("status") or {}
            lines.append(f"RayCluster {cluster}: state {status.get('state', '?')}, workers "
                         f"{status.get('availableWorkerReplicas', 0)}/{status.get('desiredWorkerReplicas', 0)}")
        return "\n".join(literal(line) for line in lines)

    return job


class StatusSummaryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_status", "Refresh"),
        Binding("escape", "back", "Back to wizard"),
    ]

    def __init__(self, connection: Any, spec: Any, outcome: Any = None) -> None:
        super().__init__()
        self.connection = connection
        self.spec = spec
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        yield Static(f"Cluster status — {literal(self.connection.context_name)} "
                     f"({literal(self.connection.server_url)})", id="step-bar", markup=False)
        with VerticalScroll(id="step-body"):
            yield LoadingIndicator(id="status-spinner")
            yield Static("", id="status-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh_status()

    def action_refresh_status(self) -> None:
        self.query_one("#status-spinner").display = True
        run_in_worker(self, "status", status_job(self.connection, self.spec))

    def on_cluster_result(self, event: ClusterResult) -> None:
        self.query_one("#status-spinner").display = False
        self.query_one("#status-summary", Static).update(f"✗ {event.error}" if event.error else event.value)

    def action_back(self) -> None:
        self.app.pop_screen()
