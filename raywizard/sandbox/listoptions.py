"""What kube-apiserver refuses in list and watch query parameters before it reads anything.

- `fieldSelector`: each kind supports a fixed set of field labels (its `GetAttrs`/`SelectableFields` in
  `pkg/registry/*/strategy.go`, the conversion funcs in `pkg/apis/*/v1/conversion.go`); custom resources support
  `metadata.name` and `metadata.namespace` only (apiextensions-apiserver, without CRD selectableFields). Anything
  else is 400 `field label not supported: <label>`.
- `resourceVersionMatch` and `sendInitialEvents`: apimachinery `ValidateListOptions` /
  `validateWatchOptions` (`pkg/apis/meta/internalversion/validation/validation.go`, Kubernetes 1.32 with the
  WatchList gate on), 422 `ListOptions.meta.k8s.io "" is invalid: ...` with one cause per error.
"""

from __future__ import annotations

import re
from typing import Any

from raywizard.sandbox.status import ApiError, bad_request

_META = frozenset({"metadata.name", "metadata.namespace"})
_FIELDS: dict[str, frozenset[str]] = {
    "pods": _META
    | {
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    },
    "events": _META
    | {
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    },
    "events.events.k8s.io": _META
    | {
        "regarding.kind",
        "regarding.namespace",
        "regarding.name",
        "regarding.uid",
        "regarding.apiVersion",
        "regarding.resourceVersion",
        "regarding.fieldPath",
        "reason",
        "reportingController",
        "type",
    },
    "namespaces": _META | {"status.phase"},
    "secrets": _META | {"type"},
    "nodes": _META | {"spec.unschedulable"},
    "replicasets.apps": _META | {"status.replicas"},
    "jobs.batch": _META | {"status.successful"},
}
_TERM = re.compile(r"^\s*([^=!\s]+)\s*(?:==|=|!=)")


def check_field_selector(resource_key: str, selector: str | None) -> None:
    if not selector:
        return
    allowed = _FIELDS.get(resource_key, _META)
    for term in selector.split(","):
        match = _TERM.match(term)
        if match and match.group(1) not in allowed:
            raise bad_request(f"field label not supported: {match.group(1)}")


def _forbidden(field: str, detail: str) -> tuple[str, str, str]:
    return ("FieldValueForbidden", f"{field}: Forbidden: {detail}", field)


def _not_supported(field: str, value: str, supported: list[str]) -> tuple[str, str, str]:
    choices = ", ".join(f'"{s}"' for s in supported)
    return ("FieldValueNotSupported", f'{field}: Unsupported value: "{value}": supported values: {choices}', field)


def list_option_errors(query: dict[str, str], watch: bool) -> list[tuple[str, str, str]]:
    """(reason, "field: message", field) per error, in upstream's order."""
    match = query.get("resourceVersionMatch", "")
    send_initial = query.get("sendInitialEvents")
    rv = query.get("resourceVersion", "")
    continued = query.get("continue", "")
    errors: list[tuple[str, str, str]] = []
    rvm = "resourceVersionMatch"
    if watch:
        if send_initial is not None and match != "NotOlderThan":
            errors.append(_forbidden(rvm, "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
        if match:
            if send_initial is None:
                errors.append(
                    _forbidden(rvm, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
                )
            if match != "NotOlderThan":
                errors.append(_not_supported(rvm, match, ["NotOlderThan"]))
            if continued:
                errors.append(_forbidden(rvm, "resourceVersionMatch is forbidden when continue is provided"))
        return errors
    if match:
        if not rv:
            errors.append(_forbidden(rvm, "resourceVersionMatch is forbidden unless resourceVersion is provided"))
        if continued:
            errors.append(_forbidden(rvm, "resourceVersionMatch is forbidden when continue is provided"))
        if match not in ("Exact", "NotOlderThan"):
            errors.append(_not_supported(rvm, match, ["Exact", "NotOlderThan", ""]))
        if match == "Exact" and rv == "0":
            errors.append(_forbidden(rvm, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    if send_initial is not None:
        errors.append(_forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
    return errors


def check_list_options(resource_key: str, query: dict[str, str], watch: bool) -> None:
    check_field_selector(resource_key, query.get("fieldSelector"))
    errors = list_option_errors(query, watch)
    if errors:
        details: dict[str, Any] = {
            "group": "meta.k8s.io",
            "kind": "ListOptions",
            "causes": [
                {"reason": reason, "message": message.split(": ", 1)[1], "field": field}
                for reason, message, field in errors
            ],
        }
        text = ", ".join(message for _, message, _ in errors)
        if len(errors) > 1:
            text = f"[{text}]"
        raise ApiError(422, "Invalid", f'ListOptions.meta.k8s.io "" is invalid: {text}', details)


__all__ = ["check_field_selector", "check_list_options", "list_option_errors"]
