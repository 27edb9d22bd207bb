"""Follow a pushed revision through a parent Application to the RayCluster (docs/gitops.md#following-a-revision).

The parent resolves its branch to a commit (``status.sync.revision``), syncs its children to it
(``operationState.syncResult.revision``), each child compares its new spec (``status.sync.comparedTo``) and syncs,
and the RayCluster converges. ``follow_state`` is one look at all of that; ``follow_parent`` polls it until done,
reporting each change of the summary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from raywizard.kube import resources
from raywizard.kube.connection import Connection
from raywizard.kube.resources import APPLICATIONS, RAYCLUSTERS
from raywizard.kube.waits import WaitState, app_wait_state, compared_current, raycluster_wait_state
from raywizard.model.errors import ClusterError
from raywizard.model.textsafe import literal

TRANSIENT = (429, 500, 502, 503, 504)


def short(sha: str) -> str:
    return sha[:7] if len(sha) == 40 else sha


@dataclass(frozen=True)
class FollowTarget:
    parent_namespace: str
    parent: str
    revision: str | None = None  # the commit to reach; None: whatever the parent resolves its branch to
    # Empty: the Applications the parent lists in its status, and the RayCluster its RayCluster Application names.
    children: Sequence[str] = ()
    ray_namespace: str = ""
    raycluster: str = ""


@dataclass(frozen=True)
class FollowState:
    ready: bool
    summary: str
    blocker: str | None = None
    failed: bool = False
    revision: str = ""  # the parent's resolved commit
    lines: tuple[str, ...] = field(default_factory=tuple)  # one per Application and the RayCluster


def parent_revisions(parent: dict[str, Any] | None) -> tuple[str, str]:
    """(the commit the parent resolved its branch to, the commit its last sync applied)."""
    status = (parent or {}).get("status") or {}
    resolved = str((status.get("sync") or {}).get("revision") or "")
    synced = str(((status.get("operationState") or {}).get("syncResult") or {}).get("revision") or "")
    return resolved, synced


def follow_state(conn: Connection, target: FollowTarget) -> FollowState:
    parent = resources.get_custom(conn, APPLICATIONS, target.parent_namespace, target.parent)
    if parent is None:
        return FollowState(False, f"Application {target.parent} not found", "the parent Application does not exist")
    resolved, synced = parent_revisions(parent)
    lines: list[str] = []
    state = app_wait_state(parent)
    at = f"at {short(resolved)}" if resolved else "resolving its revision"
    lines.append(f"{target.parent}: {state.summary}, {at}")
    if target.revision and resolved != target.revision:
        return FollowState(False, f"{target.parent} {at}, waiting for {short(target.revision)}", state.blocker,
                           state.failed, resolved, tuple(lines))
    if not state.ready or (resolved and synced != resolved):
        blocker = state.blocker
        if blocker is None and not ((parent.get("spec") or {}).get("syncPolicy") or {}).get("automated"):
            blocker = f"{target.parent} has no automated sync: it syncs when asked (raywizard sync {target.parent})"
        return FollowState(False, f"{target.parent} {at}: {state.summary}", blocker, state.failed, resolved,
                           tuple(lines))
    children = list(target.children) or [
        str(r.get("name")) for r in (parent.get("status") or {}).get("resources") or []
        if r.get("kind") == "Application" and r.get("group") == "argoproj.io" and r.get("name")]
    if not children:
        return FollowState(False, f"{target.parent} {at}: no Applications created yet", state.blocker, False,
                           resolved, tuple(lines))
    pending: list[tuple[str, WaitState]] = []
    lives: list[dict[str, Any]] = []
    for name in children:
        child = resources.get_custom(conn, APPLICATIONS, target.parent_namespace, name)
        if child is not None:
            lives.append(child)
        child_state = app_wait_state(child)
        if child is not None and child_state.ready and not compared_current(child, None):
            child_state = WaitState(False, child_state.summary + " (comparing the new spec)")
        lines.append(f"{name}: {child_state.summary}")
        if not child_state.ready:
            pending.append((name, child_state))
    if pending:
        first_name, first = pending[0]
        return FollowState(False, f"{first_name}: {first.summary}" if len(pending) == 1 else
                           f"{len(pending)} Applications not synced and healthy yet", first.blocker, first.failed,
                           resolved, tuple(lines))
    ray_namespace, raycluster = (target.ray_namespace, target.raycluster) if target.raycluster else \
        raycluster_of(lives)
    done = f"{target.parent} and its Applications at {short(resolved)}"
    if not raycluster:
        return FollowState(True, done, None, False, resolved, tuple(lines))
    rc = resources.get_custom(conn, RAYCLUSTERS, ray_namespace, raycluster)
    pods = resources.list_pods(conn, ray_namespace, f"ray.io/cluster={raycluster}")
    ray = raycluster_wait_state(rc, pods)
    lines.append(f"RayCluster {raycluster}: {ray.summary}")
    if not ray.ready:
        return FollowState(False, f"RayCluster {raycluster}: {ray.summary}", ray.blocker, False, resolved,
                           tuple(lines))
    return FollowState(True, f"{done}; RayCluster {raycluster} ready", None, False, resolved, tuple(lines))


def raycluster_of(apps: list[dict[str, Any]]) -> tuple[str, str]:
    """(namespace, name) of the RayCluster the RayCluster Application among ``apps`` renders, or ("", "")."""
    from raywizard.render.applications import applications_to_spec, raycluster_name, role_of

    cluster = next((app for app in apps if role_of(app) == "cluster"), None)
    if cluster is None:
        return "", ""
    spec = applications_to_spec([cluster])
    return spec.target.namespace, raycluster_name(spec)


def follow_parent(conn: Connection, target: FollowTarget, *, timeout: float = 600,
                  on_progress: Callable[[FollowState], object] | None = None, poll_interval: float = 1.0,
                  cancelled: Callable[[], bool] | None = None) -> FollowState:
    """Poll ``follow_state`` until ready; ``on_progress`` gets each new summary. Raises ClusterError on a
    timeout (with the blocker) or when a step failed for good."""
    report = on_progress or (lambda state: None)
    deadline = time.monotonic() + timeout
    last: tuple[str, str | None] | None = None
    state = FollowState(False, "not checked yet")
    while True:
        try:
            state = follow_state(conn, target)
        except ClusterError as error:
            cause = error.__cause__
            if getattr(cause, "status", None) not in TRANSIENT:
                raise
            state = FollowState(False, state.summary, f"API error, retrying: {error.message}")
        key = (state.summary, state.blocker)
        if key != last:
            last = key
            report(state)
        if state.ready:
            return state
        if state.failed:
            raise ClusterError(f"{literal(state.summary)}: {literal(state.blocker or 'failed')}",
                               "fix the cause in the repository, commit and push again")
        if time.monotonic() >= deadline:
            blocker = state.blocker or "no blocker reported; Argo CD or the operator may be slow"
            raise ClusterError(
                f"not there within {int(timeout)} s: {literal(state.summary)}; blocker: {literal(blocker)}",
                f"raywizard status shows where it is; raywizard refresh {target.parent} asks Argo CD to look again")
        if cancelled is not None and cancelled():
            return state
        time.sleep(min(poll_interval, max(0.05, deadline - time.monotonic())))
