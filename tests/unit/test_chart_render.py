"""Details of the RayCluster the chart renders (checked against Go text/template + sprig renders)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raywizard.chart import ChartRenderError, render_raycluster, rendered_worker_groups


def _render(
    values: dict[str, Any], version: str = "1.5.1", release: str = "raycluster", namespace: str = "ray"
) -> dict[str, Any]:
    return render_raycluster(values, release_name=release, namespace=namespace, chart_version=version)


def _head(rendered: dict[str, Any]) -> dict[str, Any]:
    return rendered["spec"]["headGroupSpec"]


def _workers(rendered: dict[str, Any]) -> list[dict[str, Any]]:
    return rendered["spec"]["workerGroupSpecs"]


def _pod(group: dict[str, Any]) -> dict[str, Any]:
    return group["template"]["spec"]


def test_ray_start_params_are_quoted_strings() -> None:
    params = {
        "num-cpus": 0,
        "big": 1000000,
        "max": 2147483647,
        "half": 1.5,
        "block": True,
        "nope": False,
        "none": None,
        "small": 0.00001,
        "text": "a b",
        "map": {"y": [1, "a"], "x": 1},
    }
    rendered = _head(_render({"head": {"rayStartParams": params}}))["rayStartParams"]
    assert rendered == {
        "big": "1e+06",  # Go %v of a float64
        "block": "true",
        "half": "1.5",
        "map": "map[x:1 y:[1 a]]",
        "max": "2.147483647e+09",
        "none": None,  # `quote` skips nil: `none:` reads as null
        "nope": "false",
        "num-cpus": "0",
        "small": "1e-05",
        "text": "a b",
    }
    assert list(rendered) == sorted(params)  # Go ranges maps in key order


def test_init_args_alias_is_written_after_ray_start_params() -> None:
    values = {
        "worker": {"rayStartParams": {"num-cpus": 2, "a": "x"}, "initArgs": {"num-cpus": 1, "block": True}}
    }
    assert _workers(_render(values))[0]["rayStartParams"] == {"a": "x", "num-cpus": "1", "block": "true"}
    only_init = _head(_render({"head": {"initArgs": {"port": 6379}}}))
    assert only_init["rayStartParams"] == {"port": "6379"}


def test_ray_start_params_keys_are_read_as_yaml() -> None:
    values = {"head": {"rayStartParams": {"1": "a", "yes": "b", "0x1f": "c", "a b": "d", "off": "e"}}}
    assert _head(_render(values))["rayStartParams"] == {
        "1": "a",
        "true": "b",
        "31": "c",
        "a b": "d",
        "false": "e",
    }


def test_replicas_and_defaults() -> None:
    groups = {
        "a-missing": {"replicas": None},
        "b-big": {"replicas": 1000000, "maxReplicas": 2147483647},
        "c-string": {"replicas": "5", "minReplicas": "0", "numOfHosts": 2},
        "d-zero": {"replicas": 0, "minReplicas": 0, "maxReplicas": 0, "numOfHosts": 0},
        "e-half": {"replicas": 2.5, "maxReplicas": False},
    }
    specs = _workers(_render({"worker": {"disabled": True}, "additionalWorkerGroups": groups}))
    compact = {
        s["groupName"]: (s["replicas"], s["minReplicas"], s["maxReplicas"], s["numOfHosts"]) for s in specs
    }
    assert compact == {
        "a-missing": (None, 0, 2147483647, 1),  # `replicas: ` reads as null
        "b-big": (1000000, 0, 2147483647, 1),  # written 1e+06 and 2.147483647e+09; Kubernetes reads numbers
        "c-string": (5, 0, 2147483647, 2),  # "0" is not empty for sprig's default
        "d-zero": (0, 0, 2147483647, 1),
        "e-half": (2.5, 0, 2147483647, 1),
    }


def test_head_pod_keys_in_template_order() -> None:
    head = {
        "initContainers": [{"name": "init"}],
        "command": ["ray"],
        "args": ["--x"],
        "containerEnv": [{"name": "H", "value": "h"}],
        "envFrom": [{"secretRef": {"name": "s"}}],
        "ports": [{"containerPort": 6379, "name": "gcs"}],
        "lifecycle": {"preStop": {"exec": {"command": ["stop"]}}},
        "securityContext": {"runAsUser": 1000},
        "sidecarContainers": [{"name": "side", "image": "busybox"}],
        "dnsConfig": {"nameservers": ["8.8.8.8"]},
        "nodeSelector": {"pool": "head"},
        "affinity": {"nodeAffinity": {}},
        "tolerations": [{"key": "k", "operator": "Exists"}],
        "priorityClassName": "high",
        "priority": 1000000,
        "topologySpreadConstraints": [{"maxSkew": 1}],
        "restartPolicy": "Always",
        "serviceAccountName": "sa",
        "podSecurityContext": {"fsGroup": 100},
        "headService": {"metadata": {"annotations": {"a": "b"}}},
        "labels": {"team": "ml"},
        "annotations": {"note": "x"},
    }
    values = {
        "head": head,
        "common": {"containerEnv": [{"name": "C", "value": "c"}]},
        "imagePullSecrets": [{"name": "p"}],
    }
    group = _head(_render(values))
    assert list(group) == ["headService", "serviceType", "template"]
    pod = _pod(group)
    assert list(pod) == [
        "initContainers", "containers", "imagePullSecrets", "volumes", "dnsConfig", "nodeSelector",
        "affinity",
        "tolerations", "priorityClassName", "priority", "topologySpreadConstraints", "restartPolicy",
        "serviceAccountName", "securityContext",
    ]  # fmt: skip
    container = pod["containers"][0]
    assert list(container) == [
        "name", "image", "imagePullPolicy", "command", "args", "env", "envFrom", "volumeMounts", "ports",
        "resources", "lifecycle", "securityContext",
    ]  # fmt: skip
    assert container["env"] == [{"name": "C", "value": "c"}, {"name": "H", "value": "h"}]  # common first
    assert pod["containers"][1] == {"image": "busybox", "name": "side"}
    assert pod["priority"] == 1000000
    assert pod["securityContext"] == {"fsGroup": 100}
    labels = group["template"]["metadata"]["labels"]
    assert list(labels) == [
        "helm.sh/chart",
        "app.kubernetes.io/instance",
        "app.kubernetes.io/managed-by",
        "team",
    ]
    assert group["template"]["metadata"]["annotations"] == {"note": "x"}


def test_additional_group_writes_lifecycle_before_resources() -> None:
    values = {"additionalWorkerGroups": {"g": {"lifecycle": {"a": 1}, "resources": {"limits": {"cpu": 2}}}}}
    container = _pod(_workers(_render(values))[1])["containers"][0]
    assert list(container) == ["name", "image", "imagePullPolicy", "lifecycle", "resources"]


def test_additional_groups_share_only_image_env_and_pull_secrets() -> None:
    values = {
        "image": {"repository": "r", "tag": "t", "pullPolicy": "Always"},
        "common": {"containerEnv": [{"name": "C"}]},
        "imagePullSecrets": [{"name": "p"}],
        "worker": {"nodeSelector": {"a": "b"}, "containerEnv": [{"name": "W"}]},
        "additionalWorkerGroups": {"g": {"containerEnv": None}, "h": {"containerEnv": [{"name": "X"}]}},
    }
    worker, g, h = (_pod(spec) for spec in _workers(_render(values)))
    assert worker["containers"][0]["env"] == [{"name": "C"}, {"name": "W"}]
    assert g == {
        "containers": [
            {"name": "ray-worker", "image": "r:t", "imagePullPolicy": "Always", "env": [{"name": "C"}]}
        ],
        "imagePullSecrets": [{"name": "p"}],
    }
    assert h["containers"][0]["env"] == [{"name": "C"}, {"name": "X"}]


def test_group_image_overrides_top_level_image() -> None:
    values = {
        "head": {"image": {"repository": "h", "tag": 2.1, "pullPolicy": "Never"}},
        "worker": {"image": {}},
        "image": {"repository": "r", "tag": "1"},
    }
    rendered = _render(values)
    assert _pod(_head(rendered))["containers"][0]["image"] == "h:2.1"
    worker = _pod(_workers(rendered)[0])["containers"][0]
    assert worker["image"] == "r:1"
    assert worker["imagePullPolicy"] == "IfNotPresent"  # the user's image map merges with the chart's


def test_metadata_annotations_and_scalars_read_as_yaml() -> None:
    values = {
        "annotations": {"argocd.argoproj.io/sync-options": "ServerSideApply=true", "n": 5},
        "head": {
            "rayVersion": 2.5,
            "enableInTreeAutoscaling": "yes",
            "autoscalerOptions": {"idleTimeoutSeconds": 60},
        },
    }
    rendered = _render(values, release="123", namespace="")
    assert list(rendered["metadata"]) == ["name", "namespace", "labels", "annotations"]
    assert rendered["metadata"]["annotations"] == {
        "argocd.argoproj.io/sync-options": "ServerSideApply=true",
        "n": 5,
    }
    assert rendered["metadata"]["name"] == "123-kuberay"
    assert rendered["metadata"]["namespace"] is None
    assert rendered["metadata"]["labels"]["app.kubernetes.io/instance"] == 123  # `instance: 123` is a number
    assert list(rendered["spec"])[:3] == ["rayVersion", "enableInTreeAutoscaling", "autoscalerOptions"]
    assert rendered["spec"]["rayVersion"] == 2.5
    assert rendered["spec"]["enableInTreeAutoscaling"] is True


@pytest.mark.parametrize(("value", "expected"), [(False, None), ("false", False), (0, None), ("", None)])
def test_with_skips_empty_values(value: object, expected: object) -> None:
    spec = _render({"head": {"enableInTreeAutoscaling": value}})["spec"]
    assert spec.get("enableInTreeAutoscaling") == expected
    assert ("enableInTreeAutoscaling" in spec) == (expected is not None)


def test_user_labels_override_chart_labels_in_place() -> None:
    values = {"worker": {"labels": {"app.kubernetes.io/instance": "mine", "a": "1"}}}
    labels = _workers(_render(values))[0]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/instance"] == "mine"
    assert list(labels)[-1] == "a"


@pytest.mark.parametrize("number", [float("nan"), float("inf"), 10**400])
def test_non_finite_numbers_cannot_be_helm_values(number: float) -> None:
    # Helm reads values files through YAML -> JSON, which cannot carry them.
    with pytest.raises(ChartRenderError, match=r"head\.nodeSelector\.a"):
        _render({"head": {"nodeSelector": {"a": number}}})


def test_no_value_marker_is_stripped_like_helm_does() -> None:
    rendered = _render({"head": {"priorityClassName": "x<no value>", "annotations": {"a": "<no value>"}}})
    assert _pod(_head(rendered))["priorityClassName"] == "x"
    assert _head(rendered)["template"]["metadata"]["annotations"] == {"a": None}


@pytest.mark.parametrize(
    ("values", "path"),
    [
        ({"head": None}, "head"),
        ({"service": None}, "service"),
        ({"common": None}, "common"),
        ({"worker": {"containerEnv": None}}, "worker.containerEnv"),
        ({"additionalWorkerGroups": {"g": None}}, "additionalWorkerGroups.g"),
        ({"additionalWorkerGroups": {"g": "x"}}, "additionalWorkerGroups.g"),
        ({"image": {"repository": "r", "tag": None}}, "image"),
        ({"head": {"image": "r:t"}}, "head.image"),
        ({"nameOverride": 5}, "nameOverride"),
        ({"fullnameOverride": 5}, "fullnameOverride"),
        ({"head": {"rayStartParams": "x"}}, "head.rayStartParams"),
        ({"worker": {"tolerations": {"a": "b"}}}, "worker.tolerations"),
        ({"head": {"sidecarContainers": {"name": "x"}}}, "head.sidecarContainers"),
        ({"head": {"labels": ["a"]}}, "head.labels"),
        ({"head": {"priorityClassName": "a: b"}}, "head.priorityClassName"),
        ({"head": {"priorityClassName": "[a]"}}, "head.priorityClassName"),
        ({"head": {"priorityClassName": ".inf"}}, "head.priorityClassName"),
        ({"head": {"rayStartParams": {"#x": 1}}}, "head.rayStartParams"),
    ],
)
def test_values_helm_cannot_render_are_errors_naming_the_path(values: dict[str, Any], path: str) -> None:
    with pytest.raises(ChartRenderError) as info:
        _render(values)
    assert path in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("release", ["", "Ray", "a_b", "-a", "a" * 54])
def test_invalid_release_names_are_refused_like_helm(release: str) -> None:
    with pytest.raises(ChartRenderError, match="release name"):
        _render({}, release=release)


def test_groups_named_like_other_yaml_types() -> None:
    values = {"worker": {"disabled": True}, "additionalWorkerGroups": {"1": {}, "yes": {}, "x": {}}}
    assert [s["groupName"] for s in _workers(_render(values))] == [1, "x", True]
    assert rendered_worker_groups(values, "1.5.1") == ["1", "x", "true"]


def test_rendering_is_json_serialisable_and_deterministic() -> None:
    values = {"additionalWorkerGroups": {"b": {"labels": {"z": 1, "a": 2}}, "a": {}}}
    first = json.dumps(_render(values))
    assert first == json.dumps(_render(values))


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3_000_000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "x", "0", "yes", "a: b", "-", "[a]", "1e6", "#c", "<no value>", "ünï", "a\nb"]),
    st.text(max_size=6),
)
_json = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)
_group_keys = st.sampled_from([
    "disabled", "groupName", "replicas", "minReplicas", "maxReplicas", "numOfHosts", "rayStartParams",
    "initArgs", "image", "labels", "annotations", "containerEnv", "command", "resources", "tolerations",
    "volumes", "sidecarContainers", "priority", "runtimeClassName", "resourceClaims", "headService",
    "rayVersion",
])  # fmt: skip
_groups = st.dictionaries(_group_keys, _json, max_size=5)
_values = st.fixed_dictionaries(
    {},
    optional={
        "head": st.one_of(_groups, _json),
        "worker": _groups,
        "additionalWorkerGroups": st.dictionaries(st.text(max_size=4), _groups, max_size=3),
        "common": st.fixed_dictionaries({"containerEnv": _json}),
        "image": _json,
        "imagePullSecrets": _json,
        "nameOverride": _json,
        "fullnameOverride": _json,
        "gcsFaultTolerance": st.dictionaries(
            st.sampled_from(["enabled", "redisAddress", "redisPassword"]), _json
        ),
        "annotations": _json,
        "service": _json,
    },
)


@settings(max_examples=300, deadline=None)
@given(_values, st.sampled_from(["1.4.0", "1.5.2", "1.7.0"]))
def test_random_values_render_or_fail_with_a_chart_error(values: dict[str, Any], version: str) -> None:
    try:
        rendered = _render(values, version=version)
    except ChartRenderError as error:
        assert error.message
        return
    json.dumps(rendered)
    assert rendered["kind"] == "RayCluster"
