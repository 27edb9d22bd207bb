"""The modal form that edits one worker group (a copy: Cancel leaves the spec untouched).

Keys: ctrl+s applies, Esc cancels (both in its own footer and on the buttons); Enter moves to the next field and
applies from the last one."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Static

from raywizard.fields.declarations import GROUP_FIELDS
from raywizard.fields.fix_text import fix_for
from raywizard.fields.placement import also_set_text
from raywizard.model.problems import Problem, under
from raywizard.model.spec import ClusterSpec, WorkerGroup
from raywizard.model.textsafe import literal
from raywizard.tui.wizard.derived import effective_aside
from raywizard.tui.wizard.widgets.field_form import FieldForm


class GroupEditModal(ModalScreen[WorkerGroup | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Apply", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("question_mark", "app.field_help", "Help", key_display="?", priority=True),
    ]

    def __init__(self, spec: ClusterSpec, group: WorkerGroup, index: int, *, adding: bool) -> None:
        super().__init__(classes="editor-modal")
        self.index = index
        self.adding = adding
        self.group = group
        # A trial spec holding the edited copy, so the core validates the group in context (names, totals).
        self.trial = spec.clone()
        if adding:
            self.trial.worker_groups.append(group)
        else:
            self.trial.worker_groups[index] = group
        self.problems: list[Problem] = []

    def compose(self) -> ComposeResult:
        verb = "Add" if self.adding else "Edit"
        with Vertical(id="dialog"):
            yield Static(f"{verb} worker group {self.index}" + (" (the chart's `worker`)" if self.index == 0
                                                                else ""), classes="dialog-title")
            with VerticalScroll():
                yield FieldForm(GROUP_FIELDS, self.trial, group=self.group, group_index=self.index, id="group-form")
                # Values of the group no field shows: listed so the user sees they are there and kept.
                also = also_set_text(self.group)
                yield Static(literal(also), id="group-also", markup=False, classes="" if also else "-hidden")
                yield Static("", id="group-problems", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Static("Enter: next field; in the last one, apply", classes="dialog-hint")
                yield Button("Apply (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (Esc)", id="cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._revalidate()
        self.query_one(FieldForm).query(".field-editor").first().focus()

    def on_field_form_edited(self, event: FieldForm.Edited) -> None:
        event.stop()
        self._revalidate()

    def _revalidate(self) -> None:
        from raywizard.validation.validate import validate

        try:
            self.problems = under(list(validate(self.trial)), f"workerGroups[{self.index}]")
        except Exception as exc:
            self.problems = [Problem("workerGroups", f"validation failed: {exc}", "report this as a bug")]
        form = self.query_one(FieldForm)
        rest = form.show_problems(self.problems)
        form.set_asides(lambda field: effective_aside(self.trial, self.group, field))
        self.query_one("#group-problems", Static).update(
            "\n".join(f"{'✗' if p.is_error else '⚠'} {p.path}: {p.message} — {fix_for(p, 'wizard')}" for p in rest))
        blocked = bool(form.parse_errors) or any(p.is_error for p in self.problems)
        self.query_one("#save", Button).disabled = blocked

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: on to the next field, or apply from the last one (as a form on the web does)."""
        event.stop()
        editors = [w for w in self.query_one(FieldForm).query(".field-editor") if w.focusable]
        if editors and event.input is editors[-1]:
            self.action_save()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        form = self.query_one(FieldForm)
        if form.parse_errors or any(p.is_error for p in self.problems):
            self.notify("Fix the errors marked ✗ first (or press Esc to cancel).", severity="error", markup=False)
            return
        self.dismiss(self.group)

    def action_cancel(self) -> None:
        self.dismiss(None)
