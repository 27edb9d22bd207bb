"""raywizard validate: list the problems of a spec (exit 1 when any is an error)."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from raywizard.fields.fix_text import fix_for
from raywizard.model.problems import Problem
from raywizard.model.textsafe import literal

HELP = "check a spec and list its problems (exit 0: no errors, 1: errors)"
EXAMPLES = """\
examples:
  raywizard validate --from ray-argocd-all.yaml
  raywizard validate --preset argocd-guide --set head.autoscaling=true --ignore-differences none
  raywizard validate --values values.yaml -o json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser, layout=False)
    parser.add_argument("-o", "--output", choices=("text", "json"), default="text", help="output format")


def print_problems(problems: list[Problem], *, stream: TextIO, quiet_ok: bool = False) -> None:
    if not problems:
        if not quiet_ok:
            print("ok: no problems found", file=stream)
        return
    width = max(len(p.severity.value) for p in problems)
    for problem in problems:
        print(f"{problem.severity.value:<{width}}  {literal(problem.path)}: {literal(problem.message)}", file=stream)
        print(f"{'':<{width}}  fix: {literal(fix_for(problem, 'cli'))}", file=stream)


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import replace

    from raywizard.cli.commands._inputs import spec_from_args
    from raywizard.documents.shape_check import ShapeError
    from raywizard.model.problems import has_errors
    from raywizard.validation.validate import validate

    try:
        problems = validate(spec_from_args(args))
    except ShapeError as exc:
        # Wrong types are problems of the file: listed like the others, with the file in front of each path.
        problems = [replace(p, path=f"{exc.source}: {p.path}") for p in exc.problems]
    if args.output == "json":
        json.dump([{"path": p.path, "severity": p.severity.value, "message": p.message, "fix": p.fix,
                    "code": p.code} for p in problems], sys.stdout, indent=2)
        print()
    else:
        print_problems(problems, stream=sys.stdout)
    return 1 if has_errors(problems) else 0
