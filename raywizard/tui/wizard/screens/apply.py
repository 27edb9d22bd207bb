"""Apply: plan against the chosen cluster, confirm naming the context and the server, run the cluster layer's
ordered apply with live step statuses, say which groups' running pods still run the previous pod template, then
open the dashboard (or a status summary when it is not built)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, LoadingIndicator, Static

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text
from raywizard.tui.messages import (
    ApplyFinished,
    ApplyProgress,
    CommitFollowed,
    CommitPlanned,
    CommitProgress,
    Committed,
    PlanReady,
)
from raywizard.tui.wizard.cluster_jobs import run_in_worker
from raywizard.tui.wizard.plan import (
    Applied,
    PlanOutdated,
    apply_job,
    change_summary,
    managed_summary,
    plan_job,
    plan_steps,
    progress_fields,
)
from raywizard.tui.wizard.screens.base import StepScreen
from raywizard.tui.wizard.wizard_model import WizardStep

if TYPE_CHECKING:
    from raywizard.kube.apply import ApplyPlan
    from raywizard.kube.connection import Connection
    from raywizard.kube.tracking import ParentApplication

STATUS_MARKS = {"done": "✓", "failed": "✗", "stalled": "⚠", "applying": "…", "waiting": "…", "pending": "·"}


class ApplyScreen(StepScreen):
    STEP = WizardStep.APPLY
    INTRO = ("Apply writes the three Applications to the cluster in order (CRDs, operator, RayCluster) and waits "
             "for Argo CD to sync them.")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "apply", "Apply…"),
        Binding("r", "replan", "Re-plan"),
        Binding("c", "commit", "Commit & push…"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.plan: ApplyPlan | None = None
        self.applying = False
        self.applied = False
        self.replan_reason = ""  # why the step planned again by itself, said with the new plan
        self.timeline: list[str] = []  # where each step of the last apply ended, handed to the dashboard
        self._step_states: dict[str, str] = {}
        from raywizard.tui.wizard.committing import Committer

        self.committer = Committer(self, self._say)

    def compose_body(self) -> ComposeResult:
        yield Static("", id="apply-target", markup=False)
        yield LoadingIndicator(id="apply-spinner")
        table: DataTable[Text] = DataTable(id="apply-steps", cursor_type="row")
        table.add_column("", key="mark", width=2)
        table.add_column("Step", key="step")
        table.add_column("Status", key="status")
        table.add_column("Detail", key="detail")
        yield table
        yield Static("", id="apply-result", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#apply-spinner").display = False
        self.query_one("#apply-steps").display = False  # until there is a plan: no empty table header
        self.show_connection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Apply and re-plan show dimmed while there is no cluster (the text above says how to pick one)."""
        if action in ("apply", "replan") and self.wizard.connection is None:
            return None
        if action == "commit":
            # Beside Apply when the files are in a git clone; instead of it when a parent manages them.
            return self.committer.available(self._parents())
        return True

    def _parents(self) -> dict[str, ParentApplication]:
        return dict(getattr(self.plan, "parents", None) or {})

    def action_commit(self) -> None:
        self.committer.start(self._parents())

    def on_screen_resume(self) -> None:
        """Back from the dashboard: plan again against what is live now."""
        if self.ready and self.plan is None and not self.applying and self.wizard.connection is not None:
            self.action_replan()

    def show_connection(self) -> None:
        if not self.ready or self.applying:
            return
        target = self.query_one("#apply-target", Static)
        connection = self.wizard.connection
        if connection is None:
            target.update("Offline: choose a kube context on the Start step (ctrl+p → Go to 1. Start) to apply. "
                          "Saving works without a cluster.")
            self._say("")
            self.refresh_bindings()
            return
        target.update(f"Target: context {literal(connection.context_name)} at {literal(connection.server_url)}")
        self.refresh_bindings()
        if self.plan is None:
            self.action_replan()

    def _say(self, text: str) -> None:
        """The one instruction for the current state (planning, plan ready, applying, failed, applied)."""
        self.query_one("#apply-result", Static).update(text)

    def action_replan(self) -> None:
        connection = self.wizard.connection
        if connection is None or self.applying:
            return
        self.query_one("#apply-spinner").display = True
        self._say("Planning: comparing with what is live…")
        run_in_worker(self, PlanReady, plan_job(connection, self.model.spec.clone()), group="apply")

    def action_apply(self) -> None:
        from raywizard.tui.common.dialogs import ConfirmModal

        connection = self.wizard.connection
        if connection is None:
            self.notify("No cluster chosen: pick a kube context on the Start step.", severity="warning", markup=False)
            return
        if self.model.blocking(WizardStep.PREVIEW):
            self.notify("The configuration has errors; the Preview lists them.", severity="error", markup=False)
            return
        if self.applying:
            return
        if self.plan is None:
            self.notify("Still planning; try again in a moment.", severity="warning", markup=False)
            self.action_replan()
            return

        plan = self.plan
        conflicts = list(self.plan.conflicts)
        managed = managed_summary(self.plan)

        def confirmed(answer: bool | None) -> None:
            if answer:
                self._start_apply(connection, plan, force=bool(conflicts), over_parent=bool(managed))

        steps = "\n".join(literal(line) for line in change_summary(self.plan))
        if not self.plan.has_changes:
            steps += "\n  (no changes to the Applications: apply re-checks and waits for health)"
        detail = f"This writes the Argo CD Applications to that cluster.\n{steps}"
        scale = self._scale_warnings()
        if scale:
            detail += "\n\n" + scale
        if conflicts:
            detail += ("\n\nAnother field manager owns fields this changes; applying takes them over (as apply "
                       "--force does):\n  " + "\n  ".join(literal(c) for c in conflicts))
        if managed:
            detail += ("\n\n" + "\n".join(managed) + "\n" + self._reverted_text()
                       + " Cancel and commit the change to its repository instead.")
        yes = "Apply anyway" if managed else "Take over and apply" if conflicts else "Apply"
        self.app.push_screen(ConfirmModal(
            f"Apply to context {literal(connection.context_name)} ({literal(connection.server_url)})?",
            yes, detail=detail), confirmed)

    def _scale_warnings(self) -> str:
        """A limit lowered below the workers a group runs: what KubeRay and the autoscaler will do with the
        surplus (docs/scale-limits.md), as diff and apply warn."""
        notes = getattr(self.plan, "scale_notes", None) or []
        return "\n".join(literal(f"⚠ {note.line()}", single_line=True) for note in notes)

    def _reverted_text(self) -> str:
        from raywizard.kube.tracking import reverted_note

        parents = list((getattr(self.plan, "parents", None) or {}).values())
        if not parents:
            return ""
        note = literal(reverted_note(parents[0]), single_line=True)
        return note[:1].upper() + note[1:] + "."

    def _start_apply(self, connection: Connection, plan: ApplyPlan, *, force: bool = False,
                     over_parent: bool = False) -> None:
        """Apply ``plan``, the one the user confirmed, on ``connection``, the context the confirmation named."""
        self.applying = True
        self._step_states.clear()
        self.timeline.clear()
        self.query_one("#apply-spinner").display = True
        self._say("Applying… (the table shows each step)")
        job = apply_job(connection, plan, lambda p: self.post_message(ApplyProgress(p)),
                        force=force, over_parent=over_parent)
        run_in_worker(self, ApplyFinished, job, group="apply")

    def on_apply_progress(self, event: ApplyProgress) -> None:
        key, status, message = progress_fields(event.progress)
        line = literal(f"{key}: {status} — {message}", single_line=True)
        # The dashboard shows where each step ended, not every state it went through: a step's newer state
        # replaces its older one ("crds: applying" would otherwise read as still under way after a success).
        self._step_states[key] = line
        self.timeline[:] = list(self._step_states.values())
        table: DataTable[Text] = self.query_one("#apply-steps", DataTable)
        mark = STATUS_MARKS.get(status.lower(), "·")
        # Messages come from the cluster: rich Text, so the table never reads them as markup.
        cells = {"mark": Text(mark), "status": rich_text(status, single_line=True),
                 "detail": rich_text(message, single_line=True)}
        if key in table.rows:
            for column, value in cells.items():
                table.update_cell(key, column, value, update_width=True)
        else:
            table.add_row(cells["mark"], rich_text(key), cells["status"], cells["detail"], key=key)

    @on(CommitPlanned)
    @on(Committed)
    @on(CommitProgress)
    @on(CommitFollowed)
    def _commit_step(self, event: Message) -> None:
        self.committer.on_result(event)

    def on_plan_ready(self, event: PlanReady) -> None:
        self.query_one("#apply-spinner").display = False
        if event.error:
            self._say(f"✗ Cannot plan: {event.error}\nPress r to plan again.")
            return
        self.plan = event.value
        assert self.plan is not None  # a job without an error has a value
        table: DataTable[Text] = self.query_one("#apply-steps", DataTable)
        table.display = True
        table.clear()
        for key, title in plan_steps(self.plan):
            table.add_row(Text("·"), rich_text(title, single_line=True), Text("pending"), Text(""), key=key)
        changes = "changes to apply" if self.plan.has_changes else "no changes to the Applications"
        reason, self.replan_reason = self.replan_reason, ""
        managed = managed_summary(self.plan)
        if managed:
            self._say(f"{reason}Plan ready ({changes}), but:\n" + "\n".join(managed) + "\n"
                      + self._reverted_text() + " Commit the change to its repository instead (c: "
                      "Commit & push); a applies anyway.")
            self.refresh_bindings()
        elif self.plan.conflicts:
            self._say(f"{reason}Plan ready ({changes}), but another field manager owns fields it changes:\n  "
                      + "\n  ".join(literal(c) for c in self.plan.conflicts)
                      + "\nPress a to review and take them over, or r to plan again once that is sorted out.")
        else:
            scale = self._scale_warnings()
            self._say(f"{reason}Plan ready ({changes}). Press a to apply, r to plan again."
                      + (f"\n{scale}" if scale else ""))

    def on_apply_finished(self, event: ApplyFinished) -> None:
        self.applying = False
        self.query_one("#apply-spinner").display = False
        if event.error:
            self._say(f"✗ Apply failed: {event.error}\nPress a to try again, r to plan again first.")
            return
        if isinstance(event.value, PlanOutdated):
            # Nothing was written. Plan again so that the Preview's Live diff and the next a use what is live.
            self.plan = None
            self.replan_reason = ("Nothing was applied: the cluster changed since the previous plan ("
                                  + literal("; ".join(event.value.changed)) + "). This is a new plan: "
                                  "review the Preview's Live diff (ctrl+b) before applying.\n")
            self.action_replan()
            return
        self.applied = True
        self.plan = None  # the cluster moved on: a new apply needs a new plan (see on_screen_resume)
        notes = self._old_template_notes(event.value)
        self.timeline.extend(notes)  # the dashboard's Application details show them too
        self._say("\n".join(["✓ Applied.", *notes, "Opening the dashboard…"]))
        self.open_dashboard()

    @staticmethod
    def _old_template_notes(applied: Applied | PlanOutdated | None) -> list[str]:
        """Per group, the running pods still on the previous pod template, and how to restart them."""
        if not isinstance(applied, Applied):
            return []
        notes = [literal(f"⚠ {drift.advice()}", single_line=True) for drift in applied.old_templates]
        if applied.old_templates_unknown:
            notes.append(literal("Could not compare the running pods with the new template: "
                                 f"{applied.old_templates_unknown}", single_line=True))
        return notes

    def open_dashboard(self) -> None:
        from raywizard.tui.dashboard import DashboardScreen

        connection = self.wizard.connection
        self.app.push_screen(DashboardScreen(connection, self.model.spec, apply_timeline=self.timeline))
