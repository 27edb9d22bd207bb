"""`services/{name}:{port}/proxy` as kube-apiserver serves it: 503 until the Service has an endpoint, every method
proxied, absolute links in HTML prefixed with the proxy path, `services/proxy` permissions per verb; through the
real client and the real kubectl."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from kubernetes import client

from raywizard.sandbox.cluster import SandboxCluster
from raywizard.sandbox.serviceproxy import rewrite_html, rewrite_url
from tests.cluster.test_apiserver import _ns, raw

PREFIX = "/api/v1/namespaces/ns/services/head:dashboard/proxy"


def _service(name: str, **selector: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {
            "selector": selector,
            "publishNotReadyAddresses": True,
            "ports": [
                {"name": "dashboard", "port": 8265, "targetPort": 8265},
                {"name": "serve", "port": 8000, "targetPort": 8000},
            ],
        },
    }


def _head_pod(cluster: SandboxCluster, namespace: str, *, running: bool) -> None:
    cluster.store.create(
        "pods",
        {
            "metadata": {"name": "head-0", "labels": {"ray.io/node-type": "head", "ray.io/cluster": "rc"}},
            "spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.46.0"}]},
        },
        namespace=namespace,
    )
    if running:
        status = {"phase": "Running", "podIP": "10.244.0.9", "conditions": [{"type": "Ready", "status": "False"}]}
        cluster.store.patch("pods", namespace, "head-0", {"status": status}, "merge", subresource="status")


def test_503_until_the_service_has_an_endpoint_then_the_head_answers(
    bare_sandbox: SandboxCluster, bare_api: Any
) -> None:
    ns = _ns(bare_api)
    path = f"/api/v1/namespaces/{ns}/services/head:dashboard/proxy/api/version"
    status, body = raw(bare_api, "GET", path)
    assert (status, body["message"]) == (404, 'services "head" not found')
    client.CoreV1Api(bare_api).create_namespaced_service(ns, _service("head", **{"ray.io/cluster": "rc"}))
    status, body = raw(bare_api, "GET", path)
    assert (status, body["reason"], body["message"]) == (
        503,
        "ServiceUnavailable",
        'no endpoints available for service "head"',
    )
    _head_pod(bare_sandbox, ns, running=False)
    assert raw(bare_api, "GET", path)[0] == 503  # no IP yet: not an endpoint
    bare_sandbox.store.delete("pods", ns, "head-0")
    _head_pod(bare_sandbox, ns, running=True)  # not Ready, but the Service publishes not-ready addresses
    status, body = raw(bare_api, "GET", path)
    assert status == 200 and body["ray_version"] == "2.46.0"
    status, body = raw(bare_api, "GET", f"/api/v1/namespaces/{ns}/services/head:8000/proxy/")
    assert (status, body["message"]) == (
        503,
        "error trying to reach service: dial tcp 10.244.0.9:8000: connect: connection refused",
    )
    status, body = raw(bare_api, "GET", f"/api/v1/namespaces/{ns}/services/head:metrics/proxy/")
    assert (status, body["message"]) == (503, 'no service port "metrics" found for service "head"')


def test_every_method_is_proxied_and_html_links_are_rewritten(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    ns = _ns(bare_api)
    client.CoreV1Api(bare_api).create_namespaced_service(ns, _service("head", **{"ray.io/cluster": "rc"}))
    _head_pod(bare_sandbox, ns, running=True)
    base = f"/api/v1/namespaces/{ns}/services/head:dashboard/proxy"
    status, text = raw(bare_api, "GET", base + "/")
    assert status == 200
    assert f'src="{base}/static/js/main.js"' in text and f'href="{base}/static/css/main.css"' in text
    status, text = raw(bare_api, "POST", base + "/api/version", body={})
    assert status == 405 and "Method Not Allowed" in text  # the Ray dashboard's answer, not the API server's
    bare_sandbox.permissions.deny("create", "services/proxy")
    status, body = raw(bare_api, "POST", base + "/api/version", body={})
    assert status == 403 and 'cannot create resource "services/proxy"' in body["message"]
    assert raw(bare_api, "GET", base + "/api/version")[0] == 200  # get is a separate permission


def test_kubectl_get_raw_through_the_service_proxy(
    bare_sandbox: SandboxCluster, bare_api: Any, kubectl: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    ns = _ns(bare_api)
    client.CoreV1Api(bare_api).create_namespaced_service(ns, _service("head", **{"ray.io/cluster": "rc"}))
    _head_pod(bare_sandbox, ns, running=True)
    out = kubectl("get", "--raw", f"/api/v1/namespaces/{ns}/services/head:dashboard/proxy/api/cluster_status")
    assert json.loads(out.stdout)["result"] is True


@pytest.mark.parametrize(
    ("link", "rewritten"),
    [
        ("/static/main.js", f"{PREFIX}/static/main.js"),
        ("/", f"{PREFIX}/"),
        ("static/main.js", "static/main.js"),  # relative: already right
        ("https://example.com/x", "https://example.com/x"),  # another host
        ("http://api:6443/logs/?q=1", f"{PREFIX}/logs/?q=1"),  # this host
        (f"{PREFIX}/already", f"{PREFIX}/already"),
    ],
)
def test_rewrite_url_like_the_api_servers_proxy_transport(link: str, rewritten: str) -> None:
    assert rewrite_url(link, PREFIX, "api:6443") == rewritten


def test_rewrite_html_touches_only_url_attributes() -> None:
    page = "<a href='/x' title='/not-a-link'>/text</a><form action=/post><img src=\"rel.png\">"
    assert rewrite_html(page, PREFIX, "h") == (
        f"<a href='{PREFIX}/x' title='/not-a-link'>/text</a><form action={PREFIX}/post><img src=\"rel.png\">"
    )
