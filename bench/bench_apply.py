"""Apply round-trips against the sandbox: preview (dry-run SSA + diffs), a full ordered apply with waits, a no-op
re-apply, and single server-side-apply calls.

    python bench/bench_apply.py [--speed 50] [--rounds 50]

The waits are bounded by the simulated controllers (their delays divided by --speed); the per-call figures are
the client + API server cost. Figures only; no asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from raywizard.documents.presets import load_preset
from raywizard.kube import resources
from raywizard.kube.apply import execute_apply, plan_apply
from raywizard.kube.connection import load_connection
from raywizard.render import applications as manifests
from raywizard.sandbox.cluster import SandboxCluster


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed", type=float, default=50.0)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    spec = load_preset("argocd-guide")
    with SandboxCluster(speed=args.speed) as sandbox, tempfile.TemporaryDirectory() as tmp:
        conn = load_connection(str(sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")))
        seconds, plan = timed(plan_apply, conn, spec)
        print(f"preview from empty (3 dry-run SSA + diffs + RayCluster render): {seconds * 1000:7.1f} ms")
        seconds, result = timed(execute_apply, conn, plan, timeout=300, poll_interval=0.1)
        print(
            f"apply from empty to Ray ready (speed {args.speed:g}):            {seconds:7.2f} s  "
            + ", ".join(f"{s.step} {s.seconds:.2f} s" for s in result.steps)
        )
        seconds, plan = timed(plan_apply, conn, spec)
        print(f"preview, nothing to change:                                  {seconds * 1000:7.1f} ms")
        seconds, result = timed(execute_apply, conn, plan, timeout=60, poll_interval=0.1)
        print(
            f"re-apply (no-op, waits already satisfied):                   {seconds * 1000:7.1f} ms  "
            f"({', '.join(s.outcome for s in result.steps)})"
        )
        body = manifests.render_applications(spec)[2]
        for dry_run in (True, False):
            samples = []
            for _ in range(args.rounds):
                seconds, _ = timed(resources.server_side_apply, conn, resources.APPLICATIONS, body, dry_run=dry_run)
                samples.append(seconds * 1000)
            label = "dry-run SSA" if dry_run else "SSA (no-op)"
            print(
                f"{label} of the RayCluster Application, {args.rounds} calls: median "
                f"{statistics.median(samples):.1f} ms, p95 {sorted(samples)[int(len(samples) * 0.95) - 1]:.1f} ms"
            )
        conn.close()


if __name__ == "__main__":
    main()
