"""The base of every wizard step: step bar, body, status line, footer, and the bindings shared by all steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from raywizard.fields.fix_text import fix_for
from raywizard.model.problems import Problem
from raywizard.tui.wizard.widgets.chrome import StatusLine, StepBar
from raywizard.tui.wizard.widgets.field_form import FieldForm
from raywizard.tui.wizard.wizard_model import WizardModel, WizardStep

if TYPE_CHECKING:
    from raywizard.tui.wizard.app import WizardApp


class StepScreen(Screen[None]):
    """A wizard step. What the app calls on the steps in its stack: ``refresh_view`` after a spec change,
    ``show_connection`` after the connection changed, ``focus_field`` to land on a field with a problem."""

    STEP: ClassVar[WizardStep]
    INTRO: ClassVar[str] = ""
    STACKED: ClassVar[bool] = False  # side panel below the form even on wide terminals
    ready = False  # set on mount: the app may call refresh_view/show_connection on screens not yet mounted

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "app.next_step", "Next", priority=True),
        Binding("ctrl+b", "app.previous_step", "Back", priority=True),
        Binding("question_mark", "app.field_help", "Help", key_display="?", priority=True),
        Binding("f1", "app.field_help", "Help", show=False),
        Binding("ctrl+s", "app.save", "Save", priority=True),
        # The app's ctrl+q, left out of the steps' footers for room (? and the command palette list it).
        Binding("ctrl+q", "app.quit", "Quit", show=False, priority=True),
    ]

    @property
    def wizard(self) -> WizardApp:
        return self.app  # type: ignore[return-value]

    @property
    def model(self) -> WizardModel:
        return self.wizard.model

    def compose(self) -> ComposeResult:
        yield StepBar(self.STEP)
        with VerticalScroll(id="step-body"):
            if self.INTRO:
                yield Static(self.INTRO, classes="intro")
            yield from self.compose_body()
            yield Static("", id="step-problems", markup=False)
        yield StatusLine()
        yield Footer(compact=True)  # compact: a step's own keys fit beside Next/Back/Help/Save at 100 columns

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.ready = True
        self.sub_title = f"{self.STEP.number}/{len(WizardStep)} {self.STEP.label}"
        self.refresh_view()

    def on_resize(self) -> None:
        if self.ready:
            self._refresh_chrome()
            narrow = self.size.width < 100
            for columns in self.query(".step-columns"):
                columns.set_class(narrow or self.STACKED, "-stacked")
            # Below 100 columns the step's own keys need the room of the `^p palette` key (ctrl+p still opens
            # it, and ? lists it); a footer that overflows also leaves a stray character behind that key.
            footer = self.query_one(Footer)
            if footer.show_command_palette == narrow:
                footer.show_command_palette = not narrow
                footer.refresh(recompose=True)

    def show_connection(self) -> None:
        """The steps that show the cluster connection say what it is now."""

    # Called by the app after every spec change (and once on mount).
    def refresh_view(self) -> None:
        if not self.ready:
            return
        self._refresh_chrome()
        forms = list(self.query(FieldForm))
        remaining = self.model.step_problems(self.STEP)
        for form in forms:
            remaining = form.show_problems(remaining)
        self.show_unclaimed(remaining)
        self.refresh_step()

    def refresh_step(self) -> None:
        """Step-specific derived views (effective resources, totals, names): override."""

    def show_unclaimed(self, problems: list[Problem]) -> None:
        box = self.query_one("#step-problems", Static)
        lines = [f"{'✗' if p.is_error else '⚠'} {p.path}: {p.message} — {fix_for(p, 'wizard')}" for p in problems]
        box.update("\n".join(lines))
        box.set_class(bool(lines), "-shown")

    def _refresh_chrome(self) -> None:
        with_errors = {step for step in WizardStep if self.model.blocking(step)} - {WizardStep.PREVIEW,
                                                                                       WizardStep.APPLY}
        self.query_one(StepBar).show(with_errors, compact=self.size.width < 96)
        blocking = self.model.blocking(self.STEP)
        whole = self.STEP in (WizardStep.PREVIEW, WizardStep.APPLY)  # these steps answer for the whole spec
        listed = self.model.all_problems() if whole else self.model.step_problems(self.STEP)
        warnings = sum(1 for p in listed if not p.is_error)
        self.query_one(StatusLine).show(blocking, warnings, self.status_extra())

    def status_extra(self) -> str:
        return ""

    def focus_field(self, path: str) -> bool:
        """Focus the editor of ``path`` (jump-to-field from the problems list); False when not on this step."""
        from raywizard.tui.wizard.wizard_model import field_key_of

        for form in self.query(FieldForm):
            row = form.row(field_key_of(path))
            if row is not None:
                editor = row.query_one(".field-editor")
                editor.focus()
                row.scroll_visible()
                return True
        return False

    def on_field_form_edited(self, event: FieldForm.Edited) -> None:
        self.model.set_parse_error(event.path, event.parse_error)
        self.wizard.spec_changed(self)
