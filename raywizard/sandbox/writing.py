"""Create and update: defaulting, validation, status isolation, generation, managedFields."""

from __future__ import annotations

import builtins
import json
import uuid
from typing import Any

from raywizard.sandbox import defaults, managedfields, structural
from raywizard.sandbox.deletion import DeletingStore
from raywizard.sandbox.registry import ResourceInfo, info_from_crd
from raywizard.sandbox.status import (
    STALE,
    ApiError,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
)
from raywizard.sandbox.storecore import _NAME_CHARS, CRD_KEY, SSAR_KEY, _Stored
from raywizard.sandbox.watching import Event, clone, dumps


class WritingStore(DeletingStore):
    # ------------------------------------------------------------------ create
    def create(
        self,
        resource: str,
        obj: dict[str, Any],
        *,
        namespace: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any]:
        info = self.info(resource)
        if info.key == SSAR_KEY:
            return self._access_review(obj)
        pending: builtins.list[Event] = []
        with self._lock:
            result = self._create(info, obj, namespace, dry_run, field_manager or "sandbox", version, pending)
        self._dispatch(pending)
        return clone(result) if dry_run else json.loads(dumps(result))

    def _create(
        self,
        info: ResourceInfo,
        obj: dict[str, Any],
        namespace: str | None,
        dry_run: bool,
        manager: str,
        version: str | None,
        pending: builtins.list[Event],
        *,
        operation: str = "Update",
        managed: builtins.list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be an object")
        obj = clone(obj)
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            meta = obj["metadata"] = {}
        for transient in (
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "deletionTimestamp",
            "generation",
            "managedFields",
            "selfLink",
            "deletionGracePeriodSeconds",
        ):
            meta.pop(transient, None)
        ns_obj: _Stored | None = None
        if info.namespaced:
            body_ns = meta.get("namespace")
            if namespace and body_ns and body_ns != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            ns = namespace or body_ns or "default"
            meta["namespace"] = ns
            ns_obj = self._current(self.info("namespaces"), None, ns)
            if ns_obj is None:
                raise not_found("", "namespaces", ns)
        else:
            meta.pop("namespace", None)
            ns = ""
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(
                    _NAME_CHARS[b % len(_NAME_CHARS)] for b in uuid.uuid4().bytes[:5]
                )
            else:
                raise invalid(
                    info.group,
                    info.kind,
                    "",
                    [
                        (
                            "metadata.name",
                            "FieldValueRequired",
                            "Required value: name or generateName is required",
                        )
                    ],
                )
        name = meta["name"]
        defaults.validate_name(info, name)
        defaults.validate_metadata(info, obj)
        if info.namespaced and ns_obj is not None and ns_obj.obj["metadata"].get("deletionTimestamp"):
            raise ApiError(
                403,
                "Forbidden",
                f'{info.qualified()} "{name}" is forbidden: unable to create new '
                f"content in namespace {ns} because it is being terminated",
                {"name": name, "kind": info.plural, **({"group": info.group} if info.group else {})},
            )
        if self._current(info, ns, name) is not None:
            raise already_exists(info.group, info.plural, name)
        obj["apiVersion"] = info.api_version()  # stored in the storage version; HTTP converts on the way out
        obj["kind"] = info.kind
        if info.status_for(version or info.version):
            obj.pop("status", None)
        defaults.apply_create_defaults(info, obj)
        self._admit_custom(info, obj, version)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = self.clock.timestamp()
        if "spec" in obj or not info.builtin:
            meta["generation"] = 1
        if managed is not None:
            meta["managedFields"] = managed
        else:
            managedfields.record_update(
                None,
                obj,
                manager=manager,
                builtin=info.builtin,
                api_version=obj["apiVersion"],
                now=meta["creationTimestamp"],
                subresource=None,
                operation=operation,
            )
        if info.key == CRD_KEY:
            obj["status"] = defaults.crd_status(obj, meta["creationTimestamp"])
        if dry_run:
            return obj
        result = self._commit(info, "ADDED", obj, None, pending)
        if info.key == CRD_KEY:
            self.registry.add(info_from_crd(obj))
        return result

    # ------------------------------------------------------------------ update
    def update(
        self,
        resource: str,
        obj: dict[str, Any],
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any]:
        info = self.info(resource)
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be an object")
        meta = obj.get("metadata") or {}
        name = name or meta.get("name")
        if not name:
            raise invalid(
                info.group,
                info.kind,
                "",
                [("metadata.name", "FieldValueRequired", "Required value: name is required")],
            )
        if meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        ns = namespace or meta.get("namespace")
        if namespace and meta.get("namespace") and meta["namespace"] != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        pending: builtins.list[Event] = []
        with self._lock:
            current = self._current(info, ns, name)
            if current is None:
                raise not_found(info.group, info.plural, name)
            result = self._update(
                info, current, obj, subresource, dry_run, field_manager or "sandbox", version, pending
            )
        self._dispatch(pending)
        return json.loads(dumps(result))

    def _update(
        self,
        info: ResourceInfo,
        current: _Stored,
        obj: dict[str, Any],
        subresource: str | None,
        dry_run: bool,
        manager: str,
        version: str | None,
        pending: builtins.list[Event],
        *,
        applied: bool = False,
    ) -> dict[str, Any]:
        old = current.obj
        old_meta = old["metadata"]
        body_meta = obj.get("metadata") or {}
        rv = body_meta.get("resourceVersion")
        if rv and str(rv) != str(current.rv):
            raise conflict(info.group, info.plural, old_meta["name"], STALE)
        if body_meta.get("uid") and body_meta["uid"] != old_meta.get("uid"):
            raise conflict(
                info.group,
                info.plural,
                old_meta["name"],
                f"Precondition failed: UID in precondition: {body_meta['uid']}, UID in object meta: "
                f"{old_meta.get('uid')}",
            )
        with_status = info.status_for(version or info.version)
        if with_status and subresource == "status":
            new = clone(old)
            if "status" in obj:
                new["status"] = clone(obj["status"])
            else:
                new.pop("status", None)
            if applied:
                new["metadata"]["managedFields"] = clone(body_meta.get("managedFields") or [])
        else:
            new = clone(obj)
            new_meta = new.get("metadata")
            if not isinstance(new_meta, dict):
                new_meta = new["metadata"] = {}
            if with_status:
                if "status" in old:
                    new["status"] = clone(old["status"])
                else:
                    new.pop("status", None)
            for fixed in (
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "generation",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generateName",
            ):
                if fixed in old_meta:
                    new_meta[fixed] = old_meta[fixed]
                else:
                    new_meta.pop(fixed, None)
            if not applied:
                new_meta["managedFields"] = clone(old_meta.get("managedFields") or [])
            if old_meta.get("deletionTimestamp"):
                # finalizers can only be removed from an object being deleted
                new_meta["finalizers"] = [
                    f for f in new_meta.get("finalizers") or [] if f in (old_meta.get("finalizers") or [])
                ]
                if not new_meta["finalizers"]:
                    new_meta.pop("finalizers")
        new["apiVersion"] = old.get("apiVersion", info.api_version())
        new["kind"] = info.kind
        new["metadata"]["resourceVersion"] = old_meta.get("resourceVersion")
        if info.key == CRD_KEY and subresource != "status" and new.get("spec") != old.get("spec"):
            new["status"] = defaults.crd_status(new, self.clock.timestamp())
        if subresource != "status":
            self._admit_custom(info, new, version)
        if _same_ignoring_times(new, old):
            return old
        defaults.validate_metadata(info, new)
        if "generation" in old_meta and defaults.spec_changed(info, old, new, version):
            new["metadata"]["generation"] = int(old_meta["generation"]) + 1
        if not applied:
            managedfields.record_update(
                old,
                new,
                manager=manager,
                builtin=info.builtin,
                api_version=new["apiVersion"],
                now=self.clock.timestamp(),
                subresource=subresource,
            )
        if dry_run:
            return new
        if (
            new["metadata"].get("deletionTimestamp")
            and not new["metadata"].get("finalizers")
            and not (info.key == "namespaces" and self._namespace_has_content(old_meta["name"]))
        ):
            return self._remove(info, new, pending)
        result = self._commit(info, "MODIFIED", new, old, pending)
        if info.key == CRD_KEY:
            self.registry.add(info_from_crd(new))
        return result

    def _admit_custom(self, info: ResourceInfo, obj: dict[str, Any], version: str | None) -> None:
        """Prune, default and validate a custom resource with its CRD's structural schema (see structural.py)."""
        if info.builtin:
            return
        crd = self._current(self.info(CRD_KEY), None, f"{info.plural}.{info.group}")
        schema = structural.schema_of(crd.obj if crd else None, version or info.version)
        if schema is None:
            return
        mode, warnings = structural.current_field_validation()
        pruned, causes = structural.admit(obj, schema)
        if pruned and mode == "Strict":
            raise bad_request(structural.strict_message(obj, info.kind, pruned))
        if causes:
            raise invalid(info.group, info.kind, str((obj.get("metadata") or {}).get("name", "")), causes)
        if pruned and mode == "Warn" and warnings is not None:
            warnings.extend(f'unknown field "{p}"' for p in pruned)

    def _access_review(self, obj: dict[str, Any]) -> dict[str, Any]:
        attrs = ((obj.get("spec") or {}).get("resourceAttributes")) or {}
        allowed = self.permissions.allowed(
            attrs.get("verb", ""),
            attrs.get("group", ""),
            attrs.get("resource", ""),
            attrs.get("namespace") or None,
            attrs.get("subresource") or None,
        )
        result = clone(obj)
        result["apiVersion"] = "authorization.k8s.io/v1"
        result["kind"] = "SelfSubjectAccessReview"
        result.setdefault("metadata", {})["creationTimestamp"] = None
        status: dict[str, Any] = {"allowed": allowed}
        if allowed:
            status["reason"] = "sandbox: allowed by default"
        else:
            status["denied"] = True
            status["reason"] = "sandbox: denied by the permission set"
        result["status"] = status
        return result


def _same_ignoring_times(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Equal but for managedFields timestamps: such a write is a no-op, as in a real server (1.27+)."""
    if new == old:
        return True
    if {k: v for k, v in new.items() if k != "metadata"} != {k: v for k, v in old.items() if k != "metadata"}:
        return False

    def strip(meta: dict[str, Any]) -> dict[str, Any]:
        out = dict(meta)
        out["managedFields"] = [{k: v for k, v in e.items() if k != "time"} for e in meta.get("managedFields") or []]
        return out

    return strip(new["metadata"]) == strip(old["metadata"])
