"""Simulated KubeRay operator (v1.5.1 RayCluster controller), active only while `kuberay-operator` is
available.

Reconciles each RayCluster: validates metadata/spec (Warning events, nothing else), creates the head Service,
the
autoscaler's ServiceAccount/Role/RoleBinding, the head pod and worker pods (deleting `workersToDelete` first;
deleting surplus pods only when autoscaling is off), and writes `.status` through the status subresource with
field manager `kuberay-operator` when anything but lastUpdateTime changed.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Hashable
from typing import Any

from .base import Controller
from .kuberay_pods import (
    autoscaling_v2,
    build_pod,
    check_name,
    head_service,
    head_service_name,
    invalid_resources,
)
from .kuberay_status import compute_status, group_replicas, same_status, suspend_condition
from .objects import create_generated, is_deleting, name_of, owner_ref

RAYCLUSTERS = "rayclusters.ray.io"
MANAGER = "kuberay-operator"
EVENT_SOURCE = "raycluster-controller"  # mgr.GetEventRecorderFor in raycluster_controller.go
OPERATOR_DEPLOYMENT = "kuberay-operator"
MAX_NAME_LENGTH = 53
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def operator_available(store: Any) -> bool:
    for deployment in store.list("deployments.apps", field_selector=f"metadata.name={OPERATOR_DEPLOYMENT}"):
        if int((deployment.get("status") or {}).get("availableReplicas") or 0) >= 1:
            return True
    return False


def metadata_error(name: str) -> str | None:
    if len(name) > MAX_NAME_LENGTH:
        return f"RayCluster name should be no more than {MAX_NAME_LENGTH} characters"
    if not _DNS1035.match(name) or len(name) > 63:
        return (
            "RayCluster name should be a valid DNS1035 label: [a DNS-1035 label must consist of lower case "
            "alphanumeric characters or '-', start with an alphabetic character, and end with an "
            "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')]"
        )
    return None


def _env_value(container: dict[str, Any], name: str) -> str | None:
    for entry in container.get("env") or []:
        if entry.get("name") == name:
            return str(entry.get("value") or "")
    return None


def _group_problem(group_name: str, group: dict[str, Any]) -> str | None:
    params = group.get("rayStartParams") or {}
    if any(params.get(k) for k in ("num-cpus", "num-gpus", "memory", "resources")) and group.get("resources"):
        return (
            f"resource fields should not be set in both rayStartParams and Resources for {group_name} group; "
            "please use only one"
        )
    if "labels" in params:
        return (
            f"rayStartParams['labels'] is not supported for {group_name} group; please use the top-level Labels "
            "field instead"
        )
    return None


def spec_error(spec: dict[str, Any], annotations: dict[str, Any] | None = None) -> str | None:
    """KubeRay v1.5.1 `ValidateRayClusterSpec` (`controllers/ray/utils/validation.go`), the rules a RayCluster of
    this schema can break. It has no rule on replica bounds or on group names: minReplicas above maxReplicas
    runs maxReplicas, and duplicate groups both reconcile (docs/domain/kuberay.md#invalid-specs)."""
    annotations = annotations or {}
    head = spec.get("headGroupSpec") or {}
    head_pod = (head.get("template") or {}).get("spec") or {}
    if not head_pod.get("containers"):
        return "headGroupSpec should have at least one container"
    problem = _group_problem("Head", head)
    if problem:
        return problem
    groups = [g or {} for g in spec.get("workerGroupSpecs") or []]
    for group in groups:
        if not ((group.get("template") or {}).get("spec") or {}).get("containers"):
            return "workerGroupSpec should have at least one container"
        problem = _group_problem(str(group.get("groupName", "")), group)
        if problem:
            return problem
    ray_head = head_pod["containers"][0]
    if annotations.get("ray.io/ft-enabled") and spec.get("gcsFaultToleranceOptions") is not None:
        return (
            "ray.io/ft-enabled annotation and GcsFaultToleranceOptions are both set. Please use only "
            "GcsFaultToleranceOptions to configure GCS fault tolerance"
        )
    for group in groups:
        if group.get("suspend"):
            return (
                f"worker group {group.get('groupName', '')} can be suspended only when the RayJobDeletionPolicy "
                "feature gate is enabled"
            )
    autoscaling = bool(spec.get("enableInTreeAutoscaling"))
    v2_env = _env_value(ray_head, "RAY_enable_autoscaler_v2")
    if not autoscaling and v2_env in ("1", "true"):
        return (
            f"environment variable RAY_enable_autoscaler_v2 cannot be set to '{v2_env}' when enableInTreeAutoscaling "
            "is false. Please set enableInTreeAutoscaling: true to use autoscaler v2"
        )
    if autoscaling:
        if (spec.get("autoscalerOptions") or {}).get("version") is not None and v2_env is not None:
            return (
                "both .spec.autoscalerOptions.version and head Pod env var RAY_enable_autoscaler_v2 are set, "
                "please only use the former"
            )
        if autoscaling_v2(spec):
            if head_pod.get("restartPolicy") not in (None, "", "Never"):
                return "restartPolicy for head Pod should be Never or unset when using autoscaler V2"
            for group in groups:
                if ((group.get("template") or {}).get("spec") or {}).get("restartPolicy") not in (None, "", "Never"):
                    return (
                        f"restartPolicy for worker group {group.get('groupName', '')} should be Never or unset "
                        "when using autoscaler V2"
                    )
    return None


def ray_container_terminated(pod: dict[str, Any]) -> str:
    """The Ray container's terminated state as KubeRay's events print it (Go's %v of the struct), `<nil>` when
    it is not terminated."""
    containers = (pod.get("spec") or {}).get("containers") or []
    ray_name = containers[0].get("name") if containers else None
    for entry in (pod.get("status") or {}).get("containerStatuses") or []:
        terminated = (entry.get("state") or {}).get("terminated")
        if entry.get("name") == ray_name and terminated:
            return (
                f"&ContainerStateTerminated{{ExitCode:{terminated.get('exitCode', 0)},Signal:0,"
                f"Reason:{terminated.get('reason', '')},Message:{terminated.get('message', '')},"
                f"StartedAt:{terminated.get('startedAt', '')},FinishedAt:{terminated.get('finishedAt', '')},"
                f"ContainerID:{terminated.get('containerID', '')},}}"
            )
    return "<nil>"


def should_delete_pod(pod: dict[str, Any]) -> bool:
    """`shouldDeletePod`: a pod in a terminal phase, or Running with its Ray container terminated under
    restartPolicy Never, will not run Ray again (docs/domain/kuberay.md#restart-policy-and-replaced-pods)."""
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Failed", "Succeeded"):
        return True
    return (
        phase == "Running"
        and (pod.get("spec") or {}).get("restartPolicy") == "Never"
        and ray_container_terminated(pod) != "<nil>"
    )


class KubeRayOperator(Controller):
    name = MANAGER
    resources = (RAYCLUSTERS, "pods", "services", "deployments.apps")
    resync_seconds = 30.0

    def __init__(self, cluster: Any) -> None:
        super().__init__(cluster)
        self._active = False
        self._warned: set[tuple[str, int, str]] = set()

    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        meta = obj.get("metadata") or {}
        if resource == RAYCLUSTERS:
            return (meta.get("namespace") or "", meta.get("name") or "")
        if resource == "deployments.apps":
            return "operator" if meta.get("name") == OPERATOR_DEPLOYMENT else None
        cluster = (meta.get("labels") or {}).get("ray.io/cluster")
        return (meta.get("namespace") or "", cluster) if cluster else None

    def resync(self) -> None:
        from raywizard.sandbox.store import ApiError

        self._active = operator_available(self.store)
        if not self._active:
            return
        try:
            clusters = self.store.list(RAYCLUSTERS)
        except ApiError:
            return
        for cluster in clusters:
            self.enqueue((cluster["metadata"].get("namespace", ""), cluster["metadata"]["name"]))

    def reconcile(self, key: Any) -> None:
        from raywizard.sandbox.store import ApiError

        if key == "operator":
            was = self._active
            self._active = operator_available(self.store)
            if self._active and not was:
                self.resync()
            return
        if not self._active:
            return
        namespace, name = key
        try:
            cluster = self.store.get(RAYCLUSTERS, namespace, name)
        except ApiError:
            return
        if cluster is None or is_deleting(cluster):
            return
        generation = int(cluster["metadata"].get("generation", 1))
        problem = metadata_error(name)
        if problem:
            self._warn(
                cluster,
                generation,
                "InvalidRayClusterMetadata",
                f"The RayCluster metadata is invalid {namespace}/{name}: {problem}",
            )
            return
        problem = spec_error(cluster.get("spec") or {}, cluster["metadata"].get("annotations"))
        if problem:
            self._warn(
                cluster,
                generation,
                "InvalidRayClusterSpec",
                f"The RayCluster spec is invalid {namespace}/{name}: {problem}",
            )
            return
        service = self._ensure_head_service(cluster)
        if (cluster.get("spec") or {}).get("enableInTreeAutoscaling"):
            self._ensure_autoscaler_rbac(cluster)
        # suspending is two passes: the status first says RayClusterSuspending, the next pass deletes every pod
        suspend_status = suspend_condition(cluster)
        failure: tuple[str, str] | None = None
        if suspend_status == "RayClusterSuspending":
            self._suspend(cluster)
        elif suspend_status != "RayClusterSuspended" and not (cluster.get("spec") or {}).get("suspend"):
            failure = self._reconcile_pods(cluster)
        pods = [
            p for p in self.store.list("pods", namespace, label_selector=f"ray.io/cluster={name}") if not is_deleting(p)
        ]
        status = compute_status(cluster, pods, service, failure)
        if same_status(status, cluster.get("status") or {}):
            return
        patch: dict[str, Any] = dict(status)
        for key_name in cluster.get("status") or {}:
            patch.setdefault(key_name, None)  # omitempty fields that went away
        try:
            self.store.patch(
                RAYCLUSTERS,
                namespace,
                name,
                {"status": patch},
                "merge",
                field_manager=MANAGER,
                subresource="status",
            )
        except ApiError:
            self.enqueue(key)

    def _warn(self, cluster: dict[str, Any], generation: int, reason: str, message: str) -> None:
        key = (cluster["metadata"].get("uid", ""), generation, reason)
        if key in self._warned:
            return
        self._warned.add(key)
        self._event(cluster, reason, message, "Warning")

    def _event(self, cluster: dict[str, Any], reason: str, message: str, type_: str = "Normal") -> None:
        self.store.emit_event(
            namespace=cluster["metadata"].get("namespace"),
            involved=cluster,
            reason=reason,
            message=message,
            type=type_,
            component=EVENT_SOURCE,
        )

    def _ensure_head_service(self, cluster: dict[str, Any]) -> dict[str, Any] | None:
        from raywizard.sandbox.store import ApiError

        namespace = cluster["metadata"].get("namespace", "")
        existing = self.store.get("services", namespace, head_service_name(cluster))
        if existing is not None:
            return dict(existing)
        try:
            created = self.store.create("services", head_service(cluster), field_manager=MANAGER)
        except ApiError as exc:
            self._event(
                cluster,
                "FailedToCreateService",
                f"Failed to create service {namespace}/{head_service_name(cluster)}, {exc.message}",
                "Warning",
            )
            return None
        self._event(cluster, "CreatedService", f"Created service {namespace}/{name_of(created)}")
        return dict(created)

    def _ensure_autoscaler_rbac(self, cluster: dict[str, Any]) -> None:
        from raywizard.sandbox.store import ApiError

        name = cluster["metadata"]["name"]
        namespace = cluster["metadata"].get("namespace", "")
        head_sa = (
            (((cluster.get("spec") or {}).get("headGroupSpec") or {}).get("template") or {}).get("spec") or {}
        ).get("serviceAccountName")
        labels = {"ray.io/cluster": name}
        objects: list[tuple[str, str, str, dict[str, Any]]] = [
            (
                "serviceaccounts",
                "CreatedServiceAccount",
                "service account",
                {"apiVersion": "v1", "kind": "ServiceAccount"},
            ),
            (
                "roles.rbac.authorization.k8s.io",
                "CreatedRole",
                "role",
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "Role",
                    "rules": [
                        {
                            "apiGroups": [""],
                            "resources": ["pods"],
                            "verbs": ["get", "list", "watch", "patch"],
                        },
                        {"apiGroups": [""], "resources": ["pods/resize"], "verbs": ["patch"]},
                        {
                            "apiGroups": ["ray.io"],
                            "resources": ["rayclusters"],
                            "verbs": ["get", "list", "watch", "patch"],
                        },
                    ],
                },
            ),
            (
                "rolebindings.rbac.authorization.k8s.io",
                "CreatedRoleBinding",
                "role binding",
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "RoleBinding",
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                    "subjects": [{"kind": "ServiceAccount", "name": head_sa or name, "namespace": namespace}],
                },
            ),
        ]
        for resource, reason, what, body in objects:
            if resource == "serviceaccounts" and head_sa:
                continue  # a user-named service account must exist already
            if self.store.get(resource, namespace, name) is not None:
                continue
            body = dict(
                body,
                metadata={
                    "name": name,
                    "namespace": namespace,
                    "labels": labels,
                    "ownerReferences": [owner_ref(cluster)],
                },
            )
            try:
                self.store.create(resource, body, field_manager=MANAGER)
                self._event(cluster, reason, f"Created {what} {namespace}/{name}")
            except ApiError:
                pass

    def _reconcile_pods(self, cluster: dict[str, Any]) -> tuple[str, str] | None:
        """`reconcilePods`: create and delete pods. Returns the reconcile error as (ReplicaFailure reason or "",
        message), or None. Pods that cannot run again are deleted first and replaced on the next pass."""

        name = cluster["metadata"]["name"]
        namespace = cluster["metadata"].get("namespace", "")
        spec = cluster.get("spec") or {}
        autoscaling = bool(spec.get("enableInTreeAutoscaling"))
        pods = [
            p for p in self.store.list("pods", namespace, label_selector=f"ray.io/cluster={name}") if not is_deleting(p)
        ]
        heads = [p for p in pods if (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "head"]
        if len(heads) == 1:
            if should_delete_pod(heads[0]):
                self._delete_pod(cluster, heads[0], "DeletedHeadPod", "head", failed=True)
                return ("", "head Pod deleted: it cannot run again")
        elif not heads:
            error = self._create_pod(cluster, None)
            if error:
                return ("FailedCreateHeadPod", f"FailedCreateHeadPod\n{error}")
        else:
            names = " ".join(name_of(p) for p in heads)
            return ("", f"{len(heads)} head pods found [{names}]. Please delete extra head pods")
        for group in spec.get("workerGroupSpecs") or []:
            group = group or {}
            group_name = str(group.get("groupName", ""))
            group_pods = [
                p
                for p in pods
                if (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "worker"
                and (p["metadata"].get("labels") or {}).get("ray.io/group") == group_name
            ]
            unhealthy = [p for p in group_pods if should_delete_pod(p)]
            for pod in unhealthy:
                self._delete_pod(cluster, pod, "DeletedWorkerPod", "worker", failed=True)
            if unhealthy:  # no creates in the same pass
                return ("", f"delete {len(unhealthy)} unhealthy worker Pods")
            to_delete = set((group.get("scaleStrategy") or {}).get("workersToDelete") or [])
            remaining = []
            for pod in group_pods:
                if name_of(pod) in to_delete:
                    self._delete_pod(cluster, pod, "DeletedWorkerPod", "worker")
                else:
                    remaining.append(pod)
            desired = group_replicas(group)[0]
            diff = desired - len(remaining)
            for _ in range(max(0, diff)):
                error = self._create_pod(cluster, group)
                if error:
                    return ("FailedCreateWorkerPod", f"FailedCreateWorkerPod\n{error}")
            if diff < 0 and not autoscaling:
                for pod in remaining[diff:]:
                    self._delete_pod(cluster, pod, "DeletedWorkerPod", "worker")
        return None

    def _suspend(self, cluster: dict[str, Any]) -> None:
        """RayClusterSuspending: delete every Ray pod at once (a DeleteAllOf) and say so in one event."""
        from raywizard.sandbox.store import ApiError

        name = cluster["metadata"]["name"]
        namespace = cluster["metadata"].get("namespace", "")
        pods = [p for p in self.store.list("pods", namespace, label_selector=f"ray.io/cluster={name}")]
        for pod in pods:
            if not is_deleting(pod):
                with contextlib.suppress(ApiError):
                    self.store.delete("pods", namespace, name_of(pod))
        if pods:
            self._event(cluster, "DeletedPod", f"Deleted Pods for RayCluster {namespace}/{name} due to suspension")

    def _create_pod(self, cluster: dict[str, Any], group: dict[str, Any] | None) -> str | None:
        from raywizard.sandbox.store import ApiError

        namespace = cluster["metadata"].get("namespace", "")
        pod = build_pod(cluster, group=group)
        role = "head" if group is None else "worker"
        reason_ok = "CreatedHeadPod" if group is None else "CreatedWorkerPod"
        reason_failed = "FailedToCreateHeadPod" if group is None else "FailedToCreateWorkerPod"
        error = invalid_resources(pod)
        created = None
        if error is None:
            try:
                created = create_generated(self.store, "pods", pod, field_manager=MANAGER)
            except ApiError as exc:
                error = exc.message
        if error is not None:
            self._event(cluster, reason_failed, f"Failed to create {role} Pod {namespace}/, {error}", "Warning")
            return error
        self._event(cluster, reason_ok, f"Created {role} Pod {namespace}/{name_of(created or {})}")
        return None

    def _delete_pod(
        self, cluster: dict[str, Any], pod: dict[str, Any], reason: str, role: str, *, failed: bool = False
    ) -> None:
        from raywizard.sandbox.store import ApiError

        namespace = cluster["metadata"].get("namespace", "")
        try:
            self.store.delete("pods", namespace, name_of(pod))
        except ApiError:
            return
        message = f"Deleted {role} Pod {namespace}/{name_of(pod)}"
        if failed:
            message += (
                f"; Pod status: {(pod.get('status') or {}).get('phase', '')}; Pod restart policy: "
                f"{(pod.get('spec') or {}).get('restartPolicy', '')}; Ray container terminated status: "
                f"{ray_container_terminated(pod)}"
            )
        self._event(cluster, reason, message)


__all__ = ["KubeRayOperator", "check_name", "operator_available"]
