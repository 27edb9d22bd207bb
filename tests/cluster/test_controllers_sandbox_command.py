"""`raywizard sandbox` in the foreground: prints the kubeconfig, serves kubectl, stops cleanly on a signal."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest


def test_sandbox_command_serves_kubectl_and_stops(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "raywizard",
            "sandbox",
            "--speed",
            "20",
            "--kubeconfig",
            str(kubeconfig),
            "--load",
            "steady",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    banner: list[str] = []
    try:
        assert process.stdout is not None
        # The banner's last line comes after the kubeconfig is written: then the sandbox serves.
        for line in process.stdout:
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        assert kubeconfig.exists(), "".join(banner)
        if shutil.which("kubectl"):
            done = subprocess.run(
                ["kubectl", "--kubeconfig", str(kubeconfig), "get", "nodes"], capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, done.stderr
            assert "sandbox-node-1" in done.stdout
    finally:
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=20)
    out = "".join(banner) + rest
    assert process.returncode == 0, err
    assert f"kubeconfig: {kubeconfig}" in out
    assert "kubectl get applications -n argocd" in out
    assert out.rstrip().endswith("sandbox stopped.")


def test_sandbox_command_rejects_a_bad_speed(capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli import main as cli

    assert cli.main(["sandbox", "--speed", "0"]) != 0
    assert "--speed must be positive" in capsys.readouterr().err
