"""raywizard render: the three Argo CD Applications for a spec."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.model.spec import ClusterSpec

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
  raywizard render --from ray-appset.yaml --generated -o -    # the Applications a list generator makes
"""


def _generated_files(spec: ClusterSpec) -> dict[str, str]:
    from raywizard.model.errors import InputError
    from raywizard.render.applications import render_applications
    from raywizard.render.applicationsets import GenerateError, generated_applications
    from raywizard.render.emitter import emit, emit_all

    if spec.app_set is None:
        raise InputError("--generated renders the Applications of an ApplicationSet; none was read",
                         "pass an ApplicationSet file with --from, or leave out --generated")
    appset = render_applications(spec)[2]
    try:
        apps = generated_applications(appset)
    except GenerateError as exc:
        raise InputError(f"ApplicationSet: {exc}", "fix the list generator's elements") from None
    if spec.layout.value == "split":
        return {f"{app['metadata']['name']}.yaml": emit(app) for app in apps}
    return {"generated-applications.yaml": emit_all(apps)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser)
    parser.add_argument("-o", "--output", metavar="PATH|-", default="-",
                        help="file, directory (split layout) or - for stdout (default)")
    parser.add_argument("--force", action="store_true",
                        help="render even when validation finds errors, and overwrite read-only files")
    parser.add_argument("--generated", action="store_true",
                        help="for an ApplicationSet (--from), the Applications its list generators make instead "
                             "of the ApplicationSet")


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
    if workspace.spec.app_set is not None:
        from raywizard.render.applicationsets import describe

        for line in describe(workspace.spec.app_set):
            print(literal(f"note: {line}"), file=sys.stderr)
    if args.generated:
        files = _generated_files(workspace.spec)
    else:
        files = render_files(workspace.spec)
    written = write_output(files, args.output, force=args.force)
    for path in written:
        print(literal(f"wrote {path}"), file=sys.stderr)
    return 0
