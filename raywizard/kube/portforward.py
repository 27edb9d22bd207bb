"""Open the Ray dashboard (head service port 8265) on a local port, as step 4 of the guide does with ``kubectl
port-forward svc/<cluster>-head-svc 8265:8265``.

How: a small local HTTP proxy that forwards every request through the API server's *service proxy*
(``/api/v1/namespaces/{ns}/services/{name}:{port}/proxy/{path}``) with the kubeconfig's credentials. The Ray
dashboard is plain HTTP, so this needs no SPDY/WebSocket stream (which ``pods/portforward`` would, and which
the embedded sandbox does not speak); it works against any API server that allows ``services/proxy``.

Dropped connections: each request is retried with backoff; while the upstream fails the forward reports
``reconnecting`` and a monitor thread probes it until it answers again (then ``live``). Credentials never
appear in status messages.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RAY_DASHBOARD_PORT = 8265
# Hop-by-hop headers (RFC 9110 §7.6.1) and those we must not pass on to the API server.
_HOP_HEADERS = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "authorization",
    "content-length",
}


@dataclass
class ForwardStatus:
    state: str  # "starting" | "live" | "reconnecting" | "stopped" | "error"
    message: str = ""
    since: datetime = field(default_factory=lambda: datetime.now(UTC))


def service_proxy_path(namespace: str, service: str, port: int | str = RAY_DASHBOARD_PORT) -> str:
    quote = urllib.parse.quote
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/services/{quote(service, safe='')}:{port}/proxy"


def head_service_name(raycluster_name: str) -> str:
    """KubeRay's head service (domain.md §3.3)."""
    return f"{raycluster_name}-head-svc"


def _free_port(host: str, preferred: int) -> int:
    for candidate in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError("no free local port")


class ServicePortForward:
    """Forward ``http://127.0.0.1:<local_port>/`` to ``<service>:<port>`` in ``namespace`` via the API server."""

    def __init__(
        self,
        api_client: Any,
        namespace: str,
        service: str,
        port: int = RAY_DASHBOARD_PORT,
        *,
        local_port: int = RAY_DASHBOARD_PORT,
        host: str = "127.0.0.1",
        on_status: Callable[[ForwardStatus], None] | None = None,
        retries: int = 3,
        probe_interval: float = 2.0,
        timeout: float = 10.0,
    ) -> None:
        self.api_client = getattr(api_client, "api_client", api_client)
        self.namespace = namespace
        self.service = service
        self.port = port
        self.host = host
        self.preferred_port = local_port
        self.on_status = on_status
        self.retries = retries
        self.probe_interval = probe_interval
        self.timeout = timeout
        self.status = ForwardStatus("stopped")
        self._server: http.server.ThreadingHTTPServer | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._status_lock = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------------------

    @property
    def local_port(self) -> int:
        return int(self._server.server_address[1]) if self._server else 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.local_port}/" if self._server else ""

    @property
    def upstream_path(self) -> str:
        return service_proxy_path(self.namespace, self.service, self.port)

    def start(self) -> str:
        """Listen locally (the preferred port, else a free one) and return the local URL."""
        if self._server is not None:
            return self.url
        self._stop.clear()
        port = _free_port(self.host, self.preferred_port)
        self._server = _ProxyServer((self.host, port), _ProxyHandler, self)
        self._set_status("starting", f"forwarding to {self.namespace}/{self.service}:{self.port}")
        serve = threading.Thread(target=self._server.serve_forever, name="portforward-serve", daemon=True)
        monitor = threading.Thread(target=self._monitor, name="portforward-monitor", daemon=True)
        self._threads = [serve, monitor]
        for thread in self._threads:
            thread.start()
        return self.url

    def stop(self) -> None:
        self._stop.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []
        self._set_status("stopped")

    def __enter__(self) -> ServicePortForward:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- upstream ------------------------------------------------------------------------------------------

    def _set_status(self, state: str, message: str = "") -> None:
        with self._status_lock:
            if self.status.state == state and self.status.message == message:
                return
            self.status = ForwardStatus(state, message)
            status = self.status
        if self.on_status is not None:
            self.on_status(status)

    def request(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> Any:
        """One upstream request (urllib3 response, not preloaded); retried with backoff on connection errors."""
        import urllib3

        client = self.api_client
        auth_headers: dict[str, str] = {}
        client.update_params_for_auth(auth_headers, [], ["BearerToken"], path, method, body)
        merged = {k: v for k, v in headers.items() if k.lower() not in _HOP_HEADERS}
        merged.update(auth_headers)
        url = client.configuration.host.rstrip("/") + self.upstream_path + path
        delay = 0.2
        for attempt in range(self.retries + 1):
            try:
                response = client.rest_client.pool_manager.request(
                    method,
                    url,
                    headers=merged,
                    body=body,
                    preload_content=False,
                    redirect=False,
                    retries=False,
                    timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
                )
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                self._set_status("reconnecting", f"API server unreachable ({type(exc).__name__})")
                if attempt == self.retries or self._stop.is_set():
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            if response.status < 400:
                self._set_status("live", self.url)
            return response
        raise RuntimeError("unreachable")

    def probe(self) -> bool:
        """GET / of the dashboard; sets the status from the answer. True when it answered."""
        try:
            response = self.request("GET", "/", {}, None)
        except Exception:
            return False
        status = response.status
        response.drain_conn()
        response.release_conn()
        if status < 400:
            self._set_status("live", self.url)
        elif status in (401, 403):
            self._set_status("error", f"the API server refused services/proxy ({status}): check permissions")
        elif status == 404:
            self._set_status(
                "error",
                f"404 for {self.namespace}/{self.service}:{self.port}: no such service yet, "
                "or the API server offers no services/proxy",
            )
        else:
            self._set_status("reconnecting", f"the Ray dashboard answered {status}")
        return status < 500

    def _monitor(self) -> None:
        # First probe at once (so the UI learns quickly whether the dashboard answers), then keep watching.
        while not self._stop.is_set():
            self.probe()
            self._stop.wait(self.probe_interval)


class _ProxyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, forward: ServicePortForward) -> None:
        self.forward = forward
        super().__init__(address, handler)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def log_message(self, format: str, *args: Any) -> None:
        return  # a TUI owns the terminal: no request logging to stderr

    def _proxy(self) -> None:
        forward = self.server.forward
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {key: value for key, value in self.headers.items()}
        path = self.path if self.path.startswith("/") else "/" + self.path
        try:
            upstream = forward.request(self.command, path, headers, body)
        except Exception as exc:
            message = f"raywizard port-forward: upstream unreachable ({type(exc).__name__})\n".encode()
            self.send_response(502)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return
        try:
            data = upstream.read(decode_content=False)
        finally:
            upstream.release_conn()
        self.send_response(upstream.status)
        for key, value in upstream.headers.items():
            if key.lower() not in _HOP_HEADERS:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _proxy
