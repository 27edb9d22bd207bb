"""Forward local ports to a RayCluster's head pod, like ``kubectl port-forward`` (docs/port-forward.md).

Every accepted local connection gets its own ``pods/portforward`` WebSocket (the kubernetes client's
``kubernetes.stream.portforward``: one TCP connection per port and WebSocket) to the current head pod. The
head is found by its labels (``ray.io/cluster=<name>``, ``ray.io/node-type=head``, Running, not being deleted)
and looked up again whenever a connection to it fails, so the forward follows a head that KubeRay replaced.
A monitor probes the dashboard (``GET /api/version``) every few seconds and reports ``live``, ``reconnecting``
(no head / API server unreachable) or ``error`` (refused: permissions). Credentials never appear in messages.
"""

from __future__ import annotations

import contextlib
import errno
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from raywizard.model.errors import InputError

RAY_DASHBOARD_PORT = 8265
RAY_CLIENT_PORT = 10001
RAY_SERVE_PORT = 8000
CHUNK = 64 * 1024


@dataclass(frozen=True)
class PortMapping:
    local: int
    remote: int

    def __str__(self) -> str:
        return f"{self.local}:{self.remote}"


DEFAULT_PORTS = (
    PortMapping(RAY_DASHBOARD_PORT, RAY_DASHBOARD_PORT),
    PortMapping(RAY_CLIENT_PORT, RAY_CLIENT_PORT),
    PortMapping(RAY_SERVE_PORT, RAY_SERVE_PORT),
)


@dataclass
class ForwardStatus:
    state: str  # "starting" | "live" | "reconnecting" | "stopped" | "error"
    message: str = ""
    since: datetime = field(default_factory=lambda: datetime.now(UTC))


class PortInUse(InputError):
    pass


def head_service_name(raycluster_name: str) -> str:
    """KubeRay's head service."""
    return f"{raycluster_name}-head-svc"


def parse_ports(text: str) -> list[PortMapping]:
    """``"8265,18000:8000"`` -> [8265:8265, 18000:8000] (LOCAL:REMOTE, or one port for both; local 0 = any)."""
    mappings: list[PortMapping] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        local_text, _, remote_text = item.partition(":")
        remote_text = remote_text or local_text
        if not (local_text.isdigit() and remote_text.isdigit()):
            raise InputError(f"--ports: {item!r} is not LOCAL:REMOTE (e.g. 18265:8265)")
        local, remote = int(local_text), int(remote_text)
        if not (0 <= local < 65536 and 0 < remote < 65536):
            raise InputError(f"--ports: {item!r}: ports are 1-65535 (local 0 picks a free one)")
        mappings.append(PortMapping(local, remote))
    if not mappings:
        raise InputError("--ports: give at least one LOCAL:REMOTE pair")
    return mappings


def find_head_pod(api_client: Any, namespace: str, raycluster: str | None = None) -> dict[str, Any] | None:
    """The running head pod of ``raycluster`` (or of the only RayCluster with one in ``namespace``)."""
    from kubernetes import client

    selector = "ray.io/node-type=head" + (f",ray.io/cluster={raycluster}" if raycluster else "")
    import json

    core: Any = client.CoreV1Api(api_client)
    response = core.list_namespaced_pod(namespace, label_selector=selector, _preload_content=False)
    items = json.loads(response.data).get("items") or []
    running = [
        p
        for p in items
        if (p.get("status") or {}).get("phase") == "Running" and not (p.get("metadata") or {}).get("deletionTimestamp")
    ]
    running.sort(key=lambda p: str((p.get("metadata") or {}).get("creationTimestamp") or ""), reverse=True)
    return running[0] if running else None


_STREAM_LOCK = threading.Lock()


def stream_client(api_client: Any) -> Any:
    """An ApiClient of its own for port-forwards, sharing the configuration (so reloaded credentials apply).

    ``kubernetes.stream.portforward`` swaps ``api_client.request`` for a WebSocket call while it connects: on a
    shared client a concurrent ordinary request (a watch, a list) would go out as a WebSocket, and two
    concurrent forwards can leave the swap in place for good."""
    from kubernetes import client

    return client.ApiClient(getattr(api_client, "configuration", None))


def open_pod_port(api_client: Any, namespace: str, pod: str, port: int) -> tuple[Any, Any]:
    """(port-forward, socket) for one connection to ``port`` of ``pod``; close the forward when done.
    ``api_client`` must be one from ``stream_client`` (used by nothing else)."""
    from kubernetes import client
    from kubernetes.stream import portforward

    core = client.CoreV1Api(api_client)
    with _STREAM_LOCK:
        forward = portforward(core.connect_get_namespaced_pod_portforward, pod, namespace, ports=str(port))
    sock = forward.socket(port)
    sock.setblocking(True)
    return forward, sock


def _bind(host: str, port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} is in use on {host} (another port-forward, or a local Ray?): "
                f"pick another local port, e.g. --ports {port + 10000 if port < 55536 else 0}:<remote>"
            ) from exc
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    listener.listen(16)
    return listener


class HeadPortForward:
    """Forward ``ports`` of the head pod of ``raycluster`` in ``namespace`` to ``host``."""

    def __init__(
        self,
        api_client: Any,
        namespace: str,
        raycluster: str | None,
        ports: tuple[PortMapping, ...] | list[PortMapping] = DEFAULT_PORTS,
        *,
        host: str = "127.0.0.1",
        on_status: Callable[[ForwardStatus], None] | None = None,
        fallback_to_free_port: bool = False,
        probe_interval: float = 3.0,
    ) -> None:
        self.api_client = getattr(api_client, "api_client", api_client)
        self._stream_client: Any = None
        self.namespace = namespace
        self.raycluster = raycluster
        self.ports = list(ports)
        self.host = host
        self.on_status = on_status
        self.fallback_to_free_port = fallback_to_free_port
        self.probe_interval = probe_interval
        self.status = ForwardStatus("stopped")
        self.head_pod = ""
        self._listeners: dict[socket.socket, PortMapping] = {}
        self._bound: list[PortMapping] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------------------

    @property
    def bound(self) -> list[PortMapping]:
        """The mappings as listened on (local 0 resolved)."""
        return list(self._bound)

    @property
    def url(self) -> str:
        for mapping in self._bound:
            if mapping.remote == RAY_DASHBOARD_PORT:
                return f"http://{self.host}:{mapping.local}/"
        return ""

    def start(self) -> str:
        """Listen on every local port (all or none: PortInUse names the busy one) and return the dashboard URL."""
        if self._listeners:
            return self.url
        self._stop.clear()
        listeners: dict[socket.socket, PortMapping] = {}
        try:
            for mapping in self.ports:
                try:
                    listener = _bind(self.host, mapping.local)
                except PortInUse:
                    if not self.fallback_to_free_port:
                        raise
                    listener = _bind(self.host, 0)
                listeners[listener] = PortMapping(int(listener.getsockname()[1]), mapping.remote)
        except Exception:
            for listener in listeners:
                listener.close()
            raise
        self._listeners = listeners
        self._bound = list(listeners.values())
        self._set_status("starting", f"forwarding to the head of {self.namespace}/{self.raycluster or '*'}")
        for target, name in ((self._accept_loop, "portforward-accept"), (self._monitor, "portforward-monitor")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()
        return self.url

    def stop(self, timeout: float = 2.0) -> None:
        """Stop listening and forwarding, waiting up to ``timeout`` seconds for each thread (0: only tell them;
        they look at the stop flag at least every 0.2 s)."""
        self._stop.set()
        listeners, self._listeners = self._listeners, {}
        for listener in listeners:
            with contextlib.suppress(OSError):
                listener.close()
        for thread in self._threads:
            thread.join(timeout=timeout)
        self._threads = []
        stream, self._stream_client = self._stream_client, None
        if stream is not None:
            stream.close()
        self._set_status("stopped")

    def __enter__(self) -> HeadPortForward:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- status --------------------------------------------------------------------------------------------

    def _set_status(self, state: str, message: str = "") -> None:
        with self._lock:
            if self.status.state == state and self.status.message == message:
                return
            self.status = ForwardStatus(state, message)
            status = self.status
        callback = self.on_status
        if callback is not None:
            callback(status)

    def _failed(self, exc: BaseException) -> None:
        if http_status(exc) in (401, 403):
            self._set_status("error", "the API server refused pods/portforward: check your permissions")
        else:
            self._set_status("reconnecting", f"head not reachable ({describe(exc)})")

    # -- forwarding ----------------------------------------------------------------------------------------

    def resolve_head(self, refresh: bool = False) -> str:
        """The head pod's name (looked up again when ``refresh`` or not known yet); '' when there is none."""
        if refresh or not self.head_pod:
            pod = find_head_pod(self.api_client, self.namespace, self.raycluster)
            self.head_pod = str(pod["metadata"]["name"]) if pod else ""
        return self.head_pod

    def connect(self, remote: int) -> tuple[Any, Any]:
        """(port-forward, socket) to the head's ``remote`` port, following a replaced head once."""
        last: BaseException | None = None
        for refresh in (False, True):
            pod = self.resolve_head(refresh)
            if not pod:
                raise LookupError(f"no running head pod of {self.raycluster or 'a RayCluster'} in {self.namespace}")
            if self._stream_client is None:
                self._stream_client = stream_client(self.api_client)
            try:
                return open_pod_port(self._stream_client, self.namespace, pod, remote)
            except Exception as exc:  # the head went away (404/400): look it up again
                last = exc
        assert last is not None
        raise last

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            listeners = list(self._listeners)
            if not listeners:
                return
            try:
                readable, _, _ = select.select(listeners, [], [], 0.2)
            except (OSError, ValueError):
                return
            for listener in readable:
                mapping = self._listeners.get(listener)
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                if mapping is None:
                    conn.close()
                    continue
                thread = threading.Thread(
                    target=self._serve, args=(conn, mapping.remote), name="portforward-conn", daemon=True
                )
                thread.start()

    def _serve(self, conn: socket.socket, remote: int) -> None:
        try:
            forward, upstream = self.connect(remote)
        except Exception as exc:
            self._failed(exc)
            conn.close()
            return
        try:
            _pipe(conn, upstream, self._stop)
            error = forward.error(remote)
            if error:
                self._set_status("live", f"port {remote} of {self.head_pod}: {error.strip()}")
        finally:
            with contextlib.suppress(OSError):
                conn.close()
            forward.close()

    def probe(self) -> bool:
        """GET /api/version of the dashboard through a fresh forward; sets the status. True when it answered."""
        import http.client

        try:
            forward, sock = self.connect(RAY_DASHBOARD_PORT)
        except Exception as exc:
            self._failed(exc)
            return False
        try:
            sock.settimeout(5.0)
            connection = http.client.HTTPConnection("localhost", RAY_DASHBOARD_PORT, timeout=5.0)
            connection.sock = sock
            connection.request("GET", "/api/version", headers={"Connection": "close"})
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._set_status("reconnecting", f"the Ray dashboard on {self.head_pod} did not answer ({describe(exc)})")
            return False
        finally:
            forward.close()
        self._set_status("live", f"{self.url or self._bound[0]} -> {self.namespace}/{self.head_pod}")
        return True

    def _monitor(self) -> None:
        while not self._stop.is_set():
            self.probe()
            self._stop.wait(self.probe_interval)


def _pipe(local: socket.socket, upstream: Any, stop: threading.Event) -> None:
    """Copy both ways until either side closes."""
    sockets = [local, upstream]
    while not stop.is_set():
        try:
            readable, _, _ = select.select(sockets, [], [], 0.5)
        except (OSError, ValueError):
            return
        for sock in readable:
            try:
                data = sock.recv(CHUNK)
            except OSError:
                return
            if not data:
                return
            other = upstream if sock is local else local
            try:
                other.sendall(data)
            except OSError:
                return


def http_status(exc: BaseException) -> int:
    """The HTTP status of a failed request or WebSocket handshake (the client reports the latter as status 0
    with "Handshake status 403 Forbidden ..." as the reason); 0 when there was none."""
    import re

    status = int(getattr(exc, "status", 0) or 0)
    if status:
        return status
    match = re.search(r"Handshake status (\d{3})", str(getattr(exc, "reason", "") or ""))
    return int(match.group(1)) if match else 0


def describe(exc: BaseException) -> str:
    """A short, credential-free description of why a forward failed."""
    status = http_status(exc)
    if status:
        return f"{status} from the API server"
    if isinstance(exc, LookupError):
        return str(exc.args[0]) if exc.args else "not found"
    text = str(getattr(exc, "reason", "") or "") or str(exc) or type(exc).__name__
    return text.splitlines()[0][:160]
