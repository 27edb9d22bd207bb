"""SandboxCluster: the embedded Kubernetes API server on loopback plus the simulated controllers.

    with SandboxCluster(speed=20).start() as cluster:
        cluster.write_kubeconfig("/tmp/kubeconfig")
        cluster.store.create("configmaps", {...}, namespace="default")   # in-process API, see store.py
        cluster.faults.fail_next("patch", "applications", 500)           # see faults.py
        cluster.permissions.deny("create", "rayclusters.ray.io")         # see permissions.py
        cluster.requests.find(verb="patch", resource="applications")     # what clients sent (requestlog.py)
        cluster.restart(keep_state=False)                                # same port, empty cluster

Pre-installed like a fresh cluster: namespaces ``default``, ``kube-system``, ``kube-public``,
``kube-node-lease``; nodes ``sandbox-node-1..3``; and, unless ``argocd=False``, the ``argocd`` namespace, the
Application and AppProject CRDs (argoproj.io/v1alpha1, as Argo CD installs them: no status subresource), the
``default`` AppProject and an ``argocd-cm`` ConfigMap.

Controllers: ``raywizard.sandbox.controllers.FACTORIES`` (imported lazily by ``start()``) lists callables
``factory(cluster) -> controller`` with ``start()/stop()/pause()/resume()``. They are started after the server and
stopped before it.
``controllers=False`` runs the bare API server (what the API server's own tests use, for determinism).

Auth: requests must carry ``Authorization: Bearer <token>`` (else 401). kubectl never sends credentials over plain
http (client-go reads a kubeconfig's user only for TLS transports), so ``anonymous=True`` (or setting
``allow_anonymous``) also admits requests with no Authorization header; a wrong token is still 401.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path
from typing import Any, Protocol

from raywizard.sandbox import kubeconfig
from raywizard.sandbox.faults import FaultInjector
from raywizard.sandbox.http import ApiServer
from raywizard.sandbox.permissions import PermissionSet
from raywizard.sandbox.podlogs import LogProvider, default_log_provider
from raywizard.sandbox.requestlog import RequestLog
from raywizard.sandbox.store import ApiError, Clock, Store

log = logging.getLogger("raywizard.sandbox")

NODE_NAMES = ("sandbox-node-1", "sandbox-node-2", "sandbox-node-3")


class Controller(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...


def _application_crd() -> dict[str, Any]:
    columns: list[dict[str, Any]] = [
        {"name": "Sync Status", "type": "string", "jsonPath": ".status.sync.status"},
        {"name": "Health Status", "type": "string", "jsonPath": ".status.health.status"},
        {"name": "Revision", "type": "string", "jsonPath": ".status.sync.revision", "priority": 10},
        {"name": "Project", "type": "string", "jsonPath": ".spec.project", "priority": 10},
    ]
    from raywizard.sandbox.controllers.crd_schemas import application_schema

    return _crd("applications", "Application", ["app", "apps"], columns, application_schema())


def _crd(
    plural: str, kind: str, short: list[str], columns: list[dict[str, Any]], schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    version: dict[str, Any] = {
        "name": "v1alpha1",
        "served": True,
        "storage": True,
        "schema": {"openAPIV3Schema": schema or {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
    }
    if columns:
        version["additionalPrinterColumns"] = columns
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{plural}.argoproj.io",
            "labels": {
                "app.kubernetes.io/name": f"{plural}.argoproj.io",
                "app.kubernetes.io/part-of": "argocd",
            },
        },
        "spec": {
            "group": "argoproj.io",
            "scope": "Namespaced",
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": short,
            },
            "versions": [version],
        },
    }


def _node(index: int, name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "beta.kubernetes.io/arch": "amd64",
            },
        },
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
    }


def _node_status(index: int, name: str) -> dict[str, Any]:
    resources = {"cpu": "16", "memory": "64Gi", "pods": "110", "ephemeral-storage": "100Gi"}
    return {
        "capacity": dict(resources),
        "allocatable": dict(resources),
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "KubeletReady",
                "message": "kubelet is posting ready status",
            }
        ],
        "addresses": [
            {"type": "InternalIP", "address": f"172.18.0.{index + 2}"},
            {"type": "Hostname", "address": name},
        ],
        "nodeInfo": {
            "kubeletVersion": "v1.30.6",
            "containerRuntimeVersion": "containerd://1.7.18",
            "osImage": "raywizard sandbox",
            "operatingSystem": "linux",
            "architecture": "amd64",
            "kernelVersion": "6.1.0",
            "kubeProxyVersion": "v1.30.6",
            "machineID": "",
            "systemUUID": "",
            "bootID": "",
        },
    }


class SandboxCluster:
    def __init__(
        self,
        *,
        port: int = 0,
        token: str | None = None,
        argocd: bool = True,
        speed: float = 1.0,
        faults: str | None = None,
        controllers: bool = True,
        anonymous: bool = False,
        bookmark_interval: float = 60.0,
    ) -> None:
        #: accept requests without an Authorization header (kubectl never sends credentials over plain http:
        #: client-go only reads user credentials from a kubeconfig when the transport is TLS). A wrong token is
        #: still 401.
        self.allow_anonymous = anonymous
        #: seconds between the BOOKMARKs of a quiet watch: about a minute on a real API server (and by default
        #: here); tests that need the watches to learn a rhythm quickly use 1 s
        self.bookmark_interval = float(bookmark_interval)
        self.with_controllers = controllers
        self.token = token or secrets.token_urlsafe(24)
        self.argocd = argocd
        self.speed = float(speed) if speed and speed > 0 else 1.0
        self.clock = Clock(self.speed)
        self.permissions = PermissionSet()
        self.store = Store(self.clock, self.permissions)
        self.faults = FaultInjector(faults)
        self.faults.store = self.store
        self.log_provider: LogProvider = default_log_provider
        self.controllers: list[Any] = []
        #: the HTTP requests served (bounded), for tests that assert on what a client sent
        self.requests = RequestLog()
        self._server = ApiServer(self, port=port)
        self._running = False
        self.kubeconfig_path: Path | None = None
        self._seed()

    # ------------------------------------------------------------------ properties
    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def running(self) -> bool:
        return self._running

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SandboxCluster:
        if self._running:
            return self
        self.clock.running()
        self._server.start()
        self._running = True
        self._start_controllers()
        return self

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self.clock.stopping()
        self.faults.wake()
        for controller in reversed(self.controllers):
            try:
                controller.stop()
            except Exception:  # stopping must go on
                log.exception("stopping a controller failed")
        self.controllers = []
        self._server.stop()
        self.store.close_watches()

    def __enter__(self) -> SandboxCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def restart(self, *, keep_state: bool = True, down_for: float = 0.0) -> None:
        """Stop listening (cutting every connection), optionally stay down, listen again on the same port."""
        self._server.stop()
        self.store.close_watches()
        if not keep_state:
            self.store.reset()
            self._seed()
        if down_for > 0:
            time.sleep(down_for)
        self._server = ApiServer(self, port=self._server.port)
        self._server.start()

    def _start_controllers(self) -> None:
        if not self.with_controllers:
            return
        from raywizard.sandbox.controllers import FACTORIES

        for factory in FACTORIES:
            controller = factory(self)
            self.controllers.append(controller)
            controller.start()

    def crash_container(self, namespace: str, pod: str, container: str | None = None, exit_code: int = 1) -> bool:
        """Make a running container's process exit (the kubelet simulation decides what follows from the pod's
        restartPolicy). False without controllers or when the pod does not run."""
        from raywizard.sandbox.controllers.kubelet import Kubelet

        for controller in self.controllers:
            if isinstance(controller, Kubelet):
                return controller.crash(namespace, pod, container, exit_code)
        return False

    def pause_controllers(self) -> None:
        for controller in self.controllers:
            controller.pause()

    def resume_controllers(self) -> None:
        for controller in self.controllers:
            controller.resume()

    # ------------------------------------------------------------------ helpers
    def write_kubeconfig(self, path: str | os.PathLike[str], namespace: str | None = None) -> Path:
        self.kubeconfig_path = kubeconfig.write_kubeconfig(path, self.url, self.token, namespace)
        return self.kubeconfig_path

    def set_log_provider(self, provider: LogProvider | None) -> None:
        self.log_provider = provider or default_log_provider

    def _seed(self) -> None:
        store = self.store
        names = ["default", "kube-system", "kube-public", "kube-node-lease"]
        if self.argocd:
            names.append("argocd")
        for name in names:
            store.create("namespaces", {"metadata": {"name": name}}, field_manager="kube-apiserver")
        for index, name in enumerate(NODE_NAMES):
            store.create("nodes", _node(index, name), field_manager="kubelet")
            store.patch(
                "nodes",
                None,
                name,
                {"status": _node_status(index, name)},
                "merge",
                subresource="status",
                field_manager="kubelet",
            )
        if self.argocd:
            for crd in (_application_crd(), _crd("appprojects", "AppProject", ["appproj", "appprojs"], [])):
                store.create("customresourcedefinitions.apiextensions.k8s.io", crd, field_manager="argocd")
            store.create(
                "appprojects.argoproj.io",
                {
                    "apiVersion": "argoproj.io/v1alpha1",
                    "kind": "AppProject",
                    "metadata": {"name": "default", "namespace": "argocd"},
                    "spec": {
                        "sourceRepos": ["*"],
                        "destinations": [{"namespace": "*", "server": "*"}],
                        "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
                    },
                },
                field_manager="argocd-server",
            )
            store.create(
                "configmaps",
                {
                    "metadata": {
                        "name": "argocd-cm",
                        "namespace": "argocd",
                        "labels": {
                            "app.kubernetes.io/name": "argocd-cm",
                            "app.kubernetes.io/part-of": "argocd",
                        },
                    },
                    "data": {},
                },
                field_manager="argocd",
            )


__all__ = ["ApiError", "Controller", "SandboxCluster"]
