"""Field declarations parse, format and address the spec; --set paths."""

from __future__ import annotations

import pytest

from raywizard.documents.presets import load_preset
from raywizard.fields.declarations import BY_KEY, FIELDS, Step, fields_for
from raywizard.fields.set_paths import apply_assignments, get_path, set_path
from raywizard.model.errors import InputError
from raywizard.model.spec import ClusterSpec


def test_every_field_round_trips_its_current_value_through_format_and_parse() -> None:
    spec = load_preset("gpu")
    for field in FIELDS:
        owners = spec.worker_groups if field.per_group else [spec]
        for owner in owners:
            value = field.get(owner)
            if value is None:
                continue
            assert field.parse(field.format(value)) == value, field.key


def test_every_field_has_label_help_and_a_step() -> None:
    for field in FIELDS:
        assert field.label and len(field.help) > 20 and isinstance(field.step, Step)
    assert next(f.key for f in fields_for(Step.TARGET)) == "target.argocdNamespace"


def test_parse_errors_say_how_to_fix() -> None:
    with pytest.raises(ValueError, match="whole number"):
        BY_KEY["workerGroups[].maxReplicas"].parse("lots")
    with pytest.raises(ValueError, match="quantity"):
        BY_KEY["head.memoryLimit"].parse("8 gigs")
    with pytest.raises(ValueError, match="NAME=AMOUNT"):
        BY_KEY["workerGroups[].customResources"].parse("gpu")
    assert BY_KEY["workerGroups[].customResources"].parse("a=1, b=2") == {"a": 1, "b": 2}
    with pytest.raises(ValueError, match="whole number"):
        BY_KEY["workerGroups[].customResources"].parse("a=0.5")
    assert BY_KEY["head.cpuLimit"].parse("") is None  # optional: blank means the chart default


def test_set_paths_by_name_index_and_new_groups() -> None:
    spec = load_preset("argocd-guide")
    apply_assignments(spec, ["workerGroups.standard-worker.maxReplicas=8", "workerGroups[1].minReplicas=2",
                             "image.tag=2.46.0", "head.autoscaling=false", "workerGroups.+gpu.gpu=1",
                             "workerGroups.+gpu.maxReplicas=2"])
    assert get_path(spec, "workerGroups.standard-worker.maxReplicas") == 8
    assert spec.worker_groups[1].min_replicas == 2
    assert spec.versions.image is not None and spec.versions.image.tag == "2.46.0"
    assert spec.head.enable_in_tree_autoscaling is False
    gpu = spec.group("gpu")
    assert gpu is not None and gpu.resources is not None
    assert gpu.resources.requests["nvidia.com/gpu"] == 1 == gpu.resources.limits["nvidia.com/gpu"]


def test_set_errors_name_the_path() -> None:
    spec = ClusterSpec()
    with pytest.raises(InputError, match="unknown setting 'nope'"):
        set_path(spec, "nope", "1")
    with pytest.raises(InputError, match=r"workerGroups\.workergroup\.replicas=x"):
        set_path(spec, "workerGroups.workergroup.replicas", "x")
    with pytest.raises(InputError, match=r"to add one write workerGroups\.\+gpu-grp\.maxReplicas"):
        set_path(spec, "workerGroups.gpu-grp.maxReplicas", "8")
    with pytest.raises(InputError, match="not PATH=VALUE"):
        apply_assignments(spec, ["image.tag"])


def test_placement_of_a_group_through_set_paths() -> None:
    from raywizard.fields.placement import format_node_selector, format_tolerations, other_group_keys
    from raywizard.fields.set_paths import apply_assignments
    from raywizard.render.helm_values import spec_from_values, to_values

    spec = spec_from_values({"worker": {"replicas": 1, "volumes": [], "sidecarContainers": [{"name": "s"}],
                                        "rayStartParams": {}}})
    apply_assignments(spec, ["workerGroups.+gpu.nodeSelector=nvidia.com/gpu.present=true, pool=gpu",
                             "workerGroups.gpu.tolerations=nvidia.com/gpu=present:NoSchedule, dedicated",
                             "workerGroups.gpu.image=rayproject/ray:2.46.0-gpu"])
    gpu = to_values(spec)["additionalWorkerGroups"]["gpu"]
    assert gpu["nodeSelector"] == {"nvidia.com/gpu.present": "true", "pool": "gpu"}
    assert gpu["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "present",
                                   "effect": "NoSchedule"}, {"key": "dedicated", "operator": "Exists"}]
    assert gpu["image"] == {"repository": "rayproject/ray", "tag": "2.46.0-gpu"}  # no pull policy made up
    assert other_group_keys(spec.worker_groups[0]) == ["volumes", "sidecarContainers"]
    assert other_group_keys(spec.worker_groups[1]) == []
    # What the short form cannot say is shown as a YAML flow collection, which parses back to the same data.
    written = [{"key": "a", "operator": "Exists", "tolerationSeconds": 60}, {"operator": "Exists"}]
    assert format_tolerations(written) == '[{"key": "a", "operator": "Exists", "tolerationSeconds": 60}, ' \
                                          '{"operator": "Exists"}]'
    apply_assignments(spec, [f"workerGroups.gpu.tolerations={format_tolerations(written)}",
                             "workerGroups.gpu.nodeSelector="])
    gpu = to_values(spec)["additionalWorkerGroups"]["gpu"]
    assert gpu["tolerations"] == written and "nodeSelector" not in gpu
    assert format_node_selector({"a": 1}) == '{"a": 1}'
