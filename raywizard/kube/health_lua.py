"""An Argo CD health check for RayCluster: ``argocd-cm`` key ``resource.customizations.health.ray.io_RayCluster``.

Argo CD ships none (docs/domain/argocd.md#health-of-a-raycluster), so an Application with a RayCluster is Healthy as
soon as the object exists. This Lua script derives health from the fields KubeRay v1.x writes
(docs/domain/kuberay.md#status):
``observedGeneration``, the conditions ``RayClusterSuspended``, ``RayClusterSuspending``, ``ReplicaFailure``,
``HeadPodReady`` and ``RayClusterProvisioned``, the deprecated ``state`` and the ready/desired worker counts.
"""

from __future__ import annotations

from typing import Any

CONFIGMAP_KEY = "resource.customizations.health.ray.io_RayCluster"

HEALTH_LUA = """\
-- raywizard: Argo CD health check for ray.io/RayCluster (KubeRay v1.x)
local hs = {}
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the KubeRay operator to report status"
  return hs
end
local st = obj.status
if obj.metadata ~= nil and obj.metadata.generation ~= nil and st.observedGeneration ~= nil
    and st.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the KubeRay operator to observe the latest spec"
  return hs
end
local cond = {}
if st.conditions ~= nil then
  for _, c in ipairs(st.conditions) do
    if c.type ~= nil then cond[c.type] = c end
  end
end
local function is_true(name)
  return cond[name] ~= nil and cond[name].status == "True"
end
local function msg(name, fallback)
  local c = cond[name]
  if c ~= nil and c.message ~= nil and c.message ~= "" then return c.message end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then return c.reason end
  return fallback
end
if is_true("RayClusterSuspended") or st.state == "suspended" then
  hs.status = "Suspended"
  hs.message = "RayCluster is suspended"
  return hs
end
if is_true("RayClusterSuspending") then
  hs.status = "Progressing"
  hs.message = "RayCluster is suspending"
  return hs
end
if is_true("ReplicaFailure") then
  hs.status = "Degraded"
  hs.message = msg("ReplicaFailure", "KubeRay failed to create or delete pods")
  return hs
end
local desired = st.desiredWorkerReplicas or 0
local ready = st.readyWorkerReplicas or 0
local provisioned = is_true("RayClusterProvisioned") or st.state == "ready"
local counts = tostring(ready) .. "/" .. tostring(desired) .. " workers ready"
if cond["HeadPodReady"] ~= nil and cond["HeadPodReady"].status ~= "True" then
  if provisioned then
    hs.status = "Degraded"
  else
    hs.status = "Progressing"
  end
  hs.message = "Head pod not ready: " .. msg("HeadPodReady", "unknown reason")
  return hs
end
if not provisioned then
  hs.status = "Progressing"
  hs.message = "Provisioning: " .. counts
  return hs
end
if ready < desired then
  hs.status = "Progressing"
  hs.message = "Scaling: " .. counts
  return hs
end
hs.status = "Healthy"
hs.message = "RayCluster ready: " .. counts
return hs
"""


def configmap_patch() -> str:
    """The argocd-cm entry as a YAML merge patch (`kubectl -n argocd patch cm argocd-cm --patch-file`)."""
    body = "\n".join(f"    {line}" if line else "" for line in HEALTH_LUA.splitlines())
    return f"data:\n  {CONFIGMAP_KEY}: |\n{body}\n"


def evaluate(raycluster: dict[str, Any]) -> dict[str, str]:
    """Run the Lua check on ``raycluster`` with lupa the way Argo CD does (``obj`` global); for tests."""
    import lupa  # test dependency only

    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = lua.table_from(raycluster, recursive=True)
    result = lua.execute(HEALTH_LUA)
    return {"status": str(result["status"]), "message": str(result["message"] or "")}
