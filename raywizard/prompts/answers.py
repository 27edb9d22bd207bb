"""Answers given on the command line of ``raywizard init``, layered as copier does.

``--set path=value`` > ``--from FILE`` > ``--preset NAME`` > the prompt. A path given with ``--set`` is an
answer: the interactive flow does not ask it again. Stored answers (a file, a preset) are re-validated like
typed ones.

No questionary import here: the non-interactive path (``--yes``, no terminal) uses this module alone.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.fields.declarations import FIELDS, Field
from raywizard.model.errors import InputError
from raywizard.model.problems import Problem
from raywizard.model.spec import ClusterSpec

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace

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
    """``"workerGroups.gpu-worker.maxReplicas=8"`` -> ``("workerGroups.gpu.maxReplicas", "8")``."""
    path, equals, value = text.partition("=")
    if not equals or not path.strip():
        raise InputError(f"--set {text!r} is not path=value",
                         "write it like --set image.tag=2.46.0 or --set workerGroups.NAME.maxReplicas=8 (NAME: a group "
                         "of yours; `raywizard validate` lists them) or --set workerGroups[0].maxReplicas=8")
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


# The shared input flags (commands/_inputs.py) that fix one field each, so the prompt does not ask them.
FLAG_FIELDS: dict[str, str] = {
    "release": "target.releaseName",
    "namespace": "target.namespace",
    "chart_version": "versions.chart",
    "kuberay_version": "versions.kuberay",
    "ignore_differences": "ignoreDifferences.mode",
    "layout": "output.layout",
}


def load_answers(args: argparse.Namespace) -> Answers:
    """The spec the flags describe (``commands/_inputs.py``: preset or files, then --values, the explicit
    flags and every ``--set``), and which answers those flags fixed."""
    from raywizard.cli.commands._inputs import workspace_from_args

    preset, from_files = getattr(args, "preset", None), list(getattr(args, "from_files", None) or [])
    for path in from_files:
        if not Path(path).exists():
            raise InputError(f"--from {path}: no such file", "check the path, or start with --preset NAME")
    for item in getattr(args, "assignments", None) or []:
        split_assignment(item)  # a malformed --set is reported before anything else
    workspace = workspace_from_args(args)
    if from_files:
        source = "file " + ", ".join(map(str, from_files))
    elif preset:
        source = f"preset {preset}"
    else:
        source = "defaults"
    answers = Answers(workspace, source, loaded_paths=[Path(p) for p in from_files])
    for flag, path in FLAG_FIELDS.items():
        if getattr(args, flag, None):
            answers.assigned.add(path)
    for item in getattr(args, "assignments", None) or []:
        answers.assigned.add(index_form(answers.spec, split_assignment(item)[0]))
    if getattr(args, "values", None):
        answers.source += f" + values {args.values}"
    return answers


def set_flag_hint(spec: ClusterSpec, problem: Problem) -> str:
    """``--set workerGroups.gpu.maxReplicas=VALUE`` when the problem sits on a field a flag can set."""
    located = field_at(spec, problem.path)
    if located is None:
        return ""
    found, index = located
    return f"--set {name_form(spec, found.path(index))}=VALUE"


def first_error_as_input_error(spec: ClusterSpec, problems: list[Problem], source: str,
                               assigned: set[str] | None = None) -> InputError | None:
    """One clear line for the non-interactive path: the first invalid answer, where it came from, its fix and
    the flag to use."""
    errors = [p for p in problems if p.is_error]
    if not errors:
        return None
    first = errors[0]
    origin = "--set" if first.path in (assigned or set()) else source
    more = f" (and {len(errors) - 1} more: run `raywizard validate`)" if len(errors) > 1 else ""
    from raywizard.fields.fix_text import fix_for

    hint = "" if first.setting else set_flag_hint(spec, first)  # a setting's fix already names the flag
    fix = fix_for(first, "cli") + (f"; e.g. {hint}" if hint else "")
    return InputError(f"invalid answer {first.path} (from {origin}): {first.message}{more}", fix)
