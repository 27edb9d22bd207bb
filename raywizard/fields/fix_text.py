"""A problem's fix in the words of the surface that shows it: the wizard names the field by its label, the CLI by
the flag to type, the prompts by the question. Only problems that carry a ``setting`` (one field, one value) are
reworded; every other fix is already written in field paths, which all three surfaces show."""

from __future__ import annotations

from typing import Literal

from raywizard.model.problems import Problem

Surface = Literal["wizard", "cli", "prompt"]

# Fields with a flag of their own in the CLI (raywizard.cli.commands._inputs); others are set with --set.
_CLI_FLAGS = {
    "ignoreDifferences.mode": "--ignore-differences",
    "target.releaseName": "--release",
    "target.namespace": "--namespace",
}


def fix_for(problem: Problem, surface: Surface) -> str:
    if not problem.setting:
        return problem.fix
    from raywizard.fields.declarations import BY_KEY

    path, _, value = problem.setting.partition("=")
    field = BY_KEY.get(path)
    if surface == "cli":
        flag = _CLI_FLAGS.get(path)
        return f"{flag} {value}" if flag else f"--set {path}={value}"
    if field is None:
        return problem.fix
    if surface == "wizard":
        return f"set '{field.label}' to {value}"
    return f"answer {value} to '{field.label}'"
