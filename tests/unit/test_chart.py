"""Acceptance tests of the ray-cluster chart model against the golden files in tests/data/golden."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from raywizard.chart import (
    SUPPORTED_CHART_VERSIONS,
    UnknownChartVersion,
    chart_defaults,
    decode_custom_resources,
    encode_custom_resources,
    fullname,
    render_raycluster,
    rendered_worker_groups,
)
from tests.conftest import GOLDEN


def _render(values: dict[str, Any], version: str = "1.5.1", release: str = "raycluster") -> dict[str, Any]:
    return render_raycluster(values, release_name=release, namespace="ray-cluster", chart_version=version)


@pytest.mark.parametrize("name", ["seed", "gpu"])
def test_golden_v151_renders_exactly(name: str) -> None:
    values = yaml.safe_load((GOLDEN / "values" / f"{name}.yaml").read_text())
    expected = yaml.safe_load((GOLDEN / f"ray-cluster-v1.5.1-{name}-raycluster.yaml").read_text())
    rendered = _render(values)
    assert rendered == expected
    # Same keys in the same order as the chart writes them.
    assert json.dumps(rendered) == json.dumps(expected)


@pytest.mark.parametrize("version", ["1.4.1", "1.5.1", "1.7.0"])
def test_chart_defaults_match_golden(version: str) -> None:
    expected = json.loads((GOLDEN / f"ray-cluster-v{version}-default-values.json").read_text())
    assert chart_defaults(version) == expected


def test_supported_versions_ascending_and_complete() -> None:
    assert SUPPORTED_CHART_VERSIONS == (
        "1.4.0", "1.4.1", "1.4.2", "1.5.0", "1.5.1", "1.5.2", "1.6.0", "1.6.1", "1.6.2", "1.7.0",
    )  # fmt: skip


def test_unknown_version_is_a_value_error() -> None:
    with pytest.raises(UnknownChartVersion) as info:
        chart_defaults("1.3.2")
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError):
        _render({}, version="2.0.0")


def test_chart_defaults_is_a_deep_copy() -> None:
    first = chart_defaults("1.5.1")
    first["head"]["resources"]["limits"]["cpu"] = "99"
    assert chart_defaults("1.5.1")["head"]["resources"]["limits"]["cpu"] == "1"


@pytest.mark.parametrize(
    ("values", "release", "expected"),
    [
        ({}, "raycluster", "raycluster-kuberay"),
        ({}, "kuberay-dev", "kuberay-dev"),
        ({}, "my-kuberay-prod", "my-kuberay-prod"),
        ({"fullnameOverride": "my-ray"}, "raycluster", "my-ray"),
        ({"nameOverride": ""}, "foo", "foo-ray-cluster"),
        ({"nameOverride": None}, "foo", "foo-ray-cluster"),
        ({"nameOverride": "cluster"}, "raycluster", "raycluster"),
        ({"nameOverride": "a"}, "a" * 53, "a" * 53),
        ({"nameOverride": "x"}, "a" * 53, "a" * 53 + "-x"),
        ({}, "a" * 53, ("a" * 53 + "-kuberay")[:63]),
        ({"fullnameOverride": "a" * 62 + "-b"}, "r", "a" * 62),  # cut to 63, then one trailing "-" removed
        ({"fullnameOverride": "x" * 70}, "r", "x" * 63),
        ({"fullnameOverride": "", "nameOverride": "kuberay"}, "ray", "ray-kuberay"),
    ],
)
def test_fullname(values: dict[str, Any], release: str, expected: str) -> None:
    assert fullname(values, release) == expected
    assert _render(values, release=release)["metadata"]["name"] == expected


def test_group_order_is_byte_sorted_after_the_default_worker() -> None:
    values: dict[str, Any] = {"additionalWorkerGroups": {"zeta": {}, "alpha": {}, "Beta": {}}}
    assert rendered_worker_groups(values, "1.5.1") == ["workergroup", "Beta", "alpha", "zeta"]
    values = {"additionalWorkerGroups": {"zzz-group": {}, "aaa-group": {}}}
    assert rendered_worker_groups(values, "1.5.1") == ["workergroup", "aaa-group", "zzz-group"]
    names = [g["groupName"] for g in _render(values)["spec"]["workerGroupSpecs"]]
    assert names == ["workergroup", "aaa-group", "zzz-group"]


def test_disabled_groups_are_skipped_and_small_group_stays_disabled() -> None:
    values = {
        "worker": {"disabled": True},
        "additionalWorkerGroups": {"b": {"disabled": True}, "a": {"disabled": False}, "c": {}},
    }
    for version in SUPPORTED_CHART_VERSIONS:
        assert rendered_worker_groups(values, version) == ["a", "c"]
    assert rendered_worker_groups(
        {"additionalWorkerGroups": {"smallGroup": {"disabled": False}}}, "1.5.1"
    ) == [
        "workergroup",
        "smallGroup",
    ]


def test_max_replicas_zero_renders_int32_max() -> None:
    group = _render({"worker": {"maxReplicas": 0, "minReplicas": 0}})["spec"]["workerGroupSpecs"][0]
    assert group["maxReplicas"] == 2147483647
    assert group["minReplicas"] == 0


@pytest.mark.parametrize("version", SUPPORTED_CHART_VERSIONS)
def test_worker_disabled_without_groups_gives_null_worker_group_specs(version: str) -> None:
    rendered = _render({"worker": {"disabled": True}}, version=version)
    assert "workerGroupSpecs" in rendered["spec"]
    assert rendered["spec"]["workerGroupSpecs"] is None
    assert rendered_worker_groups({"worker": {"disabled": True}}, version) == []


def test_custom_resources_encode_like_kuberay_samples() -> None:
    assert encode_custom_resources({"standard-worker": 1}) == '"{\\"standard-worker\\": 1}"'
    assert encode_custom_resources({"a": 1.0, "b": 2}) == '"{\\"a\\": 1, \\"b\\": 2}"'


@pytest.mark.parametrize(
    "resources", [{}, {"standard-worker": 1}, {"a": 0, "B-x": 5, "ünï": 3}, {"gpu.slot": 123456789}]
)
def test_custom_resources_round_trip(resources: dict[str, Any]) -> None:
    text = encode_custom_resources(resources)
    assert decode_custom_resources(text) == resources
    # The form Ray's autoscaler reads: drop outer quotes, strip backslashes, json.loads.
    assert json.loads(text[1:-1].replace("\\", "")) == resources


def test_custom_resources_survive_the_chart() -> None:
    text = encode_custom_resources({"standard-worker": 1})
    rendered = _render({"worker": {"rayStartParams": {"resources": text}}})
    assert rendered["spec"]["workerGroupSpecs"][0]["rayStartParams"]["resources"] == text


@pytest.mark.parametrize(
    "text",
    [
        '"{\\"a\\": 1}"',  # KubeRay samples
        "'{\"a\": 1}'",  # any outer pair of characters
        '"{"a": 1}"',
        '"{\\"a\\":1}"',
    ],
)
def test_decode_accepts_what_ray_accepts(text: str) -> None:
    assert decode_custom_resources(text) == {"a": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1}', "not in the form Ray reads"),  # no outer quotes: Ray cuts the braces off
        ('"[1, 2]"', "JSON object"),
        ('"{\\"a\\": 1.5}"', "needs an int"),
        ('"{\\"a\\": true}"', "needs an int"),
        ('"{\\"a\\": \\"1\\"}"', "needs an int"),
        ("", "not in the form Ray reads"),
    ],
)
def test_decode_rejects_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode_custom_resources(text)


@pytest.mark.parametrize(
    "bad",
    [{"a": 1.5}, {"a": -1}, {"a": True}, {"a": "1"}, {"": 1}, {"a": float("inf")}, {'a"b': 1}, {"a\\b": 1}],
)
def test_encode_rejects_what_the_autoscaler_cannot_use(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        encode_custom_resources(bad)
