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


def ray_insight(
    api_client: Any,
    namespace: str,
    raycluster: dict[str, Any] | None,
    pods: list[dict[str, Any]] | None = None,
    timeout: float = HEAD_TIMEOUT,
) -> RayInsight:
    """The autoscaler's view of ``raycluster`` (a RayCluster object) read from its head."""
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
