"""Writing files: a failed write never damages the target or its .bak, and leaves no temp file behind."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from raywizard.cli.main import main
from raywizard.documents.safe_write import WriteError, atomic_write, remove_stale_temps


def _temps(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_write_keeps_the_previous_content_as_bak(tmp_path: Path) -> None:
    target = tmp_path / "apps.yaml"
    atomic_write(target, "one\n")
    assert not (tmp_path / "apps.yaml.bak").exists()
    atomic_write(target, "two\n")
    atomic_write(target, "three\n")
    assert target.read_text() == "three\n"
    assert (tmp_path / "apps.yaml.bak").read_text() == "two\n"
    assert _temps(tmp_path) == []


def test_a_symlinked_target_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real" / "apps.yaml"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert atomic_write(link, "new\n") == link
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert (real.parent / "apps.yaml.bak").read_text() == "old\n"


def test_a_symlinked_bak_is_replaced_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    target = tmp_path / "apps.yaml"
    target.write_text("old\n")
    (tmp_path / "apps.yaml.bak").symlink_to(victim)
    atomic_write(target, "new\n")
    assert victim.read_text() == "precious\n"
    assert not (tmp_path / "apps.yaml.bak").is_symlink()
    assert (tmp_path / "apps.yaml.bak").read_text() == "old\n"


def test_a_read_only_target_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "apps.yaml"
    target.write_text("old\n")
    target.chmod(0o444)
    with pytest.raises(WriteError, match=r"apps.yaml is read-only; nothing was changed \(.*--force\)"):
        atomic_write(target, "new\n")
    assert target.read_text() == "old\n"
    atomic_write(target, "new\n", force=True)
    assert target.read_text() == "new\n"
    assert (tmp_path / "apps.yaml.bak").read_text() == "old\n"


def test_modes_are_kept_and_new_files_follow_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "apps.yaml"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o640
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "fresh.yaml", "x\n")
    finally:
        os.umask(umask)
    assert (tmp_path / "fresh.yaml").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(("code", "expected"), [
    (errno.ENOSPC, "the disk is full; nothing was changed (free some space"),
    (errno.EROFS, "the file system is read-only"),
    (errno.EACCES, "permission denied"),
])
@pytest.mark.parametrize("failing_write", [1, 2])  # 1: the new text, 2: the .bak copy
def test_os_errors_while_writing_damage_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, expected: str, failing_write: int
) -> None:
    target = tmp_path / "apps.yaml"
    target.write_text("current\n")
    (tmp_path / "apps.yaml.bak").write_text("previous\n")
    calls = {"n": 0}
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == failing_write:
            raise OSError(code, os.strerror(code))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(WriteError) as caught:
        atomic_write(target, "new\n")
    monkeypatch.undo()
    assert str(caught.value).startswith(f"cannot write {target}: {expected}")
    assert "\n" not in str(caught.value)
    assert target.read_text() == "current\n"
    assert (tmp_path / "apps.yaml.bak").read_text() == "previous\n"
    assert _temps(tmp_path) == []


def test_a_file_where_a_directory_should_be(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "x.yaml"
    assert main(["render", "--preset", "minimal", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"cannot write {out}: a part of the path is a file, not a directory" in err
    assert "Traceback" not in err


def test_stale_temps_of_killed_runs_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "apps.yaml"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    stale = tmp_path / f".apps.yaml.{dead.stdout.strip()}.0123abcd.tmp"
    stale.write_text("half")
    stale_bak = tmp_path / f".apps.yaml.bak.{dead.stdout.strip()}.0123abcd.tmp"
    stale_bak.write_text("half")
    alive = tmp_path / f".apps.yaml.{os.getppid()}.0123abcd.tmp"  # a writer still running
    alive.write_text("in progress")
    other = tmp_path / ".other.yaml.1.0123abcd.tmp"
    other.write_text("not ours")
    atomic_write(target, "x\n")
    assert _temps(tmp_path) == sorted([alive.name, other.name])
    assert remove_stale_temps(target) == []


def test_a_write_killed_midway_leaves_the_target_and_its_temp_for_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "apps.yaml"
    target.write_text("current\n")
    script = (
        "import os, signal, sys\n"
        "from raywizard.documents import safe_write\n"
        "def write(fd, data):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "safe_write.os.write = write\n"
        f"safe_write.atomic_write(__import__('pathlib').Path({str(target)!r}), 'new\\n')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], check=False)
    assert result.returncode == -9
    assert target.read_text() == "current\n"
    assert len(_temps(tmp_path)) == 1
    atomic_write(target, "next\n")
    assert _temps(tmp_path) == []
    assert target.read_text() == "next\n"


# -------------------------------------------------------------------------- real file systems (root only)
def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)):
        pytest.skip("needs root and tmpfs mounts")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_full_disk_keeps_the_file_and_its_bak(small_tmpfs: Path) -> None:
    target = small_tmpfs / "apps.yaml"
    target.write_text("current\n" * 100)
    (small_tmpfs / "apps.yaml.bak").write_text("previous\n")
    filler = small_tmpfs / "filler"
    with pytest.raises(OSError), filler.open("wb") as handle:  # fill the disk up
        while True:
            handle.write(b"x" * 4096)
            handle.flush()
    with pytest.raises(WriteError, match="the disk is full"):
        atomic_write(target, "new\n" * 5000)
    assert target.read_text() == "current\n" * 100
    assert (small_tmpfs / "apps.yaml.bak").read_text() == "previous\n"
    assert _temps(small_tmpfs) == []


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    source, mount_point = tmp_path / "source", tmp_path / "ro"
    source.mkdir()
    mount_point.mkdir()
    (source / "apps.yaml").write_text("current\n")
    if os.geteuid() != 0 or not _mount("--bind", str(source), str(mount_point)):
        pytest.skip("needs root and bind mounts")
    try:
        if not _mount("-o", "remount,ro,bind", str(mount_point)):
            pytest.skip("cannot remount read-only")
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_read_only_mount_is_one_line(read_only_mount: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = read_only_mount / "apps.yaml"
    assert main(["render", "--preset", "minimal", "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"raywizard: error: cannot write {target}: the file system is read-only; nothing was changed "
                   "(write elsewhere with -o, or remount it read-write)")
    assert target.read_text() == "current\n"
