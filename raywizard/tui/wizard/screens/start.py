"""Start: a new configuration from a preset, open files, or tweak the Applications running in a cluster; and the
kube context (server URL + preflight summary). Everything but "tweak" works offline."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, LoadingIndicator, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.widgets.select import InvalidSelectValueError

from raywizard.model.errors import RaywizardError
from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text
from raywizard.tui.messages import ContextsListed, LiveSpecLoaded
from raywizard.tui.wizard.cluster_jobs import (
    check_summary,
    list_contexts_job,
    live_workspace_job,
    run_in_worker,
)
from raywizard.tui.wizard.screens.base import StepScreen
from raywizard.tui.wizard.widgets.field_form import InOrderInput
from raywizard.tui.wizard.wizard_model import WizardStep

OFFLINE = "__offline__"
BLANK = "__blank__"  # the presets list's "new from the chart's defaults"


class StartScreen(StepScreen):
    STEP = WizardStep.START
    INTRO = ("Start from a preset or a blank configuration, open your Application files (the guide's single or "
             "split files, or a values file), or load the Applications running in a cluster. No cluster is needed "
             "to render and save.")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "focus_open", "Open file"),
        Binding("c", "focus_context", "Context"),
        Binding("l", "load_live", "Tweak live"),
    ]

    def compose_body(self) -> ComposeResult:
        from raywizard.documents.presets import list_presets

        yield Static("New from a preset, or blank (the last choice)", classes="section-title")
        options = [Option(f"{p.name}{' (yours)' if p.source == 'user' else ''} — "
                          f"{literal(p.description, single_line=True)}", id=p.name)
                   for p in list_presets()]
        options.append(Option("blank — the chart's defaults: no preset, one worker group (as raywizard init)",
                              id=BLANK))
        yield OptionList(*options, id="presets", markup=False)
        yield Static("Open files", classes="section-title")
        with Horizontal(classes="inline-row"):
            yield InOrderInput(placeholder="path(s) to Application or values YAML, space separated",
                               id="open-paths", compact=True)
            yield Button("Open", id="open", compact=True)
        yield Static("Cluster", classes="section-title")
        with Horizontal(classes="inline-row"):
            # The chosen context is an option from the start, so the initial value never reads as "go offline".
            current = self.wizard.context_name
            choices: list[tuple[Any, str]] = [("offline (no cluster)", OFFLINE)]
            if current:
                choices.append((rich_text(current, single_line=True), current))
            yield Select(choices, value=current or OFFLINE, allow_blank=False, id="context", compact=True)
            yield Button("Tweak running cluster", id="load-live", compact=True, disabled=True)
        with Vertical(id="cluster-info"):
            yield LoadingIndicator(id="cluster-spinner")
            yield Static("", id="cluster-summary", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#cluster-spinner").display = False
        self.query_one("#presets", OptionList).focus()
        if not self.wizard.offline:
            # After the first frame: the worker imports the kubernetes client, which would hold the GIL meanwhile.
            self.call_after_refresh(run_in_worker, self, ContextsListed, list_contexts_job(self.wizard.kubeconfig),
                                    group="contexts")
        self.show_connection()

    # ------------------------------------------------------------------------------------------ choices
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        from raywizard.documents.presets import load_preset
        from raywizard.documents.workspace import Workspace

        name = str(event.option.id)
        if name == BLANK:
            from raywizard.model.spec import ClusterSpec

            self.wizard.replace_workspace(Workspace.new(ClusterSpec()))
            self.notify("New configuration from the chart's defaults.", markup=False)
            return
        try:
            spec = load_preset(name)
        except RaywizardError as exc:
            self.notify(str(exc), title="Preset not loaded", severity="error", markup=False)
            return
        self.wizard.replace_workspace(Workspace.new(spec))
        self.notify(f"New configuration from preset {name!r}.", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "open":
            self._open()
        elif event.button.id == "load-live":
            self.action_load_live()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "open-paths":
            self._open()

    def _open(self) -> None:
        from raywizard.documents.workspace import Workspace

        text = self.query_one("#open-paths", Input).value.strip()
        if not text:
            self.notify("Type the path of a YAML file first.", severity="warning", markup=False)
            return
        paths = [Path(p).expanduser() for p in text.split()]
        try:
            workspace = Workspace.load(paths)
        except RaywizardError as exc:
            from raywizard.tui.common.dialogs import ErrorModal

            # A dialog, not a toast: the message may list a Problem per wrongly typed value, each with its path.
            self.app.push_screen(ErrorModal("Cannot open", literal(exc)))
            return
        self.wizard.replace_workspace(workspace)
        self.notify(f"Opened {', '.join(str(p) for p in paths)}.", markup=False)

    def action_focus_open(self) -> None:
        self.query_one("#open-paths", Input).focus()

    def action_focus_context(self) -> None:
        self.query_one("#context", Select).focus()

    def action_load_live(self) -> None:
        connection = self.wizard.connection
        if connection is None:
            self.notify("Pick a kube context first (the Cluster box).", severity="warning", markup=False)
            return
        self._busy(f"Reading the Applications in {self.model.spec.target.argocd_namespace}…")
        run_in_worker(self, LiveSpecLoaded, live_workspace_job(connection, self.model.spec.target.argocd_namespace),
                      group="live")

    # ------------------------------------------------------------------------------------------ cluster
    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "context" or event.value is Select.NULL:
            return
        if event.value == OFFLINE:
            if self.wizard.connection is not None or self.wizard.connecting:
                self.wizard.disconnect()
            self.show_connection()
            return
        if getattr(self.wizard.connection, "context_name", None) == event.value or (
                self.wizard.connecting and self.wizard.context_name == event.value):
            return
        self._busy(f"Connecting to {event.value}…")
        self.wizard.connect(str(event.value))

    def _busy(self, text: str) -> None:
        self.query_one("#cluster-spinner").display = True
        self.query_one("#cluster-summary", Static).update(text)

    def on_live_spec_loaded(self, event: LiveSpecLoaded) -> None:
        self.query_one("#cluster-spinner").display = False
        if event.error or event.value is None:
            error = event.error or "no Applications"
            self.query_one("#cluster-summary", Static).update(f"✗ {error}")
            self.notify(error, title="Cannot load the live Applications", severity="error", markup=False)
        else:
            self.wizard.replace_workspace(event.value)
            self.notify("Loaded the live Applications: edit, preview the diff, apply.", markup=False)

    def on_contexts_listed(self, event: ContextsListed) -> None:
        select = self.query_one("#context", Select)
        if event.error:
            self.query_one("#cluster-summary", Static).update(f"No kube contexts: {event.error}\n"
                                                              "Working offline.")
            return
        contexts: list[Any] = event.value or []
        # Names and URLs come from the kubeconfig: shown literally (rich Text is never parsed for markup).
        options: list[tuple[Any, str]] = [("offline (no cluster)", OFFLINE)] + [
            (rich_text(f"{c.name}  {c.server}{'  (current)' if c.current else ''}", single_line=True), c.name)
            for c in contexts]
        current = getattr(self.wizard.connection, "context_name", None) or self.wizard.context_name
        with select.prevent(Select.Changed):
            select.set_options(options)
            if current in {c.name for c in contexts}:
                select.value = current

    def _show_chosen_context(self) -> None:
        """The Cluster box names the context the app connects to, also when the app chose it (the current one)."""
        select = self.query_one("#context", Select)
        chosen = getattr(self.wizard.connection, "context_name", None) or (
            self.wizard.context_name if self.wizard.connecting else None)
        if chosen is None or select.value == chosen:
            return
        with select.prevent(Select.Changed), contextlib.suppress(InvalidSelectValueError):
            select.value = chosen  # not listed yet: _fill_contexts selects it once the contexts are read

    def show_connection(self) -> None:
        """Called on mount and by the app whenever the connection changes."""
        if not self.ready:
            return
        summary = self.query_one("#cluster-summary", Static)
        self.query_one("#cluster-spinner").display = self.wizard.connecting
        button = self.query_one("#load-live", Button)
        connection = self.wizard.connection
        button.disabled = connection is None
        self._show_chosen_context()
        if self.wizard.connection_error:
            summary.update(f"✗ {self.wizard.connection_error}")
        elif self.wizard.connecting:
            summary.update(self.wizard.preflight_progress or "Connecting…")
        elif connection is None:
            summary.update("Offline: render, validate and save work; diff and apply need a cluster.")
        else:
            demo = f"Demo: {self.wizard.demo_note}\n" if self.wizard.demo_note else ""
            summary.update(f"{demo}Context {literal(connection.context_name)}\n"
                           f"Server  {literal(connection.server_url)}\n{check_summary(self.wizard.preflight or [])}")
