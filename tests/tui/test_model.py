"""The wizard model without Textual: which step a problem belongs to, and what blocks leaving a step."""

from __future__ import annotations

from raywizard.documents.presets import load_preset
from raywizard.documents.workspace import Workspace
from raywizard.model.problems import Problem, Severity
from raywizard.tui.wizard.wizard_model import WizardModel, WizardStep, field_key_of, group_index_of, step_of_path


def test_paths_map_to_the_step_that_edits_them() -> None:
    assert step_of_path("versions.chart") is WizardStep.VERSIONS
    assert step_of_path("image.tag") is WizardStep.VERSIONS
    assert step_of_path("target.releaseName") is WizardStep.TARGET
    assert step_of_path("head.cpuLimit") is WizardStep.HEAD
    assert step_of_path("workerGroups[3].maxReplicas") is WizardStep.WORKERS
    assert step_of_path("workerGroups") is WizardStep.WORKERS
    assert step_of_path("ignoreDifferences.mode") is WizardStep.SYNC
    assert step_of_path("output.layout") is WizardStep.PREVIEW
    assert step_of_path("something.else") is WizardStep.PREVIEW
    assert field_key_of("workerGroups[12].gpu") == "workerGroups[].gpu"
    assert group_index_of("workerGroups[12].gpu") == 12
    assert group_index_of("head.gpu") is None


def test_errors_block_their_step_warnings_do_not() -> None:
    model = WizardModel(Workspace.new(load_preset("minimal")))
    model.problems = [Problem("workerGroups[0].minReplicas", "min > max", "lower it"),
                      Problem("image.tag", "moves", "pin it", Severity.WARNING)]
    assert [p.path for p in model.blocking(WizardStep.WORKERS)] == ["workerGroups[0].minReplicas"]
    assert model.blocking(WizardStep.VERSIONS) == []
    assert len(model.blocking(WizardStep.PREVIEW)) == 1  # the preview answers for the whole spec
    model.set_parse_error("target.namespace", "not a DNS label")
    assert [p.path for p in model.blocking(WizardStep.TARGET)] == ["target.namespace"]
    model.set_parse_error("target.namespace", None)
    assert model.blocking(WizardStep.TARGET) == []


def test_changed_revalidates_the_spec() -> None:
    model = WizardModel(Workspace.new(load_preset("minimal")))
    model.changed()
    assert not any(p.is_error for p in model.problems)
    model.spec.versions.kuberay = "v1.7.0"  # an operator that refuses minReplicas above maxReplicas
    model.spec.worker_groups[0].min_replicas = 5
    model.spec.worker_groups[0].max_replicas = 1
    model.changed()
    assert model.blocking(WizardStep.WORKERS)
