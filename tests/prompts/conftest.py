"""The `spawn_init` fixture: `raywizard init` in a pseudo-terminal (helpers in ``pty_helpers.py``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest


@pytest.fixture
def spawn_init(tmp_path: Path):
    """Start `python -m raywizard init ARGS` in a pty (fixed size, TERM=xterm) in ``tmp_path``."""
    children: list[pexpect.spawn] = []

    def start(*args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
        environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        environment.update({"TERM": "xterm", "COLUMNS": "120", "LINES": "40", "PYTHONUNBUFFERED": "1",
                            # A pty from pexpect never answers cursor-position requests: do not wait for them.
                            "PROMPT_TOOLKIT_NO_CPR": "1"})
        environment.update(env or {})
        child = pexpect.spawn(sys.executable, ["-m", "raywizard", "init", *args], env=environment,
                              cwd=str(tmp_path), dimensions=(40, 120), timeout=20, encoding="utf-8",
                              codec_errors="replace")
        child.logfile_read = open(tmp_path / "pty.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
        children.append(child)
        return child

    yield start
    for child in children:
        if child.isalive():
            child.terminate(force=True)
        child.logfile_read.close()
