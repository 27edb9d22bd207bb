"""Rich ``Text`` that shows cluster and file text literally (see ``raywizard.model.textsafe``)."""

from __future__ import annotations

from rich.text import Text

from raywizard.model.textsafe import literal


def rich_text(text: object, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich ``Text`` holding ``text`` literally: square brackets stay square brackets, escapes are removed."""
    return Text(literal(text, single_line=single_line), style=style)
