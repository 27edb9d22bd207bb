"""Helpers for driving `raywizard init` through a pseudo-terminal."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]")
CTRL_U = "\x15"  # prompt_toolkit (emacs keys): delete from the cursor back to the line start
DOWN = "\x1b[B"


def plain(text: str) -> str:
    return ANSI.sub("", text)


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


def answer_text(child: pexpect.spawn, prompt: str, value: str) -> None:
    """Wait for a text question and replace its default with ``value``."""
    child.expect_exact(prompt)
    child.send(CTRL_U + value + "\r")


def finish(child: pexpect.spawn) -> None:
    """Answer "Done" to the after-save menu (offered when the cluster code is installed) and wait for exit."""
    index = child.expect_exact(["Next:", pexpect.EOF])
    if index == 0:
        child.send("\r")
        child.expect(pexpect.EOF)
    child.close()
