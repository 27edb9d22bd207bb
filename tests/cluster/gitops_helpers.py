"""A bare repository and a clone in tmp_path, driven with the real git CLI (for the GitOps tests)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str, check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_ENV, HOME=str(cwd))
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


@dataclass
class Repos:
    bare: Path
    clone: Path

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def head(self) -> str:
        return git(self.bare, "rev-parse", "main").strip()

    def commit_file(self, relative: str, text: str, message: str) -> str:
        path = self.clone / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        git(self.clone, "add", relative)
        git(self.clone, "commit", "-q", "-m", message)
        git(self.clone, "push", "-q", "origin", "main")
        return git(self.clone, "rev-parse", "HEAD").strip()


def make_repos(tmp_path: Path) -> Repos:
    """``ray.git`` (bare, branch main) and its clone ``work`` with one initial commit pushed, upstream set."""
    bare = tmp_path / "ray.git"
    clone = tmp_path / "work"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    git(clone, "checkout", "-q", "-b", "main")
    (clone / "README.md").write_text("Ray on Kubernetes\n", encoding="utf-8")
    git(clone, "add", "README.md")
    git(clone, "commit", "-q", "-m", "Initial commit")
    git(clone, "push", "-q", "-u", "origin", "main")
    for key, value in (("user.name", "Test Author"), ("user.email", "author@example.com")):
        git(clone, "config", key, value)
    return Repos(bare, clone)
