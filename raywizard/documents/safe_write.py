"""Writing a user's file so that a failed write never damages it or its ``.bak``.

- The new text goes to a temp file next to the real file, is flushed to disk, then renamed over it: readers see
  the old file or the new one, never half of one.
- The previous content is kept as ``<name>.bak``, written the same way (temp + rename), and only once the new text
  is safely on disk: a full disk leaves both the file and its old ``.bak`` as they were.
- A target that is a symlink is written through to the file it points to (the link stays a link); a ``.bak`` that
  is a symlink is replaced by a regular file, never followed (it could point anywhere).
- A read-only target (no write bit) is refused unless ``force``: someone made it read-only on purpose.
- Temp files are removed on every failure path; temp files left by a killed run (their process is gone) are
  removed by the next write to the same directory.
- Disk full, read-only file system, permission denied and "not a directory" are one-line WriteErrors naming the
  path and the fix.

See docs/files.md.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from pathlib import Path

from raywizard.model.errors import InputError
from raywizard.model.textsafe import literal

_FIXES = {
    errno.ENOSPC: ("the disk is full", "free some space, or write elsewhere with -o"),
    errno.EDQUOT: ("the disk quota is exhausted", "free some space, or write elsewhere with -o"),
    errno.EROFS: ("the file system is read-only", "write elsewhere with -o, or remount it read-write"),
    errno.EACCES: ("permission denied", "check the permissions of the file and its directory, or use -o"),
    errno.EPERM: ("operation not permitted", "check the file's owner and attributes, or use -o"),
    errno.ENOTDIR: ("a part of the path is a file, not a directory", "pick a path whose directories exist"),
    errno.EEXIST: ("a part of the path is a file, not a directory", "pick a path whose directories exist"),
    errno.EISDIR: ("it is a directory", "name a file, or use the split layout to write into a directory"),
}


class WriteError(InputError):
    """A file that could not be written; the target and its ``.bak`` are as they were."""


def _write_error(path: Path, exc: OSError) -> WriteError:
    what, fix = _FIXES.get(exc.errno or 0, (exc.strerror or str(exc), "check the path"))
    return WriteError(f"cannot write {literal(path)}: {what}; nothing was changed", fix)


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove temp files of ``path`` left by runs that were killed mid-write (their process is gone)."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}(?:\.bak)?\.(\d+)\.[0-9a-f]+\.tmp$")
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match and int(match.group(1)) != os.getpid() and not _process_alive(int(match.group(1))):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _write_temp(final: Path, data: bytes, mode: int) -> Path:
    """``data`` in a new temp file next to ``final``, on disk, with ``mode``; removed again on any failure."""
    temp = _temp_name(final)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def missing_directory(path: Path) -> Path | None:
    """The outermost folder that writing ``path`` would create (``atomic_write`` creates missing parents), or
    None when its folder exists. Surfaces ask before creating one (the wizard) or say that they did (the CLI): a
    typo in a path should not silently become a new tree of folders."""
    parent = Path(os.path.realpath(Path(path).expanduser())).parent
    outermost = None
    while not parent.exists() and parent != parent.parent:
        outermost = parent
        parent = parent.parent
    return outermost


def atomic_write(path: Path, text: str, *, backup: bool = True, force: bool = False) -> Path:
    """Write ``text`` to ``path`` (see the module docstring); returns the path written (``path`` itself, also
    when it is a symlink). Raises WriteError with the path and the fix; the target and ``.bak`` are then
    unchanged and no temp file is left."""
    path = Path(path)
    real = Path(os.path.realpath(path))  # write through symlinks: the link keeps pointing at the real file
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        current = os.stat(real)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise _write_error(path, exc) from None
    if current is not None:
        if stat.S_ISDIR(current.st_mode):
            raise _write_error(path, OSError(errno.EISDIR, "Is a directory"))
        if not current.st_mode & 0o222 and not force:
            raise WriteError(f"{literal(path)} is read-only; nothing was changed",
                             "make it writable (chmod u+w), write elsewhere with -o, or pass --force")
    remove_stale_temps(real)
    mode = stat.S_IMODE(current.st_mode) if current is not None else _new_file_mode()
    if current is not None and not current.st_mode & 0o222:
        mode |= stat.S_IWUSR  # --force: the new file is ours to write next time too
    temps: list[Path] = []
    try:
        new_temp = _write_temp(real, text.encode("utf-8"), mode)
        temps.append(new_temp)
        bak_temp = None
        if backup and current is not None:
            bak = real.with_name(real.name + ".bak")
            bak_temp = _write_temp(bak, real.read_bytes(), stat.S_IMODE(current.st_mode) | stat.S_IWUSR)
            temps.append(bak_temp)
            os.replace(bak_temp, bak)  # replaces a symlinked .bak itself, never the file it points to
        os.replace(new_temp, real)
        _fsync_directory(real.parent)
    except OSError as exc:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise _write_error(path, exc) from None
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    return path


def _fsync_directory(directory: Path) -> None:
    """Make the renames durable; some file systems cannot open a directory, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
