"""Resilient list+watch over raw JSON, feeding a ``ClusterState``.

The client's ``Watch`` deserialises every event into models (slow) and, once ``timeout_seconds`` is passed, no
longer reconnects by itself (docs/domain/kubernetes-client.md). So we run our own loop: list, then watch from the list's
resourceVersion with bookmarks; on stream end watch again from the last version seen; on ``410 Gone`` list
again; on errors back off exponentially with jitter and say so in the state's connection status. Every request
carries a ``_request_timeout`` so that a dead server cannot hang a thread, and ``stop()`` shuts the socket to
end a read.

A server that accepts connections but stops answering (hung, SIGSTOPped, a dead proxy) is noticed by silence: we
ask for BOOKMARKs, learn how often the server sends them while the stream is quiet, and once learned set the
socket's read timeout to about twice that interval (never under ``min_silence``). Silence beyond it ends the
stream as a failure: the state says "reconnecting" at once and we reconnect (with the same short read timeout,
so a hung server fails the reconnect quickly too). Until an interval is learned the read timeout stays
``timeout_seconds + 15``: a real API server sends bookmarks only about once a minute, and a quiet watch must not
flap.

A 401 makes us re-read the kubeconfig (``reload_credentials``, e.g. a restarted server wrote a new token) and
retry at once when the credentials changed; the error is reported only when they did not.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from raywizard.kube.error_translation import is_api_exception, to_cluster_error
from raywizard.kube.state import ClusterState
from raywizard.kube.watch_support import (  # noqa: F401  (INGESTION_GC_THRESHOLD: re-exported for benches)
    INGESTION_GC_THRESHOLD,
    CredentialRefresher,
    _set_read_timeout,
    tune_gc,
)
from raywizard.model.errors import ClusterError

log = logging.getLogger("raywizard.kube.watch")

LIST_PAGE = 500  # items per list request (kubectl's --chunk-size default)


def _server_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says the API server could not be reached at all (refused or reset connections), as
    opposed to an answer, or a slow stream on a live connection."""
    import urllib3.exceptions

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError | ConnectionResetError | urllib3.exceptions.NewConnectionError):
            return True
        if isinstance(current, urllib3.exceptions.ProtocolError):
            return True  # the connection broke mid-stream (server stopped)
        reason = getattr(current, "reason", None)
        current = reason if isinstance(reason, BaseException) else (current.__cause__ or current.__context__)
    return False


class WatchExpired(Exception):
    """The server said 410 Gone: our resourceVersion is too old; list again."""


class WatchFailed(Exception):
    """An ERROR event other than 410 in the stream."""


class WatchSilent(Exception):
    """Nothing (not even a BOOKMARK) arrived for longer than the server's bookmark rhythm allows."""


class ResilientWatch:
    """One resource's list+watch loop, on its own daemon thread (``start``/``stop``) or inline (``run``)."""

    def __init__(
        self,
        list_func: Callable[..., Any],
        *args: Any,
        kind: str,
        state: ClusterState,
        label_selector: str | None = None,
        timeout_seconds: int = 50,
        connect_timeout: float = 5.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 15.0,
        stale_after: float = 10.0,
        server: str = "",
        missing_ok_message: str | None = None,
        min_silence: float = 3.0,
        reload_credentials: Callable[[], bool] | CredentialRefresher | None = None,
    ) -> None:
        self.list_func = list_func
        self.args = args
        self.kind = kind
        self.state = state
        self.label_selector = label_selector
        self.timeout_seconds = timeout_seconds
        self.connect_timeout = connect_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.stale_after = stale_after
        self.server = server
        # A 404 on list means "this resource type does not exist yet" (e.g. the RayCluster CRD before the CRDs
        # Application synced): show it empty, say why, and look again later.
        self.missing_ok_message = missing_ok_message
        self.min_silence = min_silence
        # Re-reads the kubeconfig; True when the credentials changed (worth retrying a 401 at once).
        if reload_credentials is not None and not isinstance(reload_credentials, CredentialRefresher):
            reload_credentials = CredentialRefresher(reload_credentials)
        self.credentials = reload_credentials
        self._credentials_seen = 0
        #: seconds between the server's BOOKMARKs on a quiet stream, once seen twice (None: not learned yet)
        self.bookmark_interval: float | None = None
        self._last_bookmark: float | None = None
        self.credential_reloads = 0
        self.resource_version: str | None = None
        self.relists = 0
        self.events = 0
        self._stop = threading.Event()
        self._response: Any = None
        self._thread: threading.Thread | None = None
        self._was_live = False

    # --- lifecycle ---
    def start(self) -> None:
        if self._thread is None:
            tune_gc()
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, name=f"watch-{self.kind}", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        response = self._response
        if response is not None:
            with contextlib.suppress(Exception):
                response.shutdown()  # unblocks a read in progress (urllib3 >= 2.3)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._thread = None

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # --- the loop ---
    def run(self) -> None:
        failures = 0
        failing_since: float | None = None
        while not self._stop.is_set():
            if self.credentials is not None:
                self._credentials_seen = self.credentials.generation
            try:
                if self.resource_version is None:
                    self._relist()
                    failures, failing_since = 0, None
                self._watch_once()
                failures, failing_since = 0, None
            except WatchExpired:
                self.resource_version = None
                continue
            except _Missing:
                self._sleep(min(self.backoff_max, 5.0))
                continue
            except Exception as exc:
                if self._stop.is_set():
                    break
                if is_api_exception(exc, 410):
                    self.resource_version = None
                    continue
                if is_api_exception(exc, 404) and self.resource_version is not None:
                    # The resource type vanished under an open watch (CRD deleted, server restarted empty):
                    # list again, which reports a missing type as such instead of retrying this watch forever.
                    self.resource_version = None
                    continue
                if is_api_exception(exc, 401) and self._credentials_changed():
                    continue  # new credentials in the kubeconfig: retry at once, nothing to report yet
                if _server_unreachable(exc):
                    # The server was down: it may come back empty or from a backup, where our resourceVersion
                    # means nothing (resuming would keep objects it no longer has). List again, as after a 410.
                    self.resource_version = None
                failures += 1
                failing_since = failing_since or time.monotonic()
                self._report_failure(exc, time.monotonic() - failing_since)
                delay = min(self.backoff_max, self.backoff_initial * 2 ** (failures - 1))
                self._sleep(delay * random.uniform(0.5, 1.0))
        self._response = None

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _credentials_changed(self) -> bool:
        if self.credentials is None:
            return False
        try:
            changed = self.credentials.refresh(self._credentials_seen)
        except Exception as exc:  # an unreadable kubeconfig: keep the old credentials, report the 401
            log.debug("watch %s: reloading the kubeconfig failed: %s", self.kind, exc)
            return False
        if changed:
            self.credential_reloads += 1
        return changed

    @property
    def silence_limit(self) -> float | None:
        """How long the stream may stay silent before we call the server hung (None: not learned yet)."""
        if self.bookmark_interval is None:
            return None
        return max(self.min_silence, 2 * self.bookmark_interval + 1.0)

    def _read_timeout(self) -> float:
        return self.silence_limit or float(self.timeout_seconds + 15)

    def _report_failure(self, exc: BaseException, failing_for: float) -> None:
        if isinstance(exc, WatchSilent):
            error = ClusterError(f"cannot watch {self.kind}: {exc}")
        else:
            error = to_cluster_error(exc, f"watch {self.kind}", self.server)
        message = error.message
        if is_api_exception(exc, 401) or is_api_exception(exc, 403):
            state = "error"
        elif not self._was_live:
            state = "error" if failing_for >= self.stale_after else "connecting"
        else:
            state = "stale" if failing_for >= self.stale_after else "reconnecting"
        log.debug("watch %s: %s", self.kind, message)
        self.state.set_connection(self.kind, state, message)

    def _relist(self) -> None:
        """List in pages of ``LIST_PAGE`` (as kubectl does) and record each page as it arrives: 20,000 pods are
        never all in memory as parsed JSON at once, only as the state's records
        (docs/domain/kubernetes-client.md#lists-in-pages). Each page but the last is in the state at once;
        the whole list then replaces the kind (removing what the server no longer has)."""
        kwargs: dict[str, Any] = {
            "_preload_content": False,
            "_request_timeout": (self.connect_timeout, self.timeout_seconds + 15),
            "limit": LIST_PAGE,
        }
        if self.label_selector:
            kwargs["label_selector"] = self.label_selector
        record = self.state.record
        kind = self.kind
        items: list[dict[str, Any]] = []
        body: dict[str, Any] = {}
        while True:
            try:
                response = self.list_func(*self.args, **kwargs)
            except Exception as exc:
                if self.missing_ok_message is not None and is_api_exception(exc, 404):
                    self.state.replace_all(self.kind, [])
                    self.state.set_connection(self.kind, "live", self.missing_ok_message)
                    raise _Missing() from exc
                if is_api_exception(exc, 410):  # the continue token expired: list again from the start
                    raise WatchExpired() from exc
                raise
            paused = gc.isenabled()
            if paused:
                gc.disable()  # one big parse of acyclic JSON: no point in scanning it halfway (see tune_gc)
            try:
                body = json.loads(response.data)
            finally:
                if paused:
                    gc.enable()
                response.release_conn()
            page = [record(kind, obj) for obj in body.get("items") or []]
            items.extend(page)
            token = (body.get("metadata") or {}).get("continue")
            if not token or self._stop.is_set():
                break
            if kind != "events":
                # Shown while the next pages come: 20,000 pods from a busy API server take many seconds, and
                # a UI fills its table meanwhile instead of after the last page.
                self.state.upsert_all(kind, page)
            kwargs["_continue"] = token
        self.state.replace_all(self.kind, items, recorded=True)
        self.resource_version = str((body.get("metadata") or {}).get("resourceVersion") or "") or None
        self.relists += 1
        self._was_live = True
        self.state.set_connection(self.kind, "live")

    def _watch_once(self) -> None:
        kwargs: dict[str, Any] = {
            "watch": True,
            "allow_watch_bookmarks": True,
            "timeout_seconds": self.timeout_seconds,
            "_preload_content": False,
            "_request_timeout": (self.connect_timeout, self._read_timeout()),
        }
        if self.resource_version:
            kwargs["resource_version"] = self.resource_version
        if self.label_selector:
            kwargs["label_selector"] = self.label_selector
        response = self._call_watched(kwargs)
        self._response = response
        try:
            if self._stop.is_set():
                return
            self.state.set_connection(self.kind, "live")
            self._last_bookmark = None  # gaps are measured within one stream
            self._consume(response)
        finally:
            self._response = None
            with contextlib.suppress(Exception):
                response.release_conn()

    def _call_watched(self, kwargs: dict[str, Any]) -> Any:
        """Start the watch request; if its answer is later than the learned silence limit, say "reconnecting"
        right then (the request itself may wait out two read timeouts: the client retries once)."""
        limit = self.silence_limit
        if limit is None or not self._was_live:
            return self.list_func(*self.args, **kwargs)

        def overdue() -> None:
            if not self._stop.is_set():
                where = f" at {self.server}" if self.server else ""
                self.state.set_connection(
                    self.kind,
                    "reconnecting",
                    f"cannot watch {self.kind}: the API server{where} has not answered for {limit:.0f} s",
                )

        timer = threading.Timer(limit, overdue)
        timer.daemon = True
        timer.start()
        try:
            return self.list_func(*self.args, **kwargs)
        finally:
            timer.cancel()

    def _consume(self, response: Any) -> None:
        import urllib3.exceptions

        pending = b""
        applied_limit = None
        try:
            for segment in response.stream(amt=None, decode_content=False):
                if self._stop.is_set():
                    return
                pending += segment
                if b"\n" not in segment:
                    continue
                *lines, pending = pending.split(b"\n")
                self._handle_lines(lines)
                limit = self.silence_limit
                if limit is not None and limit != applied_limit:
                    applied_limit = limit
                    _set_read_timeout(response, limit)
        except (urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ProtocolError, TimeoutError) as exc:
            if self._stop.is_set():
                return
            if "timed out" not in str(exc).lower() and not isinstance(exc, TimeoutError):
                raise
            silent_for = applied_limit or self._read_timeout()
            raise WatchSilent(
                f"the API server{' at ' + self.server if self.server else ''} sent nothing for "
                f"{silent_for:.0f} s (not even a bookmark); it may be hung"
            ) from exc

    def _handle_lines(self, lines: list[bytes]) -> None:
        apply_event = self.state.apply_event
        kind = self.kind
        loads = json.loads
        for line in lines:
            if not line.strip():
                continue
            event = loads(line)
            event_type = event.get("type")
            obj = event.get("object") or {}
            if event_type == "ERROR":
                if obj.get("code") == 410:
                    raise WatchExpired()
                raise WatchFailed(str(obj.get("message") or obj))
            rv = (obj.get("metadata") or {}).get("resourceVersion")
            if event_type == "BOOKMARK":
                self._saw_bookmark()
            else:
                apply_event(kind, event_type, obj)
                self.events += 1
            if rv:
                self.resource_version = str(rv)


    def _saw_bookmark(self) -> None:
        now = time.monotonic()
        last, self._last_bookmark = self._last_bookmark, now
        if last is None:
            return
        gap = now - last
        previous = self.bookmark_interval
        # Follow a slower rhythm at once (no false alarms), a faster one gradually.
        self.bookmark_interval = gap if previous is None or gap > previous else 0.8 * previous + 0.2 * gap


class _Missing(Exception):
    pass


class ClusterWatcher:
    """The four watches behind the dashboard and ``status --watch``: Applications in the Argo CD namespace and
    RayClusters, pods and events in the Ray namespace."""

    def __init__(
        self,
        api_client: Any,
        *,
        argocd_namespace: str,
        namespace: str,
        state: ClusterState | None = None,
        timeout_seconds: int = 50,
        server: str = "",
        reload_credentials: Callable[[], bool] | None = None,
    ) -> None:
        from kubernetes import client

        from raywizard.kube.connection import credential_reloader

        self.state = state or ClusterState()
        # The dashboard passes only the ApiClient: find how to re-read its kubeconfig from the Connection that
        # made it (load_connection registers it).
        reload = reload_credentials or credential_reloader(api_client)
        refresher = CredentialRefresher(reload) if reload is not None else None
        custom = client.CustomObjectsApi(api_client)
        core = client.CoreV1Api(api_client)
        server = server or str(getattr(api_client.configuration, "host", ""))
        common: dict[str, Any] = {
            "state": self.state,
            "timeout_seconds": timeout_seconds,
            "server": server,
            "reload_credentials": refresher,
        }
        self.watches = [
            ResilientWatch(
                custom.list_namespaced_custom_object,
                "argoproj.io",
                "v1alpha1",
                argocd_namespace,
                "applications",
                kind="applications",
                missing_ok_message="Argo CD Applications are not installed",
                **common,
            ),
            ResilientWatch(
                custom.list_namespaced_custom_object,
                "ray.io",
                "v1",
                namespace,
                "rayclusters",
                kind="rayclusters",
                missing_ok_message="the RayCluster CRD is not installed yet",
                **common,
            ),
            ResilientWatch(core.list_namespaced_pod, namespace, kind="pods", **common),
            ResilientWatch(core.list_namespaced_event, namespace, kind="events", **common),
        ]

    def start(self) -> None:
        for watch in self.watches:
            watch.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop every watch, waiting up to ``timeout`` seconds for each thread (0: only tell them to stop; a
        read in progress is shut down, so they end promptly on their own)."""
        for watch in self.watches:
            watch._stop.set()
        for watch in self.watches:
            watch.stop(timeout)

    def __enter__(self) -> ClusterWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
