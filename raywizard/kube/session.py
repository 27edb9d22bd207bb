"""ClusterSession: one cluster target watched live, as the dashboard needs it.

It owns the connection's use: the watches that fill a ``ClusterState``, a liveness probe, the kubeconfig re-read
when the watches are refused, the Ray dashboard port-forward, and the one-shot reads and writes the dashboard's
keys start. No Textual here: the front end asks the cheap questions (``reload_due``, ``probe_due``,
``status``) on its own thread and runs the blocking calls (``start_watches``, ``reload_credentials``, ``probe``,
``close_forward`` …) on worker threads.

- Credentials: the watches re-read the kubeconfig themselves on a 401 (``Connection.reload_credentials``, in
  place). While they still report ``error``, the session re-reads it every ``reconnect_every`` seconds too (a
  restarted sandbox or a refreshed cloud login writes a new token there) and, when it changed, restarts the
  watches at once instead of after their back-off, into the same state (they relist, so nothing is lost).
- Probe: a watch blocked reading from a hung server reports ``live`` until its read times out. While the
  watches say ``live``, a cheap ``GET /version`` every ``probe_every`` seconds (``PROBE_TIMEOUT`` to answer)
  tells the truth sooner: ``status`` says ``reconnecting`` while the probe fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from raywizard.kube.pod_record import compact_pod
from raywizard.kube.state import ClusterState, ConnectionStatus, ConnectionSummary, StateSnapshot

if TYPE_CHECKING:
    from raywizard.kube.cascade import CascadePlan
    from raywizard.kube.connection import Connection
    from raywizard.kube.operations import PodLog
    from raywizard.kube.portforward import ForwardStatus, HeadPortForward
    from raywizard.model.ray_insight import RayInsight
    from raywizard.model.spec import ClusterSpec

RECONNECT_EVERY = 3.0
PROBE_EVERY = 3.0
PROBE_TIMEOUT = 2.5


class Watcher(Protocol):
    """What the session needs from ``ClusterWatcher`` (tests hand in their own)."""

    def start(self) -> None: ...

    def stop(self, timeout: float = ...) -> None: ...


WatcherFactory = Callable[["Connection", ClusterState], Watcher]


@dataclass(frozen=True)
class ProbeFailure:
    since: datetime
    message: str


class ClusterSession:
    """``ClusterSession(connection, argocd_namespace=…, namespace=…)``. Given a ``state``, the session runs no
    watches and only reads it (tests and screenshots fill it themselves)."""

    def __init__(
        self,
        connection: Connection | None,
        *,
        argocd_namespace: str,
        namespace: str,
        state: ClusterState | None = None,
        watcher_factory: WatcherFactory | None = None,
        reconnect_every: float = RECONNECT_EVERY,
        probe_every: float = PROBE_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.connection = connection
        self.argocd_namespace = argocd_namespace
        self.namespace = namespace
        #: True when the session fills its own state from watches (and so probes and re-reads credentials)
        self.watching = state is None
        # Its own state keeps compact pod records (kube/pod_record.py): what the views need, not whole pods.
        self.state = state if state is not None else ClusterState(pod_record=compact_pod)
        self.reconnect_every = reconnect_every
        self.probe_every = probe_every
        self.reconnects = 0
        self.probe_failure: ProbeFailure | None = None
        self._watcher_factory = watcher_factory
        self._watcher: Watcher | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._clock = clock
        self._reloading = False
        self._last_reload: float | None = None
        self._probing = False
        self._last_probe = clock()
        self.forward: HeadPortForward | None = None

    @classmethod
    def for_spec(cls, connection: Connection | None, spec: ClusterSpec | None, **options: Any) -> ClusterSession:
        """The session for the Applications and the Ray namespace ``spec`` targets."""
        target = getattr(spec, "target", None)
        return cls(
            connection,
            argocd_namespace=str(getattr(target, "argocd_namespace", "") or "argocd"),
            namespace=str(getattr(target, "namespace", "") or ""),
            **options,
        )

    @property
    def closed(self) -> bool:
        return self._closed

    def _connection(self) -> Connection:
        """The connection, for what only a session with one is asked to do."""
        assert self.connection is not None
        return self.connection

    # -- the watches (blocking: call off the UI thread) ---------------------------------------------------

    def start_watches(self) -> None:
        """Start the watches into ``state`` (construction and start may touch the network)."""
        if not self.watching or self.connection is None:
            return
        watcher = self._new_watcher()
        watcher.start()
        with self._lock:
            closed = self._closed
            if not closed:
                old, self._watcher = self._watcher, watcher
        if closed:  # closed while the watches were starting
            watcher.stop(0)
        elif old is not None:
            old.stop()

    def _new_watcher(self) -> Watcher:
        if self._watcher_factory is not None:
            return self._watcher_factory(self._connection(), self.state)
        from raywizard.kube.watch import ClusterWatcher

        return ClusterWatcher(
            self._connection().api_client,
            argocd_namespace=self.argocd_namespace,
            namespace=self.namespace,
            state=self.state,
            reload_credentials=getattr(self.connection, "reload_credentials", None),
        )

    def stop_watches(self, timeout: float = 5.0) -> None:
        """Stop the watches, waiting up to ``timeout`` seconds for each of their threads."""
        with self._lock:
            watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the watches and the port-forward; the session starts nothing afterwards. ``timeout=0`` only
        tells their threads to stop (they end promptly on their own): for a UI thread that must not wait."""
        with self._lock:
            self._closed = True
        self.stop_watches(timeout)
        self.close_forward(timeout)

    # -- connection upkeep --------------------------------------------------------------------------------

    def status(self, snapshot: StateSnapshot | None) -> ConnectionSummary | ConnectionStatus | None:
        """The watches' status, unless they say live while the probe finds the server silent."""
        status = snapshot.connection if snapshot is not None else None
        failure = self.probe_failure
        if failure is not None and str(getattr(status, "state", "")) == "live":
            return ConnectionStatus("reconnecting", failure.since, failure.message)
        return status

    def reload_due(self, snapshot: StateSnapshot | None, now: float | None = None) -> bool:
        """True (and counted as started) when the watches are in error and a kubeconfig re-read is due."""
        if not self._can_upkeep(snapshot) or self._reloading:
            return False
        assert snapshot is not None
        now = self._clock() if now is None else now
        if str(snapshot.connection.state) != "error":
            return False
        if self._last_reload is not None and now - self._last_reload < self.reconnect_every:
            return False
        if getattr(self.connection, "reload_credentials", None) is None:
            return False
        self._last_reload = now
        self._reloading = True
        return True

    def reload_credentials(self) -> bool:
        """Re-read the kubeconfig into the connection; when it changed, restart the watches on it. Blocking.
        An unreadable kubeconfig (being rewritten, or gone for now) counts as unchanged: tried again later."""
        try:
            try:
                changed = bool(self._connection().reload_credentials())
            except Exception:
                return False
            if changed and not self._closed:
                self.reconnects += 1
                self.probe_failure = None
                self.stop_watches()
                self.start_watches()
            return changed
        finally:
            self._reloading = False

    def probe_due(self, snapshot: StateSnapshot | None, now: float | None = None) -> bool:
        """True (and counted as started) when the watches say live and a probe is due."""
        if not self._can_upkeep(snapshot) or self._probing:
            return False
        assert snapshot is not None
        now = self._clock() if now is None else now
        if str(snapshot.connection.state) != "live" or now - self._last_probe < self.probe_every:
            return False
        self._last_probe = now
        self._probing = True
        return True

    def probe(self, timeout: float = PROBE_TIMEOUT) -> str | None:
        """``None`` when the API server answers ``GET /version`` within ``timeout`` seconds, else why not.
        Blocking; updates ``probe_failure`` (since when the server has not answered)."""
        try:
            failure = self._ask_version(timeout)
        finally:  # whatever happens, the next probe must be allowed to run
            self._probing = False
        if failure is None:
            self.probe_failure = None
        elif self.probe_failure is None:
            self.probe_failure = ProbeFailure(datetime.now(UTC), failure)
        return failure

    def _ask_version(self, timeout: float) -> str | None:
        api_client = getattr(self.connection, "api_client", None)
        if api_client is None:
            return None
        from raywizard.kube.probe import probe_once

        return probe_once(api_client, str(getattr(self.connection, "server_url", "") or ""), timeout)

    def _can_upkeep(self, snapshot: StateSnapshot | None) -> bool:
        return self.watching and not self._closed and self.connection is not None and snapshot is not None

    # -- what the dashboard's keys do (blocking) ------------------------------------------------------------

    def sync(self, namespace: str, name: str) -> None:
        from raywizard.kube import operations

        operations.sync_application(self._connection(), namespace, name)

    def refresh(self, namespace: str, name: str, *, hard: bool = False) -> None:
        from raywizard.kube import operations

        operations.refresh_application(self._connection(), namespace, name, hard=hard)

    def restart_group(self, namespace: str, raycluster: str, group: str) -> int:
        """Delete ``group``'s pods so KubeRay recreates them from the current template; how many were asked."""
        from raywizard.kube.template_drift import restart_group

        return restart_group(self._connection(), namespace, raycluster, group)

    def cascade_plan(self, namespace: str, name: str) -> CascadePlan:
        """What deleting the Application with cascade removes (``kube.cascade.CascadePlan``)."""
        from raywizard.kube.cascade import cascade_plan

        return cascade_plan(self._connection(), namespace, name)

    def delete_application(self, namespace: str, name: str) -> bool:
        from raywizard.kube.cascade import delete_application

        return delete_application(self._connection(), namespace, name, cascade=True)

    def read_pod(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The whole pod from the API server (the state holds compact records); None when it is gone."""
        from raywizard.kube.resources import get_pod

        return get_pod(self._connection(), namespace, name)

    def pod_logs(
        self,
        namespace: str,
        pod: str,
        container: str | None,
        *,
        tail: int | None = None,
        follow: bool = True,
        previous: bool = False,
        timestamps: bool = False,
    ) -> PodLog:
        """An open log (blocking: the request is made here); ``close()`` it to stop reading."""
        from raywizard.kube import operations

        return operations.open_pod_log(
            self._connection(), namespace, pod, container, follow=follow, tail=tail, previous=previous,
            timestamps=timestamps,
        )

    def ray_insight(
        self, namespace: str, raycluster: dict[str, Any] | None, pods: Sequence[dict[str, Any]]
    ) -> RayInsight:
        from raywizard.kube.rayhead import ray_insight

        return ray_insight(self._connection().api_client, namespace, raycluster, list(pods), templates=True)

    # -- the Ray dashboard port-forward ---------------------------------------------------------------------

    def open_forward(
        self, namespace: str, raycluster: str, on_status: Callable[[ForwardStatus], None]
    ) -> HeadPortForward:
        """A forward of the head's dashboard port to localhost, not started yet (``start`` it off the UI
        thread). The caller stops the previous one first."""
        from raywizard.kube.portforward import RAY_DASHBOARD_PORT, HeadPortForward, PortMapping

        self.forward = HeadPortForward(
            self._connection().api_client,
            namespace,
            raycluster,
            [PortMapping(RAY_DASHBOARD_PORT, RAY_DASHBOARD_PORT)],
            on_status=on_status,
            fallback_to_free_port=True,  # 8265 taken (another forward, a local Ray): any free port will do
        )
        return self.forward

    def detach_forward(self) -> HeadPortForward | None:
        """Take the forward out of the session, its status no longer reported (``stop`` it off the UI thread)."""
        forward, self.forward = self.forward, None
        if forward is not None:
            forward.on_status = None
        return forward

    def close_forward(self, timeout: float = 2.0) -> None:
        """Stop the forward, if any (waits up to ``timeout`` seconds for each of its threads)."""
        forward = self.detach_forward()
        if forward is not None:
            forward.stop(timeout)
