"""Raw-JSON access to the few resources raywizard reads and writes.

All calls pass ``_preload_content=False`` and parse the body ourselves: it is faster than the client's model
deserialisation and it sidesteps the client's status-code mapping (server-side apply that *creates* an object
answers 201, which ``patch_namespaced_custom_object`` maps to ``None``; docs/domain/kubernetes-client.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from raywizard.kube.connection import Connection
from raywizard.kube.error_translation import api_errors, is_api_exception, with_retries

FIELD_MANAGER = "raywizard"
APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


@dataclass(frozen=True)
class CustomResource:
    group: str
    version: str
    plural: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


APPLICATIONS = CustomResource("argoproj.io", "v1alpha1", "applications", "Application")
RAYCLUSTERS = CustomResource("ray.io", "v1", "rayclusters", "RayCluster")


def _custom_api(conn: Connection) -> Any:
    from kubernetes import client

    return client.CustomObjectsApi(conn.api_client)


def _core_api(conn: Connection) -> Any:
    from kubernetes import client

    return client.CoreV1Api(conn.api_client)


def _json(response: Any) -> dict[str, Any]:
    data = response.data
    try:
        return json.loads(data) if data else {}
    finally:
        response.release_conn()


def get_custom(conn: Connection, res: CustomResource, namespace: str, name: str) -> dict[str, Any] | None:
    """The object, or None when it (or its CRD) does not exist."""
    with api_errors(f"get {res.kind} {namespace}/{name}", conn.server_url):
        try:
            response = with_retries(_custom_api(conn).get_namespaced_custom_object,
                res.group,
                res.version,
                namespace,
                res.plural,
                name,
                _preload_content=False,
                _request_timeout=conn.request_timeout,
            )
        except Exception as exc:
            if is_api_exception(exc, 404):
                return None
            raise
        return _json(response)


def list_custom(conn: Connection, res: CustomResource, namespace: str, **query: Any) -> dict[str, Any]:
    with api_errors(f"list {res.plural} in {namespace}", conn.server_url):
        response = with_retries(_custom_api(conn).list_namespaced_custom_object,
            res.group,
            res.version,
            namespace,
            res.plural,
            _preload_content=False,
            _request_timeout=conn.request_timeout,
            **query,
        )
        return _json(response)


def server_side_apply(
    conn: Connection, res: CustomResource, body: dict[str, Any], *, dry_run: bool = False, force: bool = False
) -> tuple[int, dict[str, Any]]:
    """Server-side apply ``body`` with field manager ``raywizard``; (HTTP status, resulting object).

    Raises the client's ApiException (409 lists the conflicting managers and fields) for the caller to
    explain.
    """
    meta = body["metadata"]
    kwargs: dict[str, Any] = {"field_manager": FIELD_MANAGER, "force": force}
    if dry_run:
        kwargs["dry_run"] = "All"
    response = with_retries(_custom_api(conn).patch_namespaced_custom_object,
        res.group,
        res.version,
        meta["namespace"],
        res.plural,
        meta["name"],
        body,
        _content_type=APPLY_PATCH,
        _preload_content=False,
        _request_timeout=conn.request_timeout,
        **kwargs,
    )
    status = int(response.status)
    return status, _json(response)


def patch_custom(
    conn: Connection,
    res: CustomResource,
    namespace: str,
    name: str,
    patch: Any,
    *,
    content_type: str = MERGE_PATCH,
) -> dict[str, Any]:
    with api_errors(f"patch {res.kind} {namespace}/{name}", conn.server_url):
        response = with_retries(_custom_api(conn).patch_namespaced_custom_object,
            res.group,
            res.version,
            namespace,
            res.plural,
            name,
            patch,
            _content_type=content_type,
            _preload_content=False,
            _request_timeout=conn.request_timeout,
        )
        return _json(response)


def delete_custom(conn: Connection, res: CustomResource, namespace: str, name: str) -> bool:
    """Delete (foreground is Argo CD's finalizer's job); False when it was already gone."""
    with api_errors(f"delete {res.kind} {namespace}/{name}", conn.server_url):
        try:
            response = with_retries(_custom_api(conn).delete_namespaced_custom_object,
                res.group,
                res.version,
                namespace,
                res.plural,
                name,
                _preload_content=False,
                _request_timeout=conn.request_timeout,
            )
        except Exception as exc:
            if is_api_exception(exc, 404):
                return False
            raise
        response.release_conn()
        return True


def list_pods(conn: Connection, namespace: str, label_selector: str = "") -> list[dict[str, Any]]:
    with api_errors(f"list pods in {namespace}", conn.server_url):
        response = with_retries(_core_api(conn).list_namespaced_pod,
            namespace,
            label_selector=label_selector or None,
            _preload_content=False,
            _request_timeout=conn.request_timeout,
        )
        return list(_json(response).get("items") or [])


def list_events(conn: Connection, namespace: str) -> list[dict[str, Any]]:
    with api_errors(f"list events in {namespace}", conn.server_url):
        response = with_retries(_core_api(conn).list_namespaced_event,
            namespace, _preload_content=False, _request_timeout=conn.request_timeout
        )
        return list(_json(response).get("items") or [])


def get_namespace(conn: Connection, name: str) -> dict[str, Any] | None:
    with api_errors(f"get namespace {name}", conn.server_url):
        try:
            response = with_retries(_core_api(conn).read_namespace,
                name, _preload_content=False, _request_timeout=conn.request_timeout
            )
        except Exception as exc:
            if is_api_exception(exc, 404):
                return None
            raise
        return _json(response)


def get_pod(conn: Connection, namespace: str, name: str) -> dict[str, Any] | None:
    """The whole pod (a watching dashboard keeps only compact records: ``pod_record``); None when gone."""
    with api_errors(f"get pod {namespace}/{name}", conn.server_url):
        try:
            response = with_retries(_core_api(conn).read_namespaced_pod,
                name, namespace, _preload_content=False, _request_timeout=conn.request_timeout
            )
        except Exception as exc:
            if is_api_exception(exc, 404):
                return None
            raise
        return _json(response)
