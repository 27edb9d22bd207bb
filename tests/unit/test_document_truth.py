"""The user's document is the source of truth: what raywizard writes keeps every value the user did not edit,
exactly as written (types, empty maps and lists, nulls, unknown keys), and an edit changes only its own lines."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from raywizard.documents.roundtrip_yaml import load_plain
from raywizard.documents.workspace import Workspace
from raywizard.fields.set_paths import set_path
from raywizard.render.applications import cluster_application
from raywizard.render.helm_values import spec_from_values, to_values
from raywizard.render.values_delta import apply_delta, changed_paths, same

CORPUS = Path(__file__).resolve().parents[1] / "data" / "values-corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))


def _changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if not line.startswith(("---", "+++", "@@"))]


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_values_object_is_the_file_as_data(path: Path) -> None:
    values = load_plain(path.read_text()) or {}
    spec = spec_from_values(values)
    written = cluster_application(spec)["spec"]["source"]["helm"]["valuesObject"]
    assert same(written, values)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_values_file_loaded_and_rendered_unchanged_is_byte_identical(path: Path) -> None:
    assert Workspace.load([path]).render()[path] == path.read_text()


def test_set_image_tag_changes_only_that_line_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(
        "# my cluster\n"
        "image:\n"
        "  repository: rayproject/ray\n"
        "  tag: 0.1  # a float, as written\n"
        "head:\n"
        "  rayStartParams: {}\n"
        "  autoscalerOptions:\n"
        "    env: []\n"
        "worker:\n"
        "  replicas: 2\n"
        "  nodeSelector: null\n"
        "  sidecarContainers:\n"
        "    - name: log\n"
        "      image: busybox\n"
        "additionalWorkerGroups:\n"
        "  cpuGroup:\n"
        "    disabled: true\n"
        "    rayStartParams: {}\n"
        "    unknownKey: 'quoted'\n")
    before = path.read_text()
    workspace = Workspace.load([path])
    set_path(workspace.spec, "image.tag", "2.46.0")
    after = workspace.render()[path]
    assert _changed_lines(before, after) == ["-  tag: 0.1  # a float, as written",
                                             "+  tag: 2.46.0 # a float, as written"]


def test_untouched_float_tag_stays_a_float_while_another_field_changes(tmp_path: Path) -> None:
    values = {"image": {"tag": 0.1}, "worker": {"replicas": 1}}
    spec = spec_from_values(values)
    spec.worker_groups[0].max_replicas = 4
    assert to_values(spec) == {"image": {"tag": 0.1}, "worker": {"replicas": 1, "maxReplicas": 4}}
    assert type(to_values(spec)["image"]["tag"]) is float


def test_an_edit_adds_no_default_the_user_did_not_write() -> None:
    spec = spec_from_values({"worker": {"replicas": 1}, "image": {"tag": "2.9.0"}})
    spec.worker_groups[0].replicas = 3
    set_path(spec, "image.tag", "2.46.0")
    assert to_values(spec) == {"worker": {"replicas": 3}, "image": {"tag": "2.46.0"}}


def test_a_group_image_typed_anew_writes_only_what_was_typed(tmp_path: Path) -> None:
    """A group image the file did not have, and one cleared and typed again (as in the wizard's form): the edit
    writes the repository and tag typed, and no pull policy the file did not hold."""
    path = tmp_path / "values.yaml"
    path.write_text(
        "worker:\n"
        "  replicas: 1\n"
        "additionalWorkerGroups:\n"
        "  gpu:\n"
        "    replicas: 0  # scaled by the autoscaler\n"
        "  cpu:\n"
        "    image:\n"
        "      repository: my/ray\n"
        "      tag: 2.46.0\n")
    before = path.read_text()
    workspace = Workspace.load([path])
    set_path(workspace.spec, "workerGroups.gpu.image", "rayproject/ray:2.46.0-gpu")
    set_path(workspace.spec, "workerGroups.cpu.image", "")
    set_path(workspace.spec, "workerGroups.cpu.image", "my/ray:2.49.0")
    after = workspace.render()[path]
    assert _changed_lines(before, after) == ["+    image:", "+      repository: rayproject/ray",
                                             "+      tag: 2.46.0-gpu", "-      tag: 2.46.0", "+      tag: 2.49.0"]


def test_guide_workspace_files_are_rewritten_only_where_edited(tmp_path: Path) -> None:
    source = CORPUS / "sidecars.yaml"
    path = tmp_path / source.name
    shutil.copy(source, path)
    workspace = Workspace.load([path])
    workspace.spec.worker_groups[0].max_replicas = 7
    data = load_plain(workspace.render()[path])
    original = load_plain(source.read_text())
    assert changed_paths(original, data) == [("worker", "maxReplicas")]


def test_apply_delta_semantics() -> None:
    document = {"a": {"x": 1, "unknown": None}, "b": [1, 2], "c": "kept"}
    baseline = {"a": {"x": 1}, "b": [1, 2], "c": "kept"}
    current = {"a": {"x": 2}, "b": [3], "d": {}}
    assert apply_delta(document, baseline, current) == {"a": {"x": 2, "unknown": None}, "b": [3], "d": {}}
    assert apply_delta(document, baseline, baseline) == document
    assert not same(1, 1.0) and not same("1", 1) and not same(True, 1) and same({"a": [1]}, {"a": [1]})


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.stem)
def test_set_image_tag_on_any_corpus_file_changes_only_the_tag_line(path: Path, tmp_path: Path) -> None:
    """What ``init --from FILE --set image.tag=X --yes`` writes: the tag line, and ``image:`` above it when the
    file had no image map (an empty document ``{}`` becomes the new map)."""
    target = tmp_path / path.name
    target.write_bytes(path.read_bytes())
    workspace = Workspace.load([target])
    set_path(workspace.spec, "image.tag", "2.47.1")
    before = path.read_text(encoding="utf-8")
    changed = _changed_lines(before, workspace.render()[target])
    removed = [line for line in changed if line.startswith("-")]
    added = [line for line in changed if line.startswith("+")]
    tag_lines = [line.split("#")[0].strip().replace('"', "") for line in added if "tag:" in line]
    assert tag_lines == ["+  tag: 2.47.1"], changed
    assert all(line in ("+image:",) for line in added if "tag:" not in line), changed
    assert all(re.match(r"-\s*tag:", line) for line in removed) or removed == ["-{}"], changed
    assert load_plain(workspace.render()[target]) == _with_tag(load_plain(before) or {}, "2.47.1")


def _with_tag(values: dict[str, Any], tag: str) -> dict[str, Any]:
    out = dict(values)
    out["image"] = {**(values.get("image") or {}), "tag": tag}
    return out
