"""Keystrokes and helpers for driving `raywizard init` through a pseudo-terminal."""

from __future__ import annotations

import re

import pexpect

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]")
CTRL_U = "\x15"  # prompt_toolkit (emacs keys): delete from the cursor back to the line start


def plain(text: str) -> str:
    return ANSI.sub("", text)


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
