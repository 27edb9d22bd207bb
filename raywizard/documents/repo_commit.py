"""Commit the Application files into a git working tree, and push: all of it, or nothing (docs/gitops.md#committing).

``prepare_commit`` checks the repository before anything is written: HEAD on a branch (not detached), no change
outside the directory being committed (the commit must hold only the Applications), and for a push a branch with
an upstream. ``execute_commit`` writes the files, stages and commits exactly them, and pushes; when any step
fails it puts back what it changed (files, index, the branch) and raises ``GitError`` saying what to do.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.documents.commit_message import commit_message
from raywizard.documents.git import GitError, Repository, Upstream, open_repository
from raywizard.documents.safe_write import atomic_write
from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace

MANIFEST_SUFFIXES = (".yaml", ".yml")


@dataclass
class FileChange:
    path: Path  # absolute
    relative: str  # to the repository root
    before: str | None  # None: a new file
    after: str


@dataclass
class CommitPlan:
    repo: Repository
    subdir: str  # relative to the root, "" for the root itself
    branch: str
    head: str | None
    upstream: Upstream | None  # set when pushing
    changes: list[FileChange] = field(default_factory=list)
    message: str = ""

    @property
    def empty(self) -> bool:
        return not self.changes

    def diff(self) -> str:
        """The unified diff of the change (``git diff`` format: a/ and b/ paths, /dev/null for new files)."""
        out: list[str] = []
        for change in self.changes:
            old = (change.before or "").splitlines(keepends=True)
            new = change.after.splitlines(keepends=True)
            before = "/dev/null" if change.before is None else f"a/{change.relative}"
            out.extend(difflib.unified_diff(old, new, before, f"b/{change.relative}"))
        return "".join(line if line.endswith("\n") else line + "\n" for line in out)

    def remote_line(self) -> str:
        if self.upstream is None:
            return ""
        return literal(f"{self.upstream.remote} ({self.upstream.url}) branch {self.upstream.branch}",
                       single_line=True)


@dataclass
class CommitOutcome:
    sha: str
    subject: str
    pushed_to: str = ""  # "origin/main" when pushed


def subdir_of(repo: Repository, path: str | Path) -> str:
    """``path`` (relative to the repository root, or absolute inside it) as a relative POSIX path."""
    candidate = Path(path)
    absolute = (candidate if candidate.is_absolute() else repo.root / candidate).resolve()
    try:
        relative = absolute.relative_to(repo.root)
    except ValueError:
        raise GitError(f"{literal(path)} is outside the repository {literal(repo.root)}",
                       "pass a directory inside the clone with --path (relative to its root)") from None
    if relative.parts[:1] == (".git",):
        raise GitError(f"{literal(path)} is inside .git", "pass a directory of the working tree")
    return relative.as_posix() if relative.parts else ""


def _inside(path: str, subdir: str) -> bool:
    return not subdir or path == subdir or path.startswith(subdir.rstrip("/") + "/")


def prepare_commit(repo_dir: Path, subdir: str | Path, texts: dict[Path, str], *, push: bool,
                   message: str | None = None) -> CommitPlan:
    """Check the repository and work out the change; nothing is written. ``texts``: absolute path -> new text."""
    repo = open_repository(repo_dir)
    relative_subdir = subdir_of(repo, subdir)
    branch = repo.branch()
    head = repo.head()
    if branch is None:
        raise GitError(
            f"HEAD is detached (at {(head or '?')[:7]}) in {literal(repo.root)}: a commit there belongs to no branch "
            "and Argo CD would never see it",
            "check out the branch Argo CD follows (git switch main), then run commit again")
    upstream = repo.upstream(branch) if push else None
    if push and upstream is None:
        raise GitError(f"branch {literal(branch)} has no upstream to push to",
                       f"push it once with git push -u origin {literal(branch)}, or commit without --push")
    outside = [(status, path) for status, path in repo.changes() if not _inside(path, relative_subdir)]
    if outside:
        listed = ", ".join(f"{status.strip()} {literal(path, single_line=True)}" for status, path in outside[:8])
        more = f" and {len(outside) - 8} more" if len(outside) > 8 else ""
        where = relative_subdir or "the directory"
        raise GitError(
            f"the working tree has changes outside {literal(where)}/: {listed}{more}; nothing was written",
            "commit or stash them first (git stash -u), so that this commit holds only the Applications")
    changes: list[FileChange] = []
    for path, text in texts.items():
        absolute = Path(path).resolve()
        rel = absolute.relative_to(repo.root).as_posix()
        if not _inside(rel, relative_subdir):
            raise GitError(f"{literal(path)} is outside {literal(relative_subdir)}/",
                           "keep the Application files in the directory being committed")
        before = absolute.read_text(encoding="utf-8") if absolute.exists() else None
        if before != text:
            changes.append(FileChange(absolute, rel, before, text))
    plan = CommitPlan(repo, relative_subdir, branch, head, upstream, changes)
    plan.message = message or (commit_message([(c.relative, c.before, c.after) for c in changes]) if changes else "")
    return plan


def _restore(plan: CommitPlan) -> None:
    """Put the files and the index back as they were before ``execute_commit``."""
    paths = [c.relative for c in plan.changes]
    if plan.head is not None:
        plan.repo.git("reset", "-q", plan.head, "--", *paths, check=False)
    else:
        plan.repo.git("rm", "-q", "--cached", "--ignore-unmatch", "--", *paths, check=False)
    for change in plan.changes:
        if change.before is None:
            change.path.unlink(missing_ok=True)
        else:
            atomic_write(change.path, change.before, backup=False, force=True)


def _undo_commit(plan: CommitPlan) -> None:
    if plan.head is not None:
        plan.repo.git("reset", "-q", "--soft", plan.head, check=False)
    else:
        plan.repo.git("update-ref", "-d", f"refs/heads/{plan.branch}", check=False)


def stage(plan: CommitPlan) -> str:
    """Write the files and stage them; returns ``git diff --cached`` of exactly them. On failure, restores."""
    try:
        for change in plan.changes:
            atomic_write(change.path, change.after, backup=False)  # git keeps the previous version
        paths = [c.relative for c in plan.changes]
        plan.repo.git("add", "--", *paths)
        return plan.repo.git("diff", "--cached", "--no-color", "--", *paths)
    except BaseException:
        _restore(plan)
        raise


def execute_commit(plan: CommitPlan, *, push: bool, staged: bool = False) -> CommitOutcome:
    """Commit (and push) the staged change; ``staged``: ``stage`` already ran. All or nothing."""
    if not staged:
        stage(plan)
    paths = [c.relative for c in plan.changes]
    try:
        plan.repo.git("commit", "-q", "-m", plan.message, "--", *paths)
    except GitError as exc:
        _restore(plan)
        raise GitError(f"{exc.message}; nothing was committed and the files are as they were",
                       "fix what git reports (a commit hook, user.name/user.email), then run commit again") from None
    except BaseException:
        _restore(plan)
        raise
    sha = plan.repo.git("rev-parse", "HEAD").strip()
    subject = plan.message.splitlines()[0]
    if not push or plan.upstream is None:
        return CommitOutcome(sha, subject)
    upstream = plan.upstream
    try:
        plan.repo.git("push", "--porcelain", upstream.remote, f"HEAD:refs/heads/{upstream.branch}")
    except GitError as exc:
        _undo_commit(plan)
        _restore(plan)
        raise GitError(
            f"push to {plan.remote_line()} failed: {exc.message.removeprefix('git push failed: ')}; nothing was "
            "committed: the commit was undone and the files are as they were",
            "if the remote has new commits, git pull --rebase first; fix access to the remote if it refused; "
            "then run commit again") from None
    except BaseException:
        _undo_commit(plan)
        _restore(plan)
        raise
    return CommitOutcome(sha, subject, f"{upstream.remote}/{upstream.branch}")


def texts_for(workspace: Workspace, directory: Path) -> dict[Path, str]:
    """The new text of each file to commit in ``directory`` for ``workspace``: its own files when they are
    there, else the Application files already there edited into the spec, else new files (one per Application,
    with the sync wave and retry a parent needs)."""
    from raywizard.documents.workspace import Workspace
    from raywizard.render.applications import render_applications
    from raywizard.render.emitter import emit
    from raywizard.render.gitops import children_for_parent

    resolved = Path(directory).resolve()
    if workspace.files and all(f.path.resolve().parent == resolved for f in workspace.files):
        return {Path(p).resolve(): t for p, t in workspace.render().items()}
    existing = application_files(resolved)
    if existing:
        # The spec comes from elsewhere (a preset, other files): carried into the files here as an edit of them,
        # so that what they hold and the spec has no field for (sync waves, retry, comments) stays.
        import copy

        target = Workspace.load(existing)
        spec = workspace.spec.clone()
        spec.app_documents = copy.deepcopy(target.spec.app_documents)
        spec.app_baselines = copy.deepcopy(target.spec.app_baselines)
        spec.values_document, spec.values_baseline = target.spec.values_document, target.spec.values_baseline
        spec.values_layers, spec.app_set = target.spec.values_layers, target.spec.app_set
        target.spec = spec
        return {Path(p).resolve(): t for p, t in target.render().items()}
    children = children_for_parent(render_applications(workspace.spec))
    texts = {resolved / f"{app['metadata']['name']}.yaml": emit(app) for app in children}
    taken = [path for path in texts if path.exists()]
    if taken:
        from raywizard.model.errors import InputError

        raise InputError(f"{literal(taken[0])} exists but holds no KubeRay Application raywizard can read; "
                         "nothing was written",
                         "fix or move that file, or start from it with --from to see why it cannot be read")
    return texts


def application_files(directory: Path) -> list[Path]:
    """The YAML files directly in ``directory`` that hold only KubeRay Applications (the ones commit edits)."""
    from raywizard.documents.loading import read_documents
    from raywizard.documents.roundtrip_yaml import to_plain
    from raywizard.model.errors import InputError
    from raywizard.render.applications import role_of

    found: list[Path] = []
    if not directory.is_dir():
        return found
    for path in sorted(directory.iterdir()):
        if path.suffix not in MANIFEST_SUFFIXES or not path.is_file():
            continue
        try:
            _text, docs = read_documents(path)
        except InputError:
            continue  # not ours to read; it stays as it is
        plain = [to_plain(d) for d in docs]
        if plain and all(role_of(d) for d in plain):
            found.append(path)
    return found
