"""Who manages an Application: Argo CD's resource tracking read on the live Applications (docs/gitops.md).

A child Application created by a parent (app of apps) carries the parent's tracking id
(``argocd.argoproj.io/tracking-id: <app>:<group>/<kind>:<namespace>/<name>``) or, with label tracking, the
label ``app.kubernetes.io/instance: <app>`` (docs/domain/argocd.md#resource-tracking). A direct write to such a
child is reverted by the parent when it self-heals, so ``apply`` refuses it (``ManagedByParent``) and says to
commit instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from raywizard.kube import resources
from raywizard.kube.connection import Connection
from raywizard.kube.resources import APPLICATIONS
from raywizard.model.errors import ClusterError
from raywizard.model.textsafe import literal

TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
INSTANCE_LABEL = "app.kubernetes.io/instance"


@dataclass(frozen=True)
class ParentApplication:
    """The Application that manages a child Application, as the child's tracking names it."""

    name: str
    namespace: str
    repo_url: str
    path: str
    target_revision: str
    revision: str  # the commit it is synced to (status.sync.revision), "" before its first comparison
    self_heal: bool
    automated: bool
    method: str  # "annotation" | "label"

    @property
    def short_revision(self) -> str:
        return self.revision[:7] if len(self.revision) == 40 else self.revision

    def describe(self) -> str:
        """``Application ray-root (file:///…/ray.git, path ray, revision main at 1a2b3c4)``."""
        revision = self.target_revision or "HEAD"
        if self.revision and self.revision != revision:
            revision = f"{revision} at {self.short_revision}"
        where = ", ".join(part for part in (self.repo_url, f"path {self.path or '.'}", f"revision {revision}") if part)
        return literal(f"Application {self.name} ({where})", single_line=True)

    def line(self) -> str:
        return f"managed by {self.describe()}"


def tracked_parent(app: dict[str, Any]) -> tuple[str, str, str] | None:
    """(parent namespace, parent name, method) that the tracking of ``app`` names, or None.

    An annotation whose object part is not ``app`` itself was copied from elsewhere and is ignored, as Argo CD
    ignores it; an instance name ``<namespace>_<name>`` is an Application outside the control-plane namespace
    (docs/domain/argocd.md#resource-tracking)."""
    meta = app.get("metadata") or {}
    namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
    value = str((meta.get("annotations") or {}).get(TRACKING_ANNOTATION) or "")
    if value:
        parsed = parse_tracking_id(value)
        if parsed is not None:
            instance, group, kind, object_namespace, object_name = parsed
            if (group, kind, object_namespace, object_name) == ("argoproj.io", "Application", namespace, name):
                parent_namespace, parent_name = _instance(instance, namespace)
                if (parent_namespace, parent_name) != (namespace, name):
                    return parent_namespace, parent_name, "annotation"
    label = str((meta.get("labels") or {}).get(INSTANCE_LABEL) or "")
    if label:
        parent_namespace, parent_name = _instance(label, namespace)
        if (parent_namespace, parent_name) != (namespace, name):
            return parent_namespace, parent_name, "label"
    return None


def parse_tracking_id(value: str) -> tuple[str, str, str, str, str] | None:
    """(app instance, group, kind, namespace, name) of ``<app>:<group>/<kind>:<namespace>/<name>``."""
    parts = value.strip().split(":")
    if len(parts) != 3:
        return None
    instance, group_kind, namespaced = parts
    group, _, kind = group_kind.rpartition("/")
    object_namespace, _, object_name = namespaced.rpartition("/")
    if not instance or not kind or not object_name:
        return None
    return instance, group, kind, object_namespace, object_name


def _instance(value: str, default_namespace: str) -> tuple[str, str]:
    namespace, sep, name = value.partition("_")
    return (namespace, name) if sep and namespace and name else (default_namespace, value)


def parent_from(parent: dict[str, Any], method: str) -> ParentApplication:
    meta = parent.get("metadata") or {}
    body = parent.get("spec") or {}
    source = body.get("source") or next(iter(body.get("sources") or []), None) or {}
    sync = (parent.get("status") or {}).get("sync") or {}
    revision = str(sync.get("revision") or next(iter(sync.get("revisions") or []), "") or "")
    automated = ((body.get("syncPolicy") or {}).get("automated"))
    return ParentApplication(
        name=str(meta.get("name") or ""),
        namespace=str(meta.get("namespace") or ""),
        repo_url=str(source.get("repoURL") or ""),
        path=str(source.get("path") or source.get("chart") or ""),
        target_revision=str(source.get("targetRevision") or ""),
        revision=revision,
        self_heal=bool(isinstance(automated, dict) and automated.get("selfHeal")),
        automated=isinstance(automated, dict),
        method=method,
    )


def find_parent(conn: Connection, app: dict[str, Any] | None,
                cache: dict[tuple[str, str], dict[str, Any] | None] | None = None) -> ParentApplication | None:
    """The Application managing ``app`` (a live Application), when it exists. The label alone counts only when
    it names an existing Application (Helm charts set the same label to their release name)."""
    if not app:
        return None
    named = tracked_parent(app)
    if named is None:
        return None
    namespace, name, method = named
    known = {} if cache is None else cache
    if (namespace, name) not in known:
        known[(namespace, name)] = resources.get_custom(conn, APPLICATIONS, namespace, name)
    parent = known[(namespace, name)]
    return parent_from(parent, method) if parent else None


def find_parents(conn: Connection, live_apps: list[dict[str, Any] | None]) -> dict[str, ParentApplication]:
    """Child name -> its parent, for the live Applications that have one."""
    cache: dict[tuple[str, str], dict[str, Any] | None] = {}
    found: dict[str, ParentApplication] = {}
    for app in live_apps:
        parent = find_parent(conn, app, cache)
        if app and parent is not None:
            found[str((app.get("metadata") or {}).get("name") or "")] = parent
    return found


def managed_lines(parents: dict[str, ParentApplication]) -> list[str]:
    """``Application raycluster: managed by Application ray-root (…)``, one per child."""
    return [literal(f"Application {child}: ", single_line=True) + parent.line() for child, parent in parents.items()]


def commit_hint(parent: ParentApplication) -> str:
    path = parent.path or "."
    return f"commit the change to the repository instead: raywizard commit --repo <your clone> --path {path} --push"


def reverted_note(parent: ParentApplication) -> str:
    """What happens to a direct write to the children of ``parent``."""
    if parent.self_heal:
        return f"{parent.name} syncs with selfHeal, so it reverts a direct apply at its next comparison"
    if parent.automated:
        return f"{parent.name} syncs automatically, so it overwrites a direct apply at its next new commit"
    return f"{parent.name} overwrites a direct apply at its next sync"


class ManagedByParent(ClusterError):
    """A direct apply of Applications that a parent Application manages (refused without --force)."""

    exit_code = 1

    def __init__(self, parents: dict[str, ParentApplication]) -> None:
        first = next(iter(parents.values()))
        children = ", ".join(sorted(parents))
        owners = sorted({p.describe() for p in parents.values()})
        super().__init__(
            f"not applied: Application(s) {literal(children, single_line=True)} are managed by "
            f"{'; '.join(owners)}; {reverted_note(first)}",
            f"{commit_hint(first)}; or pass --force to apply anyway",
        )
        self.parents = parents
