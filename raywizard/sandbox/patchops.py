"""Patches: merge, JSON, strategic (approximated) and server-side apply over the write path."""

from __future__ import annotations

import builtins
import json
from typing import Any

from raywizard.sandbox import managedfields, patching, structural
from raywizard.sandbox.registry import ResourceInfo
from raywizard.sandbox.status import (
    ApiError,
    bad_request,
    not_found,
)
from raywizard.sandbox.storecore import CRD_KEY
from raywizard.sandbox.watching import Event, clone, dumps
from raywizard.sandbox.writing import WritingStore


class PatchingStore(WritingStore):
    # ------------------------------------------------------------------ patch
    def patch(
        self,
        resource: str,
        namespace: str | None,
        name: str,
        patch: dict[str, Any] | builtins.list[Any],
        patch_type: str,
        *,
        field_manager: str | None = None,
        force: bool = False,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        result, _ = self.patch_ex(
            resource,
            namespace,
            name,
            patch,
            patch_type,
            field_manager=field_manager,
            force=force,
            subresource=subresource,
            dry_run=dry_run,
        )
        return result

    def patch_ex(
        self,
        resource: str,
        namespace: str | None,
        name: str,
        patch: Any,
        patch_type: str,
        *,
        field_manager: str | None = None,
        force: bool = False,
        subresource: str | None = None,
        dry_run: bool = False,
        version: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Like `patch`, also saying whether the object was created (server-side apply answers 201 then)."""
        info = self.info(resource)
        if patch_type == "apply":
            return self._apply(info, namespace, name, patch, field_manager, force, subresource, dry_run, version)
        manager = field_manager or "sandbox"
        pending: builtins.list[Event] = []
        with self._lock:
            current = self._current(info, namespace, name)
            if current is None:
                raise not_found(info.group, info.plural, name)
            base = current.obj
            if patch_type == "merge":
                if not isinstance(patch, dict):
                    raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
                new = patching.merge_patch(base, patch)
            elif patch_type == "strategic":
                if not isinstance(patch, dict):
                    raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
                new = patching.strategic_merge(base, patch)
            elif patch_type == "json":
                new = patching.json_patch(base, patch)
            else:
                raise bad_request(f"unknown patch type {patch_type!r}")
            if not isinstance(new, dict):
                raise unprocessable_body()
            new_meta = new.setdefault("metadata", {})
            if not isinstance(new_meta, dict):
                raise unprocessable_body()
            if new_meta.get("resourceVersion") == base["metadata"].get("resourceVersion"):
                new_meta.pop("resourceVersion", None)
            new_meta["name"] = name
            result = self._update(info, current, new, subresource, dry_run, manager, version, pending)
        self._dispatch(pending)
        return json.loads(dumps(result)), False

    def _apply(
        self,
        info: ResourceInfo,
        namespace: str | None,
        name: str,
        config: Any,
        manager: str | None,
        force: bool,
        subresource: str | None,
        dry_run: bool,
        version: str | None,
    ) -> tuple[dict[str, Any], bool]:
        if not manager:
            raise ApiError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
                {
                    "group": "meta.k8s.io",
                    "kind": "PatchOptions",
                    "causes": [
                        {
                            "reason": "FieldValueRequired",
                            "message": "Required value: is required for apply patch",
                            "field": "fieldManager",
                        }
                    ],
                },
            )
        if not isinstance(config, dict):
            raise bad_request("error decoding YAML: the applied configuration must be an object")
        meta: dict[str, Any] = config["metadata"] if isinstance(config.get("metadata"), dict) else {}
        if not config.get("apiVersion") or not config.get("kind"):
            raise bad_request(
                "invalid object type: " + (f"/{config.get('apiVersion', '')}, Kind={config.get('kind', '')}")
            )
        if meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        group = str(config["apiVersion"]).rpartition("/")[0]
        if config["kind"] != info.kind or group != info.group:
            raise bad_request(
                f"the kind in the object ({config['apiVersion']}, Kind={config['kind']}) does not match the "
                f"resource ({info.api_version(version)}, Kind={info.kind})"
            )
        self._refuse_undeclared(info, namespace, name, config, version)
        now = self.clock.timestamp()
        pending: builtins.list[Event] = []
        created = False
        with self._lock:
            current = self._current(info, namespace, name)
            with_status = info.status_for(version or info.version)
            scope = True if subresource == "status" else (False if with_status else None)
            if current is None:
                if subresource:
                    raise not_found(info.group, info.plural, name)
                body = clone(config)
                body.setdefault("metadata", {})["name"] = name
                if with_status:
                    body.pop("status", None)
                entry_paths = managedfields.field_set(body, info.builtin, status=scope)
                managed = [
                    {
                        "manager": manager,
                        "operation": "Apply",
                        "apiVersion": info.api_version(version),
                        "time": now,
                        "fieldsType": "FieldsV1",
                        "fieldsV1": managedfields.to_fields_v1(entry_paths),
                    }
                ]
                result = self._create(info, body, namespace, dry_run, manager, version, pending, managed=managed)
                created = True
            else:
                applied = clone(config)
                if with_status and subresource != "status":
                    applied.pop("status", None)
                merged = managedfields.server_side_apply(
                    current.obj,
                    applied,
                    manager=manager,
                    force=force,
                    builtin=info.builtin,
                    api_version=info.api_version(version),
                    now=now,
                    subresource=subresource,
                    status_scope=scope,
                )
                merged["metadata"].pop("resourceVersion", None)
                rv = meta.get("resourceVersion")
                if rv:
                    merged["metadata"]["resourceVersion"] = rv
                result = self._update(
                    info, current, merged, subresource, dry_run, manager, version, pending, applied=True
                )
        self._dispatch(pending)
        return json.loads(dumps(result)), created


    def _refuse_undeclared(
        self, info: ResourceInfo, namespace: str | None, name: str, config: dict[str, Any], version: str | None
    ) -> None:
        """Server-side apply turns the configuration into a typed object first; a field the CRD's structural
        schema does not declare fails that conversion with a plain error, which the apiserver answers as 500
        without a reason (structured-merge-diff's wording, see docs/sandbox-fidelity.md)."""
        if info.builtin:
            return
        crd = self._current(self.info(CRD_KEY), None, f"{info.plural}.{info.group}")
        schema = structural.schema_of(crd.obj if crd else None, version or info.version)
        if schema is None:
            return
        fields = structural.undeclared(config, schema)
        if not fields:
            return
        errors = [f".{field}: field not declared in schema" for field in fields]
        text = errors[0] if len(errors) == 1 else "\n".join(["errors:", *("  " + e for e in errors)])
        where = f"{namespace or ''}/{name}; {info.api_version(version)}, Kind={info.kind}"
        raise ApiError(500, "", f"failed to create typed patch object ({where}): {text}")


def unprocessable_body() -> ApiError:
    return ApiError(422, "Invalid", "the patched object must be a JSON object", {})
