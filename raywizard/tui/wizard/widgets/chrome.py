"""The frame around every step: the step bar at the top and the status line above the footer."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from raywizard.model.problems import Problem
from raywizard.tui.wizard.wizard_model import WizardStep


class StepBar(Static):
    """``1 Start › 2 Versions › …`` with the current step highlighted and steps with errors marked."""

    def __init__(self, current: WizardStep) -> None:
        super().__init__(id="step-bar")
        self.current = current

    def show(self, with_errors: set[WizardStep], compact: bool) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for step in WizardStep:
            if step is not WizardStep.START:
                text.append(" › " if not compact else " ", style="dim")
            label = step.label if (not compact or step is self.current) else ""
            mark = "✗" if step in with_errors else ""
            style = "reverse bold" if step is self.current else ("bold red" if mark else "")
            text.append(f"{step.number}{mark}{(' ' + label) if label else ''}", style=style)
        self.update(text)


class StatusLine(Static):
    """One line saying whether Next is possible and, if not, the first reason."""

    def __init__(self) -> None:
        super().__init__(id="status-line", markup=False)

    def show(self, blocking: list[Problem], warnings: int, extra: str = "") -> None:
        self.set_class(bool(blocking), "-blocked")
        self.set_class(not blocking and bool(warnings), "-warned")
        if blocking:
            first = blocking[0]
            more = f" (+{len(blocking) - 1} more)" if len(blocking) > 1 else ""
            self.update(f"✗ Next disabled: {first.path}: {first.message}{more}")
        elif warnings:  # a check mark beside warnings would read as "all fine"
            self.update(f"⚠ {warnings} warning{'s' if warnings != 1 else ''}{' · ' + extra if extra else ''}")
        else:
            self.update(f"✓ no problems{' · ' + extra if extra else ''}")
