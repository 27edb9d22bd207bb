"""raywizard presets: list bundled and saved presets, or save the current spec as one."""

from __future__ import annotations

import argparse

HELP = "list presets, or save a spec as your own preset"
EXAMPLES = """\
examples:
  raywizard presets
  raywizard presets --save my-cluster --from ray-argocd-all.yaml --description "team cluster"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._inputs import add_input_arguments

    parser.add_argument("--save", metavar="NAME", help="save the spec given by the input flags as a user preset")
    parser.add_argument("--description", default="", help="one line describing the saved preset")
    add_input_arguments(parser, layout=False)


def run(args: argparse.Namespace) -> int:
    from raywizard.documents.presets import list_presets, save_user_preset
    from raywizard.model.textsafe import literal

    if args.save:
        from raywizard.cli.commands._inputs import spec_from_args

        path = save_user_preset(args.save, spec_from_args(args), args.description)
        print(literal(f"saved preset {args.save!r} to {path}"))
        return 0
    presets = list_presets()
    width = max((len(p.name) for p in presets), default=4)
    for preset in presets:
        # The description is the first line of a user's file: shown literally.
        print(f"{preset.name:<{width}}  {preset.source:<7}  {literal(preset.description, single_line=True)}")
    return 0
