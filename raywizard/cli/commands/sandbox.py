"""raywizard sandbox: the embedded Kubernetes API server with simulated Argo CD, KubeRay and autoscaler."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

HELP = "run the embedded sandbox cluster (API server + simulated Argo CD, KubeRay, autoscaler) in the foreground"
DESCRIPTION = (
    "Start a Kubernetes API server on 127.0.0.1 that real kubectl and the kubernetes client talk to,\n"
    "with simulated controllers: Argo CD (namespace argocd), the KubeRay operator (once its Deployment\n"
    "is available) and the Ray autoscaler. Prints the kubeconfig path and runs until Ctrl-C."
)
EXAMPLES = """\
examples:
  raywizard sandbox                                  random port, kubeconfig in the user cache directory
  raywizard sandbox --speed 20 --kubeconfig /tmp/sandbox.kubeconfig
  raywizard sandbox --load burst                     autoscaler demand spikes (watch replicas move)
  raywizard sandbox --no-argocd                      a bare cluster without Argo CD
  raywizard sandbox --faults 'latency=50ms,error_rate.patch=0.1'
"""
LOAD_PROFILES = ("idle", "steady", "burst")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--kubeconfig", metavar="PATH", help="where to write the kubeconfig")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="simulation speed factor: all controller delays are divided by it (default 1)",
    )
    parser.add_argument(
        "--load", choices=LOAD_PROFILES, default="idle", help="Ray autoscaler load profile (default idle)"
    )
    parser.add_argument("--no-argocd", action="store_true", help="no argocd namespace, Application CRD or Argo CD")
    parser.add_argument("--faults", metavar="SPEC", help="fault injection spec for the API server")
    parser.add_argument(
        "--bookmark-interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="seconds between the BOOKMARKs of a quiet watch (default 60, about what a real API server sends)",
    )
    parser.add_argument(
        "--require-token",
        action="store_true",
        help="answer 401 to requests without the kubeconfig's bearer token (kubectl sends no "
        "token over plain http, so it then cannot connect)",
    )


def _default_kubeconfig() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("raywizard")) / "sandbox.kubeconfig"


def run(args: argparse.Namespace) -> int:
    from raywizard.model.errors import InputError
    from raywizard.sandbox.cluster import SandboxCluster

    if args.speed <= 0:
        raise InputError(f"--speed must be positive, not {args.speed}", "use e.g. --speed 20 for a fast demo")
    if args.bookmark_interval <= 0:
        raise InputError(
            f"--bookmark-interval must be positive, not {args.bookmark_interval}", "use e.g. --bookmark-interval 1"
        )
    try:
        # kubectl (client-go) sends no bearer token over plain http: accept anonymous requests unless asked not to.
        cluster = SandboxCluster(
            port=args.port,
            argocd=not args.no_argocd,
            speed=args.speed,
            faults=args.faults,
            anonymous=not args.require_token,
            bookmark_interval=args.bookmark_interval,
        )
    except ValueError as exc:
        raise InputError(str(exc), "see `raywizard sandbox --help` for the --faults syntax") from exc
    try:
        cluster.start()
    except OSError as exc:
        raise InputError(
            f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}",
            "pick another --port, or omit it for a free one",
        ) from exc
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        set_load = getattr(cluster, "set_load", None)
        if set_load is not None:
            set_load(args.load)
        path = cluster.write_kubeconfig(
            Path(args.kubeconfig).expanduser() if args.kubeconfig else _default_kubeconfig()
        )
        out = sys.stdout
        out.write(
            f"raywizard sandbox listening on {cluster.url} (speed x{args.speed:g}, load {args.load}"
            f"{', no Argo CD' if args.no_argocd else ''})\n"
        )
        out.write(f"kubeconfig: {path}\n\n")
        out.write(f"  export KUBECONFIG={path}\n")
        out.write("  kubectl get nodes\n")
        if not args.no_argocd:
            out.write("  kubectl apply --validate=false -f ray-argocd-all.yaml   # the guide's Applications\n")
            out.write("  kubectl get applications -n argocd\n")
        out.write("\nPress Ctrl-C to stop.\n")
        out.flush()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        cluster.stop()
    sys.stdout.write("sandbox stopped.\n")
    return 0
