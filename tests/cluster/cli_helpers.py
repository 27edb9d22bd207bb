"""Running raywizard's CLI in-process against a sandbox, as the cluster tests do."""

from __future__ import annotations

import re

import pytest

from raywizard.cli import main as cli
from raywizard.sandbox.cluster import SandboxCluster

# What socketserver prints when a client resets a keep-alive connection of the in-process sandbox server.
SERVER_NOISE = re.compile(r"-{40}\nException occurred during processing of request.*?\n-{40}\n", re.S)


def raywizard(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``raywizard ARGS --kubeconfig <the sandbox's>``: (exit code, stdout, stderr); never a traceback."""
    capsys.readouterr()
    code = cli.main([*args, "--kubeconfig", str(cluster.kubeconfig_path)])
    out, err = capsys.readouterr()
    err = SERVER_NOISE.sub("", err)
    assert "Traceback" not in out + err
    return code, out, err
