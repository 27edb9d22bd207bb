"""Watches against the sandbox through `kubernetes.watch.Watch` and raw streams."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from raywizard.sandbox.cluster import SandboxCluster


def _ns(api: Any) -> str:
    name = f"w-{uuid.uuid4().hex[:8]}"
    client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})
    return name


def _cm(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}, "data": {"v": "0"}}


def test_initial_added_then_live_events(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    v1.create_namespaced_config_map(ns, _cm("before"))

    seen = []
    stream = watch.Watch()
    for event in stream.stream(v1.list_namespaced_config_map, ns, timeout_seconds=10):
        seen.append((event["type"], event["object"].metadata.name))
        if seen == [("ADDED", "before")]:  # the watch is open on the server: what follows arrives live
            v1.create_namespaced_config_map(ns, _cm("live"))
            v1.patch_namespaced_config_map("live", ns, {"data": {"v": "1"}})
            v1.delete_namespaced_config_map("live", ns)
        if event["type"] == "DELETED":
            stream.stop()
    assert seen == [("ADDED", "before"), ("ADDED", "live"), ("MODIFIED", "live"), ("DELETED", "live")]


def test_watch_from_resource_version_replays_only_newer(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    v1.create_namespaced_config_map(ns, _cm("old"))
    listed = v1.list_namespaced_config_map(ns)
    v1.create_namespaced_config_map(ns, _cm("new"))
    v1.patch_namespaced_config_map("old", ns, {"data": {"v": "2"}})
    events = [
        (e["type"], e["object"].metadata.name)
        for e in watch.Watch().stream(
            v1.list_namespaced_config_map,
            ns,
            resource_version=listed.metadata.resource_version,
            timeout_seconds=1,
        )
    ]
    assert events == [("ADDED", "new"), ("MODIFIED", "old")]


def test_label_selector_watch_sees_objects_leave_and_enter(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    listed = v1.list_namespaced_config_map(ns)
    v1.create_namespaced_config_map(ns, _cm("c", app="ray"))
    v1.patch_namespaced_config_map("c", ns, {"metadata": {"labels": {"app": "web"}}})
    v1.patch_namespaced_config_map("c", ns, {"metadata": {"labels": {"app": "ray"}}})
    events = [
        e["type"]
        for e in watch.Watch().stream(
            v1.list_namespaced_config_map,
            ns,
            label_selector="app=ray",
            resource_version=listed.metadata.resource_version,
            timeout_seconds=1,
        )
    ]
    assert events == ["ADDED", "DELETED", "ADDED"]


def test_too_old_resource_version_is_410(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    bare_sandbox.faults.expire_next_watches(1)
    with pytest.raises(ApiException) as info:
        for _ in watch.Watch().stream(v1.list_namespaced_config_map, ns, resource_version="1", timeout_seconds=2):
            pass
    assert info.value.status == 410
    # the raw wire format: 200, then one ERROR event carrying a Status
    bare_sandbox.faults.expire_next_watches(1)
    response = v1.list_namespaced_config_map(
        ns, watch=True, resource_version="1", timeout_seconds=2, _preload_content=False
    )
    line = json.loads(response.readline())
    response.release_conn()
    assert line["type"] == "ERROR"
    assert line["object"]["code"] == 410 and line["object"]["reason"] == "Expired"


def test_expired_from_a_compacted_log() -> None:
    from collections import deque

    from raywizard.sandbox.store import ApiError

    cluster = SandboxCluster(controllers=False)
    store = cluster.store
    store._log = deque(store._log, maxlen=10)  # a tiny event log: older RVs are compacted away
    first = store.resource_version
    for n in range(20):
        store.create("configmaps", _cm(f"c{n}"), namespace="default")
    with pytest.raises(ApiError) as info:
        store.watch("configmaps", "default", resource_version=str(first))
    assert info.value.code == 410 and info.value.reason == "Expired"
    assert info.value.message == f"too old resource version: {first} ({store.resource_version})"
    recent = store.watch("configmaps", "default", resource_version=str(store.resource_version - 3))
    assert [e.name for _, e in recent.drain(0.1)] == ["c17", "c18", "c19"]
    store.reset()  # a restart without state: every older RV is too old
    with pytest.raises(ApiError):
        store.watch("configmaps", "default", resource_version=str(first + 15))


def test_bookmarks_and_timeout(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    started = time.monotonic()
    response = v1.list_namespaced_config_map(
        ns,
        watch=True,
        allow_watch_bookmarks=True,
        timeout_seconds=4,
        resource_version="0",
        _preload_content=False,
    )
    lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    assert time.monotonic() - started > 3.5  # held open, then closed by the server at timeoutSeconds
    bookmarks = [line for line in lines if line["type"] == "BOOKMARK"]
    assert len(bookmarks) == 1  # the minute has not passed: only the one 2 s before the deadline
    assert bookmarks[0]["object"]["kind"] == "ConfigMap" and bookmarks[0]["object"]["metadata"]["resourceVersion"]


def test_three_watchers_get_every_event(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    rv = v1.list_namespaced_config_map(ns).metadata.resource_version
    counts = [0, 0, 0]

    def watcher(index: int) -> None:
        stream = watch.Watch()
        for _ in stream.stream(v1.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=3):
            counts[index] += 1
            if counts[index] == 50:
                stream.stop()

    threads = [threading.Thread(target=watcher, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for n in range(50):
        bare_sandbox.store.create("configmaps", _cm(f"c{n}"), namespace=ns)
    for t in threads:
        t.join()
    assert counts == [50, 50, 50]


def test_dropped_watch_and_restart(tmp_path: Any) -> None:
    from kubernetes import config

    cluster = SandboxCluster(controllers=False, faults="drop_watches=300ms").start()
    try:
        api = config.new_client_from_config(str(cluster.write_kubeconfig(tmp_path / "kc")))
        v1 = client.CoreV1Api(api)
        response = v1.list_namespaced_config_map("default", watch=True, timeout_seconds=10, _preload_content=False)
        with pytest.raises(Exception):  # noqa: B017 - urllib3 reports the cut (no final chunk) as a protocol error
            response.read()
        cluster.faults.clear()
        v1.create_namespaced_config_map("default", _cm("keep"))
        port = cluster.port
        cluster.restart(keep_state=True)
        assert cluster.port == port
        assert v1.read_namespaced_config_map("keep", "default").metadata.name == "keep"
        cluster.restart(keep_state=False)
        with pytest.raises(ApiException) as info:
            v1.read_namespaced_config_map("keep", "default")
        assert info.value.status == 404
        assert {n.metadata.name for n in v1.list_namespace().items} >= {"default", "argocd"}
        api.close()
    finally:
        cluster.stop()


def test_send_initial_events_ends_with_a_marked_bookmark(bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    ns = _ns(bare_api)
    v1.create_namespaced_config_map(ns, _cm("a"))
    v1.create_namespaced_config_map(ns, _cm("b"))
    response = v1.list_namespaced_config_map(
        ns,
        watch=True,
        send_initial_events=True,
        allow_watch_bookmarks=True,
        resource_version_match="NotOlderThan",
        timeout_seconds=1,
        _preload_content=False,
    )
    lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in lines[:3]] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
        ("BOOKMARK", None),
    ]
    assert lines[2]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert all("annotations" not in e["object"]["metadata"] for e in lines[3:])
