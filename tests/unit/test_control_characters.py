"""A file full of terminal escapes (ESC, BEL, OSC, CSI, C1) and Rich markup, through every command that reads a
file: nothing raw reaches the terminal, and nothing ends in a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from raywizard.documents.presets import bundled_dir

HOSTILE = "\x1b[2J\x1b]0;pwned\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\[red]x[/]\x9b31m\x08\r\x00"
_RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _q(text: str) -> str:
    return json.dumps(text)  # a double-quoted YAML scalar with \u escapes


def _values(tmp_path: Path) -> Path:
    h = _q(HOSTILE)
    path = tmp_path / "values.yaml"
    path.write_text(
        f"image:\n  repository: {_q('rayproject/ray' + HOSTILE)}\n  tag: {h}\n"
        f"head:\n  rayStartParams:\n    num-cpus: {h}\n"
        f"worker:\n  groupName: {h}\n  replicas: {h}\n  disabled: {h}\n"
        f"additionalWorkerGroups:\n  {h}:\n    replicas: 1\n    rayStartParams:\n      resources: {h}\n"
        f"{h}: 1\n", encoding="utf-8")
    return path


def _applications(tmp_path: Path, *, typed: bool) -> Path:
    text = (bundled_dir() / "argocd-guide.yaml").read_text(encoding="utf-8")
    text = text.replace("name: raycluster\n", f"name: {_q(HOSTILE)}\n")
    text = text.replace("namespace: ray-cluster\n", f"namespace: {_q(HOSTILE)}\n")
    if not typed:
        text = text.replace("syncOptions:\n", f"syncOptions: {_q(HOSTILE)}\n  x:\n", 1)
    path = tmp_path / ("apps.yaml" if typed else "apps-wrong-types.yaml")
    path.write_text(text, encoding="utf-8")
    return path


def _kind(tmp_path: Path) -> Path:
    path = tmp_path / "kind.yaml"
    path.write_text(f"apiVersion: v1\nkind: {_q(HOSTILE)}\n", encoding="utf-8")
    return path


def _bad_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\n" + HOSTILE.encode() + b": [\n")
    return path


COMMANDS = [
    ["validate"],
    ["validate", "-o", "json"],
    ["render", "-o", "-"],
    ["render", "--force", "-o", "OUT"],
    ["template"],
    ["init", "--yes", "-o", "OUT"],
    ["diff"],
    ["apply", "--dry-run"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_no_raw_control_character_reaches_the_terminal(tmp_path: Path, command: list[str]) -> None:
    env = {**os.environ, "NO_COLOR": "1", "KUBECONFIG": str(tmp_path / "no-kubeconfig"), "COLUMNS": "100"}
    env.pop("RAYWIZARD_DEBUG", None)
    inputs: list[list[Any]] = [["--values", _values(tmp_path)], ["--from", _applications(tmp_path, typed=True)],
              ["--from", _applications(tmp_path, typed=False)], ["--from", _kind(tmp_path)],
              ["--values", _kind(tmp_path)], ["--from", _bad_yaml(tmp_path)], ["--values", _bad_yaml(tmp_path)]]
    for flag, path in inputs:
        args = [str(tmp_path / "out.yaml") if a == "OUT" else a for a in command]
        result = subprocess.run([sys.executable, "-m", "raywizard", *args, flag, str(path)], env=env,
                                capture_output=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
        for name, data in (("stdout", result.stdout), ("stderr", result.stderr)):
            text = data.decode("utf-8")
            raw = _RAW.search(text.replace("\n", "").replace("\t", ""))
            assert raw is None, f"{command} {flag} {path.name}: raw {raw.group()!r} on {name}: {text[:400]!r}"
        assert "Traceback" not in result.stderr.decode(), result.stderr.decode()
        assert result.returncode in (0, 1, 2), (command, flag, path.name, result.stderr.decode())


def _kubeconfig(tmp_path: Path) -> Path:
    """Names from a kubeconfig are shown by contexts, preflight and every cluster command's banner."""
    h = _q(HOSTILE)
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: {h}\n  cluster: {{server: 'http://127.0.0.1:9'}}\n"
        f"contexts:\n- name: {h}\n  context: {{cluster: {h}, user: {h}, namespace: {h}}}\n"
        f"current-context: {h}\nusers:\n- name: {h}\n  user: {{token: abc}}\n", encoding="utf-8")
    return path


# Never started here: they serve until interrupted (sandbox) or open a terminal UI; the wizard, dashboard and
# demo refuse to start without a terminal, which is what they do in this test.
_LONG_RUNNING = {"sandbox"}


def _every_command() -> list[str]:
    from raywizard.cli.main import _load_commands

    return [name for name in _load_commands() if name not in _LONG_RUNNING]


@pytest.mark.parametrize("name", _every_command())
def test_every_command_shows_file_kubeconfig_and_preset_text_literally(tmp_path: Path, name: str) -> None:
    presets = tmp_path / "user-presets"
    presets.mkdir()
    preset = (bundled_dir() / "minimal.yaml").read_text(encoding="utf-8")
    (presets / "hostile.yaml").write_text(f"# description: {HOSTILE}\n{preset}", encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "KUBECONFIG": str(_kubeconfig(tmp_path)), "COLUMNS": "100",
           "RAYWIZARD_USER_PRESETS_DIR": str(presets)}
    env.pop("RAYWIZARD_DEBUG", None)
    help_text = subprocess.run([sys.executable, "-m", "raywizard", name, "--help"], env=env, capture_output=True,
                               text=True, timeout=120, check=False).stdout
    runs = [[name]]
    if "--from" in help_text:
        runs.append([name, "--from", str(_applications(tmp_path, typed=True))])
    if name == "completion":
        runs = [[name, "bash"]]
    for args in runs:
        result = subprocess.run([sys.executable, "-m", "raywizard", *args], env=env, cwd=tmp_path,
                                capture_output=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
        for stream, data in (("stdout", result.stdout), ("stderr", result.stderr)):
            text = data.decode("utf-8")
            raw = _RAW.search(text.replace("\n", "").replace("\t", ""))
            assert raw is None, f"{args}: raw {raw.group()!r} on {stream}: {text[:400]!r}"
        assert "Traceback" not in result.stderr.decode(), result.stderr.decode()
        assert result.returncode != 70, (args, result.stderr.decode())  # an internal error is a bug
