"""Make text that comes from a cluster safe to show: literal, no markup, no terminal escapes.

Event messages, condition messages, pod names and annotations are written by other programs. Shown through Rich
or Textual they could inject markup (``[red]``) or, printed raw, terminal escape sequences. Everything from a
cluster goes through ``literal`` (plain str), or ``raywizard.tui.common.literal_text.rich_text`` (a Rich ``Text``
built from ``literal`` and never parsed for markup).
"""

from __future__ import annotations

import re

# CSI / OSC / other ESC sequences, then any remaining C0/C1 control character except tab and newline.
_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def literal(text: object, *, single_line: bool = False) -> str:
    """Return ``text`` as a plain string with escape sequences removed and control characters made visible."""
    value = "" if text is None else str(text)
    if value.isprintable():
        # No escape, control character or line break (isprintable is false for all of them): nothing to do.
        # The common case by far (pod names, phases, ages), and two regex passes per table cell added up.
        return value
    value = _ANSI_RE.sub("", value)
    value = _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if single_line:
        value = value.replace("\r\n", " ").replace("\n", " ⏎ ")
    return value

