"""The compact pod record a watching front end keeps: the fields ``views`` (pod rows, worker-group counts),
``rayhead`` (why a node is missing) and the log picker read, taken from the raw JSON as it arrives.

A whole pod as parsed JSON is about 25 KB in Python (managedFields, env, volumes, probes, resources, …); this
record is under 3 KB (a dozen small dicts, its strings shared with the other records'), so that a dashboard
holds 20,000 pods in about 55 MB. The record is a plain dict of the same shape as the pod (a subset of its
keys), so every reader works on both; the full object is read from the API server when someone asks for it
(describe). Key strings are this module's constants, shared by
every record instead of one copy per parsed document.

It leaves out ``resourceVersion`` and condition timestamps on purpose: an update that changes nothing a view
shows (a probe time, a managedFields entry) then yields an equal record, and ``ClusterState`` skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Labels the views read (group, node type, cluster); other labels and annotations stay on the server.
KEPT_LABELS = ("ray.io/cluster", "ray.io/group", "ray.io/node-type", "ray.io/is-ray-node")
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
SHARED_MAX = 50_000  # distinct shared values before the table starts over (a bound, never reached in practice)

_shared: dict[str, str] = {}


def share(value: Any) -> Any:
    """One str object for equal values across records (namespace, node, group, phase, condition types,
    container names, timestamps of pods started in the same second): json.loads makes a new one per document,
    about 55 bytes each, twenty of them per pod. Anything that is not a str is returned as it is."""
    if type(value) is not str:
        return value
    found = _shared.get(value)
    if found is None:
        if len(_shared) >= SHARED_MAX:
            _shared.clear()
        _shared[value] = found = value
    return found


def compact_pod(pod: Mapping[str, Any]) -> dict[str, Any]:
    """The record of ``pod`` (idempotent: a record gives an equal record)."""
    meta = pod.get("metadata") or {}
    metadata: dict[str, Any] = {"name": meta.get("name", ""), "namespace": share(meta.get("namespace", ""))}
    if meta.get("creationTimestamp"):
        metadata["creationTimestamp"] = share(meta["creationTimestamp"])
    if meta.get("deletionTimestamp"):
        metadata["deletionTimestamp"] = share(meta["deletionTimestamp"])
    labels = meta.get("labels") or {}
    kept = {key: share(labels[key]) for key in KEPT_LABELS if key in labels}
    if kept:
        metadata["labels"] = kept
    default = (meta.get("annotations") or {}).get(DEFAULT_CONTAINER)
    if default:
        metadata["annotations"] = {DEFAULT_CONTAINER: default}
    record: dict[str, Any] = {"metadata": metadata}

    spec = pod.get("spec") or {}
    spec_record: dict[str, Any] = {
        "containers": [{"name": share(c.get("name", ""))} for c in spec.get("containers") or []]
    }
    if spec.get("initContainers"):
        spec_record["initContainers"] = [{"name": share(c.get("name", ""))} for c in spec["initContainers"]]
    if spec.get("nodeName"):
        spec_record["nodeName"] = share(spec["nodeName"])
    record["spec"] = spec_record

    status = pod.get("status") or {}
    status_record: dict[str, Any] = {}
    for key in ("phase", "reason", "message", "podIP"):
        if status.get(key):
            status_record[key] = status[key] if key == "podIP" else share(status[key])
    conditions = [_condition(c) for c in status.get("conditions") or []]
    if conditions:
        status_record["conditions"] = conditions
    for key in ("containerStatuses", "initContainerStatuses"):
        statuses = [_container_status(c) for c in status.get(key) or []]
        if statuses:
            status_record[key] = statuses
    record["status"] = status_record
    return record


def _condition(condition: Mapping[str, Any]) -> dict[str, Any]:
    kept = {"type": share(condition.get("type", "")), "status": share(condition.get("status", ""))}
    if condition.get("reason"):
        kept["reason"] = share(condition["reason"])
    if condition.get("message"):
        kept["message"] = share(condition["message"])
    return kept


def _container_status(status: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {
        "name": share(status.get("name", "")),
        "ready": bool(status.get("ready")),
        "restartCount": int(status.get("restartCount") or 0),
    }
    state = _state(status.get("state"))
    if state:
        kept["state"] = state
    last = _state(status.get("lastState"))
    if last:
        kept["lastState"] = last
    return kept


def _state(state: Any) -> dict[str, Any]:
    """``{waiting|running|terminated: {...}}`` without timestamps and container ids."""
    if not isinstance(state, Mapping):
        return {}
    kept: dict[str, Any] = {}
    running = state.get("running")
    if isinstance(running, Mapping):
        # Never an empty dict: readers test ``state.get("running")`` for truth.
        kept["running"] = {"startedAt": share(running.get("startedAt") or "")}
    for key in ("waiting", "terminated"):
        value = state.get(key)
        if isinstance(value, Mapping):
            kept[key] = {
                k: share(value[k]) for k in ("reason", "message", "exitCode", "signal") if value.get(k) is not None
            }
    return kept
