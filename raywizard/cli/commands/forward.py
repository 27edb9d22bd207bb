"""raywizard forward: the Ray head's ports on localhost, through pods/portforward like `kubectl port-forward`."""

from __future__ import annotations

import argparse
import sys

HELP = "forward the Ray head's dashboard (8265), client (10001) and serve (8000) ports to localhost"
EXAMPLES = """\
examples:
  raywizard forward                              8265, 10001 and 8000 of the head on 127.0.0.1
  raywizard forward --ports 18265:8265           only the dashboard, on local port 18265
  raywizard forward --cluster raycluster-kuberay --namespace ml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    parser.add_argument(
        "--cluster", metavar="NAME", help="RayCluster name (default: the one with a running head in the namespace)"
    )
    parser.add_argument(
        "--ports",
        metavar="LOCAL:REMOTE,...",
        default="8265,10001,8000",
        help="ports to forward (default 8265,10001,8000; LOCAL 0 picks a free port)",
    )
    parser.add_argument("--address", metavar="IP", default="127.0.0.1", help="local address (default 127.0.0.1)")
    add_target_arguments(parser)
    add_cluster_arguments(parser)


def run(args: argparse.Namespace) -> int:
    import threading

    from raywizard.cli.commands._cluster_args import connect, spec_from
    from raywizard.kube.portforward import HeadPortForward, find_head_pod, parse_ports
    from raywizard.model.errors import ClusterError
    from raywizard.model.textsafe import literal

    ports = parse_ports(args.ports)
    namespace = spec_from(args).target.namespace
    conn = connect(args)
    try:
        try:
            head = find_head_pod(conn.api_client, namespace, args.cluster)
        except Exception as exc:
            from raywizard.kube.portforward import describe

            raise ClusterError(f"cannot list pods in {namespace}: {describe(exc)}") from exc
        if head is None:
            what = f"RayCluster {args.cluster}" if args.cluster else "any RayCluster"
            raise ClusterError(
                f"no running head pod of {what} in namespace {namespace}",
                fix="check `raywizard status`; the head may still be starting",
            )
        shown = {"message": ""}
        changed = threading.Event()

        def on_status(status: object) -> None:
            message = f"{getattr(status, 'state', '')}: {getattr(status, 'message', '')}"
            if message != shown["message"]:
                shown["message"] = message
                print(literal(message, single_line=True), file=sys.stderr, flush=True)
            changed.set()

        forward = HeadPortForward(conn.api_client, namespace, args.cluster, ports, host=args.address)
        forward.on_status = on_status
        forward.start()
        head_name = literal(str(head["metadata"]["name"]), single_line=True)
        for mapping in forward.bound:
            print(f"Forwarding from {args.address}:{mapping.local} -> {mapping.remote} ({namespace}/{head_name})")
        sys.stdout.flush()
        try:
            while True:
                changed.wait(3600)
                changed.clear()
        except KeyboardInterrupt:
            return 0
        finally:
            forward.on_status = None
            forward.stop()
    finally:
        conn.close()
