"""Write screenshots/*.svg of every wizard step, using the same app factory as the CLI and the tests.

    python scripts/screenshots.py            # offline screens (deterministic)
    python scripts/screenshots.py --sandbox  # also the apply step and the dashboard on the embedded sandbox
    python scripts/screenshots.py --gitops   # only the Commit & push dialog, over a clone made in /tmp

Look at them before committing (any SVG viewer or a browser).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from raywizard.tui.wizard.app import create_app  # noqa: E402
from raywizard.tui.wizard.wizard_model import WizardStep  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (100, 32)
GUIDE_FILE = ROOT / "tests" / "data" / "guide" / "raycluster.yaml"

Action = Callable[[Any], Awaitable[None]]


async def shoot(name: str, app: Any, action: Action | None = None, size: tuple[int, int] = SIZE) -> Path:
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if action is not None:
            await action(pilot)
        await pilot.pause()
        target = OUT / f"{name}.svg"
        app.save_screenshot(filename=target.name, path=str(OUT))
    print(f"wrote {target.relative_to(ROOT)}")
    return target


def step_app(step: str, preset: str = "argocd-guide") -> Any:
    return create_app(preset=preset, offline=True, start_step=step)


async def press(*keys: str) -> Action:
    async def action(pilot: Any) -> None:
        await pilot.press(*keys)
        await pilot.pause()

    return action


async def offline_shots() -> None:
    await shoot("01-start", create_app(offline=True))
    for number, step in enumerate(list(WizardStep)[1:], start=2):
        await shoot(f"{number:02d}-{step.value}", step_app(step.value))
    await shoot("05b-group-editor", step_app("workers"), await press("e"))
    # The README shows the worker-group step under this name.
    shutil.copyfile(OUT / "05-workers.svg", OUT / "wizard-workers.svg")
    await shoot("04b-head-80x24", step_app("head"), size=(80, 24))

    async def break_namespace(pilot: Any) -> None:
        editor = pilot.app.screen.query_one("#f-target-namespace")
        editor.focus()
        editor.value = "Bad_Name"
        await pilot.pause()

    await shoot("03b-target-error", step_app("target"), break_namespace)
    await shoot("07c-preview-problems", step_app("preview"), await press("4"))

    async def mismatch(pilot: Any) -> None:
        pilot.app.screen.query_one("#f-versions-chart").value = "1.4.1"  # the guide's all-in-one file
        await pilot.pause()
        pilot.app.flush_changes()
        await pilot.pause()

    await shoot("02b-versions-mismatch", step_app("versions"), mismatch)
    if GUIDE_FILE.exists():
        with tempfile.TemporaryDirectory() as scratch:
            # A fixed directory name: the diff header shows the path, and the picture should not change per run.
            folder = Path(scratch).parent / "raywizard-screenshots"
            folder.mkdir(exist_ok=True)
            copy = folder / "raycluster.yaml"
            shutil.copyfile(GUIDE_FILE, copy)
            app = create_app(files=[copy], offline=True, start_step="preview")

            async def edit_and_show_changes(pilot: Any) -> None:
                pilot.app.model.spec.worker_groups[0].max_replicas = 150
                pilot.app.spec_changed()
                await pilot.press("]")
                await pilot.pause()

            await shoot("07b-preview-changes", app, edit_and_show_changes)


async def sandbox_shots() -> None:
    from raywizard.sandbox.cluster import SandboxCluster
    from raywizard.sandbox.kubeconfig import NAME

    with tempfile.TemporaryDirectory() as scratch, SandboxCluster(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(Path(scratch) / "kubeconfig")
        app = create_app(preset="argocd-guide", kubeconfig=str(kubeconfig), context=NAME, start_step="apply")

        async def apply(pilot: Any) -> None:
            for _ in range(100):
                if getattr(pilot.app.screen, "plan", None) is not None:
                    break
                await pilot.pause(0.1)
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("y")
            screen = pilot.app.screen
            for _ in range(600):
                if pilot.app.screen is not screen and type(pilot.app.screen).__name__ != "ConfirmModal":
                    break
                await pilot.pause(0.1)
            await pilot.pause(2)

        await shoot("09-after-apply-dashboard", app, apply)


async def gitops_shots() -> None:
    """The Commit & push dialog: the guide's files committed to a clone of a bare repository at a fixed path (so
    the picture names the same paths each time), one field edited, c pressed on the Preview."""
    import subprocess

    from raywizard.cli import main as cli

    base = Path("/tmp/raywizard-shots")
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": "You", "GIT_AUTHOR_EMAIL": "you@example.com",
           "GIT_COMMITTER_NAME": "You", "GIT_COMMITTER_EMAIL": "you@example.com"}

    def git(cwd: Path, *args: str) -> None:
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)

    git(base, "init", "-q", "--bare", "-b", "main", "deploy.git")
    git(base, "clone", "-q", "deploy.git", "deploy")
    clone = base / "deploy"
    git(clone, "commit", "-q", "--allow-empty", "-m", "Initial commit")
    git(clone, "push", "-q", "-u", "origin", "main")
    for key, value in (("user.name", "You"), ("user.email", "you@example.com")):
        git(clone, "config", key, value)
    cli.main(["commit", "--preset", "argocd-guide", "--repo", str(clone), "--path", "ray", "--push"])
    app = create_app(files=sorted((clone / "ray").glob("*.yaml")), offline=True, start_step="preview")

    async def commit_dialog(pilot: Any) -> None:
        from raywizard.tui.wizard.committing import CommitModal

        group = app.model.spec.group("standard-worker")
        group.max_replicas = 8
        app.spec_changed()
        await pilot.press("c")
        for _ in range(100):
            if isinstance(app.screen, CommitModal):
                break
            await pilot.pause(0.1)
        await pilot.pause(0.5)

    await shoot("10-commit-push", app, commit_dialog)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sandbox", action="store_true", help="also apply to the sandbox and shoot the dashboard")
    parser.add_argument("--gitops", action="store_true", help="only the Commit & push dialog")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    # The same pictures on every machine: no user presets, no kubeconfig contexts.
    scratch = Path(tempfile.mkdtemp(prefix="raywizard-shots-"))
    os.environ["RAYWIZARD_USER_PRESETS_DIR"] = str(scratch / "presets")
    os.environ["KUBECONFIG"] = str(scratch / "no-kubeconfig")
    if args.gitops:
        asyncio.run(gitops_shots())
        return 0
    asyncio.run(offline_shots())
    if args.sandbox:
        asyncio.run(sandbox_shots())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
