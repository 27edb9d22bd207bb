"""A stub Ray dashboard behind the API server's service proxy
(``/api/v1/namespaces/{ns}/services/{name}:{port}/proxy/{path}``), so that the dashboard's Ray dashboard
forward (``raywizard.kube.portforward``) has something real to reach in the sandbox and in ``raywizard demo``.

Like a real API server: a missing service is a 404 ``Status``; a port the service does not expose is a 503.
Behind the KubeRay head service's ``dashboard`` port (8265) it answers ``/`` (a small HTML page),
``/api/version`` and ``/api/cluster_status`` (JSON, from the RayCluster's pods). Anything else is a 404 page.
"""

from __future__ import annotations

import html
import json
from typing import Any

RAY_DASHBOARD_PORT = 8265


def _status(code: int, reason: str, message: str) -> tuple[int, str, bytes]:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    return code, "application/json", json.dumps(body).encode()


def answer(store: Any, namespace: str, service_port: str, path: str) -> tuple[int, str, bytes]:
    """(HTTP code, content type, body) for a GET through the service proxy."""
    name, _, port = service_port.partition(":")
    service = store.get("services", namespace, name)
    if service is None:
        return _status(404, "NotFound", f'services "{name}" not found')
    ports = (service.get("spec") or {}).get("ports") or []
    wanted = [p for p in ports if str(p.get("port")) == port or p.get("name") == port] if port else ports[:1]
    if not wanted or int(wanted[0].get("port") or 0) != RAY_DASHBOARD_PORT:
        return _status(503, "ServiceUnavailable", f'no endpoints available for service "{name}"')
    selector = (service.get("spec") or {}).get("selector") or {}
    cluster = selector.get("ray.io/cluster", "")
    pods = [
        p
        for p in store.list("pods", namespace)
        if ((p.get("metadata") or {}).get("labels") or {}).get("ray.io/cluster") == cluster
        and (p.get("status") or {}).get("phase") == "Running"
    ]
    nodes = len(pods)
    if path.rstrip("/") == "/api/version":
        body = {"version": "stub", "ray_version": "2.46.0", "ray_commit": "sandbox", "session_name": cluster}
        return 200, "application/json", json.dumps(body).encode()
    if path.rstrip("/") == "/api/cluster_status":
        body = {"result": True, "data": {"clusterStatus": {"cluster": cluster, "aliveNodes": nodes}}}
        return 200, "application/json", json.dumps(body).encode()
    if path in ("", "/", "/index.html"):
        page = (
            "<!doctype html><html><head><title>Ray Dashboard</title></head><body>"
            f"<h1>Ray Dashboard (raywizard sandbox stub)</h1><p>Cluster {html.escape(cluster)}: "
            f"{nodes} node(s) alive.</p></body></html>"
        )
        return 200, "text/html; charset=utf-8", page.encode()
    return 404, "text/plain; charset=utf-8", b"404: Not Found\n"
