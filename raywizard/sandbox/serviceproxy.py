"""`/api/v1/namespaces/{ns}/services/{name}:{port}/proxy/{path}` as kube-apiserver serves it.

From the Kubernetes sources (1.32): `pkg/registry/core/service/storage/storage.go` (`ResourceLocation`),
`pkg/registry/core/service/proxy.go` and apimachinery `pkg/util/proxy/{upgradeaware,transport}.go`:

- every method is proxied; RBAC asks for the verb of the method on `services/proxy`;
- the service must exist (404 `services "x" not found`) and have the port, by name or number (503
  `no service port "x" found for service "y"`);
- the request goes to one endpoint of the port: a pod the selector matches that has an IP and is Ready, or
  not Ready when the Service publishes not-ready addresses (KubeRay's head Service does). Without one: 503
  `no endpoints available for service "y"`; when nothing listens on the pod port: 503 `error trying to reach
  service: dial tcp <ip>:<port>: connect: connection refused`;
- HTML answers (`text/html`) get their absolute links (href, src, action, ... that start with `/`, or name the
  same host) prefixed with the proxy path, and a redirect's `Location` likewise; CORS headers are removed.

What listens in a pod is `podports.py`'s business (the head's Ray dashboard on 8265).
"""

from __future__ import annotations

import http.client
import posixpath
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from raywizard.sandbox.status import ApiError

VERB_OF_METHOD = {
    "GET": "get",
    "HEAD": "get",
    "OPTIONS": "get",
    "POST": "create",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}
# `atomsToAttrs` in apimachinery's proxy transport: the attributes that hold URLs
_URL_ATTRIBUTES = (
    "action|background|cite|classid|codebase|data|formaction|href|icon|longdesc|manifest|poster|profile|src|usemap"
)
_TAG = re.compile(r"<[A-Za-z][^>]*>")
_ATTRIBUTE = re.compile(rf"(\s(?:{_URL_ATTRIBUTES})\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>\"']+)", re.IGNORECASE)
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"}


def _unavailable(message: str) -> ApiError:
    return ApiError(503, "ServiceUnavailable", message, {})


def rewrite_url(target: str, prefix: str, request_host: str) -> str:
    """`Transport.rewriteURL`: links to another host and relative links stay; an absolute path gets the prefix
    (unless it has it already), keeping a trailing slash."""
    parts = urlsplit(target)
    if parts.netloc and parts.netloc != request_host:
        return target
    if not parts.path.startswith("/"):
        return target
    if parts.path.startswith(prefix):
        return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    joined = posixpath.join(prefix, parts.path.lstrip("/"))
    if parts.path.endswith("/") and not joined.endswith("/"):
        joined += "/"
    return urlunsplit(("", "", joined, parts.query, parts.fragment))


def rewrite_html(text: str, prefix: str, request_host: str) -> str:
    def attribute(match: re.Match[str]) -> str:
        value = match.group(2)
        quote = value[0] if value[:1] in ("'", '"') else ""
        inner = value[1:-1] if quote else value
        return f"{match.group(1)}{quote}{rewrite_url(inner, prefix, request_host)}{quote}"

    return _TAG.sub(lambda tag: _ATTRIBUTE.sub(attribute, tag.group(0)), text)


def _endpoint(store: Any, namespace: str, service: dict[str, Any]) -> dict[str, Any] | None:
    spec = service.get("spec") or {}
    selector = spec.get("selector") or {}
    if not selector:
        return None
    not_ready_ok = bool(spec.get("publishNotReadyAddresses"))
    for pod in store.list("pods", namespace):
        meta = pod.get("metadata") or {}
        labels = meta.get("labels") or {}
        status = pod.get("status") or {}
        if any(labels.get(k) != v for k, v in selector.items()) or meta.get("deletionTimestamp"):
            continue
        if not status.get("podIP") or status.get("phase") in ("Succeeded", "Failed"):
            continue
        ready = any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
        )
        if ready or not_ready_ok:
            return dict(pod)
    return None


def _target_port(pod: dict[str, Any], target: Any) -> int | None:
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return int(target)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target:
                return int(port.get("containerPort") or 0)
    return None


def serve(handler: Any, method: str, namespace: str, service_port: str, rest: str, query: str, body: bytes) -> None:
    """Answer one proxied request on ``handler`` (the API server's request handler)."""
    from raywizard.sandbox.podports import PortRefused, connect

    cluster = handler.api.cluster
    name, _, port_text = service_port.partition(":")
    if name.startswith(("http:", "https:")):  # scheme:name:port
        name, _, port_text = port_text.partition(":")
    service = cluster.store.get("services", namespace, name)
    if service is None:
        raise ApiError(404, "NotFound", f'services "{name}" not found', {"name": name, "kind": "services"})
    ports = (service.get("spec") or {}).get("ports") or []
    chosen = next(
        (p for p in ports if (not port_text and len(ports) == 1) or port_text in (p.get("name"), str(p.get("port")))),
        None,
    )
    if chosen is None:
        raise _unavailable(f'no service port "{port_text}" found for service "{name}"')
    pod = _endpoint(cluster.store, namespace, service)
    if pod is None:
        raise _unavailable(f'no endpoints available for service "{name}"')
    pod_port = _target_port(pod, chosen.get("targetPort", chosen.get("port")))
    ip = (pod.get("status") or {}).get("podIP", "")
    try:
        if pod_port is None:
            raise PortRefused("")
        sock = connect(cluster, pod, pod_port)
    except PortRefused:
        raise _unavailable(
            f"error trying to reach service: dial tcp {ip}:{pod_port or 0}: connect: connection refused"
        ) from None
    connection = http.client.HTTPConnection(ip or "pod", pod_port, timeout=30)
    connection.sock = sock
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_HEADERS | {"authorization"}}
    target = "/" + rest.lstrip("/") + (f"?{query}" if query else "")
    try:
        connection.request(method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        answer_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS]
        code = response.status
    except (OSError, http.client.HTTPException) as exc:
        raise _unavailable(f"error trying to reach service: {exc}") from None
    finally:
        connection.close()
    prefix = handler.path.split("?", 1)[0]
    suffix = "/" + rest.lstrip("/") if rest else ""
    if suffix and prefix.endswith(suffix):
        prefix = prefix[: -len(suffix)]
    prefix = prefix.rstrip("/")
    host = handler.headers.get("Host", "")
    content_type = next((v for k, v in answer_headers if k.lower() == "content-type"), "")
    kept: list[tuple[str, str]] = []
    for key, value in answer_headers:
        lower = key.lower()
        if lower.startswith("access-control-") or lower == "content-length":
            continue
        if lower == "location":
            value = rewrite_url(value, prefix, host)
        kept.append((key, value))
    if content_type.split(";", 1)[0].strip().lower() == "text/html":
        payload = rewrite_html(payload.decode("utf-8", "replace"), prefix, host).encode()
    handler.send_response(code)
    for key, value in kept:
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    if method != "HEAD":
        handler.wfile.write(payload)


__all__ = ["VERB_OF_METHOD", "rewrite_html", "rewrite_url", "serve"]
