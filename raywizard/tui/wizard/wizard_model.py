"""What the wizard holds while it runs: the Workspace (whose ``spec`` is the single source of truth), the problems
the core computed for it, and text the user typed that does not parse yet.

No Textual here: the app calls ``changed()`` after every edit and screens read ``problems`` / ``step_problems``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from raywizard.model.problems import Problem, Severity

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace
    from raywizard.model.spec import ClusterSpec


class WizardStep(StrEnum):
    START = "start"
    VERSIONS = "versions"
    TARGET = "target"
    HEAD = "head"
    WORKERS = "workers"
    SYNC = "sync"
    PREVIEW = "preview"
    APPLY = "apply"

    @property
    def label(self) -> str:
        return STEP_TITLES[self]

    @property
    def number(self) -> int:
        return list(WizardStep).index(self) + 1


STEP_TITLES = {
    WizardStep.START: "Start",
    WizardStep.VERSIONS: "Versions",
    WizardStep.TARGET: "Target",
    WizardStep.HEAD: "Head",
    WizardStep.WORKERS: "Worker groups",
    WizardStep.SYNC: "Sync & drift",
    WizardStep.PREVIEW: "Preview",
    WizardStep.APPLY: "Apply",
}

# Problem path prefixes -> the step whose form edits them (paths follow fields.py's grammar).
_PREFIX_STEPS: tuple[tuple[str, WizardStep], ...] = (
    ("versions", WizardStep.VERSIONS),
    ("image", WizardStep.VERSIONS),
    ("target", WizardStep.TARGET),
    ("head", WizardStep.HEAD),
    ("workerGroups", WizardStep.WORKERS),
    ("sync", WizardStep.SYNC),
    ("ignoreDifferences", WizardStep.SYNC),
    ("output", WizardStep.PREVIEW),
)

_INDEX_RE = re.compile(r"\[\d+\]")


def field_key_of(path: str) -> str:
    """``workerGroups[2].maxReplicas`` -> ``workerGroups[].maxReplicas`` (the Field declaration's key)."""
    return _INDEX_RE.sub("[]", path, count=1)


def group_index_of(path: str) -> int | None:
    match = re.match(r"workerGroups\[(\d+)\]", path)
    return int(match.group(1)) if match else None


def step_of_path(path: str) -> WizardStep:
    from raywizard.fields.declarations import BY_KEY

    declared = BY_KEY.get(field_key_of(path))
    if declared is not None:
        return WizardStep(declared.step.value) if declared.step.value != "output" else WizardStep.PREVIEW
    for prefix, step in _PREFIX_STEPS:
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return step
    return WizardStep.PREVIEW  # whole-spec problems are listed on the preview


@dataclass
class WizardModel:
    workspace: Workspace
    problems: list[Problem] = field(default_factory=list)
    parse_errors: dict[str, str] = field(default_factory=dict)  # field path -> message (text not yet in the spec)
    revision: int = 0
    from_live: bool = False  # read from the Applications running in a cluster (no files behind it)

    def __post_init__(self) -> None:
        # A live workspace is the only one with no files that counts as saved from the start (see
        # cluster.live_workspace_job and the dashboard's "edit worker groups").
        self.from_live = not getattr(self.workspace, "files", None) and getattr(
            self.workspace, "saved_spec", None) is not None

    @property
    def spec(self) -> ClusterSpec:
        return self.workspace.spec

    def changed(self) -> None:
        """Recompute everything derived from the spec (call after every edit)."""
        from raywizard.validation.validate import validate

        try:
            self.problems = list(validate(self.spec))
        except Exception as exc:  # a validator bug must not take the editor down with it
            self.problems = [Problem("spec", f"validation failed: {exc}", "report this as a bug",
                                     Severity.WARNING, "validator-crash")]
        self.revision += 1

    def _with_parse_errors(self, problems: list[Problem], step: WizardStep | None) -> list[Problem]:
        """Text that does not parse first; the core's problems on such a field are left out: they are about the
        last value that parsed, which is no longer what the box shows."""
        unparsed = [Problem(path, message, "correct the value", Severity.ERROR, "parse")
                    for path, message in self.parse_errors.items() if step is None or step_of_path(path) is step]
        return unparsed + [p for p in problems if p.path not in self.parse_errors]

    def all_problems(self) -> list[Problem]:
        """Every problem of the spec plus the text that does not parse (what the Preview lists)."""
        return self._with_parse_errors(self.problems, None)

    def step_problems(self, step: WizardStep) -> list[Problem]:
        return self._with_parse_errors([p for p in self.problems if step_of_path(p.path) is step], step)

    def blocking(self, step: WizardStep) -> list[Problem]:
        """Errors that keep the user on ``step`` (warnings never block)."""
        if step is WizardStep.PREVIEW:
            return [p for p in self.all_problems() if p.is_error]
        return [p for p in self.step_problems(step) if p.is_error]

    def set_parse_error(self, path: str, message: str | None) -> None:
        if message:
            self.parse_errors[path] = message
        else:
            self.parse_errors.pop(path, None)

    @property
    def dirty(self) -> bool:
        return bool(getattr(self.workspace, "dirty", False))
