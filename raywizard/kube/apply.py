"""Preview and apply the three Applications in order, waiting like ``argocd app wait`` plus Ray readiness.

``plan_apply`` is the preview a user confirms: a server-side dry-run apply of each Application (what the API
server would store), diffed against live, plus the RayCluster Argo CD will render vs the live one, and the
live Applications it was computed from (resourceVersion, and a fingerprint of everything but status).
``execute_apply`` refuses to write when a live Application changed since (unless ``force``), then applies CRDs
-> wait -> operator -> wait -> RayCluster -> wait, reporting ``StepProgress``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from raywizard.diff.report import DiffReport, ResourceDiff, diff_resource, strip_server_fields, without_nulls
from raywizard.kube import resources
from raywizard.kube.connection import Connection
from raywizard.kube.error_translation import is_api_exception, status_message, to_cluster_error
from raywizard.kube.resources import APPLICATIONS, RAYCLUSTERS
from raywizard.kube.tracking import ManagedByParent, ParentApplication, find_parents
from raywizard.kube.waits import WaitState, app_wait_state, compared_current, raycluster_wait_state
from raywizard.model.errors import ClusterError
from raywizard.model.scale_limits import ScaleLimitNote, limit_changes
from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.model.spec import ClusterSpec

STEPS = (("crds", "crds"), ("operator", "operator"), ("raycluster", "cluster"))  # (step, manifests role)
TRANSIENT = (429, 500, 502, 503, 504)
_UNCHANGED = "<unchanged>"  # must_reconcile_after when our apply changed nothing


@dataclass
class PlannedApp:
    step: str
    name: str
    namespace: str
    body: dict[str, Any]
    live_resource_version: str | None
    live_fingerprint: str | None  # of the fields the diff compares (see ``fingerprint``)
    diff: ResourceDiff
    conflict: str | None = None  # the 409 message of a dry run without --force


@dataclass
class ApplyPlan:
    context_name: str
    server_url: str
    apps: list[PlannedApp]
    raycluster: ResourceDiff
    raycluster_resource_version: str | None
    raycluster_name: str
    ray_namespace: str
    scale_notes: list[ScaleLimitNote] = field(default_factory=list)  # limits lowered below running workers
    parents: dict[str, ParentApplication] = field(default_factory=dict)  # child name -> the parent managing it

    @property
    def report(self) -> DiffReport:
        return DiffReport([a.diff for a in self.apps] + [self.raycluster])

    @property
    def has_changes(self) -> bool:
        return any(a.diff.has_changes for a in self.apps)

    @property
    def conflicts(self) -> list[str]:
        return [f"Application {a.namespace}/{a.name}: {a.conflict}" for a in self.apps if a.conflict]


@dataclass
class StepProgress:
    step: str  # "crds" | "operator" | "raycluster"
    phase: str  # "applying" | "waiting" | "done" | "failed" | "stalled"
    message: str
    blocker: str | None = None
    app_status: str = ""  # e.g. "Synced / Healthy"
    application: str = ""
    elapsed: float = 0.0


@dataclass
class StepResult:
    step: str
    application: str
    outcome: str  # "created" | "configured" | "unchanged"
    seconds: float
    waited: bool


@dataclass
class ApplyResult:
    steps: list[StepResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(s.outcome != "unchanged" for s in self.steps)


class PlanOutdated(ClusterError):
    """Live objects changed after the preview: show the new diff before writing anything."""

    def __init__(self, changed: list[str]) -> None:
        super().__init__(
            "the cluster changed since the preview: " + "; ".join(changed),
            "review the new diff (raywizard diff) and apply again, or pass --force to apply anyway",
        )
        self.changed = changed


def _rv(obj: dict[str, Any] | None) -> str | None:
    return None if obj is None else str((obj.get("metadata") or {}).get("resourceVersion") or "") or None


# ------------------------------------------------------------------------------------------------- preview
def plan_apply(conn: Connection, spec: ClusterSpec) -> ApplyPlan:
    from raywizard.render import applications as manifests

    apps = manifests.render_applications(spec)
    planned: list[PlannedApp] = []
    lives: list[dict[str, Any] | None] = []
    for (step, _role), body in zip(STEPS, apps, strict=True):
        meta = body["metadata"]
        live = resources.get_custom(conn, APPLICATIONS, meta["namespace"], meta["name"])
        lives.append(live)
        predicted, conflict = _dry_run(conn, body)
        planned.append(
            PlannedApp(
                step=step,
                name=meta["name"],
                namespace=meta["namespace"],
                body=body,
                live_resource_version=_rv(live),
                live_fingerprint=fingerprint(live),
                diff=diff_resource(live, predicted, three_way=False),
                conflict=conflict,
            )
        )
    name = manifests.raycluster_name(spec)
    namespace = spec.target.namespace
    live_rc = resources.get_custom(conn, RAYCLUSTERS, namespace, name)
    # As stored: the API server drops the nulls the chart renders (an image without pullPolicy).
    desired_rc = without_nulls(manifests.desired_raycluster(spec))
    rc_diff = diff_resource(live_rc, desired_rc, rules=manifests.ignore_rules(spec))
    notes: list[ScaleLimitNote] = []
    if live_rc is not None:
        notes = limit_changes(desired_rc, live_rc, resources.list_pods(conn, namespace, f"ray.io/cluster={name}"))
    return ApplyPlan(conn.context_name, conn.server_url, planned, rc_diff, _rv(live_rc), name, namespace, notes,
                     find_parents(conn, lives))


def _dry_run(conn: Connection, body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """What the server would store (dry-run SSA), and the conflict message if another manager owns fields."""
    action = f"preview Application {body['metadata']['namespace']}/{body['metadata']['name']}"
    try:
        return resources.server_side_apply(conn, APPLICATIONS, body, dry_run=True)[1], None
    except Exception as exc:
        if is_api_exception(exc, 404):
            raise ClusterError(
                f"cannot {action}: the cluster has no Argo CD Applications "
                f"(is Argo CD installed, with namespace {body['metadata']['namespace']}?)",
                "install Argo CD first; raywizard preflight checks it",
            ) from exc
        if not is_api_exception(exc, 409):
            raise to_cluster_error(exc, action, conn.server_url) from exc
        conflict = status_message(exc)
    try:
        return resources.server_side_apply(conn, APPLICATIONS, body, dry_run=True, force=True)[1], conflict
    except Exception as exc:
        raise to_cluster_error(exc, action, conn.server_url) from exc


def fingerprint(obj: dict[str, Any] | None) -> str | None:
    """A digest of what the preview showed of ``obj``: everything but the server-written fields.

    Not the resourceVersion: the Application CRD has no status subresource, so every Argo CD reconcile
    (``status.reconciledAt``) bumps it, and comparing it would refuse nearly every apply for nothing."""
    if obj is None:
        return None
    canonical = json.dumps(strip_server_fields(obj), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_plan_current(conn: Connection, plan: ApplyPlan) -> dict[str, dict[str, Any] | None]:
    """The live Applications now; raises ``PlanOutdated`` if any changed since the preview (other than status)."""
    live: dict[str, dict[str, Any] | None] = {}
    changed: list[str] = []
    for app in plan.apps:
        current = resources.get_custom(conn, APPLICATIONS, app.namespace, app.name)
        live[app.name] = current
        if fingerprint(current) != app.live_fingerprint:
            what = "created" if app.live_fingerprint is None else "deleted" if current is None else "modified"
            versions = f"resourceVersion {app.live_resource_version or '-'} -> {_rv(current) or '-'}"
            changed.append(f"Application {app.namespace}/{app.name} was {what} ({versions})")
    if changed:
        raise PlanOutdated(changed)
    return live


# --------------------------------------------------------------------------------------------------- apply
def execute_apply(
    conn: Connection,
    plan: ApplyPlan,
    *,
    wait: bool = True,
    timeout: float = 600,
    force: bool = False,
    on_progress: Callable[[StepProgress], object] | None = None,
    poll_interval: float = 1.0,
    stall_after: float = 30.0,
    over_parent: bool = False,
) -> ApplyResult:
    """``over_parent``: apply even to Applications a parent Application manages (it may revert them)."""
    report = on_progress or (lambda progress: None)
    if plan.parents and not over_parent:
        raise ManagedByParent(plan.parents)
    if plan.conflicts and not force:
        raise ClusterError(
            "other field managers own fields raywizard would change:\n  " + "\n  ".join(plan.conflicts),
            "coordinate with the other manager, or pass --force to take ownership of these fields",
        )
    live = {} if force else check_plan_current(conn, plan)
    deadline = time.monotonic() + timeout
    result = ApplyResult()
    for app in plan.apps:
        started = time.monotonic()
        before = live.get(app.name) if not force else resources.get_custom(conn, APPLICATIONS, app.namespace, app.name)
        report(
            StepProgress(
                app.step,
                "applying",
                f"server-side apply Application {app.namespace}/{app.name}",
                application=app.name,
            )
        )
        try:
            status, applied = resources.server_side_apply(conn, APPLICATIONS, app.body, force=force)
        except Exception as exc:
            error = to_cluster_error(exc, f"apply Application {app.namespace}/{app.name}", conn.server_url)
            report(StepProgress(app.step, "failed", error.message, application=app.name))
            raise error from exc
        # Compare content, not resourceVersion (Argo CD's status writes and some servers' no-op applies bump it).
        if status == 201 or before is None:
            outcome = "created"
        else:
            outcome = "configured" if fingerprint(applied) != fingerprint(before) else "unchanged"
        if wait:
            previous_reconcile = ((before or {}).get("status") or {}).get("reconciledAt")
            _wait_step(
                conn,
                plan,
                app,
                report,
                deadline,
                poll_interval,
                stall_after,
                must_reconcile_after=previous_reconcile if outcome != "unchanged" else _UNCHANGED,
                started=started,
                timeout=timeout,
            )
        else:
            report(
                StepProgress(
                    app.step,
                    "done",
                    f"Application {app.name} {outcome} (not waiting)",
                    application=app.name,
                    elapsed=time.monotonic() - started,
                )
            )
        result.steps.append(StepResult(app.step, app.name, outcome, time.monotonic() - started, wait))
    return result


def step_state(conn: Connection, plan: ApplyPlan, app: PlannedApp, must_reconcile_after: str | None) -> WaitState:
    """One look at the step: the Application's wait state, plus Ray readiness for the RayCluster step."""
    live = resources.get_custom(conn, APPLICATIONS, app.namespace, app.name)
    state = app_wait_state(live)
    if must_reconcile_after is not _UNCHANGED and state.ready and not compared_current(live, must_reconcile_after):
        # Our write changed the spec but Argo CD has not compared it yet: the old Synced/Healthy is stale.
        state = WaitState(False, state.summary + " (waiting for Argo CD to compare the new spec)")
    if app.step != "raycluster":
        return state
    rc = resources.get_custom(conn, RAYCLUSTERS, plan.ray_namespace, plan.raycluster_name)
    pods = resources.list_pods(conn, plan.ray_namespace, f"ray.io/cluster={plan.raycluster_name}")
    ray = raycluster_wait_state(rc, pods)
    if not ray.ready and ray.blocker is None:
        # Nothing visible on the pods: the operator may have refused the spec (a Warning event, no status).
        ray = raycluster_wait_state(rc, pods, resources.list_events(conn, plan.ray_namespace)[-50:])
    return WaitState(
        state.ready and ray.ready,
        f"{state.summary}; {ray.summary}",
        state.blocker or ray.blocker,
        state.failed,
    )


def _wait_step(
    conn: Connection,
    plan: ApplyPlan,
    app: PlannedApp,
    report: Callable[[StepProgress], object],
    deadline: float,
    poll_interval: float,
    stall_after: float,
    *,
    must_reconcile_after: str | None,
    started: float,
    timeout: float,
) -> None:
    last_seen: tuple[str, str | None] | None = None
    unchanged_since = time.monotonic()
    stalled_reported = False
    seen_healthy_health = False
    state = WaitState(False, "not checked yet")
    while True:
        now = time.monotonic()
        try:
            state = step_state(conn, plan, app, must_reconcile_after)
        except ClusterError as error:
            cause = error.__cause__
            if cause is not None and is_api_exception(cause) and getattr(cause, "status", 0) not in TRANSIENT:
                report(StepProgress(app.step, "failed", error.message, application=app.name, elapsed=now - started))
                raise
            state = WaitState(False, state.summary, f"API error, retrying: {error.message}")
        elapsed = now - started
        if state.ready:
            report(
                StepProgress(
                    app.step,
                    "done",
                    f"Application {app.name} is ready",
                    app_status=state.summary,
                    application=app.name,
                    elapsed=elapsed,
                )
            )
            return
        if "Healthy" in state.summary or "Progressing" in state.summary:
            seen_healthy_health = True
        if state.failed and seen_healthy_health:
            # `argocd app wait` gives up when health turns Degraded; so do we.
            report(
                StepProgress(
                    app.step,
                    "failed",
                    f"Application {app.name} turned Degraded",
                    literal(state.blocker or ""),
                    state.summary,
                    app.name,
                    elapsed,
                )
            )
            raise ClusterError(
                f"step {app.step} failed: Application {app.name} is {state.summary}: {literal(state.blocker or '')}",
                "fix the cause shown, then run apply again",
            )
        key = (state.summary, state.blocker)
        if key != last_seen:
            last_seen, unchanged_since, stalled_reported = key, now, False
            report(
                StepProgress(
                    app.step,
                    "waiting",
                    f"waiting for Application {app.name}",
                    state.blocker,
                    state.summary,
                    app.name,
                    elapsed,
                )
            )
        elif not stalled_reported and now - unchanged_since >= stall_after:
            stalled_reported = True
            report(
                StepProgress(
                    app.step,
                    "stalled",
                    f"Application {app.name}: no progress for {int(now - unchanged_since)} s",
                    state.blocker,
                    state.summary,
                    app.name,
                    elapsed,
                )
            )
        if now >= deadline:
            blocker = state.blocker or "no blocker reported; Argo CD or the operator may be slow"
            report(
                StepProgress(
                    app.step,
                    "failed",
                    f"Application {app.name}: timed out after {int(timeout)} s",
                    blocker,
                    state.summary,
                    app.name,
                    elapsed,
                )
            )
            raise ClusterError(
                f"step {app.step} did not finish within {int(timeout)} s: {state.summary}; blocker: {blocker}",
                "fix the blocker and run apply again (it is idempotent), or raise --timeout",
            )
        time.sleep(min(poll_interval, max(0.05, deadline - now)))
