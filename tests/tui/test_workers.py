"""Pilot tests of the worker-group step: table, modal editor, add/duplicate/remove/disable/reorder, totals."""

from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable, Static

from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.group_edit import GroupEditModal
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, type_into

pytestmark = pytest.mark.usefixtures("no_kubeconfig")


def table(app) -> DataTable:  # type: ignore[type-arg]
    return app.screen.query_one("#groups", DataTable)


async def test_table_lists_groups_with_effective_resources() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = table(app)
        assert rows.row_count == 3
        first = rows.get_row("g0")
        assert first[1].plain.startswith("standard-worker")
        assert first[5].plain == "200"  # max replicas
        assert first[6].plain == "1"  # effective CPU (request 1, chart default limit 1)
        order = str(app.screen.query_one("#rendered-order", Static).render())
        assert order.startswith("Rendered order: standard-worker")
        assert "at max" in str(app.screen.query_one("#totals", Static).render())


async def test_edit_in_modal_and_cancel_keeps_spec() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, GroupEditModal)
        await type_into(pilot, "#f-workerGroups-maxReplicas", "7")
        await pilot.press("escape")
        await settle(pilot)
        assert app.model.spec.worker_groups[0].max_replicas == 200
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#f-workerGroups-maxReplicas", "7")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.model.spec.worker_groups[0].max_replicas == 7
        assert table(app).get_row("g0")[5].plain == "7"


async def test_modal_blocks_invalid_values() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#f-workerGroups-cpuRequest", "64")  # above the group's CPU limit
        assert app.screen.query_one("#save", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, GroupEditModal)  # still open
        await type_into(pilot, "#f-workerGroups-minReplicas", "abc")
        assert "whole number" in str(app.screen.query(".field-message.-shown").first().render())


async def test_add_duplicate_remove_disable_reorder() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        spec = app.model.spec
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, GroupEditModal)
        await type_into(pilot, "#f-workerGroups-name", "aaa-gpu")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [g.name for g in spec.worker_groups][-1] == "aaa-gpu"
        # the chart renders group 0 first, then the others sorted by name
        assert [g.name for g in spec.rendered_groups()][:2] == ["standard-worker", "aaa-gpu"]

        table(app).move_cursor(row=1)
        await pilot.press("d")
        await settle(pilot)
        assert spec.worker_groups[-1].name == "additional-worker-group1-2"
        assert spec.worker_groups[-1].custom_resources == {"additional-worker-group1-2": 1}

        table(app).move_cursor(row=0)
        await pilot.press("delete")
        await settle(pilot)
        assert len(spec.worker_groups) == 5  # group 0 cannot be removed
        await pilot.press("x")
        await settle(pilot)
        assert spec.worker_groups[0].disabled is True
        assert table(app).get_row("g0")[2].plain == "disabled"
        assert table(app).get_row("g1")[2].plain == "yes"

        table(app).move_cursor(row=4)
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert len(spec.worker_groups) == 4

        names = [g.name for g in spec.worker_groups]
        table(app).move_cursor(row=2)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert [g.name for g in spec.worker_groups] == [names[0], names[2], names[1], names[3]]
        table(app).move_cursor(row=1)
        await pilot.press("left_square_bracket")  # would make it group 0: refused
        await settle(pilot)
        assert spec.worker_groups[0].name == names[0]


async def test_totals_follow_edits() -> None:
    app = create_app(preset="minimal", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = str(app.screen.query_one("#totals", Static).render())
        await pilot.press("d")
        await settle(pilot)
        after = str(app.screen.query_one("#totals", Static).render())
        assert before != after


async def test_group_form_places_a_group_on_a_tainted_pool_and_lists_the_other_values(tmp_path) -> None:
    """Node selector and tolerations are fields of the group form; values no field shows (volumes, mounts)
    are listed read-only and written back unchanged."""
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "data" / "values-corpus" / "volumes.yaml"
    path = tmp_path / "values.yaml"
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    app = create_app(files=[path], offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        detail = str(app.screen.query_one("#group-detail", Static).render())
        assert "also set in your file (kept as written): volumes, volumeMounts" in detail
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, GroupEditModal)
        also = str(app.screen.query_one("#group-also", Static).render())
        assert also == "also set in your file (kept as written): volumes, volumeMounts"
        await type_into(pilot, "#f-workerGroups-nodeSelector", "pool=gpu")
        await type_into(pilot, "#f-workerGroups-tolerations", "nvidia.com/gpu=present:NoSchedule")
        await pilot.press("ctrl+s")
        await settle(pilot)
        group = app.model.spec.worker_groups[0]
        assert group.extra["nodeSelector"] == {"pool": "gpu"}
        assert group.extra["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Equal", "value": "present",
                                               "effect": "NoSchedule"}]
        text = app.model.workspace.render()[path]
    before = source.read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n").rsplit("\nworker:", 1)[0])  # the head's part is untouched
    assert "  nodeSelector:\n    pool: gpu\n" in text and "  volumeMounts:\n    - mountPath: /etc/ray-config" in text
