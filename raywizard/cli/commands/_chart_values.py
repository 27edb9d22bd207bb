"""The spec and the chart values the input flags describe, for commands that render or check the chart.

The values are the user's document (``--values`` file, else a values file or the RayCluster Application given
with ``--from``) with the ``--set`` edits applied (``documents.chart_values.apply_edit``); without a document,
the spec's own values.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path
from typing import Any

from raywizard.model.errors import InputError


def _values_file(path: Path) -> dict[str, Any]:
    from raywizard.documents.roundtrip_yaml import load_plain

    try:
        values = load_plain(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})", "check the path") from None
    except Exception as exc:  # a YAML error from the safe loader
        raise InputError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(values, dict):
        raise InputError(f"{path}: expected a mapping of chart values", "see the chart's values.yaml")
    return values


def _document_values(args: argparse.Namespace, workspace: Any) -> dict[str, Any] | None:
    from raywizard.documents.chart_values import values_of_application
    from raywizard.documents.roundtrip_yaml import to_plain
    from raywizard.render.applications import role_of

    values_path: Path | None = getattr(args, "values", None)
    if values_path is not None:
        return _values_file(values_path)
    found: dict[str, Any] | None = None
    for source in workspace.files:
        for doc in source.docs:
            plain = to_plain(doc)
            if source.kind == "values":
                found = plain if isinstance(plain, dict) else {}
            elif role_of(plain) == "cluster":
                found = values_of_application(plain)
    return found


def spec_and_values(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """(spec, chart values) for the flags in ``args``."""
    from raywizard.cli.commands._inputs import workspace_from_args
    from raywizard.render.helm_values import to_values

    workspace = workspace_from_args(args)
    spec = workspace.spec
    document = _document_values(args, workspace)
    if document is None:
        return spec, to_values(spec)
    if not getattr(args, "assignments", None):
        return spec, document
    unedited = copy.copy(args)
    unedited.assignments = []
    before = workspace_from_args(unedited).spec
    from raywizard.documents.chart_values import apply_edit

    return spec, apply_edit(document, to_values(before), to_values(spec))
