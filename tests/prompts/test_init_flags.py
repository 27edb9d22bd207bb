"""`raywizard init` without questions: --yes or no terminal, answers layered --set > --from > --preset."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from raywizard.cli.main import main
from raywizard.documents.presets import load_preset
from raywizard.documents.workspace import Workspace
from raywizard.fields.set_paths import set_path
from raywizard.render.applications import render_files


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.chdir(tmp_path)


def init(*args: str) -> int:
    return main(["init", *args])


def guide_with(*assignments: str):
    spec = load_preset("argocd-guide")
    for assignment in assignments:
        set_path(spec, *assignment.split("=", 1))
    return spec


def test_yes_writes_the_same_file_as_rendering_the_same_answers(tmp_path: Path) -> None:
    """The acceptance check: flags alone produce exactly what the TUI journey saves for the same spec (both go
    through Workspace.save / manifests.render_files)."""
    out = tmp_path / "out.yaml"
    sets = ("image.tag=2.46.0", "workerGroups.standard-worker.maxReplicas=8", "target.namespace=ml")
    assert init("--preset", "argocd-guide", *[f"--set={s}" for s in sets], "--yes", "-o", str(out)) == 0
    expected = guide_with(*sets)
    assert out.read_text() == render_files(expected)["ray-cluster.yaml"]
    saved = Workspace.new(expected)
    saved.save(tmp_path / "via-workspace.yaml")
    assert out.read_text() == (tmp_path / "via-workspace.yaml").read_text()


def test_set_beats_file_which_is_edited_in_place_with_a_backup(tmp_path: Path) -> None:
    source = tmp_path / "apps.yaml"
    source.write_text(render_files(guide_with("image.tag=2.46.0"))["ray-cluster.yaml"])
    original = source.read_text()
    assert init("--from", str(source), "--set", "workerGroups.standard-worker.maxReplicas=9", "--yes") == 0
    assert Workspace.load([source]).spec.worker_groups[0].max_replicas == 9
    assert Path(f"{source}.bak").read_text() == original


def test_stored_answers_are_revalidated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "apps.yaml"
    bad = guide_with("image.tag=2.46.0", "versions.kuberay=v1.6.0", "workerGroups.standard-worker.minReplicas=9",
                     "workerGroups.standard-worker.maxReplicas=4")
    source.write_text(render_files(bad)["ray-cluster.yaml"])
    assert init("--from", str(source), "--yes") == 2
    err = capsys.readouterr().err
    assert "workerGroups[0].minReplicas" in err and "minReplicas 9 is above maxReplicas 4" in err
    assert "--set workerGroups.standard-worker.minReplicas=VALUE" in err  # the flag that fixes it
    assert len(err.strip().splitlines()) == 1


def test_preset_and_from_are_exclusive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        init("--preset", "argocd-guide", "--from", str(tmp_path / "a.yaml"), "--yes")
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-o", "x.yaml"), "cannot ask questions: stdin is not a terminal"),
        (("--preset", "argocd-guide", "--yes"), "missing answer: where to write"),
        (("--preset", "argocd-guide", "--set", "workerGroups.standard-worker.maxReplicas=lots",
          "-o", "x.yaml"), "Max replicas must be a whole number"),
        (("--preset", "argocd-guide", "--set", "image.tag", "-o", "x.yaml"), "is not path=value"),
        (("--preset", "argocd-guide", "--set", "head.nonsense=1", "-o", "x.yaml"), "unknown setting"),
        (("--from", "missing.yaml", "--yes"), "missing.yaml: no such file"),
        (("--preset", "no-such-preset", "--yes", "-o", "x.yaml"), "no-such-preset"),
    ],
)
def test_clear_one_line_errors(args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str],
                               tmp_path: Path) -> None:
    assert init(*args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert err.startswith("raywizard: error:") and "Traceback" not in err
    assert not (tmp_path / "x.yaml").exists()


def test_print_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert init("--preset", "argocd-guide", "--set", "image.tag=2.46.0", "--yes", "-o", "-") == 0
    captured = capsys.readouterr()
    assert captured.out == render_files(guide_with("image.tag=2.46.0"))["ray-cluster.yaml"]


def test_split_layout_writes_one_file_per_application(tmp_path: Path) -> None:
    target = tmp_path / "apps"
    target.mkdir()
    assert init("--preset", "argocd-guide", "--set", "image.tag=2.46.0", "--layout", "split", "--yes",
                "-o", str(target)) == 0
    expected = render_files(guide_with("image.tag=2.46.0"), "split")
    assert sorted(p.name for p in target.iterdir()) == sorted(expected)
    for name, text in expected.items():
        assert (target / name).read_text() == text


def test_real_process_without_a_terminal(tmp_path: Path) -> None:
    """The no-TTY path as a user meets it: a subprocess with stdin from /dev/null, no traceback."""
    result = subprocess.run([sys.executable, "-m", "raywizard", "init", "-o", "x.yaml"], cwd=tmp_path,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("raywizard: error: raywizard init cannot ask questions")
    assert "--preset NAME or --from FILE" in result.stderr


def test_output_naming_the_file_read_edits_it_in_place(tmp_path: Path) -> None:
    source = tmp_path / "apps.yaml"
    guide = (Path(__file__).parents[2] / "presets" / "argocd-guide.yaml").read_text()
    source.write_text(guide)
    assert init("--from", str(source), "--set", "image.tag=2.46.0", "--yes", "-o", str(source)) == 0
    assert "# update this as necessary" in source.read_text()  # merged into the file, not rendered anew


def test_an_invalid_set_answer_is_named_as_such(capsys: pytest.CaptureFixture[str]) -> None:
    assert init("--preset", "argocd-guide", "--kuberay-version", "v1.6.0",
                "--set", "workerGroups.standard-worker.minReplicas=999", "--yes", "-o", "x.yaml") == 2
    err = capsys.readouterr().err
    assert "invalid answer workerGroups[0].minReplicas (from --set): minReplicas 999 is above maxReplicas" in err
