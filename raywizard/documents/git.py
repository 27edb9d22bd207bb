"""The user's git repository, driven with the real ``git`` CLI (docs/gitops.md#committing).

The CLI rather than a library: it is what the user's clone is configured for (credential helpers, ssh keys,
hooks, ``includeIf`` configuration, signing), and a push through it behaves exactly like the user's own. Every call
runs with no input and ``GIT_TERMINAL_PROMPT=0``, so a missing HTTPS credential fails at once with git's message
instead of waiting for an answer nobody sees.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from raywizard.model.errors import InputError
from raywizard.model.textsafe import literal

GIT_TIMEOUT = 120.0


class GitError(InputError):
    """A git command failed, or the repository is not in a state raywizard can commit in."""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def run_git(cwd: Path, *args: str, check: bool = True, timeout: float = GIT_TIMEOUT
            ) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=_environment(),
                              stdin=subprocess.DEVNULL, timeout=timeout)
    except FileNotFoundError:
        raise GitError("git is not installed", "install git (https://git-scm.com) and retry") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not finish within {int(timeout)} s", "check the network and the remote"
                       ) from None
    if check and done.returncode != 0:
        message = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        raise GitError(f"git {args[0]} failed: {literal(message)}")
    return done


@dataclass(frozen=True)
class Upstream:
    remote: str
    branch: str  # on the remote, without refs/heads/
    url: str


@dataclass(frozen=True)
class Repository:
    root: Path

    def git(self, *args: str, check: bool = True) -> str:
        return run_git(self.root, *args, check=check).stdout

    # ---------------------------------------------------------------------------------------------- state
    def branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        done = run_git(self.root, "symbolic-ref", "-q", "--short", "HEAD", check=False)
        return done.stdout.strip() or None if done.returncode == 0 else None

    def head(self) -> str | None:
        """The commit HEAD points to, or None on a branch with no commit yet."""
        done = run_git(self.root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
        return done.stdout.strip() or None if done.returncode == 0 else None

    def upstream(self, branch: str) -> Upstream | None:
        remote = run_git(self.root, "config", f"branch.{branch}.remote", check=False).stdout.strip()
        merge = run_git(self.root, "config", f"branch.{branch}.merge", check=False).stdout.strip()
        if not remote or not merge or remote == ".":
            return None
        url = run_git(self.root, "remote", "get-url", remote, check=False).stdout.strip()
        return Upstream(remote, merge.removeprefix("refs/heads/"), url)

    def changes(self) -> list[tuple[str, str]]:
        """(status, path relative to the root) of every change in the working tree and the index, untracked
        files included (``git status --porcelain``)."""
        out = self.git("status", "--porcelain=v1", "-z", "--untracked-files=all")
        entries: list[tuple[str, str]] = []
        parts = out.split("\0")
        index = 0
        while index < len(parts):
            entry = parts[index]
            index += 1
            if len(entry) < 4:
                continue
            status, path = entry[:2], entry[3:]
            entries.append((status, path))
            if status[0] in "RC":  # a rename or copy: the next field is the old path
                if index < len(parts):
                    entries.append((status, parts[index]))
                index += 1
        return entries

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(Path(path).resolve(), self.root)).as_posix()

    # ---------------------------------------------------------------------------------------------- writing
    def subject(self, revision: str) -> str | None:
        done = run_git(self.root, "log", "-1", "--format=%s", revision, "--", check=False)
        return done.stdout.strip() if done.returncode == 0 else None


def open_repository(path: Path) -> Repository:
    """The repository whose working tree holds ``path``."""
    path = Path(path)
    if not path.exists():
        raise GitError(f"{literal(path)} does not exist", "pass the directory of your clone with --repo")
    where = path if path.is_dir() else path.parent
    done = run_git(where, "rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise GitError(f"{literal(path)} is not inside a git working tree",
                       "clone the repository that Argo CD syncs and pass that directory with --repo")
    return Repository(Path(done.stdout.strip()).resolve())


def find_repository(path: Path) -> Repository | None:
    """The repository holding ``path``, or None when it is in none (or git is not installed)."""
    try:
        return open_repository(path)
    except GitError:
        return None


def remote_branch_head(url: str, branch: str, cwd: Path | None = None) -> str | None:
    """The commit ``branch`` points to on the remote ``url`` (``git ls-remote``), or None when unknown."""
    try:
        done = run_git(cwd or Path.cwd(), "ls-remote", url, f"refs/heads/{branch}", check=False, timeout=30)
    except GitError:
        return None
    first = done.stdout.split()
    return first[0] if done.returncode == 0 and first else None


def local_repository_path(url: str) -> Path | None:
    """The directory of a ``file://`` repository URL (or a plain path), else None."""
    from urllib.parse import unquote, urlparse

    text = str(url or "").strip()
    if text.startswith("file://"):
        return Path(unquote(urlparse(text).path))
    if text.startswith("/"):
        return Path(text)
    return None


# ------------------------------------------------------------------------------------------ revisions
@dataclass(frozen=True)
class RevisionInfo:
    """What a local repository knows about an Application's revision."""

    sha: str
    subject: str  # of the commit, "" when the repository does not have it
    branch: str  # the branch targetRevision names ("" for a tag or a SHA)
    branch_head: str  # where that branch is now ("" when unknown)
    behind: bool  # the branch has commits the Application does not run yet

    def describe(self) -> str:
        text = self.sha[:7]
        if self.subject:
            text += f" {self.subject}"
        if self.behind and self.branch_head:
            text += f"; behind {self.branch} (at {self.branch_head[:7]})"
        return literal(text, single_line=True)


def normalized_url(url: str) -> str:
    """``git@host:org/repo.git``, ``https://host/org/repo`` and ``ssh://git@host/org/repo.git`` → ``host/org/repo``;
    a local repository → its path."""
    text = str(url or "").strip().rstrip("/")
    local = local_repository_path(text)
    if local is not None:  # file:///srv/ray.git and /srv/ray.git are the same repository
        return os.path.normpath(str(local)).removesuffix(".git")
    text = text.removesuffix(".git")
    if "://" in text:
        text = text.split("://", 1)[1]
        text = text.split("@", 1)[-1]
    elif "@" in text and ":" in text:
        text = text.split("@", 1)[1].replace(":", "/", 1)
    return text.lower()


def _remote_for(repo: Repository, url: str) -> str | None:
    wanted = normalized_url(url)
    for remote in repo.git("remote", check=False).split():
        got = run_git(repo.root, "remote", "get-url", remote, check=False).stdout.strip()
        if got and normalized_url(got) == wanted:
            return remote
    return None


def describe_revision(url: str, target_revision: str, sha: str, clone: Path | None = None) -> RevisionInfo | None:
    """The subject of ``sha`` and whether ``target_revision``'s branch moved past it, from the repository itself
    (``file://``) or from ``clone`` when it has a remote with ``url`` (what the clone last fetched; no network)."""
    if not sha:
        return None
    revision = (target_revision or "HEAD").strip() or "HEAD"
    local = local_repository_path(url)
    where: Path | None = None
    ref_prefix = "refs/heads/"
    if local is not None and local.exists():
        where = local
    elif clone is not None:
        repo = find_repository(clone)
        remote = _remote_for(repo, url) if repo is not None else None
        if repo is not None and remote is not None:
            where, ref_prefix = repo.root, f"refs/remotes/{remote}/"
            if revision == "HEAD":
                head_ref = run_git(where, "symbolic-ref", "-q", f"refs/remotes/{remote}/HEAD", check=False)
                revision = head_ref.stdout.strip().removeprefix(ref_prefix) or "HEAD"
    if where is None:
        return None
    subject = run_git(where, "log", "-1", "--format=%s", sha, "--", check=False)
    text = subject.stdout.strip() if subject.returncode == 0 else ""
    branch = revision
    if revision == "HEAD" and ref_prefix == "refs/heads/":
        branch = run_git(where, "symbolic-ref", "-q", "--short", "HEAD", check=False).stdout.strip()
    head = ""
    if branch and branch != "HEAD":
        found = run_git(where, "rev-parse", "-q", "--verify", f"{ref_prefix}{branch}^{{commit}}", check=False)
        head = found.stdout.strip() if found.returncode == 0 else ""
    if not head:
        return RevisionInfo(sha, text, "", "", False)
    behind = head != sha and run_git(where, "merge-base", "--is-ancestor", sha, head, check=False).returncode == 0
    return RevisionInfo(sha, text, branch, head, behind)
