"""raywizard render: the three Argo CD Applications for a spec."""

from __future__ import annotations

import argparse
import sys

from raywizard.model.textsafe import literal

HELP = "print or write the three Argo CD Applications (CRDs, operator, RayCluster)"
DESCRIPTION = (
    "Render the KubeRay CRDs, KubeRay operator and RayCluster Applications for Argo CD, as in Ray's guide.\n"
    "Problems are listed on stderr; rendering refuses when there are errors unless --force."
)
EXAMPLES = """\
examples:
  raywizard render --preset argocd-guide -o -
  raywizard render --preset minimal --release my-ray --namespace ml -o ray-apps.yaml
  raywizard render --from ray-argocd-all.yaml --set workerGroups.standard-worker.maxReplicas=50 -o -
  raywizard render --preset gpu --layout split -o apps/
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser)
    parser.add_argument("-o", "--output", metavar="PATH|-", default="-",
                        help="file, directory (split layout) or - for stdout (default)")
    parser.add_argument("--force", action="store_true",
                        help="render even when validation finds errors, and overwrite read-only files")


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._inputs import workspace_from_args, write_output
    from raywizard.cli.commands.validate import print_problems
    from raywizard.model.problems import has_errors
    from raywizard.render.applications import render_files
    from raywizard.validation.validate import validate

    workspace = workspace_from_args(args)
    problems = validate(workspace.spec)
    print_problems(problems, stream=sys.stderr, quiet_ok=True)
    if has_errors(problems) and not args.force:
        print("raywizard: error: not rendered because of the errors above (fix them, or pass --force)",
              file=sys.stderr)
        return 1
    written = write_output(render_files(workspace.spec), args.output, force=args.force)
    for path in written:
        print(literal(f"wrote {path}"), file=sys.stderr)
    return 0
