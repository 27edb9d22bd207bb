"""The Ray dashboard forward: a local URL that reaches the head service through the API server's service proxy,
with the kubeconfig's credentials, and that recovers when the API server drops and comes back.

The embedded sandbox has no ``services/proxy`` route, so the API server here is a tiny stand-in that serves
only that route (checking the bearer token) with a stub Ray dashboard behind it.
"""

from __future__ import annotations

import http.server
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from raywizard.kube.portforward import ServicePortForward, service_proxy_path

TOKEN = "s3cret-token"
PROXY = service_proxy_path("ray-cluster", "raycluster-kuberay-head-svc", 8265)


class _StandIn(http.server.BaseHTTPRequestHandler):
    # One request per connection, so that stopping the server really cuts the forward off (as a restart does).
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._reply(401, b'{"kind":"Status","code":401}', "application/json")
        elif self.path.startswith(PROXY + "/"):
            rest = self.path[len(PROXY) :]
            if rest.startswith("/api/version"):
                self._reply(200, b'{"ray_version": "2.46.0"}', "application/json")
            else:
                self._reply(200, b"<html><title>Ray Dashboard</title></html>", "text/html")
        else:
            self._reply(404, b'{"kind":"Status","code":404}', "application/json")

    def _reply(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class StandInApiServer:
    def __init__(self) -> None:
        self.port = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> None:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), _StandIn)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def api_server() -> Iterator[StandInApiServer]:
    server = StandInApiServer()
    server.start()
    yield server
    server.stop()


def api_client(port: int) -> Any:
    from kubernetes import client

    configuration = client.Configuration()
    configuration.host = f"http://127.0.0.1:{port}"
    configuration.api_key = {"authorization": TOKEN}
    configuration.api_key_prefix = {"authorization": "Bearer"}
    return client.ApiClient(configuration)


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_forwards_with_credentials_and_reconnects(api_server: StandInApiServer) -> None:
    states: list[str] = []
    forward = ServicePortForward(
        api_client(api_server.port),
        "ray-cluster",
        "raycluster-kuberay-head-svc",
        local_port=0,
        on_status=lambda status: states.append(status.state),
        probe_interval=0.1,
        retries=0,
    )
    with forward:
        url = forward.url
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/version", timeout=5) as response:
            assert response.read() == b'{"ray_version": "2.46.0"}'
        with urllib.request.urlopen(url, timeout=5) as response:
            assert b"Ray Dashboard" in response.read()
        wait_for(lambda: forward.status.state == "live")

        api_server.stop()  # the API server goes away: the forward says so, and keeps its local URL
        wait_for(lambda: forward.status.state == "reconnecting")
        try:
            urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 502
        else:  # pragma: no cover
            raise AssertionError("expected a 502 while the API server is down")

        api_server.start()  # same port: back to live without a new forward
        wait_for(lambda: forward.status.state == "live")
        with urllib.request.urlopen(url + "api/version", timeout=5) as response:
            assert response.status == 200
    assert states[0] == "starting" and "reconnecting" in states and states[-1] == "stopped"


def test_a_missing_service_proxy_is_reported(api_server: StandInApiServer) -> None:
    forward = ServicePortForward(
        api_client(api_server.port), "ray-cluster", "other-svc", local_port=0, probe_interval=0.1
    )
    with forward:
        wait_for(lambda: forward.status.state == "error")
        assert "404" in forward.status.message
