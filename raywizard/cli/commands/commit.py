"""raywizard commit: write the Applications into a git working tree, commit them, and push (GitOps)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace
    from raywizard.model.spec import ClusterSpec

HELP = "write the Applications into a git clone, commit them with a message saying what changed, and push"
DESCRIPTION = (
    "Write the three Applications into the git working tree at --path (one file per Application, or the files\n"
    "already there edited in place, comments kept), show the diff, commit with a message generated from what\n"
    "changed (or -m), and with --push push to the branch's upstream. Without --preset/--from the files already\n"
    "at --path are the starting point, so `--set` edits them; with them, the files there are edited into what\n"
    "they describe. Refuses, writing nothing, on a detached HEAD, on changes outside --path, or without an\n"
    "upstream for --push; a failed commit or push undoes everything.\n"
    "--wait (with --push) refreshes the parent Application that manages the live Applications and follows it\n"
    "until it and its children run the pushed commit and the RayCluster is ready."
)
EXAMPLES = """\
examples:
  raywizard commit --preset argocd-guide --repo ~/src/deploy --path ray --push
  raywizard commit --repo ~/src/deploy --path ray --set workerGroups.standard-worker.maxReplicas=8 --push --wait
  raywizard commit --repo . --path ray -m "ray: bigger workers" --set workerGroups[0].cpu=8
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser, layout=False)
    git = parser.add_argument_group("git")
    git.add_argument("--repo", metavar="DIR", type=Path, default=Path("."),
                     help="the git clone to commit in (default: the current directory)")
    git.add_argument("--path", dest="subdir", metavar="SUBDIR", required=True,
                     help="directory in the clone, relative to its root, that holds the Applications (what the "
                          "parent Application syncs)")
    git.add_argument("-m", "--message", metavar="MESSAGE", help="commit message (default: generated from the change)")
    git.add_argument("--push", action="store_true", help="push the commit to the branch's upstream")
    wait = parser.add_argument_group("following the revision (with --push)")
    wait.add_argument("--wait", action="store_true",
                      help="after the push, refresh the parent Application that manages the live Applications and "
                           "wait until it and its children run the new commit and the RayCluster is ready")
    wait.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                      help="give up waiting after this long (default 600)")
    wait.add_argument("--argocd-namespace", metavar="NS", help="namespace of Argo CD (default: from the spec)")
    add_cluster_arguments(parser)


def commit_texts(args: argparse.Namespace, directory: Path) -> tuple[Workspace, dict[Path, str]]:
    """The workspace the flags describe and the new text of each file to commit in ``directory``."""
    from raywizard.cli.commands._inputs import workspace_from_args
    from raywizard.documents.repo_commit import application_files, texts_for

    existing = application_files(directory)
    if not getattr(args, "from_files", None) and not getattr(args, "preset", None) and existing:
        args.from_files = existing  # the files already there are what --set edits
    workspace = workspace_from_args(args)
    return workspace, texts_for(workspace, directory)


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands.validate import print_problems
    from raywizard.documents.git import open_repository
    from raywizard.documents.repo_commit import execute_commit, prepare_commit, stage, subdir_of
    from raywizard.model.errors import InputError
    from raywizard.model.problems import has_errors
    from raywizard.validation.validate import validate

    if args.wait and not args.push:
        raise InputError("--wait follows a pushed commit", "add --push")
    repo = open_repository(args.repo)
    subdir = subdir_of(repo, args.subdir)
    directory = repo.root / subdir
    workspace, texts = commit_texts(args, directory)
    problems = validate(workspace.spec)
    print_problems(problems, stream=sys.stderr, quiet_ok=True)
    if has_errors(problems):
        raise InputError("not committed because of the errors above", "fix them (raywizard validate) and retry")
    plan = prepare_commit(repo.root, subdir, texts, push=args.push, message=args.message)
    where = f"{subdir}/" if subdir else "the repository root"
    print(literal(f"commit in {repo.root} on branch {plan.branch} ({where})"), file=sys.stderr)
    if plan.empty:
        print(literal(f"nothing to commit: {where} already holds these Applications"), file=sys.stderr)
        if args.wait:
            return follow_commit(args, workspace.spec, None, subdir)
        return 0
    sys.stdout.write(stage(plan))
    sys.stdout.flush()
    if plan.upstream is not None:
        print(literal(f"pushing to {plan.remote_line()} after the commit"), file=sys.stderr)
    outcome = execute_commit(plan, push=args.push, staged=True)
    print(literal(f"committed {outcome.sha[:7]} on {plan.branch}: {outcome.subject}", single_line=True),
          file=sys.stderr)
    if outcome.pushed_to:
        print(literal(f"pushed {outcome.sha[:7]} to {outcome.pushed_to}"), file=sys.stderr)
    if args.wait:
        return follow_commit(args, workspace.spec, outcome.sha, subdir)
    return 0


def follow_commit(args: argparse.Namespace, spec: ClusterSpec, sha: str | None, subdir: str = "") -> int:
    """Refresh the parent managing the live Applications and follow it to ``sha`` (None: its branch now)."""
    from raywizard.cli.commands._cluster_args import connect
    from raywizard.cli.commands._follow import follow
    from raywizard.kube import resources
    from raywizard.kube.follow import FollowTarget
    from raywizard.kube.operations import refresh_application
    from raywizard.kube.resources import APPLICATIONS
    from raywizard.kube.tracking import find_parents
    from raywizard.model.errors import ClusterError
    from raywizard.render.applications import raycluster_name

    if args.argocd_namespace:
        spec.target.argocd_namespace = args.argocd_namespace
    namespace = spec.target.argocd_namespace
    names = [spec.target.crds_app, spec.target.operator_app, spec.target.cluster_app]
    conn = connect(args)
    try:
        print(literal(f"following on {conn.banner()}"), file=sys.stderr)
        lives = [resources.get_custom(conn, APPLICATIONS, namespace, name) for name in names]
        parents = find_parents(conn, lives)
        if not parents:
            raise ClusterError(
                f"no parent Application manages {', '.join(names)} in namespace {namespace}, so nothing syncs the "
                "commit",
                "create one: raywizard root --repo-url URL --path SUBDIR --apply")
        parent = next(iter(parents.values()))
        if subdir and parent.path.strip("/") != subdir.strip("/"):
            print(literal(f"warning: {parent.name} syncs path {parent.path or '.'}, not {subdir}: this commit may "
                          "not be what it reads"), file=sys.stderr)
        refresh_application(conn, parent.namespace, parent.name)
        print(literal(f"Application {parent.namespace}/{parent.name}: refresh requested"), file=sys.stderr)
        target = FollowTarget(parent.namespace, parent.name, revision=sha, ray_namespace=spec.target.namespace,
                              raycluster=raycluster_name(spec))
        follow(conn, target, args.timeout)
    finally:
        conn.close()
    return 0
