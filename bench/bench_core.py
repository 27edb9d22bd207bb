"""Core speed: render + validate + template of a 100-group spec, in-process (goal < 50 ms), and the whole
`raywizard --help` process (goal < 0.25 s). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_core.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from raywizard.documents.presets import load_preset
from raywizard.model.spec import Resources, WorkerGroup
from raywizard.render.applications import desired_raycluster, render_files
from raywizard.validation.validate import validate


def hundred_group_spec():  # type: ignore[no-untyped-def]
    spec = load_preset("large-autoscaling")
    spec.worker_groups = [
        WorkerGroup(f"group-{i:03d}", replicas=1, min_replicas=0, max_replicas=10, custom_resources={f"g{i}": 1},
                    resources=Resources(requests={"cpu": "2", "memory": "8Gi"}, limits={"cpu": "2", "memory": "8Gi"}))
        for i in range(100)
    ]
    return spec


def timed(fn, repeat: int = 20) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    spec = hundred_group_spec()
    assert not [p for p in validate(spec) if p.is_error]
    parts = {
        "validate": lambda: validate(spec),
        "render (3 Applications, YAML text)": lambda: render_files(spec),
        "template (RayCluster)": lambda: desired_raycluster(spec),
        "all three": lambda: (validate(spec), render_files(spec), desired_raycluster(spec)),
    }
    print("100 worker groups, in-process (ms, median / p95 of 20):")
    for name, fn in parts.items():
        samples = sorted(timed(fn))
        print(f"  {name:<36} {statistics.median(samples):7.1f} / {samples[int(len(samples) * 0.95) - 1]:7.1f}")
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "raywizard", "--help"], check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    print(f"raywizard --help, whole process: median {statistics.median(runs):.3f} s, min {min(runs):.3f} s "
          f"(goal < 0.25 s)")


if __name__ == "__main__":
    main()
