"""Each validation rule, with the path and fix a user sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from raywizard.chart import SUPPORTED_CHART_VERSIONS
from raywizard.documents.presets import load_preset
from raywizard.model.problems import Severity, has_errors
from raywizard.model.spec import ClusterSpec, IgnoreMode, Resources, WorkerGroup
from raywizard.validation.validate import validate


def codes(spec: ClusterSpec) -> dict[str, tuple[str, Severity]]:
    """code -> (path, severity) of the first problem with that code."""
    found: dict[str, tuple[str, Severity]] = {}
    for problem in validate(spec):
        found.setdefault(problem.code, (problem.path, problem.severity))
    return found


def autoscaling_spec() -> ClusterSpec:
    spec = load_preset("large-autoscaling")
    assert validate(spec) == []
    return spec


def test_bundled_presets_have_no_errors() -> None:
    for name in ("argocd-guide", "minimal", "gpu", "large-autoscaling"):
        assert not has_errors(validate(load_preset(name))), name


def test_guide_warns_about_latest_and_the_all_in_one_version_mismatch() -> None:
    spec = load_preset("argocd-guide")
    assert codes(spec)["moving-tag"] == ("image.tag", Severity.WARNING)
    spec.versions.chart = "1.4.1"
    assert codes(spec)["version-mismatch"] == ("versions.chart", Severity.WARNING)


def test_names() -> None:
    spec = ClusterSpec()
    spec.target.release_name = "a" * 60
    assert codes(spec)["name-too-long"][0] == "target.releaseName"
    spec.target.release_name = "9lives"
    assert "invalid-name" in codes(spec) or "invalid-value" in codes(spec)
    spec.target.release_name = "Bad_Name"
    assert codes(spec)["invalid-value"] == ("target.releaseName", Severity.ERROR)


def test_groups_unique_and_replica_bounds() -> None:
    spec = autoscaling_spec()
    spec.worker_groups[1].name = "small"
    assert codes(spec)["duplicate-group"] == ("workerGroups[1].name", Severity.ERROR)
    spec = autoscaling_spec()
    spec.worker_groups[0].min_replicas, spec.worker_groups[0].replicas = 60, 70
    found = {p.code: p for p in validate(spec)}
    # KubeRay up to 1.5 runs maxReplicas workers when the bounds contradict; 1.6 and later refuse the cluster.
    assert (found["min-gt-max"].path, found["min-gt-max"].severity) == ("workerGroups[0].minReplicas",
                                                                        Severity.WARNING)
    assert "runs 50 worker(s)" in found["min-gt-max"].message
    assert "replicas-gt-max" not in found  # maxReplicas wins, whatever replicas says
    spec.versions.kuberay = "v1.6.0"
    assert codes(spec)["min-gt-max"] == ("workerGroups[0].minReplicas", Severity.ERROR)
    spec = autoscaling_spec()
    spec.worker_groups[0].min_replicas, spec.worker_groups[0].replicas = 2, 1
    found = {p.code: p for p in validate(spec)}
    assert (found["replicas-lt-min"].severity, found["replicas-lt-min"].path) == (Severity.WARNING,
                                                                                  "workerGroups[0].replicas")
    assert "KubeRay runs 2 worker(s)" in found["replicas-lt-min"].message
    spec.worker_groups[0].replicas = 51
    found = {p.code: p for p in validate(spec)}
    assert (found["replicas-gt-max"].severity, found["replicas-gt-max"].path) == (Severity.WARNING,
                                                                                  "workerGroups[0].replicas")
    assert "KubeRay runs 50 worker(s)" in found["replicas-gt-max"].message
    spec.worker_groups[0].replicas = -1
    assert codes(spec)["invalid-value"][0] == "workerGroups[0].replicas"


def test_effective_resources_catch_requests_above_the_charts_default_limits() -> None:
    spec = ClusterSpec()
    spec.worker_groups[0].resources = Resources(requests={"cpu": "4", "memory": "8G"})
    problems = [p for p in validate(spec) if p.code == "request-gt-limit"]
    assert {p.path for p in problems} == {"workerGroups[0].cpuRequest", "workerGroups[0].memoryRequest"}
    assert all("chart's defaults" in p.message for p in problems)
    spec.head.resources = Resources(requests={"memory": "4G"})
    assert any(p.path == "head.memoryRequest" for p in validate(spec) if p.code == "request-gt-limit")


def test_quantities() -> None:
    spec = ClusterSpec()
    spec.worker_groups[0].resources = Resources(requests={"cpu": "two"}, limits={"cpu": "2"})
    problem = next(p for p in validate(spec) if p.path == "workerGroups[0].cpuRequest")
    assert "quantity" in problem.message and problem.fix


def test_unknown_versions() -> None:
    spec = ClusterSpec()
    spec.versions.kuberay = "v9.9.9"
    spec.versions.chart = "0.1.0"
    found = {p.path for p in validate(spec) if p.code == "unknown-version"}
    assert found == {"versions.kuberay", "versions.chart"}


def test_autoscaling_without_the_replicas_rule_is_an_error_with_self_heal() -> None:
    spec = autoscaling_spec()
    spec.ignore_mode = IgnoreMode.NONE
    assert codes(spec)["missing-replicas-rule"] == ("ignoreDifferences.mode", Severity.ERROR)
    spec.sync.self_heal = False
    assert codes(spec)["missing-replicas-rule"][1] is Severity.WARNING


def test_respect_ignore_differences_pitfall() -> None:
    spec = autoscaling_spec()
    spec.sync.options.append("RespectIgnoreDifferences=true")
    assert codes(spec)["respect-ignore-differences"] == ("sync.options", Severity.ERROR)


def test_head_num_cpus_with_autoscaling() -> None:
    spec = autoscaling_spec()
    spec.head.ray_start_params["num-cpus"] = "4"
    assert codes(spec)["head-cpus"] == ("head.numCpus", Severity.WARNING)


def test_max_zero_and_missing_replicas() -> None:
    spec = ClusterSpec()
    spec.worker_groups.append(WorkerGroup("extra", max_replicas=0))
    found = codes(spec)
    assert found["max-zero"][0] == "workerGroups[1].maxReplicas"
    assert found["replicas-unset"][0] == "workerGroups[1].replicas"


def test_every_problem_has_a_path_message_and_fix() -> None:
    spec = ClusterSpec()
    spec.target.namespace = "Not OK"
    spec.worker_groups[0].custom_resources = {"x": 0.5}
    spec.head.enable_in_tree_autoscaling = True
    for problem in validate(spec):
        assert problem.path and problem.message and problem.fix


def test_a_blank_image_tag_is_reported_on_the_tag_with_the_chart_default() -> None:
    spec = load_preset("argocd-guide")
    assert spec.versions.image is not None
    spec.versions.image.tag = ""
    problem = next(p for p in validate(spec) if p.code == "image-part-missing")
    assert problem.path == "image.tag" and "2.46.0" in problem.fix
    assert not [p for p in validate(spec) if p.code == "chart-render"]


# ------------------------------------------------------------------------------------ users' own values files
CORPUS = Path(__file__).resolve().parent.parent / "data" / "values-corpus"


def _file_problems(text: str, version: str = "1.5.1") -> list[Any]:
    from raywizard.documents.roundtrip_yaml import load_plain
    from raywizard.render.helm_values import spec_from_values

    values = load_plain(text) or {}
    spec = spec_from_values(values)
    spec.versions.chart = spec.versions.kuberay.lstrip("v") if version == "same" else version
    spec.versions.kuberay = f"v{spec.versions.chart}"
    return validate(spec, values)


@pytest.mark.parametrize("version", SUPPORTED_CHART_VERSIONS)
def test_no_corpus_file_has_an_error(version: str) -> None:
    for path in sorted(CORPUS.glob("*.yaml")):
        errors = [str(p) for p in _file_problems(path.read_text(encoding="utf-8"), version) if p.is_error]
        assert errors == [], path.name


def test_a_file_setting_only_the_tag_gets_the_chart_repository_and_pull_policy() -> None:
    assert _file_problems("image:\n  tag: '2.49.0'\n") == []
    assert _file_problems("image:\n  pullPolicy: Always\n") == []


def test_a_group_image_without_repository_is_an_error_because_it_cannot_be_pulled() -> None:
    problems = _file_problems("worker:\n  image:\n    tag: '2.49.0'\n")
    errors = [p for p in problems if p.is_error]
    assert {p.path for p in errors} == {"workerGroups[0].image"}
    missing = next(p for p in errors if p.code == "image-part-missing")
    assert "':2.49.0'" in missing.message


def test_mixed_case_group_names_are_accepted() -> None:
    text = "worker:\n  groupName: cpuGroup\nadditionalWorkerGroups:\n  GPUWorkers:\n    replicas: 1\n"
    assert _file_problems(text) == []


def test_the_charts_own_small_group_stays_disabled_unless_the_file_enables_it() -> None:
    text = "additionalWorkerGroups:\n  smallGroup:\n    replicas: 1\n"
    assert [(p.code, p.severity) for p in _file_problems(text)] == [("disabled-by-chart", Severity.WARNING)]
    assert _file_problems(text.replace("replicas: 1", "disabled: false")) == []


def test_group_names_that_break_pods_are_errors() -> None:
    for name in ("gpu_group", "-gpu", "x" * 64, "a b"):
        text = f"additionalWorkerGroups:\n  {name!r}:\n    replicas: 1\n"
        codes_found = {p.code for p in _file_problems(text) if p.is_error}
        assert codes_found == {"invalid-value"}, name


def test_a_disabled_group_is_not_validated() -> None:
    text = (
        "additionalWorkerGroups:\n"
        "  Bad_Group:\n    disabled: true\n    replicas: 5\n    maxReplicas: 1\n"
        "    resources: {requests: {cpu: '8'}, limits: {cpu: '1'}}\n"
        "  worker-dup:\n    disabled: true\n"
    )
    assert not [p for p in _file_problems(text) if p.is_error]
    enabled = text.replace("disabled: true\n    replicas", "replicas")
    assert {p.code for p in _file_problems(enabled) if p.is_error} >= {"invalid-value", "request-gt-limit"}
    assert "replicas-gt-max" in {p.code for p in _file_problems(enabled) if not p.is_error}


def test_a_gpu_group_on_rays_cpu_image_is_a_warning_offering_the_gpu_image() -> None:
    gpus = "    resources:\n      limits:\n        nvidia.com/gpu: 1\n      requests:\n        nvidia.com/gpu: 1\n"
    text = "image:\n  tag: 2.46.0\nadditionalWorkerGroups:\n  gpu:\n    replicas: 1\n" + gpus
    (problem,) = _file_problems(text)
    assert (problem.code, problem.severity, problem.path) == ("gpu-cpu-image", Severity.WARNING,
                                                              "workerGroups[1].image")
    assert problem.setting == "workerGroups[1].image=rayproject/ray:2.46.0-gpu"
    own_image = "    image:\n      repository: rayproject/ray\n      tag: 2.46.0-py311-cu121\n"
    assert _file_problems(text + own_image) == []
    assert _file_problems(text.replace("tag: 2.46.0", "tag: 2.46.0-gpu")) == []
    assert _file_problems(text.replace("replicas: 1", "disabled: true")) == []  # not rendered


def test_no_operator_mismatch_for_files_that_name_no_operator(tmp_path: Path) -> None:
    from raywizard.documents.workspace import Workspace

    guide = Path(__file__).parents[1] / "data" / "guide"
    cluster_only = tmp_path / "raycluster.yaml"
    cluster_only.write_text((guide / "raycluster.yaml").read_text().replace('targetRevision: "1.5.1"',
                                                                             'targetRevision: "1.4.1"'))
    values_file = tmp_path / "values.yaml"
    values_file.write_text("worker:\n  replicas: 1\n")
    for path in (cluster_only, values_file):
        spec = Workspace.load(path).spec
        spec.versions.chart = "1.4.1"
        assert "version-mismatch" not in codes(spec), path.name
    # The operator Applications name the operator: there the mismatch is real.
    spec = Workspace.load(guide / "ray-argocd-all.yaml").spec
    assert spec.versions.chart == "1.4.1" and "version-mismatch" in codes(spec)
    new = ClusterSpec()
    new.versions.chart = "1.4.1"  # raywizard writes the operator Applications of a new spec itself
    assert "version-mismatch" in codes(new)
