"""pods/portforward on the sandbox, used the way users use it: the kubernetes client's websocket portforward and
real ``kubectl port-forward svc/...`` (WebSocket-tunnelled SPDY and plain SPDY), reaching the simulated Ray
head's dashboard API behind 8265."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import install_operator, raycluster_body, with_namespace
from tests.waiting import wait_for

RC = "rayclusters.ray.io"
NAMESPACE = "pf-ray"


def _head(cluster: SandboxCluster, namespace: str) -> dict[str, Any] | None:
    for pod in cluster.store.list("pods", namespace, label_selector="ray.io/node-type=head"):
        conditions = (pod.get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
            return pod
    return None


@pytest.fixture(scope="module")
def ray_head(sandbox: SandboxCluster) -> dict[str, Any]:
    install_operator(sandbox)
    namespace = with_namespace(sandbox, NAMESPACE)
    if sandbox.store.get(RC, namespace, "raycluster-kuberay") is None:
        body = raycluster_body("raycluster-kuberay", namespace)
        body["spec"]["enableInTreeAutoscaling"] = True
        sandbox.store.create(RC, body)
    return wait_for(lambda: _head(sandbox, namespace), what="a ready head pod")


def _client_forward(kube_api: Any, pod: dict[str, Any], port: int) -> Any:
    from kubernetes import client
    from kubernetes.stream import portforward

    core = client.CoreV1Api(kube_api)
    return portforward(core.connect_get_namespaced_pod_portforward, pod["metadata"]["name"], NAMESPACE, ports=str(port))


def _get(sock: Any, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1")
    connection.sock = sock
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def test_kubernetes_client_portforward_reaches_the_ray_dashboard_api(kube_api: Any, ray_head: dict[str, Any]) -> None:
    forward = _client_forward(kube_api, ray_head, 8265)
    try:
        sock = forward.socket(8265)
        sock.setblocking(True)
        status, body = _get(sock, "/api/version")
        assert status == 200
        version = json.loads(body)
        assert set(version) == {"version", "ray_version", "ray_commit", "session_name"}
        assert version["ray_version"] == "2.46.0"
        status, body = _get(sock, "/api/cluster_status")
        document = json.loads(body)
        assert status == 200 and document["result"] is True and document["msg"] == "Got cluster status."
        data = document["data"]
        assert set(data) == {"autoscalingStatus", "autoscalingError", "clusterStatus"}
        assert data["autoscalingStatus"].startswith("======== Autoscaler status: ")
        assert "Healthy:\n 1 headgroup" in data["autoscalingStatus"]
        report = data["clusterStatus"]["autoscalerReport"]
        # keys camel-cased, group names (dict keys) too, list items untouched, as the dashboard's REST layer does
        assert {"activeNodes", "pendingNodes", "pendingLaunches", "failedNodes", "idleNodes"} <= set(report)
        assert report["activeNodes"]["headgroup"] == 1
        assert isinstance(data["clusterStatus"]["loadMetricsReport"]["resourceDemand"], list)
        status, body = _get(sock, "/no/such/page")
        assert (status, body) == (404, b"404: Not Found")
    finally:
        forward.close()


def test_a_port_nothing_listens_on_reports_on_the_error_channel(kube_api: Any, ray_head: dict[str, Any]) -> None:
    forward = _client_forward(kube_api, ray_head, 9999)
    try:
        sock = forward.socket(9999)
        sock.setblocking(True)
        assert sock.recv(10) == b""  # closed once the error arrives
        error = wait_for(lambda: forward.error(9999), what="the error channel")
        assert "connect: connection refused" in error and "9999" in error
    finally:
        forward.close()


def test_portforward_to_a_missing_pod_is_a_404(kube_api: Any, ray_head: dict[str, Any]) -> None:
    from kubernetes.client.exceptions import ApiException

    with pytest.raises(ApiException) as caught:
        _client_forward(kube_api, {"metadata": {"name": "nope"}}, 8265)
    assert "404" in str(caught.value)  # the client reports the failed handshake's status in the reason


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def kubectl_env(sandbox: SandboxCluster) -> Iterator[dict[str, str]]:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not on PATH")
    sandbox.allow_anonymous = True  # kubectl sends no token over plain http
    assert sandbox.kubeconfig_path is not None
    yield {
        **os.environ,
        "KUBECONFIG": str(sandbox.kubeconfig_path),
        "KUBECACHEDIR": str(Path(sandbox.kubeconfig_path).parent / "cache"),
    }


@pytest.mark.parametrize("websockets", ["true", "false"], ids=["websocket-tunnel", "spdy"])
def test_kubectl_port_forward_service_serves_the_dashboard_api(
    kubectl_env: dict[str, str], ray_head: dict[str, Any], websockets: str
) -> None:
    port = _free_port()
    env = {**kubectl_env, "KUBECTL_PORT_FORWARD_WEBSOCKETS": websockets}
    args = ["kubectl", "port-forward", "-n", NAMESPACE, "svc/raycluster-kuberay-head-svc", f"{port}:8265"]
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"Forwarding from 127.0.0.1:{port} -> 8265" in line, line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/cluster_status", timeout=10) as response:
            document = json.loads(response.read())
        assert document["result"] is True and "clusterStatus" in document["data"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/version", timeout=10) as response:
            assert json.loads(response.read())["ray_version"] == "2.46.0"
    finally:
        process.terminate()
        process.communicate(timeout=10)
