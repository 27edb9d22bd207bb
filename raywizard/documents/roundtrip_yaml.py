"""YAML in and out with ruamel.yaml: round-trip loading (comments, key order, quotes kept), the guide's dump style,
and atomic writes (``safe_write``).
"""

from __future__ import annotations

import io
import itertools
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from raywizard.documents.safe_write import atomic_write as atomic_write  # the writer lives with its guarantees
from raywizard.model.errors import InputError
from raywizard.model.textsafe import literal


def round_trip_yaml(mapping: int = 2, sequence: int = 4, offset: int = 2) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold long strings: a folded line is a changed line
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) used by most block sequences in ``text``; the guide's style by default."""
    counts: dict[tuple[int, int], int] = {}
    lines = text.splitlines()
    for previous, line in itertools.pairwise(lines):
        match = re.match(r"^( *)- ", line)
        parent = re.match(r"^( *)[^\s#-][^:]*:\s*(#.*)?$", previous)
        if match and parent:
            offset = len(match.group(1)) - len(parent.group(1))
            if offset >= 0:
                counts[(offset + 2, offset)] = counts.get((offset + 2, offset), 0) + 1
    if not counts:
        return 2, 4, 2
    sequence, offset = max(counts, key=lambda k: counts[k])
    return 2, sequence, offset


# Limits on what a file may expand to. A few lines of YAML aliases ("billion laughs") can stand for billions of
# values; real values files and Applications hold a few thousand at most and nest a few dozen levels deep.
MAX_VALUES = 500_000
MAX_DEPTH = 100


def parse_documents(text: str, *, source: str = "<text>") -> list[Any]:
    """The documents in ``text`` as round-trip trees; InputError (with the line) for anything that is not YAML
    raywizard can read: syntax errors, duplicate keys, and documents whose aliases expand beyond the limits."""
    yaml = round_trip_yaml()
    shown = literal(source)
    try:
        docs = [doc for doc in yaml.load_all(text) if doc is not None]
    except RecursionError:
        raise InputError(f"{shown}: is nested too deeply to be a values file or an Application",
                         f"keep it under {MAX_DEPTH} levels") from None
    except Exception as exc:  # ruamel raises many types; all mean "not YAML we can read"
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{shown}:{where} is not valid YAML: {literal(problem, single_line=True)}",
                         "fix the file and try again") from None
    check_expansion(docs, source=source)
    from raywizard.documents.yaml11 import resolve_like_helm

    for doc in docs:
        resolve_like_helm(doc, text)
    return docs


def check_expansion(docs: list[Any], *, source: str) -> None:
    """Refuse documents that alias themselves, expand to more than MAX_VALUES values or nest deeper than
    MAX_DEPTH, before anything walks them (each walk would expand every alias again)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any, depth: int) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError(f"{literal(source)}: an alias refers to the node that contains it (a loop)",
                             "replace the alias by the values it stands for")
        if depth > MAX_DEPTH:
            raise InputError(f"{literal(source)}: is nested more than {MAX_DEPTH} levels deep",
                             "a values file or an Application is never that deep; check the file")
        active.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1 + sum(size(child, depth + 1) for child in children)
        active.discard(key)
        if total > MAX_VALUES:
            raise InputError(f"{literal(source)}: its aliases expand to more than {MAX_VALUES:,} values "
                             "(an alias bomb?); not read", "write the values out, or use fewer nested aliases")
        sizes[key] = total
        return total

    total = sum(size(doc, 0) for doc in docs)
    if total > MAX_VALUES:
        raise InputError(f"{literal(source)}: holds more than {MAX_VALUES:,} values; not read",
                         "a values file or an Application is far smaller; check the file")


def load_plain(text: str, *, source: str = "<text>") -> Any:
    """The single document in ``text`` as plain data (None for an empty text), with parse_documents' checks."""
    docs = parse_documents(text, source=source)
    if len(docs) > 1:
        raise InputError(f"{literal(source)}: holds {len(docs)} YAML documents, expected one",
                         "keep one document (no '---' between values)")
    return to_plain(docs[0]) if docs else None


def to_plain(value: Any) -> Any:
    """ruamel's commented types → plain dicts/lists/scalars (for comparing and for the chart model)."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def to_commented(value: Any) -> Any:
    """Plain data → ruamel commented types, so that new subtrees dump in block style like the rest."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = to_commented(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq([to_commented(v) for v in value])
    return value


def dump_documents(docs: list[Any], *, indent: tuple[int, int, int] = (2, 4, 2), separator: str = "---\n") -> str:
    """Documents as YAML in the guide's style (block style, 2-space maps, indented sequences)."""
    yaml = round_trip_yaml(*indent)
    parts = []
    for doc in docs:
        stream = io.StringIO()
        yaml.dump(to_commented(doc) if not isinstance(doc, CommentedMap | CommentedSeq) else doc, stream)
        parts.append(stream.getvalue())
    return separator.join(parts)
