"""The Textual wizard: one app factory (``create_app``) used by the CLI, the tests and the screenshot script.

The app owns the WizardModel (Workspace + problems) and the cluster connection; screens edit ``model.spec`` and
call ``spec_changed``; the app revalidates and tells the visible screen to refresh ("attributes down").
Cluster I/O happens in thread workers (see ``raywizard.tui.wizard.cluster_jobs``) that only post messages.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from raywizard.model.spec import ClusterSpec
from raywizard.tui.common.key_order import InOrderKeys
from raywizard.tui.messages import Connected, CurrentContextRead, PreflightProgress
from raywizard.tui.wizard.screens.base import StepScreen
from raywizard.tui.wizard.wizard_model import WizardModel, WizardStep

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace
    from raywizard.kube.connection import Connection
    from raywizard.kube.preflight import Check

DEFAULT_PRESET = "argocd-guide"
REVALIDATE_DELAY = 0.035  # seconds after an edit before validation and derived views refresh


# Step -> "module:Class"; imported on first use so that the first frame does not pay for every screen (the
# preview alone pulls in Pygments for highlighting).
_SCREENS = {
    WizardStep.START: "start:StartScreen",
    WizardStep.VERSIONS: "steps:VersionsScreen",
    WizardStep.TARGET: "steps:TargetScreen",
    WizardStep.HEAD: "steps:HeadScreen",
    WizardStep.WORKERS: "workers:WorkersScreen",
    WizardStep.SYNC: "steps:SyncScreen",
    WizardStep.PREVIEW: "preview:PreviewScreen",
    WizardStep.APPLY: "apply:ApplyScreen",
}


def _screen_class(step: WizardStep) -> type[StepScreen]:
    import importlib

    module_name, class_name = _SCREENS[step].split(":")
    screen_class: type[StepScreen] = getattr(
        importlib.import_module(f"raywizard.tui.wizard.screens.{module_name}"), class_name)
    return screen_class


_TEXTUAL_ACTIONS = {binding.action for binding in (*Screen.BINDINGS, *App.BINDINGS) if isinstance(binding, Binding)}


class WizardApp(InOrderKeys[int]):
    TITLE = "raywizard"
    CSS_PATH = "wizard.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Back to the live dashboard (the one `w` came from, or a new one on the wizard's connection).
        Binding("f2", "dashboard", "Dashboard", show=False, id="wizard.dashboard"),
    ]

    def __init__(self, workspace: Workspace, *, kubeconfig: str | None = None, context: str | None = None,
                 offline: bool = False, start_step: WizardStep = WizardStep.START,
                 on_exit: Callable[[], None] | None = None, demo_note: str = "",
                 offer_recovery: bool = False, demo_kubectl: str = "") -> None:
        super().__init__()
        self.model = WizardModel(workspace)
        self.model.changed()
        self.kubeconfig = kubeconfig
        self.context_name = context
        self.offline = offline
        self.connection: Connection | None = None  # once a context is chosen
        self.preflight: list[Check] | None = None
        self.connecting = False
        self.preflight_progress = ""  # the latest finished check while connecting (see cluster.PreflightProgress)
        self.connection_error: str | None = None
        self.offline_chosen = False  # the user went offline: never connect on their behalf after that
        self._revalidate_pending = False
        self._changed_sources: set[Any] = set()
        self.start_step = start_step
        self.current_step = start_step
        self.demo_note = demo_note
        self.demo_kubectl = demo_kubectl  # `raywizard demo`: the kubectl line for its cluster (help, palette)
        self._on_exit = on_exit
        self.offer_recovery = offer_recovery
        self.crash_message: str | None = None  # set once an unexpected exception ended the app
        self.came_from_dashboard = False  # opened by the dashboard's `w`: say that F2 goes back

    # ----------------------------------------------------------------------------------------- lifecycle
    def on_mount(self) -> None:
        self.push_screen(_screen_class(self.start_step)())
        self.note_application_set()
        if self.came_from_dashboard:
            from raywizard.tui.dashboard.from_wizard import note_way_back

            note_way_back(self)
        if not self.offline and (self.kubeconfig or self.context_name):
            self.call_after_refresh(self.connect, self.context_name)  # after the first frame (see StartScreen)
        elif not self.offline:
            # As kubectl does: the kubeconfig's current context, if there is one (offline is one choice away).
            from raywizard.tui.messages import CurrentContextRead
            from raywizard.tui.wizard.cluster_jobs import list_contexts_job, run_in_worker

            self.call_after_refresh(run_in_worker, self, CurrentContextRead, list_contexts_job(None),
                                    group="current-context")
        if self.offer_recovery:
            from raywizard.tui.wizard.crash import offer_restore

            self.call_after_refresh(offer_restore, self)

    def _handle_exception(self, error: Exception) -> None:
        """Textual's one hook for an exception no handler caught; it then ends the app. Keep the user's work
        first, and end with one message instead of a traceback of locals (RAYWIZARD_DEBUG=1 keeps that)."""
        from rich.text import Text

        from raywizard.tui.wizard.crash import CRASH_EXIT, debugging, keep_work

        first = self.crash_message is None
        if first:
            self.crash_message = keep_work(self, error)
        super()._handle_exception(error)
        self._return_code = CRASH_EXIT
        if first and not debugging():
            self._exit_renderables[:] = [Text(self.crash_message or "")]

    def on_unmount(self) -> None:
        # The connection this app opened goes with it: its pooled sockets, not only its thread pool.
        if self.connection is not None:
            self.connection.close()
        if self._on_exit is not None:
            self._on_exit()

    # --------------------------------------------------------------------------------------- the cluster
    def connect(self, context: str | None) -> None:
        from raywizard.tui.wizard.cluster_jobs import connect_worker

        self.connecting = True
        self.context_name = context
        self.connection_error = None
        self.preflight_progress = ""
        connect_worker(self, self.kubeconfig, context)
        self._connection_changed()

    def disconnect(self) -> None:
        self.offline_chosen = True
        if self.connection is not None:
            self.connection.close()
        self.workers.cancel_group(self, "connect")
        self.connecting = False
        self.context_name = None
        self.connection = None
        self.preflight = None
        self.connection_error = None
        self._connection_changed()

    def on_current_context_read(self, event: CurrentContextRead) -> None:
        self._connect_to_current(event.value or [])

    def on_connected(self, event: Connected) -> None:
        if not self.connecting:  # the user went offline meanwhile: drop the late answer
            if event.value is not None:
                event.value.connection.close()
            return
        self.connecting = False
        if event.error:
            self.connection_error = event.error
            self.notify(event.error, title="Cannot connect", severity="error", timeout=8, markup=False)
        else:
            info = event.value
            assert info is not None
            if self.connection is not None and self.connection is not info.connection:
                self.connection.close()
            self.connection = info.connection
            self.context_name = info.context
            self.preflight = info.checks
        self._connection_changed()

    def _connect_to_current(self, contexts: list[Any]) -> None:
        current = next((c for c in contexts if c.current), None)
        if current is None or self.offline or self.offline_chosen or self.connecting or self.connection is not None:
            return  # no current context (work offline), or the user chose already
        from raywizard.model.textsafe import literal

        self.notify(f"Connecting to the kubeconfig's current context {literal(current.name, single_line=True)} "
                    f"({literal(current.server, single_line=True)}). To work without a cluster, choose offline "
                    "in the Cluster box of the Start step (or start with --offline).",
                    title="Cluster", timeout=8, markup=False)
        self.connect(current.name)

    def on_preflight_progress(self, event: PreflightProgress) -> None:
        if not self.connecting:
            return
        self.preflight_progress = (f"Connecting… preflight {event.done}/{event.total}: {event.name} "
                                   f"{'✗' if event.failed else '✓'}")
        self._connection_changed()

    def _connection_changed(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, StepScreen):
                screen.show_connection()

    # ----------------------------------------------------------------------------------------- the spec
    def replace_workspace(self, workspace: Workspace, *, step: WizardStep = WizardStep.VERSIONS) -> None:
        self.model = WizardModel(workspace)
        self.model.changed()
        self.goto(step, force=True)
        self.note_application_set()

    def note_application_set(self) -> None:
        """An ApplicationSet was opened: its generators, and which Application the fields show."""
        appset = self.model.spec.app_set
        if appset is None:
            return
        from raywizard.model.textsafe import literal
        from raywizard.render.applicationsets import describe

        lines = [*describe(appset), f"The fields show the Application {self.model.spec.target.cluster_app}; "
                 "edits go into the template (render --generated lists every Application)."]
        self.notify(literal("\n".join(lines)), title="ApplicationSet", timeout=12, markup=False)

    def spec_changed(self, source: Screen[Any] | None = None) -> None:
        """Note an edit. Revalidation and derived views run right after the next frame, so the keystroke itself
        shows at once (validating and rendering the chart for 100 groups takes tens of milliseconds); several
        edits before that frame are revalidated once."""
        self._changed_sources.add(source)
        if not self._revalidate_pending:
            self._revalidate_pending = True
            # A timer, not call_after_refresh: that runs as soon as the app is idle, before the compositor has
            # painted the keystroke. Two frame intervals let the frame go first and coalesce fast typing.
            self.set_timer(REVALIDATE_DELAY, self.flush_changes)

    def flush_changes(self) -> None:
        """Revalidate now if an edit is pending (also before anything that reads the problems)."""
        if not self._revalidate_pending:
            return
        self._revalidate_pending = False
        sources, self._changed_sources = self._changed_sources, set()
        self.model.changed()
        if not self.screen_stack:
            return  # the timer fired while the app was closing: the model is current, nothing is left to redraw
        self.refresh_bindings()
        screen = self.screen
        if isinstance(screen, StepScreen):
            screen.refresh_view()
        for other in self.screen_stack:
            if other is not screen and other in sources and isinstance(other, StepScreen):
                other.refresh_view()  # the step below a modal (the group editor) shows its new state too

    # ------------------------------------------------------------------------------------------ steps
    def goto(self, step: WizardStep, *, force: bool = False, focus_path: str | None = None) -> bool:
        self.flush_changes()
        steps = list(WizardStep)
        if not force and steps.index(step) > steps.index(self.current_step):
            for passed in steps[steps.index(self.current_step): steps.index(step)]:
                blocking = self.model.blocking(passed)
                if blocking:
                    first = blocking[0]
                    self.notify(f"{passed.label} has {len(blocking)} error(s): {first.path}: {first.message}",
                                title="Next is disabled", severity="error", timeout=6, markup=False)
                    if passed is not self.current_step:
                        self._switch_to(passed, focus_path=first.path)
                    return False
        self._switch_to(step, focus_path=focus_path)
        return True

    def _switch_to(self, step: WizardStep, *, focus_path: str | None = None) -> None:
        self.current_step = step
        screen = _screen_class(step)()
        # Close modals above the step first; the base screen of the App stays at the bottom.
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if focus_path is not None:
            self.call_after_refresh(screen.focus_field, focus_path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Next shows as disabled in the footer while the step has errors (the status line says which)."""
        if action == "next_step" and self.model.blocking(self.current_step):
            return None
        return True

    def action_next_step(self) -> None:
        steps = list(WizardStep)
        index = steps.index(self.current_step)
        if index + 1 < len(steps):
            self.goto(steps[index + 1])

    def action_previous_step(self) -> None:
        steps = list(WizardStep)
        index = steps.index(self.current_step)
        if index > 0:
            self.goto(steps[index - 1])

    def action_goto(self, step: str) -> None:
        self.goto(WizardStep(step))

    # ---------------------------------------------------------------------------------------- actions
    def action_field_help(self) -> None:
        from raywizard.tui.common.dialogs import HelpModal
        from raywizard.tui.wizard.widgets.field_form import FieldRow

        focused = self.focused
        row = next((a for a in (focused.ancestors_with_self if focused else []) if isinstance(a, FieldRow)), None)
        if row is not None:
            field = row.field
            lines = [field.help, "", f"Path: {field.key}"]
            if field.placeholder is not None:
                with contextlib.suppress(Exception):  # a placeholder is a nicety; help must open regardless
                    lines.append(field.placeholder(self.model.spec, getattr(row, "_group", None)).capitalize())
            if field.choices is not None:
                lines.append("Choices: " + ", ".join(field.choice_list(self.model.spec)))
            self.push_screen(HelpModal(field.label, "\n".join(lines)))
            return
        screen = self.screen
        intro = (screen.INTRO if isinstance(screen, StepScreen) else "") or (
            "Move between fields with Tab; ? on a field explains it.")
        title = screen.STEP.label if isinstance(screen, StepScreen) else "raywizard"
        keys = [f"{self.get_key_display(b)}: {b.tooltip or b.description}" for b in self._described_bindings()
                if b.action != "command_palette"]
        keys.append("^p: command palette (every action, every step)")
        demo = f"\n\nThe demo cluster, from another terminal:\n{self.demo_kubectl}" if self.demo_kubectl else ""
        self.push_screen(HelpModal(title, intro + "\n\nKeys\n" + "\n".join(keys) + demo))

    def _described_bindings(self) -> list[Binding]:
        """Every active binding with a description, one per action: also the ones the footer leaves out for
        room (the help and the command palette list them)."""
        seen: set[str] = set()
        found: list[Binding] = []
        for active in self.active_bindings.values():
            binding = active.binding
            # Hidden ones only from our screens and app (not a focused widget's cursor keys, not Textual's Tab).
            own = isinstance(active.node, Screen | App) and binding.action not in _TEXTUAL_ACTIONS
            if binding.description and (binding.show or own) and binding.action not in seen:
                seen.add(binding.action)
                found.append(binding)
        return found

    def action_save(self) -> None:
        from raywizard.tui.wizard.saving import start_save

        self.flush_changes()
        start_save(self)

    def action_save_as(self) -> None:
        from raywizard.tui.wizard.saving import start_save

        self.flush_changes()
        start_save(self, save_as=True)

    def action_copy_yaml(self) -> None:
        text = self.model.workspace.render_applications_text()
        self.copy_to_clipboard(text)
        self.notify(f"Copied {len(text.splitlines())} lines of YAML to the clipboard (where the terminal "
                    "supports OSC 52).", markup=False)

    def action_save_preset(self) -> None:
        from raywizard.tui.wizard.saving import save_preset

        save_preset(self)

    async def action_quit(self) -> None:
        if not self.model.dirty:
            self.exit(0)
            return
        from raywizard.tui.common.dialogs import ConfirmModal

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.exit(0)

        self.push_screen(ConfirmModal("Quit without saving?", "Quit", "Stay",
                                      detail="Your changes are not saved (ctrl+s saves)."), done)

    def action_dashboard(self) -> None:
        from raywizard.tui.dashboard.from_wizard import open_dashboard

        open_dashboard(self)

    # --------------------------------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if getattr(screen, "IS_DASHBOARD", False):  # the dashboard's own commands (its COMMANDS) only
            return
        yield SystemCommand("Dashboard (F2)", "The live dashboard of the connected cluster", self.action_dashboard)
        for step in WizardStep:
            yield SystemCommand(f"Go to {step.number}. {step.label}", f"Open the {step.label} step",
                                lambda step=step: self.goto(step))
        yield SystemCommand("Save", "Save the Applications (atomic, keeps .bak)", self.action_save)
        yield SystemCommand("Save as…", "Save to a new file or directory (single or split layout)",
                            self.action_save_as)
        yield SystemCommand("Save as preset", "Store this configuration as a user preset", self.action_save_preset)
        yield SystemCommand("Copy YAML", "Copy the three Applications to the clipboard", self.action_copy_yaml)
        if self.demo_kubectl:
            yield SystemCommand("Copy the demo cluster's kubectl line", self.demo_kubectl,
                                lambda: self.copy_to_clipboard(self.demo_kubectl))
        yield SystemCommand("Help for the focused field", "What the field does in Ray / Argo CD terms",
                            self.action_field_help)
        for binding in self._described_bindings():
            if binding.action.startswith(("app.", "screen.")) or binding.action == "quit" or screen is not self.screen:
                continue
            action = binding.action
            # The tooltip is the long form of a footer label shortened for room ("Dup").
            yield SystemCommand(binding.tooltip or binding.description, f"{self.screen.__class__.__name__}: {action}",
                                lambda action=action: self.run_action(action, self.screen))

    # ------------------------------------------------------------------------------------------ workers
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for worker failures: a clear message, never a traceback (harlequin's habit)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            from raywizard.model.textsafe import literal

            error = event.worker.error
            self.notify(literal(str(error)), title=f"{event.worker.name or 'background task'} failed",
                        severity="error", timeout=8, markup=False)


def create_app(
    *,
    workspace: Workspace | None = None,
    spec: ClusterSpec | None = None,
    files: list[Path] | None = None,
    checkouts: list[Path] | None = None,
    preset: str | None = None,
    kubeconfig: str | None = None,
    context: str | None = None,
    offline: bool = False,
    start_step: WizardStep | str | None = None,
    on_exit: Callable[[], None] | None = None,
    demo_note: str = "",
    offer_recovery: bool = False,
    demo_kubectl: str = "",
) -> WizardApp:
    """Build the wizard. Without workspace/spec/files/preset it opens the Start step on the guide's preset."""
    from raywizard.documents.workspace import Workspace

    chosen = workspace is not None or spec is not None or files or preset
    if workspace is None:
        if files:
            workspace = Workspace.load([Path(f) for f in files], checkouts=[Path(c) for c in checkouts or []])
        else:
            if spec is None:
                from raywizard.documents.presets import load_preset

                spec = load_preset(preset or DEFAULT_PRESET)
            workspace = Workspace.new(spec)
    step = WizardStep(start_step) if start_step else (WizardStep.VERSIONS if chosen else WizardStep.START)
    return WizardApp(workspace, kubeconfig=kubeconfig, context=context, offline=offline, start_step=step,
                     on_exit=on_exit, demo_note=demo_note, offer_recovery=offer_recovery,
                     demo_kubectl=demo_kubectl)
