"""Argo CD operations through the Kubernetes API only (docs/domain/argocd.md#sync-and-refresh-without-the-argo-cd-api):
sync, refresh, delete; and pod logs.

A raw patch of ``operation`` has none of the API server's guards, so ``sync_application`` adds them: it
refuses while an operation is set or running, copies ``spec.syncPolicy.syncOptions``/``retry`` into the
operation (the controller applies only the operation's options) and sends the live resourceVersion so a
concurrent change gives 409.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from raywizard.kube import resources
from raywizard.kube.connection import Connection
from raywizard.kube.error_translation import api_errors
from raywizard.kube.resources import APPLICATIONS, JSON_PATCH
from raywizard.model.errors import ClusterError

if TYPE_CHECKING:
    from raywizard.model.spec import ClusterSpec

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
CASCADE_FINALIZER = "resources-finalizer.argocd.argoproj.io"


def _require(conn: Connection, namespace: str, name: str) -> dict[str, Any]:
    app = resources.get_custom(conn, APPLICATIONS, namespace, name)
    if app is None:
        raise ClusterError(
            f"Application {namespace}/{name} does not exist",
            "apply it first (raywizard apply), or check the name",
        )
    return app


def sync_operation(
    app: dict[str, Any],
    *,
    revision: str | None = None,
    prune: bool = False,
    dry_run: bool = False,
    username: str = "raywizard",
) -> dict[str, Any]:
    """The ``operation`` an ``argocd app sync`` would set on ``app`` (options copied from its syncPolicy)."""
    policy = (app.get("spec") or {}).get("syncPolicy") or {}
    sync: dict[str, Any] = {"prune": prune, "syncStrategy": {"hook": {}}}
    if revision:
        sync["revision"] = revision
    if dry_run:
        sync["dryRun"] = True
    if policy.get("syncOptions"):
        sync["syncOptions"] = list(policy["syncOptions"])
    operation: dict[str, Any] = {
        "initiatedBy": {"username": username},
        "info": [{"name": "reason", "value": "raywizard sync"}],
        "sync": sync,
    }
    if policy.get("retry"):
        operation["retry"] = policy["retry"]
    return operation


def sync_application(
    conn: Connection,
    namespace: str,
    name: str,
    *,
    revision: str | None = None,
    prune: bool = False,
    dry_run: bool = False,
) -> dict[str, Any]:
    app = _require(conn, namespace, name)
    phase = ((app.get("status") or {}).get("operationState") or {}).get("phase")
    if app.get("operation") or phase == "Running":
        phase = phase if phase == "Running" else "requested"
        raise ClusterError(
            f"another operation is already in progress on Application {namespace}/{name} ({phase})",
            "wait for it to finish (raywizard status --watch), then sync again",
        )
    patch = {
        "metadata": {"resourceVersion": app["metadata"].get("resourceVersion")},
        "operation": sync_operation(app, revision=revision, prune=prune, dry_run=dry_run),
    }
    return resources.patch_custom(conn, APPLICATIONS, namespace, name, patch)


def refresh_application(conn: Connection, namespace: str, name: str, hard: bool = False) -> dict[str, Any]:
    _require(conn, namespace, name)
    patch = {"metadata": {"annotations": {REFRESH_ANNOTATION: "hard" if hard else "normal"}}}
    return resources.patch_custom(conn, APPLICATIONS, namespace, name, patch)


TERMINAL_PHASES = ("Succeeded", "Failed", "Error")


def _wait_for(
    conn: Connection,
    namespace: str,
    name: str,
    done: Callable[[dict[str, Any]], bool],
    *,
    what: str,
    timeout: float,
    poll_interval: float,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        app = _require(conn, namespace, name)
        if done(app):
            return app
        if time.monotonic() >= deadline:
            raise ClusterError(
                f"timed out after {int(timeout)} s waiting for {what} of Application {namespace}/{name}",
                "check `raywizard status`; a longer --timeout waits longer",
            )
        time.sleep(poll_interval)


def wait_for_operation(
    conn: Connection, namespace: str, name: str, *, timeout: float = 300, poll_interval: float = 0.5
) -> dict[str, Any]:
    """The Application once its operation has finished and been compared (what `argocd app sync` waits for:
    ``operation`` unset, ``operationState`` terminal, ``reconciledAt`` not older than ``finishedAt``)."""
    from raywizard.kube.waits import operation_in_progress

    def finished(app: dict[str, Any]) -> bool:
        phase = ((app.get("status") or {}).get("operationState") or {}).get("phase")
        return phase in TERMINAL_PHASES and not operation_in_progress(app)

    return _wait_for(
        conn, namespace, name, finished, what="the sync", timeout=timeout, poll_interval=poll_interval
    )


def wait_for_refresh(
    conn: Connection, namespace: str, name: str, *, timeout: float = 300, poll_interval: float = 0.5
) -> dict[str, Any]:
    """The Application once the controller has taken the refresh (it removes the annotation after comparing)."""

    def refreshed(app: dict[str, Any]) -> bool:
        return REFRESH_ANNOTATION not in ((app.get("metadata") or {}).get("annotations") or {})

    return _wait_for(
        conn, namespace, name, refreshed, what="the refresh", timeout=timeout, poll_interval=poll_interval
    )


def ensure_cascade_finalizer(conn: Connection, app: dict[str, Any]) -> bool:
    """Add Argo CD's resources finalizer, so deleting the Application deletes what it deployed; True if added."""
    meta = app["metadata"]
    finalizers = list(meta.get("finalizers") or [])
    if CASCADE_FINALIZER in finalizers:
        return False
    # JSON patch with a test on resourceVersion: a merge patch would replace the list and drop others'
    # finalizers.
    ops: list[dict[str, Any]] = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": meta["resourceVersion"]}
    ]
    if finalizers:
        ops.append({"op": "add", "path": "/metadata/finalizers/-", "value": CASCADE_FINALIZER})
    else:
        ops.append({"op": "add", "path": "/metadata/finalizers", "value": [CASCADE_FINALIZER]})
    resources.patch_custom(conn, APPLICATIONS, meta["namespace"], meta["name"], ops, content_type=JSON_PATCH)
    return True


def delete_applications(
    conn: Connection,
    spec: ClusterSpec,
    *,
    cascade: bool = True,
    wait: bool = True,
    timeout: float = 300,
    on_progress: Callable[[str], None] | None = None,
    poll_interval: float = 1.0,
) -> list[str]:
    """Delete our Applications in reverse apply order (RayCluster, operator, CRDs); names deleted."""
    from raywizard.render import applications as manifests

    say = on_progress or (lambda message: None)
    deleted: list[str] = []
    deadline = time.monotonic() + timeout
    for body in reversed(manifests.render_applications(spec)):
        namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
        app = resources.get_custom(conn, APPLICATIONS, namespace, name)
        if app is None:
            say(f"Application {namespace}/{name}: not present")
            continue
        if cascade and ensure_cascade_finalizer(conn, app):
            say(f"Application {namespace}/{name}: added {CASCADE_FINALIZER} (cascade delete)")
        resources.delete_custom(conn, APPLICATIONS, namespace, name)
        deleted.append(name)
        say(f"Application {namespace}/{name}: deleting")
        if not wait:
            continue
        while resources.get_custom(conn, APPLICATIONS, namespace, name) is not None:
            if time.monotonic() >= deadline:
                raise ClusterError(
                    f"Application {namespace}/{name} is still being deleted after {int(timeout)} s",
                    "Argo CD deletes its resources first; check `raywizard status`, then run delete again",
                )
            time.sleep(poll_interval)
        say(f"Application {namespace}/{name}: deleted")
    return deleted


def pod_logs(
    conn: Connection,
    namespace: str,
    pod: str,
    container: str | None = None,
    follow: bool = False,
    tail: int | None = None,
    *,
    previous: bool = False,
    timestamps: bool = False,
) -> Iterator[str]:
    """Log lines of a pod (raw text: show through ``textsafe.literal``). ``previous``: the container's previous
    instance (the one that crashed); ``timestamps``: each line starts with the kubelet's RFC 3339 time."""
    log = open_pod_log(conn, namespace, pod, container, follow=follow, tail=tail, previous=previous,
                       timestamps=timestamps)
    try:
        yield from log
    finally:
        log.close()


class PodLog:
    """An open pod log: iterate for its lines; ``close()``, from any thread, ends a read waiting for the next
    line of a followed log (the socket is shut down and the iteration ends quietly)."""

    def __init__(self, response: Any, what: str, server: str) -> None:
        self._response = response
        self._what = what
        self._server = server
        self.closed = False

    def __iter__(self) -> Iterator[str]:
        pending = b""
        try:
            with api_errors(self._what, self._server):
                for chunk in self._response.stream(amt=None, decode_content=False):
                    pending += chunk
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        yield line.decode("utf-8", "replace")
        except Exception:
            if not self.closed:
                raise
            return  # closed by its reader's owner: the end of the log, not an error
        if pending and not self.closed:
            yield pending.decode("utf-8", "replace")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(Exception):
            self._response.shutdown()  # unblocks a read in progress (urllib3 >= 2.3)
        with contextlib.suppress(Exception):
            self._response.release_conn()


def open_pod_log(
    conn: Connection,
    namespace: str,
    pod: str,
    container: str | None = None,
    *,
    follow: bool = False,
    tail: int | None = None,
    previous: bool = False,
    timestamps: bool = False,
) -> PodLog:
    """Open the log of a pod: the request is made here, the lines come from iterating the result."""
    from kubernetes import client

    api = client.CoreV1Api(conn.api_client)
    kwargs: dict[str, Any] = {"follow": follow, "_preload_content": False}
    if previous:
        kwargs["previous"] = True
    if timestamps:
        kwargs["timestamps"] = True
    if container:
        kwargs["container"] = container
    if tail is not None:
        kwargs["tail_lines"] = tail
    if not follow:
        kwargs["_request_timeout"] = conn.request_timeout
    what = f"read logs of pod {namespace}/{pod}"
    with api_errors(what, conn.server_url):
        response = api.read_namespaced_pod_log(pod, namespace, **kwargs)
    return PodLog(response, what, conn.server_url)
