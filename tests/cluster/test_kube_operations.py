"""sync / refresh / delete / status / preflight / contexts / logs against a sandbox with the guide applied."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml

from raywizard.cli import main as cli
from raywizard.documents.presets import load_preset
from raywizard.kube import resources
from raywizard.kube.apply import execute_apply, plan_apply
from raywizard.kube.connection import Connection, list_contexts, load_connection
from raywizard.kube.operations import (
    CASCADE_FINALIZER,
    REFRESH_ANNOTATION,
    delete_applications,
    pod_logs,
    sync_application,
)
from raywizard.kube.resources import APPLICATIONS, RAYCLUSTERS
from raywizard.model.errors import ClusterError
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.cli_helpers import raywizard as run
from tests.waiting import wait_for


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("ops") / "kubeconfig")
    conn = load_connection(str(sandbox.kubeconfig_path))
    execute_apply(conn, plan_apply(conn, load_preset("argocd-guide")), timeout=120)
    conn.close()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def conn(cluster: SandboxCluster) -> Iterator[Connection]:
    connection = load_connection(str(cluster.kubeconfig_path))
    yield connection
    connection.close()
    cluster.resume_controllers()


def test_sync_sets_the_operation_with_copied_options_and_refuses_a_second(
    cluster: SandboxCluster, conn: Connection
) -> None:
    cluster.pause_controllers()
    sync_application(conn, "argocd", "ray-operator-crds", prune=True)
    app = resources.get_custom(conn, APPLICATIONS, "argocd", "ray-operator-crds")
    assert app is not None
    operation = app["operation"]
    assert operation["initiatedBy"] == {"username": "raywizard"}
    assert operation["sync"]["syncOptions"] == ["CreateNamespace=true", "Replace=true"]
    assert operation["sync"]["prune"] is True
    with pytest.raises(ClusterError, match="another operation is already in progress"):
        sync_application(conn, "argocd", "ray-operator-crds")
    cluster.resume_controllers()

    def finished():
        live = resources.get_custom(conn, APPLICATIONS, "argocd", "ray-operator-crds") or {}
        state = (live.get("status") or {}).get("operationState") or {}
        return not live.get("operation") and state.get("phase") == "Succeeded" and state

    state = wait_for(finished)
    assert state["operation"]["initiatedBy"] == {"username": "raywizard"}


def test_sync_and_refresh_commands(
    cluster: SandboxCluster, conn: Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(cluster, capsys, "refresh", "raycluster", "--hard")
    assert code == 0 and err.startswith("refresh on context raywizard-sandbox (http://127.0.0.1:")
    wait_for(
        lambda: (
            REFRESH_ANNOTATION
            not in (
                (resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster") or {})
                .get("metadata", {})
                .get("annotations")
                or {}
            )
        )
    )
    code, _, err = run(cluster, capsys, "sync", "ray-operator")
    assert code == 0 and "Application argocd/ray-operator: sync requested" in err
    code, _, err = run(cluster, capsys, "sync", "no-such-app")
    assert code == 2 and "Application argocd/no-such-app does not exist" in err


def test_status_json_yaml_and_tables(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(cluster, capsys, "status", "-o", "json")
    assert code == 0
    data = json.loads(out)
    assert {a["name"] for a in data["applications"]} == {"ray-operator-crds", "ray-operator", "raycluster"}
    assert data["raycluster"]["name"] == "raycluster-kuberay"
    assert data["raycluster"]["desired_workers"] == data["raycluster"]["available_workers"] >= 3
    assert [g["group"] for g in data["workerGroups"]] == [
        "standard-worker",
        "additional-worker-group1",
        "additional-worker-group2",
    ]
    assert any(p["node_type"] == "head" and p["status"] == "Running" for p in data["pods"])
    code, out, _ = run(cluster, capsys, "status", "-o", "yaml")
    assert code == 0 and yaml.safe_load(out)["raycluster"]["state"] == "ready"
    code, out, _ = run(cluster, capsys, "status")
    assert code == 0
    for title in ("Argo CD Applications", "RayCluster", "Worker groups", "Pods"):
        assert title in out


def test_cluster_strings_are_printed_literally(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    rc = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")
    assert rc is not None
    cluster.store.emit_event(
        namespace="ray-cluster",
        involved=rc,
        reason="Injected[bold]",
        message="[red]not markup[/red] \x1b[31mred\x1b[0m bell\x07 done",
        type="Warning",
        component="test",
    )
    code, out, _ = run(cluster, capsys, "status")
    assert code == 0
    flat = " ".join(out.split())
    assert "[red]not markup[/red]" in flat and "Injected[bold]" in flat
    assert "\x1b" not in out and "\x07" not in out and "\\x07" in out
    code, out, _ = run(cluster, capsys, "status", "-o", "json")
    warning = next(w for w in json.loads(out)["warnings"] if w["reason"] == "Injected[bold]")
    assert warning["message"].startswith("[red]not markup[/red]")


def test_preflight_contexts_and_health_check(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(cluster, capsys, "preflight", "--preset", "argocd-guide", "-o", "json")
    checks = json.loads(out)
    assert code == 0 and all(c["status"] == "ok" for c in checks), [c for c in checks if c["status"] != "ok"]
    existing = next(c for c in checks if c["name"] == "Application raycluster")
    assert "exists" in existing["detail"] and "raywizard" in existing["detail"]
    (context,) = list_contexts(str(cluster.kubeconfig_path))
    assert context.current and context.server == cluster.url and context.name == "raywizard-sandbox"
    code, out, _ = run(cluster, capsys, "contexts")
    assert code == 0 and "raywizard-sandbox" in out and cluster.token not in out
    capsys.readouterr()
    assert cli.main(["health-check"]) == 0
    assert "resource.customizations.health.ray.io_RayCluster" in capsys.readouterr().out


def test_pod_logs(conn: Connection) -> None:
    pods = resources.list_pods(conn, "ray-cluster", "ray.io/node-type=head")
    assert pods
    lines = list(pod_logs(conn, "ray-cluster", pods[0]["metadata"]["name"], container="ray-head", tail=5))
    assert 0 < len(lines) <= 5
    with pytest.raises(ClusterError, match="not found"):
        list(pod_logs(conn, "ray-cluster", "no-such-pod"))


def test_status_watch_follows_until_ctrl_c(cluster: SandboxCluster) -> None:
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig_path), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "raywizard", "status", "--watch", "-o", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    # Interrupt once the first snapshot is out (the watch is running), whatever the machine's load.
    lines: list[str] = []
    while not lines or lines[-1] not in ("}\n", ""):
        lines.append(process.stdout.readline())
    first = "".join(lines)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0 and "Traceback" not in err
    assert "applications" in json.loads(first)


def test_zz_delete_in_reverse_order_with_cascade(cluster: SandboxCluster, conn: Connection) -> None:
    messages: list[str] = []
    deleted = delete_applications(
        conn, load_preset("argocd-guide"), timeout=120, on_progress=messages.append, poll_interval=0.2
    )
    assert deleted == ["raycluster", "ray-operator", "ray-operator-crds"]
    assert any(CASCADE_FINALIZER in m for m in messages)
    assert resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster") is None
    assert resources.get_custom(conn, RAYCLUSTERS, "ray-cluster", "raycluster-kuberay") is None
    again = delete_applications(conn, load_preset("argocd-guide"), timeout=10)
    assert again == []
