"""Problems: what validation reports instead of raising. Each says where, what and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # rendering or applying would produce something broken; blocks leaving a wizard step
    WARNING = "warning"  # works, but probably not what the user wants


@dataclass(frozen=True)
class Problem:
    path: str  # field path, e.g. "workerGroups[2].maxReplicas" (see fields.py for the path grammar)
    message: str  # what is wrong, in Ray / Argo CD terms
    fix: str  # how to fix it
    severity: Severity = Severity.ERROR
    code: str = ""  # stable identifier for tests and docs, e.g. "min-gt-max"
    # When the fix is one field set to one value, "FIELD_PATH=VALUE": each surface then names its own control for
    # that field (the wizard's label, the CLI's flag, the prompt's question; see raywizard.fields.fix_text).
    setting: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.path}: {self.message} — {self.fix}"


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)


def under(problems: list[Problem], prefix: str) -> list[Problem]:
    """Problems whose path is ``prefix`` or lies under it (``head`` matches ``head.resources.limits.cpu``)."""
    return [p for p in problems if p.path == prefix or p.path.startswith((prefix + ".", prefix + "["))]
