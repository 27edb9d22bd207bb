"""ApplicationSets whose template holds the ray-cluster source: read from the first list element, edited in the
template (placeholders kept), the Applications of list generators rendered, the rest named as not modelled."""

from __future__ import annotations

import copy
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from raywizard.documents.workspace import Workspace
from raywizard.fields.set_paths import set_path
from raywizard.model.errors import InputError
from raywizard.render import applicationsets
from raywizard.validation.validate import validate

CORPUS = Path(__file__).resolve().parents[1] / "data" / "applications-corpus"
APPSET = CORPUS / "applicationset-list.yaml"


def _appset() -> dict[str, Any]:
    data = yaml.safe_load(APPSET.read_text())
    assert isinstance(data, dict)
    return data


def test_the_fields_show_the_first_elements_application() -> None:
    spec = Workspace.load([APPSET]).spec
    assert spec.target.cluster_app == "ray-staging" and spec.target.namespace == "ray-staging"
    assert spec.versions.image is not None and spec.versions.image.tag == "2.47.1"
    assert spec.app_set is not None and validate(spec) == []


def test_an_edit_goes_into_the_template_and_keeps_its_placeholders(tmp_path: Path) -> None:
    path = tmp_path / APPSET.name
    shutil.copy(APPSET, path)
    workspace = Workspace.load([path])
    set_path(workspace.spec, "workerGroups[0].maxReplicas", "6")
    data = yaml.safe_load(workspace.render()[path])
    template = data["spec"]["template"]
    assert template["metadata"]["name"] == "ray-{{env}}"
    assert template["spec"]["destination"]["namespace"] == "ray-{{ env }}"
    assert template["spec"]["source"]["helm"]["valuesObject"] == {
        "image": {"tag": "{{rayVersion}}"}, "worker": {"maxReplicas": 6, "labels": {"env": "{{env}}"}}}
    original = _appset()
    original["spec"]["template"]["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"] = 6
    assert data == original


def test_list_generator_applications() -> None:
    apps = applicationsets.generated_applications(_appset())
    assert [a["metadata"]["name"] for a in apps] == ["ray-staging", "ray-prod"]
    prod = apps[1]
    assert prod["metadata"]["namespace"] == "argocd"  # the ApplicationSet's namespace
    assert prod["metadata"]["labels"] == {"env": "prod"}
    assert prod["metadata"]["finalizers"] == [applicationsets.FINALIZER]
    assert prod["spec"]["destination"]["namespace"] == "ray-prod"  # spaces inside the braces trimmed
    assert prod["spec"]["source"]["helm"]["valuesObject"]["image"] == {"tag": "2.46.0"}


def test_finalizer_only_when_the_template_has_none_and_resources_are_not_preserved() -> None:
    appset = _appset()
    appset["spec"]["syncPolicy"]["preserveResourcesOnDeletion"] = True
    assert "finalizers" not in applicationsets.generated_applications(appset)[0]["metadata"]
    appset = _appset()
    appset["spec"]["template"]["metadata"]["finalizers"] = ["example.com/keep"]
    assert applicationsets.generated_applications(appset)[0]["metadata"]["finalizers"] == ["example.com/keep"]


def test_values_map_and_unknown_placeholders() -> None:
    appset = _appset()
    appset["spec"]["generators"][0]["list"]["elements"] = [{"env": "dev", "values": {"tier": "gold"}}]
    appset["spec"]["template"]["metadata"]["annotations"] = {"tier": "{{values.tier}}", "other": "{{ missing }}"}
    (app,) = applicationsets.generated_applications(appset)
    assert app["metadata"]["annotations"] == {"tier": "gold", "other": "{{ missing }}"}


def test_go_template_field_references() -> None:
    appset = _appset()
    appset["spec"]["goTemplate"] = True
    appset["spec"]["generators"][0]["list"]["elements"] = [{"env": "dev", "ray": {"version": "2.47.1"}}]
    template = appset["spec"]["template"]
    template["metadata"]["name"] = "ray-{{ .env }}"
    template["spec"]["source"]["helm"]["valuesObject"]["image"]["tag"] = "{{ .ray.version }}"
    template["metadata"]["labels"] = {"env": "{{ .env | upper }}"}
    (app,) = applicationsets.generated_applications(appset)
    assert app["metadata"]["name"] == "ray-dev"
    assert app["spec"]["source"]["helm"]["valuesObject"]["image"]["tag"] == "2.47.1"
    assert app["metadata"]["labels"] == {"env": "{{ .env | upper }}"}  # a pipeline: not modelled, kept
    assert any("only {{ .field }}" in line for line in applicationsets.describe(appset))


def test_a_non_string_element_value_is_an_error_naming_it(tmp_path: Path) -> None:
    appset = _appset()
    appset["spec"]["generators"][0]["list"]["elements"][0]["replicas"] = 3
    path = tmp_path / "appset.yaml"
    path.write_text(yaml.safe_dump(appset))
    with pytest.raises(InputError, match="replicas is not a string"):
        Workspace.load([path])


def test_other_generators_are_named_as_not_modelled(tmp_path: Path) -> None:
    appset = _appset()
    appset["spec"]["generators"].append({"git": {"repoURL": "https://git.example.com/x.git", "revision": "HEAD",
                                                 "directories": [{"path": "clusters/*"}]}})
    lines = applicationsets.describe(appset)
    assert lines[0].startswith("ApplicationSet ray-clusters generators[0]: list generator, 2 element(s): staging")
    assert lines[1] == "ApplicationSet ray-clusters generators[1]: git generator: not modelled (its Applications " \
                       "are not rendered)"
    path = tmp_path / "appset.yaml"
    path.write_text(yaml.safe_dump(appset))
    problems = validate(Workspace.load([path]).spec)
    assert [p.code for p in problems] == ["applicationset-not-modelled"]
    assert not problems[0].is_error


def test_render_generated_prints_the_applications(capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli.main import main

    assert main(["render", "--from", str(APPSET), "--generated", "--set", "workerGroups[0].maxReplicas=6",
                 "-o", "-"]) == 0
    captured = capsys.readouterr()
    apps = list(yaml.safe_load_all(io.StringIO(captured.out)))
    assert [a["metadata"]["name"] for a in apps] == ["ray-staging", "ray-prod"]
    values = [a["spec"]["source"]["helm"]["valuesObject"] for a in apps]
    assert [v["image"]["tag"] for v in values] == ["2.47.1", "2.46.0"]
    assert {v["worker"]["maxReplicas"] for v in values} == {6}
    assert "list generator, 2 element(s): staging, prod" in captured.err


def test_render_generated_without_an_applicationset_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli.main import main

    assert main(["render", "--from", str(CORPUS / "parameters.yaml"), "--generated", "-o", "-"]) == 2
    assert "--generated renders the Applications of an ApplicationSet" in capsys.readouterr().err


def test_wrong_types_in_the_template_name_the_template_path(tmp_path: Path) -> None:
    from raywizard.documents.shape_check import ShapeError

    appset = copy.deepcopy(_appset())
    appset["spec"]["template"]["spec"]["syncPolicy"]["syncOptions"] = "CreateNamespace=true"
    path = tmp_path / "appset.yaml"
    path.write_text(yaml.safe_dump(appset))
    with pytest.raises(ShapeError) as caught:
        Workspace.load([path])
    assert [p.path for p in caught.value.problems] == ["spec.template.spec.syncPolicy.syncOptions"]


@pytest.mark.parametrize("command", ["diff", "apply"])
def test_diff_and_apply_say_what_to_do_with_an_applicationset(command: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli.main import main

    kubeconfig = tmp_path / "absent-kubeconfig"
    assert main([command, "--from", str(APPSET), "--kubeconfig", str(kubeconfig), "--yes"][:None if command ==
                "apply" else -1]) == 2
    err = capsys.readouterr().err
    assert f"{command} works on Applications, and this is the ApplicationSet ray-clusters" in err
    assert "render --from FILE --generated --layout split -o DIR" in err and "Traceback" not in err


def test_without_list_elements_placeholders_are_checked_as_warnings(tmp_path: Path) -> None:
    appset = _appset()
    appset["spec"]["generators"] = [{"git": {"repoURL": "https://git.example.com/x.git", "revision": "HEAD",
                                             "files": [{"path": "clusters/*.json"}]}}]
    path = tmp_path / "appset.yaml"
    path.write_text(yaml.safe_dump(appset))
    spec = Workspace.load([path]).spec
    assert spec.target.cluster_app == "ray-{{env}}"  # the template as written
    problems = validate(spec)
    assert problems and not any(p.is_error for p in problems)
    assert any(p.path == "image.tag" and "a placeholder of the ApplicationSet" in p.message for p in problems)
    assert any(p.code == "applicationset-not-modelled" for p in problems)


def test_generated_applications_split_one_per_file_and_each_opens(tmp_path: Path) -> None:
    from raywizard.cli.main import main

    assert main(["render", "--from", str(APPSET), "--generated", "--layout", "split", "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == ["ray-prod.yaml", "ray-staging.yaml"]
    prod = Workspace.load([tmp_path / "ray-prod.yaml"]).spec
    assert prod.target.namespace == "ray-prod" and prod.versions.image is not None
    assert prod.versions.image.tag == "2.46.0"


def test_two_raycluster_applications_in_one_file_are_an_error(tmp_path: Path) -> None:
    from raywizard.render.emitter import emit_all

    path = tmp_path / "both.yaml"
    path.write_text(emit_all(applicationsets.generated_applications(_appset())))
    with pytest.raises(InputError, match=r"2 RayCluster Applications \(ray-staging, ray-prod\)"):
        Workspace.load([path])


def test_a_template_patch_is_named_as_not_modelled() -> None:
    appset = _appset()
    appset["spec"]["templatePatch"] = "spec:\n  project: '{{ .project }}'\n"
    assert applicationsets.describe(appset)[-1] == (
        "ApplicationSet ray-clusters: templatePatch: not modelled (the generated Applications are shown without it)")


def test_a_multi_source_template_reads_its_value_file_from_the_checkout(tmp_path: Path) -> None:
    appset = _appset()
    template = appset["spec"]["template"]["spec"]
    chart = template.pop("source")
    chart["helm"]["valueFiles"] = ["$values/ray/values.yaml"]
    del chart["helm"]["valuesObject"]["image"]
    template["sources"] = [chart, {"repoURL": "https://git.example.com/platform/ray-config.git",
                                   "targetRevision": "main", "ref": "values"}]
    path = tmp_path / "appset.yaml"
    path.write_text(yaml.safe_dump(appset, sort_keys=False))
    workspace = Workspace.load([path], checkouts=[CORPUS / "checkout"])
    spec = workspace.spec
    assert spec.versions.image is not None and spec.versions.image.tag == "2.44.1"  # from the value file
    set_path(spec, "workerGroups[0].maxReplicas", "6")
    data = yaml.safe_load(workspace.render()[path])
    written = data["spec"]["template"]["spec"]["sources"][0]["helm"]
    assert written["valuesObject"] == {"worker": {"maxReplicas": 6, "labels": {"env": "{{env}}"}}}
    assert written["valueFiles"] == ["$values/ray/values.yaml"]


def _placeholder_forms(tmp_path: Path, form: str) -> Path:
    """The corpus ApplicationSet with its image tag placeholder in one of the forms Argo CD fills."""
    text = APPSET.read_text()
    if form == "go-template":
        text = (text.replace("goTemplate: false", "goTemplate: true").replace("{{rayVersion}}", "{{.rayVersion}}")
                .replace("{{env}}", "{{.env}}").replace("{{ env }}", "{{ .env }}"))
    elif form == "values-map":
        text = text.replace("{{rayVersion}}", "{{values.rayVersion}}")
        text = text.replace("            rayVersion: 2.47.1", "            values:\n              rayVersion: 2.47.1")
        text = text.replace("            rayVersion: 2.46.0", "            values:\n              rayVersion: 2.46.0")
    path = tmp_path / "appset.yaml"
    path.write_text(text)
    assert Workspace.load([path]).spec.versions.image.tag == "2.47.1"  # type: ignore[union-attr]
    return path


@pytest.mark.parametrize("form", ["plain", "go-template", "values-map"])
@pytest.mark.parametrize("tag", ["2.47.1", "2.49.0"], ids=["the-first-elements-value", "another-value"])
def test_setting_a_field_the_template_fills_per_application_is_refused(
        form: str, tag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Typed again (which would change nothing) or changed (which would replace the placeholder for every
    Application): neither writes, and the error names the field, the placeholder and what to edit instead."""
    from raywizard.cli.main import main

    path = _placeholder_forms(tmp_path, form)
    before = path.read_text()
    assert main(["init", "--from", str(path), "--set", f"image.tag={tag}", "--yes"]) == 2
    err = capsys.readouterr().err
    written = {"plain": "{{rayVersion}}", "go-template": "{{.rayVersion}}", "values-map": "{{values.rayVersion}}"}
    parameter = "values.rayVersion" if form == "values-map" else "rayVersion"
    assert f"--set image.tag={tag}: image.tag is '{written[form]}' in the template of the ApplicationSet " \
           "ray-clusters, a placeholder the generator fills per Application (ray-staging: 2.47.1, ray-prod: 2.46.0)" \
           in err, err
    assert f"edit {parameter} in the generator's parameters (a list generator's elements)" in err
    assert "wrote" not in err and path.read_text() == before


def test_a_plain_value_of_the_template_is_edited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli.main import main

    path = _placeholder_forms(tmp_path, "plain")
    before = path.read_text()
    assert main(["init", "--from", str(path), "--set", "workerGroups[0].maxReplicas=6", "--yes"]) == 0
    changed = [line for line in before.splitlines() if line not in path.read_text().splitlines()]
    assert changed == ["              maxReplicas: 4"]


def test_an_edit_of_a_templated_field_is_an_error_naming_it() -> None:
    """What the wizard and the questions change (no --set): validation says it, at the field."""
    spec = Workspace.load([APPSET]).spec
    assert spec.versions.image is not None
    spec.versions.image.tag = "2.49.0"
    spec.target.cluster_app = "ray-all"
    spec.worker_groups[0].max_replicas = 6  # a plain value: no problem
    problems = [p for p in validate(spec) if p.code == "applicationset-placeholder"]
    assert [(p.path, p.is_error) for p in problems] == [("image.tag", True), ("target.clusterApp", True)]
    assert "image.tag is '{{rayVersion}}' in the template" in problems[0].message
    assert "the edit would replace it for every Application" in problems[0].message
    assert "target.clusterApp is 'ray-{{env}}'" in problems[1].message
