"""The GitOps round trip on the sandbox, as a user runs it: commit the guide's Applications to a clone and push,
create the parent with `raywizard root --apply`, change a field with a second commit, and find a direct apply
refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from raywizard.cli import main as cli
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import APPS, app_status
from tests.cluster.gitops_helpers import Repos, git, make_repos
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

CHILDREN = ["ray-operator-crds", "ray-operator", "raycluster"]
RAYCLUSTERS = "rayclusters.ray.io"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SandboxCluster, Repos]]:
    repos = make_repos(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    with running_sandbox(speed=50) as cluster:
        cluster.write_kubeconfig(tmp_path / "kubeconfig")
        yield cluster, repos


def run(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([*args, "--kubeconfig", str(cluster.kubeconfig_path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def parent_status(cluster: SandboxCluster) -> dict[str, Any]:
    return dict((cluster.store.get(APPS, "argocd", "ray-root") or {}).get("status") or {})


def standard_worker(cluster: SandboxCluster) -> dict[str, Any]:
    rc = cluster.store.get(RAYCLUSTERS, "ray-cluster", "raycluster-kuberay") or {}
    groups = (rc.get("spec") or {}).get("workerGroupSpecs") or []
    return next((g for g in groups if g.get("groupName") == "standard-worker"), {})


def test_commit_root_change_and_refused_apply(world: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cluster, repos = world
    clone = str(repos.clone)
    code, _out, err = run(cluster, capsys, "commit", "--preset", "argocd-guide", "--repo", clone, "--path", "ray",
                          "--push")
    assert code == 0, err
    first = repos.head()

    code, out, err = run(cluster, capsys, "root", "--repo-url", repos.url, "--path", "ray", "--name", "ray-root",
                         "--apply", "--yes", "--timeout", "240")
    assert code == 0, err
    assert "kind: Application" in out and f"repoURL: {repos.url}" in out
    assert f"ray-root and its Applications at {first[:7]}; RayCluster raycluster-kuberay ready" in err
    for name in ["ray-root", *CHILDREN]:
        assert app_status(cluster, name) == ("Synced", "Healthy"), name
    assert parent_status(cluster)["sync"]["revision"] == first
    assert parent_status(cluster)["operationState"]["syncResult"]["revision"] == first
    assert (cluster.store.get(RAYCLUSTERS, "ray-cluster", "raycluster-kuberay")["status"]["state"]) == "ready"
    assert standard_worker(cluster)["maxReplicas"] == 200

    code, _out, err = run(cluster, capsys, "commit", "--repo", clone, "--path", "ray",
                          "--set", "workerGroups.standard-worker.maxReplicas=8", "--push")
    assert code == 0, err
    second = repos.head()
    assert second != first
    assert git(repos.bare, "log", "-1", "--format=%s", "main").strip() == (
        "raycluster: standard-worker maxReplicas 200 → 8")
    code, _out, err = run(cluster, capsys, "refresh", "ray-root")
    assert code == 0, err
    wait_for(lambda: standard_worker(cluster).get("maxReplicas") == 8, timeout=120, what="maxReplicas 8 live")
    wait_for(lambda: parent_status(cluster).get("sync", {}).get("revision") == second, what="ray-root at the commit")
    wait_for(lambda: ((parent_status(cluster).get("operationState") or {}).get("syncResult") or {}).get(
        "revision") == second, what="ray-root synced to the new commit")

    code, _out, err = run(cluster, capsys, "apply", "--preset", "argocd-guide", "--yes")
    assert code == 1
    assert "managed by Application ray-root" in err and "raywizard commit" in err


def test_commit_wait_follows_the_parent_to_the_pushed_commit(world: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cluster, repos = world
    clone = str(repos.clone)
    code, _out, err = run(cluster, capsys, "commit", "--preset", "argocd-guide", "--repo", clone, "--path", "ray",
                          "--push")
    assert code == 0, err
    code, _out, err = run(cluster, capsys, "commit", "--repo", clone, "--path", "ray", "--wait")
    assert code == 2 and "--wait follows a pushed commit" in err
    # Without a parent, --wait says how to make one (after the commit is pushed).
    code, _out, err = run(cluster, capsys, "commit", "--repo", clone, "--path", "ray", "--push", "--wait",
                          "--set", "workerGroups.standard-worker.maxReplicas=50")
    assert code == 2 and "no parent Application manages" in err and "raywizard root" in err
    code, _out, err = run(cluster, capsys, "root", "--repo-url", repos.url, "--path", "ray", "--apply", "--yes",
                          "--timeout", "240")
    assert code == 0, err
    code, _out, err = run(cluster, capsys, "commit", "--repo", clone, "--path", "ray", "--push", "--wait",
                          "--timeout", "240", "--set", "workerGroups.standard-worker.maxReplicas=8")
    assert code == 0, err
    sha = repos.head()
    assert "Application argocd/ray-root: refresh requested" in err
    assert f"ray-root and its Applications at {sha[:7]}; RayCluster raycluster-kuberay ready" in err
    assert standard_worker(cluster)["maxReplicas"] == 8
