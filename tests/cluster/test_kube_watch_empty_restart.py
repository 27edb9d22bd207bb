"""A server that comes back empty (restarted without its data): the relist replaces what the watches hold, so
objects that are gone disappear from the state the dashboard shows. Its own sandbox: the restart wipes it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from raywizard.kube.watch import ClusterWatcher
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.test_kube_watch import NS, make_pod, pods
from tests.waiting import wait_for


@pytest.fixture
def empty_after_restart(tmp_path: Path) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0, controllers=False, bookmark_interval=1.0).start()
    sandbox.write_kubeconfig(tmp_path / "kubeconfig")
    sandbox.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    yield sandbox
    sandbox.stop()


def test_objects_gone_after_an_empty_restart_disappear(empty_after_restart: SandboxCluster) -> None:
    from kubernetes import config

    cluster = empty_after_restart
    api = config.new_client_from_config(str(cluster.kubeconfig_path))
    watcher = ClusterWatcher(api, argocd_namespace="argocd", namespace=NS, timeout_seconds=5)
    for watch in watcher.watches:
        watch.backoff_initial, watch.backoff_max, watch.stale_after = 0.1, 0.5, 1.0
    watcher.start()
    try:
        state = watcher.state
        make_pod(cluster, "before-restart")
        wait_for(lambda: f"{NS}/before-restart" in pods(state), timeout=30)
        cluster.restart(keep_state=False, down_for=0.5)
        cluster.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        make_pod(cluster, "after-restart")
        wait_for(lambda: f"{NS}/after-restart" in pods(state), timeout=60)
        wait_for(lambda: f"{NS}/before-restart" not in pods(state), timeout=60,
                 what="the pod the empty server no longer has is dropped")
        wait_for(lambda: state.snapshot().connection.state == "live", timeout=60)
    finally:
        started = time.monotonic()
        watcher.stop()
        assert time.monotonic() - started < 30, "stop() must not hang"  # a hang check, far beyond any load
        api.close()
