"""Recovery files: the wizard's unsaved work, written when it meets an unexpected error, offered back on the next
start.

A recovery is a folder in the user's state directory (``RAYWIZARD_STATE_DIR``, else platformdirs'
``user_state_dir("raywizard")``) holding the text every file would have if the user had saved (their own files
with the edits applied, comments and unknown keys kept; or the new Applications), the traceback, and
``recovery.json`` naming the files they belong to. The files are plain YAML: the user can open them directly with
``raywizard --from``. See docs/files.md#recovery.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from raywizard.model.errors import RaywizardError

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace

MANIFEST = "recovery.json"


def state_dir() -> Path:
    override = os.environ.get("RAYWIZARD_STATE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_state_dir

    return Path(user_state_dir("raywizard"))


def recovery_root() -> Path:
    return state_dir() / "recovery"


@dataclass
class RecoveredFile:
    copy: Path  # the text as it would have been saved, in the recovery folder
    original: Path | None  # the user's file it belongs to; None for a configuration never saved


@dataclass
class Recovery:
    folder: Path
    created: float
    error: str
    step: str
    files: list[RecoveredFile] = field(default_factory=list)

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.created))

    def describe(self) -> str:
        originals = [str(f.original) for f in self.files if f.original is not None]
        what = ", ".join(originals) if originals else "a configuration not saved yet"
        return f"{what} (at the {self.step} step, {self.when})"


def write_recovery(workspace: Workspace, error: BaseException, step: str) -> Recovery:
    """Write what ``workspace`` would save, and the error's traceback, to a new recovery folder. Each part is
    written on its own: a spec the renderer chokes on still leaves the traceback and whatever rendered."""
    from raywizard.documents.safe_write import atomic_write

    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = recovery_root() / f"{stamp}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    recovery = Recovery(folder, time.time(), f"{type(error).__name__}: {error}", step)
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    atomic_write(folder / "traceback.txt", text, backup=False)
    rendered: list[tuple[Path | None, str, str]] = []
    try:
        if workspace.files:
            rendered = [(path, path.name, text) for path, text in workspace.render().items()]
        else:
            from raywizard.render.applications import render_files

            rendered = [(None, name, text) for name, text in render_files(workspace.spec).items()]
    except Exception as exc:  # the renderer may be what failed: keep at least the traceback and say so
        atomic_write(folder / "not-rendered.txt", f"The configuration could not be rendered: {exc!r}\n",
                     backup=False)
    for index, (original, name, body) in enumerate(rendered):
        copy = folder / f"{index}-{name}"
        atomic_write(copy, body, backup=False)
        recovery.files.append(RecoveredFile(copy, original.resolve() if original is not None else None))
    manifest = {
        "created": recovery.created, "error": recovery.error, "step": step, "offered": False,
        "files": [{"copy": f.copy.name, "original": str(f.original) if f.original else None}
                  for f in recovery.files],
    }
    atomic_write(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n", backup=False)
    return recovery


def _read(folder: Path) -> tuple[Recovery, dict[str, Any]] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = [RecoveredFile(folder / str(f["copy"]), Path(f["original"]) if f.get("original") else None)
                 for f in data["files"]]
        return Recovery(folder, float(data["created"]), str(data["error"]), str(data["step"]), files), data
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a folder someone edited or a half-written one: not offered, left alone


def pending_recovery() -> Recovery | None:
    """The newest recovery not offered yet (with files to restore), if any."""
    try:
        folders = sorted((p for p in recovery_root().iterdir() if p.is_dir()), reverse=True)
    except OSError:
        return None
    for folder in folders:
        found = _read(folder)
        if found is not None and not found[1].get("offered") and found[0].files:
            return found[0]
    return None


def mark_offered(recovery: Recovery) -> None:
    """Offer a recovery once: declined, it stays in its folder for the user, but is not asked about again."""
    from raywizard.documents.safe_write import atomic_write

    found = _read(recovery.folder)
    if found is None:
        return
    found[1]["offered"] = True
    atomic_write(recovery.folder / MANIFEST, json.dumps(found[1], indent=2) + "\n", backup=False)


def restore(recovery: Recovery) -> Workspace:
    """A workspace holding the recovered configuration. When the user's files still exist it edits them (Save
    writes the recovered edits into them, unsaved until then); otherwise it is a new configuration."""
    from raywizard.documents.workspace import Workspace

    recovered = Workspace.load([f.copy for f in recovery.files])
    originals = [f.original for f in recovery.files]
    if originals and all(o is not None and o.is_file() for o in originals):
        try:
            workspace = Workspace.load([o for o in originals if o is not None])
        except RaywizardError:  # the user's file changed meanwhile and no longer loads: a new configuration
            return Workspace.new(recovered.spec)
        workspace.spec = recovered.spec
        return workspace
    return Workspace.new(recovered.spec)
