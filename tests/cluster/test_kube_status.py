"""`raywizard status` against a sandbox with the guide applied: names are never cut, plain columns when
piped, Rich tables on a terminal whose other columns give way instead."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest

from raywizard.cli import main as cli
from raywizard.cli.commands.status import load_state, render_plain, render_tables
from raywizard.kube.connection import load_connection
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.cli_helpers import SERVER_NOISE

RELEASE = "a-rather-long-release-name-for-copy-paste"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("status") / "kubeconfig")
    code = cli.main(
        [
            "apply",
            "--preset",
            "argocd-guide",
            "--set",
            f"target.releaseName={RELEASE}",
            "--yes",
            "--kubeconfig",
            str(sandbox.kubeconfig_path),
        ]
    )
    assert code == 0
    yield sandbox
    sandbox.stop()


def names(cluster: SandboxCluster) -> list[str]:
    pods = cluster.store.list("pods", "ray-cluster")
    items = pods["items"] if isinstance(pods, dict) else pods
    return [p["metadata"]["name"] for p in items]


def test_piped_status_is_plain_columns_with_whole_names(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    args = ["status", "--set", f"target.releaseName={RELEASE}", "--kubeconfig", str(cluster.kubeconfig_path)]
    assert cli.main(args) == 0
    out = SERVER_NOISE.sub("", capsys.readouterr().out)
    assert not set(out) & set("│┃━─╭╮╰╯┏┓┗┛…"), out
    assert all(line == line.rstrip() for line in out.splitlines())
    pod_names = names(cluster)
    assert len(pod_names) >= 4
    for name in pod_names:
        assert re.search(rf"^{re.escape(name)}\s", out, re.M), name
    header = next(line for line in out.splitlines() if line.startswith("NAME") and "RESTARTS" in line)
    assert header.split() == ["NAME", "GROUP", "READY", "STATUS", "RESTARTS", "AGE", "NODE", "REASON"]


@pytest.mark.parametrize("width", [80, 120])
def test_terminal_tables_never_cut_names(cluster: SandboxCluster, width: int) -> None:
    from rich.console import Console

    conn = load_connection(str(cluster.kubeconfig_path))
    try:
        snap = load_state(conn, "argocd", "ray-cluster").snapshot()
    finally:
        conn.close()
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=True, no_color=True).print(render_tables(snap, width=width))
    out = buffer.getvalue()
    rc_name = next(iter(snap.rayclusters.values()))["metadata"]["name"]
    pod_names = [p["metadata"]["name"] for p in snap.pods.values()]
    assert len(pod_names) >= 4
    for name in [rc_name, *pod_names]:
        assert name in out, (name, out)
    assert "…" not in out
    if width == 80:  # too narrow for every column: whole columns are hidden, and said so
        assert "hidden at this width" in out
    assert render_plain(snap).count(rc_name) >= 1


def test_status_without_argo_cd_says_why_it_is_empty(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty table is not the same as "Argo CD is not installed"."""
    bare = SandboxCluster(argocd=False, controllers=False).start()
    try:
        bare.write_kubeconfig(tmp_path / "kubeconfig")
        capsys.readouterr()
        assert cli.main(["status", "--kubeconfig", str(bare.kubeconfig_path)]) == 0
        out = capsys.readouterr().out
    finally:
        bare.stop()
    assert "Argo CD Applications: none (Argo CD Applications are not installed)" in out
    assert "RayCluster: none (the RayCluster CRD is not installed yet)" in out
