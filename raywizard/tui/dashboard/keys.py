"""Remappable keys: every dashboard binding has an id (``dashboard.sync``, ``events.warnings``…), and a YAML file
maps ids to keys, as k9s' hotkeys file does:

    # ~/.config/raywizard/keys.yaml (or the file named by RAYWIZARD_KEYS)
    dashboard.sync: S
    dashboard.logs: ctrl+l,l
    events.warnings: x

The file is read when the dashboard opens and handed to Textual's keymap (``App.update_keymap``), which rebinds
the ids everywhere (footer, help, command palette). A broken file is one notification, never a crash: the
default keys stay.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

KEYS_ENV = "RAYWIZARD_KEYS"


def keys_path() -> Path:
    override = os.environ.get(KEYS_ENV)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("raywizard")) / "keys.yaml"


def read_keymap(path: Path) -> tuple[dict[str, str], str]:
    """(id -> keys, problem): a missing file is no keymap and no problem; a bad one is no keymap and the reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, ""
    except OSError as exc:
        return {}, f"cannot read {path}: {exc.strerror or exc}"
    import yaml

    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return {}, f"{path} is not YAML: {str(exc).splitlines()[0]}"
    if data is None:
        return {}, ""
    if not isinstance(data, dict):
        return {}, f"{path}: expected a mapping of binding id to keys (dashboard.sync: S)"
    keymap: dict[str, str] = {}
    bad: list[str] = []
    for binding_id, keys in data.items():
        if not isinstance(binding_id, str) or not isinstance(keys, str | int) or not str(keys).strip():
            bad.append(str(binding_id))
            continue
        keymap[binding_id] = ",".join(_key_name(part.strip()) for part in str(keys).split(",") if part.strip())
    problem = f"{path}: ignored {', '.join(bad)} (each id needs a key, such as S or ctrl+l)" if bad else ""
    return keymap, problem


# Keys as people type them in a config file, as Textual names them.
_KEY_NAMES = {
    "?": "question_mark",
    "/": "slash",
    "!": "exclamation_mark",
    " ": "space",
    ":": "colon",
    ".": "full_stop",
    ",": "comma",
    "[": "left_square_bracket",
    "]": "right_square_bracket",
    "-": "minus",
    "+": "plus",
    "esc": "escape",
    "del": "delete",
}


def _key_name(key: str) -> str:
    return _KEY_NAMES.get(key, key)


def install_keymap(app: Any, path: Path | None = None) -> None:
    """Merge the keys file into ``app``'s keymap; say what was wrong with it, once, in a notification."""
    keymap, problem = read_keymap(path or keys_path())
    if keymap:
        app.update_keymap(keymap)
    if problem:
        from raywizard.model.textsafe import literal

        app.notify(literal(problem, single_line=True), title="Keys file", severity="warning", timeout=8,
                   markup=False)


def key_for(app: Any, binding: Any) -> str:
    """The key a binding answers to now (the keymap's first key for its id, else its own), as shown."""
    keymap: dict[str, str] = getattr(app, "_keymap", {}) or {}
    mapped = keymap.get(binding.id) if binding.id else None
    if mapped:
        return display_key(mapped.split(",")[0])
    return binding.key_display or display_key(binding.key.split(",")[0])


def display_key(key: str) -> str:
    reverse = {name: shown for shown, name in _KEY_NAMES.items() if len(shown) == 1}
    if key in reverse:
        return reverse[key]
    if key.startswith("ctrl+"):
        return "^" + key[5:]
    return key


WAY_BACK = "F2 returns to the dashboard."


def note_way_back(app: Any) -> None:
    """Said when `w` opened the wizard from the dashboard (``from_wizard.open_dashboard`` is F2's action)."""
    app.notify(WAY_BACK, title="Editing the live worker groups", timeout=6, markup=False)
