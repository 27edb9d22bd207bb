"""Real kubectl against the sandbox: get (tables), -l, apply (client- and server-side), delete, logs, errors."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from subprocess import CompletedProcess
from typing import Any

import pytest

from raywizard.sandbox.cluster import SandboxCluster

pytestmark = pytest.mark.kubectl
Kubectl = Callable[..., CompletedProcess[str]]


def _manifest(ns: str) -> str:
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: {ns}
  labels: {{app: ray, tier: head}}
data:
  a: "1"
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: app-{ns}
  namespace: argocd
spec:
  project: default
  source: {{repoURL: "https://ray-project.github.io/kuberay-helm/", chart: ray-cluster, targetRevision: 1.5.1}}
  destination: {{server: "https://kubernetes.default.svc", namespace: {ns}}}
"""


def test_get_tables_and_selectors(kubectl: Kubectl, bare_sandbox: SandboxCluster) -> None:
    out = kubectl("get", "namespaces").stdout
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    assert "argocd" in out and "Active" in out
    assert "sandbox-node-1" in kubectl("get", "nodes").stdout
    ns = f"k-{uuid.uuid4().hex[:6]}"
    bare_sandbox.store.create("namespaces", {"metadata": {"name": ns}})
    for name, role in (("head", "head"), ("w1", "worker")):
        bare_sandbox.store.create(
            "pods",
            {
                "metadata": {"name": name, "labels": {"app": "ray", "role": role, "case": ns}},
                "spec": {"containers": [{"name": "c", "image": "i"}]},
            },
            namespace=ns,
        )
    table = kubectl("get", "pods", "-n", ns).stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert table[1].split()[:3] == ["head", "0/1", "Pending"]
    assert kubectl("get", "pods", "-n", ns, "-l", "role=worker", "-o", "name").stdout.split() == ["pod/w1"]
    assert kubectl("get", "po", "-A", "-l", f"role in (head),case={ns}", "-o", "name").stdout.split() == ["pod/head"]
    as_json = json.loads(kubectl("get", "pods", "-n", ns, "-o", "json").stdout)
    assert as_json["kind"] == "List" and len(as_json["items"]) == 2
    missing = kubectl("get", "pod", "nope", "-n", ns, check=False)
    assert missing.returncode == 1 and 'pods "nope" not found' in missing.stderr
    unknown = kubectl("get", "rayclusters", check=False)
    assert unknown.returncode == 1 and "doesn't have a resource type" in unknown.stderr


def test_apply_client_side_server_side_and_delete(kubectl: Kubectl, bare_sandbox: SandboxCluster) -> None:
    ns = f"k-{uuid.uuid4().hex[:6]}"
    manifest = _manifest(ns)
    first = kubectl("apply", "--validate=false", "-f", "-", input=manifest).stdout
    assert f"namespace/{ns} created" in first and "configmap/settings created" in first
    assert f"application.argoproj.io/app-{ns} created" in first
    again = kubectl("apply", "--validate=false", "-f", "-", input=manifest).stdout
    assert "configmap/settings unchanged" in again
    changed = manifest.replace('a: "1"', 'a: "2"')
    assert "configmap/settings configured" in kubectl("apply", "--validate=false", "-f", "-", input=changed).stdout
    server_side = kubectl("apply", "--server-side", "--validate=false", "-f", "-", input=changed).stdout
    assert "configmap/settings serverside-applied" in server_side
    cm = bare_sandbox.store.get("configmaps", ns, "settings")
    assert cm is not None and cm["data"] == {"a": "2"}
    assert {e["manager"] for e in cm["metadata"]["managedFields"]} >= {"kubectl-client-side-apply", "kubectl"}
    conflict = kubectl(
        "apply",
        "--server-side",
        "--validate=false",
        "--field-manager=other",
        "-f",
        "-",
        input=changed.replace('a: "2"', 'a: "3"'),
        check=False,
    )
    assert conflict.returncode != 0 and "conflict" in conflict.stderr.lower()
    forced = kubectl(
        "apply",
        "--server-side",
        "--force-conflicts",
        "--validate=false",
        "--field-manager=other",
        "-f",
        "-",
        input=changed.replace('a: "2"', 'a: "3"'),
    )
    assert forced.returncode == 0
    apps = kubectl("get", "applications", "-n", "argocd").stdout.splitlines()
    assert apps[0].split() == ["NAME", "SYNC", "STATUS", "HEALTH", "STATUS"]
    deleted = kubectl("delete", "--wait=false", "-f", "-", input=changed).stdout
    assert 'configmap "settings" deleted' in deleted
    assert bare_sandbox.store.get("applications.argoproj.io", "argocd", f"app-{ns}") is None


def test_logs_and_label_delete(kubectl: Kubectl, bare_sandbox: SandboxCluster) -> None:
    ns = f"k-{uuid.uuid4().hex[:6]}"
    store = bare_sandbox.store
    store.create("namespaces", {"metadata": {"name": ns}})
    pod: dict[str, Any] = {
        "metadata": {"name": "head", "labels": {"ray.io/node-type": "head"}},
        "spec": {"containers": [{"name": "ray-head", "image": "i"}]},
    }
    store.create("pods", pod, namespace=ns)
    store.patch("pods", ns, "head", {"status": {"phase": "Running"}}, "merge", subresource="status")
    assert "Ray runtime started." in kubectl("logs", "head", "-n", ns).stdout
    assert len(kubectl("logs", "head", "-n", ns, "--tail=1").stdout.splitlines()) == 1
    assert 'pod "head" deleted' in kubectl("delete", "pods", "-n", ns, "-l", "ray.io/node-type=head").stdout
    assert store.list("pods", ns) == []
