"""The one way raywizard reads a user's YAML file (``--from``, ``--values``, the wizard's Open, presets).

Every failure is an InputError naming the file and the fix: a missing or unreadable file, a file too big to be a
values file or an Application, bytes that are not UTF-8 (with the line, column and byte offset), a UTF-16/32 or
binary file, YAML that does not parse, duplicate keys, alias bombs, and values of the wrong type (ShapeError, a
Problem per value). See docs/files.md.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from raywizard.model.errors import InputError
from raywizard.model.textsafe import literal

MAX_FILE_BYTES = 4 * 1024 * 1024  # the guide's files are a few KB; the largest real values files ~100 KB

_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_text(path: Path) -> str:
    """The text of ``path``, decoded as UTF-8 (a UTF-8 byte order mark is allowed)."""
    shown = literal(path)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file", "check the path") from None
    except IsADirectoryError:
        raise InputError(f"{shown}: is a directory, not a YAML file",
                         "pass the file(s) in it, e.g. DIR/*.yaml") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot read ({exc.strerror})", "check the path and its permissions") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{shown}: is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not read",
                         "a values file or an Application is far smaller; check that this is the right file")
    return decode(data, shown)


def decode(data: bytes, shown: str) -> str:
    for bom, name in _WIDE_BOMS:
        if data.startswith(bom):
            raise InputError(f"{shown}: is {name} text; raywizard reads UTF-8",
                             f"convert it, e.g. iconv -f {name} -t UTF-8 FILE > FILE.utf8")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data[:8192]:
        raise InputError(f"{shown}: is not a text file (it contains NUL bytes)",
                         "pass a YAML file: an Argo CD Application or ray-cluster chart values")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"{shown}: is not UTF-8: byte 0x{data[exc.start]:02x} at line {line}, column {column} (offset "
            f"{exc.start})", "save the file as UTF-8, e.g. iconv -f LATIN1 -t UTF-8 FILE > FILE.utf8"
        ) from None


def read_documents(path: Path) -> tuple[str, list[Any]]:
    """The text of ``path`` and its documents as round-trip trees (checked for size and aliases)."""
    from raywizard.documents.roundtrip_yaml import parse_documents

    text = read_text(path)
    return text, parse_documents(text, source=str(path))


def read_values(path: Path) -> dict[str, Any]:
    """A ray-cluster chart values file (``--values``) as plain data, its types checked."""
    from raywizard.documents.roundtrip_yaml import to_plain
    from raywizard.documents.shape_check import VALUES, ShapeError, check

    _text, docs = read_documents(path)
    if len(docs) > 1:
        raise InputError(f"{literal(path)}: holds {len(docs)} YAML documents; chart values are one mapping",
                         "keep one document (no '---' between values)")
    values = to_plain(docs[0]) if docs else {}
    if not isinstance(values, dict):
        raise InputError(f"{literal(path)}: expected a mapping of chart values, found "
                         f"{_describe(values)}", "see the chart's values.yaml")
    if "kind" in values or "apiVersion" in values:
        kind = literal(values.get("kind") or "none", single_line=True)
        raise InputError(f"{literal(path)}: is a Kubernetes manifest (kind: {kind}), not chart values",
                         "pass Applications with --from; --values takes the chart's values (valuesObject)")
    problems = check(values, VALUES)
    if problems:
        raise ShapeError(str(path), problems)
    return values


def _describe(value: Any) -> str:
    from raywizard.documents.shape_check import describe

    return describe(value)
