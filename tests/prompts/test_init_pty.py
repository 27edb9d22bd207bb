"""`raywizard init` end to end through a pseudo-terminal: real questionary, real keystrokes, real files."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest

from raywizard.documents.presets import load_preset
from raywizard.documents.workspace import Workspace
from raywizard.fields.set_paths import set_path
from raywizard.render.applications import render_files
from tests.prompts.pty_helpers import CTRL_U, answer_text, finish, plain


def _keep(child: pexpect.spawn, prompt: str) -> None:
    child.expect_exact(prompt)
    child.send("\r")


def test_edit_a_group_with_wrong_values_reasked_then_saved(spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = spawn_init("--preset", "argocd-guide", "-o", str(out))

    child.expect_exact("Change the versions")
    child.send("y\r")
    _keep(child, "KubeRay version")
    _keep(child, "ray-cluster chart version")
    _keep(child, "Ray image repository")
    answer_text(child, "Ray image tag", "2.46.0")
    _keep(child, "Image pull policy")
    child.expect_exact("Change the target")
    child.send("n\r")
    child.expect_exact("Change the head")
    child.send("n\r")

    child.expect_exact("Worker groups:")
    child.send("j")  # Add a group
    child.send("j")  # Edit standard-worker
    child.send("\r")
    _keep(child, "Group name (standard-worker)")
    # A value the field's parser rejects: questionary keeps the question open and shows the message.
    answer_text(child, "Max replicas (standard-worker)", "lots")
    child.expect_exact("must be a whole number")
    child.send(CTRL_U + "8\r")
    _keep(child, "Min replicas (standard-worker)")
    answer_text(child, "Replicas (standard-worker)", "2")
    answer_text(child, "CPU limit (standard-worker)", "1")
    # A value only validate(spec) rejects (cross-field): re-asked with the Problem's message and fix.
    answer_text(child, "CPU request (standard-worker)", "4")
    child.expect_exact("above the limit 1")
    child.send(CTRL_U + "1\r")
    for label in ("Memory limit", "Memory request", "GPUs", "Custom Ray resources", "Image override",
                  "Node selector", "Tolerations"):
        _keep(child, f"{label} (standard-worker)")
    child.expect_exact("Worker groups:")
    child.send("\r")  # Done

    child.expect_exact("Change sync and drift")
    child.send("n\r")
    child.expect_exact("Change the output")
    child.send("n\r")
    child.expect_exact("Summary")
    child.expect_exact(f"Write {out}?")
    child.send("y\r")
    finish(child)
    assert child.exitstatus == 0, plain(child.before or "")

    expected = load_preset("argocd-guide")
    for assignment in ("image.tag=2.46.0", "workerGroups[0].maxReplicas=8", "workerGroups[0].replicas=2",
                       "workerGroups[0].cpuLimit=1", "workerGroups[0].cpuRequest=1"):
        set_path(expected, *assignment.split("=", 1))
    assert out.read_text() == next(iter(render_files(expected).values()))
    spec = Workspace.load([out]).spec
    assert (spec.worker_groups[0].replicas, spec.worker_groups[0].max_replicas) == (2, 8)


def test_add_a_group_from_a_copy_and_remove_another(spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = spawn_init("--preset", "argocd-guide", "-o", str(out), "--set", "image.tag=2.46.0")
    for gate in ("Change the versions", "Change the target", "Change the head"):
        child.expect_exact(gate)
        child.send("n\r")
    child.expect_exact("Worker groups:")
    child.send("j\r")  # Add a group
    child.expect_exact("Start the new group from:")
    child.send("jj\r")  # a copy of additional-worker-group1
    answer_text(child, "Group name", "gpu")
    answer_text(child, "Max replicas (gpu)", "4")
    for label in ("Min replicas", "Replicas", "CPU limit", "CPU request", "Memory limit", "Memory request"):
        _keep(child, f"{label} (gpu)")
    answer_text(child, "GPUs (gpu)", "1")
    _keep(child, "Custom Ray resources (gpu)")
    # A GPU pool: the CUDA image, its node label and its taint.
    answer_text(child, "Image override (gpu)", "rayproject/ray:2.46.0-gpu")
    answer_text(child, "Node selector (gpu)", "nvidia.com/gpu.present=true")
    answer_text(child, "Tolerations (gpu)", "nvidia.com/gpu=present:NoSchedule")
    child.expect_exact("Worker groups:")
    # Menu: Done, Add, Edit x4, Disable x4, Remove x3 (additional-worker-group2 is the 2nd removable one).
    child.send("j" * 11 + "\r")
    child.expect_exact("Remove group additional-worker-group2?")
    child.send("y\r")
    child.expect_exact("Worker groups:")
    child.send("\r")
    for gate in ("Change sync and drift", "Change the output"):
        child.expect_exact(gate)
        child.send("n\r")
    child.expect_exact("Write")
    child.send("y\r")
    finish(child)
    assert child.exitstatus == 0, plain(child.before or "")

    spec = Workspace.load([out]).spec
    names = [g.name for g in spec.worker_groups]
    assert names == ["standard-worker", "additional-worker-group1", "gpu"]
    gpu = spec.worker_groups[2]
    assert gpu.max_replicas == 4
    assert gpu.resources is not None and gpu.resources.limits["nvidia.com/gpu"] in (1, "1")
    assert gpu.custom_resources == {"gpu": 1}  # the copy advertises a resource named after itself
    assert gpu.image is not None and gpu.image.reference == "rayproject/ray:2.46.0-gpu"
    assert gpu.extra["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert gpu.extra["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "present",
                                         "effect": "NoSchedule"}]


def test_ctrl_c_writes_nothing(spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = spawn_init("--preset", "argocd-guide", "-o", str(out))
    child.expect_exact("Change the versions")
    child.send("y\r")
    child.expect_exact("KubeRay version")
    child.sendintr()
    child.expect_exact("nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not out.exists()


@pytest.mark.parametrize(("env", "flags"), [({"NO_COLOR": "1"}, []), ({}, ["--no-color"]), ({}, [])],
                         ids=["NO_COLOR", "--no-color", "colour"])
def test_no_color_prompts_have_no_colours(spawn_init, tmp_path: Path, env: dict[str, str],
                                          flags: list[str]) -> None:
    child = spawn_init("--preset", "argocd-guide", "-o", str(tmp_path / "x.yaml"), *flags, env=env)
    child.expect_exact("Change the versions")
    seen = child.before + child.after
    child.sendintr()
    child.expect(pexpect.EOF)
    # Foreground/background colour codes (30-38, 40-48, 90-97) must not appear; bold/reset may. Without
    # NO_COLOR they do appear (the check would otherwise prove nothing).
    colours = re.findall(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7])(?:;[0-9;]*)?m", seen)
    assert (colours == []) == bool(env or flags)


def test_questions_go_to_stderr_when_stdout_is_redirected(tmp_path: Path) -> None:
    """`raywizard init -o - > apps.yaml`: the file gets the YAML only; the questions still reach the user."""
    import os
    import shlex
    import sys

    out = tmp_path / "apps.yaml"
    command = f"{shlex.quote(sys.executable)} -m raywizard init --preset argocd-guide -o - > {shlex.quote(str(out))}"
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn("bash", ["-c", command], env=env, dimensions=(40, 120), timeout=20, encoding="utf-8")
    for gate in ("Change the versions", "Change the target", "Change the head"):
        child.expect_exact(gate)
        child.send("n\r")
    child.expect_exact("Worker groups:")
    child.send("\r")
    for gate in ("Change sync and drift", "Change the output"):
        child.expect_exact(gate)
        child.send("n\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert out.read_text() == render_files(load_preset("argocd-guide"))["ray-cluster.yaml"]


def test_ctrl_d_also_writes_nothing(spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = spawn_init("--preset", "argocd-guide", "-o", str(out))
    child.expect_exact("Change the versions")
    child.send("y\r")
    _keep(child, "KubeRay version")
    _keep(child, "ray-cluster chart version")
    child.expect_exact("Ray image repository")  # a text question
    child.send(CTRL_U + "\x04")
    child.expect_exact("nothing was written")  # Ctrl-D on an empty line: EOFError, handled like Ctrl-C
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert not out.exists()


def test_edit_an_existing_file_in_place_keeps_its_comments(spawn_init, tmp_path: Path) -> None:
    source = tmp_path / "apps.yaml"
    guide = (Path(__file__).parents[2] / "presets" / "argocd-guide.yaml").read_text()
    source.write_text(guide)
    child = spawn_init("--from", str(source))
    child.expect_exact("Change the versions")
    child.send("y\r")
    _keep(child, "KubeRay version")
    _keep(child, "ray-cluster chart version")
    _keep(child, "Ray image repository")
    answer_text(child, "Ray image tag", "2.46.0")
    _keep(child, "Image pull policy")
    for gate in ("Change the target", "Change the head"):
        child.expect_exact(gate)
        child.send("\r")  # stored answers: the gates default to No
    child.expect_exact("Worker groups:")
    child.send("\r")
    for gate in ("Change sync and drift", "Change the output"):
        child.expect_exact(gate)
        child.send("\r")
    child.expect_exact("Save back to")
    child.send("y\r")
    child.expect_exact(f"Overwrite (keeping a .bak) {source}?")
    child.send("y\r")
    finish(child)
    assert child.exitstatus == 0
    text = source.read_text()
    assert Path(f"{source}.bak").read_text() == guide
    assert "# update this as necessary" in text  # the guide's comments survive the edit
    changed = [line for line in set(text.splitlines()) ^ set(guide.splitlines())]
    assert changed and all("tag:" in line for line in changed), changed


def test_enter_through_every_question_from_scratch_writes_the_defaults(spawn_init, tmp_path: Path) -> None:
    """Starting from nothing, every step's gate defaults to Yes: this visits every question once and keeps
    each default (a smoke test of each field kind as a questionary question)."""
    from raywizard.model.spec import ClusterSpec

    child = spawn_init()
    asked: list[str] = []
    while True:
        index = child.expect([r"\?(?:\x1b\[[0-9;]*m)* ([A-Za-z][^\r\n?(\x1b]*)", pexpect.EOF])
        if index == 1:
            break
        question = plain(child.match.group(1)).strip()
        if not asked or asked[-1] != question:  # each question renders more than once: answer it once
            asked.append(question)
            child.send("\r")
    child.close()
    assert child.exitstatus == 0, plain(child.before or "")
    assert (tmp_path / "ray-cluster.yaml").read_text() == render_files(ClusterSpec())["ray-cluster.yaml"]
    for label in ("KubeRay version", "Argo CD namespace", "Head num-cpus", "Worker groups", "Automated sync",
                  "Output layout", "Save to file", "Write"):
        assert any(q.startswith(label) for q in asked), (label, asked)


def test_y_then_enter_in_one_burst_answers_one_question(spawn_init, tmp_path: Path) -> None:
    """A yes/no question waits for Enter like every other, so "n<Enter>y<Enter>" typed ahead answers two gates."""
    child = spawn_init("--preset", "argocd-guide", "-o", str(tmp_path / "apps.yaml"))
    child.expect_exact("Change the versions")
    child.send("n\ry\r")  # no to the versions, yes to the target: its first question must come next
    child.expect_exact("Change the target")
    index = child.expect_exact(["Namespace where Argo CD runs", "Change the head"])  # its help, or the next gate
    assert index == 0, plain(child.before or "")
    child.send("\x03")
    child.expect(pexpect.EOF)
    child.close()
