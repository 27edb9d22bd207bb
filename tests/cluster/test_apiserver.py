"""The sandbox API server through the real `kubernetes` client: discovery, CRUD, patches, selectors, errors."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

from raywizard.sandbox.cluster import SandboxCluster
from tests.waiting import wait_for


def _ns(api: Any) -> str:
    name = f"t-{uuid.uuid4().hex[:8]}"
    client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})
    return name


def _status(exc: ApiException) -> dict[str, Any]:
    body = json.loads(exc.body)
    assert body["kind"] == "Status" and body["status"] == "Failure" and body["code"] == exc.status
    return body


def raw(
    api: Any,
    method: str,
    path: str,
    body: Any = None,
    content_type: str | None = None,
    accept: str | None = None,
    query: list[tuple[str, str]] | None = None,
) -> tuple[int, Any]:
    """A raw request through the client's own transport: (status, parsed JSON or text)."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    m, url, hdrs, data, _ = api.param_serialize(
        method, path, query_params=query, header_params=headers, body=body, auth_settings=["BearerToken"]
    )
    response = api.call_api(m, url, header_params=hdrs, body=data)
    response.read()
    text = response.data.decode()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text


def _pod(name: str, **labels: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "main", "image": "rayproject/ray:2.46.0"}]},
    }


# ---------------------------------------------------------------- discovery and auth
def test_discovery_endpoints_with_and_without_trailing_slash(bare_api: Any) -> None:
    version = client.VersionApi(bare_api).get_code()  # requests /version/
    assert (version.major, version.minor, version.git_version) == ("1", "30", "v1.30.6")
    assert client.CoreApi(bare_api).get_api_versions().versions == ["v1"]  # /api/
    groups = {g.name for g in client.ApisApi(bare_api).get_api_versions().groups}  # /apis/
    assert {"apps", "apiextensions.k8s.io", "argoproj.io", "authorization.k8s.io"} <= groups
    for path in ("/api/v1", "/api/v1/", "/apis/apps/v1", "/apis/apps/v1/", "/apis/apps", "/apis/apps/"):
        status, _ = raw(bare_api, "GET", path)
        assert status == 200, path
    resources = client.CoreV1Api(bare_api).get_api_resources()
    by_name = {r.name: r for r in resources.resources}
    assert by_name["pods"].kind == "Pod" and by_name["pods"].namespaced and "po" in by_name["pods"].short_names
    assert by_name["pods"].singular_name == "pod" and "watch" in by_name["pods"].verbs
    assert "pods/status" in by_name and "pods/log" in by_name and by_name["namespaces"].namespaced is False


def test_unknown_path_and_missing_token(bare_sandbox: SandboxCluster) -> None:
    request = urllib.request.Request(bare_sandbox.url + "/api/v1/namespaces")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 401
    assert json.loads(info.value.read())["reason"] == "Unauthorized"
    request = urllib.request.Request(
        bare_sandbox.url + "/apis/nope.example.com/v1/things",
        headers={"Authorization": f"Bearer {bare_sandbox.token}"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 404
    assert json.loads(info.value.read())["message"] == "the server could not find the requested resource"


def test_crd_registers_resource_in_discovery(bare_api: Any) -> None:
    ext = client.ApiextensionsV1Api(bare_api)
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }
    custom = client.CustomObjectsApi(bare_api)
    with pytest.raises(ApiException) as info:
        custom.list_cluster_custom_object("example.com", "v1", "widgets")
    assert info.value.status == 404
    try:
        created = ext.create_custom_resource_definition(crd)
    except ApiException as exc:  # already there from another test in the session
        assert exc.status == 409
        created = ext.read_custom_resource_definition("widgets.example.com")
    conditions = {c.type: c.status for c in created.status.conditions}
    assert conditions == {"Established": "True", "NamesAccepted": "True"}
    assert created.status.accepted_names.kind == "Widget"
    _, doc = raw(bare_api, "GET", "/apis/example.com/v1")
    names = {r["name"] for r in doc["resources"]}
    assert names == {"widgets", "widgets/status"}
    ns = _ns(bare_api)
    obj = custom.create_namespaced_custom_object(
        "example.com",
        "v1",
        ns,
        "widgets",
        {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 1}},
    )
    assert obj["metadata"]["generation"] == 1 and obj["kind"] == "Widget"


def test_application_crd_preinstalled_without_status_subresource(bare_api: Any) -> None:
    crd = client.ApiextensionsV1Api(bare_api).read_custom_resource_definition("applications.argoproj.io")
    assert crd.spec.versions[0].name == "v1alpha1" and crd.spec.versions[0].subresources is None
    custom = client.CustomObjectsApi(bare_api)
    project = custom.get_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "appprojects", "default")
    assert project["metadata"]["name"] == "default"
    dyn = DynamicClient(bare_api)
    apps = dyn.resources.get(api_version="argoproj.io/v1alpha1", kind="Application")
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": f"a-{uuid.uuid4().hex[:6]}", "namespace": "argocd"},
        "spec": {"project": "default", "destination": {"server": "https://kubernetes.default.svc"}},
    }
    created = apps.create(body=app, namespace="argocd")
    # no status subresource: a status write through the main resource sticks (and bumps generation, as for CRs)
    patched = custom.patch_namespaced_custom_object(
        "argoproj.io",
        "v1alpha1",
        "argocd",
        "applications",
        created.metadata.name,
        {"status": {"sync": {"status": "Synced"}}},
    )
    assert patched["status"]["sync"]["status"] == "Synced"
    assert patched["metadata"]["generation"] == 2
    with pytest.raises(ApiException) as info:
        custom.patch_namespaced_custom_object_status(
            "argoproj.io", "v1alpha1", "argocd", "applications", created.metadata.name, {"status": {}}
        )
    assert info.value.status == 404
    assert [i.metadata.name for i in apps.get(namespace="argocd").items]


# ---------------------------------------------------------------- create / get / list / update / delete
def test_create_sets_bookkeeping_and_errors(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    pod = v1.create_namespaced_pod(ns, _pod("p1", app="ray"))
    meta = pod.metadata
    assert meta.namespace == ns and meta.uid and meta.creation_timestamp and meta.generation == 1
    assert int(meta.resource_version) > 0 and pod.status.phase == "Pending"
    assert pod.spec.containers[0].image_pull_policy == "IfNotPresent"
    generated = v1.create_namespaced_config_map(ns, {"metadata": {"generateName": "cm-"}, "data": {"a": "1"}})
    assert generated.metadata.name.startswith("cm-") and len(generated.metadata.name) == 8
    with pytest.raises(ApiException) as info:
        v1.create_namespaced_pod(ns, _pod("p1"))
    body = _status(info.value)
    assert (info.value.status, body["reason"], body["message"]) == (
        409,
        "AlreadyExists",
        'pods "p1" already exists',
    )
    assert body["details"] == {"name": "p1", "kind": "pods"}
    with pytest.raises(ApiException) as info:
        v1.create_namespaced_pod("no-such-ns", _pod("p1"))
    body = _status(info.value)
    assert (info.value.status, body["message"]) == (404, 'namespaces "no-such-ns" not found')
    with pytest.raises(ApiException) as info:
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "Bad_Name"}})
    body = _status(info.value)
    assert info.value.status == 422 and body["reason"] == "Invalid"
    assert body["message"].startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value')
    with pytest.raises(ApiException) as info:
        v1.read_namespaced_pod("nope", ns)
    body = _status(info.value)
    assert (body["reason"], body["message"]) == ("NotFound", 'pods "nope" not found')


def test_list_kind_rv_and_selectors(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    v1.create_namespaced_pod(ns, _pod("head", app="ray", role="head"))
    v1.create_namespaced_pod(ns, _pod("w1", app="ray", role="worker"))
    v1.create_namespaced_pod(ns, _pod("other", app="web"))
    v1.patch_namespaced_pod_status("w1", ns, {"status": {"phase": "Running"}})

    def names(**kwargs: Any) -> list[str]:
        return [p.metadata.name for p in v1.list_namespaced_pod(ns, **kwargs).items]

    assert names() == ["head", "other", "w1"]
    assert names(label_selector="app=ray") == ["head", "w1"]
    assert names(label_selector="app==ray,role!=head") == ["w1"]
    assert names(label_selector="role in (head, worker)") == ["head", "w1"]
    assert names(label_selector="app notin (ray)") == ["other"]
    assert names(label_selector="role") == ["head", "w1"]
    assert names(label_selector="!role") == ["other"]
    assert names(field_selector="metadata.name=head") == ["head"]
    assert names(field_selector="status.phase=Running") == ["w1"]
    assert names(field_selector="status.phase!=Running,metadata.namespace=" + ns) == ["head", "other"]
    raw = v1.list_namespaced_pod(ns, _preload_content=False)
    body = json.loads(raw.data)
    assert body["kind"] == "PodList" and body["apiVersion"] == "v1" and int(body["metadata"]["resourceVersion"]) > 0
    everywhere = v1.list_pod_for_all_namespaces(label_selector="app=web")
    assert ns in {p.metadata.namespace for p in everywhere.items}
    with pytest.raises(ApiException) as info:
        v1.list_namespaced_pod(ns, label_selector="app in (ray")
    assert info.value.status == 400


def test_limit_and_continue(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    for n in range(5):
        v1.create_namespaced_config_map(ns, {"metadata": {"name": f"cm-{n}"}})
    first = v1.list_namespaced_config_map(ns, limit=2)
    assert [c.metadata.name for c in first.items] == ["cm-0", "cm-1"]
    assert first.metadata._continue and first.metadata.remaining_item_count == 3
    second = v1.list_namespaced_config_map(ns, limit=2, _continue=first.metadata._continue)
    third = v1.list_namespaced_config_map(ns, limit=2, _continue=second.metadata._continue)
    assert [c.metadata.name for c in second.items + third.items] == ["cm-2", "cm-3", "cm-4"]
    assert not third.metadata._continue
    with pytest.raises(ApiException) as info:
        v1.list_namespaced_config_map(ns, limit=2, _continue="garbage")
    assert info.value.status == 400


def test_update_conflict_on_stale_resource_version(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    cm = v1.create_namespaced_config_map(ns, {"metadata": {"name": "c"}, "data": {"a": "1"}})
    cm.data = {"a": "2"}
    updated = v1.replace_namespaced_config_map("c", ns, cm)
    assert updated.data == {"a": "2"} and updated.metadata.resource_version != cm.metadata.resource_version
    cm.data = {"a": "3"}  # still carries the old resourceVersion
    with pytest.raises(ApiException) as info:
        v1.replace_namespaced_config_map("c", ns, cm)
    body = _status(info.value)
    assert (info.value.status, body["reason"]) == (409, "Conflict")
    assert body["message"] == (
        'Operation cannot be fulfilled on configmaps "c": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    with pytest.raises(ApiException) as info:
        v1.replace_namespaced_config_map("missing", ns, {"metadata": {"name": "missing"}})
    assert info.value.status == 404


def test_status_subresource_isolation_and_generation(bare_api: Any) -> None:
    apps = client.AppsV1Api(bare_api)
    ns = _ns(bare_api)
    body = {
        "metadata": {"name": "d"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "image": "i"}]},
            },
        },
        "status": {"replicas": 99},
    }
    d = apps.create_namespaced_deployment(ns, body)
    assert d.metadata.generation == 1 and not d.status.replicas  # status dropped on create
    d = apps.patch_namespaced_deployment("d", ns, {"spec": {"replicas": 3}, "status": {"replicas": 5}})
    assert d.metadata.generation == 2 and d.spec.replicas == 3 and not d.status.replicas
    d = apps.patch_namespaced_deployment_status("d", ns, {"spec": {"replicas": 7}, "status": {"replicas": 3}})
    assert d.status.replicas == 3 and d.spec.replicas == 3 and d.metadata.generation == 2
    d = apps.patch_namespaced_deployment("d", ns, {"metadata": {"labels": {"x": "y"}}})
    assert d.metadata.generation == 2  # metadata-only change
    rv = d.metadata.resource_version
    same = apps.patch_namespaced_deployment("d", ns, {"metadata": {"labels": {"x": "y"}}})
    assert same.metadata.resource_version == rv  # no-op writes commit nothing
    d.status.ready_replicas = 2
    d = apps.replace_namespaced_deployment_status("d", ns, d)
    assert d.status.ready_replicas == 2


def test_patch_types(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    pod = _pod("p", app="ray")
    pod["spec"]["containers"].append({"name": "side", "image": "busybox", "env": [{"name": "A", "value": "1"}]})
    v1.create_namespaced_pod(ns, pod)
    # CoreV1Api sends strategic merge for a dict: containers merge by name
    patched = v1.patch_namespaced_pod("p", ns, {"spec": {"containers": [{"name": "side", "image": "busybox:2"}]}})
    assert [(c.name, c.image) for c in patched.spec.containers] == [
        ("main", "rayproject/ray:2.46.0"),
        ("side", "busybox:2"),
    ]
    assert patched.spec.containers[1].env[0].name == "A"
    # ... and json-patch for a list
    patched = v1.patch_namespaced_pod(
        "p",
        ns,
        [
            {"op": "test", "path": "/metadata/labels/app", "value": "ray"},
            {"op": "add", "path": "/metadata/labels/tier", "value": "x"},
            {"op": "replace", "path": "/metadata/labels/app", "value": "ray2"},
            {"op": "copy", "from": "/metadata/labels/tier", "path": "/metadata/labels/copied"},
            {"op": "move", "from": "/metadata/labels/copied", "path": "/metadata/labels/moved"},
            {"op": "remove", "path": "/metadata/labels/tier"},
        ],
    )
    assert patched.metadata.labels == {"app": "ray2", "moved": "x"}
    with pytest.raises(ApiException) as info:
        v1.patch_namespaced_pod("p", ns, [{"op": "test", "path": "/metadata/labels/app", "value": "nope"}])
    assert info.value.status == 422
    with pytest.raises(ApiException) as info:
        v1.patch_namespaced_pod("p", ns, [{"op": "remove", "path": "/metadata/labels/absent"}])
    assert info.value.status == 422
    # merge patch (RFC 7386): null deletes, lists replace
    status, doc = raw(
        bare_api,
        "PATCH",
        f"/api/v1/namespaces/{ns}/pods/p",
        {"metadata": {"labels": {"moved": None}}},
        "application/merge-patch+json",
    )
    assert status == 200 and doc["metadata"]["labels"] == {"app": "ray2"}
    # unknown content type: 415
    status, doc = raw(bare_api, "PATCH", f"/api/v1/namespaces/{ns}/pods/p", '{"a": 1}', "text/plain")
    assert status == 415 and doc["reason"] == "UnsupportedMediaType"


def test_strategic_merge_is_refused_for_custom_resources(bare_api: Any) -> None:
    status, doc = raw(
        bare_api,
        "PATCH",
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/appprojects/default",
        {"metadata": {"labels": {"a": "b"}}},
        "application/strategic-merge-patch+json",
    )
    assert status == 415 and "application/merge-patch+json" in doc["message"]


def test_dry_run_stores_nothing(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    rv = bare_sandbox.store.resource_version
    created = v1.create_namespaced_config_map(ns, {"metadata": {"name": "dry"}}, dry_run="All")
    assert created.metadata.name == "dry" and created.metadata.uid
    with pytest.raises(ApiException):
        v1.read_namespaced_config_map("dry", ns)
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "wet"}, "data": {"a": "1"}})
    rv = bare_sandbox.store.resource_version
    patched = v1.patch_namespaced_config_map("wet", ns, {"data": {"a": "2"}}, dry_run="All")
    assert patched.data == {"a": "2"}
    v1.delete_namespaced_config_map("wet", ns, dry_run="All")
    assert v1.read_namespaced_config_map("wet", ns).data == {"a": "1"}
    assert bare_sandbox.store.resource_version == rv


def test_delete_with_finalizers_and_namespace_cascade(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "plain"}})
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "held", "finalizers": ["example.com/hold"]}})
    status = v1.delete_namespaced_config_map("plain", ns)  # client v37 hands back the Status as a dict
    status = status if isinstance(status, dict) else status.to_dict()
    assert status["status"] == "Success" and status["details"]["name"] == "plain"
    held = v1.delete_namespaced_config_map("held", ns)
    held = held if isinstance(held, dict) else held.to_dict()
    assert held["metadata"]["deletionTimestamp"]  # the object, still there
    assert v1.read_namespaced_config_map("held", ns).metadata.deletion_timestamp is not None
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "other"}})
    namespace = v1.delete_namespace(ns)
    assert namespace["status"]["phase"] == "Terminating"
    assert v1.read_namespaced_config_map("other", ns)  # the namespace controller empties it a moment later
    wait_for(lambda: [c.metadata.name for c in v1.list_namespaced_config_map(ns).items] == ["held"],
             what="the namespace emptied but for the object with a finalizer")
    with pytest.raises(ApiException) as info:  # no new content in a terminating namespace
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "late"}})
    assert info.value.status == 403
    v1.patch_namespaced_config_map("held", ns, {"metadata": {"finalizers": None}})
    with pytest.raises(ApiException):
        v1.read_namespaced_config_map("held", ns)
    with pytest.raises(ApiException) as info:
        v1.read_namespace(ns)
    assert info.value.status == 404


def test_pod_delete_returns_the_pod_and_deletecollection(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    for name in ("a", "b", "c"):
        v1.create_namespaced_pod(ns, _pod(name, app="x" if name != "c" else "y"))
    deleted = v1.delete_namespaced_pod("a", ns, propagation_policy="Background")
    assert deleted.metadata.name == "a" and deleted.kind == "Pod"
    v1.delete_collection_namespaced_pod(ns, label_selector="app=x")
    assert [p.metadata.name for p in v1.list_namespaced_pod(ns).items] == ["c"]


def test_self_subject_access_review(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    auth = client.AuthorizationV1Api(bare_api)

    def allowed(verb: str, resource: str, group: str = "", namespace: str = "argocd") -> bool:
        review = auth.create_self_subject_access_review(
            {
                "spec": {
                    "resourceAttributes": {
                        "verb": verb,
                        "resource": resource,
                        "group": group,
                        "namespace": namespace,
                    }
                }
            }
        )
        return bool(review.status.allowed)

    assert allowed("patch", "applications", "argoproj.io")
    bare_sandbox.permissions.deny("patch", "applications")
    assert not allowed("patch", "applications", "argoproj.io")
    assert allowed("get", "applications", "argoproj.io")
    custom = client.CustomObjectsApi(bare_api)
    with pytest.raises(ApiException) as info:  # enforced too
        custom.patch_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", "x", {})
    body = _status(info.value)
    assert body["reason"] == "Forbidden"
    assert body["message"] == (
        'applications.argoproj.io "x" is forbidden: User "raywizard-sandbox" cannot patch '
        'resource "applications" in API group "argoproj.io" in the namespace "argocd"'
    )


def test_events_dedupe_and_field_selectors(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    pod = bare_sandbox.store.create("pods", _pod("p"), namespace=ns)
    for _ in range(3):
        bare_sandbox.store.emit_event(
            namespace=ns, involved=pod, reason="Pulled", message="pulled image", component="kubelet"
        )
    bare_sandbox.store.emit_event(
        namespace=ns, involved=pod, reason="BackOff", message="back-off", type="Warning", component="kubelet"
    )
    events = v1.list_namespaced_event(ns, field_selector="involvedObject.name=p,reason=Pulled").items
    assert len(events) == 1 and events[0].count == 3 and events[0].source.component == "kubelet"
    assert events[0].involved_object.kind == "Pod" and events[0].first_timestamp is not None
    warnings = v1.list_namespaced_event(ns, field_selector="type=Warning").items
    assert [e.reason for e in warnings] == ["BackOff"]


def test_pod_logs(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    pod = _pod("head", **{"ray.io/node-type": "head"})
    pod["spec"]["containers"].append({"name": "autoscaler", "image": "x"})
    bare_sandbox.store.create("pods", pod, namespace=ns)
    with pytest.raises(ApiException) as info:  # two containers: must choose
        v1.read_namespaced_pod_log("head", ns)
    assert info.value.status == 400 and "a container name must be specified" in _status(info.value)["message"]
    with pytest.raises(ApiException) as info:  # pending
        v1.read_namespaced_pod_log("head", ns, container="main")
    assert "is waiting to start: ContainerCreating" in _status(info.value)["message"]
    bare_sandbox.store.patch("pods", ns, "head", {"status": {"phase": "Running"}}, "merge", subresource="status")
    text = v1.read_namespaced_pod_log("head", ns, container="main")
    assert "Ray runtime started." in text
    assert len(v1.read_namespaced_pod_log("head", ns, container="main", tail_lines=2).splitlines()) == 2
    bare_sandbox.set_log_provider(lambda pod, container: [f"{container} line {n}" for n in range(5)])
    try:
        assert v1.read_namespaced_pod_log("head", ns, container="autoscaler", tail_lines=1) == "autoscaler line 4\n"
        stream = v1.read_namespaced_pod_log("head", ns, container="main", follow=True, _preload_content=False)
        first = stream.read(12)
        assert first == b"main line 0\n"
        stream.release_conn()
    finally:
        bare_sandbox.set_log_provider(None)


def test_server_table_output(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    _, table = raw(
        bare_api,
        "GET",
        "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications",
        accept="application/json;as=Table;v=v1;g=meta.k8s.io",
    )
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name",
        "Sync Status",
        "Health Status",
        "Revision",
        "Project",
    ]


def test_method_not_allowed_and_bad_bodies(bare_api: Any) -> None:
    status, doc = raw(bare_api, "POST", "/api/v1/namespaces/default/configmaps/x", {"metadata": {"name": "x"}})
    assert (status, doc["reason"]) == (405, "MethodNotAllowed")
    status, doc = raw(bare_api, "GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    assert status == 405
    status, doc = raw(bare_api, "POST", "/api/v1/namespaces/default/configmaps", "{not json", "application/json")
    assert (status, doc["reason"]) == (400, "BadRequest")
    status, doc = raw(bare_api, "PUT", "/api/v1/namespaces/default/configmaps/a", {"metadata": {"name": "b"}})
    assert status == 400 and "does not match the name on the URL" in doc["message"]
    status, doc = raw(bare_api, "POST", "/api/v1/namespaces/default/configmaps", {"metadata": {}})
    assert status == 422 and "name or generateName is required" in doc["message"]


def test_watch_as_table_for_kubectl_get_w(bare_api: Any) -> None:
    status, text = raw(
        bare_api,
        "GET",
        "/api/v1/namespaces/argocd/configmaps",
        accept="application/json;as=Table;v=v1;g=meta.k8s.io",
        query=[("watch", "1"), ("timeoutSeconds", "1")],
    )
    assert status == 200
    first = text if isinstance(text, dict) else json.loads(text.splitlines()[0])  # one line parses whole
    assert first["type"] == "ADDED" and first["object"]["kind"] == "Table"
    assert first["object"]["rows"][0]["cells"][0] == "argocd-cm"


def test_orphan_propagation_keeps_dependents(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    owner = v1.create_namespaced_config_map(ns, {"metadata": {"name": "owner"}})
    ref = {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner.metadata.uid}
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "child", "ownerReferences": [ref]}})
    v1.delete_namespaced_config_map("owner", ns, propagation_policy="Orphan")
    assert v1.read_namespaced_config_map("child", ns).metadata.owner_references is None
    with pytest.raises(ApiException) as info:
        v1.delete_namespaced_config_map("child", ns, propagation_policy="Sideways")
    assert info.value.status == 422 and "propagationPolicy: Unsupported value" in _status(info.value)["message"]


def test_request_log(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    bare_sandbox.requests.clear()
    v1 = client.CoreV1Api(bare_api)
    v1.patch_namespace("default", {"metadata": {"labels": {"seen": "yes"}}}, field_manager="raywizard")
    with pytest.raises(ApiException):
        v1.read_namespaced_config_map("absent", "default")
    patches = bare_sandbox.requests.find(verb="patch", resource="namespaces")
    assert len(patches) == 1 and patches[0].status == 200 and patches[0].name == "default"
    assert patches[0].query["fieldManager"] == "raywizard"
    assert patches[0].content_type == "application/strategic-merge-patch+json"
    assert json.loads(patches[0].body) == {"metadata": {"labels": {"seen": "yes"}}}
    assert [r.status for r in bare_sandbox.requests.find(verb="get", resource="configmaps")] == [404]


def test_metadata_validation(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    with pytest.raises(ApiException) as info:
        v1.create_namespaced_config_map(ns, {"metadata": {"name": "l", "labels": {"app": "not ok!"}}})
    body = _status(info.value)
    assert info.value.status == 422 and body["details"]["causes"][0]["field"] == "metadata.labels"
    assert body["message"].startswith('ConfigMap "l" is invalid: metadata.labels: Invalid value: "not ok!"')
    v1.create_namespaced_config_map(ns, {"metadata": {"name": "big"}})
    with pytest.raises(ApiException) as info:
        v1.patch_namespaced_config_map("big", ns, {"metadata": {"annotations": {"x": "y" * 262_144}}})
    assert _status(info.value)["message"] == (
        'ConfigMap "big" is invalid: metadata.annotations: Too long: must have at most 262144 bytes'
    )
