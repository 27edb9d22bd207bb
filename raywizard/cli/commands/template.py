"""raywizard template: the RayCluster exactly as `helm template` renders the ray-cluster chart."""

from __future__ import annotations

import argparse
import sys

HELP = "print the RayCluster the ray-cluster chart renders (like helm template)"
DESCRIPTION = (
    "Render the RayCluster from your chart values (the --values file, or the values of the --from file, with\n"
    "--set edits) with raywizard's model of the ray-cluster chart (1.4.0-1.7.0): every value the chart reads,\n"
    "chart defaults coalesced as Helm does, as `helm template` renders it."
)
EXAMPLES = """\
examples:
  raywizard template --values values.yaml --release raycluster --chart-version 1.5.1 -o -
  raywizard template --preset argocd-guide
  raywizard template --from ray-argocd-all.yaml --chart-version 1.7.0
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser, layout=False)
    parser.add_argument("-o", "--output", metavar="PATH|-", default="-", help="file or - for stdout (default)")
    parser.add_argument("--force", action="store_true", help="overwrite a read-only output file")


def run(args: argparse.Namespace) -> int:
    from raywizard.chart import UnknownChartVersion, render_raycluster
    from raywizard.cli.commands._inputs import spec_from_args, write_output
    from raywizard.model.errors import InputError
    from raywizard.render.applications import release_name
    from raywizard.render.emitter import emit
    from raywizard.render.helm_values import chart_values

    spec = spec_from_args(args)
    # every value Argo CD passes: value files, the inline values as written with the --set edits, parameters
    values = chart_values(spec)
    try:
        raycluster = render_raycluster(
            values, release_name=release_name(spec), namespace=spec.target.namespace,
            chart_version=spec.versions.chart,
        )
    except UnknownChartVersion as exc:
        raise InputError(str(exc), "pick a chart version listed by `raywizard template --help`") from None
    from raywizard.model.textsafe import literal

    for note in spec.values_layers.unread if spec.values_layers is not None else []:
        # Helm gets this file from Argo CD; the render here lacks it (docs/application-forms.md#value-files).
        print(literal(f"raywizard: warning: {note}: left out of this render (--checkout DIR reads $ref files)"),
              file=sys.stderr)
    write_output({"raycluster.yaml": emit(raycluster)}, args.output, force=args.force)
    return 0
