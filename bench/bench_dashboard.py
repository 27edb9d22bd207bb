"""Dashboard under load: how long until every pod is listed, key-to-frame latency, redraws per second, RSS and
idle CPU, with N pods and E events/s; beside it, in the same run, ``kubectl get pods -w`` and the kubernetes
client's default ``Watch().stream`` holding the same pods.

The sandbox runs in a child process (so RSS and CPU are the dashboard's own): its load generator creates the pods
in namespace ``load`` and emits events against them. The dashboard runs headless in this process, watching that
namespace through the real client, and Pilot presses cursor keys in the pods table while the stream runs.

- all listed: from the dashboard's first frame until the pods table holds every pod (and, within it, until the
  last page of the list had arrived: the sandbox API server runs in Python on the same cores);
- key-to-frame: from posting a key to the first frame that shows its effect (the cursor on the next row);
- redraws/s: frames the compositor produced per second while only data arrived (no keys);
- RSS: this process (the dashboard alone), after the run;
- idle CPU: this process's CPU time over wall time once the events stop and nothing changes.

Goals at 20,000 pods and 2,000 events/s: all listed within 5 s, p95 < 50 ms, <= 10 redraws/s, RSS < 250 MB,
idle CPU < 2 % of a core.

    python bench/bench_dashboard.py [--pods 20000] [--events 2000] [--seconds 20] [--churn 0] [--no-compare]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run_sandbox(kubeconfig: str, pods: int, events: int, churn: int, ready: Any, stop: Any, quiet: Any) -> None:
    from raywizard.sandbox.cluster import SandboxCluster

    cluster = SandboxCluster(speed=1.0).start()
    cluster.allow_anonymous = True  # kubectl never sends the token over plain http
    try:
        cluster.write_kubeconfig(kubeconfig)
        from raywizard.sandbox.store import ApiError

        for _attempt in range(20):
            # generateName can collide (5 random characters, 5,000 pods), as on a real API server: retry.
            missing = pods - len(cluster.store.list("pods", "load"))
            if missing <= 0:
                break
            try:
                cluster.generate_pods(missing)  # type: ignore[attr-defined]
            except ApiError:
                continue
        print(f"sandbox: {pods:,} pods created", file=sys.stderr, flush=True)
        # The sandbox stands in for a Go API server: its garbage collector scanning 20,000 stored pods (pauses of
        # a second under the event load) is not the dashboard's time.
        gc.collect()
        gc.freeze()
        cluster.set_event_rate(events)  # type: ignore[attr-defined]
        ready.set()
        quieted = False
        while not stop.wait(0.1):
            if quiet.is_set():
                if not quieted:
                    cluster.set_event_rate(0)  # type: ignore[attr-defined]
                    quieted = True
                continue
            if churn:
                replace_pods(cluster, max(1, churn // 10))
    finally:
        cluster.stop()


def replace_pods(cluster: Any, count: int) -> None:
    """Delete ``count`` load pods and create as many (pod churn, like a busy autoscaler)."""
    from raywizard.sandbox.store import ApiError

    for pod in cluster.store.list("pods", "load")[:count]:
        with contextlib.suppress(ApiError):
            cluster.store.delete("pods", "load", pod["metadata"]["name"])
    with contextlib.suppress(ApiError):  # a generateName collision: the next round makes up for it
        cluster.generate_pods(count)


def rss_mb(pid: str = "self") -> float:
    """The resident set of a live process (an exited one has none: that is an error, not this process's)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} has no resident set (it exited)")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


async def measure(kubeconfig: str, pods: int, seconds: float, quiet: Any) -> dict[str, Any]:
    from textual import events

    from raywizard.kube.connection import load_connection
    from raywizard.model.spec import ClusterSpec
    from raywizard.tui.dashboard import DashboardApp
    from raywizard.tui.dashboard.widgets.events import EventsLog
    from raywizard.tui.dashboard.widgets.pods import PodsTable

    spec = ClusterSpec()
    spec.target.namespace = "load"
    connection = load_connection(kubeconfig)
    app = DashboardApp(connection, spec)
    frames: list[float] = []
    latencies: list[float] = []
    pending: dict[str, Any] = {}
    original_display = app._display

    def display(screen: Any, renderable: Any) -> None:
        original_display(screen, renderable)
        if renderable is None:
            return
        now = time.perf_counter()
        frames.append(now)
        if pending and pending["table"].cursor_row == pending["row"]:
            latencies.append(now - pending["t0"])
            pending.clear()

    app._display = display  # type: ignore[method-assign]
    result: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.dashboard
        table = screen.query_one(PodsTable)

        started = time.perf_counter()
        received = None
        while len(table.cells_by_key) < pods and time.perf_counter() - started < 300:
            await pilot.pause(0.05)
            if received is None and screen.snapshot is not None and len(screen.snapshot.pods) >= pods:
                received = time.perf_counter()
        first_frame = frames[0] if frames else started
        result["load_seconds"] = time.perf_counter() - first_frame
        # The part of it spent before the last page of the list arrived (the API server's and the network's).
        result["received_seconds"] = (received or time.perf_counter()) - first_frame
        print(f"dashboard: {len(table.cells_by_key):,} pods listed", file=sys.stderr, flush=True)
        result["pods_shown"] = len(table.cells_by_key)
        result["rows_shown"] = table.row_count
        table.focus()
        await pilot.pause(1.0)

        # Redraws while only data arrives.
        frames.clear()
        screen.tick_seconds.clear()
        events_before = screen.query_one(EventsLog).total
        window_start = time.perf_counter()
        await asyncio.sleep(seconds / 2)
        window = time.perf_counter() - window_start
        result["redraws_per_s"] = len(frames) / window
        result["events_per_s_seen"] = (screen.query_one(EventsLog).total - events_before) / window

        # Key-to-frame: alternate down/up so the cursor stays near the top of 5,000 rows.
        deadline = time.perf_counter() + seconds / 2
        direction = "down"
        while time.perf_counter() < deadline:
            row = table.cursor_row
            target = row + 1 if direction == "down" else row - 1
            if target < 0:
                direction, target = "down", row + 1
            pending.update(table=table, row=target, t0=time.perf_counter())
            app.post_message(events.Key(direction, None))
            waited = 0.0
            while pending and waited < 2.0:
                await asyncio.sleep(0.005)
                waited += 0.005
            pending.clear()
            direction = "up" if direction == "down" else "down"
            await asyncio.sleep(0.05)
        result["rss_mb"] = rss_mb()
        result["tick_ms"] = [t * 1000 for t in screen.tick_seconds]

        # Idle: the events stop; once the last of them is drawn, nothing changes.
        quiet.set()
        log = screen.query_one(EventsLog)
        settled_at, seen = time.perf_counter(), log.total
        while time.perf_counter() - settled_at < 3.0:  # until no event arrived for 3 s (the backlog drained)
            await asyncio.sleep(0.5)
            if log.total != seen:
                settled_at, seen = time.perf_counter(), log.total
        print("dashboard: idle", file=sys.stderr, flush=True)
        frames.clear()
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        await asyncio.sleep(max(5.0, seconds / 3))
        wall = time.perf_counter() - wall_start
        result["idle_cpu_pct"] = (time.process_time() - cpu_start) / wall * 100
        result["idle_redraws_per_s"] = len(frames) / wall
    connection.close()
    result["latencies"] = latencies
    return result


CLIENT_WATCH = """
import sys, time
from kubernetes import client, config, watch
config.load_kube_config(sys.argv[1])
core = client.CoreV1Api()
pods, want, started = {}, int(sys.argv[2]), time.perf_counter()
for event in watch.Watch().stream(core.list_namespaced_pod, "load"):
    pods[event["object"].metadata.name] = event["object"]
    if len(pods) >= want:
        break
print(time.perf_counter() - started, flush=True)
sys.stdin.readline()
"""


def compare(kubeconfig: str, pods: int) -> dict[str, tuple[float, float] | str]:
    """(seconds until every pod was seen, RSS MB) of ``kubectl get pods -w`` and of the client's default watch,
    each holding the same pods (kubectl prints them; the client keeps the deserialised models), or why not."""
    import os
    import shutil
    import subprocess

    found: dict[str, tuple[float, float] | str] = {}
    if shutil.which("kubectl"):
        env = {**os.environ, "KUBECACHEDIR": str(Path(kubeconfig).parent / "kubectl-cache")}
        started = time.perf_counter()
        proc = subprocess.Popen(
            ["kubectl", "--kubeconfig", kubeconfig, "get", "pods", "-n", "load", "-w", "--no-headers"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        try:
            assert proc.stdout is not None
            seen = 0
            while seen < pods and proc.stdout.readline():
                seen += 1
            elapsed = time.perf_counter() - started
            if seen >= pods and proc.poll() is None:
                found["kubectl get pods -w"] = (elapsed, rss_mb(str(proc.pid)))
            else:
                proc.kill()
                error = proc.communicate()[1].strip().splitlines()
                found["kubectl get pods -w"] = f"failed after {seen:,} pods: {error[-1] if error else 'no output'}"
        finally:
            proc.kill()
            proc.wait()
    else:
        found["kubectl get pods -w"] = "kubectl is not on PATH"
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT_WATCH, kubeconfig, str(pods)],
        stdout=subprocess.PIPE, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line.strip() and proc.poll() is None:
            found["kubernetes Watch().stream"] = (float(line), rss_mb(str(proc.pid)))
        else:
            proc.kill()
            error = proc.communicate()[1].strip().splitlines()
            found["kubernetes Watch().stream"] = f"failed: {error[-1] if error else 'no output'}"
    finally:
        proc.kill()
        proc.wait()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--events", type=int, default=2000, help="events per second from the load generator")
    parser.add_argument("--seconds", type=float, default=20.0, help="measurement time (data, keys, idle)")
    parser.add_argument("--churn", type=int, default=0, help="pods deleted and created per second (0: none)")
    parser.add_argument("--no-compare", action="store_true", help="skip kubectl and the client's default watch")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ready, stop, quiet = context.Event(), context.Event(), context.Event()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = str(Path(tmp) / "kubeconfig")
        sandbox = context.Process(
            target=run_sandbox, args=(kubeconfig, args.pods, args.events, args.churn, ready, stop, quiet)
        )
        sandbox.start()
        try:
            if not ready.wait(600):
                print("sandbox did not come up", file=sys.stderr)
                return 1
            result = asyncio.run(measure(kubeconfig, args.pods, args.seconds, quiet))
            others = {} if args.no_compare else compare(kubeconfig, args.pods)
        finally:
            stop.set()
            sandbox.join(30)
            if sandbox.is_alive():
                sandbox.terminate()

    latencies_ms = [value * 1000 for value in result["latencies"]]
    print(f"{args.pods:,} pods, {args.events:,} events/s")
    print(
        f"pods: {result['pods_shown']:,} shown ({result['rows_shown']:,} rows) all listed "
        f"{result['load_seconds']:.1f} s after the first frame  (goal < 5 s; the list was in after "
        f"{result['received_seconds']:.1f} s); "
        f"events: {result['events_per_s_seen']:,.0f}/s reached the dashboard"
    )
    if latencies_ms:
        print(
            f"key-to-frame: n={len(latencies_ms)} p50={statistics.median(latencies_ms):.1f} ms "
            f"p95={percentile(latencies_ms, 95):.1f} ms max={max(latencies_ms):.1f} ms  (goal p95 < 50 ms)"
        )
    else:
        print("key-to-frame: no samples")
    print(f"redraws: {result['redraws_per_s']:.1f}/s while data streams  (goal <= 10/s)")
    ticks = result["tick_ms"]
    if ticks:
        print(
            f"UI batch (tick) time: n={len(ticks)} p50={statistics.median(ticks):.1f} ms "
            f"p95={percentile(ticks, 95):.1f} ms max={max(ticks):.1f} ms"
        )
    print(f"RSS: {result['rss_mb']:.0f} MB  (goal < 250 MB)")
    print(
        f"idle: {result['idle_cpu_pct']:.1f} % of a core, {result['idle_redraws_per_s']:.1f} redraws/s "
        "(goal < 2 %)"
    )
    for label, figures in others.items():
        if isinstance(figures, str):
            print(f"{label}: {figures}")
        else:
            seconds, rss = figures
            print(f"{label}: all {args.pods:,} pods in {seconds:.1f} s, RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
