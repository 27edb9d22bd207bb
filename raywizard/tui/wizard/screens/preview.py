"""Preview: the YAML that will be saved or applied (highlighted, per file or Application), the changes against the
files on disk, the diff against the live cluster (ignored differences dimmed with their reason) and every problem
with a jump to its field. Save, save as preset and copy to the clipboard are one key away."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.message import Message
from textual.widgets import LoadingIndicator, OptionList, Select, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from raywizard.fields.fix_text import fix_for
from raywizard.model.textsafe import literal
from raywizard.tui.messages import CommitFollowed, CommitPlanned, CommitProgress, Committed, PlanReady
from raywizard.tui.wizard.cluster_jobs import run_in_worker
from raywizard.tui.wizard.screens.base import StepScreen
from raywizard.tui.wizard.wizard_model import WizardStep, step_of_path

if TYPE_CHECKING:
    from raywizard.diff.report import DiffReport
    from raywizard.documents.workspace import Workspace
    from raywizard.kube.apply import ApplyPlan
    from raywizard.kube.tracking import ParentApplication
    from raywizard.tui.wizard.committing import Committer

COMBINED = "__combined__"
TAB_LABELS = ("YAML", "Changes", "Live diff", "Problems")
TAB_KEYS = Binding.Group("Tab")


def file_changes(workspace: Workspace) -> str:
    """Unified diff of each source file against what saving would write ("" for a new configuration)."""
    chunks: list[str] = []
    for path, text in workspace.render().items():
        source = next((f for f in workspace.files if f.path == path), None)
        if source is None or source.bom + source.text == text:
            continue
        before = source.bom + source.text
        chunks.extend(difflib.unified_diff(before.splitlines(keepends=True), text.splitlines(keepends=True),
                                           f"{path} (on disk)", f"{path} (after save)", n=2))
    return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)


def changed_line_count(diff_text: str) -> int:
    return sum(1 for line in diff_text.splitlines()
               if line.startswith(("+", "-")) and not line.startswith(("+++", "---")))


def report_text(report: DiffReport, title: str) -> Text:
    """A DiffReport as text: changes in full colour, ignored differences dimmed with the rule's reason."""
    out = Text()
    out.append(f"{title}\n", style="bold")
    resources = list(getattr(report, "resources", []) or [])
    if not resources:
        out.append("  nothing to compare\n", style="dim")
    for resource in resources:
        out.append(f"{literal(resource.key)}  ", style="bold")
        out.append(f"{resource.status}\n")
        if resource.note:
            out.append(f"  {literal(resource.note)}\n", style="italic")
        if resource.status == "added" and resource.desired is not None:
            # Nothing live to compare with: the whole object is the change, so show what will be created.
            from raywizard.render.emitter import emit

            out.append("  will be created:\n", style="green")
            for line in emit(resource.desired).splitlines():
                out.append(f"  + {literal(line)}\n", style="green")
        for entry in resource.entries:
            style = {"added": "green", "removed": "red"}.get(entry.change, "yellow")
            out.append(f"  {literal(entry.describe())}\n", style=style)
        for entry in resource.ignored:
            out.append(f"  {literal(entry.describe())}\n", style="dim")
    return out


class PreviewScreen(StepScreen):
    STEP = WizardStep.PREVIEW

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "app.save_as", "Save as…"),
        Binding("y", "app.copy_yaml", "Copy", tooltip="Copy the YAML to the clipboard"),  # short: fits 80 columns
        Binding("p", "app.save_preset", "Preset", tooltip="Save as a user preset"),
        Binding("r", "refresh_live", "Live diff"),
        Binding("c", "commit", "Commit & push…"),
        # Left/Right switch tabs wherever the focus is (no tab content scrolls sideways: the text wraps); priority
        # so the footer shows them over the focused scroll view's hidden Left/Right. The tab labels carry their
        # numbers, so 1…4 need no room in the footer.
        Binding("left", "tab(-1)", "Previous tab", key_display="←", group=TAB_KEYS, priority=True),
        Binding("right", "tab(1)", "Next tab", key_display="→", group=TAB_KEYS, priority=True),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", key_display="[", show=False),
        Binding("right_square_bracket", "tab(1)", "Next tab", key_display="]", show=False),
        *[Binding(str(number), f"show_tab({number - 1})", f"{label} tab", show=False)
          for number, label in enumerate(TAB_LABELS, start=1)],
    ]
    TABS = ("tab-yaml", "tab-changes", "tab-live", "tab-problems")

    live_plan: ApplyPlan | None = None  # the last comparison with the cluster (it names a parent Application, if any)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refresh_live" and self.wizard.connection is None:
            return None  # dimmed: no cluster to compare with (the Live diff tab says how to pick one)
        if action == "commit":
            return self.committer.available(self._parents())
        # Left/Right belong to the file menu while it is open.
        return not (action == "tab" and self.ready and self.query_one("#yaml-choice", Select).expanded)

    def action_tab(self, offset: int) -> None:
        tabs = self.query_one(TabbedContent)
        index = self.TABS.index(tabs.active) if tabs.active in self.TABS else 0
        self.action_show_tab((index + offset) % len(self.TABS))

    def action_show_tab(self, index: int) -> None:
        self.query_one(TabbedContent).active = self.TABS[index]
        # Focus right away, not on TabActivated: focusing inside a pane activates that pane, so a focus that
        # waited for the message could land after the next key had switched on and switch back.
        self._focus_tab_content(self.TABS[index])

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab clicked with the mouse: its content takes the keys (only while that tab is still active)."""
        pane = event.pane
        focused = self.focused
        if pane.id is None or pane.id != event.tabbed_content.active:
            return
        if focused is None or pane not in focused.ancestors_with_self:
            self._focus_tab_content(pane.id)

    def _focus_tab_content(self, tab_id: str) -> None:
        """Keys go to what the tab shows: the Problems list gets focus with its first problem highlighted, so
        Enter jumps to it at once."""
        pane = self.query_one(TabbedContent).get_pane(tab_id)
        if tab_id == "tab-problems":
            problems = self.query_one("#problem-list", OptionList)
            if problems.highlighted is None and problems.option_count and not problems.get_option_at_index(
                    0).disabled:
                problems.highlighted = 0
            problems.focus()
            return
        pane.query_one(VerticalScroll).focus()  # the text, so that the arrow keys scroll it

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="preview-tabs"):
            with TabPane("1 YAML", id="tab-yaml"):
                yield Select([("All three Applications (one stream)", COMBINED)], value=COMBINED, allow_blank=False,
                             id="yaml-choice", compact=True)
                with VerticalScroll(id="yaml-scroll", can_focus=True):
                    yield Static("", id="yaml-view", markup=False)
            with TabPane("2 Changes", id="tab-changes"), VerticalScroll(can_focus=True):
                yield Static("", id="changes-view", markup=False)
            with TabPane("3 Live diff", id="tab-live"):
                yield LoadingIndicator(id="live-spinner")
                with VerticalScroll(can_focus=True):
                    yield Static("", id="live-view", markup=False)
            with TabPane("4 Problems", id="tab-problems"):
                yield OptionList(id="problem-list", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#live-spinner").display = False
        self._fill_yaml_choices()
        self.show_connection()

    # ------------------------------------------------------------------------------------------- YAML
    def _documents(self) -> dict[str, str]:
        from raywizard.documents.roundtrip_yaml import dump_documents
        from raywizard.render.applications import render_applications

        workspace = self.model.workspace
        documents = {COMBINED: workspace.render_applications_text()}
        for path, text in workspace.render().items():
            documents[f"file:{path}"] = text
        for app in render_applications(self.model.spec):
            documents[f"app:{app['metadata']['name']}"] = dump_documents([app])
        return documents

    def _fill_yaml_choices(self) -> None:
        select = self.query_one("#yaml-choice", Select)
        options: list[tuple[Text, str]] = [(Text("All three Applications (one stream)"), COMBINED)]
        for key in self._documents():  # file paths and names shown literally, never as markup
            if key.startswith("file:"):
                options.append((Text(f"File to save: {key[5:]}"), key))
            elif key.startswith("app:"):
                options.append((Text(f"Application: {key[4:]}"), key))
        with select.prevent(Select.Changed):
            select.set_options(options)
            select.value = COMBINED
        self._show_yaml(COMBINED)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "yaml-choice" and event.value is not Select.NULL:
            self._show_yaml(str(event.value))

    def _show_yaml(self, key: str) -> None:
        text = self._documents().get(key, "")
        self.query_one("#yaml-view", Static).update(highlight(text, language="yaml"))

    # ---------------------------------------------------------------------------------------- refresh
    def refresh_step(self) -> None:
        if not self.ready:
            return
        select = self.query_one("#yaml-choice", Select)
        if select.value is not Select.NULL:
            self._show_yaml(str(select.value))
        workspace = self.model.workspace
        changes = file_changes(workspace) if workspace.files else ""
        view = self.query_one("#changes-view", Static)
        if self.model.from_live:
            view.update("Read from the live cluster: there are no files to compare with. The Live diff tab "
                        "(3) shows what applying would change; save (ctrl+s) writes the configuration to a file.")
        elif not workspace.files:
            view.update("A new configuration: nothing on disk yet. Save (ctrl+s) writes it.")
        elif not changes:
            view.update("No changes: saving would leave the files byte-identical.")
        else:
            count = changed_line_count(changes)
            view.update(Content(f"{count} changed line(s)\n\n") + highlight(changes, language="diff"))
        problems = self.query_one("#problem-list", OptionList)
        highlighted = problems.highlighted
        problems.clear_options()
        everything = self.model.all_problems()
        for index, problem in enumerate(everything):
            mark = "✗" if problem.is_error else "⚠"
            step = step_of_path(problem.path)
            fix = fix_for(problem, "wizard")
            problems.add_option(Option(f"{mark} [{step.label}] {problem.path}: {problem.message} — {fix}",
                                       id=f"p{index}"))
        if not everything:
            problems.add_option(Option("✓ No problems.", id="none", disabled=True))
        elif highlighted is not None:
            problems.highlighted = min(highlighted, len(everything) - 1)
        self._problems = everything
        tabs = self.query_one(TabbedContent)
        errors = sum(1 for p in everything if p.is_error)
        tabs.get_tab("tab-problems").label = Content(f"4 Problems ({errors}✗ {len(everything) - errors}⚠)")
        # A count only when there are files to compare with ("(0)" would read as "nothing changed").
        changed = f" ({changed_line_count(changes)})" if workspace.files else ""
        tabs.get_tab("tab-changes").label = Content(f"2 Changes{changed}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "problem-list" or event.option.id in (None, "none"):
            return
        problem = self._problems[int(str(event.option.id)[1:])]
        step = step_of_path(problem.path)
        if step is WizardStep.PREVIEW:
            self.notify(f"{problem.path}: {problem.message} — {fix_for(problem, 'wizard')}", markup=False)
            return
        self.wizard.goto(step, force=True, focus_path=problem.path)

    # ------------------------------------------------------------------------------------------ live
    def show_connection(self) -> None:
        if not self.ready:
            return
        self.refresh_bindings()
        if self.wizard.connection is None:
            self.query_one("#live-view", Static).update(
                "Offline: no live cluster to compare with. Pick a context on the Start step (ctrl+p → Go to 1).")
        else:
            self.action_refresh_live()

    def action_refresh_live(self) -> None:
        connection = self.wizard.connection
        if connection is None:
            self.notify("No cluster: pick a context on the Start step.", severity="warning", markup=False)
            return
        from raywizard.tui.wizard.plan import plan_job

        self.query_one("#live-spinner").display = True
        self.query_one("#live-view", Static).update(f"Comparing with {literal(connection.server_url)}…")
        run_in_worker(self, PlanReady, plan_job(connection, self.model.spec.clone()), group="plan")

    @property
    def committer(self) -> Committer:
        from raywizard.tui.wizard.committing import Committer

        if "_committer" not in self.__dict__:
            self._committer = Committer(self, self._say_commit)
        return self._committer

    def _parents(self) -> dict[str, ParentApplication]:
        return dict(getattr(self.live_plan, "parents", None) or {})

    def _say_commit(self, text: str) -> None:
        """Notifications for what the user acts on; the follow's step-by-step progress is on the Apply step."""
        if text.startswith("Following the commit:"):
            return
        self.notify(text, markup=False, severity="error" if text.startswith("✗") else "information",
                    timeout=8 if text.startswith(("✓", "✗")) else 4)

    def action_commit(self) -> None:
        self.committer.start(self._parents())

    @on(CommitPlanned)
    @on(Committed)
    @on(CommitProgress)
    @on(CommitFollowed)
    def _commit_step(self, event: Message) -> None:
        self.committer.on_result(event)

    def on_plan_ready(self, event: PlanReady) -> None:
        self.query_one("#live-spinner").display = False
        view = self.query_one("#live-view", Static)
        if event.error:
            view.update(f"✗ Cannot compare with the cluster: {event.error}")
            return
        from raywizard.tui.wizard.plan import managed_summary, plan_reports

        plan = event.value
        assert plan is not None  # a job without an error has a value
        self.live_plan = plan
        self.refresh_bindings()
        text = Text()
        for line in managed_summary(plan):
            text.append(line + " — commit the change to its repository instead (c)\n", style="bold")
        for title, report in plan_reports(plan):
            text.append_text(report_text(report, title))
            text.append("\n")
        view.update(text)
