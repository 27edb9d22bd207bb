"""The wizard's Commit & push (Preview and Apply): the Applications committed to the git clone they live in, the
diff and the generated (editable) message shown with the remote named before anything is pushed, then the parent
Application followed to the new commit (docs/gitops.md#committing).

Where to commit: the directory of the workspace's files when it is in a git working tree; else, when a parent
Application manages the live Applications, the clone in the current directory that has the parent's repository as
a remote, at the parent's path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static, TextArea

from raywizard.model.textsafe import literal
from raywizard.tui.messages import CommitFollowed, CommitPlanned, CommitProgress, Committed
from raywizard.tui.wizard.cluster_jobs import run_in_worker

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from raywizard.documents.repo_commit import CommitOutcome, CommitPlan
    from raywizard.documents.workspace import Workspace
    from raywizard.kube.connection import Connection
    from raywizard.kube.follow import FollowState
    from raywizard.kube.tracking import ParentApplication
    from raywizard.model.spec import ClusterSpec
    from raywizard.tui.wizard.app import WizardApp
    from raywizard.tui.wizard.screens.base import StepScreen

NO_CLONE = ("Commit & push needs a git clone: open the Application files from your clone (raywizard --from "
            "CLONE/ray/raycluster.yaml …), or run raywizard commit --repo CLONE --path ray --push.")


@dataclass(frozen=True)
class CommitTarget:
    root: Path
    subdir: str


def commit_target(workspace: Workspace, parents: dict[str, ParentApplication] | None = None, cwd: Path | None = None
                  ) -> CommitTarget | None:
    from raywizard.documents.git import find_repository, normalized_url

    folders = {f.path.resolve().parent for f in getattr(workspace, "files", [])}
    if len(folders) == 1:
        folder = next(iter(folders))
        repo = find_repository(folder)
        if repo is not None:
            return CommitTarget(repo.root, repo.relative(folder) if folder != repo.root else "")
    for parent in (parents or {}).values():
        repo = find_repository(cwd or Path.cwd())
        if repo is None:
            return None
        for remote in repo.git("remote", check=False).split():
            url = repo.git("remote", "get-url", remote, check=False).strip()
            if url and normalized_url(url) == normalized_url(parent.repo_url):
                return CommitTarget(repo.root, parent.path.strip("/"))
    return None


def can_commit(workspace: Workspace, parents: dict[str, ParentApplication] | None) -> bool:
    """Whether to offer Commit & push: the files are in a git clone, or a parent manages the live Applications."""
    return bool(parents) or commit_target(workspace) is not None


# ------------------------------------------------------------------------------------------------ jobs
def prepare_job(workspace: Workspace, target: CommitTarget) -> Callable[[], CommitPlan]:
    def job() -> CommitPlan:
        from raywizard.documents.repo_commit import prepare_commit, texts_for

        directory = target.root / target.subdir
        return prepare_commit(target.root, target.subdir, texts_for(workspace, directory), push=True)

    return job


def commit_job(plan: CommitPlan) -> Callable[[], CommitOutcome]:
    def job() -> CommitOutcome:
        from raywizard.documents.repo_commit import execute_commit

        return execute_commit(plan, push=True)

    return job


def follow_job(node: DOMNode, connection: Connection, spec: ClusterSpec, sha: str
               ) -> Callable[[], FollowState | None]:
    """Refresh the parent managing the live Applications and follow it to ``sha``; progress as
    ``CommitProgress(FollowState)``, the end as the job's value."""

    def job() -> FollowState | None:
        from raywizard.kube import resources
        from raywizard.kube.follow import FollowTarget, follow_parent
        from raywizard.kube.operations import refresh_application
        from raywizard.kube.resources import APPLICATIONS
        from raywizard.kube.tracking import find_parents
        from raywizard.render.applications import raycluster_name

        namespace = spec.target.argocd_namespace
        names = [spec.target.crds_app, spec.target.operator_app, spec.target.cluster_app]
        lives = [resources.get_custom(connection, APPLICATIONS, namespace, name) for name in names]
        parents = find_parents(connection, lives)
        if not parents:
            return None
        parent = next(iter(parents.values()))
        refresh_application(connection, parent.namespace, parent.name)
        target = FollowTarget(parent.namespace, parent.name, revision=sha, ray_namespace=spec.target.namespace,
                              raycluster=raycluster_name(spec))
        from textual.worker import get_current_worker

        worker = get_current_worker()
        return follow_parent(connection, target, on_progress=lambda s: node.post_message(CommitProgress(s)),
                             cancelled=lambda: worker.is_cancelled)

    return job


# ------------------------------------------------------------------------------------------------ dialog
class CommitModal(ModalScreen[str | None]):
    """The diff, the message (editable) and where it goes; dismisses with the message, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+g", "commit", "Commit & push"),
    ]

    def __init__(self, plan: CommitPlan) -> None:
        super().__init__(classes="small-modal")
        self.plan = plan

    def compose(self) -> ComposeResult:
        from textual.highlight import highlight

        plan = self.plan
        where = f"{plan.subdir}/" if plan.subdir else "the repository root"
        with Vertical(id="dialog"):
            yield Static(literal(f"Commit to {plan.repo.root} (branch {plan.branch}, {where}) and push to "
                                 f"{plan.remote_line()}?"), classes="dialog-title", markup=False)
            with VerticalScroll(id="commit-diff"):
                yield Static(highlight(plan.diff(), language="diff"), id="commit-diff-text")
            yield Static("Commit message (edit it here):", classes="dialog-detail", markup=False)
            yield TextArea(plan.message, id="commit-message", soft_wrap=True, show_line_numbers=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Commit & push (ctrl+g)", variant="warning", id="commit")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._focus_message()
        self.call_after_refresh(self._focus_message)  # in case the message box mounts after the screen

    def _focus_message(self) -> None:
        for area in self.query("#commit-message").results(TextArea):
            if self.focused is not area:
                area.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "commit":
            self.action_commit()
        else:
            self.action_cancel()

    def action_commit(self) -> None:
        message = self.query_one("#commit-message", TextArea).text.strip()
        if not message:
            self.notify("The commit message is empty.", severity="warning", markup=False)
            return
        self.dismiss(message)

    def action_cancel(self) -> None:
        self.dismiss(None)


# ------------------------------------------------------------------------------------------------ flow
class Committer:
    """Commit & push for one step screen: ``start`` asks, commits, pushes and follows; ``say`` shows progress
    on the screen; the screen hands the results (``CommitPlanned``, ``Committed``, ``CommitProgress``,
    ``CommitFollowed``) to ``on_result``."""

    def __init__(self, screen: StepScreen, say: Callable[[str], None]) -> None:
        self.screen = screen
        self.say = say
        self.busy = False
        self._available: tuple[tuple[Path, ...], bool, bool] | None = None

    def available(self, parents: dict[str, ParentApplication] | None) -> bool:
        """``can_commit``, remembered while the workspace's files and whether there is a parent stay the same
        (the footer asks often; the answer runs git)."""
        paths = tuple(f.path for f in getattr(self.wizard.model.workspace, "files", []))
        key = (paths, bool(parents))
        if self._available is None or self._available[:2] != key:
            self._available = (*key, can_commit(self.wizard.model.workspace, parents))
        return self._available[2]

    @property
    def wizard(self) -> WizardApp:
        return self.screen.wizard

    def start(self, parents: dict[str, ParentApplication] | None) -> None:
        model = self.wizard.model
        if self.busy:
            return
        if model.problems and any(p.is_error for p in model.problems):
            self.screen.notify("The configuration has errors; the Preview lists them. Fix them before committing.",
                               severity="error", markup=False)
            return
        target = commit_target(model.workspace, parents)
        if target is None:
            self.screen.notify(NO_CLONE, severity="warning", markup=False, timeout=10)
            return
        self.busy = True
        self.say(literal(f"Preparing the commit in {target.root}…"))
        run_in_worker(self.screen, CommitPlanned, prepare_job(model.workspace, target), group="commit")

    def on_result(self, event: Message) -> None:
        if isinstance(event, CommitPlanned):
            self._planned(event)
        elif isinstance(event, Committed):
            self._committed(event)
        elif isinstance(event, CommitProgress):
            state = event.state
            self.say(literal(f"Following the commit: {state.summary}"
                             + (f"\nblocked by: {state.blocker}" if state.blocker else "")))
        elif isinstance(event, CommitFollowed):
            self.busy = False
            if event.error:
                self.say(f"✗ Following the commit stopped: {event.error}")
            elif event.value is None:
                self.say("✓ Committed and pushed. No parent Application manages the live Applications, so nothing "
                         "syncs the commit yet: raywizard root --repo-url URL --path ray --apply creates one.")
            else:
                self.say(literal(f"✓ {event.value.summary}"))

    def _planned(self, event: CommitPlanned) -> None:
        if event.error:
            self.busy = False
            self.say(f"✗ Cannot commit: {event.error}")
            return
        plan = event.value
        assert plan is not None  # a job without an error has a value
        if plan.empty:
            self.busy = False
            self.say(literal(f"Nothing to commit: {plan.subdir or 'the repository'} already holds these "
                             "Applications."))
            return

        def answered(message: str | None) -> None:
            if message is None:
                self.busy = False
                self.say("Not committed.")
                return
            plan.message = message
            self.say(literal(f"Committing and pushing to {plan.remote_line()}…"))
            run_in_worker(self.screen, Committed, commit_job(plan), group="commit")

        self.wizard.push_screen(CommitModal(plan), answered)

    def _committed(self, event: Committed) -> None:
        if event.error:
            self.busy = False
            self.say(f"✗ Not committed: {event.error}")
            return
        outcome = event.value
        assert outcome is not None  # a job without an error has a value
        workspace = self.wizard.model.workspace
        if workspace.files:
            workspace.saved_spec = workspace.spec.clone()  # the files on disk are what was committed
        self.wizard.spec_changed()
        done = literal(f"✓ Committed {outcome.sha[:7]} and pushed to {outcome.pushed_to}: {outcome.subject}",
                       single_line=True)
        self.say(done)
        connection = self.wizard.connection
        if connection is None:
            self.busy = False
            return
        self.say(done + "\nFollowing the parent Application to the new commit…")
        run_in_worker(self.screen, CommitFollowed,
                      follow_job(self.screen, connection, self.wizard.model.spec.clone(), outcome.sha),
                      group="commit-follow")
