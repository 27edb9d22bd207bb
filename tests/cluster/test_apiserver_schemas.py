"""Structural schemas of RayCluster (ray.io/v1) and Application as the real API server applies them.

Through the real kubectl and the real client: type errors are 422 naming the field, unknown fields are pruned
(a Warning under fieldValidation=Warn, 400 under Strict), defaults are set, and server-side apply refuses
undeclared fields (see docs/sandbox-fidelity.md).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from subprocess import CompletedProcess
from typing import Any

import pytest

from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.test_apiserver import raw

pytestmark = pytest.mark.kubectl
Kubectl = Callable[..., CompletedProcess[str]]
CRDS = "customresourcedefinitions.apiextensions.k8s.io"


@pytest.fixture
def namespace(bare_sandbox: SandboxCluster) -> str:
    from raywizard.sandbox.controllers.crds import kuberay_crds

    for crd in kuberay_crds("v1.5.1"):
        if bare_sandbox.store.get(CRDS, None, crd["metadata"]["name"]) is None:
            bare_sandbox.store.create(CRDS, crd)
    name = f"s-{uuid.uuid4().hex[:6]}"
    bare_sandbox.store.create("namespaces", {"metadata": {"name": name}})
    return name


def _raycluster(name: str, namespace: str, **worker: Any) -> dict[str, Any]:
    container = {"name": "ray-worker", "image": "rayproject/ray:2.46.0"}
    group = {
        "groupName": "workers",
        "minReplicas": 0,
        "maxReplicas": 4,
        "rayStartParams": {},
        "template": {"spec": {"containers": [container]}},
        **worker,
    }
    head = {
        "name": "ray-head",
        "image": "rayproject/ray:2.46.0",
        "ports": [{"containerPort": 8265, "name": "dashboard"}],
    }
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head]}}},
            "workerGroupSpecs": [group],
        },
    }


def test_wrong_types_are_422_naming_each_field(kubectl: Kubectl, namespace: str) -> None:
    body = _raycluster("bad", namespace, replicas="one")
    body["spec"]["headGroupSpec"]["rayStartParams"]["num-cpus"] = 0
    done = kubectl("create", "--validate=false", "-f", "-", input=json.dumps(body), check=False)
    assert done.returncode == 1
    assert 'The RayCluster "bad" is invalid' in done.stderr
    assert (
        'spec.workerGroupSpecs[0].replicas: Invalid value: "string": '
        'spec.workerGroupSpecs[0].replicas in body must be of type integer: "string"'
    ) in done.stderr
    assert 'spec.headGroupSpec.rayStartParams.num-cpus: Invalid value: "integer"' in done.stderr
    assert "must be of type string" in done.stderr
    empty = {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "empty"}, "spec": {}}
    missing = kubectl("create", "-n", namespace, "--validate=false", "-f", "-", input=json.dumps(empty), check=False)
    assert missing.returncode == 1 and "spec.headGroupSpec: Required value" in missing.stderr
    assert "bad" not in kubectl("get", "rayclusters", "-n", namespace, "-o", "name").stdout


def _create(api: Any, body: dict[str, Any], field_validation: str | None = None) -> tuple[int, Any, list[str]]:
    """POST through the client's transport: (status, parsed body, Warning headers)."""
    plural = "rayclusters" if body["kind"] == "RayCluster" else "applications"
    group_version = body["apiVersion"]
    path = f"/apis/{group_version}/namespaces/{body['metadata']['namespace']}/{plural}"
    query = [("fieldValidation", field_validation)] if field_validation else []
    m, url, headers, data, _ = api.param_serialize(
        "POST",
        path,
        query_params=query,
        header_params={"Content-Type": "application/json", "Accept": "application/json"},
        body=body,
        auth_settings=["BearerToken"],
    )
    response = api.call_api(m, url, header_params=headers, body=data)
    response.read()
    warnings = response.response.headers.get_all("Warning") or []
    return response.status, json.loads(response.data.decode()), warnings


def test_unknown_fields_are_pruned_with_a_warning_and_defaults_are_set(
    kubectl: Kubectl, namespace: str, bare_api: Any
) -> None:
    body = _raycluster("pruned", namespace)
    body["spec"]["bogusField"] = 1
    body["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["colour"] = "red"
    code, _, warnings = _create(bare_api, body)  # no fieldValidation: Warn
    assert code == 201
    assert sorted(warnings) == [
        '299 - "unknown field \\"spec.bogusField\\""',
        '299 - "unknown field \\"spec.workerGroupSpecs[0].template.spec.containers[0].colour\\""',
    ]
    live = json.loads(kubectl("get", "raycluster", "pruned", "-n", namespace, "-o", "json").stdout)
    spec = live["spec"]
    assert "bogusField" not in spec and "colour" not in spec["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]
    group = spec["workerGroupSpecs"][0]
    assert (group["numOfHosts"], group["replicas"], group["minReplicas"]) == (1, 0, 0)
    head_port = spec["headGroupSpec"]["template"]["spec"]["containers"][0]["ports"][0]
    assert head_port == {"containerPort": 8265, "name": "dashboard", "protocol": "TCP"}
    # --validate=false is fieldValidation=Ignore: pruned without a word
    quiet = _raycluster("quiet", namespace)
    quiet["spec"]["bogusField"] = 1
    silent = kubectl("create", "--validate=false", "-f", "-", input=json.dumps(quiet))
    assert "Warning" not in silent.stderr
    assert "bogusField" not in kubectl("get", "raycluster", "quiet", "-n", namespace, "-o", "json").stdout


def test_strict_field_validation_refuses_unknown_fields(kubectl: Kubectl, namespace: str, bare_api: Any) -> None:
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": f"typo-{namespace}", "namespace": "argocd"},
        "spec": {
            "project": "default",
            "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
            "source": {"repoURL": "https://ray-project.github.io/kuberay-helm/", "targetRevison": "1.5.1"},
        },
    }
    code, status, _ = _create(bare_api, app, "Strict")
    assert code == 400 and status["reason"] == "BadRequest"
    assert status["message"] == (
        'Application in version "v1alpha1" cannot be handled as a Application: strict decoding error: '
        'unknown field "spec.source.targetRevison"'
    )
    # A patch under Strict reports the decoding error alone (400).
    kubectl("create", "--validate=false", "-f", "-", input=json.dumps(_raycluster("strict", namespace)))
    path = f"/apis/ray.io/v1/namespaces/{namespace}/rayclusters/strict"
    patch = {"spec": {"nope": True}}
    strict = [("fieldValidation", "Strict")]
    code, status = raw(bare_api, "PATCH", path, patch, "application/merge-patch+json", query=strict)
    assert code == 400 and status["message"] == 'strict decoding error: unknown field "spec.nope"'
    code, _ = raw(bare_api, "PATCH", path, patch, "application/merge-patch+json")
    assert code == 200  # the default (Warn) prunes it


def test_server_side_apply_refuses_undeclared_fields(kubectl: Kubectl, namespace: str) -> None:
    body = _raycluster("applied", namespace)
    body["spec"]["workerGroupSpecs"][0]["bogus"] = True
    done = kubectl("apply", "--server-side", "--validate=false", "-f", "-", input=json.dumps(body), check=False)
    assert done.returncode == 1
    assert (
        f"failed to create typed patch object ({namespace}/applied; ray.io/v1, Kind=RayCluster): "
        ".spec.workerGroupSpecs[0].bogus: field not declared in schema"
    ) in done.stderr
    del body["spec"]["workerGroupSpecs"][0]["bogus"]
    applied = kubectl("apply", "--server-side", "--validate=false", "-f", "-", input=json.dumps(body))
    assert "serverside-applied" in applied.stdout
