"""Local git repositories (``repoURL: file:///…``) as Argo CD directory sources, read with the real git CLI.

What the simulated repo-server does for such a source (docs/gitops.md, "What the sandbox's Argo CD does"):
- ``targetRevision`` (empty or HEAD, a branch, a tag or a commit SHA) is resolved to a commit SHA; that SHA is
  the revision in ``status.sync.revision`` and ``operationState.syncResult.revision``.
- ``path`` is a directory source: every ``*.yaml``, ``*.yml`` and ``*.json`` file directly in it (all levels
  with ``directory.recurse``), filtered by ``directory.include`` / ``directory.exclude`` globs; empty documents
  are skipped, a document that is not a Kubernetes object fails the whole source, as in Argo CD.
- Resolved revisions are remembered per Application until the next poll (``ArgoCDController.resync``, every
  180 simulated seconds) or a refresh annotation: a push becomes visible on either, never in between.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
GIT_TIMEOUT = 30.0


class GitSourceError(Exception):
    """The repo-server's message (without the 'failed to generate manifest' prefix the caller adds)."""


def is_local_repo(url: str) -> bool:
    return str(url or "").strip().startswith("file://")


def repo_path(url: str) -> Path:
    return Path(unquote(urlparse(str(url).strip()).path))


def _git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env=env,
        )
    except FileNotFoundError as exc:
        raise GitSourceError("git is not installed on the repo-server") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitSourceError(f"git {args[0]} timed out") from exc
    if done.returncode != 0:
        raise GitSourceError(done.stderr.strip() or f"git {args[0]} failed")
    return done.stdout


@dataclass
class GitSources:
    """Resolved revisions per (Application, repo, targetRevision); ``forget`` is a poll or a refresh."""

    _resolved: dict[tuple[str, str, str], str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # a commit never changes: its manifests are read once per source shape
    _read: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def forget(self, app_name: str | None = None) -> None:
        with self._lock:
            if app_name is None:
                self._resolved.clear()
            else:
                for key in [k for k in self._resolved if k[0] == app_name]:
                    del self._resolved[key]

    def resolve(self, app_name: str, url: str, revision: str) -> str:
        revision = (revision or "HEAD").strip() or "HEAD"
        key = (app_name, url, revision)
        with self._lock:
            known = self._resolved.get(key)
        if known:
            return known
        repo = repo_path(url)
        if not repo.exists():
            raise GitSourceError(f"failed to list refs: repository not found: {url}")
        try:
            sha = _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
        except GitSourceError:
            raise GitSourceError(f"unable to resolve '{revision}' to a commit SHA") from None
        with self._lock:
            self._resolved[key] = sha
        return sha

    def file_text(self, url: str, sha: str, path: str) -> str | None:
        """The text of ``path`` at commit ``sha`` (a multi-source ``$ref/path`` value file); None: no such file."""
        clean = path.strip().lstrip("/")
        try:
            kind = _git(repo_path(url), "cat-file", "-t", f"{sha}:{clean}").strip()
        except GitSourceError:
            return None
        return _git(repo_path(url), "show", f"{sha}:{clean}") if kind == "blob" else None

    def manifests(self, url: str, sha: str, source: dict[str, Any]) -> list[dict[str, Any]]:
        """The objects of the directory source at commit ``sha``."""
        import copy

        key = (url, sha, json.dumps([source.get("path"), source.get("directory")], sort_keys=True, default=str))
        with self._lock:
            known = self._read.get(key)
        if known is None:
            known = self._read_manifests(url, sha, source)
            with self._lock:
                self._read[key] = known
        return copy.deepcopy(known)

    def _read_manifests(self, url: str, sha: str, source: dict[str, Any]) -> list[dict[str, Any]]:
        import yaml

        repo = repo_path(url)
        path = str(source.get("path") or "").strip().strip("/")
        directory = source.get("directory") or {}
        recurse = bool(directory.get("recurse"))
        tree = f"{sha}:{path}" if path else sha
        try:
            kind = _git(repo, "cat-file", "-t", tree).strip()
        except GitSourceError:
            kind = ""
        if kind != "tree":
            raise GitSourceError(f"{path or '.'}: app path does not exist")
        listing = _git(repo, "ls-tree", "-z", *(["-r"] if recurse else []), tree)
        files = []
        for entry in listing.split("\0"):
            if not entry:
                continue
            meta, _, name = entry.partition("\t")
            if meta.split(" ")[1:2] == ["blob"] and name.endswith(MANIFEST_SUFFIXES):
                files.append(name)
        files = [f for f in sorted(files) if _selected(f, directory)]
        objects: list[dict[str, Any]] = []
        for name in files:
            text = _git(repo, "show", f"{tree}/{name}")
            try:
                docs = [json.loads(text)] if name.endswith(".json") else list(yaml.safe_load_all(text))
            except (ValueError, yaml.YAMLError) as exc:
                raise GitSourceError(f"Failed to unmarshal {Path(name).name!r}: {exc}") from None
            for doc in docs:
                if doc is None:
                    continue
                if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
                    raise GitSourceError(f"Object 'Kind' is missing in '{json.dumps(doc, default=str)[:200]}' ({name})")
                objects.append(doc)
        return objects


def _selected(name: str, directory: dict[str, Any]) -> bool:
    """``directory.include`` / ``exclude``: a glob, or several in braces (``{a.yaml,b.yaml}``)."""

    def globs(value: Any) -> list[str]:
        text = str(value or "").strip()
        if text.startswith("{") and text.endswith("}"):
            return [g.strip() for g in text[1:-1].split(",") if g.strip()]
        return [text] if text else []

    def matches(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(Path(name).name, p) for p in patterns)

    include, exclude = globs(directory.get("include")), globs(directory.get("exclude"))
    return (not include or matches(include)) and not matches(exclude)
