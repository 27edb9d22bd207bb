"""raywizard template: the RayCluster exactly as `helm template` renders the ray-cluster chart."""

from __future__ import annotations

import argparse

HELP = "print the RayCluster the ray-cluster chart renders (like helm template)"
DESCRIPTION = (
    "Render the RayCluster from the spec's chart values with raywizard's model of the ray-cluster chart\n"
    "(versions 1.4.x-1.7.x): chart defaults merged, fullname, labels, group order, as `helm template` does."
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


def run(args: argparse.Namespace) -> int:
    from raywizard.chart import UnknownChartVersion
    from raywizard.cli.commands._inputs import spec_from_args, write_output
    from raywizard.model.errors import InputError
    from raywizard.render.applications import desired_raycluster
    from raywizard.render.emitter import emit

    spec = spec_from_args(args)
    try:
        raycluster = desired_raycluster(spec)
    except UnknownChartVersion as exc:
        raise InputError(str(exc), "pick a chart version listed by `raywizard template --help`") from None
    write_output({"raycluster.yaml": emit(raycluster)}, args.output)
    return 0
