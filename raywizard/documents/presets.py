"""Presets: ready-made specs, bundled (``presets/`` at the repository root) or saved by the user.

A preset file is an ordinary raywizard output (the three Applications in one YAML file) whose first comment line
``# description: ...`` describes it. User presets live in the platform's user data directory
(``~/.local/share/raywizard/presets`` on Linux) and shadow bundled ones of the same name.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from raywizard.model.errors import InputError
from raywizard.model.spec import ClusterSpec

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class PresetInfo:
    name: str
    description: str
    source: str  # "bundled" | "user"
    path: Path


def bundled_dir() -> Path:
    override = os.environ.get("RAYWIZARD_PRESETS_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "presets"


def user_dir() -> Path:
    override = os.environ.get("RAYWIZARD_USER_PRESETS_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("raywizard")) / "presets"


def _description(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("# description:"):
                    return line.partition(":")[2].strip()
                if line.strip() and not line.startswith("#"):
                    break
    except OSError:
        pass
    return ""


def list_presets() -> list[PresetInfo]:
    found: dict[str, PresetInfo] = {}
    for source, directory in (("bundled", bundled_dir()), ("user", user_dir())):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            found[path.stem] = PresetInfo(path.stem, _description(path), source, path)
    return sorted(found.values(), key=lambda p: (p.source != "bundled", p.name))


def preset_path(name: str) -> Path:
    for info in list_presets():
        if info.name == name:
            return info.path
    names = ", ".join(p.name for p in list_presets()) or "none"
    raise InputError(f"no preset named {name!r}", f"available presets: {names}")


def load_preset(name: str) -> ClusterSpec:
    from raywizard.documents.workspace import Workspace

    return Workspace.load([preset_path(name)]).spec


def save_user_preset(name: str, spec: ClusterSpec, description: str = "") -> Path:
    if not _NAME_RE.match(name):
        raise InputError(f"preset name {name!r} is not valid",
                         "use lower-case letters, digits and '-', e.g. my-gpu-cluster")
    from raywizard.documents.roundtrip_yaml import atomic_write
    from raywizard.render.applications import render_files

    (text,) = render_files(spec, "single").values()
    header = f"# description: {description or 'saved by raywizard'}\n"
    return atomic_write(user_dir() / f"{name}.yaml", header + text)
