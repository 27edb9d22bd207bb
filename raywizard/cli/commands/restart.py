"""raywizard restart: recreate a group's pods so they run the group's current template.

KubeRay does not restart running pods when a pod template changes (docs/template-drift.md); this deletes the
group's pods, after a confirmation naming how many, and the operator recreates them."""

from __future__ import annotations

import argparse
import sys

HELP = "delete a group's pods so KubeRay recreates them from the current template (after a template change)"
EXAMPLES = """\
examples:
  raywizard restart workergroup               shows which pods run an older template, asks, then deletes them
  raywizard restart headgroup --yes
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    parser.add_argument("group", metavar="GROUP", help="worker group name, or headgroup for the head")
    parser.add_argument("--cluster", metavar="NAME", help="RayCluster name (default: the only one in the namespace)")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask")
    add_target_arguments(parser)
    add_cluster_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import confirm, connect, print_banner, spec_from
    from raywizard.kube import resources
    from raywizard.kube.resources import RAYCLUSTERS
    from raywizard.kube.template_drift import restart_group, stale_pods
    from raywizard.model.errors import InputError
    from raywizard.model.textsafe import literal

    namespace = spec_from(args).target.namespace
    conn = connect(args)
    try:
        clusters = list(resources.list_custom(conn, RAYCLUSTERS, namespace).get("items") or [])
        if args.cluster:
            clusters = [c for c in clusters if c["metadata"]["name"] == args.cluster]
        if len(clusters) != 1:
            found = ", ".join(c["metadata"]["name"] for c in clusters) or "none"
            raise InputError(f"expected one RayCluster in {namespace}, found {found}", "pass --cluster NAME")
        raycluster = clusters[0]
        name = raycluster["metadata"]["name"]
        drift = {d.group: d for d in stale_pods(raycluster, resources.list_pods(conn, namespace))}
        pods = [
            p
            for p in resources.list_pods(conn, namespace)
            if (p["metadata"].get("labels") or {}).get("ray.io/cluster") == name
            and (
                (p["metadata"].get("labels") or {}).get("ray.io/group") == args.group
                or (args.group == "headgroup" and (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "head")
            )
        ]
        if not pods:
            raise InputError(f"no pods of group {args.group} in RayCluster {namespace}/{name}")
        if args.group in drift:
            print(literal(drift[args.group].line()), file=sys.stderr)
        else:
            print(f"all {len(pods)} pods of {literal(args.group)} already run the current template", file=sys.stderr)
        print_banner(conn, "Restarting")
        confirm(
            f"Delete the {len(pods)} pod(s) of group {literal(args.group)} in {namespace}/{literal(name)}? "
            "The KubeRay operator recreates them from the current template (running work on them is lost).",
            args.yes,
        )
        count = restart_group(conn, namespace, name, args.group)
        print(f"deleted {count} pod(s) of {literal(args.group)}; KubeRay recreates them")
        return 0
    finally:
        conn.close()
