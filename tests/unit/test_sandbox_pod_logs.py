"""The sandbox's default pod logs: Ray containers write Ray's lines, the KubeRay operator its JSON log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from raywizard.sandbox.podlogs import default_log_provider


def _pod(labels: dict[str, str]) -> dict[str, object]:
    started = (datetime.now(UTC) - timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"metadata": {"labels": labels, "creationTimestamp": started},
            "status": {"phase": "Running", "podIP": "10.244.0.7", "startTime": started}}


def test_the_operator_pod_logs_json_lines_of_the_operator_not_ray() -> None:
    lines = default_log_provider(_pod({"app.kubernetes.io/name": "kuberay-operator"}), "kuberay-operator")
    records = [json.loads(line) for line in lines]
    assert records[0]["logger"] == "setup"
    assert {"level", "ts", "msg"} <= set(records[0])
    assert any(r["msg"] == "Starting workers" and r.get("controller") == "raycluster-controller" for r in records)
    assert not any("Ray runtime" in line for line in lines)


def test_a_ray_worker_logs_ray_start_lines() -> None:
    lines = default_log_provider(_pod({"ray.io/node-type": "worker"}), "ray-worker")
    assert any("Ray runtime started." in line for line in lines)
