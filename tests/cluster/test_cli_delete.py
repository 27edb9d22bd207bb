"""`raywizard delete` in a terminal (pexpect) on the sandbox: before asking it lists what each Application's
cascade removes, counts the Ray custom resources the CRDs Application takes with it, and wants that
Application's name typed; a wrong name changes nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cluster.controller_helpers import guide_apps
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_for

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow
APPS = "applications.argoproj.io"


def test_delete_lists_the_cascade_and_wants_the_crds_name(tmp_path: Path) -> None:
    with running_sandbox(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        for app in guide_apps():
            cluster.store.create(APPS, app, namespace="argocd")

        def converged() -> bool:
            crds = (cluster.store.get(APPS, "argocd", "ray-operator-crds") or {}).get("status") or {}
            listed = any(r.get("kind") == "CustomResourceDefinition" for r in crds.get("resources") or [])
            if not listed or cluster.store.registry.get("rayclusters.ray.io") is None:
                return False
            return cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay") is not None

        wait_for(converged, timeout=60, what="the guide's Applications with their resources")
        child = pexpect.spawn(
            sys.executable, ["-m", "raywizard", "delete", "--preset", "argocd-guide", "--kubeconfig", str(kubeconfig)],
            dimensions=(40, 200), timeout=30, encoding="utf-8",
        )
        try:
            child.expect("deleting rayclusters.ray.io also deletes every RayCluster in the cluster: 1")
            child.expect(r"\[y/N\]")
            child.sendline("y")
            child.expect("Type ray-operator-crds to confirm")
            child.sendline("ray-operator")
            child.expect(pexpect.EOF)
        finally:
            child.close()
        assert child.exitstatus != 0
        assert all(cluster.store.get(APPS, "argocd", name) is not None
                   for name in ("ray-operator-crds", "ray-operator", "raycluster"))
