"""Reading the value files a multi-source Application names (``$ref/path``) from the user's local checkout.

Argo CD clones the ``ref`` source's repository and reads the file at ``path`` in it. We read it from a checkout on
this machine: one the user names (``--checkout DIR``), or the git repository the Application file itself is in
when one of its remotes is the ``ref`` source's ``repoURL``, or a ``file://`` URL (a bare repository there is
read with git at the ``ref`` source's ``targetRevision``, the committed file Argo CD reads). Anything else is
reported as "values from git: not read" (the fields then show the inline values only).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _normalised_url(url: str) -> str:
    """``git@github.com:org/repo.git``, ``https://github.com/org/repo/`` -> ``github.com/org/repo``."""
    text = url.strip()
    text = re.sub(r"^[a-z+]+://", "", text)
    text = re.sub(r"^[^@/]+@", "", text)
    text = re.sub(r"^([^/:]+):(?!\d+/)", r"\1/", text)  # scp-like syntax host:path
    text = text.rstrip("/").removesuffix(".git")
    host, _, rest = text.partition("/")
    return f"{host.lower()}/{rest}"


def _git_root(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None


def _remote_urls(root: Path) -> list[str]:
    try:
        result = subprocess.run(["git", "-C", str(root), "config", "--get-regexp", r"^remote\..*\.url$"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.split(" ", 1)[1] for line in result.stdout.splitlines() if " " in line]


def _committed_file(repository: Path, revision: str, path: str) -> str | None:
    """The text of ``path`` at ``revision`` in a bare repository, or None."""
    try:
        result = subprocess.run(["git", "-C", str(repository), "show", f"{revision or 'HEAD'}:{path.lstrip('/')}"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _is_bare(directory: Path) -> bool:
    return (directory / "HEAD").is_file() and (directory / "objects").is_dir() and not (directory / ".git").exists()


def checkout_for(repo_url: str, near: list[Path], given: list[Path]) -> Path | None:
    """The local directory holding ``repo_url``'s files, if there is one."""
    if repo_url.startswith("file://"):
        local = Path(repo_url.removeprefix("file://"))
        return local if local.is_dir() else None
    wanted = _normalised_url(repo_url)
    candidates = [*given, *(root for path in near if (root := _git_root(path.resolve().parent)) is not None)]
    for root in dict.fromkeys(candidates):
        if any(_normalised_url(url) == wanted for url in _remote_urls(root)):
            return root
    # A checkout named explicitly serves a repository whose remote it does not record (a copy, a fork).
    return given[0] if given else None


def local_reader(near: list[Path], given: list[Path] | None = None
                 ) -> Callable[[dict[str, Any] | None, str], dict[str, Any] | None]:
    """A value-file reader for ``applications_to_spec``: ``$ref`` files from a local checkout, else None."""
    from raywizard.documents.roundtrip_yaml import load_plain

    def read(ref: dict[str, Any] | None, path: str) -> dict[str, Any] | None:
        if ref is None or not ref.get("repoURL"):
            return None  # a path in the chart package, which is not on this machine
        root = checkout_for(str(ref["repoURL"]), near, list(given or []))
        if root is None:
            return None
        if _is_bare(root):
            text = _committed_file(root, str(ref.get("targetRevision") or "HEAD"), path)
        else:
            target = (root / path).resolve()
            if not target.is_relative_to(root.resolve()) or not target.is_file():
                return None
            text = target.read_text(encoding="utf-8")
        if text is None:
            return None
        try:
            data = load_plain(text)
        except Exception:
            return None
        return data if isinstance(data, dict) else {}

    return read
