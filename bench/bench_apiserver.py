"""Sandbox API server figures: startup, listing 5,000 pods, watch fan-out to 3 watchers, create throughput.

Run: ``python bench/bench_apiserver.py`` (no controllers, real `kubernetes` client over HTTP on loopback).
Targets: startup < 0.5 s, list 5,000 pods < 200 ms, >= 2,000 watch events/s fanned out to 3 watchers.
"""

from __future__ import annotations

import gc
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PODS = 5_000
EVENTS = 5_000


def _pod(n: int) -> dict[str, Any]:
    env = [{"name": f"VAR_{i}", "value": f"value-{i}"} for i in range(10)]
    return {
        "metadata": {"name": f"pod-{n:05d}", "labels": {"app": "ray", "ray.io/group": f"g{n % 3}"}},
        "spec": {
            "containers": [
                {
                    "name": "ray-worker",
                    "image": "rayproject/ray:2.46.0",
                    "env": env,
                    "resources": {"requests": {"cpu": "1", "memory": "1G"}},
                }
            ]
        },
    }


def main() -> None:
    started = time.perf_counter()
    from raywizard.sandbox.cluster import SandboxCluster

    cluster = SandboxCluster(controllers=False).start()
    startup = time.perf_counter() - started
    print(f"startup (import + seed + listen): {startup * 1000:.0f} ms")

    from kubernetes import client, config

    with tempfile.TemporaryDirectory() as tmp:
        api = config.new_client_from_config(str(cluster.write_kubeconfig(Path(tmp) / "kubeconfig")))
        v1 = client.CoreV1Api(api)
        v1.create_namespace({"metadata": {"name": "bench"}})

        t0 = time.perf_counter()
        for n in range(500):
            v1.create_namespaced_pod("bench", _pod(n))
        per_create = (time.perf_counter() - t0) / 500
        print(f"create over HTTP (typed client): {per_create * 1000:.2f} ms per pod")
        for n in range(500, PODS):
            cluster.store.create("pods", _pod(n), namespace="bench")

        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            response = v1.list_namespaced_pod("bench", _preload_content=False)
            body = response.data
            best = min(best, time.perf_counter() - t0)
        items = len(json.loads(body)["items"])
        print(f"list {items} pods, raw JSON ({len(body) / 1e6:.1f} MB): {best * 1000:.0f} ms (best of 5)")
        best_selected = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            selected = v1.list_namespaced_pod("bench", label_selector="ray.io/group=g1", _preload_content=False).data
            best_selected = min(best_selected, time.perf_counter() - t0)
        print(
            f"list with labelSelector ({len(json.loads(selected)['items'])} of {PODS}), raw JSON: "
            f"{best_selected * 1000:.0f} ms (best of 3; client and server share one process and its GC)"
        )
        t0 = time.perf_counter()
        typed = v1.list_namespaced_pod("bench")
        print(
            f"list {len(typed.items)} pods, typed V1PodList (client-side deserialisation dominates): "
            f"{(time.perf_counter() - t0) * 1000:.0f} ms"
        )
        del typed
        gc.collect()

        rv = v1.list_namespaced_config_map("bench").metadata.resource_version
        received = [0, 0, 0]
        done = threading.Event()
        finished_at: list[float] = []

        def watcher(index: int) -> None:
            response = v1.list_namespaced_config_map(
                "bench", watch=True, resource_version=rv, timeout_seconds=120, _preload_content=False
            )
            for line in response.stream(65536):
                received[index] += line.count(b"\n")
                if received[index] >= EVENTS:
                    finished_at.append(time.perf_counter())
                    break
            response.release_conn()
            if len(finished_at) == 3:
                done.set()

        threads = [threading.Thread(target=watcher, args=(i,), daemon=True) for i in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        t0 = time.perf_counter()
        for n in range(EVENTS):
            cluster.store.create(
                "configmaps", {"metadata": {"name": f"cm-{n}"}, "data": {"n": str(n)}}, namespace="bench"
            )
        writes = time.perf_counter() - t0
        done.wait(120)
        elapsed = max(finished_at) - t0 if finished_at else float("nan")
        print(
            f"watch fan-out: {EVENTS} events x 3 watchers in {elapsed:.2f} s = {EVENTS / elapsed:,.0f} events/s "
            f"per watcher ({3 * EVENTS / elapsed:,.0f} deliveries/s; in-process writes took {writes:.2f} s); "
            f"received {received}"
        )
        http_writes(cluster)
        api.close()
    cluster.stop()


def http_writes(cluster: Any, writers: int = 4, per_writer: int = 500) -> None:
    """Concurrent creates over HTTP (keep-alive connections, as the client pools them) while 3 watchers read."""
    import http.client

    headers = {"Authorization": f"Bearer {cluster.token}", "Content-Type": "application/json"}
    received = [0, 0, 0]
    total = writers * per_writer

    def watcher(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=60)
        conn.request(
            "GET",
            "/api/v1/namespaces/bench/secrets?watch=1&resourceVersion="
            f"{cluster.store.resource_version}&timeoutSeconds=60",
            headers=headers,
        )
        response = conn.getresponse()
        while received[index] < total:
            line = response.readline()
            if not line:
                break
            received[index] += 1
        conn.close()

    def writer(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", cluster.port, timeout=60)
        for n in range(per_writer):
            body = json.dumps({"metadata": {"name": f"s-{index}-{n}"}, "stringData": {"k": "v"}})
            conn.request("POST", "/api/v1/namespaces/bench/secrets", body=body, headers=headers)
            conn.getresponse().read()
        conn.close()

    watchers = [threading.Thread(target=watcher, args=(i,), daemon=True) for i in range(3)]
    for t in watchers:
        t.start()
    time.sleep(0.3)
    t0 = time.perf_counter()
    writer_threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for t in writer_threads:
        t.start()
    for t in writer_threads:
        t.join()
    wrote = time.perf_counter() - t0
    for t in watchers:
        t.join(60)
    elapsed = time.perf_counter() - t0
    print(
        f"HTTP: {total} creates from {writers} keep-alive connections in {wrote:.2f} s = {total / wrote:,.0f}/s; "
        f"3 watchers had all events after {elapsed:.2f} s; received {received}"
    )


if __name__ == "__main__":
    main()
