"""`raywizard completion`: scripts generated from the parser complete real words in real shells."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from raywizard.cli.commands.completion import describe, generate
from raywizard.cli.main import build_parser

BIN = Path(sys.executable).parent  # the venv's bin: `raywizard` is there for the --list call-backs


def shell_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture(scope="module")
def scripts() -> dict[str, str]:
    parser = build_parser()
    return {shell: generate(shell, parser) for shell in ("bash", "zsh", "fish")}


def test_every_subcommand_and_option_is_in_every_script(scripts: dict[str, str]) -> None:
    top, subcommands = describe(build_parser())
    assert "init" in top.positional and "completion" in top.positional
    init = next(c for c in subcommands if c.name == "init")
    assert {"--preset", "--set", "--yes", "--output", "--layout", "--diff", "--apply"} <= {
        f for o in init.options for f in o.flags}
    for shell, text in scripts.items():
        for command in subcommands:
            assert command.name in text, (shell, command.name)
        assert ("-l ignore-differences" if shell == "fish" else "--ignore-differences") in text
        assert "--list presets" in text
        assert "--list" not in {f for c in subcommands for o in c.options for f in o.flags}  # hidden


def bash_complete(script: Path, *words: str) -> list[str]:
    program = (f"source {script}\n"
               'COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _raywizard; '
               'printf "%s\\n" "${COMPREPLY[@]}"')
    done = subprocess.run(["bash", "-c", program, "bash", "raywizard", *words], env=shell_env(),
                          capture_output=True, text=True, timeout=30, check=True)
    return [line for line in done.stdout.splitlines() if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash(scripts: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "raywizard.bash"
    script.write_text(scripts["bash"])
    assert bash_complete(script, "va") == ["validate"]
    assert bash_complete(script, "init", "--la") == ["--layout"]
    assert bash_complete(script, "init", "--layout", "") == ["single", "split"]
    assert "argocd-guide" in bash_complete(script, "init", "--preset", "")
    assert bash_complete(script, "completion", "") == ["bash", "zsh", "fish"]
    assert bash_complete(script, "init", "--set", "image.t") == ["image.tag="]
    (tmp_path / "apps.yaml").write_text("")
    assert bash_complete(script, "init", "--from", str(tmp_path / "app")) == [str(tmp_path / "apps.yaml")]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish(scripts: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "raywizard.fish"
    script.write_text(scripts["fish"])

    def complete(line: str) -> list[str]:
        done = subprocess.run(["fish", "--no-config", "-c", f"source {script}; complete -C{line!r}"],
                              env=shell_env(), capture_output=True, text=True, timeout=30, check=True)
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert complete("raywizard va") == ["validate"]
    assert complete("raywizard init --layout ") == ["single", "split"]
    assert "argocd-guide" in complete("raywizard init --preset ")
    assert sorted(complete("raywizard completion ")) == ["bash", "fish", "zsh"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_script_parses(scripts: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "_raywizard"
    script.write_text(scripts["zsh"])
    subprocess.run(["zsh", "-n", str(script)], check=True, timeout=30)
    # Loading it under compinit defines the function and registers it, without errors.
    program = (f"autoload -U compinit; compinit -u -d {tmp_path}/zcompdump; source {script}; "
               "print $_comps[raywizard]")
    done = subprocess.run(["zsh", "-f", "-c", program], env=shell_env(), capture_output=True, text=True,
                          timeout=30)
    assert done.stdout.strip() == "_raywizard", done.stderr


def test_list_call_back_and_missing_shell(capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli.main import main

    assert main(["completion", "--list", "presets"]) == 0
    assert "argocd-guide" in capsys.readouterr().out.split()
    assert main(["completion"]) == 2
    assert "raywizard completion bash" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_interactively(scripts: dict[str, str], tmp_path: Path) -> None:
    import pexpect

    (tmp_path / "_raywizard").write_text(scripts["zsh"])
    env = {**shell_env(), "TERM": "dumb", "HOME": str(tmp_path)}
    child = pexpect.spawn("zsh", ["-f", "-i"], env=env, encoding="utf-8", dimensions=(40, 200), timeout=20)
    try:
        child.sendline(f"fpath=({tmp_path} $fpath); autoload -U compinit; compinit -u; PS1='READY> '")
        child.expect_exact("READY> ")
        child.send("raywizard va\t")
        child.expect_exact("validate")
        child.send("\x03")
        child.expect_exact("READY> ")
        child.send("raywizard init --layout \t")
        child.expect_exact("--layout s")  # the common prefix first, the list on the second Tab
        child.send("\t")
        child.expect(r"single\s+split")
        child.send("\x03")
        child.expect_exact("READY> ")
        child.send("raywizard completion \t")
        child.expect(r"bash\s+fish\s+zsh")
    finally:
        child.terminate(force=True)
