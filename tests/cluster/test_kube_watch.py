"""ClusterWatcher / ResilientWatch against the sandbox: list+watch into ClusterState, 410 relist, dropped
connections, server restarts, clean stop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from raywizard.kube.state import ClusterState
from raywizard.kube.watch import ClusterWatcher
from raywizard.sandbox.cluster import SandboxCluster
from tests.waiting import wait_for

NS = "watch-test"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[SandboxCluster]:
    # BOOKMARKs every second instead of a real server's minute, so that the watches learn a rhythm in a test.
    # One per test: several tests restart it, and the restarted server's thread belongs to the test that did.
    sandbox = SandboxCluster(speed=20.0, controllers=False, bookmark_interval=1.0).start()
    sandbox.write_kubeconfig(tmp_path / "kubeconfig")
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
    # A hang check, not a speed check: stop() joins threads that end at once; 30 s is far beyond any load.
    assert time.monotonic() - started < 30, "stop() must not hang"
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
            stop.wait(0.02)  # the sampling interval: the states between are what is recorded

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


def test_hung_server_is_noticed_within_seconds(
    cluster: SandboxCluster, watcher: ClusterWatcher
) -> None:
    """A server that keeps the connections open but stops answering (no events, no bookmarks, new requests
    hang) turns the state from live to reconnecting within a few seconds, not after the watch's 65 s read
    timeout; once it answers again the state goes back to live."""
    state = watcher.state
    wait_for(lambda: state.snapshot().connection.state == "live")
    # The watches learn the sandbox's bookmark rhythm (1 s) from the quiet streams.
    wait_for(lambda: all(w.silence_limit is not None for w in watcher.watches if w.kind != "rayclusters"))
    hang_started = time.monotonic()
    cluster.bookmark_interval = 3600.0  # open streams go silent...
    cluster.faults.set_latency(3600.0)  # ...and new requests are accepted but never answered
    wait_for(lambda: state.snapshot().connection.state in ("reconnecting", "stale"), timeout=20)
    noticed_after = time.monotonic() - hang_started
    message = state.snapshot().connection.message
    assert "sent nothing" in message or "not answered" in message or "did not answer" in message, message
    print(f"hung server noticed after {noticed_after:.1f} s")
    cluster.bookmark_interval = 1.0
    cluster.faults.clear()
    # The requests already stuck in the sandbox's latency sleep stay stuck; our read timeouts give up on them.
    make_pod(cluster, "after-hang")
    wait_for(lambda: f"{NS}/after-hang" in pods(state), timeout=30)
    wait_for(lambda: state.snapshot().connection.state == "live", timeout=30)


def test_new_token_after_restart_is_picked_up_from_the_kubeconfig(cluster: SandboxCluster) -> None:
    """The server restarts with a new token and rewrites the kubeconfig; the 401 makes the watches re-read it
    and carry on to live, without ever reporting the credentials error."""
    from raywizard.kube.connection import load_connection

    assert cluster.kubeconfig_path is not None
    old_token = cluster.token
    conn = load_connection(str(cluster.kubeconfig_path))
    w = ClusterWatcher(conn.api_client, argocd_namespace="argocd", namespace=NS, timeout_seconds=5)
    for watch in w.watches:
        watch.backoff_initial, watch.backoff_max, watch.stale_after = 0.1, 0.5, 1.0
    states: set[str] = set()
    try:
        w.start()
        wait_for(lambda: w.state.snapshot().connection.state == "live")
        cluster.token = "rotated-" + old_token
        cluster.write_kubeconfig(cluster.kubeconfig_path)
        cluster.restart(keep_state=True)
        make_pod(cluster, "after-new-token")

        def caught_up() -> bool:
            snap = w.state.snapshot()
            states.add(snap.connection.state)
            return f"{NS}/after-new-token" in snap.pods and snap.connection.state == "live"

        wait_for(caught_up, timeout=20)
        assert sum(watch.credential_reloads for watch in w.watches) >= 1
        assert "error" not in states, states
        assert any(str(v).endswith(cluster.token) for v in conn.api_client.configuration.api_key.values())
    finally:
        w.stop()
        conn.close()
        cluster.token = old_token
        cluster.write_kubeconfig(cluster.kubeconfig_path)


def test_resource_type_vanishing_under_a_watch_is_reported_as_missing(
    cluster: SandboxCluster, watcher: ClusterWatcher
) -> None:
    """A 404 on the watch (the CRD went away, or the server came back empty) relists, which reports the type as
    not installed, instead of retrying the old watch forever."""
    crds = "customresourcedefinitions.apiextensions.k8s.io"
    state = watcher.state
    wait_for(lambda: state.snapshot().connection.state == "live")
    crd = cluster.store.get(crds, None, "applications.argoproj.io")
    cluster.store.delete(crds, None, "applications.argoproj.io")
    try:
        cluster.faults.drop_watches()
        wait_for(lambda: "not installed" in state.snapshot().connection.watches["applications"].message, timeout=15)
        assert state.snapshot().connection.watches["applications"].state == "live"
    finally:
        crd["metadata"] = {"name": crd["metadata"]["name"]}
        cluster.store.create(crds, crd)


def test_lists_in_pages_into_compact_records(cluster: SandboxCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes import config

    from raywizard.kube import watch as watch_module
    from raywizard.kube.pod_record import compact_pod

    namespace = "watch-pages"
    cluster.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    for index in range(7):
        cluster.store.create("pods", {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"p{index}", "namespace": namespace, "labels": {"ray.io/group": "g", "other": "x"}},
            "spec": {"containers": [{"name": "c", "image": "busybox", "env": [{"name": "A", "value": "b"}]}]},
        })
    monkeypatch.setattr(watch_module, "LIST_PAGE", 3)  # 7 pods: three pages
    state = ClusterState(pod_record=compact_pod)
    api = config.new_client_from_config(str(cluster.kubeconfig_path))
    w = ClusterWatcher(api, argocd_namespace="argocd", namespace=namespace, state=state, timeout_seconds=5)
    pods_watch = next(x for x in w.watches if x.kind == "pods")
    requests: list[dict[str, Any]] = []
    shown_before_page: list[int] = []
    list_func = pods_watch.list_func

    def counting(*args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("watch"):
            requests.append(kwargs)
            shown_before_page.append(len(state.snapshot().pods))
        return list_func(*args, **kwargs)

    pods_watch.list_func = counting
    w.start()
    try:
        wait_for(lambda: len(state.snapshot().pods) == 7)
        assert len(requests) == 3 and requests[0]["limit"] == 3 and "_continue" in requests[1]
        assert shown_before_page == [0, 3, 6]  # each page is in the state while the next one is asked for
        record = state.snapshot().pods[f"{namespace}/p0"]
        assert record["metadata"]["labels"] == {"ray.io/group": "g"}
        assert record["spec"]["containers"] == [{"name": "c"}]
        cluster.store.create("pods", {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "late", "namespace": namespace},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        })
        wait_for(lambda: f"{namespace}/late" in state.snapshot().pods)  # the watch starts from the pages' version
    finally:
        w.stop()
        api.close()


def test_bookmark_cadence_of_a_real_server(tmp_path_factory: pytest.TempPathFactory) -> None:
    """By default the sandbox sends BOOKMARKs as a real watch cache does: about once a minute and 2 s before the
    deadline, so a 10 s watch gets one, at about 8 s."""
    import json

    from kubernetes import client, config

    with SandboxCluster(controllers=False) as sandbox:
        sandbox.write_kubeconfig(tmp_path_factory.mktemp("cadence") / "kubeconfig")
        api = config.new_client_from_config(str(sandbox.kubeconfig_path))
        try:
            started = time.monotonic()
            response = client.CoreV1Api(api).list_namespaced_config_map(
                "default", watch=True, allow_watch_bookmarks=True, timeout_seconds=10, _preload_content=False
            )
            seen = []
            for line in response.stream():
                for part in line.splitlines():
                    if part.strip() and json.loads(part)["type"] == "BOOKMARK":
                        seen.append(time.monotonic() - started)
            assert len(seen) == 1 and seen[0] >= 7.0, seen
        finally:
            api.close()


def test_a_frozen_server_is_noticed_by_the_probe_within_seconds(tmp_path_factory: pytest.TempPathFactory) -> None:
    """With a real server's bookmark rhythm the watches cannot learn a short silence limit; the /version probe
    beside them turns live into reconnecting within about 6 s of the server going silent, and back."""
    from kubernetes import config

    from raywizard.kube.probe import ServerProbe

    with SandboxCluster(controllers=False) as sandbox:
        sandbox.write_kubeconfig(tmp_path_factory.mktemp("frozen") / "kubeconfig")
        api = config.new_client_from_config(str(sandbox.kubeconfig_path))
        w = ClusterWatcher(api, argocd_namespace="argocd", namespace="default", timeout_seconds=50)
        probe = ServerProbe(api, w.state, server=sandbox.url)
        w.start()
        probe.start()
        try:
            wait_for(lambda: w.state.snapshot().connection.state == "live")
            frozen_at = time.monotonic()
            sandbox.faults.freeze()
            wait_for(lambda: w.state.snapshot().connection.state == "reconnecting", timeout=20)
            print(f"frozen server noticed after {time.monotonic() - frozen_at:.1f} s")
            assert "did not answer within 2.5s" in w.state.snapshot().connection.message
            assert all(watch.silence_limit is None for watch in w.watches)  # the streams alone could not tell
            sandbox.faults.thaw()
            wait_for(lambda: w.state.snapshot().connection.state == "live", timeout=20)
        finally:
            sandbox.faults.thaw()
            probe.stop()
            w.stop()
            api.close()


def test_status_watch_says_reconnecting_when_the_server_goes_silent(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`raywizard status --watch -o json` (a real process) against a sandbox that stops answering: the connection
    turns reconnecting within seconds, through the probe, not after a minute of silence."""
    import json
    import os
    import subprocess
    import sys
    import threading

    with SandboxCluster(controllers=False) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path_factory.mktemp("status-watch") / "kubeconfig")
        process = subprocess.Popen(
            [sys.executable, "-m", "raywizard", "status", "--watch", "-o", "json", "--kubeconfig", str(kubeconfig)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        states: list[str] = []
        decoder = json.JSONDecoder()

        def read() -> None:
            assert process.stdout is not None
            buffer = ""
            for line in process.stdout:
                buffer += line
                try:
                    document, end = decoder.raw_decode(buffer.lstrip())
                except ValueError:
                    continue
                buffer = buffer.lstrip()[end:]
                states.append(str((document.get("connection") or {}).get("state")))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            wait_for(lambda: "live" in states, timeout=30)
            sandbox.faults.freeze()
            wait_for(lambda: states[-1] == "reconnecting", timeout=20)
            sandbox.faults.thaw()
            wait_for(lambda: states[-1] == "live", timeout=30)
        finally:
            sandbox.faults.thaw()
            process.terminate()
            process.wait(timeout=10)
            reader.join(timeout=5)
