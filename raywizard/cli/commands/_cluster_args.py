"""Flags and helpers shared by the subcommands that talk to a cluster (diff, apply, status, sync, ...).

Kept free of kubernetes imports at module level: ``raywizard --help`` imports every command module.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from raywizard.kube.connection import Connection
    from raywizard.model.spec import ClusterSpec

DEFAULT_REQUEST_TIMEOUT = 15.0


def add_cluster_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("cluster connection")
    group.add_argument(
        "--kubeconfig", metavar="PATH", help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)"
    )
    group.add_argument("--context", metavar="NAME", help="kubeconfig context (default: the current one)")
    group.add_argument(
        "--request-timeout",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        help=f"give up on a single API request after this long (default {DEFAULT_REQUEST_TIMEOUT:g})",
    )


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """For commands that need names but no full spec (status, sync, refresh): the spec inputs are optional."""
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser, layout=False)
    parser.add_argument(
        "--argocd-namespace", metavar="NS", help="namespace of Argo CD (default: from the spec)"
    )


def connect(args: argparse.Namespace) -> Connection:
    """A ``Connection`` for the flags (raises InputError with a fix when there is no usable kubeconfig)."""
    from raywizard.kube.connection import load_connection

    return load_connection(
        getattr(args, "kubeconfig", None),
        getattr(args, "context", None),
        request_timeout=getattr(args, "request_timeout", DEFAULT_REQUEST_TIMEOUT),
    )


def spec_from(args: argparse.Namespace) -> ClusterSpec:
    from raywizard.cli.commands._inputs import spec_from_args

    spec = spec_from_args(args)
    if getattr(args, "argocd_namespace", None):
        spec.target.argocd_namespace = args.argocd_namespace
    return spec


def print_banner(conn: Connection, verb: str, stream: IO[str] | None = None) -> None:
    """Every write says where it goes first."""
    print(f"{verb} on {conn.banner()}", file=stream or sys.stderr)


def use_color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def confirm(question: str, assume_yes: bool) -> bool:
    """Ask on the terminal; without one (CI, pipes) refuse at once unless --yes was given.

    The question goes to stderr, never stdout: with ``raywizard apply | tee log`` stdout is a pipe, and a
    question written there would sit in the pipe while we wait for an answer nobody can see."""
    from raywizard.model.errors import Aborted, InputError

    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise InputError("refusing to write without confirmation: stdin is not a terminal", "pass --yes")
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    try:
        line = sys.stdin.readline()
    except (EOFError, KeyboardInterrupt):
        line = ""
    answer = line.strip().lower()
    if answer not in ("y", "yes"):
        raise Aborted("nothing was changed")
    return True


def dump(data: Any, fmt: str) -> str:
    import json

    if fmt == "json":
        return json.dumps(data, indent=2, default=str) + "\n"
    import yaml

    return str(yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True))
