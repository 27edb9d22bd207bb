"""The Ray head's dashboard HTTP API (port 8265), served to a port-forwarded connection of a head pod.

Shapes as the Ray dashboard answers them (docs/ray-head-api.md):

- ``GET /api/version``: ``{"version", "ray_version", "ray_commit", "session_name"}`` (a plain JSON document);
- ``GET /api/cluster_status``: the REST envelope ``{"result": true, "msg": "Got cluster status.", "data": ...}``
  with ``autoscalingStatus`` (the text ``ray status`` prints), ``autoscalingError`` and ``clusterStatus`` (the
  autoscaler's JSON report); the envelope camel-cases every dict key on the way, nested ones included, but not
  inside lists, exactly as the dashboard's ``to_google_style`` does;
- ``GET /nodes?view=summary``: the node summary list;
- ``GET /``: a small HTML page; anything else: aiohttp's ``404: Not Found``.

The report comes from the simulated autoscaler (``controllers/autoscaler_report.py``).
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

RAY_COMMIT = "0" * 40


def to_camel_case(key: Any) -> Any:
    if not isinstance(key, str):
        return key
    first, *rest = key.split("_")
    return first + "".join(part.title() for part in rest)


def google_style(document: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            value = google_style(value)
        elif isinstance(value, list):
            value = [google_style(item) if isinstance(item, dict) else item for item in value]
        out[to_camel_case(key)] = value
    return out


def rest_response(message: str, **data: Any) -> bytes:
    return json.dumps({"result": True, "msg": message, "data": google_style(data)}).encode()


def _memory(amount: float) -> str:
    for suffix, unit in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if amount >= unit:
            return f"{amount / unit:.2f}{suffix}"
    return f"{int(amount)}B"


def status_text(report: dict[str, Any]) -> str:
    """The autoscaler's status text (what ``ray status`` prints) for a report."""
    load = report.get("load_metrics_report") or {}
    scaler = report.get("autoscaler_report") or {}
    header = "=" * 8 + f" Autoscaler status: {datetime.fromtimestamp(report.get('time') or time.time())} " + "=" * 8
    separator = "-" * len(header)
    healthy = "\n".join(f" {count} {kind}" for kind, count in (scaler.get("active_nodes") or {}).items())
    pending = [f" {kind}, {count} launching" for kind, count in (scaler.get("pending_launches") or {}).items()]
    pending += [f" {ip}: {kind}, {status.lower()}" for ip, kind, status in scaler.get("pending_nodes") or []]
    failures = [f" {kind}: NodeTerminated (ip: {ip})" for ip, kind in scaler.get("failed_nodes") or []]
    usage_lines = []
    for resource, (used, total) in sorted((load.get("usage") or {}).items()):
        if "node:" in resource:
            continue
        if resource in ("memory", "object_store_memory"):
            usage_lines.append(f" {_memory(used)}/{_memory(total)} {resource}")
        else:
            usage_lines.append(f" {used}/{total} {resource}")
    demands = [f" {bundle}: {count}+ pending tasks/actors" for bundle, count in load.get("resource_demand") or []]
    return (
        f"{header}\nNode status\n{separator}\nHealthy:\n{healthy}\nPending:\n"
        + ("\n".join(pending) if pending else " (no pending nodes)")
        + "\nRecent failures:\n"
        + ("\n".join(failures) if failures else " (no failures)")
        + f"\n\nResources\n{separator}\nUsage:\n"
        + "".join(line + "\n" for line in usage_lines)
        + "\nDemands:\n"
        + ("\n".join(demands) if demands else " (no resource demands)")
    )


def node_summary(report: dict[str, Any], session: str) -> list[dict[str, Any]]:
    load = report.get("load_metrics_report") or {}
    mapping = load.get("node_type_mapping") or {}
    nodes = []
    for ip, usage in (load.get("usage_by_node") or {}).items():
        totals = {key: total for key, (_used, total) in usage.items()}
        cpus = int(totals.get("CPU") or 0)
        memory = int(totals.get("memory") or 0)
        head = mapping.get(ip) == "headgroup"
        nodes.append(
            {
                "now": time.time(),
                "hostname": ip,
                "ip": ip,
                "cpu": 0.0,
                "cpus": [cpus, cpus],
                "mem": [memory, memory, 0.0, 0],
                "raylet": {
                    "nodeId": hashlib.sha256(f"{session}/{ip}".encode()).hexdigest()[:56],
                    "nodeManagerAddress": ip,
                    "nodeManagerHostname": ip,
                    "state": "ALIVE",
                    "isHeadNode": head,
                    "resourcesTotal": {k: v for k, v in totals.items()},
                    "nodeName": ip,
                    "labels": {"ray.io/node-group": mapping.get(ip, "")},
                },
            }
        )
    return nodes


class RayDashboardHandler(BaseHTTPRequestHandler):
    """Serves one forwarded connection; ``server`` is a RayHeadContext."""

    protocol_version = "HTTP/1.1"
    server_version = "Python/3.11 aiohttp/3.11.16"
    sys_version = ""
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, code: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        context = self.server
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        report = context.report() or {}
        if path == "/api/version":
            body = {
                "version": "4",
                "ray_version": context.ray_version,
                "ray_commit": RAY_COMMIT,
                "session_name": context.session_name,
            }
            self._reply(200, json.dumps(body).encode())
        elif path == "/api/cluster_status":
            if query.get("format") == "1":
                self._reply(200, rest_response("Got formatted cluster status.", cluster_status=status_text(report)))
                return
            scaler_text = status_text(report) if "autoscaler_report" in report else None
            envelope = rest_response(
                "Got cluster status.",
                autoscaling_status=scaler_text,
                autoscaling_error=None,
                cluster_status=report or None,
            )
            self._reply(200, envelope)
        elif path == "/nodes" and query.get("view") == "summary":
            self._reply(200, rest_response("Node summary fetched.", summary=node_summary(report, context.session_name)))
        elif path in ("/", "/index.html"):
            page = (
                b'<!doctype html><html lang="en"><head><meta charset="utf-8"/><link rel="icon" href="/favicon.ico"/>'
                b'<title>Ray Dashboard</title><script defer="defer" src="/static/js/main.js"></script>'
                b'<link href="/static/css/main.css" rel="stylesheet"></head><body><div id="root"></div></body></html>'
            )
            self._reply(200, page, "text/html")
        else:
            self._reply(404, b"404: Not Found", "text/plain; charset=utf-8")

    do_HEAD = do_GET

    def _not_allowed(self) -> None:
        # aiohttp answers a method no route takes with 405 and the allowed ones
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(405)
        self.send_header("Allow", "GET,HEAD")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        body = b"405: Method Not Allowed"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _not_allowed


class RayHeadContext:
    """What a head pod's dashboard knows: its RayCluster, Ray version and the autoscaler's report."""

    def __init__(self, cluster: Any, pod: dict[str, Any]) -> None:
        meta = pod.get("metadata") or {}
        self.sandbox = cluster
        self.namespace = str(meta.get("namespace") or "")
        self.raycluster = str((meta.get("labels") or {}).get("ray.io/cluster") or "")
        created = str(meta.get("creationTimestamp") or "")
        stamp = created.replace("-", "_").replace(":", "-").replace("T", "_").rstrip("Z")
        self.session_name = f"session_{stamp}_000000_1"
        self.ray_version = self._ray_version()

    def _ray_version(self) -> str:
        from raywizard.sandbox.status import ApiError

        try:
            obj = self.sandbox.store.get("rayclusters.ray.io", self.namespace, self.raycluster) or {}
        except ApiError:  # no RayCluster CRD: a pod labelled as a head by hand
            obj = {}
        return str((obj.get("spec") or {}).get("rayVersion") or "2.46.0")

    def report(self) -> dict[str, Any] | None:
        from raywizard.sandbox.controllers import controller

        scaler = controller(self.sandbox, "ray-autoscaler")
        if scaler is None:
            return None
        return scaler.report(self.namespace, self.raycluster)  # type: ignore[attr-defined]
