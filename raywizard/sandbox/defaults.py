"""Per-kind defaulting and validation the real API server does on create (a useful subset)."""

from __future__ import annotations

import ipaddress
import itertools
import re
import threading
from typing import Any

from raywizard.sandbox.registry import ResourceInfo
from raywizard.sandbox.status import ApiError, invalid

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    r"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
#: kinds whose names must be DNS-1123 labels (63 chars, no dots) rather than subdomains
_LABEL_NAMED = {"namespaces", "services"}

_ip_lock = threading.Lock()
_ip_counter = itertools.count(10)


def validate_name(info: ResourceInfo, name: str) -> None:
    if info.key in _LABEL_NAMED:
        ok, msg, limit = bool(_LABEL.match(name)), _LABEL_MSG, 63
    elif info.key == "events" or info.key.startswith("selfsubject"):
        return
    else:
        ok, msg, limit = bool(_SUBDOMAIN.match(name)), _SUBDOMAIN_MSG, 253
    causes = []
    if not ok:
        causes.append(("metadata.name", "FieldValueInvalid", f'Invalid value: "{name}": {msg}'))
    if len(name) > limit:
        causes.append(
            (
                "metadata.name",
                "FieldValueInvalid",
                f'Invalid value: "{name}": must be no more than {limit} characters',
            )
        )
    if causes:
        raise invalid(info.group, info.kind, name, causes)


_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
_QUALIFIED_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
TOTAL_ANNOTATION_SIZE_LIMIT = 262_144


def _key_problems(key: str) -> list[str]:
    prefix, _, name = key.rpartition("/")
    problems = []
    if not name or not _QUALIFIED_NAME.match(name):
        problems.append(_QUALIFIED_NAME_MSG)
    elif len(name) > 63:
        problems.append("name part must be no more than 63 characters")
    if prefix and (not _SUBDOMAIN.match(prefix) or len(prefix) > 253):
        problems.append("prefix part " + _SUBDOMAIN_MSG)
    return problems


def validate_metadata(info: ResourceInfo, obj: dict[str, Any]) -> None:
    """Label keys and values, annotation keys and the 256 KiB annotation budget, as ValidateObjectMeta does."""
    meta = obj.get("metadata") or {}
    causes: list[tuple[str, str, str]] = []
    for key, value in (meta.get("labels") or {}).items():
        for problem in _key_problems(str(key)):
            causes.append(("metadata.labels", "FieldValueInvalid", f'Invalid value: "{key}": {problem}'))
        text = "" if value is None else str(value)
        if len(text) > 63:
            causes.append(
                ("metadata.labels", "FieldValueInvalid", f'Invalid value: "{text}": must be no more than 63 characters')
            )
        elif not _LABEL_VALUE.match(text):
            causes.append(("metadata.labels", "FieldValueInvalid", f'Invalid value: "{text}": {_LABEL_VALUE_MSG}'))
    annotations = meta.get("annotations") or {}
    for key in annotations:
        for problem in _key_problems(str(key)):
            causes.append(("metadata.annotations", "FieldValueInvalid", f'Invalid value: "{key}": {problem}'))
    size = sum(len(str(k)) + len(str(v if v is not None else "")) for k, v in annotations.items())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        causes.append(
            (
                "metadata.annotations",
                "FieldValueTooLong",
                f"Too long: must have at most {TOTAL_ANNOTATION_SIZE_LIMIT} bytes",
            )
        )
    if causes:
        raise invalid(info.group, info.kind, str(meta.get("name", "")), causes)


def _image_pull_policy(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return "IfNotPresent"
    tag = last.split(":", 1)[1] if ":" in last else "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def _qos_class(containers: list[dict[str, Any]]) -> str:
    any_set, guaranteed = False, True
    for c in containers:
        res = c.get("resources") or {}
        requests, limits = res.get("requests") or {}, res.get("limits") or {}
        if requests or limits:
            any_set = True
        for r in ("cpu", "memory"):
            lim = limits.get(r)
            if lim is None or str(requests.get(r, lim)) != str(lim):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _default_pod(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("securityContext", {})
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    if "serviceAccountName" not in spec:
        spec["serviceAccountName"] = spec.get("serviceAccount") or "default"
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if isinstance(c, dict):
            c.setdefault("imagePullPolicy", _image_pull_policy(str(c.get("image", ""))))
            c.setdefault("terminationMessagePath", "/dev/termination-log")
            c.setdefault("terminationMessagePolicy", "File")
            c.setdefault("resources", {})
            for p in c.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
    obj["status"] = {"phase": "Pending", "qosClass": _qos_class(spec.get("containers") or [])}


def _next_cluster_ip() -> str:
    with _ip_lock:
        n = next(_ip_counter)
    return str(ipaddress.IPv4Address("10.96.0.0") + n)


def _default_service(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] != "ExternalName":
        if not spec.get("clusterIP"):
            spec["clusterIP"] = _next_cluster_ip()
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    for p in spec.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p.get("port"))
    obj["status"] = {"loadBalancer": {}}


def _default_deployment(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    spec.setdefault(
        "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    )
    obj["status"] = {}


def _default_namespace(obj: dict[str, Any]) -> None:
    name = obj["metadata"]["name"]
    obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
    obj["spec"] = {"finalizers": ["kubernetes"]}
    obj["status"] = {"phase": "Active"}


def _default_crd(obj: dict[str, Any]) -> None:
    spec = obj.get("spec") or {}
    names = spec.get("names") or {}
    name = obj["metadata"]["name"]
    expected = f"{names.get('plural', '')}.{spec.get('group', '')}"
    if name != expected:
        raise invalid(
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            name,
            [
                (
                    "metadata.name",
                    "FieldValueInvalid",
                    f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group',
                )
            ],
        )
    if not spec.get("versions"):
        raise invalid(
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            name,
            [
                (
                    "spec.versions",
                    "FieldValueRequired",
                    "Required value: must have exactly one version marked as storage version",
                )
            ],
        )
    obj["status"] = crd_status(obj, now="")


def crd_status(obj: dict[str, Any], now: str) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    names = dict(spec.get("names") or {})
    names.setdefault("singular", str(names.get("kind", "")).lower())
    names.setdefault("listKind", f"{names.get('kind', '')}List")
    storage = [v["name"] for v in spec.get("versions") or [] if v.get("storage")]
    conditions = [
        {
            "type": "NamesAccepted",
            "status": "True",
            "reason": "NoConflicts",
            "message": "no conflicts found",
            "lastTransitionTime": now,
        },
        {
            "type": "Established",
            "status": "True",
            "reason": "InitialNamesAccepted",
            "message": "the initial names have been accepted",
            "lastTransitionTime": now,
        },
    ]
    return {"acceptedNames": names, "conditions": conditions, "storedVersions": storage}


DEFAULTERS = {
    "pods": _default_pod,
    "services": _default_service,
    "deployments.apps": _default_deployment,
    "namespaces": _default_namespace,
    "customresourcedefinitions.apiextensions.k8s.io": _default_crd,
}


def apply_create_defaults(info: ResourceInfo, obj: dict[str, Any]) -> None:
    fn = DEFAULTERS.get(info.key)
    if fn is not None:
        fn(obj)


def spec_changed(info: ResourceInfo, old: dict[str, Any], new: dict[str, Any], version: str | None) -> bool:
    """Whether a write bumps metadata.generation: anything but metadata (and status, if a subresource)."""
    skip = {"metadata", "apiVersion", "kind"}
    if info.status_for(version):
        skip.add("status")
    keys = (set(old) | set(new)) - skip
    return any(old.get(k) != new.get(k) for k in keys)


__all__ = ["ApiError", "apply_create_defaults", "crd_status", "spec_changed", "validate_name"]
