"""Per-version differences of the ray-cluster chart (read from each kuberay tag's templates and values)."""

from __future__ import annotations

from typing import Any

import pytest

from raywizard.chart import (
    SUPPORTED_CHART_VERSIONS,
    chart_defaults,
    effective_group_values,
    render_raycluster,
)

CHARTS_1_4 = ("1.4.0", "1.4.1", "1.4.2")
CHARTS_1_5 = ("1.5.0", "1.5.1", "1.5.2")
CHARTS_1_6_TO_1_7 = ("1.6.0", "1.6.1", "1.6.2", "1.7.0")


def _render(values: dict[str, Any], version: str) -> dict[str, Any]:
    return render_raycluster(values, release_name="raycluster", namespace="ray", chart_version=version)


def _worker(rendered: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return rendered["spec"]["workerGroupSpecs"][index]


def _container(group_spec: dict[str, Any]) -> dict[str, Any]:
    return group_spec["template"]["spec"]["containers"][0]


def test_version_families_cover_everything() -> None:
    assert set(CHARTS_1_4 + CHARTS_1_5 + CHARTS_1_6_TO_1_7) == set(SUPPORTED_CHART_VERSIONS)


@pytest.mark.parametrize("version", SUPPORTED_CHART_VERSIONS)
def test_chart_label_follows_the_version(version: str) -> None:
    rendered = _render({}, version)
    expected = {
        "helm.sh/chart": f"ray-cluster-{version}",
        "app.kubernetes.io/instance": "raycluster",
        "app.kubernetes.io/managed-by": "Helm",
    }
    assert rendered["metadata"]["labels"] == expected  # no appVersion in any Chart.yaml => no version label
    assert rendered["spec"]["headGroupSpec"]["template"]["metadata"]["labels"] == expected
    assert rendered["metadata"]["namespace"] == "ray"  # every version's template writes metadata.namespace


@pytest.mark.parametrize("version", CHARTS_1_4)
def test_14_always_writes_empty_ray_start_params(version: str) -> None:
    rendered = _render({"additionalWorkerGroups": {"g": {}}}, version)
    assert rendered["spec"]["headGroupSpec"]["rayStartParams"] == {}
    assert _worker(rendered, 0)["rayStartParams"] == {}
    assert _worker(rendered, 1)["rayStartParams"] == {}
    # Key order: rayStartParams sits between numOfHosts and template.
    assert list(_worker(rendered)) == [
        "groupName", "replicas", "minReplicas", "maxReplicas", "numOfHosts", "rayStartParams", "template",
    ]  # fmt: skip


@pytest.mark.parametrize("version", CHARTS_1_5 + CHARTS_1_6_TO_1_7)
def test_15_and_later_omit_empty_ray_start_params(version: str) -> None:
    rendered = _render({"additionalWorkerGroups": {"g": {}}}, version)
    assert "rayStartParams" not in rendered["spec"]["headGroupSpec"]
    assert "rayStartParams" not in _worker(rendered, 0)
    assert "rayStartParams" not in _worker(rendered, 1)


@pytest.mark.parametrize("version", SUPPORTED_CHART_VERSIONS)
def test_gcs_fault_tolerance_only_from_15(version: str) -> None:
    values = {
        "gcsFaultTolerance": {
            "enabled": True,
            "redisAddress": "redis:6379",
            "externalStorageNamespace": "ns-1",
            "redisPassword": {"valueFrom": {"secretKeyRef": {"name": "redis", "key": "password"}}},
        }
    }
    spec = _render(values, version)["spec"]
    if version in CHARTS_1_4:
        assert "gcsFaultToleranceOptions" not in spec
        assert "gcsFaultTolerance" not in chart_defaults(version)
    else:
        assert spec["gcsFaultToleranceOptions"] == {
            "redisAddress": "redis:6379",
            "externalStorageNamespace": "ns-1",
            "redisPassword": {"valueFrom": {"secretKeyRef": {"key": "password", "name": "redis"}}},
        }
        assert list(spec) == ["gcsFaultToleranceOptions", "headGroupSpec", "workerGroupSpecs"]
        assert chart_defaults(version)["gcsFaultTolerance"] == {"enabled": False}


@pytest.mark.parametrize("version", CHARTS_1_5)
def test_gcs_fault_tolerance_minimal_and_disabled(version: str) -> None:
    spec = _render({"gcsFaultTolerance": {"enabled": True}}, version)["spec"]
    assert spec["gcsFaultToleranceOptions"] == {"redisAddress": None}  # `quote` of nil writes nothing
    assert "gcsFaultToleranceOptions" not in _render({}, version)["spec"]


@pytest.mark.parametrize("version", SUPPORTED_CHART_VERSIONS)
def test_additional_group_without_resources(version: str) -> None:
    container = _container(_worker(_render({"additionalWorkerGroups": {"g": {}}}, version), 1))
    effective = effective_group_values({"additionalWorkerGroups": {"g": {}}}, version)["g"]["resources"]
    if version in CHARTS_1_6_TO_1_7:
        expected = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}
        assert container["resources"] == expected
        assert effective == expected
    else:
        assert "resources" not in container
        assert effective is None


@pytest.mark.parametrize("version", CHARTS_1_6_TO_1_7)
def test_16_default_resources_also_for_empty_resources(version: str) -> None:
    empty: tuple[dict[str, Any] | None, ...] = ({}, None)
    for resources in empty:
        container = _container(
            _worker(_render({"additionalWorkerGroups": {"g": {"resources": resources}}}, version), 1)
        )
        assert container["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}


@pytest.mark.parametrize("version", SUPPORTED_CHART_VERSIONS)
def test_runtime_class_and_resource_claims_from_16(version: str) -> None:
    group = {"runtimeClassName": "nvidia", "resourceClaims": [{"name": "gpu", "resourceClaimName": "c"}]}
    rendered = _render({"head": group, "worker": group, "additionalWorkerGroups": {"g": group}}, version)
    pods = [rendered["spec"]["headGroupSpec"]["template"]["spec"]] + [
        spec["template"]["spec"] for spec in rendered["spec"]["workerGroupSpecs"]
    ]
    for pod in pods:
        if version in CHARTS_1_6_TO_1_7:
            assert pod["runtimeClassName"] == "nvidia"
            assert pod["resourceClaims"] == [{"name": "gpu", "resourceClaimName": "c"}]
            assert list(pod)[-1] == "resourceClaims"
        else:
            assert "runtimeClassName" not in pod
            assert "resourceClaims" not in pod


@pytest.mark.parametrize(
    ("versions", "tag", "head_memory", "worker_memory", "worker_max", "small_max", "small_cpu"),
    [
        (CHARTS_1_4, "2.46.0", "2G", "1G", 3, 3, 1),
        (CHARTS_1_5, "2.46.0", "2G", "1G", 3, 3, 1),
        (CHARTS_1_6_TO_1_7, "2.52.0", "5Gi", "1Gi", 5, 5, 1),
    ],
)
def test_default_values_per_version(
    versions: tuple[str, ...],
    tag: str,
    head_memory: str,
    worker_memory: str,
    worker_max: int,
    small_max: int,
    small_cpu: int,
) -> None:
    for version in versions:
        defaults = chart_defaults(version)
        assert defaults["image"] == {"repository": "rayproject/ray", "tag": tag, "pullPolicy": "IfNotPresent"}
        assert defaults["nameOverride"] == "kuberay"
        assert defaults["fullnameOverride"] == ""
        assert defaults["head"]["resources"]["limits"] == {"cpu": "1", "memory": head_memory}
        assert defaults["worker"]["resources"]["requests"] == {"cpu": "1", "memory": worker_memory}
        assert defaults["worker"]["maxReplicas"] == worker_max
        small = defaults["additionalWorkerGroups"]["smallGroup"]
        assert small["disabled"] is True
        assert small["maxReplicas"] == small_max
        assert small["resources"]["limits"]["cpu"] == small_cpu  # an int in values.yaml, unlike head/worker
        assert ("runtimeClassName" in defaults["head"]) == (version in CHARTS_1_6_TO_1_7)


@pytest.mark.parametrize("version", SUPPORTED_CHART_VERSIONS)
def test_defaults_render(version: str) -> None:
    rendered = _render({}, version)
    tag = chart_defaults(version)["image"]["tag"]
    head = rendered["spec"]["headGroupSpec"]
    assert _container(head)["image"] == f"rayproject/ray:{tag}"
    assert head["serviceType"] == "ClusterIP"
    assert [g["groupName"] for g in rendered["spec"]["workerGroupSpecs"]] == ["workergroup"]
    assert _worker(rendered)["maxReplicas"] == chart_defaults(version)["worker"]["maxReplicas"]
    assert list(rendered["spec"]) == ["headGroupSpec", "workerGroupSpecs"]
