"""Deployment/ReplicaSet controller and garbage collector, just enough for the kuberay-operator Deployment.

A Deployment gets a ReplicaSet `<name>-<pod-template-hash>` (when the store serves replicasets) and pods
`<name>-<hash>-<rand>` that the kubelet simulation runs; status counts and the Available/Progressing
conditions are
computed as the deployment controller does. The garbage collector deletes dependents (ownerReferences) of
deleted
objects, which also removes the pods and services of a deleted RayCluster.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from typing import Any

from .base import Controller
from .objects import (
    condition,
    create_generated,
    is_deleting,
    name_of,
    now_iso,
    owned_by,
    owner_ref,
    set_condition,
    template_hash,
)

GC_RESOURCES = (
    "pods",
    "services",
    "serviceaccounts",
    "replicasets.apps",
    "configmaps",
    "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io",
)


def pod_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    ready = condition(status.get("conditions") or [], "Ready")
    return status.get("phase") == "Running" and ready is not None and ready.get("status") == "True"


class DeploymentController(Controller):
    name = "deployment-controller"
    resources = ("deployments.apps", "pods")
    resync_seconds = 30.0

    def __init__(self, cluster: Any) -> None:
        super().__init__(cluster)
        self._has_replicasets: bool | None = None

    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        meta = obj.get("metadata") or {}
        if resource == "deployments.apps":
            return (meta.get("namespace") or "", meta.get("name") or "")
        if "pod-template-hash" not in (meta.get("labels") or {}):
            return None
        for ref in meta.get("ownerReferences") or []:
            if ref.get("kind") == "ReplicaSet":
                return (meta.get("namespace") or "", str(ref.get("name", "")).rsplit("-", 1)[0])
            if ref.get("kind") == "Deployment":
                return (meta.get("namespace") or "", ref.get("name", ""))
        return None

    def resync(self) -> None:
        for deployment in self.store.list("deployments.apps"):
            self.enqueue((deployment["metadata"].get("namespace", ""), deployment["metadata"]["name"]))

    def _replicasets_supported(self) -> bool:
        from raywizard.sandbox.store import ApiError

        if self._has_replicasets is None:
            try:
                self.store.list("replicasets.apps")
                self._has_replicasets = True
            except (ApiError, KeyError, ValueError):
                self._has_replicasets = False
        return self._has_replicasets

    def reconcile(self, key: Any) -> None:
        from raywizard.sandbox.store import ApiError

        namespace, name = key
        deployment = self.store.get("deployments.apps", namespace, name)
        if deployment is None or is_deleting(deployment):
            return
        spec = deployment.get("spec") or {}
        template = spec.get("template") or {}
        pod_hash = template_hash(template)
        rs_name = f"{name}-{pod_hash}"
        owner = deployment
        if self._replicasets_supported():
            rs = self.store.get("replicasets.apps", namespace, rs_name)
            if rs is None:
                rs = self._create_replicaset(deployment, rs_name, pod_hash)
            if rs is not None:
                owner = rs
        selector = (spec.get("selector") or {}).get("matchLabels") or {}
        selector_text = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
        pods = [
            p for p in self.store.list("pods", namespace, label_selector=selector_text or None) if not is_deleting(p)
        ]
        desired = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
        current = [p for p in pods if (p["metadata"].get("labels") or {}).get("pod-template-hash") == pod_hash]
        old = [p for p in pods if p not in current]
        for pod in old:  # Recreate (and, approximately, RollingUpdate): old pods go first
            with contextlib.suppress(ApiError):
                self.store.delete("pods", namespace, name_of(pod))
        if len(current) < desired and not old:
            if not current:
                self.store.emit_event(
                    namespace=namespace,
                    involved=deployment,
                    reason="ScalingReplicaSet",
                    message=f"Scaled up replica set {rs_name} from 0 to {desired}",
                    component="deployment-controller",
                )
            for _ in range(desired - len(current)):
                pod = self._create_pod(namespace, rs_name, template, pod_hash, owner)
                if pod is not None:
                    current.append(pod)
                    self.store.emit_event(
                        namespace=namespace,
                        involved=owner,
                        reason="SuccessfulCreate",
                        message=f"Created pod: {name_of(pod)}",
                        component="replicaset-controller",
                    )
        elif len(current) > desired:
            for pod in current[desired:]:
                with contextlib.suppress(ApiError):
                    self.store.delete("pods", namespace, name_of(pod))
            current = current[:desired]
        ready = sum(1 for p in current if pod_ready(p))
        self._write_status(deployment, rs_name, desired, len(current), ready)

    def _create_replicaset(self, deployment: dict[str, Any], rs_name: str, pod_hash: str) -> dict[str, Any] | None:
        from raywizard.sandbox.store import ApiError

        spec = deployment.get("spec") or {}
        template = dict(spec.get("template") or {})
        labels = dict((template.get("metadata") or {}).get("labels") or {}, **{"pod-template-hash": pod_hash})
        template["metadata"] = dict(template.get("metadata") or {}, labels=labels)
        selector = dict((spec.get("selector") or {}).get("matchLabels") or {}, **{"pod-template-hash": pod_hash})
        body = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": rs_name,
                "namespace": deployment["metadata"].get("namespace", ""),
                "labels": labels,
                "ownerReferences": [owner_ref(deployment)],
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": str(spec.get("replicas", 1)),
                    "deployment.kubernetes.io/max-replicas": str(spec.get("replicas", 1)),
                    "deployment.kubernetes.io/revision": "1",
                },
            },
            "spec": {
                "replicas": spec.get("replicas", 1),
                "selector": {"matchLabels": selector},
                "template": template,
            },
        }
        try:
            return dict(self.store.create("replicasets.apps", body, field_manager="kube-controller-manager"))
        except ApiError:
            return self.store.get("replicasets.apps", deployment["metadata"].get("namespace", ""), rs_name)

    def _create_pod(
        self, namespace: str, rs_name: str, template: dict[str, Any], pod_hash: str, owner: dict[str, Any]
    ) -> dict[str, Any] | None:
        from raywizard.sandbox.store import ApiError

        template_meta = template.get("metadata") or {}
        body: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "generateName": f"{rs_name}-",
                "namespace": namespace,
                "labels": dict(template_meta.get("labels") or {}, **{"pod-template-hash": pod_hash}),
                "annotations": dict(template_meta.get("annotations") or {}),
                "ownerReferences": [owner_ref(owner)],
            },
            "spec": dict(template.get("spec") or {}, restartPolicy="Always", schedulerName="default-scheduler"),
        }
        if not body["metadata"]["annotations"]:
            del body["metadata"]["annotations"]
        try:
            return create_generated(self.store, "pods", body, field_manager="kube-controller-manager")
        except ApiError as exc:
            self.store.emit_event(
                namespace=namespace,
                involved=owner,
                reason="FailedCreate",
                message=f"Error creating: {exc}",
                type="Warning",
                component="replicaset-controller",
            )
            return None

    def _write_status(self, deployment: dict[str, Any], rs_name: str, desired: int, current: int, ready: int) -> None:
        from raywizard.sandbox.store import ApiError

        old = deployment.get("status") or {}
        now = now_iso()
        conditions = list(old.get("conditions") or [])
        available = ready >= desired
        conditions = set_condition(
            conditions,
            {
                "type": "Available",
                "status": "True" if available else "False",
                "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if available
                else "Deployment does not have minimum availability.",
                "lastUpdateTime": now,
            },
        )
        progressed = available and current == desired
        conditions = set_condition(
            conditions,
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable" if progressed else "ReplicaSetUpdated",
                "message": f'ReplicaSet "{rs_name}" has successfully progressed.'
                if progressed
                else f'ReplicaSet "{rs_name}" is progressing.',
                "lastUpdateTime": now,
            },
        )
        for item in conditions:
            item.setdefault("lastUpdateTime", now)
        status: dict[str, Any] = {
            "observedGeneration": deployment["metadata"].get("generation", 1),
            "replicas": current,
            "updatedReplicas": current,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "conditions": conditions,
        }
        if current - ready:
            status["unavailableReplicas"] = current - ready
        for key in ("readyReplicas", "availableReplicas", "replicas", "updatedReplicas"):
            if not status[key]:
                del status[key]
        comparable = {k: v for k, v in status.items() if k != "conditions"}
        if comparable == {k: v for k, v in old.items() if k != "conditions"} and [
            (c["type"], c["status"], c.get("reason")) for c in conditions
        ] == [(c.get("type"), c.get("status"), c.get("reason")) for c in old.get("conditions") or []]:
            return
        try:
            self.store.update(
                "deployments.apps",
                dict(deployment, status=status),
                subresource="status",
                field_manager="kube-controller-manager",
            )
        except ApiError:
            self.enqueue((deployment["metadata"].get("namespace", ""), name_of(deployment)))


class GarbageCollector(Controller):
    """Deletes objects whose owner (by uid) was deleted, like kube-controller-manager's garbage collector."""

    name = "garbage-collector"
    resources = ("deployments.apps", "replicasets.apps", "rayclusters.ray.io")

    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        if event_type != "DELETED":
            return None
        meta = obj.get("metadata") or {}
        return (meta.get("namespace") or "", meta.get("uid") or "")

    def reconcile(self, key: Any) -> None:
        from raywizard.sandbox.store import ApiError

        namespace, uid = key
        if not uid or not namespace:
            return
        for resource in GC_RESOURCES:
            try:
                items = self.store.list(resource, namespace)
            except (ApiError, KeyError, ValueError):
                continue
            for item in items:
                if owned_by(item, uid):
                    with contextlib.suppress(ApiError):
                        self.store.delete(resource, namespace, name_of(item))
