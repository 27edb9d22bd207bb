"""Event ingestion: raw-JSON ResilientWatch into ClusterState vs the client's default model-deserialising Watch.

    python bench/bench_watch.py [--pods 20000]

Goals: >= 20,000 events/s into ClusterState, and >= 5x the client's ``Watch().stream`` on the same
stream. Three measurements, each on the same watch stream of N Ray-worker-like pods (ADDED events):
  1. in-process: the captured stream bytes fed to our consumer vs to ``kubernetes.watch.Watch`` (no network);
  2. over HTTP from the sandbox API server: ``ResilientWatch`` vs ``Watch().stream`` (server cost included).
Figures only; no asserts.
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from raywizard.kube.state import ClusterState
from raywizard.kube.watch import ResilientWatch, tune_gc
from raywizard.sandbox.cluster import SandboxCluster

NS = "bench"
HTTP_NS = "bench-http"


def ray_pod(i: int) -> dict[str, Any]:
    group = f"group-{i % 4}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"raycluster-kuberay-{group}-worker-{i:06d}",
            "labels": {
                "ray.io/cluster": "raycluster-kuberay",
                "ray.io/group": group,
                "ray.io/node-type": "worker",
                "ray.io/is-ray-node": "yes",
                "app.kubernetes.io/name": "kuberay",
                "app.kubernetes.io/created-by": "kuberay-operator",
            },
        },
        "spec": {
            "nodeName": f"sandbox-node-{i % 3 + 1}",
            "containers": [
                {
                    "name": "ray-worker",
                    "image": "rayproject/ray:2.46.0",
                    "args": ["ulimit -n 65536; ray start --address=raycluster-kuberay-head-svc:6379 --block"],
                    "env": [{"name": f"RAY_ENV_{k}", "value": f"value-{k}"} for k in range(8)],
                    "resources": {"requests": {"cpu": "1", "memory": "1G"}, "limits": {"cpu": "1", "memory": "1G"}},
                    "ports": [{"containerPort": 8080, "name": "metrics", "protocol": "TCP"}],
                }
            ],
        },
        "status": {
            "phase": "Running",
            "podIP": f"10.244.{i // 250 % 250}.{i % 250 + 2}",
            "hostIP": "172.18.0.2",
            "conditions": [
                {"type": t, "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}
                for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
            ],
            "containerStatuses": [
                {
                    "name": "ray-worker",
                    "ready": True,
                    "restartCount": 0,
                    "started": True,
                    "image": "rayproject/ray:2.46.0",
                    "imageID": "docker-pullable://sha256:abc",
                    "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}},
                }
            ],
        },
    }


class ReplayResponse:
    """A urllib3-like response replaying captured bytes in 64 KiB chunks."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, amt: Any = None, decode_content: bool = False) -> Any:
        for start in range(0, len(self.data), 65536):
            yield self.data[start : start + 65536]

    def release_conn(self) -> None:
        pass

    def close(self) -> None:
        pass


def capture_stream(core: Any) -> bytes:
    response = core.list_namespaced_pod(NS, watch=True, resource_version="0", timeout_seconds=2, _preload_content=False)
    chunks = list(response.stream(amt=None, decode_content=False))
    response.release_conn()
    return b"".join(chunks)


def ours_in_process(data: bytes, state: ClusterState | None = None) -> tuple[float, int]:
    tune_gc()  # what ResilientWatch.start() does
    state = state if state is not None else ClusterState()
    watch = ResilientWatch(lambda *a, **k: None, kind="pods", state=state)
    started = time.perf_counter()
    watch._consume(ReplayResponse(data))
    return time.perf_counter() - started, watch.events


def steady_state(data: bytes) -> tuple[float, int]:
    """The same pods changing again (new resourceVersions) in a state that already holds them all."""
    state = ClusterState()
    ours_in_process(data, state)
    modified = data.replace(b'"type":"ADDED"', b'"type":"MODIFIED"').replace(
        b'"resourceVersion":"', b'"resourceVersion":"9'
    )
    return ours_in_process(modified, state)


def client_in_process(data: bytes) -> tuple[float, int]:
    from kubernetes import watch

    def list_pods(*args: Any, **kwargs: Any) -> Any:
        """:return: V1PodList"""
        return ReplayResponse(data)

    store: dict[str, Any] = {}
    started = time.perf_counter()
    for event in watch.Watch(return_type="V1Pod").stream(list_pods, timeout_seconds=1):  # one pass, no re-watch
        obj = event["object"]
        store[f"{obj.metadata.namespace}/{obj.metadata.name}"] = obj
    return time.perf_counter() - started, len(store)


def ours_over_http(core: Any, expected: int, namespace: str) -> tuple[float, int]:
    """Time until the N-th event is in the state (the server then keeps the stream open until its timeout)."""
    import threading

    tune_gc()  # what ResilientWatch.start() does
    state = ClusterState()
    watch = ResilientWatch(core.list_namespaced_pod, namespace, kind="pods", state=state, timeout_seconds=30)
    watch.resource_version = "0"  # replay the current state as ADDED events, like the client run below
    started = time.perf_counter()
    thread = threading.Thread(target=watch._watch_once, daemon=True)
    thread.start()
    while watch.events < expected and thread.is_alive():
        time.sleep(0.001)
    elapsed = time.perf_counter() - started
    watch.stop()
    return elapsed, len(state.snapshot().pods)


def client_over_http(core: Any, expected: int, namespace: str) -> tuple[float, int]:
    from kubernetes import watch

    store: dict[str, Any] = {}
    stream = watch.Watch()
    started = time.perf_counter()
    for event in stream.stream(core.list_namespaced_pod, namespace, resource_version="0", timeout_seconds=30):
        obj = event["object"]
        store[f"{obj.metadata.namespace}/{obj.metadata.name}"] = obj
        if len(store) >= expected:
            break
    elapsed = time.perf_counter() - started
    stream.stop()
    return elapsed, len(store)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pods", type=int, default=20000)
    # Over HTTP the sandbox server shares this process with both clients: a smaller set keeps that part quick.
    parser.add_argument("--http-pods", type=int, default=3000)
    parser.add_argument("--client-replay", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--ours-replay", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours_replay:
        replay = Path(args.ours_replay).read_bytes()
        seconds, count = min(ours_in_process(replay) for _ in range(3))
        print(seconds, count)
        return
    if args.client_replay:
        seconds, count = client_in_process(Path(args.client_replay).read_bytes())
        print(seconds, count)
        return
    from kubernetes import client, config

    with SandboxCluster(controllers=False) as sandbox, tempfile.TemporaryDirectory() as tmp:
        kubeconfig = sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")
        sandbox.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        sandbox.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": HTTP_NS}})
        for i in range(args.pods):
            sandbox.store.create("pods", ray_pod(i), namespace=NS)
        for i in range(args.http_pods):
            sandbox.store.create("pods", ray_pod(i), namespace=HTTP_NS)
        api = config.new_client_from_config(str(kubeconfig))
        core = client.CoreV1Api(api)
        data = capture_stream(core)
        lines = data.count(b"\n")
        print(f"stream: {lines} events, {len(data) / 1e6:.1f} MB ({len(data) / max(1, lines):.0f} B/event)")
        # Over HTTP: the in-process sandbox server shares this process's CPU and heap with the client.
        ours_s, ours_n = ours_over_http(core, args.http_pods, HTTP_NS)
        theirs_s, theirs_n = client_over_http(core, args.http_pods, HTTP_NS)
        api.close()
    report("over HTTP (server in-process)", ours_s, ours_n, theirs_s, theirs_n)
    # In-process replay of the same bytes, with the sandbox gone (as in `raywizard status --watch`).
    del sandbox
    gc.collect()
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as stream_file:
        stream_file.write(data)
        stream_file.flush()
        # The client as it ships (default GC settings), in a fresh process: the GC tuning below is process-wide.
        output = subprocess.run(
            [sys.executable, __file__, "--client-replay", stream_file.name], capture_output=True, text=True, check=True
        ).stdout.split()
        default_s, default_n = float(output[0]), int(output[1])
        # Ours in a fresh process as well: this one still holds the sandbox's heap, which slows any GC.
        output = subprocess.run(
            [sys.executable, __file__, "--ours-replay", stream_file.name], capture_output=True, text=True, check=True
        ).stdout.split()
        fresh_s, fresh_n = float(output[0]), int(output[1])
    report("in-process replay, each side in a fresh process", fresh_s, fresh_n, default_s, default_n)
    runs = []
    for _ in range(3):
        runs.append(ours_in_process(data))
        gc.collect()
    ours_s, ours_n = min(runs)
    report(
        "in-process replay in this process (sandbox heap around) vs the client as it ships",
        ours_s,
        ours_n,
        default_s,
        default_n,
    )
    theirs_s, theirs_n = client_in_process(data)
    report("in-process replay in this process, the client with our GC tuning too", ours_s, ours_n, theirs_s, theirs_n)
    seconds, count = steady_state(data)
    print(f"steady state (all {count} pods MODIFIED again, state already full): {count / seconds:,.0f} events/s")


def report(label: str, ours_s: float, ours_n: int, theirs_s: float, theirs_n: int) -> None:
    print(f"{label}:")
    print(f"  raywizard ResilientWatch -> ClusterState (raw JSON): {ours_n / ours_s:>9,.0f} events/s ({ours_s:.2f} s)")
    print(
        f"  kubernetes Watch().stream -> V1Pod models:           {theirs_n / theirs_s:>9,.0f} events/s "
        f"({theirs_s:.2f} s)"
    )
    print(f"  speed-up: {theirs_s / ours_s * ours_n / max(1, theirs_n):.1f}x")


if __name__ == "__main__":
    main()
