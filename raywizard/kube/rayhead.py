"""Ask the Ray head's dashboard (port 8265) through ``pods/portforward``: the autoscaler's status as a
RayInsight (docs/ray-head-api.md). Read-only; never raises for an unreachable head, it says why instead."""

from __future__ import annotations

import json
from typing import Any

from raywizard.model.ray_insight import RayInsight, insight_from_status

HEAD_TIMEOUT = 5.0


def head_get(api_client: Any, namespace: str, pod: str, path: str, timeout: float = HEAD_TIMEOUT) -> Any:
    """GET ``path`` of the head's dashboard over a fresh port-forward; the decoded JSON."""
    import http.client

    from raywizard.kube.portforward import RAY_DASHBOARD_PORT, open_pod_port

    forward, sock = open_pod_port(api_client, namespace, pod, RAY_DASHBOARD_PORT)
    try:
        sock.settimeout(timeout)
        connection = http.client.HTTPConnection("localhost", RAY_DASHBOARD_PORT, timeout=timeout)
        connection.sock = sock
        connection.request("GET", path, headers={"Connection": "close", "Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"the dashboard answered {response.status} for {path}")
        return json.loads(body)
    finally:
        forward.close()


def _pod_reasons(pods: list[dict[str, Any]]) -> dict[str, str]:
    """Pod IP (or name, for pods without an IP) -> why the pod is not running as a Ray node."""
    reasons: dict[str, str] = {}
    for pod in pods:
        status = pod.get("status") or {}
        reason = ""
        for condition in status.get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
                reason = f"{condition.get('reason') or 'Unschedulable'}: {condition.get('message') or ''}".rstrip(": ")
        for container in status.get("containerStatuses") or []:
            waiting = (container.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") and waiting["reason"] not in ("ContainerCreating", "PodInitializing"):
                reason = str(waiting["reason"])
        if status.get("phase") == "Failed":
            reason = str(status.get("reason") or "Failed")
        if reason:
            reasons[str(status.get("podIP") or "")] = reason
    return reasons


TEMPLATE_CHECK_EVERY = 30.0  # seconds; sooner when the RayCluster's generation changes
_template_cache: dict[tuple[str, str], tuple[Any, float, tuple[tuple[str, int, str], ...]]] = {}


def old_template_notes(
    api_client: Any, namespace: str, raycluster: dict[str, Any]
) -> tuple[tuple[str, int, str], ...]:
    """(group, stale pods, line) per group whose running pods still run an older template, the line naming the
    command that restarts it (the dashboard's T does the same).
    The RayCluster's pods are listed whole (a watching front end keeps only compact records), at most every
    ``TEMPLATE_CHECK_EVERY`` seconds unless the RayCluster changed."""
    import time

    from kubernetes import client

    from raywizard.kube.template_drift import stale_pods

    meta = raycluster.get("metadata") or {}
    name = str(meta.get("name") or "")
    key, generation, now = (namespace, name), meta.get("generation"), time.monotonic()
    cached = _template_cache.get(key)
    if cached is not None and cached[0] == generation and now - cached[1] < TEMPLATE_CHECK_EVERY:
        return cached[2]
    response: Any = client.CoreV1Api(api_client).list_namespaced_pod(
        namespace, label_selector=f"ray.io/cluster={name}", _preload_content=False, _request_timeout=HEAD_TIMEOUT
    )
    pods = list(json.loads(response.data).get("items") or [])
    notes = tuple(
        (drift.group, len(drift.stale), f"{drift.line()}: raywizard restart {drift.group}")
        for drift in stale_pods(raycluster, pods)
    )
    _template_cache[key] = (generation, now, notes)
    return notes


def ray_insight(
    api_client: Any,
    namespace: str,
    raycluster: dict[str, Any] | None,
    pods: list[dict[str, Any]] | None = None,
    timeout: float = HEAD_TIMEOUT,
    *,
    templates: bool = False,
) -> RayInsight:
    """The autoscaler's view of ``raycluster`` (a RayCluster object) read from its head; with ``templates``
    also the groups whose pods still run an older template."""
    insight = _ask_head(api_client, namespace, raycluster, pods, timeout)
    if templates and raycluster is not None:
        import dataclasses

        try:
            notes = old_template_notes(getattr(api_client, "api_client", api_client), namespace, raycluster)
        except Exception:  # the pods cannot be listed now: the watches say why; try again on the next poll
            notes = ()
        insight = dataclasses.replace(insight, old_templates=notes)
    return insight


def _ask_head(
    api_client: Any,
    namespace: str,
    raycluster: dict[str, Any] | None,
    pods: list[dict[str, Any]] | None,
    timeout: float,
) -> RayInsight:
    from raywizard.kube.portforward import describe, find_head_pod, stream_client

    if raycluster is None:
        return RayInsight.unreachable("no RayCluster")
    name = str((raycluster.get("metadata") or {}).get("name") or "")
    api_client = getattr(api_client, "api_client", api_client)
    try:
        head = find_head_pod(api_client, namespace, name)
    except Exception as exc:
        return RayInsight.unreachable(f"cannot list pods: {describe(exc)}")
    if head is None:
        return RayInsight.unreachable("no running head pod")
    pod = str(head["metadata"]["name"])
    streams = stream_client(api_client)
    try:
        version = head_get(streams, namespace, pod, "/api/version", timeout)
        status = head_get(streams, namespace, pod, "/api/cluster_status", timeout)
    except Exception as exc:
        return RayInsight.unreachable(f"{pod}:8265: {describe(exc)}")
    finally:
        streams.close()
    ray_version = str(version.get("ray_version") or "") if isinstance(version, dict) else ""
    if pods is None:
        pods = []
    return insight_from_status(status, raycluster, _pod_reasons(pods), ray_version)
