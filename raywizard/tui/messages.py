"""The messages background work posts to the screens: one type per outcome, handled by ``on_<name>``.

Workers run off the UI thread and post one of these (``post_message`` is thread-safe); the handler runs on the
UI thread and updates widgets. Nothing here talks to the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from raywizard.kube.portforward import ForwardStatus
    from raywizard.kube.views import GroupRow

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
    severity: Any = "information"
