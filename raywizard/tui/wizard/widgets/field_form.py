"""A form rendered from the declarations in ``raywizard.fields.declarations``: one row per Field with its label,
an editor chosen by ``Field.kind`` (Input, Select or Toggle), the chart default as placeholder and an inline message
under it.

The form is not a source of truth: it reads values from its owner (a ClusterSpec or a WorkerGroup), writes parsed
values back through ``Field.set`` and posts ``FieldForm.Edited`` so the app can revalidate. Text that does not
parse stays in the editor with its message and is reported through ``Edited.parse_error``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static
from textual.widgets.select import InvalidSelectValueError

from raywizard.fields.fix_text import fix_for
from raywizard.fields.kit import Field, Kind
from raywizard.model.problems import Problem
from raywizard.model.spec import ClusterSpec, WorkerGroup
from raywizard.tui.common.textual_internals import bindings_of
from raywizard.tui.wizard.widgets.toggle import Toggle


def field_dom_id(field: Field) -> str:
    """A DOM id for a field's editor: ``workerGroups[].maxReplicas`` -> ``f-workerGroups-maxReplicas``."""
    return "f-" + field.key.replace("[]", "").replace(".", "-")


class InOrderInput(Input):
    """An Input whose editing keys (backspace, delete, ctrl+u, arrows…) act in the order they were typed.

    Textual runs an Input's key bindings only after the key has bubbled up to the App, one message queue per
    ancestor, while a printed character is inserted as soon as the Input sees it. While the app is busy (the
    wizard revalidates and renders after edits) the App's queue holds the next keys, so typed characters overtake
    earlier backspaces: backspace x12 then ``raycluster`` left ``rayclust`` or ``rraycl``. Running the Input's own
    binding here keeps the order; a key the Input does not bind still bubbles."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable:
            for binding in bindings_of(self).get(event.key, ()):
                if not binding.priority and await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    return
        await super()._on_key(event)


class FieldInput(InOrderInput):
    """An Input that leaves ``?`` to the screen (help for this field): no field value contains a ``?``."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != "?" and super().check_consume_key(key, character)


class FieldRow(Vertical):
    """Label + editor on one line, message below (hidden while empty)."""

    def __init__(self, field: Field, spec: ClusterSpec, owner: Any, group: WorkerGroup | None) -> None:
        super().__init__(classes="field-row")
        self.field = field
        self._spec = spec
        self._owner = owner
        self._group = group

    def compose(self) -> ComposeResult:
        field = self.field
        value = field.get(self._owner)
        with Horizontal(classes="field-line"):
            yield Label(field.label, classes="field-label")
            yield self._editor(field, value)
            yield Static("", classes="field-aside", markup=False)
        yield Static("", classes="field-message", markup=False)

    def _editor(self, field: Field, value: Any) -> Widget:
        dom_id = field_dom_id(field)
        if field.kind is Kind.BOOL:
            return Toggle(bool(value), id=dom_id, classes="field-editor")
        if field.kind is Kind.CHOICE:
            choices = field.choice_list(self._spec)
            current = field.format(value)
            if current and current not in choices:
                choices = [current, *choices]  # a value we do not know is kept, not silently replaced
            return Select([(c, c) for c in choices], value=current if current else Select.NULL,
                          allow_blank=field.optional or not current, id=dom_id, classes="field-editor",
                          compact=True, prompt="(chart default)" if field.optional else "Select")
        placeholder = ""
        if field.placeholder is not None:
            # The chart default shown as a hint: a spec the chart cannot render (a group name the chart would
            # render as YAML syntax) has none, and its Problem says why.
            with contextlib.suppress(Exception):
                placeholder = field.placeholder(self._spec, self._group)
        suggester = None
        if field.key == "image.tag":  # complete known Ray releases as you type (other tags stay allowed)
            from textual.suggester import SuggestFromList

            from raywizard.model.versions import KNOWN_RAY_TAGS

            suggester = SuggestFromList(sorted(KNOWN_RAY_TAGS, reverse=True))
        return FieldInput(field.format(value), placeholder=placeholder, id=dom_id, classes="field-editor",
                          compact=True, select_on_focus=False, suggester=suggester)

    def show_message(self, text: str, severity: str) -> None:
        message = self.query_one(".field-message", Static)
        message.update(text)
        message.set_class(bool(text), "-shown")
        message.set_class(severity == "error", "-error")
        message.set_class(severity == "warning", "-warning")

    def set_aside(self, text: str) -> None:
        self.query_one(".field-aside", Static).update(text)


class FieldForm(Vertical):
    """The rows for ``fields``; ``owner_for(field)`` says which object a field edits."""

    class Edited(Message):
        def __init__(self, form: FieldForm, field: Field, path: str, parse_error: str | None) -> None:
            super().__init__()
            self.form = form
            self.field = field
            self.path = path
            self.parse_error = parse_error

        @property
        def control(self) -> FieldForm:
            return self.form

    def __init__(self, fields: Sequence[Field], spec: ClusterSpec, *, group: WorkerGroup | None = None,
                 group_index: int | None = None, id: str | None = None) -> None:
        super().__init__(id=id, classes="field-form")
        self.fields = list(fields)
        self.spec = spec
        self.group = group
        self.group_index = group_index
        self._rows: dict[str, FieldRow] = {}
        self.parse_errors: dict[str, str] = {}

    def owner_for(self, field: Field) -> Any:
        return self.group if field.per_group else self.spec

    def path_of(self, field: Field) -> str:
        return field.path(self.group_index if field.per_group else None)

    def compose(self) -> ComposeResult:
        for field in self.fields:
            row = FieldRow(field, self.spec, self.owner_for(field), self.group)
            self._rows[field.key] = row
            yield row

    def row(self, key: str) -> FieldRow | None:
        return self._rows.get(key)

    # ------------------------------------------------------------------------------------------------ edits
    def _apply(self, field: Field, value: Any) -> None:
        owner = self.owner_for(field)
        if field.get(owner) != value:
            field.set(owner, value)
            self.parse_errors.pop(field.key, None)
            self.post_message(self.Edited(self, field, self.path_of(field), None))
        elif field.key in self.parse_errors:
            del self.parse_errors[field.key]
            self.post_message(self.Edited(self, field, self.path_of(field), None))

    def _field_of(self, widget: Widget | None) -> Field | None:
        row = next((a for a in (widget.ancestors if widget else []) if isinstance(a, FieldRow)), None)
        return row.field if row is not None else None

    @on(Input.Changed, ".field-editor")
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        field = self._field_of(event.input)
        if field is None:
            return
        if event.value == field.format(field.get(self.owner_for(field))):
            # The text of the current value (also the Changed every Input posts on mount): nothing to write.
            # Writing the parsed text back would turn `cpu: 1` into `cpu: "1"` in a file nobody edited.
            if self.parse_errors.pop(field.key, None) is not None:
                self.post_message(self.Edited(self, field, self.path_of(field), None))
            return
        try:
            value = field.parse(event.value)
        except ValueError as exc:
            self.parse_errors[field.key] = str(exc)
            self.post_message(self.Edited(self, field, self.path_of(field), str(exc)))
            return
        self._apply(field, value)

    @on(Select.Changed, ".field-editor")
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        field = self._field_of(event.select)
        if field is None:
            return
        value = None if event.value is Select.NULL or event.value is Select.BLANK else str(event.value)
        if value is None and not field.optional:
            return
        self._apply(field, value)

    @on(Toggle.Changed, ".field-editor")
    def _toggle_changed(self, event: Toggle.Changed) -> None:
        event.stop()
        field = self._field_of(event.toggle)
        if field is None:
            return
        current = field.get(self.owner_for(field))
        if bool(current) != event.value:
            self._apply(field, event.value)

    # ------------------------------------------------------------------------------------------ messages
    def show_problems(self, problems: Sequence[Problem]) -> list[Problem]:
        """Show each problem under its field; return the problems that belong to no field of this form."""
        by_path: dict[str, list[Problem]] = {}
        for problem in problems:
            by_path.setdefault(problem.path, []).append(problem)
        claimed: set[int] = set()
        for field in self.fields:
            row = self._rows.get(field.key)
            if row is None:
                continue
            path = self.path_of(field)
            if field.key in self.parse_errors:
                row.show_message("✗ " + self.parse_errors[field.key], "error")
                claimed.update(id(p) for p in by_path.get(path, []))
                continue
            mine = by_path.get(path, [])
            claimed.update(id(p) for p in mine)
            if mine:
                worst = sorted(mine, key=lambda p: not p.is_error)[0]
                mark = "✗" if worst.is_error else "⚠"
                row.show_message(f"{mark} {worst.message} — {fix_for(worst, 'wizard')}",
                                 "error" if worst.is_error else "warning")
            else:
                row.show_message("", "")
        return [p for p in problems if id(p) not in claimed]

    def set_asides(self, asides: Callable[[Field], str]) -> None:
        self.add_class("-asides")  # reserve the column only in forms that show values beside the inputs
        for field in self.fields:
            row = self._rows.get(field.key)
            if row is not None:
                text = asides(field)
                # The spec still holds the last value that parsed: showing what it becomes would read as the
                # result of the text in the box.
                row.set_aside("(invalid)" if text and field.key in self.parse_errors else text)

    def refresh_values(self) -> None:
        """Re-read every value from the owner (after an edit elsewhere changed it), keeping unparsed text."""
        for field in self.fields:
            row = self._rows.get(field.key)
            if row is None or field.key in self.parse_errors:
                continue
            editor = row.query_one(".field-editor")
            value = field.get(self.owner_for(field))
            if isinstance(editor, Input):
                text = field.format(value)
                try:
                    same = field.parse(editor.value) == value
                except ValueError:
                    same = False
                if not same and editor.value != text:
                    with editor.prevent(Input.Changed):
                        editor.value = text
            elif isinstance(editor, Toggle) and editor.value != bool(value):
                with editor.prevent(Toggle.Changed):
                    editor.value = bool(value)
            elif isinstance(editor, Select):
                text = field.format(value)
                if editor.value != (text or Select.NULL):
                    with editor.prevent(Select.Changed), contextlib.suppress(InvalidSelectValueError):
                        editor.value = text or Select.NULL
