"""raywizard root: the parent Application (app of apps) that syncs the committed Applications from git."""

from __future__ import annotations

import argparse
import sys

from raywizard.model.textsafe import literal

HELP = "render or apply the parent Application that syncs the committed Applications from a git directory"
DESCRIPTION = (
    "The parent Application (app of apps) over --path of --repo-url: a directory source, automated sync with\n"
    "prune and selfHeal, retry with backoff. Its children are the files `raywizard commit` writes (sync waves\n"
    "0 CRDs, 1 operator, 2 RayCluster, each with retry). With --apply it is applied to the cluster and followed\n"
    "until it and its children are Synced/Healthy at the branch's commit and the RayCluster is ready.\n"
    "Argo CD waits on a wave's health only with the health check --health-check prints (for argocd-cm); without\n"
    "it, the children's retry makes the sync converge."
)
EXAMPLES = """\
examples:
  raywizard root --repo-url https://github.com/acme/deploy.git --path ray -o ray-root.yaml
  raywizard root --repo-url file:///srv/git/ray.git --path ray --name ray-root --apply --yes
  raywizard root --health-check > patch.yaml && kubectl -n argocd patch cm argocd-cm --patch-file patch.yaml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments

    parser.add_argument("--repo-url", metavar="URL", help="the git repository Argo CD reads (as Argo CD knows it)")
    parser.add_argument("--path", dest="subdir", metavar="SUBDIR", help="directory in it with the Applications")
    parser.add_argument("--revision", default="HEAD", metavar="REV",
                        help="branch, tag or commit to follow (default HEAD: the default branch)")
    parser.add_argument("--name", default="ray-root", metavar="NAME", help="the parent's name (default ray-root)")
    parser.add_argument("--argocd-namespace", default="argocd", metavar="NS",
                        help="namespace of Argo CD, where the parent and its children live (default argocd)")
    parser.add_argument("--project", default="default", metavar="PROJECT", help="Argo CD project (default default)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="FILE|-", help="write the parent Application (default: stdout)")
    where.add_argument("--apply", action="store_true", help="apply it to the cluster and follow the sync")
    where.add_argument("--health-check", action="store_true",
                       help="print the argocd-cm entry that gives child Applications a health, so waves wait on it")
    parser.add_argument("-y", "--yes", action="store_true", help="with --apply: do not ask for confirmation")
    parser.add_argument("--no-wait", action="store_true", help="with --apply: do not follow the sync")
    parser.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                        help="with --apply: give up following after this long (default 600)")
    add_cluster_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from raywizard.model.errors import InputError
    from raywizard.render.emitter import emit
    from raywizard.render.gitops import health_configmap_patch, root_application

    if args.health_check:
        sys.stdout.write(health_configmap_patch())
        return 0
    if not args.repo_url or not args.subdir:
        raise InputError("root needs --repo-url and --path", "e.g. raywizard root --repo-url URL --path ray -o -")
    parent = root_application(repo_url=args.repo_url, path=args.subdir, revision=args.revision, name=args.name,
                              namespace=args.argocd_namespace, project=args.project)
    text = emit(parent)
    if not args.apply:
        from raywizard.cli.commands._inputs import write_output

        for path in write_output({f"{args.name}.yaml": text}, args.output):
            print(literal(f"wrote {path}"), file=sys.stderr)
        print("note: child Applications wait on each other's health only with `raywizard root --health-check` "
              "in argocd-cm (docs/gitops.md)", file=sys.stderr)
        return 0
    return _apply(args, parent, text)


def _apply(args: argparse.Namespace, parent: dict[str, object], text: str) -> int:
    from raywizard.cli.commands._cluster_args import confirm, connect
    from raywizard.kube import resources
    from raywizard.kube.resources import APPLICATIONS

    conn = connect(args)
    try:
        print(literal(f"root on {conn.banner()}"), file=sys.stderr)
        sys.stdout.write(text)
        live = resources.get_custom(conn, APPLICATIONS, args.argocd_namespace, args.name)
        verb = "update" if live is not None else "create"
        confirm(f"{verb} Application {args.argocd_namespace}/{args.name} on {conn.banner()}?", args.yes)
        status, _applied = resources.server_side_apply(conn, APPLICATIONS, parent)
        outcome = "created" if status == 201 or live is None else "configured"
        print(literal(f"Application {args.argocd_namespace}/{args.name} {outcome}; it syncs {args.repo_url} path "
                      f"{args.subdir} at {args.revision}"), file=sys.stderr, flush=True)
        if args.no_wait:
            return 0
        from raywizard.cli.commands._follow import follow, parent_target

        follow(conn, parent_target(args.argocd_namespace, args.name), args.timeout)
    finally:
        conn.close()
    return 0
