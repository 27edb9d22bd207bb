"""How one question is asked: the ``Asker`` seam, its questionary implementation, and the rendering of a field
declaration as a question (the second of the three renderings: TUI form, question, ``--set`` path).

The flow (``prompts.py``) talks to an ``Asker`` only, so unit tests drive it with scripted answers and the
pseudo-terminal tests drive the real questionary one.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable
from typing import IO, Any, Protocol

from raywizard.fields.declarations import Field, Kind
from raywizard.fields.fix_text import fix_for
from raywizard.model.problems import Problem, Severity
from raywizard.model.spec import ClusterSpec, WorkerGroup

Validator = Callable[[str], str | None]  # None: fine; otherwise the message shown under the input
NOT_SET = "(not set: chart default)"
# Going back to the previous question of a step: a choice of every select question, "<" typed in a text one.
BACK = "__back__"
BACK_TITLE = "← back to the previous question"
BACK_TEXT = "<"


def wrapped(mark: str, text: str, width: int | None = None) -> str:
    """A message line (``✗`` error, ``!`` warning) wrapped at word boundaries to the terminal's width, its
    continuation lines indented under the text: a terminal would otherwise wrap it mid-word at column 0."""
    import shutil

    columns = width or shutil.get_terminal_size((100, 24)).columns
    return textwrap.fill(text, width=max(40, columns - 1), initial_indent=f"  {mark} ",
                         subsequent_indent=" " * (len(mark) + 3), break_long_words=False,
                         break_on_hyphens=False)


class Asker(Protocol):
    def text(self, message: str, *, default: str = "", validate: Validator | None = None,
             hint: str = "") -> str: ...

    def select(self, message: str, choices: list[tuple[str, str]], *, default: str | None = None) -> str:
        """``choices`` are (title, value) pairs; returns the chosen value."""
        ...

    def confirm(self, message: str, *, default: bool = True) -> bool: ...

    def say(self, text: str = "") -> None: ...


def no_color() -> bool:
    return bool(os.environ.get("NO_COLOR"))


class QuestionaryAsker:
    """Questions on the terminal. Ctrl-C raises ``KeyboardInterrupt`` (``unsafe_ask``), which the command
    turns into "nothing was written"."""

    def __init__(self, out: IO[str] | None = None) -> None:
        import questionary

        self._q = questionary
        self._out = out or sys.stdout
        self._extra: dict[str, Any] = {}
        if out is None and not sys.stdout.isatty() and sys.stderr.isatty():
            # `raywizard init -o - > apps.yaml`: stdout carries the YAML, so talk to the user on stderr.
            from prompt_toolkit.output import create_output

            self._out = sys.stderr
            self._extra["output"] = create_output(stdout=sys.stderr)
        # NO_COLOR: prompt_toolkit drops to monochrome by itself; an empty style also drops bold/reverse.
        self._style = questionary.Style([]) if no_color() else None

    def text(self, message: str, *, default: str = "", validate: Validator | None = None,
             hint: str = "") -> str:
        # Checked after the answer, not in questionary's validator: prompt_toolkit shows that message in a
        # one-line toolbar, cut at the terminal's width (a Problem's message and fix rarely fit). Printed here
        # it wraps in full, and the question comes again with the refused text to correct.
        while True:
            question = self._q.text(message, default=default, instruction=hint or None, style=self._style,
                                    **self._extra)
            answer = str(question.unsafe_ask())
            problem = validate(answer) if validate else None
            if problem is None:
                return answer
            self.say(wrapped("✗", problem))
            default = answer

    def select(self, message: str, choices: list[tuple[str, str]], *, default: str | None = None) -> str:
        options = [self._q.Choice(title, value) for title, value in choices]
        values = [value for _, value in choices]
        question = self._q.select(message, options, default=default if default in values else None,
                                  style=self._style, **self._extra)
        return str(question.unsafe_ask())

    def confirm(self, message: str, *, default: bool = True) -> bool:
        # y/n wait for Enter, as every other answer does: with questionary's auto_enter the habitual "y<Enter>"
        # answered this question with y and the next one with its default.
        question = self._q.confirm(message, default=default, auto_enter=False, style=self._style, **self._extra)
        return bool(question.unsafe_ask())

    def say(self, text: str = "") -> None:
        print(text, file=self._out, flush=True)


# ---------------------------------------------------------------------------------------- one field
def problems_at(problems: list[Problem], path: str) -> list[Problem]:
    """Problems on ``path`` itself or inside it (``head.cpuLimit`` also gets ``head.cpuLimit.x``)."""
    return [p for p in problems if p.path == path or p.path.startswith((path + ".", path + "["))]


def _validate_spec(spec: ClusterSpec) -> list[Problem]:
    from raywizard.validation.validate import validate

    return validate(spec)


def _owner(spec: ClusterSpec, field: Field, index: int | None) -> ClusterSpec | WorkerGroup:
    return spec.worker_groups[index] if field.per_group and index is not None else spec


def describe(spec: ClusterSpec, field: Field, index: int | None = None) -> str:
    """The value as shown in summaries: the formatted value, or the placeholder (chart default) when unset."""
    value = field.format(field.get(_owner(spec, field, index)))
    if value:
        return value
    group = spec.worker_groups[index] if index is not None else None
    if field.placeholder is not None:
        try:
            return f"({field.placeholder(spec, group)})"
        except Exception:  # a chart version without a model must not break a summary line
            return "(chart default)"
    return "(not set)"


def help_lines(field: Field, width: int | None = None) -> str:
    """A field's help, wrapped and indented, for the lines above its question (the TUI shows it beside): at
    most 100 columns, and no wider than the terminal."""
    import shutil

    columns = min(100, width or shutil.get_terminal_size((100, 24)).columns - 1)
    return textwrap.fill(field.help, width=max(40, columns), initial_indent="  ", subsequent_indent="  ",
                         break_long_words=False, break_on_hyphens=False)


class FieldAsker:
    """Asks fields of one spec; remembers which warnings it already printed so each shows once."""

    def __init__(self, asker: Asker, spec: ClusterSpec,
                 validate: Callable[[ClusterSpec], list[Problem]] = _validate_spec) -> None:
        self.asker = asker
        self.spec = spec
        self.validate = validate
        self._warned: set[tuple[str, str]] = set()

    def cross_field_errors(self, field: Field, index: int | None, value: Any) -> list[Problem]:
        """Errors ``validate(spec)`` reports under this field's path if it held ``value`` (on a copy)."""
        trial = self.spec.clone()
        field.set(_owner(trial, field, index), value)
        path = field.path(index)
        return [p for p in problems_at(self.validate(trial), path) if p.severity is Severity.ERROR]

    def check_text(self, field: Field, index: int | None, *, back: bool = False) -> Validator:
        def check(text: str) -> str | None:
            if back and text.strip() == BACK_TEXT:
                return None
            try:
                value = field.parse(text)
            except ValueError as exc:
                return str(exc)
            errors = self.cross_field_errors(field, index, value)
            return f"{errors[0].message} — {fix_for(errors[0], 'prompt')}" if errors else None

        return check

    def ask(self, field: Field, index: int | None = None, *, back: bool = False) -> bool:
        """Ask one field, re-asking until it parses and has no cross-field error, then store it. With ``back``
        the user may go back instead (a choice, or ``<`` typed): then nothing is stored and True returned."""
        owner = _owner(self.spec, field, index)
        current = field.get(owner)
        message = field.label if index is None else f"{field.label} ({self.spec.worker_groups[index].name})"
        self.asker.say(help_lines(field))
        while True:
            if field.kind is Kind.CHOICE:
                value = self._ask_choice(field, message, current, back=back)
                if value == BACK:
                    return True
            elif field.kind is Kind.BOOL:
                answer = self.asker.confirm(message, default=bool(current))
                # An unset optional flag stays unset when the answer is its default: the file stays unchanged.
                value = current if current is None and answer is False else answer
            else:
                group = self.spec.worker_groups[index] if index is not None else None
                hints = []
                if field.optional and field.placeholder is not None:
                    hints.append(f"blank: {field.placeholder(self.spec, group)}")
                if back:
                    hints.append(f"{BACK_TEXT} back")
                hint = f"({'; '.join(hints)})" if hints else ""
                text = self.asker.text(message, default=field.format(current), hint=hint,
                                       validate=self.check_text(field, index, back=back))
                if back and text.strip() == BACK_TEXT:
                    return True
                value = field.parse(text)
            if field.kind in (Kind.CHOICE, Kind.BOOL):
                errors = self.cross_field_errors(field, index, value)
                if errors:
                    self.asker.say(wrapped("✗", f"{errors[0].message} — {fix_for(errors[0], 'prompt')}"))
                    continue
            break
        if value != current:
            field.set(owner, value)
        self.show_warnings(field.path(index))
        return False

    def _ask_choice(self, field: Field, message: str, current: Any, *, back: bool = False) -> Any:
        options = field.choice_list(self.spec)
        shown = field.format(current)
        if shown and shown not in options:
            options = [shown, *options]  # a value from a file we do not know: keep it choosable
        choices = [(option, option) for option in options]
        if field.optional:
            choices.append((NOT_SET, ""))
        if back:
            choices.append((BACK_TITLE, BACK))
        answer = self.asker.select(message, choices, default=shown)
        return None if answer == "" else answer

    def show_warnings(self, path: str) -> None:
        for problem in problems_at(self.validate(self.spec), path):
            key = (problem.path, problem.message)
            if problem.severity is Severity.WARNING and key not in self._warned:
                self._warned.add(key)
                self.asker.say(wrapped("!", f"{problem.message} — {fix_for(problem, 'prompt')}"))


def group_label(group: WorkerGroup, index: int) -> str:
    state = "disabled" if group.disabled else "enabled"
    role = "chart's worker" if index == 0 else "additional"
    return f"{group.name} ({role}, {state})"
