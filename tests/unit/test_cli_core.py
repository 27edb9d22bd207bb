"""The core subcommands as a script uses them: real process, real exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import FIXTURES, GOLDEN


def raywizard(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "raywizard", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def test_render_argocd_guide_equals_the_guides_files() -> None:
    result = raywizard("render", "--preset", "argocd-guide", "-o", "-")
    assert result.returncode == 0, result.stderr
    expected = [yaml.safe_load((FIXTURES / n).read_text())
                for n in ("ray-operator-crds.yaml", "ray-operator.yaml", "raycluster.yaml")]
    assert list(yaml.safe_load_all(result.stdout)) == expected


def test_template_equals_the_golden_helm_renders() -> None:
    for name in ("seed", "gpu"):
        result = raywizard("template", "--values", str(GOLDEN / "values" / f"{name}.yaml"), "--release",
                           "raycluster", "--chart-version", "1.5.1", "-o", "-")
        assert result.returncode == 0, result.stderr
        expected = yaml.safe_load((GOLDEN / f"ray-cluster-v1.5.1-{name}-raycluster.yaml").read_text())
        assert yaml.safe_load(result.stdout) == expected


def test_validate_exit_codes_and_messages() -> None:
    ok = raywizard("validate", "--preset", "minimal")
    assert ok.returncode == 0 and "no problems" in ok.stdout
    bad = raywizard("validate", "--preset", "large-autoscaling", "--ignore-differences", "none")
    assert bad.returncode == 1
    assert "ignoreDifferences.mode" in bad.stdout and "fix: --ignore-differences jq" in bad.stdout


def test_render_refuses_errors_and_writes_files_atomically(tmp_path: Path) -> None:
    refused = raywizard("render", "--preset", "minimal", "--kuberay-version", "v1.6.0",
                        "--set", "workerGroups.workergroup.minReplicas=5")
    assert refused.returncode == 1 and "not rendered" in refused.stderr
    out = tmp_path / "apps"
    split = raywizard("render", "--preset", "gpu", "--layout", "split", "-o", str(out))
    assert split.returncode == 0, split.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ray-operator-crds.yaml", "ray-operator.yaml", "raycluster.yaml"]


def test_errors_are_one_clear_line() -> None:
    for args in (["render", "--preset", "nope"], ["render", "--from", "/nonexistent.yaml"],
                 ["template", "--preset", "minimal", "--chart-version", "0.0.1"],
                 ["render", "--preset", "minimal", "--set", "bogus=1"]):
        result = raywizard(*args)
        assert result.returncode == 2, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("raywizard: error:"), result.stderr
        assert "Traceback" not in result.stderr


def test_presets_lists_the_bundled_ones() -> None:
    result = raywizard("presets")
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert {"argocd-guide", "minimal", "gpu", "large-autoscaling"} <= set(names)


def test_render_from_the_guide_file_with_set() -> None:
    result = raywizard("render", "--from", str(FIXTURES / "ray-argocd-all.yaml"),
                       "--set", "workerGroups.standard-worker.maxReplicas=50", "-o", "-")
    assert result.returncode == 0, result.stderr
    cluster = list(yaml.safe_load_all(result.stdout))[2]
    assert cluster["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"] == 50
    assert "version-mismatch" not in result.stderr and "does not match the KubeRay operator" in result.stderr


def test_options_without_a_subcommand_go_to_the_wizard() -> None:
    from raywizard.cli.main import _default_to_wizard, _load_commands

    commands = _load_commands()
    assert _default_to_wizard(["--from", "a.yaml"], commands) == ["wizard", "--from", "a.yaml"]
    expected = ["--no-color", "wizard", "--preset", "gpu"]
    assert _default_to_wizard(["--no-color", "--preset", "gpu"], commands) == expected
    assert _default_to_wizard(["render", "--preset", "gpu"], commands) == ["render", "--preset", "gpu"]
    assert _default_to_wizard(["--help"], commands) == ["--help"]
    result = raywizard("--from", "/nonexistent.yaml")
    assert result.returncode == 2 and "invalid choice" not in result.stderr and "wizard" in result.stderr
