"""Preflight against the sandbox: the checks run at once, progress per check, a fixed result order, and no
contradictory "apply will create it" when Argo CD is missing."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.kube.connection import load_connection
from raywizard.kube.preflight import Check, check_names, run_preflight
from raywizard.sandbox.cluster import SandboxCluster


def test_checks_run_concurrently_and_report_progress(sandbox: SandboxCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    in_flight = 0
    most = 0
    lock = threading.Lock()
    original = sandbox.faults.before

    def slow_before(*args: Any, **kwargs: Any) -> None:
        """Every request takes 0.3 s on the server; count how many are in flight at once."""
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        try:
            time.sleep(0.3)  # the slowness under test: overlapping requests show as several in flight at once
            original(*args, **kwargs)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(sandbox.faults, "before", slow_before)
    spec = load_preset("argocd-guide")
    conn = load_connection(str(sandbox.kubeconfig_path))
    finished: list[str] = []
    started = time.monotonic()
    try:
        checks = run_preflight(conn, spec, on_check=lambda name, _checks: finished.append(name))
    finally:
        conn.close()
    elapsed = time.monotonic() - started
    print(f"preflight with 0.3 s per request: {elapsed:.1f} s, up to {most} requests at once")
    assert sorted(finished) == sorted(check_names(spec))  # progress: one report per check
    assert most >= 5, most  # sequential would be 1
    names = [c.name for c in checks]
    assert names[:5] == ["API server", "Argo CD", "Argo CD namespace", "RayCluster CRD", "target namespace"]
    assert all(isinstance(c, Check) for c in checks)


def test_without_argo_cd_the_application_checks_are_not_ok(tmp_path: Any) -> None:
    cluster = SandboxCluster(argocd=False, controllers=False).start()
    try:
        cluster.write_kubeconfig(tmp_path / "kubeconfig")
        conn = load_connection(str(cluster.kubeconfig_path))
        try:
            checks = run_preflight(conn, load_preset("argocd-guide"))
        finally:
            conn.close()
    finally:
        cluster.stop()
    by_name = {c.name: c for c in checks}
    assert by_name["Argo CD"].status == "fail"
    assert not any(c.name.startswith("Application ") for c in checks)
    assert by_name["Applications"].status == "warn" and "Argo CD is not installed" in by_name["Applications"].detail
