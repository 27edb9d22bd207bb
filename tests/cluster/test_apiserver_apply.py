"""Server-side apply against the sandbox: create (201), managedFields, pruning, conflicts, force, YAML bodies."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

from raywizard.sandbox.cluster import SandboxCluster

APPLY = "application/apply-patch+yaml"


def _ns(api: Any) -> str:
    name = f"ssa-{uuid.uuid4().hex[:8]}"
    client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})
    return name


def _apply(
    api: Any,
    path: str,
    body: Any,
    manager: str | None = "mgr",
    force: bool | None = None,
    dry_run: bool = False,
) -> tuple[int, dict[str, Any]]:
    query: list[tuple[str, str]] = []
    if manager:
        query.append(("fieldManager", manager))
    if force is not None:
        query.append(("force", "true" if force else "false"))
    if dry_run:
        query.append(("dryRun", "All"))
    payload = body if isinstance(body, str) else json.dumps(body)
    m, url, headers, data, _ = api.param_serialize(
        "PATCH",
        path,
        query_params=query,
        header_params={"Content-Type": APPLY},
        body=payload,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(m, url, header_params=headers, body=data)
    response.read()
    return response.status, json.loads(response.data)


def _cm(name: str, ns: str, data: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def _managers(obj: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {e["manager"]: (e["operation"], e["fieldsV1"]) for e in obj["metadata"]["managedFields"]}


def test_apply_creates_with_201_and_records_managed_fields(bare_api: Any) -> None:
    ns = _ns(bare_api)
    path = f"/api/v1/namespaces/{ns}/configmaps/c"
    status, obj = _apply(bare_api, path, _cm("c", ns, {"a": "1", "b": "2"}, {"app": "x"}))
    assert status == 201 and obj["metadata"]["uid"]
    operation, fields = _managers(obj)["mgr"]
    assert operation == "Apply"
    assert fields == {"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:app": {}}}}
    status, obj = _apply(bare_api, path, _cm("c", ns, {"a": "1", "b": "2"}, {"app": "x"}))
    assert status == 200


def test_apply_prunes_fields_no_longer_applied_but_keeps_others(bare_api: Any) -> None:
    ns = _ns(bare_api)
    path = f"/api/v1/namespaces/{ns}/configmaps/c"
    _apply(bare_api, path, _cm("c", ns, {"a": "1", "b": "2"}))
    v1 = client.CoreV1Api(bare_api)
    v1.patch_namespaced_config_map("c", ns, {"data": {"other": "z"}}, field_manager="editor")
    _, obj = _apply(bare_api, path, _cm("c", ns, {"a": "1"}))
    assert obj["data"] == {"a": "1", "other": "z"}
    managers = _managers(obj)
    assert managers["editor"] == ("Update", {"f:data": {"f:other": {}}})


def test_apply_conflict_and_force(bare_api: Any) -> None:
    ns = _ns(bare_api)
    path = f"/api/v1/namespaces/{ns}/configmaps/c"
    _apply(bare_api, path, _cm("c", ns, {"a": "1"}), manager="first")
    status, body = _apply(bare_api, path, _cm("c", ns, {"a": "2"}), manager="second", force=False)
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "first": .data.a'
    assert body["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "first"', "field": ".data.a"}
    ]
    # same value: shared ownership, no conflict
    status, _ = _apply(bare_api, path, _cm("c", ns, {"a": "1"}), manager="third")
    assert status == 200
    status, obj = _apply(bare_api, path, _cm("c", ns, {"a": "2"}), manager="second", force=True)
    assert status == 200 and obj["data"] == {"a": "2"}
    managers = _managers(obj)
    assert "first" not in managers and "third" not in managers and "second" in managers


def test_conflict_with_an_update_manager_names_version_and_time(bare_api: Any) -> None:
    ns = _ns(bare_api)
    v1 = client.CoreV1Api(bare_api)
    v1.create_namespaced_config_map(
        ns, {"metadata": {"name": "c"}, "data": {"a": "1"}}, field_manager="creator"
    )
    status, body = _apply(bare_api, f"/api/v1/namespaces/{ns}/configmaps/c", _cm("c", ns, {"a": "2"}))
    assert status == 409
    assert body["message"].startswith('Apply failed with 1 conflict: conflict with "creator" using v1 at 20')
    assert body["message"].endswith(": .data.a")


def test_apply_needs_field_manager_and_accepts_yaml(bare_api: Any) -> None:
    ns = _ns(bare_api)
    path = f"/api/v1/namespaces/{ns}/configmaps/y"
    status, body = _apply(bare_api, path, _cm("y", ns, {"a": "1"}), manager=None)
    assert status == 422 and body["reason"] == "Invalid" and "fieldManager: Required value" in body["message"]
    yaml_body = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n  namespace: {ns}\ndata:\n  k: v\n"
    status, obj = _apply(bare_api, path, yaml_body)
    assert status == 201 and obj["data"] == {"k": "v"}
    status, body = _apply(bare_api, path, _cm("other-name", ns, {}))
    assert status == 400


def test_apply_dry_run_and_status_subresource(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    ns = _ns(bare_api)
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/d"
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "image": "i:1"}]},
            },
        },
        "status": {"replicas": 9},
    }
    status, _ = _apply(bare_api, path, deployment, dry_run=True)
    assert status == 201
    assert bare_sandbox.store.get("deployments.apps", ns, "d") is None
    status, obj = _apply(bare_api, path, deployment)
    assert status == 201 and obj["status"] == {}  # status ignored on the main resource
    fields = _managers(obj)["mgr"][1]
    assert 'k:{"name":"c"}' in fields["f:spec"]["f:template"]["f:spec"]["f:containers"]
    status, obj = _apply(
        bare_api,
        path + "/status",
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "status": {"replicas": 2}},
        manager="ctrl",
    )
    assert status == 200 and obj["status"] == {"replicas": 2} and obj["spec"]["replicas"] == 2
    entry = next(e for e in obj["metadata"]["managedFields"] if e["manager"] == "ctrl")
    assert entry["subresource"] == "status"


def test_apply_through_python_clients(bare_api: Any) -> None:
    ns = _ns(bare_api)
    dyn = DynamicClient(bare_api)
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    created = configmaps.server_side_apply(
        body=_cm("dyn", ns, {"a": "1"}), namespace=ns, field_manager="raywizard", force_conflicts=True
    )
    assert created.data.a == "1"
    custom = client.CustomObjectsApi(bare_api)
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": f"app-{uuid.uuid4().hex[:6]}", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc"},
            "source": {"repoURL": "https://x", "targetRevision": "v1"},
        },
    }
    # client v37 quirk: a 201 from patch maps to None (docs/domain/kubernetes-client.md); the object is there
    result = custom.patch_namespaced_custom_object(
        "argoproj.io",
        "v1alpha1",
        "argocd",
        "applications",
        app["metadata"]["name"],
        app,
        field_manager="raywizard",
        force=True,
        _content_type=APPLY,
    )
    assert result is None
    stored = custom.get_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "argocd", "applications", app["metadata"]["name"]
    )
    assert stored["spec"]["source"]["targetRevision"] == "v1"
    app["spec"]["source"]["targetRevision"] = "v2"
    updated = custom.patch_namespaced_custom_object(
        "argoproj.io",
        "v1alpha1",
        "argocd",
        "applications",
        app["metadata"]["name"],
        app,
        field_manager="raywizard",
        force=True,
        _content_type=APPLY,
    )
    assert updated["spec"]["source"]["targetRevision"] == "v2" and updated["metadata"]["generation"] == 2


def test_custom_resource_lists_are_atomic(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    """RayCluster-like lists without list-map keys are owned whole: another manager's element edit conflicts."""
    ns = _ns(bare_api)
    path = f"/apis/argoproj.io/v1alpha1/namespaces/{ns}/applications/a"
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a"},
        "spec": {"project": "default", "destination": {}, "info": [{"name": "g", "value": "1"}]},
    }
    _apply(bare_api, path, app, manager="argocd-controller")
    bare_sandbox.store.patch(
        "applications.argoproj.io",
        ns,
        "a",
        [{"op": "replace", "path": "/spec/info/0/value", "value": "3"}],
        "json",
        field_manager="autoscaler",
    )
    obj = bare_sandbox.store.get("applications.argoproj.io", ns, "a")
    assert obj is not None
    assert _managers(obj)["autoscaler"][1] == {"f:spec": {"f:info": {}}}
    assert _managers(obj)["argocd-controller"][1]["f:spec"].keys() == {"f:project", "f:destination"}
    status, body = _apply(bare_api, path, app, manager="argocd-controller", force=False)
    assert status == 409 and body["message"].endswith(".spec.info")


def test_invalid_apply_body(bare_api: Any) -> None:
    ns = _ns(bare_api)
    status, body = _apply(bare_api, f"/api/v1/namespaces/{ns}/configmaps/x", {"metadata": {"name": "x"}})
    assert status == 400 and body["reason"] == "BadRequest"
    with pytest.raises(ApiException) as info:
        client.CoreV1Api(bare_api).patch_namespaced_config_map("x", ns, {"data": {}}, force=True)
    assert info.value.status == 422
