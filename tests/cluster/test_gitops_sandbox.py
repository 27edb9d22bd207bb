"""The sandbox's Argo CD syncs from a local git repository (file://), read with the real git CLI.

A parent Application (app of apps) over a directory of the guide's three Applications: revisions resolved to
commit SHAs, children created, updated on a pushed change (seen on a refresh or on the 180 s poll), pruned when
their file goes, tracking ids written on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import APPS, app_status, guide_apps
from tests.cluster.gitops_helpers import Repos, git, make_repos
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

TRACKING = "argocd.argoproj.io/tracking-id"


def _parent(url: str, revision: str = "main", **source: Any) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "ray-root", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
            "source": {"repoURL": url, "targetRevision": revision, "path": "ray", **source},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
        },
    }


def _push_children(repos: Repos, apps: list[dict[str, Any]] | None = None, message: str = "Ray apps") -> str:
    for app in apps or guide_apps():
        relative = f"ray/{app['metadata']['name']}.yaml"
        (repos.clone / relative).parent.mkdir(parents=True, exist_ok=True)
        (repos.clone / relative).write_text(yaml.safe_dump(app, sort_keys=False), encoding="utf-8")
        git(repos.clone, "add", relative)
    git(repos.clone, "commit", "-q", "-m", message)
    git(repos.clone, "push", "-q", "origin", "main")
    return repos.head()


def _status(cluster: SandboxCluster, name: str) -> dict[str, Any]:
    return dict((cluster.store.get(APPS, "argocd", name) or {}).get("status") or {})


def _all_synced(cluster: SandboxCluster, names: list[str]) -> bool:
    return all(app_status(cluster, n) == ("Synced", "Healthy") for n in names)


CHILDREN = ["ray-operator-crds", "ray-operator", "raycluster"]


@pytest.fixture
def repos(tmp_path: Path) -> Repos:
    return make_repos(tmp_path)


def test_parent_creates_children_at_the_resolved_commit(repos: Repos) -> None:
    sha = _push_children(repos)
    with running_sandbox(speed=50) as cluster:
        cluster.store.create(APPS, _parent(repos.url))
        wait_for(lambda: _all_synced(cluster, ["ray-root", *CHILDREN]), timeout=60, what="four Synced/Healthy apps")
        status = _status(cluster, "ray-root")
        assert status["sync"]["revision"] == sha
        assert status["sourceType"] == "Directory"
        wait_for(lambda: (_status(cluster, "ray-root").get("operationState") or {}).get("phase") == "Succeeded")
        assert _status(cluster, "ray-root")["operationState"]["syncResult"]["revision"] == sha
        child = cluster.store.get(APPS, "argocd", "raycluster")
        assert child["metadata"]["annotations"][TRACKING] == "ray-root:argoproj.io/Application:argocd/raycluster"
        wait_for(
            lambda: ((cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay") or {}).get(
                "status"
            ) or {}).get("state") == "ready",
            timeout=60,
            what="RayCluster ready",
        )


def test_a_push_is_seen_on_refresh_and_children_follow(repos: Repos) -> None:
    first = _push_children(repos)
    with running_sandbox(speed=20) as cluster:
        cluster.store.create(APPS, _parent(repos.url))
        wait_for(lambda: _all_synced(cluster, ["ray-root", *CHILDREN]), timeout=60, what="synced")
        apps = guide_apps()
        groups = apps[2]["spec"]["source"]["helm"]["valuesObject"]["additionalWorkerGroups"]
        first_group = next(iter(groups))
        groups[first_group]["maxReplicas"] = 7
        second = _push_children(repos, apps[2:], "raycluster: maxReplicas 7")
        # Before a refresh or a poll the new commit is not looked at.
        assert _status(cluster, "ray-root")["sync"]["revision"] == first
        cluster.store.patch(
            APPS, "argocd", "ray-root", {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}}, "merge"
        )
        wait_for(lambda: _status(cluster, "ray-root").get("sync", {}).get("revision") == second, what="new revision")

        def child_max() -> Any:
            child = cluster.store.get(APPS, "argocd", "raycluster") or {}
            values = child["spec"]["source"]["helm"]["valuesObject"]["additionalWorkerGroups"]
            return values[first_group]["maxReplicas"] == 7

        wait_for(child_max, timeout=30, what="child Application updated by the parent")


def test_the_poll_picks_up_a_push_without_a_refresh(repos: Repos) -> None:
    _push_children(repos, guide_apps()[:1])
    with running_sandbox(speed=100) as cluster:  # 180 s poll = 1.8 s
        cluster.store.create(APPS, _parent(repos.url))
        wait_for(lambda: cluster.store.get(APPS, "argocd", "ray-operator-crds"), timeout=30, what="first child")
        second = _push_children(repos, guide_apps()[1:2], "operator")
        wait_for(lambda: _status(cluster, "ray-root").get("sync", {}).get("revision") == second, timeout=30)
        wait_for(lambda: cluster.store.get(APPS, "argocd", "ray-operator"), timeout=30, what="second child")


def test_a_removed_file_prunes_its_child_and_a_tag_or_sha_resolves(repos: Repos) -> None:
    sha = _push_children(repos, guide_apps()[:2])
    git(repos.clone, "tag", "v1")
    git(repos.clone, "push", "-q", "origin", "v1")
    git(repos.clone, "rm", "-q", "ray/ray-operator.yaml")
    git(repos.clone, "commit", "-q", "-m", "drop the operator")
    git(repos.clone, "push", "-q", "origin", "main")
    with running_sandbox(speed=50) as cluster:
        cluster.store.create(APPS, _parent(repos.url, revision="v1"))
        wait_for(lambda: cluster.store.get(APPS, "argocd", "ray-operator"), timeout=30, what="operator child")
        assert _status(cluster, "ray-root")["sync"]["revision"] == sha
        cluster.store.patch(APPS, "argocd", "ray-root", {"spec": {"source": {"targetRevision": "HEAD"}}}, "merge")
        wait_for(lambda: cluster.store.get(APPS, "argocd", "ray-operator") is None, timeout=30, what="pruned")
        cluster.store.patch(APPS, "argocd", "ray-root", {"spec": {"source": {"targetRevision": sha}}}, "merge")
        wait_for(lambda: cluster.store.get(APPS, "argocd", "ray-operator"), timeout=30, what="back at the SHA")


def test_unknown_revision_and_path_are_comparison_errors(repos: Repos) -> None:
    _push_children(repos, guide_apps()[:1])
    with running_sandbox(speed=50) as cluster:
        cluster.store.create(APPS, _parent(repos.url, revision="no-such-branch"))

        def condition() -> str:
            conditions = _status(cluster, "ray-root").get("conditions") or []
            return next((c["message"] for c in conditions if c["type"] == "ComparisonError"), "")

        assert "unable to resolve 'no-such-branch' to a commit SHA" in wait_for(condition)
        cluster.store.patch(
            APPS, "argocd", "ray-root", {"spec": {"source": {"targetRevision": "main", "path": "nope"}}}, "merge"
        )
        wait_for(lambda: "nope: app path does not exist" in condition(), what="missing path")


def test_directory_recurse(repos: Repos) -> None:
    app = guide_apps()[0]
    repos.commit_file("ray/nested/crds.yaml", yaml.safe_dump(app), "nested")
    with running_sandbox(speed=50) as cluster:
        cluster.store.create(APPS, _parent(repos.url))
        wait_for(lambda: _status(cluster, "ray-root").get("sync", {}).get("status") == "Synced", what="synced")
        assert cluster.store.get(APPS, "argocd", "ray-operator-crds") is None
        cluster.store.patch(
            APPS, "argocd", "ray-root", {"spec": {"source": {"directory": {"recurse": True}}}}, "merge"
        )
        wait_for(lambda: cluster.store.get(APPS, "argocd", "ray-operator-crds"), timeout=30, what="recursed")
