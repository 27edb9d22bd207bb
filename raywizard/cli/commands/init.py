"""`raywizard init`: the wizard as plain terminal questions, or fully from flags (--yes / no terminal)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.fields.fix_text import fix_for
from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from collections.abc import Callable

    from raywizard.prompts.answers import Answers
    from raywizard.prompts.ask import Asker

HELP = "answer questions in the terminal (no full-screen app) and write the Argo CD Applications"
DESCRIPTION = """\
Ask the wizard's questions one by one in a plain terminal (versions, target, head, worker groups,
sync and drift, output), then show a summary and the YAML, save it, and optionally diff or apply it.

Answers are layered like copier's: --set path=value beats --from FILE, which beats --preset NAME,
which beats the prompt; a path given with --set is not asked. With --yes, or when stdin is not a
terminal, nothing is asked: the answers are validated and the first problem is reported with the
flag that fixes it.
"""
EXAMPLES = """\
examples:
  raywizard init                                 ask everything, starting from the chart's defaults
  raywizard init --preset argocd-guide           start from a bundled preset
  raywizard init --from apps.yaml                edit an existing file (saved in place, .bak kept)
  raywizard init --preset argocd-guide --set image.tag=2.46.0 \\
      --set workerGroups.standard-worker.maxReplicas=8 --yes -o apps.yaml
                                                 no questions: the preset plus two answers
  raywizard init --preset argocd-guide --yes -o -
                                                 print the YAML instead of saving it
  raywizard init --from apps.yaml --diff         edit, save, then diff against the cluster
"""

INTERRUPTED = "interrupted: nothing was written"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser)  # --preset/--from, --values, --release, ..., --layout, --set: as in render
    parser.add_argument("-y", "--yes", action="store_true",
                        help="ask nothing: use the flags, preset or file as they are "
                             "(implied without a terminal)")
    # Also accepted after the subcommand; SUPPRESS keeps `raywizard --no-color init` from being reset to False.
    parser.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS,
                        help="plain questions and output (also: NO_COLOR=1)")
    parser.add_argument("-o", "--output", metavar="PATH|-",
                        help="file to write (a directory with --layout split); - prints the YAML. "
                             "Default with --from: the files read")
    parser.add_argument("--force", action="store_true", help="overwrite read-only files")
    after = parser.add_argument_group("after saving")
    after.add_argument("--diff", action="store_true",
                       help="show the diff against the cluster (raywizard diff)")
    after.add_argument("--apply", action="store_true",
                       help="preview, confirm and apply to the cluster (raywizard apply)")
    add_cluster_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from raywizard.model.errors import Aborted
    from raywizard.prompts.answers import load_answers

    answers = load_answers(args)
    if args.yes or not sys.stdin.isatty():
        return _run_without_questions(args, answers)
    from raywizard.prompts.ask import QuestionaryAsker

    asker = QuestionaryAsker()
    written: list[Path] = []
    try:
        return _run_with_questions(args, answers, asker, written)
    except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D on an empty answer
        if written:
            raise Aborted(f"interrupted after saving {', '.join(map(str, written))}") from None
        raise Aborted(INTERRUPTED) from None


# ----------------------------------------------------------------------------------------- no questions
def _run_without_questions(args: argparse.Namespace, answers: Answers) -> int:
    from raywizard.model.errors import InputError
    from raywizard.prompts.answers import first_error_as_input_error
    from raywizard.validation.validate import validate

    if not args.yes and not answers.from_stored_answers:
        raise InputError("raywizard init cannot ask questions: stdin is not a terminal",
                         "give the answers with --preset NAME or --from FILE (plus --set PATH=VALUE), "
                         "or pass --yes to accept the defaults")
    if args.output is None and not answers.loaded_paths:
        raise InputError("missing answer: where to write the Applications",
                         "pass -o FILE (-o DIR with --layout split), or -o - to print them")
    problems = validate(answers.spec)
    error = first_error_as_input_error(answers.spec, problems, answers.source, answers.assigned)
    if error is not None:
        raise error
    for problem in problems:
        fix = fix_for(problem, "cli")
        print(literal(f"raywizard: warning: {problem.path}: {problem.message} — {fix}"), file=sys.stderr)
    written = _write(answers, _in_place(answers, args.output), say=lambda text: print(literal(text), file=sys.stderr),
                     force=args.force)
    return _after_save(args, written, interactive=None)


# -------------------------------------------------------------------------------------------- questions
def _run_with_questions(args: argparse.Namespace, answers: Answers, asker: Asker, written: list[Path]) -> int:
    from raywizard.prompts.flow import PromptFlow, summary_lines
    from raywizard.validation.validate import validate

    asker.say(f"raywizard init — starting from {answers.source}. Enter keeps the value shown; Ctrl-C quits "
              "without writing anything.")
    stored_errors = [p for p in validate(answers.spec) if p.is_error]
    if stored_errors:
        # Stored answers are re-validated like typed ones: say so now, the summary offers to fix them.
        asker.say(f"{len(stored_errors)} of the starting answers are invalid (first: {stored_errors[0].path}: "
                  f"{stored_errors[0].message}); you can fix them on the way or at the end.")
    flow = PromptFlow(asker, answers.spec, assigned=answers.assigned,
                      edit_by_default=not answers.from_stored_answers)
    flow.run()
    while True:
        problems = validate(answers.spec)
        for line in summary_lines(answers.spec, problems):
            asker.say(line)
        if not any(p.is_error for p in problems):
            break
        choices = [("Fix them", "fix"), ("Save anyway", "save"), ("Quit without saving", "quit")]
        choice = asker.select("There are errors. What now?", choices, default="fix")
        if choice == "quit":
            asker.say(INTERRUPTED.replace("interrupted: ", "") + ".")
            return 1
        if choice == "save":
            break
        flow.fix_problems(problems)
    target = _in_place(answers, args.output or _ask_target(asker, answers))
    if target == "-":
        _write(answers, target, say=asker.say)  # the YAML on stdout is the preview
        return _after_save(args, [], interactive=asker)
    preview = _rendered(answers, target)
    asker.say("")
    for path, text in preview.items():
        asker.say(f"# ---- {path}")
        asker.say(text.rstrip("\n"))
    verb = "Overwrite (keeping a .bak)" if any(path.exists() for path in preview) else "Write"
    if not asker.confirm(f"{verb} {', '.join(map(str, preview))}?", default=True):
        asker.say("Nothing was written.")
        return 1
    written.extend(_write(answers, target, say=asker.say, force=args.force))
    return _after_save(args, written, interactive=asker)


def _ask_target(asker: Asker, answers: Answers) -> str:
    from raywizard.render.applications import render_files

    if answers.loaded_paths:
        loaded = ", ".join(map(str, answers.loaded_paths))
        if asker.confirm(f"Save back to {loaded} (a .bak copy is kept)?", default=True):
            return ""
    split = answers.spec.layout.value == "split"
    # The same defaults as the TUI's save dialog: ray-cluster.yaml, or a ray-cluster/ directory when split.
    default = "ray-cluster" if split else next(iter(render_files(answers.spec)))

    def check(text: str) -> str | None:
        return None if text.strip() else "enter a file name, or - to print the YAML"

    prompt = "Directory for the Application files" if split else "Save to file"
    return asker.text(prompt, default=default, validate=check, hint="(- prints instead)").strip()


def _target_path(target: str | None) -> Path | None:
    return Path(target) if target else None


def _in_place(answers: Answers, target: str | None) -> str | None:
    """``-o`` naming the file that was read means "edit it in place" (keeps its comments), not "write anew"."""
    reads_one_file = bool(answers.workspace.files) and len(answers.loaded_paths) == 1
    if target and target != "-" and reads_one_file and Path(target).resolve() == answers.loaded_paths[0].resolve():
        return ""
    return target


def _rendered(answers: Answers, target: str | None) -> dict[Path, str]:
    """What saving would write, by path (the same text ``Workspace.save`` writes)."""
    from raywizard.render.applications import render_files

    if not target and answers.workspace.files:
        return answers.workspace.render()
    rendered = render_files(answers.spec)
    if target in (None, "", "-"):
        return {Path(name): text for name, text in rendered.items()}
    path = Path(target)
    if answers.spec.layout.value == "split":
        directory = path.parent if path.suffix in (".yaml", ".yml") else path
        return {directory / name: text for name, text in rendered.items()}
    return {path: next(iter(rendered.values()))}


def _write(answers: Answers, target: str | None, *, say: Callable[[str], None], force: bool = False) -> list[Path]:
    if target == "-":
        sys.stdout.write("---\n".join(_rendered(answers, "-").values()))
        sys.stdout.flush()
        return []
    from raywizard.documents.safe_write import missing_directory

    folders = {missing_directory(path) for path in _rendered(answers, target)} - {None}
    written = answers.workspace.save(_target_path(target), force=force)
    for folder in sorted(str(f) for f in folders):
        say(f"created folder {folder}")
    for path in written:
        say(f"wrote {path}")
    return written


# ---------------------------------------------------------------------------------------- diff / apply
def _after_save(args: argparse.Namespace, written: list[Path], interactive: Asker | None) -> int:
    from raywizard.prompts.after_save import diff_and_apply

    return diff_and_apply(args, written, interactive)
