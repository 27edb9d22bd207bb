"""Answers given on the command line of ``raywizard init``, layered as copier does.

``--set path=value`` > ``--from FILE`` > ``--preset NAME`` > the prompt. A path given with ``--set`` is an
answer: the interactive flow does not ask it again. Stored answers (a file, a preset) are re-validated like
typed ones.

No questionary import here: the non-interactive path (``--yes``, no terminal) uses this module alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.errors import InputError
from raywizard.fields import FIELDS, Field
from raywizard.problems import Problem
from raywizard.spec import ClusterSpec, Layout

if TYPE_CHECKING:
    from raywizard.documents import Workspace

_GROUP_BY_INDEX = re.compile(r"^workerGroups\[(\d+)\]\.(.+)$")
_GROUP_BY_NAME = re.compile(r"^workerGroups\.([^.\[\]]+)\.(.+)$")


@dataclass
class Answers:
    """Where the answers came from and which ones the command line fixed."""

    workspace: Workspace
    source: str  # "preset argocd-guide", "file apps.yaml" or "defaults", for messages
    assigned: set[str] = field(default_factory=set)  # --set paths in index form: workerGroups[1].maxReplicas
    loaded_paths: list[Path] = field(default_factory=list)  # the --from files (save targets by default)

    @property
    def spec(self) -> ClusterSpec:
        return self.workspace.spec

    @property
    def from_stored_answers(self) -> bool:
        return self.source != "defaults"


def split_assignment(text: str) -> tuple[str, str]:
    """``"workerGroups.gpu.maxReplicas=8"`` -> ``("workerGroups.gpu.maxReplicas", "8")``."""
    path, equals, value = text.partition("=")
    if not equals or not path.strip():
        raise InputError(f"--set {text!r} is not path=value",
                         "write it like --set image.tag=2.46.0 or --set workerGroups.gpu.maxReplicas=8")
    return path.strip(), value


def index_form(spec: ClusterSpec, path: str) -> str:
    """A ``--set`` path in the index form Problems and fields use (``workerGroups.gpu.x`` ->
    ``workerGroups[1].x``). A group name that does not exist is left as written."""
    match = _GROUP_BY_NAME.match(path)
    if match:
        index = spec.group_index(match.group(1))
        if index is not None:
            return f"workerGroups[{index}].{match.group(2)}"
    return path


def name_form(spec: ClusterSpec, path: str) -> str:
    """The reverse of ``index_form``, for suggesting a ``--set`` flag: ``workerGroups[1].x`` ->
    ``workerGroups.gpu.x``."""
    match = _GROUP_BY_INDEX.match(path)
    if match and int(match.group(1)) < len(spec.worker_groups):
        return f"workerGroups.{spec.worker_groups[int(match.group(1))].name}.{match.group(2)}"
    return path


def field_at(spec: ClusterSpec, path: str) -> tuple[Field, int | None] | None:
    """The field a Problem's path points into: ``workerGroups[2].maxReplicas`` -> (maxReplicas, 2)."""
    path = index_form(spec, path)
    match = _GROUP_BY_INDEX.match(path)
    index = int(match.group(1)) if match else None
    for candidate in FIELDS:
        if candidate.per_group != (index is not None):
            continue
        own = candidate.path(index)
        if path == own or path.startswith((own + ".", own + "[")):
            return candidate, index
    return None


def load_answers(preset: str | None, from_paths: list[Path] | None, assignments: list[str],
                 layout: str | None = None) -> Answers:
    """The spec the flags describe: a file or a preset (or the guide's defaults), then every ``--set``."""
    from raywizard.documents import Workspace

    if preset and from_paths:
        raise InputError("--preset and --from both give the starting answers",
                         "use one: --from FILE edits a file, --preset NAME starts a new one")
    if from_paths:
        missing = [p for p in from_paths if not p.exists()]
        if missing:
            raise InputError(f"--from {missing[0]}: no such file",
                             "check the path, or start with --preset NAME")
        workspace = Workspace.load(list(from_paths))
        source = "file " + ", ".join(str(p) for p in from_paths)
    elif preset:
        from raywizard.presets import load_preset

        workspace = Workspace.new(load_preset(preset))
        source = f"preset {preset}"
    else:
        workspace = Workspace.new(ClusterSpec())
        source = "defaults"
    answers = Answers(workspace, source, loaded_paths=list(from_paths or []))
    apply_assignments(answers, assignments)
    if layout:
        answers.spec.layout = Layout(layout)
        answers.assigned.add("output.layout")
    return answers


def apply_assignments(answers: Answers, assignments: list[str]) -> None:
    from raywizard.paths import set_path

    for item in assignments:
        path, value = split_assignment(item)
        set_path(answers.spec, path, value)
        answers.assigned.add(index_form(answers.spec, path))


def set_flag_hint(spec: ClusterSpec, problem: Problem) -> str:
    """``--set workerGroups.gpu.maxReplicas=VALUE`` when the problem sits on a field a flag can set."""
    located = field_at(spec, problem.path)
    if located is None:
        return ""
    found, index = located
    return f"--set {name_form(spec, found.path(index))}=VALUE"


def first_error_as_input_error(spec: ClusterSpec, problems: list[Problem], source: str) -> InputError | None:
    """One clear line for the non-interactive path: the first invalid answer, its fix and the flag to use."""
    errors = [p for p in problems if p.is_error]
    if not errors:
        return None
    first = errors[0]
    more = f" (and {len(errors) - 1} more: run `raywizard validate`)" if len(errors) > 1 else ""
    hint = set_flag_hint(spec, first)
    fix = first.fix + (f"; e.g. {hint}" if hint else "")
    return InputError(f"invalid answer {first.path} (from {source}): {first.message}{more}", fix)
