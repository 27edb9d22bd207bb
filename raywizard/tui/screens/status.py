"""A status summary after apply, used until (or when) the dashboard screen is not available: the three
Applications' sync/health and the RayCluster's state, read once in a worker and refreshed on demand."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from raywizard.textsafe import literal
from raywizard.tui.cluster import ClusterResult, run_in_worker


def status_job(connection: Any, spec: Any) -> Any:
    def job() -> str:
        from kubernetes import client

        from raywizard.manifests import raycluster_name

        api = client.CustomObjectsApi(connection.api_client)
        timeout = getattr(connection, "request_timeout", 15.0)
        lines = []
        for name in (spec.target.crds_app, spec.target.operator_app, spec.target.cluster_app):
            try:
                app = api.get_namespaced_custom_object("argoproj.io", "v1alpha1", spec.target.argocd_namespace,
                                                       "applications", name, _request_timeout=timeout)
            except Exception as exc:
                lines.append(f"Application {name}: not readable ({getattr(exc, 'status', exc)})")
                continue
            status = app.get("status") or {}
            lines.append(f"Application {name}: sync {(status.get('sync') or {}).get('status', '?')}, "
                         f"health {(status.get('health') or {}).get('status', '?')}")
        cluster = raycluster_name(spec)
        try:
            rc = api.get_namespaced_custom_object("ray.io", "v1", spec.target.namespace, "rayclusters", cluster,
                                                  _request_timeout=timeout)
            status = rc.get("status") or {}
            lines.append(f"RayCluster {cluster}: state {status.get('state', '?')}, workers "
                         f"{status.get('availableWorkerReplicas', 0)}/{status.get('desiredWorkerReplicas', 0)}")
        except Exception as exc:
            lines.append(f"RayCluster {cluster}: not readable yet ({getattr(exc, 'status', exc)})")
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
