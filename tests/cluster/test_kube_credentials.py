"""Credentials against the sandbox: exec credential plugins (working, failing) and a first 401 that re-reads the
kubeconfig, through the real kubernetes client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from raywizard.kube.connection import load_connection
from raywizard.kube.resources import APPLICATIONS, list_custom
from raywizard.model.errors import InputError
from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.sandbox.kubeconfig import write_kubeconfig


def _server_and_token(sandbox: Any) -> tuple[str, str]:
    config = yaml.safe_load(Path(sandbox.kubeconfig_path).read_text(encoding="utf-8"))
    return config["clusters"][0]["cluster"]["server"], config["users"][0]["user"]["token"]


def _plugin(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "credential-plugin"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def _exec_kubeconfig(tmp_path: Path, server: str, plugin: Path) -> Path:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "prod",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "contexts": [{"name": "prod", "context": {"cluster": "c", "user": "sso"}}],
        "users": [{"name": "sso", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(plugin),
            "interactiveMode": "Never"}}}],
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_a_working_exec_plugin_supplies_the_token(sandbox: Any, tmp_path: Path) -> None:
    server, token = _server_and_token(sandbox)
    credential = {"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                  "status": {"token": token}}
    plugin = _plugin(tmp_path, f"echo '{json.dumps(credential)}'")
    connection = load_connection(str(_exec_kubeconfig(tmp_path, server, plugin)))
    try:
        assert "items" in list_custom(connection, APPLICATIONS, "argocd")
    finally:
        connection.close()


def test_a_failing_exec_plugin_is_one_error_naming_the_context_and_the_plugin(
        sandbox: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    server, _token = _server_and_token(sandbox)
    plugin = _plugin(tmp_path, "echo \"error: token expired; run 'sso login'\" >&2\nexit 1")
    with pytest.raises(InputError) as raised:
        load_connection(str(_exec_kubeconfig(tmp_path, server, plugin)))
    message = str(raised.value)
    assert "context 'prod'" in message and str(plugin) in message and "sso login" in message
    assert "ERROR:root" not in capfd.readouterr().err  # the client's raw log line is not printed


def test_the_cli_reports_a_failing_exec_plugin_without_a_raw_log_line(sandbox: Any, tmp_path: Path) -> None:
    server, _token = _server_and_token(sandbox)
    plugin = _plugin(tmp_path, "echo 'error: no session' >&2\nexit 1")
    kubeconfig = _exec_kubeconfig(tmp_path, server, plugin)
    result = subprocess.run([sys.executable, "-m", "raywizard", "preflight", "--kubeconfig", str(kubeconfig)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 2
    assert "ERROR:root" not in result.stderr and "Traceback" not in result.stderr
    assert f"context 'prod': its credential plugin '{plugin}' failed" in result.stderr


def test_a_first_401_rereads_the_kubeconfig_and_asks_again(sandbox: Any, tmp_path: Path) -> None:
    server, token = _server_and_token(sandbox)
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server, "a-token-the-server-no-longer-takes")
    connection = load_connection(str(kubeconfig), SANDBOX_CONTEXT)
    try:
        write_kubeconfig(kubeconfig, server, token)  # a login tool (or a restarted server) wrote a new token
        assert "items" in list_custom(connection, APPLICATIONS, "argocd")
    finally:
        connection.close()
