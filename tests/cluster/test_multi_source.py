"""A multi-source RayCluster Application on the sandbox: the chart from the kuberay Helm repository plus a `ref`
source in a local git repository (file://) holding a value file. raywizard reads the value file, applies, waits,
and then diffs clean; the sandbox's Argo CD reports one revision and one source per entry of spec.sources."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from raywizard.cli import main as cli
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.controller_helpers import APPS
from tests.cluster.gitops_helpers import Repos, make_repos
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

VALUES = """\
image:
  repository: rayproject/ray
  tag: 2.44.1
worker:
  replicas: 1
"""


def _application(url: str) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "raycluster", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "ray-cluster"},
            "sources": [
                {"repoURL": "https://ray-project.github.io/kuberay-helm/", "chart": "ray-cluster",
                 "targetRevision": "1.5.1",
                 "helm": {"releaseName": "raycluster", "valueFiles": ["$values/ray/values.yaml"],
                          "valuesObject": {"worker": {"maxReplicas": 3}}}},
                {"repoURL": url, "targetRevision": "main", "ref": "values"},
            ],
            "ignoreDifferences": [{"group": "ray.io", "kind": "RayCluster", "name": "raycluster-kuberay",
                                   "namespace": "ray-cluster",
                                   "jqPathExpressions": [".spec.workerGroupSpecs[].replicas"]}],
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True},
                           "syncOptions": ["CreateNamespace=true"]},
        },
    }


@pytest.fixture
def repos(tmp_path: Path) -> Repos:
    made = make_repos(tmp_path)
    made.commit_file("ray/values.yaml", VALUES, "Ray values")
    return made


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[SandboxCluster]:
    with running_sandbox(speed=20) as sandbox:
        sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        yield sandbox


def _run(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    offline = args[0] == "validate"
    code = cli.main([*args] if offline else [*args, "--kubeconfig", str(cluster.kubeconfig_path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_apply_and_diff_a_multi_source_application(cluster: SandboxCluster, repos: Repos, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "raycluster.yaml"
    path.write_text(yaml.safe_dump(_application(repos.url), sort_keys=False), encoding="utf-8")

    code, out, err = _run(cluster, capsys, "validate", "--from", str(path))
    assert code == 0 and "not read" not in out, out  # the value file is read from the file:// repository

    code, out, err = _run(cluster, capsys, "apply", "--from", str(path), "--yes", "--timeout", "120")
    assert code == 0, out + err

    app = cluster.store.get(APPS, "argocd", "raycluster")
    status = app["status"]
    sha = repos.head()
    assert status["sync"]["status"] == "Synced" and status["health"]["status"] == "Healthy"
    assert status["sync"]["revisions"] == ["1.5.1", sha] and "revision" not in status["sync"]
    assert status["sync"]["comparedTo"]["sources"] == app["spec"]["sources"]
    result = status["operationState"]["syncResult"]
    assert result["revisions"] == ["1.5.1", sha] and result["sources"] == app["spec"]["sources"]
    assert status["history"][-1]["revisions"] == ["1.5.1", sha]
    assert status["sourceTypes"] == ["Helm", "Directory"]

    raycluster = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")
    head = raycluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert head["image"] == "rayproject/ray:2.44.1"  # from the value file in git
    assert raycluster["spec"]["workerGroupSpecs"][0]["maxReplicas"] == 3  # valuesObject over the value file

    code, out, err = _run(cluster, capsys, "diff", "--from", str(path))
    assert code == 0, out + err

    code, out, err = _run(cluster, capsys, "status", "-o", "json")
    assert code == 0, err
    apps = {a["name"]: a for a in json.loads(out)["applications"]}
    assert sha[:7] in json.dumps(apps["raycluster"])


def test_a_value_file_missing_from_the_ref_repository_is_a_comparison_error(
        cluster: SandboxCluster, repos: Repos) -> None:
    app = _application(repos.url)
    app["spec"]["sources"][0]["helm"]["valueFiles"] = ["$values/ray/absent.yaml"]
    app["spec"].pop("syncPolicy")
    cluster.store.create(APPS, app, namespace="argocd")

    def condition() -> str:
        status = (cluster.store.get(APPS, "argocd", "raycluster") or {}).get("status") or {}
        return next((c["message"] for c in status.get("conditions") or [] if c["type"] == "ComparisonError"), "")

    message = wait_for(condition, timeout=30, what="a ComparisonError")
    assert "failed to generate manifest for source 1 of 2" in message
    assert "ray/absent.yaml: no such file or directory" in message
