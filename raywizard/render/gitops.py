"""The parent Application (app of apps) that syncs the three from a git directory, and what the children need
for it (docs/gitops.md#sync-waves-and-health-between-child-applications).

A parent syncs all its children in one operation, ordered by ``argocd.argoproj.io/sync-wave``: the CRDs (wave 0),
the operator (1), the RayCluster (2). Argo CD has had no health check for an Application since 1.8, so the waves
only wait when ``argocd-cm`` has ``APPLICATION_HEALTH_KEY``; without it the retry with backoff on each child is
what makes the RayCluster's first failed sync (its CRD not there yet) succeed later.
"""

from __future__ import annotations

import copy
from typing import Any

from raywizard.render.applications import API_VERSION, ROLES

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
WAVES = {"crds": "0", "operator": "1", "cluster": "2"}
RETRY = {"limit": 5, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "3m"}}
IN_CLUSTER = "https://kubernetes.default.svc"

APPLICATION_HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
APPLICATION_HEALTH_LUA = """\
-- raywizard: a child Application's health is the health it reports (Argo CD has no built-in check since 1.8)
local hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  if obj.status.health.status ~= nil then
    hs.status = obj.status.health.status
  end
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
"""


def for_parent(app: dict[str, Any], role: str) -> dict[str, Any]:
    """``app`` with the sync wave of its role and a retry with backoff (kept when the document has its own)."""
    app = copy.deepcopy(app)
    metadata = app.setdefault("metadata", {})
    annotations = dict(metadata.get("annotations") or {})
    annotations.setdefault(SYNC_WAVE, WAVES[role])
    # metadata keeps the guide's order: name, namespace, then annotations
    metadata["annotations"] = annotations
    spec = app.setdefault("spec", {})
    policy = spec.setdefault("syncPolicy", {})
    policy.setdefault("retry", copy.deepcopy(RETRY))
    return app


def children_for_parent(apps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The three Applications (apply order) prepared to be synced by a parent."""
    return [for_parent(app, role) for role, app in zip(ROLES, apps, strict=True)]


def root_application(*, repo_url: str, path: str, revision: str = "HEAD", name: str = "ray-root",
                     namespace: str = "argocd", project: str = "default") -> dict[str, Any]:
    """The parent: a directory source over ``path``, automated sync with prune and selfHeal, its children
    created in Argo CD's own namespace."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "project": project,
            "source": {"repoURL": repo_url, "targetRevision": revision, "path": path.strip("/") or "."},
            "destination": {"server": IN_CLUSTER, "namespace": namespace},
            "syncPolicy": {"automated": {"prune": True, "selfHeal": True}, "retry": copy.deepcopy(RETRY)},
        },
    }


def health_configmap_patch() -> str:
    """The ``argocd-cm`` entry as a merge patch (``kubectl -n argocd patch cm argocd-cm --patch-file``)."""
    body = "\n".join(f"    {line}" if line else "" for line in APPLICATION_HEALTH_LUA.splitlines())
    return f"data:\n  {APPLICATION_HEALTH_KEY}: |\n{body}\n"
