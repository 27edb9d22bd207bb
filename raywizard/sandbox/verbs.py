"""The verbs behind the HTTP routes: get, list, create, update, patch, delete, deletecollection."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from raywizard.sandbox import tables
from raywizard.sandbox.status import ApiError, bad_request, not_found, unsupported_media_type
from raywizard.sandbox.watching import dumps

if TYPE_CHECKING:
    from raywizard.sandbox.exchange import Exchange, Route

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
#: kinds whose DELETE answers with the object; the others answer a Status (as their OpenAPI says)
DELETE_RETURNS_OBJECT = {"pods", "services"}


def parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        if "yaml" in content_type:
            import yaml  # lazily: PyYAML ships with the kubernetes client

            try:
                return yaml.safe_load(raw)
            except yaml.YAMLError as yexc:
                raise bad_request(f"error decoding YAML: {yexc}") from None
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


def truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


def get(handler: Exchange, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
    store = handler.api.cluster.store
    assert route.name is not None
    if route.subresource == "log":
        from raywizard.sandbox.logstream import serve_log

        serve_log(handler, route, query)
        return
    raw = store.get_raw(route.info.key, route.namespace, route.name)
    if raw is None:
        raise not_found(route.info.group, route.info.plural, route.name)
    raw = handler._out(route, raw)
    if tables.wants_table(handler.headers.get("Accept", "")):
        handler._send_json(
            200,
            tables.table(
                route.info,
                [json.loads(raw)],
                None,
                single=True,
                include_object=query.get("includeObject", "PartialObjectMetadata"),
            ),
        )
        return
    handler._send(200, raw)


def list(handler: Exchange, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
    store = handler.api.cluster.store
    limit = int(query["limit"]) if query.get("limit", "").isdigit() else None
    rv, raws, token, remaining = store.list_raw(
        route.info.key,
        route.namespace,
        query.get("labelSelector"),
        query.get("fieldSelector"),
        limit,
        query.get("continue"),
    )
    if not route.info.builtin and route.version != route.info.version:
        raws = [handler._out(route, r) for r in raws]
    if tables.wants_table(handler.headers.get("Accept", "")):
        items = [json.loads(r) for r in raws]
        include = query.get("includeObject", "PartialObjectMetadata")
        handler._send_json(200, tables.table(route.info, items, str(rv), continue_token=token, include_object=include))
        return
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if token:
        meta["continue"] = token
        if remaining is not None:
            meta["remainingItemCount"] = remaining
    head = {
        "kind": route.info.list_kind,
        "apiVersion": route.info.api_version(route.version),
        "metadata": meta,
    }
    handler._send(200, dumps(head)[:-1] + b',"items":[' + b",".join(raws) + b"]}")


def create(handler: Exchange, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
    obj = parse_body(body, handler.headers.get("Content-Type", ""))
    if not isinstance(obj, dict):
        raise bad_request("the body of the request must be a JSON object")
    result = handler.api.cluster.store.create(
        route.info.key,
        obj,
        namespace=route.namespace,
        dry_run=dry_run,
        field_manager=handler._field_manager(query),
        version=route.version,
    )
    handler._send_object(201, route, result)


def update(handler: Exchange, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
    obj = parse_body(body, handler.headers.get("Content-Type", ""))
    if not isinstance(obj, dict):
        raise bad_request("the body of the request must be a JSON object")
    result = handler.api.cluster.store.update(
        route.info.key,
        obj,
        subresource=route.subresource,
        dry_run=dry_run,
        field_manager=handler._field_manager(query),
        namespace=route.namespace,
        name=route.name,
        version=route.version,
    )
    handler._send_object(200, route, result)


def patch(handler: Exchange, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
    content_type = handler.headers.get("Content-Type", "").split(";")[0].strip()
    patch_type = PATCH_TYPES.get(content_type)
    accepted = [t for t in PATCH_TYPES if route.info.builtin or PATCH_TYPES[t] != "strategic"]
    if patch_type is None or content_type not in accepted:
        raise unsupported_media_type(content_type, accepted)
    patch = parse_body(body, content_type)
    if patch is None:
        raise bad_request("the body of the request must not be empty")
    force = truthy(query.get("force"))
    if "force" in query and patch_type != "apply":
        raise ApiError(
            422,
            "Invalid",
            'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
            {
                "group": "meta.k8s.io",
                "kind": "PatchOptions",
                "causes": [
                    {
                        "reason": "FieldValueForbidden",
                        "message": "Forbidden: may not be specified for non-apply patch",
                        "field": "force",
                    }
                ],
            },
        )
    manager = query.get("fieldManager") if patch_type == "apply" else handler._field_manager(query)
    assert route.name is not None
    result, created = handler.api.cluster.store.patch_ex(
        route.info.key,
        route.namespace,
        route.name,
        patch,
        patch_type,
        field_manager=manager,
        force=force,
        subresource=route.subresource,
        dry_run=dry_run,
        version=route.version,
    )
    handler._send_object(201 if created else 200, route, result)


def delete(handler: Exchange, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
    options = parse_body(body, "application/json") or {}
    if isinstance(options, dict) and "All" in (options.get("dryRun") or []):
        dry_run = True
    assert route.name is not None
    result = handler.api.cluster.store.delete(
        route.info.key,
        route.namespace,
        route.name,
        dry_run=dry_run,
        propagation_policy=query.get("propagationPolicy") or (options or {}).get("propagationPolicy"),
        preconditions=(options or {}).get("preconditions"),
    )
    assert result is not None
    meta = result.get("metadata") or {}
    if route.info.key in DELETE_RETURNS_OBJECT or meta.get("deletionTimestamp"):
        handler._send_object(200, route, result)
        return
    details: dict[str, Any] = {
        "name": meta.get("name", route.name),
        "kind": route.info.plural,
        "uid": meta.get("uid", ""),
    }
    if route.info.group:
        details = {
            "name": details["name"],
            "group": route.info.group,
            "kind": route.info.plural,
            "uid": details["uid"],
        }
    handler._send_json(
        200,
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details},
    )


def deletecollection(handler: Exchange, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
    store = handler.api.cluster.store
    items = store.delete_collection(
        route.info.key,
        route.namespace,
        query.get("labelSelector"),
        query.get("fieldSelector"),
        dry_run=dry_run,
    )
    handler._send_json(
        200,
        {
            "kind": route.info.list_kind,
            "apiVersion": route.info.api_version(route.version),
            "metadata": {"resourceVersion": str(store.resource_version)},
            "items": items,
        },
    )
