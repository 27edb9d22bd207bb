"""The Ray head through a real port-forward: `raywizard forward`'s HeadPortForward (follows a replaced head, says
when a port is in use) and the autoscaler's view in `raywizard status -o json`, following the burst load."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from raywizard.cli import main as cli
from raywizard.kube.portforward import HeadPortForward, PortInUse, PortMapping, parse_ports
from raywizard.kube.rayhead import ray_insight
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import install_operator, raycluster_body, with_namespace
from tests.waiting import wait_for

RC = "rayclusters.ray.io"
NS = "ray-cluster"
NAME = "raycluster-kuberay"


@pytest.fixture(scope="module")
def burst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    cluster = SandboxCluster(speed=20.0).start()
    cluster.write_kubeconfig(tmp_path_factory.mktemp("ray-insight") / "kubeconfig")
    install_operator(cluster)
    with_namespace(cluster, NS)
    body = raycluster_body(NAME, NS, maxReplicas=3)
    body["spec"]["enableInTreeAutoscaling"] = True
    cluster.store.create(RC, body)
    wait_for(lambda: _head(cluster), what="a running head")
    cluster.set_load("burst")
    yield cluster
    cluster.stop()


def _head(cluster: SandboxCluster) -> str:
    for pod in cluster.store.list("pods", NS, label_selector="ray.io/node-type=head"):
        if (pod.get("status") or {}).get("phase") == "Running" and not pod["metadata"].get("deletionTimestamp"):
            return str(pod["metadata"]["name"])
    return ""


@pytest.fixture
def api(burst: SandboxCluster) -> Iterator[Any]:
    from kubernetes import config

    client = config.new_client_from_config(str(burst.kubeconfig_path))
    yield client
    client.close()


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_forward_serves_the_dashboard_api_and_follows_a_replaced_head(burst: SandboxCluster, api: Any) -> None:
    states: list[str] = []
    forward = HeadPortForward(api, NS, NAME, [PortMapping(0, 8265)], on_status=lambda s: states.append(s.state))
    with forward:
        url = forward.url
        assert _get_json(url + "api/version")["ray_version"] == "2.46.0"
        document = _get_json(url + "api/cluster_status")
        assert document["result"] is True and "autoscalerReport" in document["data"]["clusterStatus"]
        wait_for(lambda: forward.status.state == "live", what="live")
        old = forward.head_pod
        burst.store.delete("pods", NS, old)  # KubeRay recreates the head under a new name
        wait_for(lambda: _head(burst) not in ("", old), what="a new head")

        def answers() -> bool:
            try:
                return _get_json(url + "api/version")["ray_version"] == "2.46.0"
            except OSError:
                return False

        wait_for(answers, what="the forward reaching the new head")
        assert forward.head_pod not in ("", old)
    assert states[0] == "starting" and states[-1] == "stopped"


def test_a_busy_local_port_is_a_clear_error(api: Any) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        forward = HeadPortForward(api, NS, NAME, [PortMapping(0, 8265), PortMapping(port, 10001)])
        with pytest.raises(PortInUse, match=f"port {port} is in use on 127.0.0.1"):
            forward.start()
        assert forward.bound == []  # all or nothing: the free port was let go again


def test_ports_flag_parsing() -> None:
    assert parse_ports("8265,18000:8000") == [PortMapping(8265, 8265), PortMapping(18000, 8000)]
    with pytest.raises(Exception, match="LOCAL:REMOTE"):
        parse_ports("dashboard")


def test_status_json_follows_the_burst(burst: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["status", "--namespace", NS, "-o", "json", "--kubeconfig", str(burst.kubeconfig_path)]

    def autoscaler() -> dict[str, Any]:
        capsys.readouterr()
        assert cli.main(args) == 0
        ray = json.loads(capsys.readouterr().out)["ray"]
        assert ray["reachable"], ray
        return dict(ray["autoscaler"])

    # during a spike: eight more workers wanted, the group stops at maxReplicas 3, and nobody offers GPUs
    def in_spike() -> dict[str, Any] | None:
        view = autoscaler()
        reasons = {d["reason"] for d in view["pendingDemands"]}
        return view if "no group offers GPU" in reasons and "at maxReplicas (workers)" in reasons else None

    view = wait_for(in_spike, timeout=60, what="the burst's pending demands")
    gpu = next(d for d in view["pendingDemands"] if d["reason"] == "no group offers GPU")
    assert gpu == {"resources": {"GPU": 1.0}, "count": 4, "reason": "no group offers GPU"}
    assert set(view) >= {"pendingDemands", "pendingNodes", "failedNodes", "groups"}
    assert "workers" in view["groups"]
    # and between spikes the demands are gone
    wait_for(lambda: not autoscaler()["pendingDemands"], timeout=60, what="the demands to clear")


def test_insight_says_why_the_head_cannot_be_asked(burst: SandboxCluster, api: Any) -> None:
    insight = ray_insight(api, "nowhere", {"metadata": {"name": "ghost"}})
    assert not insight.reachable and insight.message == "Ray head not reachable (no running head pod)"
    assert insight.as_dict()["autoscaler"] is None
