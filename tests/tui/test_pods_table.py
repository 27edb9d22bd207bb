"""The pods table on its own: rows added in one pass, cells updated in place, columns that only grow.

Driven by Pilot in a bare app, with the view rows the dashboard makes (``PodRow``)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets.data_table import ColumnKey

from raywizard.kube.views import PodRow
from raywizard.tui.dashboard.widgets.pods import PodsTable
from tests.waiting import wait_until


class PodsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PodsTable()


def row(index: int, *, age: str = "5s", status: str = "Running", reason: str = "") -> tuple[str, PodRow, str]:
    name = f"worker-{index:03d}"
    view = PodRow(
        key=f"ns/{name}", name=name, group="cpu", node_type="worker", status=status, ready="1/1", restarts=0,
        age=age, node="node-1", reason=reason,
    )
    return view.key, view, "Running"


def width(table: PodsTable, column: str) -> int:
    return table.columns[ColumnKey(column)].content_width


async def test_rows_added_in_one_pass_are_sorted_measured_and_highlighted() -> None:
    app = PodsApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(PodsTable)
        table.apply([row(i, reason="x" * (i % 7)) for i in reversed(range(300))])
        await pilot.pause()
        assert table.row_count == 300
        assert [str(table.get_cell(r.key, "name")) for r in table.ordered_rows[:3]] == [
            "worker-000", "worker-001", "worker-002",
        ]
        assert table.cursor_row == 0 and table.selected_key == "ns/worker-000"
        assert width(table, "name") == len("worker-000")
        assert width(table, "reason") == max(len("REASON"), 6)
        await wait_until(pilot, lambda: table.virtual_size.height >= 300, what="the rows counted in the height")


async def test_a_cell_update_keeps_the_row_order_and_columns_only_grow() -> None:
    app = PodsApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(PodsTable)
        table.apply([row(i) for i in range(50)])
        await pilot.pause()
        ordered = table.ordered_rows
        table.apply([row(3, age="6s", status="ContainerCreating")])
        await pilot.pause()
        assert str(table.get_cell("ns/worker-003", "age")) == "6s"
        assert table.ordered_rows is ordered  # not rebuilt over every row for a new cell value
        assert width(table, "status") == len("ContainerCreating")
        table.apply([row(3, age="7s", status="Running")])
        await pilot.pause()
        assert str(table.get_cell("ns/worker-003", "status")) == "Running"
        assert width(table, "status") == len("ContainerCreating")  # narrower text: the column stays


async def test_cluster_text_stays_literal_and_sortable() -> None:
    app = PodsApp()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(PodsTable)
        table.apply([row(1, reason="[red]no[/red]\nnodes"), row(0, reason="\x1b[31mred")])
        await pilot.pause()
        assert table.get_cell("ns/worker-001", "reason").plain == "[red]no[/red] ⏎ nodes"
        assert table.get_cell("ns/worker-000", "reason").plain == "red"
        table.set_sort("reason")
        assert [r.key.value for r in table.ordered_rows] == ["ns/worker-001", "ns/worker-000"]
