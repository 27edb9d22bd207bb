"""Cell rendering shared by the dashboard tables: literal text, coloured by meaning with theme colours."""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

from raywizard.tui.common.literal_text import rich_text

# Meaning -> theme variable; the colour itself comes from the running app's theme (never hex in our code).
GOOD = {"Running", "Succeeded", "Synced", "Healthy", "ready", "True", "live", "Completed"}
BAD = {
    "Failed",
    "Error",
    "Degraded",
    "OutOfSync",
    "SyncFailed",
    "CrashLoopBackOff",
    "ErrImagePull",
    "ImagePullBackOff",
    "Unknown",
    "Missing",
    "failed",
    "Warning",
}
WAIT = {"Pending", "Progressing", "Running…", "ContainerCreating", "Terminating", "suspended", "Suspended"}


def theme_styles(variables: dict[str, str]) -> dict[str, str]:
    """Styles for good / bad / waiting values from ``App.theme_variables``."""
    return {
        "good": variables.get("text-success", variables.get("success", "")),
        "bad": variables.get("text-error", variables.get("error", "")),
        "wait": variables.get("text-warning", variables.get("warning", "")),
        "dim": variables.get("text-muted", ""),
    }


def status_style(plain: str, styles: dict[str, str]) -> str:
    if plain in GOOD:
        return styles.get("good", "")
    if plain in BAD:
        return styles.get("bad", "")
    if plain in WAIT:
        return styles.get("wait", "")
    return ""


def status_cell(value: Any, styles: dict[str, str]) -> Text:
    plain = "" if value is None else str(value)
    return rich_text(plain, status_style(plain, styles), single_line=True)


_AGE_RE = re.compile(r"(\d+)([dhms])")
_AGE_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def age_seconds(age: str) -> float:
    """``"3d4h"`` → seconds, for sorting an AGE column the way k9s does; unparsable ages sort last."""
    parts = _AGE_RE.findall(age)
    if not parts:
        return float("inf")
    return float(sum(int(number) * _AGE_UNITS[unit] for number, unit in parts))
