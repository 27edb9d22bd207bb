"""API server details the sandbox takes from kube-apiserver: JSON patch `replace` of a missing key, field selector
labels, list/watch option validation, `pods/log?previous=true`, permissions per subresource."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.test_apiserver import _ns, _pod, raw


def _error(exc: ApiException) -> dict[str, Any]:
    body = json.loads(exc.body)
    assert body["kind"] == "Status" and body["code"] == exc.status
    return body


def test_json_patch_replace_of_a_missing_key_sets_it(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "cm"}, "data": {"a": "1"}})
    patched = v1.patch_namespaced_config_map("cm", ns, [{"op": "replace", "path": "/data/b", "value": "2"}])
    assert patched.data == {"a": "1", "b": "2"}  # evanphx/json-patch v4: like add
    with pytest.raises(ApiException) as info:  # a missing parent is still an error
        v1.patch_namespaced_config_map("cm", ns, [{"op": "replace", "path": "/nothing/b", "value": "2"}])
    assert info.value.status == 422


def test_unsupported_field_selector_labels_are_400(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    with pytest.raises(ApiException) as info:
        v1.list_namespaced_pod(ns, field_selector="metadata.labels.foo=bar")
    assert info.value.status == 400
    assert _error(info.value)["message"] == "field label not supported: metadata.labels.foo"
    assert v1.list_namespaced_pod(ns, field_selector="spec.restartPolicy=Never,status.phase!=Failed").items == []
    custom = client.CustomObjectsApi(bare_api)
    with pytest.raises(ApiException) as info:  # custom resources: metadata.name and metadata.namespace only
        custom.list_namespaced_custom_object(
            "argoproj.io", "v1alpha1", ns, "applications", field_selector="spec.project=x"
        )
    assert _error(info.value)["message"] == "field label not supported: spec.project"
    assert custom.list_namespaced_custom_object(
        "argoproj.io", "v1alpha1", ns, "applications", field_selector="metadata.name=x"
    )["items"] == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            [("resourceVersionMatch", "NotOlderThan")],
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is '
            "forbidden unless resourceVersion is provided",
        ),
        (
            [("resourceVersion", "1"), ("resourceVersionMatch", "Newest")],
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported '
            'values: "Exact", "NotOlderThan", ""',
        ),
        (
            [("resourceVersion", "0"), ("resourceVersionMatch", "Exact")],
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is '
            'forbidden for resourceVersion "0"',
        ),
        (
            [("sendInitialEvents", "true")],
            'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for '
            "list",
        ),
        (
            [("watch", "true"), ("sendInitialEvents", "true")],
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires '
            "setting resourceVersionMatch to NotOlderThan",
        ),
        (
            [("watch", "true"), ("resourceVersionMatch", "Exact"), ("sendInitialEvents", "true")],
            'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires '
            'setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": '
            'supported values: "NotOlderThan"]',
        ),
    ],
)
def test_list_and_watch_options_are_validated(bare_api: Any, query: list[tuple[str, str]], message: str) -> None:
    status, body = raw(bare_api, "GET", "/api/v1/namespaces/default/configmaps", query=query)
    assert status == 422
    assert body["reason"] == "Invalid" and body["message"] == message
    assert body["details"]["kind"] == "ListOptions" and body["details"]["group"] == "meta.k8s.io"
    assert all(c["field"] for c in body["details"]["causes"])


def test_valid_list_options_pass(bare_api: Any) -> None:
    status, body = raw(
        bare_api,
        "GET",
        "/api/v1/namespaces/default/configmaps",
        query=[("resourceVersion", "1"), ("resourceVersionMatch", "NotOlderThan")],
    )
    assert status == 200 and body["kind"] == "ConfigMapList"


def test_previous_log_without_a_restart_is_400(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    bare_sandbox.store.create("pods", _pod("p"), namespace=ns)
    bare_sandbox.store.patch("pods", ns, "p", {"status": {"phase": "Running"}}, "merge", subresource="status")
    with pytest.raises(ApiException) as info:
        v1.read_namespaced_pod_log("p", ns, previous=True)
    assert info.value.status == 400
    assert _error(info.value)["message"] == 'previous terminated container "main" in pod "p" not found'
    restarted = {
        "name": "main",
        "restartCount": 1,
        "ready": True,
        "state": {"running": {}},
        "lastState": {"terminated": {"exitCode": 1, "containerID": "containerd://0"}},
    }
    bare_sandbox.store.patch(
        "pods", ns, "p", {"status": {"containerStatuses": [restarted]}}, "merge", subresource="status"
    )
    assert v1.read_namespaced_pod_log("p", ns, previous=True)


def test_a_subresource_is_denied_on_its_own(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    bare_sandbox.store.create("pods", _pod("p"), namespace=ns)
    bare_sandbox.store.patch("pods", ns, "p", {"status": {"phase": "Running"}}, "merge", subresource="status")
    bare_sandbox.permissions.deny("get", "pods/log")
    with pytest.raises(ApiException) as info:
        v1.read_namespaced_pod_log("p", ns)
    assert _error(info.value)["message"] == (
        f'pods "p" is forbidden: User "raywizard-sandbox" cannot get resource "pods/log" in API group "" in the '
        f'namespace "{ns}"'
    )
    assert v1.read_namespaced_pod("p", ns).metadata.name == "p"  # the pod itself stays readable
    review = client.AuthorizationV1Api(bare_api).create_self_subject_access_review(
        {"spec": {"resourceAttributes": {"verb": "get", "resource": "pods", "subresource": "log", "namespace": ns}}}
    )
    assert review.status.allowed is False
    bare_sandbox.permissions.reset()
    bare_sandbox.permissions.deny("get", "pods")
    assert v1.read_namespaced_pod_log("p", ns)  # a rule on pods does not cover pods/log
