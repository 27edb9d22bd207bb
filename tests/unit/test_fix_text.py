"""A fix that is one field set to one value names the control of the surface showing it."""

from __future__ import annotations

from raywizard.documents.presets import load_preset
from raywizard.fields.fix_text import fix_for
from raywizard.model.spec import IgnoreMode
from raywizard.validation.validate import validate


def test_missing_replicas_rule_names_the_flag_the_label_and_the_question() -> None:
    spec = load_preset("argocd-guide")
    spec.ignore_mode = IgnoreMode.NONE
    problem = next(p for p in validate(spec) if p.code == "missing-replicas-rule")
    assert fix_for(problem, "cli") == "--ignore-differences jq"
    assert fix_for(problem, "wizard") == "set 'Ignore replicas as' to jq"
    assert fix_for(problem, "prompt") == "answer jq to 'Ignore replicas as'"


def test_a_fix_without_a_setting_is_kept() -> None:
    spec = load_preset("argocd-guide")
    spec.versions.kuberay = "v1.7.0"  # an operator that refuses minReplicas above maxReplicas
    spec.worker_groups[0].min_replicas = 500
    problem = next(p for p in validate(spec) if p.is_error)
    assert not problem.setting
    assert fix_for(problem, "cli") == fix_for(problem, "wizard") == problem.fix
