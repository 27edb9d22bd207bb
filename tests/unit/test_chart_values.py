"""Helm's coalescing of user values into the chart defaults (Helm 3.21 / 4.x ``CoalesceValues``)."""

from __future__ import annotations

import io

import pytest
from ruamel.yaml import YAML

from raywizard.chart import ChartRenderError, chart_defaults, effective_group_values, merged_values


def test_no_values_is_the_defaults() -> None:
    assert merged_values({}, "1.5.1") == chart_defaults("1.5.1")
    assert merged_values(None, "1.7.0") == chart_defaults("1.7.0")


def test_maps_deep_merge_and_scalars_replace() -> None:
    merged = merged_values({"worker": {"resources": {"requests": {"cpu": "4", "memory": "8G"}}}}, "1.5.1")
    # The chart's limits stay: requests above limits is exactly what validation must catch.
    assert merged["worker"]["resources"] == {
        "limits": {"cpu": "1", "memory": "1G"},
        "requests": {"cpu": "4", "memory": "8G"},
    }
    assert merged["worker"]["groupName"] == "workergroup"


def test_lists_replace() -> None:
    merged = merged_values({"head": {"volumes": [{"name": "data", "emptyDir": {}}]}}, "1.5.1")
    assert merged["head"]["volumes"] == [{"name": "data", "emptyDir": {}}]
    assert merged["head"]["volumeMounts"] == [{"mountPath": "/tmp/ray", "name": "log-volume"}]


def test_null_deletes_a_default() -> None:
    merged = merged_values({"head": {"resources": {"limits": None}}, "nameOverride": None}, "1.5.1")
    assert "limits" not in merged["head"]["resources"]
    assert merged["head"]["resources"]["requests"] == {"cpu": "1", "memory": "2G"}
    assert "nameOverride" not in merged


def test_null_without_a_default_stays_null() -> None:
    merged = merged_values({"head": {"rayVersion": None}, "extra": None}, "1.5.1")
    assert merged["head"]["rayVersion"] is None
    assert merged["extra"] is None


def test_user_scalar_replaces_a_default_map_and_map_replaces_scalar() -> None:
    merged = merged_values({"head": {"resources": "none"}, "fullnameOverride": {"a": 1}}, "1.5.1")
    assert merged["head"]["resources"] == "none"
    assert merged["fullnameOverride"] == {"a": 1}


def test_user_groups_merge_only_with_small_group() -> None:
    merged = merged_values(
        {"additionalWorkerGroups": {"smallGroup": {"disabled": False}, "gpu": {}}}, "1.5.1"
    )
    small = merged["additionalWorkerGroups"]["smallGroup"]
    assert small["disabled"] is False
    assert small["maxReplicas"] == 3
    assert small["resources"]["limits"] == {"cpu": 1, "memory": "1G"}
    assert merged["additionalWorkerGroups"]["gpu"] == {}  # no inheritance from worker or smallGroup


def test_inputs_are_not_modified() -> None:
    values = {"head": {"resources": {"limits": None}}}
    merged_values(values, "1.5.1")
    assert values == {"head": {"resources": {"limits": None}}}


def test_ruamel_documents_and_non_string_keys() -> None:
    text = (
        "head:\n  rayStartParams:\n    num-cpus: 0  # comment\n    2: x\n    true: y\n"
        "worker:\n  replicas: 0x10\n"
    )
    document = YAML().load(io.StringIO(text))
    merged = merged_values(document, "1.5.1")
    assert merged["head"]["rayStartParams"] == {"num-cpus": 0, "2": "x", "true": "y"}
    assert merged["worker"]["replicas"] == 16
    assert type(merged["head"]) is dict


def test_unsupported_value_types_are_refused() -> None:
    with pytest.raises(ChartRenderError, match=r"head\.x"):
        merged_values({"head": {"x": object()}}, "1.5.1")


def test_effective_group_values_after_defaults() -> None:
    values = {
        "image": {"repository": "r", "tag": "t", "pullPolicy": "Always"},
        "head": {"resources": {"requests": {"cpu": "2"}}},
        "worker": {"groupName": "cpu", "image": {"repository": "w", "tag": "1", "pullPolicy": "Never"}},
        "additionalWorkerGroups": {
            "gpu": {"resources": {"limits": {"nvidia.com/gpu": 1}}},
            "off": {"disabled": True},
        },
    }
    effective = effective_group_values(values, "1.5.1")
    assert list(effective) == ["head", "cpu", "gpu"]
    assert effective["head"]["resources"] == {
        "limits": {"cpu": "1", "memory": "2G"},
        "requests": {"cpu": "2", "memory": "2G"},
    }
    assert effective["head"]["image"] == {"repository": "r", "tag": "t", "pullPolicy": "Always"}
    assert effective["cpu"]["image"]["repository"] == "w"
    assert effective["cpu"]["resources"]["limits"] == {"cpu": "1", "memory": "1G"}
    assert effective["gpu"]["image"]["repository"] == "r"
    assert effective["gpu"]["resources"] == {"limits": {"nvidia.com/gpu": 1}}


def test_effective_values_of_group_without_resources() -> None:
    values = {"worker": {"resources": None}, "additionalWorkerGroups": {"g": {}}}
    assert effective_group_values(values, "1.5.1")["workergroup"]["resources"] is None
    assert effective_group_values(values, "1.5.1")["g"]["resources"] is None
    assert effective_group_values(values, "1.7.0")["g"]["resources"]["requests"] == {
        "cpu": "1",
        "memory": "1Gi",
    }
