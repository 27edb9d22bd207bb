"""`raywizard demo`: the wizard on the embedded sandbox cluster, started in the background and stopped on exit."""

from __future__ import annotations

import argparse
import sys

HELP = "open the wizard on a throwaway sandbox cluster (no cluster needed)"
DESCRIPTION = ("Start the embedded sandbox (a Kubernetes API on 127.0.0.1 with simulated Argo CD, KubeRay and "
               "autoscaler) with a temporary kubeconfig, open the wizard connected to it, and stop it on exit. "
               "The whole journey works: edit, preview the diff, apply, watch the dashboard.")
EXAMPLES = """\
examples:
  raywizard demo                       the guide's preset, on the sandbox
  raywizard demo --preset gpu          start from another preset
  raywizard demo --speed 10            simulated controllers ten times faster than real time
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", metavar="NAME", help="start from this preset instead of the start screen")
    parser.add_argument("--speed", type=float, default=4.0,
                        help="speed factor of the simulated controllers (default: 4)")


def run(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from raywizard.model.errors import InputError

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise InputError("the demo needs a terminal", "run it in an interactive terminal")
    from raywizard.sandbox.cluster import SandboxCluster
    from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
    from raywizard.tui.wizard.app import create_app

    with tempfile.TemporaryDirectory(prefix="raywizard-demo-") as scratch:
        cluster = SandboxCluster(speed=float(getattr(args, "speed", 4.0) or 4.0)).start()
        try:
            kubeconfig = cluster.write_kubeconfig(Path(scratch) / "kubeconfig")
            app = create_app(preset=getattr(args, "preset", None), kubeconfig=str(kubeconfig),
                             context=SANDBOX_CONTEXT, demo_note=f"sandbox at {cluster.url}")
            result = app.run()
        finally:
            cluster.stop()
    return int(result or 0)
