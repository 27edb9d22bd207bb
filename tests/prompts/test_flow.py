"""PromptFlow with scripted answers: which questions are asked, in which order, and what ends up in the spec.

The scripted asker runs each text answer through the same validator questionary would, and moves on to the
next scripted answer when it is refused, as a user typing again would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.model.spec import ClusterSpec, IgnoreMode
from raywizard.prompts.answers import field_at, first_error_as_input_error, index_form, name_form
from raywizard.prompts.flow import EDITED_GROUP_FIELDS, PromptFlow, summary_lines
from raywizard.validation.validate import validate


class ScriptedAsker:
    def __init__(self, script: list[tuple[str, Any]]) -> None:
        self.script = list(script)
        self.asked: list[str] = []
        self.refusals: list[str] = []
        self.said: list[str] = []

    def _next(self, message: str) -> Any:
        self.asked.append(message)
        assert self.script, f"unexpected question {message!r}"
        expected, answer = self.script.pop(0)
        assert expected in message, f"asked {message!r}, script expected {expected!r}"
        return answer

    def text(self, message: str, *, default: str = "", validate: Callable[[str], str | None] | None = None,
             hint: str = "") -> str:
        while True:
            answer = self._next(message)
            value = default if answer is None else answer
            refusal = validate(value) if validate else None
            if refusal is None:
                return value
            self.refusals.append(refusal)

    def select(self, message: str, choices: list[tuple[str, str]], *, default: str | None = None) -> str:
        answer = self._next(message)
        if answer is None:
            return default or choices[0][1]
        values = [value for _, value in choices]
        assert answer in values, f"{answer!r} is not one of {values}"
        return answer

    def confirm(self, message: str, *, default: bool = True) -> bool:
        answer = self._next(message)
        return default if answer is None else bool(answer)

    def say(self, text: str = "") -> None:
        self.said.append(text)

    def done(self) -> None:
        assert not self.script, f"not asked: {self.script}"


KEEP_ALL_STEPS = [("versions", False), ("target", False), ("head", False), ("Worker groups:", "done"),
                  ("sync", False), ("output", False)]


def test_keeping_everything_changes_nothing() -> None:
    spec = load_preset("argocd-guide")
    asker = ScriptedAsker(KEEP_ALL_STEPS)
    PromptFlow(asker, spec, edit_by_default=False).run()
    asker.done()
    assert spec == load_preset("argocd-guide")


def test_every_field_of_a_step_is_asked_and_unset_optional_values_stay_unset() -> None:
    spec = ClusterSpec()
    head_fields = ["Head num-cpus", "In-tree autoscaling", "CPU limit", "CPU request", "Memory limit",
                   "Memory request", "GPUs", "Head image override"]
    script: list[tuple[str, Any]] = [("versions", False), ("target", False), ("head", True)]
    script += [(label, None) for label in head_fields]  # Enter everywhere (autoscaling stays off)
    script += KEEP_ALL_STEPS[3:]
    asker = ScriptedAsker(script)
    PromptFlow(asker, spec).run()
    asker.done()
    assert spec == ClusterSpec()  # in particular enableInTreeAutoscaling stays unset, not false


def test_autoscaler_questions_follow_the_autoscaling_answer() -> None:
    spec = ClusterSpec()
    script: list[tuple[str, Any]] = [("versions", False), ("target", False), ("head", True),
                                     ("Head num-cpus", "0"), ("In-tree autoscaling", True),
                                     ("Autoscaler version", "v2"), ("Upscaling mode", None),
                                     ("Idle timeout", "-5"), ("Idle timeout", "60")]
    script += [(label, None) for label in ("CPU limit", "CPU request", "Memory limit", "Memory request", "GPUs",
                                           "Head image override")]
    script += KEEP_ALL_STEPS[3:]
    asker = ScriptedAsker(script)
    PromptFlow(asker, spec).run()
    asker.done()
    assert spec.head.autoscaling and spec.head.num_cpus == "0"
    assert spec.head.autoscaler_options is not None
    assert (spec.head.autoscaler_options.version, spec.head.autoscaler_options.idle_timeout_seconds) == ("v2", 60)
    assert len(asker.refusals) == 1


def test_group_editor_asks_bounds_first_and_refuses_cross_field_errors() -> None:
    assert [f.name for f in EDITED_GROUP_FIELDS[:4]] == ["name", "maxReplicas", "minReplicas", "replicas"]
    spec = ClusterSpec()
    spec.versions.kuberay = "v1.6.0"  # an operator that refuses minReplicas above maxReplicas
    script: list[tuple[str, Any]] = [("versions", False), ("target", False), ("head", False),
                                     ("Worker groups:", "edit:0"), ("Group name", None),
                                     ("Max replicas", "10"), ("Min replicas", "12"), ("Min replicas", "2"),
                                     ("Replicas", "4"),
                                     ("CPU limit", None), ("CPU request", "4"), ("CPU request", "1"),
                                     ("Memory limit", None), ("Memory request", None), ("GPUs", None),
                                     ("Custom Ray resources", "workergroup=1"), ("Image override", None),
                                     ("Node selector", None), ("Tolerations", None),
                                     ("Worker groups:", "done"), ("sync", False), ("output", False)]
    asker = ScriptedAsker(script)
    PromptFlow(asker, spec).run()
    asker.done()
    group = spec.worker_groups[0]
    assert (group.replicas, group.min_replicas, group.max_replicas) == (4, 2, 10)
    assert group.custom_resources == {"workergroup": 1}
    assert [r.split(" — ")[0] for r in asker.refusals] == [
        "minReplicas 12 is above maxReplicas 10: KubeRay v1.6.0 rejects the RayCluster and creates no pods.",
        'cpu request 4 is above the limit 1 (the limit comes from the chart\'s defaults); Kubernetes rejects '
        "every such pod.",
    ]


def test_add_copy_disable_and_remove_groups() -> None:
    spec = load_preset("argocd-guide")
    first = spec.worker_groups[1].name
    group_answers = [(f.label, None) for f in EDITED_GROUP_FIELDS[1:]]
    script: list[tuple[str, Any]] = [("versions", False), ("target", False), ("head", False),
                                     ("Worker groups:", "add"), ("Start the new group from", first),
                                     ("Group name", "gpu"), *group_answers,
                                     ("Worker groups:", "toggle:0"),
                                     ("Worker groups:", "remove:2"), ("Remove group", False),
                                     ("Worker groups:", "remove:2"), ("Remove group", True),
                                     ("Worker groups:", "done"), ("sync", False), ("output", False)]
    asker = ScriptedAsker(script)
    PromptFlow(asker, spec, edit_by_default=False).run()
    asker.done()
    assert [g.name for g in spec.worker_groups] == ["standard-worker", first, "gpu"]
    assert spec.worker_groups[0].disabled is True
    assert spec.worker_groups[2].custom_resources == {"gpu": 1}  # the copy advertises its own name
    assert [g.name for g in spec.rendered_groups()] == [first, "gpu"]


def test_answers_given_with_set_are_not_asked() -> None:
    spec = ClusterSpec()
    assigned = {f.path() for f in [*_spec_fields("versions"), *_spec_fields("target")]}
    asker = ScriptedAsker([("head", False), *KEEP_ALL_STEPS[3:]])
    PromptFlow(asker, spec, assigned=assigned).run()
    asker.done()
    assert any("(set by --set)" in line for line in asker.said)


def test_fix_problems_asks_the_field_behind_each_error() -> None:
    spec = ClusterSpec()
    spec.versions.kuberay = "v1.6.0"  # an operator that refuses minReplicas above maxReplicas
    spec.worker_groups[0].min_replicas, spec.worker_groups[0].max_replicas = 5, 2
    spec.head.enable_in_tree_autoscaling = True
    spec.ignore_mode = IgnoreMode.NONE
    problems = validate(spec)
    asker = ScriptedAsker([("Min replicas (workergroup)", "1"), ("Ignore replicas as", "jq")])
    assert PromptFlow(asker, spec).fix_problems(problems)
    asker.done()
    assert not [p for p in validate(spec) if p.is_error]
    assert any("No problems found" in line or "!" in line for line in summary_lines(spec, validate(spec)))


def test_paths_between_set_form_and_problem_form() -> None:
    spec = load_preset("argocd-guide")
    assert index_form(spec, "workerGroups.standard-worker.maxReplicas") == "workerGroups[0].maxReplicas"
    assert name_form(spec, "workerGroups[0].maxReplicas") == "workerGroups.standard-worker.maxReplicas"
    located = field_at(spec, "workerGroups[1].cpuRequest")
    assert located is not None and located[0].key == "workerGroups[].cpuRequest" and located[1] == 1
    assert field_at(spec, "workerGroups") is None
    spec.worker_groups[0].min_replicas = 999
    spec.versions.kuberay = "v1.6.0"  # an operator that refuses minReplicas above maxReplicas
    error = first_error_as_input_error(spec, validate(spec), "preset argocd-guide")
    assert error is not None and "--set workerGroups.standard-worker.minReplicas=VALUE" in str(error)


def _spec_fields(step: str) -> list[Any]:
    from raywizard.fields.declarations import Step, fields_for

    return fields_for(Step(step))


@pytest.mark.parametrize("bad", ["abc", "-1"])
def test_text_validator_shows_the_fields_own_message(bad: str) -> None:
    spec = ClusterSpec()
    asker = ScriptedAsker([("Max replicas", bad), ("Max replicas", "3")])
    from raywizard.fields.declarations import BY_KEY

    PromptFlow(asker, spec).fields.ask(BY_KEY["workerGroups[].maxReplicas"], 0)
    assert asker.refusals and ("whole number" in asker.refusals[0] or "negative" in asker.refusals[0])


def test_every_declared_field_is_a_question() -> None:
    """One declaration, three renderings: a field added to raywizard.fields.declarations is asked here without more code
    (spec fields by their step, group fields by the group editor; `disabled` is the editor's menu action)."""
    from raywizard.fields.declarations import FIELDS, Step, fields_for

    spec_steps = (Step.VERSIONS, Step.TARGET, Step.HEAD, Step.SYNC, Step.OUTPUT)
    asked = {f.key for step in spec_steps for f in fields_for(step) if not f.per_group}
    asked |= {f.key for f in EDITED_GROUP_FIELDS} | {"workerGroups[].disabled"}
    assert asked == {f.key for f in FIELDS}
