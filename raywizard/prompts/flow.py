"""The plain-terminal flow of ``raywizard init``: the TUI's steps as questionary questions.

Steps: versions, target, head, worker groups (a loop to add, edit, copy, disable and remove groups), sync and
drift, output. Every question is rendered from ``raywizard.fields.declarations`` (see ``prompts.ask.FieldAsker``);
the flow only decides which fields to ask and in which order. Nothing is written here: the command saves the result.
"""

from __future__ import annotations

from collections.abc import Callable

from raywizard.fields.declarations import BY_KEY, GROUP_FIELDS, Field, Step, fields_for
from raywizard.fields.fix_text import fix_for
from raywizard.model.problems import Problem, Severity
from raywizard.model.spec import ClusterSpec, WorkerGroup
from raywizard.model.textsafe import literal
from raywizard.prompts.answers import field_at
from raywizard.prompts.ask import Asker, FieldAsker, describe, group_label, wrapped
from raywizard.render.applications import raycluster_name

STEP_TITLES: dict[Step, str] = {
    Step.VERSIONS: "Versions",
    Step.TARGET: "Target",
    Step.HEAD: "Head node",
    Step.WORKERS: "Worker groups",
    Step.SYNC: "Sync and drift",
    Step.OUTPUT: "Output",
}
STEP_GATES: dict[Step, str] = {
    Step.VERSIONS: "Change the versions (KubeRay, chart, Ray image)?",
    Step.TARGET: "Change the target (Argo CD namespace, project, destination, names)?",
    Step.HEAD: "Change the head node?",
    Step.SYNC: "Change sync and drift (sync policy, ignoreDifferences)?",
    Step.OUTPUT: "Change the output layout?",
}

# Questions that only make sense given an earlier answer (the TUI greys these out).
RELEVANT: dict[str, Callable[[ClusterSpec], bool]] = {
    "head.autoscaler.version": lambda s: s.head.autoscaling,
    "head.autoscaler.upscalingMode": lambda s: s.head.autoscaling,
    "head.autoscaler.idleTimeoutSeconds": lambda s: s.head.autoscaling,
    "sync.prune": lambda s: s.sync.automated,
    "sync.selfHeal": lambda s: s.sync.automated,
}

# Questions are asked in declaration order, except that a bound is asked before what it bounds: a validator
# can only relate an answer to earlier answers (as in copier), so raising replicas to 8 must not be refused
# because maxReplicas is still 3 and comes later. Cross-field errors sit on the bounded field (replicas,
# minReplicas, the request), so asking the bound first never blocks.
_ASK_BEFORE: dict[str, str] = {
    "maxReplicas": "replicas",
    "minReplicas": "replicas",
    "cpuLimit": "cpuRequest",
    "memoryLimit": "memoryRequest",
}


def question_order(fields: list[Field] | tuple[Field, ...]) -> list[Field]:
    ordered = list(fields)
    for bound, bounded in _ASK_BEFORE.items():
        names = [f.name for f in ordered]
        if bound in names and bounded in names and names.index(bound) > names.index(bounded):
            field = ordered.pop(names.index(bound))
            ordered.insert(names.index(bounded), field)
    return ordered


# Group fields asked by the group editor (``disabled`` is a menu action, not a question).
EDITED_GROUP_FIELDS: tuple[Field, ...] = tuple(
    question_order([f for f in GROUP_FIELDS if f.name != "disabled"]))


class PromptFlow:
    """Walks the steps over ``spec`` (edited in place). ``assigned`` holds paths fixed by ``--set``, never
    asked; ``edit_by_default`` is the default answer of each step's "Change these?" gate."""

    def __init__(self, asker: Asker, spec: ClusterSpec, *, assigned: set[str] | None = None,
                 edit_by_default: bool = True,
                 validate: Callable[[ClusterSpec], list[Problem]] | None = None) -> None:
        self.asker = asker
        self.spec = spec
        self.assigned = assigned or set()
        self.edit_by_default = edit_by_default
        self.fields = FieldAsker(asker, spec, validate) if validate else FieldAsker(asker, spec)

    # ------------------------------------------------------------------------------------------ steps
    def run(self) -> ClusterSpec:
        for step in (Step.VERSIONS, Step.TARGET, Step.HEAD):
            self.spec_step(step)
        self.workers_step()
        self.spec_step(Step.SYNC)
        self.spec_step(Step.OUTPUT)
        return self.spec

    def askable(self, field: Field, index: int | None = None) -> bool:
        if field.path(index) in self.assigned:
            return False
        relevant = RELEVANT.get(field.key)
        return relevant is None or relevant(self.spec)

    def spec_step(self, step: Step) -> None:
        fields = fields_for(step)
        self.asker.say(f"\n== {STEP_TITLES[step]} ==")
        for field in fields:
            note = "  (set by --set)" if field.path() in self.assigned else ""
            self.asker.say(f"  {field.label}: {describe(self.spec, field)}{note}")
        if not any(self.askable(f) for f in fields):
            return
        if not self.asker.confirm(STEP_GATES[step], default=self.edit_by_default):
            return
        self.ask_in_turn([(field, None) for field in question_order(fields)])

    def ask_in_turn(self, questions: list[tuple[Field, int | None]]) -> None:
        """Ask ``questions`` in order; from the second one asked on, "back" returns to the one before."""
        asked: list[int] = []
        position = 0
        while position < len(questions):
            field, index = questions[position]
            if not self.askable(field, index):  # re-checked per field: an answer may make later ones relevant
                position += 1
                continue
            if self.fields.ask(field, index, back=bool(asked)):
                position = asked.pop()
                continue
            asked.append(position)
            position += 1

    # ---------------------------------------------------------------------------------- worker groups
    def show_groups(self) -> None:
        rendered = [g.name for g in self.spec.rendered_groups()]
        title = STEP_TITLES[Step.WORKERS]
        self.asker.say(f"\n== {title} == (chart renders: {', '.join(rendered) or 'none'})")
        for index, group in enumerate(self.spec.worker_groups):
            summary = ", ".join(f"{name} {describe(self.spec, BY_KEY[f'workerGroups[].{name}'], index)}"
                                for name in ("replicas", "minReplicas", "maxReplicas"))
            self.asker.say(f"  {group_label(group, index)}: {summary}")

    def workers_step(self) -> None:
        while True:
            self.show_groups()
            groups = self.spec.worker_groups
            choices = [("Done with worker groups", "done"), ("Add a group", "add")]
            choices += [(f"Edit {g.name}", f"edit:{i}") for i, g in enumerate(groups)]
            choices += [(f"{'Enable' if g.disabled else 'Disable'} {g.name}", f"toggle:{i}")
                        for i, g in enumerate(groups)]
            choices += [(f"Remove {g.name}", f"remove:{i}") for i, g in enumerate(groups) if i > 0]
            action, _, where = self.asker.select("Worker groups:", choices, default="done").partition(":")
            if action == "done":
                return
            if action == "add":
                self.add_group()
                continue
            index = int(where)
            if action == "edit":
                self.edit_group(index)
            elif action == "toggle":
                group = groups[index]
                # Enabling drops the key, except for the chart's own `smallGroup`, which the chart disables.
                group.disabled = (False if group.name == "smallGroup" else None) if group.disabled else True
                self.fields.show_warnings(f"workerGroups[{index}]")
            elif action == "remove" and self.confirm_remove(groups[index]):
                del groups[index]

    def confirm_remove(self, group: WorkerGroup) -> bool:
        return self.asker.confirm(f"Remove group {group.name}?", default=False)

    def add_group(self) -> None:
        groups = self.spec.worker_groups
        start = self.asker.select("Start the new group from:", [("an empty group", "")] +
                                  [(f"a copy of {g.name}", g.name) for g in groups], default="")
        base = self.spec.group(start) if start else None
        name_field = BY_KEY["workerGroups[].name"]
        taken = {g.name for g in groups}

        def check_name(text: str) -> str | None:
            try:
                name_field.parse(text)
            except ValueError as exc:
                return str(exc)
            return f"a group named {text.strip()!r} exists; pick another name" if text.strip() in taken else None

        # The name comes first: a copy renames its own custom resource after it (the guide's convention).
        default = self.spec.unique_group_name(f"{start}-copy" if base else "group")
        name = self.asker.text(name_field.label, default=default, validate=check_name).strip()
        groups.append(base.copy(name) if base else WorkerGroup(name=name, replicas=1, min_replicas=1,
                                                                   max_replicas=3))
        self.edit_group(len(groups) - 1, ask_name=False)

    def edit_group(self, index: int, *, ask_name: bool = True) -> None:
        from raywizard.fields.placement import also_set_text

        also = also_set_text(self.spec.worker_groups[index])
        if also:  # the values no question asks: say they are there and kept
            self.asker.say(f"  {literal(also)}")
        self.ask_in_turn([(field, index) for field in EDITED_GROUP_FIELDS if ask_name or field.name != "name"])

    # -------------------------------------------------------------------------------------- problems
    def fix_problems(self, problems: list[Problem]) -> bool:
        """Re-ask the field behind each error; False when an error has no field to ask."""
        fixable = True
        for problem in (p for p in problems if p.severity is Severity.ERROR):
            current = self.fields.validate(self.spec)
            if not any((p.path, p.code) == (problem.path, problem.code) for p in current):
                continue  # fixed along the way (e.g. replicas below min went away with min)
            located = field_at(self.spec, problem.path)
            if located is None:
                self.asker.say(f"  ✗ {problem}")
                fixable = False
                continue
            field, index = located
            self.asker.say(wrapped("✗", f"{problem.path}: {problem.message} — {fix_for(problem, 'prompt')}"))
            self.fields.ask(field, index)
        return fixable


def totals_line(spec: ClusterSpec) -> str:
    from raywizard.validation.effective import format_bytes, format_cpus, totals

    total = totals(spec)
    return (f"Workers {total.workers_min}-{total.workers_max}; requests at min-max: CPUs "
            f"{format_cpus(total.cpus_min)}-{format_cpus(total.cpus_max)}, memory "
            f"{format_bytes(total.memory_min)}-{format_bytes(total.memory_max)}, GPUs "
            f"{format_cpus(total.gpus_min)}-{format_cpus(total.gpus_max)}")


def summary_lines(spec: ClusterSpec, problems: list[Problem]) -> list[str]:
    """The end-of-flow summary: groups, totals when the chart model can compute them, problems."""
    lines = ["", "== Summary =="]
    lines.append(f"  KubeRay {spec.versions.kuberay}, chart {spec.versions.chart}; Applications in "
                 f"{spec.target.argocd_namespace}, Ray in {spec.target.namespace}")
    lines.append(f"  RayCluster: {raycluster_name(spec)}")
    rendered = spec.rendered_groups()
    lines.append(f"  Worker groups rendered: {', '.join(g.name for g in rendered) or 'none'}")
    lines.append(f"  {totals_line(spec)}")
    if not problems:
        lines.append("  No problems found.")
    for problem in problems:
        mark = "✗" if problem.severity is Severity.ERROR else "!"
        lines.append(wrapped(mark, f"{problem.path}: {problem.message} — {fix_for(problem, 'prompt')}"))
    return lines
