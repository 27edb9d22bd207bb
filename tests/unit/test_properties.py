"""Random specs and random values files through validate / render / template: never an uncaught exception, and
every rejection says where and how to fix it."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raywizard.chart import SUPPORTED_CHART_VERSIONS
from raywizard.model.problems import has_errors
from raywizard.model.spec import AutoscalerOptions, ClusterSpec, IgnoreMode, Image, Resources, WorkerGroup
from raywizard.render.applications import desired_raycluster, render_applications, render_files
from raywizard.render.helm_values import spec_from_values
from raywizard.validation.validate import validate

names = st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True), st.text(max_size=70))
quantities = st.one_of(st.sampled_from(["1", "500m", "2Gi", "1G", "0", "-1", "abc", "1e3", "8Gi"]),
                       st.integers(-2, 64), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8))
counts = st.one_of(st.none(), st.integers(-5, 2_000_000))
resource_maps = st.dictionaries(st.sampled_from(["cpu", "memory", "nvidia.com/gpu", "ephemeral-storage"]),
                                quantities, max_size=4)
resources = st.one_of(st.none(), st.builds(Resources, requests=resource_maps, limits=resource_maps))
images = st.one_of(st.none(), st.builds(Image, repository=st.sampled_from(["rayproject/ray", "", "x/y"]),
                                        tag=st.sampled_from(["2.46.0", "latest", "", "bad tag!"])))
groups = st.builds(
    WorkerGroup, name=names, disabled=st.one_of(st.none(), st.booleans()), replicas=counts, min_replicas=counts,
    max_replicas=counts, custom_resources=st.dictionaries(names, st.one_of(st.integers(-1, 9), st.floats()),
                                                          max_size=2),
    resources=resources, image=images,
)


@st.composite
def specs(draw: Any) -> ClusterSpec:
    spec = ClusterSpec()
    spec.versions.chart = draw(st.sampled_from([*SUPPORTED_CHART_VERSIONS, "0.0.1", "1.5"]))
    spec.versions.kuberay = draw(st.sampled_from(["v1.5.1", "v1.4.1", "v1.7.0", "nope"]))
    spec.versions.image = draw(images)
    spec.target.release_name = draw(st.one_of(st.none(), names))
    spec.target.namespace = draw(names)
    spec.head.enable_in_tree_autoscaling = draw(st.one_of(st.none(), st.booleans()))
    spec.head.ray_start_params = draw(st.dictionaries(st.sampled_from(["num-cpus", "dashboard-host"]),
                                                      st.text(max_size=5), max_size=2))
    if draw(st.booleans()):
        spec.head.autoscaler_options = AutoscalerOptions(version="v2", idle_timeout_seconds=draw(counts))
    spec.head.resources = draw(resources)
    spec.worker_groups = draw(st.lists(groups, min_size=1, max_size=5))
    spec.ignore_mode = draw(st.sampled_from(list(IgnoreMode)))
    spec.sync.options = draw(st.lists(st.sampled_from(["RespectIgnoreDifferences=true", "PruneLast=true"]),
                                      max_size=2))
    return spec


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_random_specs_validate_and_render_without_exceptions(spec: ClusterSpec) -> None:
    problems = validate(spec)
    for problem in problems:
        assert problem.path and problem.message and problem.fix
    render_applications(spec)
    if not has_errors(problems):
        render_files(spec)
        desired_raycluster(spec)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 10), st.text(max_size=6)),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=12,
)
values_files = st.fixed_dictionaries({}, optional={
    "image": st.one_of(json_values, st.fixed_dictionaries({"repository": st.text(max_size=5),
                                                           "tag": st.text(max_size=5)})),
    "head": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "rayStartParams": json_values, "enableInTreeAutoscaling": json_values, "resources": json_values,
        "autoscalerOptions": json_values})),
    "worker": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "groupName": st.text(max_size=8), "replicas": json_values, "maxReplicas": json_values,
        "rayStartParams": json_values, "resources": json_values, "disabled": json_values})),
    "additionalWorkerGroups": st.dictionaries(st.text(max_size=8), json_values, max_size=3),
    "nameOverride": json_values,
})


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values_files)
def test_random_values_files_never_crash_validation(values: dict[str, Any]) -> None:
    spec = spec_from_values(values)
    for problem in validate(spec):
        assert problem.path and problem.message and problem.fix
    render_applications(spec)
