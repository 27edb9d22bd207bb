"""Preflight: can raywizard deploy this spec to this cluster? Each check is ok / warn / fail with a fix.

Read-only: it uses GETs and SelfSubjectAccessReviews (which the API server answers for the caller, creating
nothing). The checks are independent, so they run at once on a thread pool: on a slow API server the whole
preflight takes about as long as its slowest check, not the sum (16 round trips). Each request keeps the
connection's per-request timeout. ``on_check`` reports each check as it finishes (for progress displays);
``check_names`` lists what will run, in the order of the final result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from raywizard.kube import resources
from raywizard.kube.connection import Connection
from raywizard.kube.error_translation import is_api_exception, to_cluster_error
from raywizard.kube.resources import APPLICATIONS, FIELD_MANAGER
from raywizard.model.errors import ClusterError
from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.model.spec import ClusterSpec

OUR_MANAGERS = {FIELD_MANAGER, "argocd-controller", "argocd-application-controller", "argocd-server"}


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # "ok" | "warn" | "fail"
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _api(conn: Connection, name: str) -> Any:
    from kubernetes import client

    return getattr(client, name)(conn.api_client)


def _check_version(conn: Connection) -> Check:
    try:
        response = _api(conn, "VersionApi").get_code(
            _preload_content=False, _request_timeout=conn.request_timeout
        )
        version = json.loads(response.data).get("gitVersion", "?")
    except Exception as exc:
        error = to_cluster_error(exc, "connect", conn.server_url)
        return Check("API server", "fail", error.message, error.fix or "")
    return Check("API server", "ok", f"{literal(conn.server_url)} answers, Kubernetes {literal(version)}")


def _check_crd(conn: Connection, name: str, label: str, missing_status: str, fix: str) -> Check:
    try:
        response = _api(conn, "ApiextensionsV1Api").read_custom_resource_definition(
            name, _preload_content=False, _request_timeout=conn.request_timeout
        )
        response.release_conn()
    except Exception as exc:
        if is_api_exception(exc, 404):
            detail = f"CustomResourceDefinition {name} not found"
            if missing_status == "ok":
                detail += f"; {fix}"  # expected: say why it is fine
            return Check(label, missing_status, detail, fix)
        if is_api_exception(exc, 403):
            return Check(
                label,
                "warn",
                f"cannot read CRD {name} (forbidden); assuming it exists",
                "ask for get on customresourcedefinitions to check it",
            )
        error = to_cluster_error(exc, f"read CRD {name}", conn.server_url)
        return Check(label, "fail", error.message, error.fix or "")
    return Check(label, "ok", f"CustomResourceDefinition {name} present")


def _check_namespace(conn: Connection, namespace: str, label: str, create_ok: bool, fix: str) -> Check:
    try:
        present = resources.get_namespace(conn, namespace) is not None
    except ClusterError as error:
        cause = error.__cause__
        if cause is not None and is_api_exception(cause, 403):
            return Check(
                label, "warn", f"cannot read namespace {namespace} (forbidden)", "ask for get namespaces"
            )
        return Check(label, "fail", error.message, error.fix or "")
    if present:
        return Check(label, "ok", f"namespace {namespace} exists")
    if create_ok:
        return Check(label, "ok", f"namespace {namespace} will be created by Argo CD (CreateNamespace=true)")
    return Check(label, "fail", f"namespace {namespace} does not exist", fix)


def _access(
    conn: Connection, verb: str, group: str, resource: str, namespace: str
) -> tuple[bool | None, str]:
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {
            "resourceAttributes": {"verb": verb, "group": group, "resource": resource, "namespace": namespace}
        },
    }
    try:
        response = _api(conn, "AuthorizationV1Api").create_self_subject_access_review(
            body, _preload_content=False, _request_timeout=conn.request_timeout
        )
        status = json.loads(response.data).get("status") or {}
    except Exception as exc:
        return None, to_cluster_error(exc, "check permissions", conn.server_url).message
    return bool(status.get("allowed")), str(status.get("reason") or "")


def _check_permissions(conn: Connection, argocd_ns: str, ray_ns: str) -> list[Check]:
    wanted = [
        ("create", "argoproj.io", "applications", argocd_ns),
        ("patch", "argoproj.io", "applications", argocd_ns),
        ("get", "argoproj.io", "applications", argocd_ns),
        ("watch", "argoproj.io", "applications", argocd_ns),
        ("list", "", "pods", ray_ns),
        ("watch", "", "pods", ray_ns),
        ("list", "ray.io", "rayclusters", ray_ns),
        ("watch", "ray.io", "rayclusters", ray_ns),
        ("list", "", "events", ray_ns),
    ]
    missing: list[str] = []
    unknown: list[str] = []
    with ThreadPoolExecutor(max_workers=len(wanted), thread_name_prefix="preflight-access") as pool:
        answers = list(pool.map(lambda w: _access(conn, *w), wanted))
    for (verb, group, resource, namespace), (allowed, reason) in zip(wanted, answers, strict=True):
        label = f"{verb} {resource}{'.' + group if group else ''} in {namespace}"
        if allowed is None:
            unknown.append(f"{label} ({reason})")
        elif not allowed:
            missing.append(label)
    checks = []
    if missing:
        checks.append(
            Check(
                "permissions",
                "fail",
                "not allowed: " + "; ".join(missing),
                "ask a cluster admin for a Role/RoleBinding granting these verbs",
            )
        )
    if unknown:
        checks.append(
            Check(
                "permissions",
                "warn",
                "could not check: " + "; ".join(unknown),
                "SelfSubjectAccessReview must be allowed (it is for every authenticated user)",
            )
        )
    if not checks:
        checks.append(
            Check(
                "permissions",
                "ok",
                f"can create/patch/watch Applications in {argocd_ns} and "
                f"list/watch pods, RayClusters and events in {ray_ns}",
            )
        )
    return checks


def _check_existing(conn: Connection, spec: ClusterSpec) -> list[Check]:
    from raywizard.render import applications as manifests

    bodies = manifests.render_applications(spec)
    with ThreadPoolExecutor(max_workers=len(bodies), thread_name_prefix="preflight-app") as pool:
        return list(pool.map(lambda body: _check_application(conn, body), bodies))


def _check_application(conn: Connection, body: dict[str, Any]) -> Check:
    namespace, name = body["metadata"]["namespace"], body["metadata"]["name"]
    label = f"Application {name}"
    try:
        live = resources.get_custom(conn, APPLICATIONS, namespace, name)
    except ClusterError as error:
        return Check(label, "warn", f"cannot read it: {error.message}", error.fix or "")
    if live is None:
        return Check(label, "ok", f"{namespace}/{name} does not exist yet; apply will create it")
    entries = live["metadata"].get("managedFields") or []
    managers = sorted({literal(m.get("manager", "?")) for m in entries})
    # Only owners of spec fields can conflict with our apply (Argo CD's controller owns status/operation).
    others = sorted(
        {literal(m.get("manager", "?")) for m in entries if "f:spec" in (m.get("fieldsV1") or {})} - OUR_MANAGERS
    )
    status = ((live.get("status") or {}).get("sync") or {}).get("status", "Unknown")
    if others:
        return Check(
            label,
            "warn",
            f"{namespace}/{name} exists (sync {literal(status)}), also managed by "
            f"{', '.join(others)}; apply may conflict on their fields",
            "review `raywizard diff`; apply --force takes ownership of conflicting fields",
        )
    return Check(
        label,
        "ok",
        f"{namespace}/{name} exists (sync {literal(status)}), managed by {', '.join(managers) or 'nobody recorded'}",
    )


def _tasks(conn: Connection, spec: ClusterSpec) -> list[tuple[str, Callable[[], list[Check]]]]:
    """(name, check) in the order of the result; each check returns one or more Checks."""
    argocd_ns, ray_ns = spec.target.argocd_namespace, spec.target.namespace
    return [
        ("API server", lambda: [_check_version(conn)]),
        (
            "Argo CD",
            lambda: [
                _check_crd(
                    conn,
                    "applications.argoproj.io",
                    "Argo CD",
                    "fail",
                    "install Argo CD (https://argo-cd.readthedocs.io/en/stable/getting_started/)",
                )
            ],
        ),
        (
            "Argo CD namespace",
            lambda: [
                _check_namespace(
                    conn,
                    argocd_ns,
                    "Argo CD namespace",
                    False,
                    f"install Argo CD into {argocd_ns}, or set the Argo CD namespace of the spec",
                )
            ],
        ),
        (
            "RayCluster CRD",
            lambda: [
                _check_crd(
                    conn,
                    "rayclusters.ray.io",
                    "RayCluster CRD",
                    "ok",
                    "not installed yet: the CRDs Application installs it (first apply step)",
                )
            ],
        ),
        (
            "target namespace",
            lambda: [
                _check_namespace(
                    conn,
                    ray_ns,
                    "target namespace",
                    bool(spec.sync.create_namespace),
                    f"create it (kubectl create namespace {ray_ns}) or enable CreateNamespace=true",
                )
            ],
        ),
        ("permissions", lambda: _check_permissions(conn, argocd_ns, ray_ns)),
        ("Applications", lambda: _check_existing(conn, spec)),
    ]


def check_names(spec: ClusterSpec) -> list[str]:
    """The checks ``run_preflight`` runs, in the order of its result (for a progress display)."""
    return [name for name, _ in _tasks(None, spec)]  # type: ignore[arg-type]  # builds closures only


def run_preflight(
    conn: Connection, spec: ClusterSpec, on_check: Callable[[str, list[Check]], None] | None = None
) -> list[Check]:
    """Every check, concurrently; the result in a fixed order. ``on_check(name, checks)`` is called (from a
    worker thread) as each finishes. If the API server does not answer, only that check is returned."""
    tasks = _tasks(conn, spec)
    results: dict[str, list[Check]] = {}
    with ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="preflight") as pool:
        futures = {pool.submit(check): name for name, check in tasks}
        for future in as_completed(futures):
            name = futures[future]
            try:
                checks = future.result()
            except ClusterError as error:
                checks = [Check(name, "fail", error.message, error.fix or "")]
            results[name] = checks
            if on_check is not None:
                on_check(name, checks)
    if results["API server"][0].status == "fail":
        return results["API server"]
    ordered = [check for name, _ in tasks for check in results[name]]
    if results["Argo CD"][0].status == "fail":
        # Without the Application CRD the Application checks mean nothing ("apply will create it": it cannot).
        ordered = [c for c in ordered if not c.name.startswith("Application ")]
        ordered.append(
            Check("Applications", "warn", "not checked: Argo CD is not installed", "install Argo CD first, then retry")
        )
    return ordered
