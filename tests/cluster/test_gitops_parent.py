"""Applications managed by a parent Application (app of apps): diff and apply say so, apply refuses to write
them directly (exit 1, naming the parent and saying to commit instead), --force applies and says it is reverted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from raywizard.cli import main as cli
from raywizard.kube import views
from raywizard.kube.state import object_key
from raywizard.kube.tracking import parse_tracking_id, tracked_parent
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import APPS, app_status, guide_apps
from tests.cluster.gitops_helpers import Repos, git, make_repos
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

CHILDREN = ["ray-operator-crds", "ray-operator", "raycluster"]


def parent_app(url: str, *, self_heal: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "ray-root", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "argocd"},
            "source": {"repoURL": url, "targetRevision": "main", "path": "ray"},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": self_heal}},
        },
    }


def push_guide(repos: Repos) -> str:
    for app in guide_apps():
        relative = f"ray/{app['metadata']['name']}.yaml"
        (repos.clone / "ray").mkdir(exist_ok=True)
        (repos.clone / relative).write_text(yaml.safe_dump(app, sort_keys=False), encoding="utf-8")
        git(repos.clone, "add", relative)
    git(repos.clone, "commit", "-q", "-m", "Ray apps")
    git(repos.clone, "push", "-q", "origin", "main")
    return repos.head()


@pytest.fixture(scope="module")
def managed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxCluster, Repos, str]]:
    tmp = tmp_path_factory.mktemp("parent")
    repos = make_repos(tmp)
    sha = push_guide(repos)
    with running_sandbox(speed=50) as cluster:
        cluster.write_kubeconfig(tmp / "kubeconfig")
        cluster.store.create(APPS, parent_app(repos.url))
        wait_for(lambda: all(app_status(cluster, n)[0] == "Synced" for n in ["ray-root", *CHILDREN]), timeout=90,
                 what="parent and children synced")
        yield cluster, repos, sha


def run(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([*args, "--kubeconfig", str(cluster.kubeconfig_path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_diff_names_the_parent_with_repo_path_and_revision(managed: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cluster, repos, sha = managed
    _code, _out, err = run(cluster, capsys, "diff", "--preset", "argocd-guide")
    expected = f"managed by Application ray-root ({repos.url}, path ray, revision main at {sha[:7]})"
    for child in CHILDREN:
        assert f"Application {child}: {expected}" in err
    _code, out, _ = run(cluster, capsys, "diff", "--preset", "argocd-guide", "-o", "json")
    import json

    managed_by = json.loads(out)["managedBy"]
    assert managed_by["raycluster"]["name"] == "ray-root"
    assert managed_by["raycluster"]["revision"] == sha
    assert managed_by["raycluster"]["tracking"] == "annotation"


def test_apply_refuses_and_says_to_commit(managed: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cluster, _repos, _sha = managed
    code, _out, err = run(cluster, capsys, "apply", "--preset", "argocd-guide", "--yes",
                          "--set", "workerGroups.standard-worker.maxReplicas=9")
    assert code == 1
    assert "not applied: Application(s) ray-operator, ray-operator-crds, raycluster are managed by Application " \
           "ray-root" in err
    assert "selfHeal" in err
    assert "raywizard commit --repo <your clone> --path ray --push" in err
    assert "--force" in err
    groups = cluster.store.get(APPS, "argocd", "raycluster")["spec"]["source"]["helm"]["valuesObject"][
        "additionalWorkerGroups"]
    assert all(group.get("maxReplicas") != 9 for group in groups.values())


def test_apply_force_writes_and_warns_it_will_be_reverted(managed: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cluster, _repos, _sha = managed
    code, _out, err = run(cluster, capsys, "apply", "--preset", "argocd-guide", "--yes", "--force", "--no-wait",
                          "--set", "workerGroups.standard-worker.maxReplicas=9")
    assert code == 0, err
    assert "warning: applying anyway (--force); ray-root syncs with selfHeal, so it reverts a direct apply" in err

    def reverted() -> bool:
        app = cluster.store.get(APPS, "argocd", "raycluster") or {}
        groups = app["spec"]["source"]["helm"]["valuesObject"]["additionalWorkerGroups"]
        return all(group.get("maxReplicas") != 9 for group in groups.values())

    # The parent self-heals: the direct write does not stay.
    wait_for(reverted, timeout=60, what="the parent reverting the direct apply")


def test_status_rows_carry_the_parent(managed: Any) -> None:
    cluster, repos, _sha = managed
    apps = {object_key(a): a for a in cluster.store.list(APPS, "argocd")}
    rows = {row.name: row for row in (views.application_row(a, apps) for a in apps.values())}
    assert rows["raycluster"].managed_by.startswith(f"managed by Application ray-root ({repos.url}, path ray")
    assert rows["ray-root"].managed_by == ""
    assert views.application_row(apps["argocd/raycluster"]).managed_by == "managed by Application ray-root"


def test_tracking_rules() -> None:
    assert parse_tracking_id("ray-root:argoproj.io/Application:argocd/raycluster") == (
        "ray-root", "argoproj.io", "Application", "argocd", "raycluster")
    assert parse_tracking_id("nonsense") is None

    def app(annotations: dict[str, str] | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:
        return {"metadata": {"name": "raycluster", "namespace": "argocd", "annotations": annotations or {},
                             "labels": labels or {}}}

    tid = "argocd.argoproj.io/tracking-id"
    assert tracked_parent(app({tid: "ray-root:argoproj.io/Application:argocd/raycluster"})) == (
        "argocd", "ray-root", "annotation")
    # An Application outside the control-plane namespace is named <namespace>_<name>.
    assert tracked_parent(app({tid: "team_root:argoproj.io/Application:argocd/raycluster"})) == (
        "team", "root", "annotation")
    # Copied from another object: not this Application's tracking.
    assert tracked_parent(app({tid: "ray-root:apps/Deployment:argocd/raycluster"})) is None
    assert tracked_parent(app(labels={"app.kubernetes.io/instance": "ray-root"})) == ("argocd", "ray-root", "label")
    assert tracked_parent(app(labels={"app.kubernetes.io/instance": "raycluster"})) is None
    assert tracked_parent(app()) is None


def test_the_label_counts_only_when_it_names_an_application() -> None:
    child = {"metadata": {"name": "raycluster", "namespace": "argocd",
                          "labels": {"app.kubernetes.io/instance": "my-release"}}}
    assert views.application_row(child, {"argocd/raycluster": child}).managed_by == ""


def test_status_names_the_parent(managed: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cluster, repos, sha = managed
    code, out, err = run(cluster, capsys, "status", "--preset", "argocd-guide")
    assert code == 0, err
    assert (f"ray-operator, ray-operator-crds, raycluster: managed by Application ray-root ({repos.url}, path ray, "
            f"revision main at {sha[:7]}); commit changes to its repository (raywizard commit)") in out
