"""Every subcommand's --help ends with examples that run the subcommand itself."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from raywizard.cli.main import COMMAND_MODULES, build_parser


@pytest.mark.parametrize("module_name", COMMAND_MODULES)
def test_help_has_examples(module_name: str) -> None:
    module = importlib.import_module(f"raywizard.cli.commands.{module_name}")
    command = getattr(module, "NAME", module_name.replace("_", "-"))
    examples = getattr(module, "EXAMPLES", None) or ""
    assert examples.strip(), f"raywizard {command}: EXAMPLES is missing or empty"
    assert examples.lstrip().startswith("examples:"), f"raywizard {command}: EXAMPLES should start 'examples:'"
    invocations = [line.split() for line in examples.splitlines() if line.strip().startswith("raywizard")]
    assert invocations, f"raywizard {command}: no example line starts with 'raywizard'"

    def runs_command(words: list[str]) -> bool:
        if words[1:2] == [command]:
            return True
        # The wizard is also the default: `raywizard` and `raywizard --offline` run it.
        return command == "wizard" and (len(words) == 1 or words[1].startswith("-"))

    assert any(runs_command(words) for words in invocations), \
        f"raywizard {command}: no example runs `raywizard {command} ...`"
    assert "examples:" in _subparser(command).format_help(), \
        f"raywizard {command} --help does not show its examples"


def _subparser(command: str):
    import argparse

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[command]
    raise AssertionError("no subcommands")


def test_top_level_help_is_fast_enough_to_import_nothing_heavy() -> None:
    """`raywizard --help` must not import textual, kubernetes, questionary or jq (start-up time)."""
    code = ("import sys; from raywizard.cli.main import build_parser; build_parser().format_help(); "
            "print(','.join(m for m in ('textual', 'kubernetes', 'questionary', 'jq') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == ""
