"""Write a changed document back into a user's file, changing only the lines that must change.

Two steps:
1. ``merge_into`` updates the round-trip tree (ruamel ``CommentedMap``) in place from the desired plain data:
   equal values keep their node (and so their comments, quotes and style), changed scalars are replaced, new keys
   are added, and keys that the desired data no longer has are removed only where we own the whole map.
2. ``splice_lines`` turns the edit into a text edit of the original file: the original tree and the edited tree
   are dumped with the same settings, and the line hunks that differ between those two dumps are applied to the
   original text where its lines match the dump. The result is checked by parsing it; if anything does not line
   up, the normalised dump is used instead (comments still kept by ruamel, indentation normalised).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from raywizard.documents.roundtrip_yaml import to_commented, to_plain

OwnsKeys = Callable[[tuple[str, ...]], bool]
"""Given the key path of a map, whether we own all of its keys (so keys missing from desired are deleted)."""


def _same(a: Any, b: Any) -> bool:
    return to_plain(a) == to_plain(b) and type(to_plain(a)) is type(to_plain(b))


def merge_into(node: Any, desired: Any, owns: OwnsKeys, path: tuple[str, ...] = ()) -> Any:
    """Return ``node`` updated to equal ``desired`` where we own it (in place for maps and lists)."""
    if isinstance(node, CommentedMap) and isinstance(desired, dict):
        for key, value in desired.items():
            if key in node:
                if not _same(node[key], value):
                    node[key] = merge_into(node[key], value, owns, (*path, str(key)))
            else:
                node[key] = to_commented(value)
        if owns(path):
            for key in [k for k in node if k not in desired]:
                del node[key]
        return node
    if isinstance(node, CommentedSeq) and isinstance(desired, list):
        if _same(node, desired):
            return node
        if len(node) == len(desired):
            for index, value in enumerate(desired):
                if not _same(node[index], value):
                    node[index] = merge_into(node[index], value, owns, (*path, "[]"))
            return node
        # Lists are replaced as a whole by Helm and Argo CD; keep the items that are still equal at the start.
        while len(node) > len(desired):
            node.pop()
        for index, value in enumerate(desired):
            if index < len(node):
                if not _same(node[index], value):
                    node[index] = merge_into(node[index], value, owns, (*path, "[]"))
            else:
                node.append(to_commented(value))
        return node
    if _same(node, desired):
        return node
    return _keep_scalar_style(node, desired)


def _keep_scalar_style(old: Any, new: Any) -> Any:
    """A new scalar in the old one's quoting style (``"1.5.1"`` stays double-quoted)."""
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        FoldedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

    styles = (DoubleQuotedScalarString, SingleQuotedScalarString, LiteralScalarString, FoldedScalarString)
    if isinstance(new, str) and not isinstance(new, styles):
        for style in styles:
            # A block scalar (a helm.values string) stays a block scalar; it needs a final newline to be one.
            if isinstance(old, style) and (style not in (LiteralScalarString, FoldedScalarString)
                                           or new.endswith("\n")):
                return style(new)
    return to_commented(new)


_KEY_PART = re.compile(r"^( *(?:- )*)([^\s#'\"{\[][^:#]*|'[^']*'|\"[^\"]*\"):(?=\s|$)")


def _key_part(line: str) -> str | None:
    """The indentation and key of a block mapping line (``  resources:``), or None for any other line."""
    match = _KEY_PART.match(line)
    return match.group(0) if match else None


def splice_lines(original_text: str, base_dump: str, new_dump: str) -> str | None:
    """Apply the line edits base_dump → new_dump to original_text, or None if they cannot be placed exactly.

    ``base_dump`` is the unedited tree dumped the same way as ``new_dump``, so their difference is exactly the
    edit; ``original_text`` differs from ``base_dump`` only in formatting the dumper normalises.
    """
    original = original_text.splitlines(keepends=True)
    base = base_dump.splitlines(keepends=True)
    new = new_dump.splitlines(keepends=True)
    # base line index -> original line index, for lines that are identical in both
    to_original: dict[int, int] = {}
    for tag, b1, b2, o1, o2 in difflib.SequenceMatcher(None, base, original, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and b2 - b1 == o2 - o1):
            for offset in range(b2 - b1):
                # A line the dumper wrote differently (`key: null` as `key:`, `yes` as `true`) still stands
                # for the same key when the key part matches; the parse check below catches any mismatch.
                if tag == "equal" or _key_part(base[b1 + offset]) == _key_part(original[o1 + offset]) is not None:
                    to_original[b1 + offset] = o1 + offset
    result = list(original)
    shift = 0
    for tag, b1, b2, n1, n2 in difflib.SequenceMatcher(None, base, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        start: int
        end: int
        if b2 > b1:  # replaced or deleted lines must all map to contiguous original lines
            if any(i not in to_original for i in range(b1, b2)):
                return None
            mapped = [to_original[i] for i in range(b1, b2)]
            if mapped != list(range(mapped[0], mapped[0] + len(mapped))):
                return None
            start, end = mapped[0], mapped[-1] + 1
        else:  # pure insertion: after the original line of the previous base line
            if b1 == 0:
                start = end = 0
            elif (b1 - 1) in to_original:
                start = end = to_original[b1 - 1] + 1
            else:
                return None
        result[start + shift:end + shift] = new[n1:n2]
        shift += (n2 - n1) - (end - start)
    return "".join(result)


def _owns_everything(_path: tuple[str, ...]) -> bool:
    return True


def edit_documents_text(text: str, desired_for: Callable[[Any], Any], owns: OwnsKeys = _owns_everything,
                        *, source: str = "<text>") -> str:
    """``text`` (a YAML stream) edited so that each document equals ``desired_for(document)``, changing only
    the lines that must change (comments, quoting and indentation kept), or normalised where that fails."""
    from raywizard.documents.roundtrip_yaml import dump_documents, guess_indent, parse_documents

    indent = guess_indent(text)
    base_dump = dump_documents(parse_documents(text, source=source), indent=indent)
    fresh = parse_documents(text, source=source)
    edited = [merge_into(doc, desired_for(doc), owns) for doc in fresh]
    new_dump = dump_documents(edited, indent=indent)
    if new_dump == base_dump:
        return text
    spliced = splice_lines(text, base_dump, new_dump)
    if spliced is not None:
        try:
            if [to_plain(d) for d in parse_documents(spliced)] == [to_plain(d) for d in edited]:
                return spliced
        except Exception:
            pass
    return new_dump


def edit_yaml_text(text: str, desired: Any) -> str:
    """One YAML document in ``text`` (a ``helm.values`` string) edited to equal ``desired``, lines kept."""
    from raywizard.documents.roundtrip_yaml import dump_documents, parse_documents

    if not parse_documents(text):
        return dump_documents([desired]) if desired else text
    return edit_documents_text(text, lambda _doc: desired)
