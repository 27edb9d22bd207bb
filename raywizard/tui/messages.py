"""The messages background work posts to the screens: one type per outcome, handled by ``on_<name>``.

Workers run off the UI thread and post one of these (``post_message`` is thread-safe); the handler runs on the
UI thread and updates widgets. Nothing here talks to the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from textual.message import Message

if TYPE_CHECKING:
    # The results' types (noqa) are named in the type arguments below: strings, never imported at run time.
    from textual.notifications import SeverityLevel

    from raywizard.documents.repo_commit import CommitOutcome, CommitPlan  # noqa: F401
    from raywizard.documents.workspace import Workspace  # noqa: F401
    from raywizard.kube.apply import ApplyPlan, StepProgress  # noqa: F401
    from raywizard.kube.connection import ContextInfo  # noqa: F401
    from raywizard.kube.follow import FollowState
    from raywizard.kube.portforward import ForwardStatus
    from raywizard.kube.views import GroupRow
    from raywizard.tui.wizard.cluster_jobs import ConnectionInfo  # noqa: F401
    from raywizard.tui.wizard.plan import Applied, PlanOutdated  # noqa: F401

T = TypeVar("T")

# -- the wizard -----------------------------------------------------------------------------------------------


class JobResult(Message, Generic[T]):
    """The outcome of one background job: ``value``, or ``error`` (one clear sentence) when it failed."""

    def __init__(self, value: T | None = None, error: str | None = None) -> None:
        super().__init__()
        self.value = value
        self.error = error


class ContextsListed(JobResult["list[ContextInfo]"]):
    """The kubeconfig's contexts, for the Start step's Cluster box."""


class CurrentContextRead(JobResult["list[ContextInfo]"]):
    """The kubeconfig's contexts, read at start to connect to the current one as kubectl would."""


class Connected(JobResult["ConnectionInfo"]):
    """Connecting and the preflight checks finished (``error``: the connection failed)."""


class PreflightProgress(Message):
    """One preflight check finished (``done`` of ``total``): the start screen says which, so a slow API server
    shows progress rather than a bare "Connecting…"."""

    def __init__(self, name: str, done: int, total: int, failed: bool) -> None:
        super().__init__()
        self.name = name
        self.done = done
        self.total = total
        self.failed = failed


class PlanReady(JobResult["ApplyPlan"]):
    """What an apply would change, compared with what is live."""


class ApplyProgress(Message):
    """One step of an apply moved on (``progress``: the kube layer's step record)."""

    def __init__(self, progress: StepProgress) -> None:
        super().__init__()
        self.progress = progress


class ApplyFinished(JobResult["Applied | PlanOutdated"]):
    """The apply ended: its result (or ``PlanOutdated`` when the cluster changed since the plan)."""


class LiveSpecLoaded(JobResult["Workspace"]):
    """The live Applications read back as a workspace ("tweak a running cluster")."""


class LiveGroupsRead(JobResult["dict[str, GroupRow]"]):
    """The running RayCluster's worker groups by name (empty when it does not exist yet)."""


class CommitPlanned(JobResult["CommitPlan"]):
    """What Commit & push would write into the clone (its diff and message), before the user confirms."""


class Committed(JobResult["CommitOutcome"]):
    """The commit was made and pushed (its sha, subject and where it went)."""


class CommitProgress(Message):
    """Following the pushed commit: the parent Application's state so far."""

    def __init__(self, state: FollowState) -> None:
        super().__init__()
        self.state = state


class CommitFollowed(JobResult["FollowState | None"]):
    """Following ended: the parent's final state, or ``None`` when no parent manages the Applications."""

# -- the dashboard ------------------------------------------------------------------------------------------


@dataclass
class ProbeAnswered(Message):
    """The API server's ``/version`` answered (``failure`` None) or not (why)."""

    failure: str | None


@dataclass
class CredentialsReloaded(Message):
    """The kubeconfig was read again; ``changed``: new credentials, and the watches restarted on them."""

    changed: bool


@dataclass
class GroupsCounted(Message):
    """Worker-group rows counted off the UI thread; ``None`` when a malformed object stopped the count."""

    rows: list[GroupRow] | None


@dataclass
class ForwardStarted(Message):
    """The Ray dashboard forward listens at ``url``; or could not listen (``error``)."""

    url: str = ""
    error: str = ""


@dataclass
class ForwardStatusChanged(Message):
    """The forward's own status (``None`` once it stopped)."""

    status: ForwardStatus | None


@dataclass
class WriteFinished(Message):
    """A sync or refresh the user confirmed: what to tell them, and whether it failed."""

    verb: str
    message: str
    failed: bool = False


@dataclass
class Notice(Message):
    """A line to show as a notification (text from the cluster is shown literally)."""

    message: str
    title: str = ""
    severity: SeverityLevel = "information"
