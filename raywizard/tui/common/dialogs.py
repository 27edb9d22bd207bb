"""Small modal dialogs: confirm, field help, text prompt, error.

Each has its own footer: the step's footer below would otherwise show keys that do nothing while the dialog is
open, and none of the dialog's own."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Select, Static

from raywizard.tui.common.textual_internals import set_instance_bindings
from raywizard.tui.wizard.widgets.field_form import InOrderInput


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question; the buttons name their keys (``Remove (y)`` / ``Cancel (n)``) as the dashboard's do."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "Cancel", detail: str = "") -> None:
        super().__init__(classes="small-modal")
        self.question = question
        self.detail = detail
        self.yes = yes
        self.no = no
        # The footer says what the keys do here (`y Remove  n Cancel`), not a generic Yes/No.
        set_instance_bindings(self, "y", [Binding("y", "answer(True)", yes)])
        for key in ("n", "escape"):
            set_instance_bindings(self, key, [Binding(key, "answer(False)", no)])

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="dialog-detail", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="warning", id="yes")
                yield Button(f"{self.no} (n)", id="no")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class HelpModal(ModalScreen[None]):
    """Help for the focused field (``Field.help``) or for the step when no field has focus."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q,enter", "close", "Close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__(classes="small-modal")
        self.help_title = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.help_title, classes="dialog-title", markup=False)
            with VerticalScroll():
                yield Static(self.body, classes="help-body", markup=False)
            yield Static("Esc or ? closes", classes="dialog-hint")
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)


class ErrorModal(ModalScreen[None]):
    """Something the user asked for could not be done (a file that does not open): the whole message, which
    may be long (a Problem per wrongly typed value), until the user closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__(classes="small-modal error-modal")
        self.error_title = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.error_title, classes="dialog-title", markup=False)
            with VerticalScroll():
                yield Static(self.body, classes="help-body", markup=False)
            yield Static("Enter or Esc closes", classes="dialog-hint")
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)


class SaveModal(ModalScreen[tuple[str, str] | None]):
    """Where to save a new configuration and in which layout (single file or one per Application)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: str, layout: str) -> None:
        super().__init__(classes="small-modal")
        self.default_path = default_path
        self.initial_layout = layout

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Save the Applications", classes="dialog-title")
            yield Static("File (single) or directory (split); existing files are kept as .bak", markup=False)
            yield InOrderInput(self.default_path, id="save-path", compact=True)
            yield Select([("single file", "single"), ("split: one file per Application", "split")],
                         value=self.initial_layout, allow_blank=False, id="save-layout", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (Enter)", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer(compact=True)

    def on_input_submitted(self) -> None:
        self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save()
        else:
            self.dismiss(None)

    def _save(self) -> None:
        path = self.query_one("#save-path", Input).value.strip()
        if not path:
            self.notify("Type a file or directory name.", severity="error", markup=False)
            return
        self.dismiss((path, str(self.query_one("#save-layout", Select).value)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptModal(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__(classes="small-modal")
        self.prompt_title = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.prompt_title, classes="dialog-title", markup=False)
            yield InOrderInput(self.value, placeholder=self.placeholder, id="prompt", compact=True)
            yield Static("Enter accepts, Esc cancels", classes="dialog-hint")
        yield Footer(compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
