"""`raywizard demo`: the wizard on the embedded sandbox cluster, started in the background and stopped on exit."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

HELP = "open the wizard on a throwaway sandbox cluster (no cluster needed)"
DESCRIPTION = ("Start the embedded sandbox (a Kubernetes API on 127.0.0.1 with simulated Argo CD, KubeRay and "
               "autoscaler) with a temporary kubeconfig, open the wizard connected to it, and stop it on exit. "
               "The whole journey works: edit, preview the diff, apply, watch the dashboard. The kubeconfig's path "
               "and a ready kubectl line are printed on start: kubectl and k9s work against the demo cluster as "
               "they are, because the demo's API server, on loopback only, also admits requests that carry no "
               "token (kubectl sends none over plain http); a wrong token is still refused.")
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
        # anonymous: kubectl and k9s send no bearer token over plain http (client-go only uses credentials over
        # TLS), so the demo admits token-less requests; the server listens on 127.0.0.1 only.
        cluster = SandboxCluster(speed=float(getattr(args, "speed", 4.0) or 4.0), anonymous=True).start()
        try:
            kubeconfig = cluster.write_kubeconfig(Path(scratch) / "kubeconfig")
            print(demo_banner(cluster.url, kubeconfig), flush=True)
            app = create_app(preset=getattr(args, "preset", None), kubeconfig=str(kubeconfig),
                             context=SANDBOX_CONTEXT, demo_note=demo_note(cluster.url, kubeconfig),
                             offer_recovery=True, demo_kubectl=kubectl_line(kubeconfig))
            result = app.run()
        finally:
            cluster.stop()
    return app.return_code or int(result or 0)


def kubectl_line(kubeconfig: Path) -> str:
    """The command a user pastes into another terminal to look at the demo cluster with kubectl."""
    import shlex

    return f"kubectl --kubeconfig {shlex.quote(str(kubeconfig))} get applications,pods -A"


def demo_banner(url: str, kubeconfig: Path) -> str:
    return (f"raywizard demo: sandbox cluster at {url}\n"
            f"  kubeconfig: {kubeconfig}\n"
            f"  try:        {kubectl_line(kubeconfig)}\n"
            f"  (k9s: KUBECONFIG={kubeconfig} k9s) - the cluster stops when you quit the wizard.")


def demo_note(url: str, kubeconfig: Path) -> str:
    """The Start screen's line about the demo cluster (its kubeconfig and a kubectl line to copy)."""
    return f"sandbox at {url}, stopped when you quit\n      {kubectl_line(kubeconfig)}"
