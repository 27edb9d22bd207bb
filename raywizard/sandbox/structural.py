"""Structural schemas of custom resources as kube-apiserver applies them: prune, default, validate.

Written from the apiextensions-apiserver's behaviour (see docs/sandbox-fidelity.md):

- Pruning (`pkg/apiserver/schema/pruning`): a field the schema does not declare is dropped, unless the node has
  `x-kubernetes-preserve-unknown-fields: true` or `additionalProperties`. `apiVersion`, `kind` and `metadata` of
  the object itself are never pruned. The dropped paths are what `fieldValidation` reports: `Strict` rejects the
  request with 400 `strict decoding error: unknown field "spec.x"`, `Warn` (the default) answers with a
  `Warning: 299 - "unknown field \\"spec.x\\""` header, `Ignore` drops them silently.
- Defaulting (`pkg/apiserver/schema/defaulting`): a null value of a field that is not `nullable` is dropped,
  then a missing property with a `default` is set.
- Validation (kube-openapi `validate`, mapped to field errors): a wrong type is
  `spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"`, a missing required
  property `spec.x: Required value`, a value outside `enum`
  `spec.x: Unsupported value: "a": supported values: "b", "c"`; all errors of one object in one 422.

The schema language understood here is the subset our CRDs use: type, properties, required, items,
additionalProperties, default, enum, minimum, maximum, x-kubernetes-int-or-string,
x-kubernetes-preserve-unknown-fields.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

Cause = tuple[str, str, str]  # (field, reason, message)

_request = threading.local()


@contextmanager
def request_scope(field_validation: str, verb: str = "") -> Iterator[list[str]]:
    """The `fieldValidation` and verb of the HTTP request being served; yields the warnings collected meanwhile."""
    previous = getattr(_request, "scope", None)
    warnings: list[str] = []
    _request.scope = (field_validation, warnings, verb)
    try:
        yield warnings
    finally:
        _request.scope = previous


def current_field_validation() -> tuple[str, list[str] | None]:
    scope = getattr(_request, "scope", None)
    return (scope[0], scope[1]) if scope else ("Ignore", None)


def current_verb() -> str:
    scope = getattr(_request, "scope", None)
    return str(scope[2]) if scope else ""


def strict_message(obj: dict[str, Any], kind: str, pruned: list[str]) -> str:
    """The 400 message of `fieldValidation=Strict`: a create or update decodes the whole body and names the kind
    (`transformDecodeError` in the apiserver's handlers), a patch reports the decoding error alone."""
    error = "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in pruned)
    if current_verb() in ("create", "update"):
        version = str(obj.get("apiVersion") or "").rpartition("/")[2]
        return f'{obj.get("kind") or kind} in version "{version}" cannot be handled as a {kind}: {error}'
    return error


def undeclared(config: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Fields of a server-side apply configuration the schema does not declare (structured-merge-diff refuses
    those whatever `fieldValidation` says: 'field not declared in schema')."""
    probe = copy.deepcopy(config)
    return prune(probe, schema, root=True)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def prune(value: Any, schema: dict[str, Any], path: str = "", *, root: bool = False) -> list[str]:
    """Remove undeclared fields from `value` in place; the dotted paths of what was removed."""
    removed: list[str] = []
    if isinstance(value, dict) and _type_name(value) == "object":
        properties = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        for key in list(value):
            if root and key in ("apiVersion", "kind", "metadata"):
                continue
            child = _join(path, key)
            declared = properties.get(key, additional if isinstance(additional, dict) else None)
            if value[key] is None and declared is not None and not declared.get("nullable"):
                del value[key]  # a null is dropped before defaulting unless the field is nullable
                continue
            if key in properties:
                removed += prune(value[key], properties[key], child)
            elif isinstance(additional, dict):
                removed += prune(value[key], additional, child)
            elif not preserve and additional is not True:
                del value[key]
                removed.append(child)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            removed += prune(item, schema["items"], f"{path}[{index}]")
    return removed


def default(value: Any, schema: dict[str, Any]) -> None:
    """Set the schema's defaults on missing properties, in place."""
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key, sub in properties.items():
            if key not in value and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
        for key, item in value.items():
            if key in properties:
                default(item, properties[key])
            elif isinstance(schema.get("additionalProperties"), dict):
                default(item, schema["additionalProperties"])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            default(item, schema["items"])


def _quoted(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else json.dumps(json.dumps(value))


def _type_ok(value: Any, schema: dict[str, Any]) -> bool:
    found = _type_name(value)
    if schema.get("x-kubernetes-int-or-string"):
        return found in ("integer", "string")
    wanted = schema.get("type")
    if not wanted:
        return True
    if wanted == "number":
        return found in ("number", "integer")
    return bool(found == wanted)


def validate(value: Any, schema: dict[str, Any], path: str = "") -> list[Cause]:
    """Field errors of `value` against `schema`, in the apiserver's wording."""
    if value is None and schema.get("nullable"):
        return []
    if not _type_ok(value, schema):
        found = _type_name(value)
        wanted = "integer-or-string" if schema.get("x-kubernetes-int-or-string") else schema.get("type")
        return [
            (
                path,
                "FieldValueTypeInvalid",
                f'Invalid value: "{found}": {path} in body must be of type {wanted}: "{found}"',
            )
        ]
    causes: list[Cause] = []
    enum = schema.get("enum")
    if enum and value not in enum:
        supported = ", ".join(_quoted(e) for e in enum)
        causes.append(
            (path, "FieldValueNotSupported", f"Unsupported value: {_quoted(value)}: supported values: {supported}")
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            causes.append(
                (
                    path,
                    "FieldValueInvalid",
                    f"Invalid value: {value}: {path} in body should be greater than or equal to {schema['minimum']}",
                )
            )
        if "maximum" in schema and value > schema["maximum"]:
            causes.append(
                (
                    path,
                    "FieldValueInvalid",
                    f"Invalid value: {value}: {path} in body should be less than or equal to {schema['maximum']}",
                )
            )
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key in schema.get("required") or []:
            if key not in value:
                causes.append((_join(path, key), "FieldValueRequired", "Required value"))
        additional = schema.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                causes += validate(item, properties[key], _join(path, key))
            elif isinstance(additional, dict):
                causes += validate(item, additional, _join(path, key))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            causes += validate(item, schema["items"], f"{path}[{index}]")
    return causes


def schema_of(crd: dict[str, Any] | None, version: str) -> dict[str, Any] | None:
    """The openAPIV3Schema of `version` in a CRD; None when there is none to apply (or it preserves all)."""
    for entry in ((crd or {}).get("spec") or {}).get("versions") or []:
        if entry.get("name") == version:
            schema = (entry.get("schema") or {}).get("openAPIV3Schema")
            if not isinstance(schema, dict) or (
                schema.get("x-kubernetes-preserve-unknown-fields") and not schema.get("properties")
            ):
                return None
            return schema
    return None


def admit(obj: dict[str, Any], schema: dict[str, Any]) -> tuple[list[str], list[Cause]]:
    """Prune, default and validate a custom resource in place: (pruned paths, field errors).

    The object's own metadata is validated by the generic code (names, labels) and skipped here, as the
    apiserver skips it in the structural schema.
    """
    pruned = prune(obj, schema, root=True)
    default(obj, schema)
    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    properties = {
        k: v for k, v in (schema.get("properties") or {}).items() if k not in ("apiVersion", "kind", "metadata")
    }
    required = [r for r in schema.get("required") or [] if r != "metadata"]
    return pruned, validate(body, dict(schema, properties=properties, required=required))
