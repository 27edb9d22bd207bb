"""Changes that running pods miss: after a group's template changes, status names the pods still on the old
template, and `raywizard restart GROUP` (with its confirmation) gets them recreated from the new one."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from raywizard.cli import main as cli
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import install_operator, raycluster_body, with_namespace
from tests.waiting import wait_for

RC = "rayclusters.ray.io"
NS = "ray-cluster"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("drift") / "kubeconfig")
    install_operator(sandbox)
    with_namespace(sandbox, NS)
    sandbox.store.create(RC, raycluster_body("rc", NS, replicas=2, minReplicas=2))
    yield sandbox
    sandbox.stop()


def _workers(cluster: SandboxCluster) -> list[str]:
    pods = cluster.store.list("pods", NS, label_selector="ray.io/group=workers")
    return sorted(
        p["metadata"]["name"]
        for p in pods
        if (p.get("status") or {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    )


def _stale(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert cli.main(["status", "--namespace", NS, "-o", "json", "--kubeconfig", str(cluster.kubeconfig_path)]) == 0
    return list(json.loads(capsys.readouterr().out)["staleTemplates"])


def test_old_template_count_and_restart(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    old = wait_for(lambda: _workers(cluster) if len(_workers(cluster)) == 2 else None, what="two workers")
    assert _stale(cluster, capsys) == []
    limits = {"limits": {"cpu": "2", "memory": "1G"}, "requests": {"cpu": "2", "memory": "1G"}}
    patch = [
        {"op": "replace", "path": "/spec/workerGroupSpecs/0/template/spec/containers/0/resources", "value": limits}
    ]
    cluster.store.patch(RC, NS, "rc", patch, "json")
    stale = _stale(cluster, capsys)
    assert stale == [{"raycluster": "rc", "group": "workers", "stale": old, "total": 2}]
    assert _workers(cluster) == old  # KubeRay leaves them running

    capsys.readouterr()
    args = ["restart", "workers", "--namespace", NS, "--yes", "--kubeconfig", str(cluster.kubeconfig_path)]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert "2 of 2 running pods of workers still run the old template" in captured.err
    assert "ray-worker resources.limits.cpu: 1 -> 2" in captured.err
    assert "deleted 2 pod(s) of workers; KubeRay recreates them" in captured.out
    wait_for(
        lambda: len(_workers(cluster)) == 2 and not set(_workers(cluster)) & set(old) and not _stale(cluster, capsys),
        timeout=60,
        what="two new workers on the new template",
    )


def test_restart_without_yes_and_without_a_terminal_refuses(cluster: SandboxCluster) -> None:
    args = ["restart", "workers", "--namespace", NS, "--kubeconfig", str(cluster.kubeconfig_path)]
    assert cli.main(args) != 0
