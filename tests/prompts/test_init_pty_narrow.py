"""`raywizard init` in a narrow terminal, as a first-time user types: messages in full and wrapped between words,
an Enter typed right after an answer kept for the next question, and going back to the previous question."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect

from raywizard.prompts.ask import BACK_TEXT, wrapped
from tests.prompts.pty_helpers import CTRL_U, answer_text, finish, plain

WIDTH = 60


def _narrow(spawn_init, *args: str) -> pexpect.spawn:
    child = spawn_init(*args, env={"COLUMNS": str(WIDTH), "LINES": "24"})
    child.setwinsize(24, WIDTH)
    return child


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'.:-]+", text)


def _lines(child: pexpect.spawn, tmp_path: Path) -> list[str]:
    child.logfile_read.flush()
    text = plain((tmp_path / "pty.log").read_text(encoding="utf-8"))
    return re.split(r"\r\n|\r|\n", text)


def test_a_refusal_and_a_warning_are_shown_in_full_and_wrap_between_words(spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = _narrow(spawn_init, "--preset", "argocd-guide", "-o", str(out))
    child.expect_exact("Change the versions")
    child.send("y\r")
    for label in ("KubeRay version", "ray-cluster chart version", "Ray image repository", "Ray image tag"):
        child.expect_exact(label)
        child.send("\r")  # keeps `latest`: its warning follows
    child.expect_exact("Image pull policy")
    child.send("\r")
    child.expect_exact("Change the target")
    child.send("n\r")
    child.expect_exact("Change the head")
    child.send("n\r")
    child.expect_exact("Worker groups:")
    child.send("j")
    child.send("j")  # Edit standard-worker
    child.send("\r")
    for label in ("Group name", "Max replicas", "Min replicas", "Replicas"):
        child.expect_exact(f"{label} (standard-worker)")
        child.send("\r")
    answer_text(child, "CPU limit (standard-worker)", "1")
    answer_text(child, "CPU request (standard-worker)", "4")
    child.expect_exact("every such pod")  # the end of the message: a one-line toolbar cut it at 60 columns
    child.expect_exact("CPU request (standard-worker)")  # asked again, with the refused text to correct
    child.send(CTRL_U + "1\r")
    child.sendintr()
    child.expect(pexpect.EOF)
    lines = _lines(child, tmp_path)
    refusal = "cpu request 4 is above the limit 1; Kubernetes rejects every such pod."
    warning = "image tag 'latest' moves: pods started on different days run different Ray versions"
    help_line = "Kubernetes request for cpu of each worker pod's Ray container."
    start = next(i for i, line in enumerate(lines) if line.startswith("  Kubernetes request for cpu"))
    assert all(len(line) <= WIDTH for line in lines[start:start + 4])
    assert " ".join(_words(help_line)) in " ".join(_words(" ".join(lines[start:start + 3])))
    for message, mark in ((refusal, "✗"), (warning, "!")):
        start = next(i for i, line in enumerate(lines) if line.startswith(f"  {mark} {message[:20]}"))
        shown = " ".join(line.strip() for line in lines[start:start + 6])
        assert " ".join(_words(message)) in " ".join(_words(shown)), shown  # whole words, in order
        assert all(len(line) <= WIDTH for line in lines[start:start + 4])


def test_wrapped_keeps_words_whole() -> None:
    text = "image tag 'latest' moves: pods started on different days run different Ray versions"
    lines = wrapped("!", text, width=50).splitlines()
    assert lines[0].startswith("  ! ") and all(line.startswith("    ") for line in lines[1:])
    assert len(lines) > 1 and all(len(line) <= 49 for line in lines)
    assert " ".join(line.strip() for line in lines).removeprefix("! ") == text


def test_an_enter_typed_right_after_an_answer_answers_the_next_question(spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = spawn_init("--preset", "argocd-guide", "-o", str(out))
    child.expect_exact("Change the versions")
    child.send("y\r")
    child.expect_exact("KubeRay version")
    child.send("\r\r\r")  # this answer and the next two, typed before those questions are shown
    child.expect_exact("Ray image tag")
    child.send(CTRL_U + "2.46.0\r\r")  # a text answer, then the next (a choice) at once
    child.expect_exact("Change the target")
    child.send("n\r")
    child.expect_exact("Change the head")
    child.send("n\r")
    child.expect_exact("Worker groups:")
    child.send("\r")
    child.expect_exact("Change sync and drift")
    child.send("n\r")
    child.expect_exact("Change the output")
    child.send("n\r")
    child.expect_exact(f"Write {out}?")
    child.send("y\r")
    finish(child)
    assert child.exitstatus == 0
    assert "tag: 2.46.0" in out.read_text(encoding="utf-8")


def test_back_returns_to_the_previous_question(spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = spawn_init("--preset", "argocd-guide", "-o", str(out))
    child.expect_exact("Change the versions")
    child.send("y\r")
    for label in ("KubeRay version", "ray-cluster chart version", "Ray image repository"):
        child.expect_exact(label)
        child.send("\r")
    answer_text(child, "Ray image tag", "2.46.0")
    child.expect_exact("Image pull policy")
    child.expect_exact("← back to the previous question")
    child.send("k")  # the last choice: back
    child.send("\r")
    child.expect_exact("Ray image tag")  # asked again, showing the answer given
    child.expect_exact("2.46.0")
    child.send(CTRL_U + BACK_TEXT + "\r")  # back once more, from a text question
    answer_text(child, "Ray image repository", "rayproject/ray-ml")
    answer_text(child, "Ray image tag", "2.47.0")
    child.expect_exact("Image pull policy")
    child.send("\r")
    child.expect_exact("Change the target")
    child.send("n\r")
    child.expect_exact("Change the head")
    child.send("n\r")
    child.expect_exact("Worker groups:")
    child.send("\r")
    child.expect_exact("Change sync and drift")
    child.send("n\r")
    child.expect_exact("Change the output")
    child.send("n\r")
    child.expect_exact(f"Write {out}?")
    child.send("y\r")
    finish(child)
    assert child.exitstatus == 0, plain(child.before or "")
    written = out.read_text(encoding="utf-8")
    assert "repository: rayproject/ray-ml" in written and "tag: 2.47.0" in written
