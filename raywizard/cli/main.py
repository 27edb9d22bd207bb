"""Command-line entry point: `raywizard [SUBCOMMAND]`.

The only place that turns exceptions into messages and exit codes. Each subcommand lives in
``raywizard.cli.commands.<name>`` with ``add_arguments(parser)`` and ``run(args) -> int``; heavy imports (textual,
kubernetes, jq) happen inside ``run`` so that ``raywizard --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from types import ModuleType

# Order here is the order in `raywizard --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "wizard",
    "init",
    "render",
    "template",
    "validate",
    "presets",
    "diff",
    "apply",
    "commit",
    "root",
    "status",
    "dashboard",
    "forward",
    "restart",
    "sync",
    "refresh",
    "delete",
    "preflight",
    "contexts",
    "health_check",
    "sandbox",
    "demo",
    "completion",
)

EPILOG = """\
examples:
  raywizard demo                                  open the wizard on the embedded sandbox cluster
  raywizard                                       open the wizard (offline until you pick a cluster)
  raywizard render --preset argocd-guide -o -     print the three Argo CD Applications of the guide
  raywizard validate --from apps.yaml             list problems in an existing file
  raywizard apply --from apps.yaml                preview, confirm and apply to the current context
"""


def _load_commands() -> dict[str, ModuleType]:
    commands: dict[str, ModuleType] = {}
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(f"raywizard.cli.commands.{module_name}")
        commands[getattr(module, "NAME", module_name.replace("_", "-"))] = module
    return commands


def build_parser(commands: dict[str, ModuleType] | None = None) -> argparse.ArgumentParser:
    commands = _load_commands() if commands is None else commands
    parser = argparse.ArgumentParser(
        prog="raywizard",
        description="Deploy and run a Ray cluster on Kubernetes through Argo CD.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from raywizard import __version__

    parser.add_argument("--version", action="version", version=f"raywizard {__version__}")
    parser.add_argument("--no-color", action="store_true", help="plain output (also: NO_COLOR=1)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in commands.items():
        sub = subparsers.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=getattr(module, "EXAMPLES", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(_command_module=module)
    return parser


_GLOBAL_OPTIONS = {"-h", "--help", "--version", "--no-color"}


def _default_to_wizard(argv: list[str], commands: dict[str, ModuleType]) -> list[str]:
    """``raywizard --from apps.yaml`` means ``raywizard wizard --from apps.yaml``: options that are not global,
    before any subcommand, belong to the default command."""
    if "wizard" not in commands:
        return argv
    for index, token in enumerate(argv):
        if token in _GLOBAL_OPTIONS:
            continue
        if token.startswith("-"):
            return [*argv[:index], "wizard", *argv[index:]]
        return argv  # a subcommand (or a typo argparse will report)
    return argv


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = _load_commands()
    parser = build_parser(commands)
    args = parser.parse_args(_default_to_wizard(argv, commands))
    if args.no_color:
        os.environ["NO_COLOR"] = "1"
    module = getattr(args, "_command_module", None)
    if module is None:
        # No subcommand: the Textual wizard, when it exists; otherwise the help.
        if "wizard" not in commands:
            parser.print_help()
            return 0
        module = commands["wizard"]
        args = parser.parse_args([*argv, "wizard"])
    from raywizard.model.errors import RaywizardError
    from raywizard.model.textsafe import literal

    try:
        return int(module.run(args) or 0)
    except RaywizardError as exc:
        # Messages quote files and cluster objects: shown literally, so they cannot drive the terminal.
        print(f"raywizard: error: {literal(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("raywizard: interrupted; nothing more was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `raywizard render | head`: the reader went away; that is not an error of ours.
        sys.stderr.close()
        return 0
    except Exception as exc:
        if os.environ.get("RAYWIZARD_DEBUG"):
            raise
        # A bug of ours: one line (its text may quote the input, so literally), not a traceback.
        print(f"raywizard: internal error: {type(exc).__name__}: {literal(exc, single_line=True)} "
              "(nothing more was written; RAYWIZARD_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 70
