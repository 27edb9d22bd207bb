"""Random edits through the spec, on the users' values files of the corpus, change only the key they edit.

A file is read into the spec, one field is set as ``--set`` does, and the values written back are compared with
the file as data: every key path that differs must lie under the values key the field stands for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from raywizard.documents.roundtrip_yaml import load_plain
from raywizard.fields.set_paths import apply_assignments
from raywizard.model.errors import InputError
from raywizard.render.helm_values import spec_from_values, to_values
from raywizard.render.values_delta import same

_MISSING = object()


def changed_leaves(old: object, new: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Key paths where ``new`` differs from ``old``; maps are entered, also where the other side lacks them, so
    a map created to hold one new key reports only that key."""
    if old is not _MISSING and new is not _MISSING and same(old, new):
        return []
    # A null the user wrote to delete a chart default, replaced by a map holding only the edited key, counts
    # as that key's change.
    old_map = old if isinstance(old, dict) else ({} if old is _MISSING or (old is None and isinstance(new, dict))
                                                 else None)
    new_map = new if isinstance(new, dict) else ({} if new is _MISSING else None)
    if old_map is None or new_map is None or (old is _MISSING and new is _MISSING):
        return [prefix]
    if not old_map and not new_map and (old is _MISSING or new is _MISSING):
        return [prefix]  # an empty map added or removed
    paths: list[tuple[str, ...]] = []
    for key in [*old_map, *(k for k in new_map if k not in old_map)]:
        paths += changed_leaves(old_map.get(key, _MISSING), new_map.get(key, _MISSING), (*prefix, str(key)))
    return paths

CORPUS = Path(__file__).resolve().parent.parent / "data" / "values-corpus"
FILES = sorted(CORPUS.glob("*.yaml"))

# Spec field -> (values key path it stands for, the values it may take). Group paths are relative to the group.
HEAD_EDITS = {
    "image.tag": (("image", "tag"), st.sampled_from(["2.46.0", "2.49.1", "2.52.0-py311"])),
    "image.repository": (("image", "repository"), st.sampled_from(["rayproject/ray", "ghcr.io/acme/ray"])),
    "image.pullPolicy": (("image", "pullPolicy"), st.sampled_from(["Always", "IfNotPresent", "Never"])),
    "head.numCpus": (("head", "rayStartParams", "num-cpus"), st.sampled_from(["0", "2"])),
    "head.autoscaling": (("head", "enableInTreeAutoscaling"), st.sampled_from(["true", "false"])),
    "head.autoscaler.idleTimeoutSeconds": (("head", "autoscalerOptions", "idleTimeoutSeconds"),
                                           st.integers(1, 3600).map(str)),
    "head.cpuLimit": (("head", "resources", "limits", "cpu"), st.sampled_from(["2", "4", "500m"])),
    "head.memoryRequest": (("head", "resources", "requests", "memory"), st.sampled_from(["2Gi", "8Gi"])),
}
GROUP_EDITS = {
    "replicas": (("replicas",), st.integers(0, 20).map(str)),
    "minReplicas": (("minReplicas",), st.integers(0, 20).map(str)),
    "maxReplicas": (("maxReplicas",), st.integers(1, 50).map(str)),
    "cpuRequest": (("resources", "requests", "cpu"), st.sampled_from(["1", "3", "250m"])),
    "memoryLimit": (("resources", "limits", "memory"), st.sampled_from(["1Gi", "16Gi"])),
    "disabled": (("disabled",), st.sampled_from(["true", "false"])),
    "image": (("image",), st.sampled_from(["rayproject/ray:2.46.0-gpu", "ghcr.io/acme/ray:2.49.1"])),
    "nodeSelector": (("nodeSelector",), st.sampled_from(["pool=gpu", "nvidia.com/gpu.present=true, zone=a", ""])),
    "tolerations": (("tolerations",), st.sampled_from(["nvidia.com/gpu=present:NoSchedule", "dedicated", "",
                                                       "[{key: a, operator: Exists, tolerationSeconds: 60}]"])),
}


def _group_prefix(values: dict[str, Any], spec: Any, index: int) -> tuple[str, ...]:
    return ("worker",) if index == 0 else ("additionalWorkerGroups", spec.worker_groups[index].name)


@st.composite
def edits(draw: st.DrawFn) -> tuple[Path, str, tuple[str, ...]]:
    path = draw(st.sampled_from(FILES))
    if draw(st.booleans()):
        field = draw(st.sampled_from(sorted(HEAD_EDITS)))
        key_path, value = HEAD_EDITS[field]
        return path, f"{field}={draw(value)}", key_path
    spec = spec_from_values(load_plain(path.read_text(encoding="utf-8")) or {})
    index = draw(st.integers(0, len(spec.worker_groups) - 1))
    field = draw(st.sampled_from(sorted(GROUP_EDITS)))
    key_path, value = GROUP_EDITS[field]
    prefix = _group_prefix({}, spec, index)
    return path, f"workerGroups[{index}].{field}={draw(value)}", prefix + key_path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits())
def test_an_edit_through_the_spec_changes_only_its_own_key(edit: tuple[Path, str, tuple[str, ...]]) -> None:
    path, assignment, touched = edit
    document = load_plain(path.read_text(encoding="utf-8")) or {}
    spec = spec_from_values(document)
    try:
        apply_assignments(spec, [assignment])
    except InputError:
        assume(False)
    written = to_values(spec)
    stray = [p for p in changed_leaves(document, written) if p[: len(touched)] != touched]
    if touched[0] == "worker" and "groupName" not in (document.get("worker") or {}):
        # The spec names the default group explicitly once it is edited; the name is the chart's default, so
        # the render is the same.
        assert (written.get("worker") or {}).get("groupName", "workergroup") == "workergroup"
        stray = [p for p in stray if p != ("worker", "groupName")]
    assert stray == [], f"{path.name}: --set {assignment} also changed {stray}"


def test_reading_and_writing_without_an_edit_keeps_every_file_as_data() -> None:
    for path in FILES:
        document = load_plain(path.read_text(encoding="utf-8")) or {}
        assert changed_leaves(document, to_values(spec_from_values(document))) == [], path.name


def test_an_edit_keeps_a_null_that_deletes_a_chart_default() -> None:
    document = {"head": {"resources": None}}
    spec = spec_from_values(document)
    apply_assignments(spec, ["head.autoscaling=true"])
    assert to_values(spec) == {"head": {"resources": None, "enableInTreeAutoscaling": True}}
