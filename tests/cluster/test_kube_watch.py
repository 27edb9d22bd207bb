"""ClusterWatcher / ResilientWatch against the sandbox: list+watch into ClusterState, 410 relist, dropped
connections, server restarts, clean stop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from raywizard.kube.state import ClusterState
from raywizard.kube.watch import ClusterWatcher
from raywizard.sandbox.cluster import SandboxCluster

NS = "watch-test"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0, controllers=False).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("watch") / "kubeconfig")
    sandbox.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    yield sandbox
    sandbox.stop()


@pytest.fixture
def watcher(cluster: SandboxCluster) -> Iterator[ClusterWatcher]:
    from kubernetes import config

    cluster.faults.clear()
    api = config.new_client_from_config(str(cluster.kubeconfig_path))
    w = ClusterWatcher(api, argocd_namespace="argocd", namespace=NS, timeout_seconds=5)
    for watch in w.watches:
        watch.backoff_initial, watch.backoff_max, watch.stale_after = 0.1, 0.5, 1.0
    w.start()
    yield w
    started = time.monotonic()
    w.stop()
    assert time.monotonic() - started < 5, "stop() must not hang"
    assert all(watch._thread is None for watch in w.watches)
    api.close()
    cluster.faults.clear()


def make_pod(cluster: SandboxCluster, name: str, message: str = "") -> dict[str, Any]:
    return cluster.store.create(
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": name,
                "labels": {"ray.io/cluster": "rc", "note": "x"},
                "annotations": {"message": message},
            },
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        },
        namespace=NS,
    )


def wait_for(predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def pods(state: ClusterState) -> set[str]:
    return set(state.snapshot().pods)


def test_list_then_watch_feeds_the_state(cluster: SandboxCluster, watcher: ClusterWatcher) -> None:
    state = watcher.state
    wait_for(lambda: state.snapshot().connection.state == "live")
    before = state.version
    make_pod(cluster, "a1")
    wait_for(lambda: f"{NS}/a1" in pods(state))
    assert f"{NS}/a1" in state.changed_since(before)["pods"]
    cluster.store.delete("pods", NS, "a1")
    wait_for(lambda: f"{NS}/a1" not in pods(state))
    # No RayCluster CRD in a bare sandbox: the watch says so, and is not an error.
    rc_status = state.snapshot().connection.watches["rayclusters"]
    assert rc_status.state == "live" and "not installed" in rc_status.message


def test_relists_on_410_and_keeps_going(cluster: SandboxCluster, watcher: ClusterWatcher) -> None:
    state = watcher.state
    pods_watch = next(w for w in watcher.watches if w.kind == "pods")
    wait_for(lambda: pods_watch.relists >= 1 and state.snapshot().connection.state == "live")
    relists = pods_watch.relists
    cluster.faults.expire_watches()
    wait_for(lambda: pods_watch.relists > relists)
    make_pod(cluster, "after-410")
    wait_for(lambda: f"{NS}/after-410" in pods(state))
    assert state.snapshot().connection.watches["pods"].state == "live"


def test_survives_dropped_watches(cluster: SandboxCluster, watcher: ClusterWatcher) -> None:
    state = watcher.state
    wait_for(lambda: state.snapshot().connection.state == "live")
    cluster.faults.drop_watches()
    make_pod(cluster, "after-drop")
    wait_for(lambda: f"{NS}/after-drop" in pods(state))


def test_server_restart_reconnects_and_reports_it(cluster: SandboxCluster, watcher: ClusterWatcher) -> None:
    state = watcher.state
    wait_for(lambda: state.snapshot().connection.state == "live")
    seen: set[str] = set()

    def record() -> bool:
        seen.add(state.snapshot().connection.state)
        return False

    import threading

    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            record()
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    cluster.restart(keep_state=True, down_for=2.0)
    make_pod(cluster, "after-restart")
    wait_for(lambda: f"{NS}/after-restart" in pods(state), timeout=15)
    wait_for(lambda: state.snapshot().connection.state == "live")
    stop.set()
    poller.join()
    assert seen & {"reconnecting", "stale"}, seen
    assert "Traceback" not in state.snapshot().connection.message


def test_500s_on_list_back_off_and_recover(cluster: SandboxCluster, watcher: ClusterWatcher) -> None:
    state = watcher.state
    pods_watch = next(w for w in watcher.watches if w.kind == "pods")
    wait_for(lambda: state.snapshot().connection.state == "live")
    cluster.faults.fail_next("list", "pods", 500, count=3)  # the relists after the 410
    cluster.faults.expire_next_watches(1)  # in case the open watch is between two requests right now
    cluster.faults.expire_watches()
    make_pod(cluster, "after-500")
    wait_for(lambda: f"{NS}/after-500" in pods(state), timeout=15)
    wait_for(lambda: pods_watch.relists >= 2, timeout=15)
    wait_for(lambda: state.snapshot().connection.state == "live")
