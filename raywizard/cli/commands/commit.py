"""raywizard commit: write the Applications into a git working tree, commit them, and push (GitOps)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace

HELP = "write the Applications into a git clone, commit them with a message saying what changed, and push"
DESCRIPTION = (
    "Write the three Applications into the git working tree at --path (one file per Application, or the files\n"
    "already there edited in place, comments kept), show the diff, commit with a message generated from what\n"
    "changed (or -m), and with --push push to the branch's upstream. Without --preset/--from the files already\n"
    "at --path are the starting point, so `--set` edits them. Refuses (writing nothing) on a detached HEAD, on\n"
    "changes outside --path, or without an upstream for --push; a failed commit or push undoes everything."
)
EXAMPLES = """\
examples:
  raywizard commit --preset argocd-guide --repo ~/src/deploy --path ray --push
  raywizard commit --repo ~/src/deploy --path ray --set workerGroups.standard-worker.maxReplicas=8 --push
  raywizard commit --repo . --path ray -m "ray: bigger workers" --set workerGroups[0].cpu=8
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def commit_texts(args: argparse.Namespace, directory: Path) -> tuple[Workspace, dict[Path, str]]:
    """The workspace the flags describe and the new text of each file to commit in ``directory``."""
    from raywizard.cli.commands._inputs import workspace_from_args
    from raywizard.documents.repo_commit import application_files
    from raywizard.documents.workspace import Workspace
    from raywizard.render.applications import render_files

    existing = application_files(directory)
    if not getattr(args, "from_files", None) and existing:
        args.from_files = existing  # the files already there are what --set edits
    workspace = workspace_from_args(args)
    resolved = directory.resolve()
    if workspace.files and all(f.path.resolve().parent == resolved for f in workspace.files):
        return workspace, {f.resolve(): t for f, t in workspace.render().items()}
    if existing:
        # Started from files elsewhere: edit the files already here into what they describe.
        target = Workspace.load(existing)
        target.spec = workspace.spec
        return workspace, {f.resolve(): t for f, t in target.render().items()}
    return workspace, {resolved / name: text for name, text in render_files(workspace.spec, "split").items()}


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands.validate import print_problems
    from raywizard.documents.git import open_repository
    from raywizard.documents.repo_commit import execute_commit, prepare_commit, stage, subdir_of
    from raywizard.model.errors import InputError
    from raywizard.model.problems import has_errors
    from raywizard.validation.validate import validate

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
    return 0
