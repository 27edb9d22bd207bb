"""The wizard opens an Application in every form (and an ApplicationSet), and saving an edit of the Ray image tag
changes only where the document holds the tag."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.tui.conftest import SIZE
from tests.tui.helpers import fill, settle
from tests.unit.test_application_forms import CASES, CHECKOUT, CORPUS, TAG_EDITS, TAG_REFUSED

pytestmark = pytest.mark.usefixtures("no_kubeconfig")


@pytest.mark.parametrize("case", CASES)
async def test_the_wizard_opens_the_form_and_saves_only_the_tag(case: str, tmp_path: Path) -> None:
    path = tmp_path / f"{case}.yaml"
    shutil.copy(CORPUS / f"{case}.yaml", path)
    before = path.read_text()
    app = create_app(files=[path], checkouts=[CHECKOUT], offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        assert not app.model.dirty
        await fill(pilot, "#f-image-tag", "9.9.9")  # the text replaced in one edit, as select-all + type does
        assert app.model.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.pause()
        if case in TAG_REFUSED:
            # The template fills the tag per Application: an error at the field, and saving asks first.
            from raywizard.tui.common.dialogs import ConfirmModal

            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("n")
            await settle(pilot)
            assert [p.code for p in app.model.problems if p.path == "image.tag"] == ["applicationset-placeholder"]
        else:
            assert not app.model.dirty
    changed = [line for line in difflib.unified_diff(before.splitlines(), path.read_text().splitlines(),
                                                     lineterm="", n=0)
               if not line.startswith(("---", "+++", "@@"))]
    assert changed == TAG_EDITS[case]


async def test_the_wizard_names_the_applicationsets_generator(tmp_path: Path) -> None:
    path = tmp_path / "applicationset-list.yaml"
    shutil.copy(CORPUS / "applicationset-list.yaml", path)
    app = create_app(files=[path], offline=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        assert any("list generator, 2 element(s): staging, prod" in m and "Application ray-staging" in m
                   for m in messages), messages


async def test_clearing_the_tag_and_typing_a_new_one_writes_only_the_tag(tmp_path: Path) -> None:
    """Key by key, as a user who deletes the old tag and types a new one: the image the fields re-create must not
    write the chart's repository and pull policy into a document that left them to the chart."""
    from tests.tui.helpers import type_into

    path = tmp_path / "single-values-object.yaml"
    shutil.copy(CORPUS / "single-values-object.yaml", path)
    before = path.read_text()
    app = create_app(files=[path], offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "#f-image-tag", "9.9.9")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.model.dirty
    changed = [line for line in difflib.unified_diff(before.splitlines(), path.read_text().splitlines(),
                                                     lineterm="", n=0)
               if not line.startswith(("---", "+++", "@@"))]
    assert changed == TAG_EDITS["single-values-object"]
