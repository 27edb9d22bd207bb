"""Save (in place, or to a new file/directory in single or split layout) and save-as-preset, with the dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.model.errors import RaywizardError
from raywizard.model.spec import Layout

if TYPE_CHECKING:
    from raywizard.tui.wizard.app import WizardApp


def start_save(app: WizardApp, *, save_as: bool = False) -> None:
    from raywizard.tui.common.dialogs import ConfirmModal

    errors = [p for p in app.model.problems if p.is_error]
    if errors or app.model.parse_errors:
        count = len(errors) + len(app.model.parse_errors)

        def confirmed(answer: bool | None) -> None:
            if answer:
                _choose_target(app, save_as)

        app.push_screen(ConfirmModal(f"The configuration has {count} error(s). Save anyway?", "Save anyway",
                                     detail="Argo CD would render or apply something broken until they are "
                                            "fixed; the Preview lists them."), confirmed)
        return
    _choose_target(app, save_as)


def _choose_target(app: WizardApp, save_as: bool) -> None:
    """Files that came from disk are saved in place (keeping comments); otherwise, or for "save as", ask where."""
    from raywizard.tui.common.dialogs import SaveModal

    workspace = app.model.workspace
    if workspace.files and not save_as:
        write(app, None, None)
        return
    layout = app.model.spec.layout.value
    default = "ray-cluster.yaml" if layout == "single" else "ray-cluster"

    def chosen(answer: tuple[str, str] | None) -> None:
        if answer is not None:
            path, layout_choice = answer
            write_asking_for_folders(app, Path(path).expanduser(), layout_choice)

    app.push_screen(SaveModal(default, layout), chosen)


def write_asking_for_folders(app: WizardApp, target: Path, layout: str) -> None:
    """Write to ``target``; when its folder does not exist, ask before creating it (a typo in the path
    should not silently become a new folder)."""
    from raywizard.documents.safe_write import missing_directory
    from raywizard.model.textsafe import literal
    from raywizard.tui.common.dialogs import ConfirmModal

    is_directory = layout == "split" and target.suffix not in (".yaml", ".yml")
    folder = missing_directory(target / "x.yaml" if is_directory else target)
    if folder is None:
        write(app, target, layout)
        return

    def confirmed(yes: bool | None) -> None:
        if yes:
            write(app, target, layout)
        else:
            app.notify("Not saved: the folder was not created.", severity="warning", markup=False)

    app.push_screen(ConfirmModal(f"Create the folder {literal(folder)}?", "Create and save", "Cancel",
                                 detail=f"It does not exist yet; the Applications go to {literal(target)}."),
                    confirmed)


def write(app: WizardApp, target: Path | None, layout: str | None) -> list[Path]:
    workspace = app.model.workspace
    try:
        if layout is not None:
            workspace.spec.layout = Layout(layout)
        written = workspace.save(target, layout)
    except (RaywizardError, OSError) as exc:
        app.notify(str(exc), title="Not saved", severity="error", timeout=8, markup=False)
        return []
    names = ", ".join(str(p) for p in written)
    app.notify(f"Saved {names} (previous versions kept as .bak).", title="Saved", timeout=6, markup=False)
    app.spec_changed()
    return written


def save_preset(app: WizardApp) -> None:
    from raywizard.tui.common.dialogs import PromptModal

    def named(name: str | None) -> None:
        if not name:
            return
        from raywizard.documents.presets import save_user_preset

        try:
            path = save_user_preset(name, app.model.spec)
        except (RaywizardError, OSError) as exc:
            app.notify(str(exc), title="Preset not saved", severity="error", markup=False)
            return
        app.notify(f"Preset {name!r} saved to {path}.", title="Saved", markup=False)

    app.push_screen(PromptModal("Save as preset: name", "my-cluster"), named)
