"""What the wizard does with an exception nothing else caught (a bug of ours): keep the user's work in a recovery
file, end with one message saying where it is, exit non-zero; and offer the work back on the next start.

Textual ends the app on such an exception, printing a traceback with the locals of every frame; the app hands
the exception here first (``WizardApp._handle_exception``) so the traceback goes to a file instead.
See docs/files.md#recovery.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.documents.recovery import Recovery
    from raywizard.tui.wizard.app import WizardApp

CRASH_EXIT = 70  # the CLI's exit status for an internal error (raywizard.cli.main)


def debugging() -> bool:
    return bool(os.environ.get("RAYWIZARD_DEBUG"))


def keep_work(app: WizardApp, error: BaseException) -> str:
    """Write the recovery file and return the message shown once the terminal is restored."""
    from raywizard.documents.recovery import write_recovery

    head = (f"raywizard: internal error: {type(error).__name__}: {literal(error, single_line=True)} "
            "(a bug in raywizard, not in your files)")
    try:
        recovery = write_recovery(app.model.workspace, error, app.current_step.label)
    except Exception as exc:  # a second failure must not hide the first one's message
        return (f"{head}\nYour unsaved work could not be written to a recovery file: "
                f"{type(exc).__name__}: {literal(exc, single_line=True)}")
    return f"{head}\n{recovered_text(recovery)}"


def recovered_text(recovery: Recovery) -> str:
    folder = literal(recovery.folder)
    if not recovery.files:
        return (f"The configuration could not be rendered; nothing to restore. The traceback is in "
                f"{folder}/traceback.txt.")
    opened = " ".join(literal(f.copy) for f in recovery.files)
    return (f"Your unsaved work is kept in {folder}: raywizard offers to restore it on the next start (or open "
            f"it yourself: raywizard --from {opened}).\nThe traceback is in {folder}/traceback.txt; please "
            "report it.")


def offer_restore(app: WizardApp) -> None:
    """On start: ask whether to restore the newest recovery not offered yet. Asked once; declined, it stays."""
    from raywizard.documents.recovery import mark_offered, pending_recovery, restore
    from raywizard.model.errors import RaywizardError
    from raywizard.tui.common.dialogs import ConfirmModal, ErrorModal
    from raywizard.tui.wizard.wizard_model import WizardStep

    recovery = pending_recovery()
    if recovery is None:
        return

    def answered(yes: bool | None) -> None:
        with contextlib.suppress(OSError):  # asked again next time: better than failing here
            mark_offered(recovery)
        if not yes:
            app.notify(f"Not restored; the files stay in {literal(recovery.folder)}.", markup=False, timeout=8)
            return
        try:
            workspace = restore(recovery)
        except RaywizardError as exc:
            app.push_screen(ErrorModal("Cannot restore", f"{literal(exc)}\n\nThe files stay in "
                                                         f"{literal(recovery.folder)}."))
            return
        steps = {step.label: step for step in WizardStep}
        step = steps.get(recovery.step, WizardStep.VERSIONS)
        if step in (WizardStep.START, WizardStep.APPLY):
            step = WizardStep.VERSIONS if step is WizardStep.START else WizardStep.PREVIEW
        app.replace_workspace(workspace, step=step)
        app.notify("Restored the work the last run could not save; it is not saved yet (ctrl+s saves).",
                   title="Restored", markup=False, timeout=8)

    app.push_screen(ConfirmModal("Restore your unsaved work?", "Restore", "No",
                                 detail=f"raywizard stopped on an error with unsaved work: "
                                        f"{literal(recovery.describe())}."), answered)
