"""Everything the wizard asks of a cluster, as thread workers that only post messages (the UI never blocks).

Each job runs on a worker thread and returns its answer; ``run_in_worker`` starts it with the project's worker
options and posts it as a typed message from ``raywizard.tui.messages`` to the screen that asked (a popped screen
cancels its workers). Failures become an ``error`` text in the message — a clear sentence, never a traceback.

Also the thin adapter for "tweak a running cluster": the live Applications read through the connection's
api_client become a Workspace (``documents.Workspace`` has no constructor from documents, so we build one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from textual.dom import DOMNode
from textual.worker import get_current_worker

from raywizard.model.textsafe import literal
from raywizard.tui.messages import Connected, JobResult, PreflightProgress

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace
    from raywizard.kube.connection import Connection, ContextInfo
    from raywizard.kube.preflight import Check
    from raywizard.kube.views import GroupRow
    from raywizard.model.spec import ClusterSpec
    from raywizard.tui.wizard.app import WizardApp

T = TypeVar("T")


def describe_error(exc: BaseException) -> str:
    """One readable sentence for a failure from the kube layer or the kubernetes client."""
    from raywizard.model.errors import RaywizardError

    if isinstance(exc, RaywizardError):
        return literal(str(exc))
    status = getattr(exc, "status", None)
    reason = getattr(exc, "reason", None)
    if status is not None:
        return literal(f"the API server answered {status} {reason or ''}".strip())
    text = str(exc)
    if "Max retries exceeded" in text or "Connection refused" in text or "timed out" in text.lower():
        return "cannot reach the API server (connection refused or timed out); check the context and network"
    return literal(f"{type(exc).__name__}: {text}")


@dataclass
class ConnectionInfo:
    connection: Connection
    context: str
    server: str
    checks: list[Check] = field(default_factory=list)


def run_in_worker(node: DOMNode, result: type[JobResult[T]], job: Callable[[], T], *, group: str) -> None:
    """Run ``job`` in a thread worker (exclusive in ``group``); post ``result(value)`` to ``node`` when it
    finishes, or ``result(error=…)`` when it failed. A popped screen cancels its workers: nothing is posted."""

    def work() -> None:
        worker = get_current_worker()
        try:
            value = job()
        except Exception as exc:
            if not worker.is_cancelled:
                node.post_message(result(error=describe_error(exc)))
            return
        if not worker.is_cancelled:
            node.post_message(result(value))

    node.run_worker(work, name=group, group=group, thread=True, exclusive=True, exit_on_error=False)


# ------------------------------------------------------------------------------------------------ jobs
def list_contexts_job(kubeconfig: str | None) -> Callable[[], list[ContextInfo]]:
    def job() -> list[ContextInfo]:
        from raywizard.kube.connection import list_contexts

        return list_contexts(kubeconfig)

    return job


def connect_job(kubeconfig: str | None, context: str | None, spec: ClusterSpec,
                on_progress: Callable[[PreflightProgress], object] | None = None) -> Callable[[], ConnectionInfo]:
    def job() -> ConnectionInfo:
        from raywizard.kube.connection import load_connection

        connection = load_connection(kubeconfig, context)
        from raywizard.kube.preflight import check_names, run_preflight

        total = len(check_names(spec))
        finished: list[str] = []

        def on_check(name: str, checks: list[Check]) -> None:  # on a preflight thread
            finished.append(name)
            if on_progress is not None:
                on_progress(PreflightProgress(name, len(finished), total,
                                              any(getattr(c, "status", "") == "fail" for c in checks)))

        checks = list(run_preflight(connection, spec, on_check=on_check))
        return ConnectionInfo(connection, connection.context_name, connection.server_url, checks)

    return job


def connect_worker(app: WizardApp, kubeconfig: str | None, context: str | None) -> None:
    run_in_worker(app, Connected, connect_job(kubeconfig, context, app.model.spec, app.post_message),
                  group="connect")


def check_summary(checks: list[Check]) -> str:
    """``✓ 5 check(s) passed`` then one line per failed or warning preflight Check."""
    if not checks:
        return "no preflight checks ran"
    failed, warned, passed = [], [], 0
    for check in checks:
        name = literal(check.name, single_line=True)
        detail = literal(check.detail, single_line=True)
        if check.status == "fail":
            failed.append(f"✗ {name}: {detail}" + (f" — {literal(check.fix)}" if check.fix else ""))
        elif check.status == "warn":
            warned.append(f"⚠ {name}: {detail}")
        else:
            passed += 1
    return "\n".join([f"✓ {passed} check(s) passed", *failed, *warned])


def live_workspace_job(connection: Connection, argocd_namespace: str) -> Callable[[], Workspace]:
    """Read the Argo CD Applications of our three roles and make a Workspace of them (no files)."""

    def job() -> Workspace:
        from raywizard.documents.workspace import Workspace
        from raywizard.kube.resources import APPLICATIONS, list_custom
        from raywizard.model.errors import ClusterError
        from raywizard.render.applications import applications_to_spec, role_of

        listing = list_custom(connection, APPLICATIONS, argocd_namespace)
        apps = [strip_live(item) for item in listing.get("items", []) if role_of(strip_live(item))]
        if not apps:
            raise ClusterError(f"no KubeRay Applications in namespace {argocd_namespace!r}",
                               "start from a preset, or pick the Argo CD namespace on the Target step")
        clusters = sorted(str((a.get("metadata") or {}).get("name")) for a in apps if role_of(a) == "cluster")
        if len(clusters) > 1:  # e.g. generated by an ApplicationSet: which one to edit is not ours to guess
            raise ClusterError(f"{len(clusters)} RayCluster Applications in namespace {argocd_namespace!r}: "
                               f"{', '.join(clusters)}", "open the file of the one to edit (Open a file)")
        from raywizard.documents.value_files import local_reader

        # A multi-source Application's $ref value files: read when its repository is on this machine (file://).
        spec = applications_to_spec(apps, read_value_file=local_reader([]))
        workspace = Workspace.new(spec)
        workspace.saved_spec = spec.clone()  # what is live counts as saved: only edits are "unsaved"
        return workspace

    return job


def live_groups_job(connection: Connection, namespace: str, cluster: str) -> Callable[[], dict[str, GroupRow]]:
    """The running RayCluster's worker groups: group name -> GroupRow (live replicas, ready and pending pods);
    empty when the RayCluster does not exist (yet)."""

    def job() -> dict[str, GroupRow]:
        from raywizard.kube.resources import RAYCLUSTERS, get_custom, list_pods
        from raywizard.kube.views import group_rows

        rc = get_custom(connection, RAYCLUSTERS, namespace, cluster)
        if rc is None:
            return {}
        pods = list_pods(connection, namespace, f"ray.io/cluster={cluster}")
        return {row.group: row for row in group_rows(rc, pods)}

    return job


def strip_live(obj: dict[str, Any]) -> dict[str, Any]:
    """An Application as a user would have written it: no status, no server-set metadata, no operation."""
    metadata = {k: v for k, v in (obj.get("metadata") or {}).items()
                if k in ("name", "namespace", "labels", "annotations", "finalizers")}
    annotations = {k: v for k, v in (metadata.get("annotations") or {}).items()
                   if k != "kubectl.kubernetes.io/last-applied-configuration"}
    if annotations:
        metadata["annotations"] = annotations
    else:
        metadata.pop("annotations", None)
    return {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": metadata,
            "spec": obj.get("spec") or {}}
