"""Load the guide's files, edit, write back: byte-identical when unchanged, one line for one change."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml

from raywizard.documents.workspace import Workspace
from raywizard.model.errors import InputError
from tests.conftest import FIXTURES, GOLDEN

GUIDE_FILES = ["ray-argocd-all.yaml", "ray-operator-crds.yaml", "ray-operator.yaml", "raycluster.yaml"]


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


@pytest.mark.parametrize("name", GUIDE_FILES)
def test_unchanged_load_and_render_is_byte_identical(name: str) -> None:
    path = FIXTURES / name
    assert Workspace.load([path]).render()[path] == path.read_text()


def test_split_files_load_together_and_round_trip() -> None:
    paths = [FIXTURES / n for n in GUIDE_FILES[1:]]
    workspace = Workspace.load(paths)
    assert workspace.spec.versions.kuberay == "v1.5.1" and workspace.spec.versions.chart == "1.5.1"
    assert {p: t for p, t in workspace.render().items()} == {p: p.read_text() for p in paths}


@pytest.mark.parametrize("name", ["ray-argocd-all.yaml", "raycluster.yaml"])
def test_editing_max_replicas_changes_exactly_one_line(name: str) -> None:
    path = FIXTURES / name
    workspace = Workspace.load([path])
    workspace.spec.group("additional-worker-group1").max_replicas = 50  # type: ignore[union-attr]
    assert _changed_lines(path.read_text(), workspace.render()[path]) == [
        "-            maxReplicas: 30", "+            maxReplicas: 50"]


def test_comments_and_unknown_keys_survive_structural_edits(tmp_path: Path) -> None:
    path = tmp_path / "apps.yaml"
    text = (FIXTURES / "ray-argocd-all.yaml").read_text().replace(
        "  name: raycluster\n", "  name: raycluster\n  labels:\n    team: ml  # owner\n", 1)
    text = text.replace("          tag: latest\n          pullPolicy", "          tag: latest\n          extraKey: 1\n"
                        "          pullPolicy", 1)
    path.write_text(text)
    workspace = Workspace.load([path])
    group = workspace.spec.group("additional-worker-group2")
    assert group is not None
    workspace.spec.worker_groups.append(group.copy("burst"))
    workspace.spec.worker_groups.remove(group)
    workspace.spec.sync.options.append("PruneLast=true")
    out = workspace.render()[path]
    assert "# ensure this is aligned with the release name" in out
    assert "team: ml  # owner" in out and "extraKey: 1" in out
    assert "idleTimeoutSeconds: 600 # 10 minutes" in out
    docs = list(yaml.safe_load_all(out))
    groups = docs[2]["spec"]["source"]["helm"]["valuesObject"]["additionalWorkerGroups"]
    assert list(groups) == ["additional-worker-group1", "burst"]


def test_save_is_atomic_and_keeps_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "raycluster.yaml"
    shutil.copy(FIXTURES / "raycluster.yaml", path)
    workspace = Workspace.load([path])
    assert not workspace.dirty
    workspace.spec.worker_groups[0].max_replicas = 10
    assert workspace.dirty
    workspace.save()
    assert (tmp_path / "raycluster.yaml.bak").read_text() == (FIXTURES / "raycluster.yaml").read_text()
    assert "maxReplicas: 10" in path.read_text()
    assert not workspace.dirty
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raycluster.yaml", "raycluster.yaml.bak"]


def test_values_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    shutil.copy(GOLDEN / "values" / "gpu.yaml", path)
    workspace = Workspace.load([path])
    assert workspace.render()[path] == path.read_text()
    workspace.spec.group("gpu-a").max_replicas = 8  # type: ignore[union-attr]
    assert _changed_lines(path.read_text(), workspace.render()[path]) == ["-    maxReplicas: 4", "+    maxReplicas: 8"]


def test_unreadable_inputs_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1,\n")
    with pytest.raises(InputError, match="not valid YAML"):
        Workspace.load([bad])
    other = tmp_path / "deploy.yaml"
    other.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")
    with pytest.raises(InputError, match="found Deployment"):
        Workspace.load([other])
    with pytest.raises(InputError, match="no such file"):
        Workspace.load([tmp_path / "missing.yaml"])
