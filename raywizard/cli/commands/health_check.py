"""raywizard health-check: the Argo CD Lua health check for RayCluster (Argo CD has none built in)."""

from __future__ import annotations

import argparse

HELP = "print an Argo CD health check for RayCluster, for the argocd-cm ConfigMap"
DESCRIPTION = (
    "Argo CD has no health check for ray.io/RayCluster, so an Application is Healthy as soon as the\n"
    "RayCluster exists. This prints a Lua check (key resource.customizations.health.ray.io_RayCluster in\n"
    "argocd-cm) based on\n"
    "the RayCluster's conditions, ready and desired workers."
)
EXAMPLES = """\
examples:
  raywizard health-check > patch.yaml && kubectl -n argocd patch cm argocd-cm --patch-file patch.yaml
  raywizard health-check --lua
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lua", action="store_true", help="print only the Lua script")


def run(args: argparse.Namespace) -> int:
    import sys

    from raywizard.kube.health_lua import HEALTH_LUA, configmap_patch

    sys.stdout.write(HEALTH_LUA if args.lua else configmap_patch())
    return 0
