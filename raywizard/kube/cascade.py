"""What deleting an Application with cascade removes, counted before anyone confirms.

With Argo CD's resources finalizer, deleting an Application deletes every resource in its ``status.resources``
(docs/domain/argocd.md#application-status). Two of those reach further than the Application's own namespace:
- a CustomResourceDefinition: the API server then deletes every object of that type in every namespace
  (docs/domain/kubernetes-client.md#deleting-a-crd), so the CRDs Application takes every RayCluster, RayJob and
  RayService of the whole cluster with it: they are counted here, per type;
- a RayCluster: KubeRay's pods go with it (owner references): counted by the ``ray.io/cluster`` label.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from raywizard.kube.connection import Connection
from raywizard.kube.error_translation import api_errors, is_api_exception
from raywizard.kube.resources import APPLICATIONS, get_custom

CRD_KIND = "CustomResourceDefinition"
PAGE = 500


@dataclass(frozen=True)
class CustomResourceCount:
    """The objects a deleted CRD takes with it, across all namespaces."""

    crd: str
    kind: str
    count: int
    examples: tuple[str, ...] = ()  # namespace/name of the first few
    error: str = ""  # why they could not be counted


@dataclass(frozen=True)
class CascadePlan:
    namespace: str
    name: str
    exists: bool
    resources: tuple[tuple[str, str, str], ...] = ()  # (kind, namespace, name) from status.resources
    custom_resources: tuple[CustomResourceCount, ...] = ()
    pods: dict[str, int] = field(default_factory=dict)  # RayCluster namespace/name -> its pods

    @property
    def removes_crds(self) -> bool:
        return any(kind == CRD_KIND for kind, _, _ in self.resources)

    @property
    def custom_resource_total(self) -> int:
        return sum(c.count for c in self.custom_resources)

    def lines(self, *, cascade: bool = True) -> list[str]:
        """What the confirmation says, one line each (plain text: the caller shows it literally)."""
        where = f"Application {self.namespace}/{self.name}"
        if not self.exists:
            return [f"{where}: not present"]
        if not cascade:
            return [f"{where}: only the Application; what it deployed keeps running"]
        if not self.resources:
            return [f"{where}: Argo CD lists no resources for it (status.resources is empty)"]
        out = [f"{where} and the {len(self.resources)} resource(s) Argo CD deployed for it:"]
        for kind, namespace, name in self.resources:
            text = f"  {kind} {namespace + '/' if namespace else ''}{name}"
            if kind == "RayCluster" and f"{namespace}/{name}" in self.pods:
                text += f" with its {self.pods[f'{namespace}/{name}']} pod(s)"
            out.append(text)
        for counted in self.custom_resources:
            if counted.error:
                out.append(f"  deleting {counted.crd} also deletes every {counted.kind} in the cluster "
                           f"(not counted: {counted.error})")
                continue
            text = f"  deleting {counted.crd} also deletes every {counted.kind} in the cluster: {counted.count}"
            if counted.examples:
                more = counted.count - len(counted.examples)
                text += f" ({', '.join(counted.examples)}{f', and {more} more' if more > 0 else ''})"
            out.append(text)
        return out


def cascade_plan(conn: Connection, namespace: str, name: str) -> CascadePlan:
    app = get_custom(conn, APPLICATIONS, namespace, name)
    if app is None:
        return CascadePlan(namespace, name, exists=False)
    found = []
    for res in (app.get("status") or {}).get("resources") or []:
        found.append((str(res.get("kind") or ""), str(res.get("namespace") or ""), str(res.get("name") or "")))
    counts = tuple(_count_custom_resources(conn, crd) for kind, _, crd in found if kind == CRD_KIND)
    pods = {f"{ns}/{rc}": _count_pods(conn, ns, rc) for kind, ns, rc in found if kind == "RayCluster" and ns}
    return CascadePlan(namespace, name, exists=True, resources=tuple(found), custom_resources=counts, pods=pods)


def _count_custom_resources(conn: Connection, crd_name: str) -> CustomResourceCount:
    from kubernetes import client

    extensions = client.ApiextensionsV1Api(conn.api_client)
    try:
        with api_errors(f"read CustomResourceDefinition {crd_name}", conn.server_url):
            response: Any = extensions.read_custom_resource_definition(
                crd_name, _preload_content=False, _request_timeout=conn.request_timeout
            )
            crd = json.loads(response.data)
    except Exception as exc:
        if is_api_exception(exc, 404) or "not found" in str(exc).lower():
            return CustomResourceCount(crd_name, crd_name.split(".", 1)[0], 0)
        return CustomResourceCount(crd_name, crd_name.split(".", 1)[0], 0, error=str(exc).splitlines()[0])
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or [] if v.get("served")]
    version = next((v["name"] for v in versions if v.get("storage")), versions[0]["name"] if versions else "v1")
    kind, plural, group = str(names.get("kind") or crd_name), str(names.get("plural") or ""), str(spec.get("group"))
    custom = client.CustomObjectsApi(conn.api_client)
    count, token = 0, None
    examples: list[str] = []
    try:
        with api_errors(f"list {plural}.{group} in all namespaces", conn.server_url):
            while True:
                query: dict[str, Any] = {"limit": PAGE}
                if token:
                    query["_continue"] = token
                page: Any = custom.list_cluster_custom_object(
                    group, version, plural, _preload_content=False, _request_timeout=conn.request_timeout, **query
                )
                body = json.loads(page.data)
                items = body.get("items") or []
                count += len(items)
                for item in items[: max(0, 3 - len(examples))]:
                    meta = item.get("metadata") or {}
                    examples.append(f"{meta.get('namespace', '')}/{meta.get('name', '')}".lstrip("/"))
                token = (body.get("metadata") or {}).get("continue")
                if not token:
                    break
    except Exception as exc:
        return CustomResourceCount(crd_name, kind, count, tuple(examples), error=str(exc).splitlines()[0])
    return CustomResourceCount(crd_name, kind, count, tuple(examples))


def _count_pods(conn: Connection, namespace: str, raycluster: str) -> int:
    from raywizard.kube.resources import list_pods

    try:
        return len(list_pods(conn, namespace, label_selector=f"ray.io/cluster={raycluster}"))
    except Exception:  # the count is a courtesy: the plan stands without it
        return 0


def delete_application(conn: Connection, namespace: str, name: str, *, cascade: bool = True) -> bool:
    """Delete one Application (with Argo CD's resources finalizer when ``cascade``); False when it was gone."""
    from raywizard.kube.operations import ensure_cascade_finalizer
    from raywizard.kube.resources import delete_custom

    app = get_custom(conn, APPLICATIONS, namespace, name)
    if app is None:
        return False
    if cascade:
        ensure_cascade_finalizer(conn, app)
    return delete_custom(conn, APPLICATIONS, namespace, name)
