"""Every `docs/....md#anchor` that the code, the tests and the docs cite resolves in a clone of the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A path under another project's tree (e.g. Argo CD's own `docs/operator-manual/...`) is preceded by a path
# character; only references that start at `docs/` are ours.
REFERENCE = re.compile(r"(?<![\w/.-])(docs/[\w./-]+\.md)(?:#([\w-]+))?")
# Argo CD's documentation tree, cited by its paths in argoproj/argo-cd.
FOREIGN = ("docs/operator-manual/", "docs/user-guide/")
CITING = ["raywizard", "tests", "scripts", "bench", "docs", "README.md", "CONTRIBUTING.md"]


def _citing_files() -> list[Path]:
    files: list[Path] = []
    for name in CITING:
        path = ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(p for p in path.rglob("*") if p.suffix in {".py", ".md", ".tcss", ".toml"} and p.is_file())
    return [p for p in files if "__snapshots__" not in p.parts and p.name != Path(__file__).name]


def _slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*#*$", doc.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {_slug(h) for h in headings}


def _references() -> list[tuple[str, str, str | None]]:
    found = []
    for path in _citing_files():
        for match in REFERENCE.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if not match.group(1).startswith(FOREIGN):
                found.append((str(path.relative_to(ROOT)), match.group(1), match.group(2)))
    return found


def test_references_are_found() -> None:
    # Guards the test itself: if the pattern stopped matching, every reference would pass vacuously.
    assert len(_references()) > 20


@pytest.mark.parametrize(("citing", "doc", "anchor"), _references())
def test_reference_resolves(citing: str, doc: str, anchor: str | None) -> None:
    target = ROOT / doc
    assert target.is_file(), f"{citing} cites {doc}, which is not in the repository"
    if anchor is not None:
        assert anchor in _anchors(target), f"{citing} cites {doc}#{anchor}; {doc} has no such heading"
