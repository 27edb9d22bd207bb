"""Pilot helpers shared by the wizard tests."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Input

from raywizard.tui.wizard.app import WizardApp


async def type_into(pilot: Pilot[int], selector: str, text: str) -> None:
    """Replace the text of the Input at ``selector`` by typing, as a user would."""
    editor = pilot.app.screen.query_one(selector, Input)
    editor.focus()
    await pilot.pause()
    editor.value = ""
    await pilot.press(*text) if text else await pilot.pause()
    await settle(pilot)


async def fill(pilot: Pilot[int], selector: str, text: str) -> None:
    """Put ``text`` into the Input at once (long paths: typing them key by key only makes the test slow)."""
    editor = pilot.app.screen.query_one(selector, Input)
    editor.focus()
    editor.value = text
    await settle(pilot)


async def settle(pilot: Pilot[int]) -> None:
    """Let the app finish handling input, including the revalidation it defers until after the next frame."""
    await pilot.pause()
    app = pilot.app
    while getattr(app, "keys_pending", False):  # keys typed ahead go to the widgets one at a time
        await pilot.pause()
    if isinstance(app, WizardApp):
        app.flush_changes()
    await pilot.pause()


def app_of(pilot: Pilot[int]) -> WizardApp:
    app = pilot.app
    assert isinstance(app, WizardApp)
    return app
