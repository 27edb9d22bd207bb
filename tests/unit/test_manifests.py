"""The spec renders exactly the guide's Applications and the RayCluster Helm renders."""

from __future__ import annotations

import yaml

from raywizard.documents.presets import load_preset
from raywizard.model.spec import ClusterSpec, IgnoreMode, WorkerGroup
from raywizard.render.applications import (
    desired_raycluster,
    ignore_rules,
    raycluster_name,
    render_applications,
    render_files,
)
from raywizard.render.helm_values import spec_from_values
from tests.conftest import FIXTURES, GOLDEN


def test_argocd_guide_preset_renders_the_guides_three_files() -> None:
    apps = render_applications(load_preset("argocd-guide"))
    for app, name in zip(apps, ("ray-operator-crds.yaml", "ray-operator.yaml", "raycluster.yaml"), strict=True):
        assert app == yaml.safe_load((FIXTURES / name).read_text())


def test_render_files_single_and_split_parse_to_the_same_documents() -> None:
    spec = load_preset("argocd-guide")
    (single,) = render_files(spec, "single").values()
    split = render_files(spec, "split")
    assert list(split) == ["ray-operator-crds.yaml", "ray-operator.yaml", "raycluster.yaml"]
    assert list(yaml.safe_load_all(single)) == [yaml.safe_load(t) for t in split.values()]


def test_golden_renders_through_the_spec() -> None:
    for name in ("seed", "gpu"):
        values = yaml.safe_load((GOLDEN / "values" / f"{name}.yaml").read_text())
        spec = spec_from_values(values)
        spec.target.release_name, spec.target.namespace, spec.versions.chart = "raycluster", "ray-cluster", "1.5.1"
        expected = yaml.safe_load((GOLDEN / f"ray-cluster-v1.5.1-{name}-raycluster.yaml").read_text())
        assert desired_raycluster(spec) == expected


def test_ignore_rule_name_follows_the_chart_fullname_rule() -> None:
    spec = ClusterSpec()
    spec.target.release_name = "raycluster"
    assert raycluster_name(spec) == "raycluster-kuberay"
    spec.target.release_name = "my-kuberay-prod"
    assert raycluster_name(spec) == "my-kuberay-prod"
    assert ignore_rules(spec)[0]["name"] == "my-kuberay-prod"


def test_json_pointers_follow_the_rendered_group_order_and_skip_disabled_groups() -> None:
    spec = ClusterSpec(ignore_mode=IgnoreMode.POINTERS)
    spec.worker_groups = [
        WorkerGroup("workergroup", replicas=1),
        WorkerGroup("zzz-group", replicas=1),
        WorkerGroup("off", disabled=True, replicas=1),
        WorkerGroup("aaa-group", replicas=1),
    ]
    assert [g.name for g in spec.rendered_groups()] == ["workergroup", "aaa-group", "zzz-group"]
    rendered = [g["groupName"] for g in desired_raycluster(spec)["spec"]["workerGroupSpecs"]]
    assert rendered == ["workergroup", "aaa-group", "zzz-group"]
    assert ignore_rules(spec)[0]["jsonPointers"] == [f"/spec/workerGroupSpecs/{i}/replicas" for i in range(3)]


def test_custom_resources_are_written_as_the_chart_and_ray_expect() -> None:
    spec = ClusterSpec()
    spec.worker_groups[0].custom_resources = {"standard-worker": 1}
    app = render_applications(spec)[2]
    params = app["spec"]["source"]["helm"]["valuesObject"]["worker"]["rayStartParams"]
    assert params["resources"] == '"{\\"standard-worker\\": 1}"'
    rendered = desired_raycluster(spec)["spec"]["workerGroupSpecs"][0]["rayStartParams"]["resources"]
    assert rendered == '"{\\"standard-worker\\": 1}"'


def test_sync_policy_without_automation_and_with_server_side_apply_for_crds() -> None:
    from raywizard.model.spec import CrdSyncMode

    spec = ClusterSpec()
    spec.sync.automated = False
    spec.sync.crd_mode = CrdSyncMode.SERVER_SIDE_APPLY
    crds, operator, _ = render_applications(spec)
    assert "automated" not in crds["spec"]["syncPolicy"]
    assert crds["spec"]["syncPolicy"]["syncOptions"] == ["CreateNamespace=true", "ServerSideApply=true"]
    assert operator["spec"]["source"]["helm"] == {"skipCrds": True}


def test_bundled_presets_are_exactly_what_render_writes() -> None:
    from raywizard.documents.presets import bundled_dir

    for name in ("minimal", "gpu", "large-autoscaling"):
        text = (bundled_dir() / f"{name}.yaml").read_text()
        assert text.startswith("# description: ")
        assert next(iter(render_files(load_preset(name)).values())) == text.split("\n", 1)[1]
