"""``ctrl+d`` on the dashboard: delete the highlighted Application, after a confirmation that lists what its
cascade removes (``kube/cascade.py``). When the cascade deletes CRDs, and with them every Ray custom resource of
the cluster, the confirmation wants the Application's name typed, as a repository deletion on a forge does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text

if TYPE_CHECKING:
    from raywizard.kube.cascade import CascadePlan


class DeleteConfirm(ModalScreen[bool]):
    """Yes only once the name is typed when ``plan.removes_crds``; n or Escape says no."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [Binding("escape", "answer(False)", "No")]

    def __init__(self, plan: CascadePlan, where: str) -> None:
        super().__init__(classes="delete-confirm")
        self.plan = plan
        self.where = where
        self.needs_name = bool(plan.removes_crds)

    def compose(self) -> ComposeResult:
        plan = self.plan
        body = Text()
        for line in plan.lines():
            style = "bold" if line.startswith("  deleting ") else ""
            body.append(literal(line, single_line=True), style=style)
            body.append("\n")
        body.append(f"\nOn {self.where}.")
        with Vertical(id="delete-dialog"):
            yield Static(rich_text(f"Delete Application {plan.namespace}/{plan.name}?", single_line=True),
                         id="delete-title")
            with VerticalScroll(id="delete-body"):
                yield Static(body, id="delete-details")
            if self.needs_name:
                total = plan.custom_resource_total
                yield Static(rich_text(
                    f"This removes the Ray CRDs and {total} Ray custom resource(s) in the whole cluster. "
                    f"Type {plan.name} to confirm:"), id="delete-warning")
                yield Input(placeholder=plan.name, id="delete-name")
            with Horizontal(id="delete-buttons"):
                yield Button("Delete", variant="error", id="delete-yes", disabled=self.needs_name)
                yield Button("Cancel (esc)", id="delete-no")

    def on_mount(self) -> None:
        if self.needs_name:
            self.query_one("#delete-name", Input).focus()
        else:
            self.query_one("#delete-no", Button).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#delete-yes", Button).disabled = event.value.strip() != self.plan.name

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.plan.name:
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "delete-yes" and not event.button.disabled)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
