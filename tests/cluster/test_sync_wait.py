"""`raywizard sync --wait` / `refresh --wait` against a sandbox: they wait for Argo CD, print the result like
`argocd app sync`, and exit 1 when the operation failed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from raywizard.cli import main as cli
from raywizard.documents.presets import load_preset
from raywizard.kube import resources
from raywizard.kube.apply import execute_apply, plan_apply
from raywizard.kube.connection import load_connection
from raywizard.kube.resources import APPLICATIONS
from raywizard.sandbox.cluster import SandboxCluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("sync-wait") / "kubeconfig")
    conn = load_connection(str(sandbox.kubeconfig_path))
    execute_apply(conn, plan_apply(conn, load_preset("argocd-guide")), timeout=120)
    conn.close()
    yield sandbox
    sandbox.stop()


def run(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([*args, "--kubeconfig", str(cluster.kubeconfig_path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_sync_wait_reports_the_operation_and_its_resources(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(cluster, capsys, "sync", "ray-operator", "--wait", "--timeout", "60")
    assert code == 0, err
    assert "Application argocd/ray-operator: sync requested" in err
    lines = out.splitlines()
    assert "Name:               argocd/ray-operator" in lines
    assert any(line.startswith("Sync Status:        Synced to ") for line in lines)
    assert "Phase:              Succeeded" in lines
    assert any(line.startswith("Message:            successfully synced") for line in lines)
    header = next(line for line in lines if line.startswith("GROUP"))
    assert header.split() == ["GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOK", "MESSAGE"]
    assert any(" Deployment " in line and " Synced " in line for line in lines)


def test_sync_wait_exits_1_when_the_operation_fails(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = load_connection(str(cluster.kubeconfig_path))
    bad = {"spec": {"source": {"targetRevision": "no-such-tag"}}}
    resources.patch_custom(conn, APPLICATIONS, "argocd", "ray-operator", bad)
    try:
        code, out, err = run(cluster, capsys, "sync", "ray-operator", "--wait", "--timeout", "60")
    finally:
        good = {"spec": {"source": {"targetRevision": "v1.5.1"}}}
        resources.patch_custom(conn, APPLICATIONS, "argocd", "ray-operator", good)
        conn.close()
    assert code == 1
    assert "Phase:              Error" in out.splitlines() or "Phase:              Failed" in out.splitlines()
    assert "no-such-tag" in out
    assert "operation completed with a failure: ray-operator" in err


def test_refresh_wait_reports_the_comparison(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(cluster, capsys, "refresh", "raycluster", "--wait", "--timeout", "60")
    assert code == 0, err
    lines = out.splitlines()
    assert "Name:               argocd/raycluster" in lines
    assert any(line.startswith("Compared At:") and line.split(":", 1)[1].strip() for line in lines)
