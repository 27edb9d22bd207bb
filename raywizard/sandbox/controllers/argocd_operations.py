"""Argo CD sync operations: requested (`operation` field) and automated (with retries and self-heal backoff).

Run for ArgoCDController (argocd.py), which this module knows only as an ``OperationHost``. As in Argo CD's
appcontroller: an operation moves `operationState.phase` Running → Succeeded/Failed/Error, retries failed syncs
with `retry.backoff`, then removes `operation` and records history; auto-sync starts an operation when the app is
OutOfSync, unless the same revision and source were already attempted (then only self-heal syncs again, with an
exponential backoff).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .argocd_compare import ResourceState
from .argocd_status import CONTROLLER_NAMESPACE, history_entry, kitchen_time, retry_delay
from .argocd_sync import SyncRun
from .objects import is_deleting, now_iso
from .sources import Rendered

if TYPE_CHECKING:
    from raywizard.sandbox.store import Store

APPS = "applications.argoproj.io"
SYNC_DELAY = 0.5  # simulated seconds between "Running" and the apply (makes the phase observable)
SELF_HEAL_BASE, SELF_HEAL_FACTOR, SELF_HEAL_CAP = 2.0, 3.0, 300.0


@dataclass
class AppMemory:
    """What the controller remembers about one Application between reconciliations."""

    uid: str = ""
    fingerprint: str = ""
    operation_running: bool = False
    last_finished: float = 0.0  # monotonic
    synced_since: float = 0.0
    last_write: float = 0.0
    waiting: set[str] = field(default_factory=set)


class OperationHost(Protocol):
    """The Application controller as the operations see it."""

    store: Store
    speed: float

    def seconds(self, simulated: float) -> float: ...

    def enqueue(self, key: Hashable) -> None: ...

    def after(self, simulated_seconds: float, action: Callable[[], None]) -> None: ...

    def _memory(self, name: str) -> AppMemory: ...

    def _render(self, app: dict[str, Any]) -> tuple[Rendered | None, list[tuple[str, str]]]: ...

    def _compare(self, app: dict[str, Any], rendered: Rendered | None) -> list[ResourceState]: ...

    def _write(self, name: str, mutate: Callable[[dict[str, Any]], None]) -> bool: ...

    def _event(self, app: dict[str, Any], reason: str, message: str, type_: str = "Normal") -> None: ...


def start_operation(ctl: OperationHost, app: dict[str, Any]) -> None:
    name = app["metadata"]["name"]
    operation = app.get("operation") or {}
    memory = ctl._memory(name)
    memory.operation_running = True
    started = now_iso()

    def mutate(obj: dict[str, Any]) -> None:
        status = obj.setdefault("status", {})
        previous = status.get("operationState") or {}
        retry_count = (
            previous.get("retryCount", 0)
            if previous.get("operation") == operation and previous.get("phase") == "Running"
            else 0
        )
        status["operationState"] = {
            "operation": operation,
            "phase": "Running",
            "message": "",
            "startedAt": started,
            "retryCount": retry_count,
        }
        if not retry_count:
            del status["operationState"]["retryCount"]

    ctl._write(name, mutate)
    ctl.after(SYNC_DELAY, lambda: execute(ctl, name))


def execute(ctl: OperationHost, name: str) -> None:
    memory = ctl._memory(name)
    app = ctl.store.get(APPS, CONTROLLER_NAMESPACE, name)
    if app is None or not app.get("operation") or is_deleting(app):
        memory.operation_running = False
        if app is not None:
            ctl.enqueue(name)
        return
    operation = dict(app["operation"])
    rendered, errors = ctl._render(app)
    state = dict((app.get("status") or {}).get("operationState") or {})
    if rendered is None:
        outcome_phase, outcome_message, results = "Error", errors[0][1] if errors else "unknown error", []
    else:
        states = ctl._compare(app, rendered)
        rules = list((app.get("spec") or {}).get("ignoreDifferences") or [])
        outcome = SyncRun(ctl.store, app, operation, states, rules).run()
        outcome_phase, outcome_message, results = outcome.phase, outcome.message, outcome.resources
    spec = app.get("spec") or {}
    sync_result: dict[str, Any] = {"resources": results}
    if spec.get("sources"):
        # multi-source: one revision and one source per entry of spec.sources
        # (docs/domain/argocd.md#helm-values-of-an-application)
        sync_result["revisions"] = list(rendered.revisions or []) if rendered else []
        sync_result["sources"] = [dict(s or {}) for s in spec["sources"]]
    else:
        sync_result["revision"] = rendered.revision if rendered else ""
        sync_result["source"] = dict(spec.get("source") or {})
    retry = operation.get("retry") or {}
    limit = int(retry.get("limit", 0) or 0)
    retry_count = int(state.get("retryCount", 0) or 0)
    if outcome_phase in ("Failed", "Error") and (limit < 0 or retry_count < limit):
        retry_count += 1
        delay = retry_delay(retry, retry_count)
        message = f"{outcome_message}. Retrying attempt #{retry_count} at {kitchen_time(ctl.seconds(delay))}."

        def retrying(obj: dict[str, Any]) -> None:
            op_state = obj.setdefault("status", {}).setdefault("operationState", {})
            op_state.update(
                {
                    "operation": operation,
                    "phase": "Running",
                    "message": message,
                    "syncResult": sync_result,
                    "retryCount": retry_count,
                }
            )

        ctl._write(name, retrying)
        ctl.after(delay, lambda: execute(ctl, name))
        return
    if outcome_phase in ("Failed", "Error") and retry_count:
        outcome_message = f"{outcome_message} (retried {retry_count} times)."
    finished = now_iso()

    def complete(obj: dict[str, Any]) -> None:
        obj.pop("operation", None)  # the merge patch `operation: null` removes it
        status = obj.setdefault("status", {})
        op_state = dict(status.get("operationState") or {})
        op_state.update(
            {
                "operation": operation,
                "phase": outcome_phase,
                "message": outcome_message,
                "syncResult": sync_result,
                "finishedAt": finished,
            }
        )
        if retry_count:
            op_state["retryCount"] = retry_count
        op_state.setdefault("startedAt", finished)
        status["operationState"] = op_state
        if outcome_phase == "Succeeded" and not (operation.get("sync") or {}).get("dryRun"):
            status["history"] = history_entry(
                status.get("history") or [],
                revision=sync_result.get("revision", ""),
                source=sync_result.get("source") or {},
                started_at=op_state["startedAt"],
                initiated_by=dict(operation.get("initiatedBy") or {}),
                revisions=sync_result.get("revisions"),
                sources=sync_result.get("sources"),
            )

    ctl._write(name, complete)
    memory.operation_running = False
    memory.last_finished = time.monotonic()
    revision = sync_result.get("revision") or ", ".join(sync_result.get("revisions") or [])
    verb = "succeeded" if outcome_phase == "Succeeded" else f"failed: {outcome_message}"
    ctl._event(
        app,
        "OperationCompleted",
        f"Sync operation to {revision} {verb}",
        "Normal" if outcome_phase == "Succeeded" else "Warning",
    )
    ctl.enqueue(name)


def self_heal_delay(attempts: int) -> float:
    """`wait.Backoff{Duration: 2s, Factor: 3, Cap: 5m}` stepped `attempts` times: 0, 2, 6, 18, ... seconds."""
    if attempts <= 0:
        return 0.0
    return min(SELF_HEAL_CAP, SELF_HEAL_BASE * SELF_HEAL_FACTOR ** (attempts - 1))


def maybe_autosync(
    ctl: OperationHost, app: dict[str, Any], rendered: Rendered, states: list[ResourceState], sync_status: str
) -> str:
    """Start an automated sync if Argo CD would; returns a SyncError message when it refuses for good."""
    spec = app.get("spec") or {}
    policy = spec.get("syncPolicy") or {}
    automated = policy.get("automated")
    if automated is None or automated is False or (isinstance(automated, dict) and automated.get("enabled") is False):
        return ""
    automated = automated if isinstance(automated, dict) else {}
    if sync_status != "OutOfSync":
        return ""
    if all(s.requires_pruning for s in states if s.status == "OutOfSync") and not automated.get("prune"):
        return ""
    name = app["metadata"]["name"]
    memory = ctl._memory(name)
    op_state = (app.get("status") or {}).get("operationState") or {}
    # appcontroller `alreadyAttemptedSync`: same revision and same source (targetRevision aside)
    sync_result = op_state.get("syncResult") or {}

    def without_revision(source: Any) -> dict[str, Any]:
        return {k: v for k, v in (source or {}).items() if k != "targetRevision"}

    if spec.get("sources"):
        already = (
            bool(sync_result)
            and sync_result.get("revisions") == rendered.revisions
            and [without_revision(s) for s in sync_result.get("sources") or []]
            == [without_revision(s) for s in spec["sources"]]
        )
    else:
        already = (
            bool(sync_result)
            and sync_result.get("revision") == rendered.revision
            and without_revision(sync_result.get("source")) == without_revision(spec.get("source"))
        )
    phase = op_state.get("phase")
    if already and phase in ("Failed", "Error"):
        return f"Failed last sync attempt to {rendered.revision}: {op_state.get('message', '')}"
    if already and not automated.get("selfHeal"):
        return ""
    # Self-heal (appcontroller `autoSync`, v3.5.1): the attempt count lives in the last operation
    # (`operation.sync.selfHealAttemptsCount`); attempt n waits `selfHealRemainingBackoff`: the n-th step of the
    # backoff 2 s x3 (cap 5 min) after the last operation finished, so the first self-heal is immediate, then 2 s,
    # 6 s, 18 s... A self-heal syncs only the resources that are not Synced. A new revision starts again at 0.
    attempts = 0
    resources: list[dict[str, str]] = []
    if already:
        previous = int(((op_state.get("operation") or {}).get("sync") or {}).get("selfHealAttemptsCount") or 0)
        delay = ctl.seconds(self_heal_delay(previous))
        elapsed = time.monotonic() - memory.last_finished if memory.last_finished else delay
        if elapsed < delay:
            ctl.after((delay - elapsed) * ctl.speed + 0.01, lambda: ctl.enqueue(name))
            return ""
        attempts = previous + 1
        resources = [{"kind": s.kind, "group": s.group, "name": s.name} for s in states if s.status != "Synced"]
    sync: dict[str, Any] = (
        {"revisions": list(rendered.revisions)} if rendered.revisions is not None else {"revision": rendered.revision}
    )
    if spec.get("sources"):
        sync["sources"] = [dict(s or {}) for s in spec["sources"]]
    else:
        sync["source"] = dict(spec.get("source") or {})
    sync["prune"] = bool(automated.get("prune"))
    if policy.get("syncOptions"):
        sync["syncOptions"] = list(policy["syncOptions"])
    if attempts:
        sync["selfHealAttemptsCount"] = attempts
    if resources:
        sync["resources"] = resources
    operation = {
        "sync": sync,
        "initiatedBy": {"automated": True},
        "retry": dict(policy.get("retry") or {"limit": 5}),
    }

    def set_operation(obj: dict[str, Any]) -> None:
        if obj.get("operation"):
            return
        obj["operation"] = operation
        obj.setdefault("status", {}).pop("operationState", None)

    ctl._write(name, set_operation)
    ctl._event(app, "OperationStarted", f"Initiated automated sync to '{rendered.revision}'")
    return ""
