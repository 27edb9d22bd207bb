"""A group's own image without a pull policy renders `imagePullPolicy: null`, which the API server drops from the
stored RayCluster: once applied, `diff` shows no difference (docs/domain/kubernetes-client.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from raywizard.cli import main as cli
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.cli_helpers import raywizard


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("group-image") / "kubeconfig")
    yield sandbox
    sandbox.stop()


def test_a_group_image_without_pull_policy_shows_no_difference_once_applied(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = ("--preset", "argocd-guide", "--set", "workerGroups.standard-worker.image=rayproject/ray:2.46.0")
    capsys.readouterr()
    assert cli.main(["render", *spec, "-o", "-"]) == 0
    apps = [a for a in yaml.safe_load_all(capsys.readouterr().out) if a]
    values = apps[-1]["spec"]["source"]["helm"]["valuesObject"]
    groups = [values.get("worker") or {}, *(values.get("additionalWorkerGroups") or {}).values()]
    assert {"repository": "rayproject/ray", "tag": "2.46.0"} in [g.get("image") for g in groups]
    code, _, err = raywizard(cluster, capsys, "apply", *spec, "--yes", "--timeout", "120")
    assert code == 0, err
    stored = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay") or {}
    group = next(g for g in stored["spec"]["workerGroupSpecs"] if g["groupName"] == "standard-worker")
    assert "imagePullPolicy" not in group["template"]["spec"]["containers"][0]
    code, out, _ = raywizard(cluster, capsys, "diff", *spec)
    assert code == 0 and "no differences" in out, out
