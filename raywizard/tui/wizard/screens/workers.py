"""Worker groups: a table of all groups with add, duplicate, edit (modal form), remove, disable and reorder, the
rendered order and the totals at min and max replicas, all recomputed by the core on every change.

Rows are keyed by list position and updated cell by cell, never rebuilt (a 100-group table stays responsive).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from raywizard.model.spec import GPU_RESOURCE, ClusterSpec, WorkerGroup
from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text
from raywizard.tui.messages import LiveGroupsRead
from raywizard.tui.wizard.derived import effective, format_number, pair
from raywizard.tui.wizard.screens.base import StepScreen
from raywizard.tui.wizard.wizard_model import WizardStep

# Fixed widths: measuring a column on every cell update costs O(rows) per cell (slow with 100 groups).
WIDTHS = {"#": 3, "Name": 24, "Renders": 8, "Replicas": 8, "Min": 5, "Max": 6, "CPU": 7, "Memory": 8, "GPU": 4,
          "Custom resources": 18, "Image": 22, "Live": 5, "Ready": 6}
FLEXIBLE = {"Name": 0.2, "Custom resources": 0.3, "Image": 0.5}  # share of any room beyond the minimums


def column_widths(screen_width: int, columns: tuple[str, ...] | None = None) -> dict[str, int]:
    """WIDTHS on a 100-column terminal; on wider ones the free-text columns grow to use the space."""
    shown = {name: WIDTHS[name] for name in (columns or COLUMNS)}
    padding = 2 * len(shown) + 4  # cell padding, body padding, scrollbar
    spare = screen_width - padding - sum(shown.values())
    if spare <= 0:
        return WIDTHS
    return {**WIDTHS, **{name: width + int(spare * FLEXIBLE.get(name, 0)) for name, width in shown.items()}}


MOVE = Binding.Group("Move", compact=True)  # `[]Move` in the footer: one entry for the pair

COLUMNS = ("#", "Name", "Renders", "Replicas", "Min", "Max", "CPU", "Memory", "GPU", "Custom resources", "Image")
# Tweaking a running cluster: what runs now beside what the spec says (the autoscaler moves replicas).
LIVE_COLUMNS = ("Live", "Ready")
LIVE_REFRESH = 5.0  # seconds between reads of the running groups (one RayCluster get and one pod list)


def cell_text(value: str, *, dim: bool = False) -> Text:
    """Cells as Text: shown literally (a name loaded from a cluster is never read as markup) and cheaper to
    draw than a string the table would first parse for markup. A disabled group's row is dim."""
    return rich_text(value, "dim" if dim else "", single_line=True)


def enabled_values(spec: ClusterSpec) -> dict[str, Any] | None:
    """The chart's merged values with every group enabled: what a disabled group would get if re-enabled (the
    chart leaves disabled groups out, so ``effective_values`` has nothing for them). None when all are on."""
    if all(group.disabled is not True for group in spec.worker_groups):
        return None
    from raywizard.validation.effective import effective_values

    probe = spec.clone()
    for group in probe.worker_groups:
        group.disabled = False if group.disabled else group.disabled
    return effective_values(probe)


def group_cells(spec: ClusterSpec, group: WorkerGroup, index: int, rendered_at: dict[int, int],
                merged: dict[str, Any] | None, *, resources: bool = True) -> tuple[str | None, ...]:
    """The row of ``group``; with ``resources=False`` the effective CPU/memory/GPU cells are None (unchanged)."""
    from raywizard.fields.declarations import BY_KEY

    cpu: str | None = None
    memory: str | None = None
    gpu: str | None = None
    if resources:
        try:
            effective_now = effective(spec, group, merged)
            cpu, memory, gpu = (pair(effective_now, "cpu"), pair(effective_now, "memory"),
                                pair(effective_now, GPU_RESOURCE))
        except Exception:
            cpu = memory = gpu = "?"
    image = group.image.reference if group.image else "(cluster image)"
    # Not the position: toggling one group would then change every row (the order is on the line below).
    renders = "yes" if id(group) in rendered_at else "disabled"
    custom = BY_KEY["workerGroups[].customResources"].format(group.custom_resources) or "–"
    return (str(index), group.name + (" (worker)" if index == 0 else ""), renders,
            format_number(group.replicas), format_number(group.min_replicas), format_number(group.max_replicas),
            cpu, memory, gpu, custom, image)


class WorkersScreen(StepScreen):
    STEP = WizardStep.WORKERS
    INTRO = ("Group 0 is the chart's `worker` (disable it, it cannot be removed). The chart renders it first, "
             "then the other enabled groups sorted by name, whatever their order here.")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add"),
        # Short labels: with Next/Back/Help/Save every key of the step fits an 80-column footer.
        Binding("d", "duplicate", "Dup", tooltip="Duplicate the selected group"),
        Binding("e", "edit", "Edit"),
        Binding("x,space", "toggle_disabled", "On/off", tooltip="Disable or re-enable the selected group"),
        Binding("delete", "remove", "Remove", key_display="del"),
        Binding("left_square_bracket", "move(-1)", "Move up", key_display="[", group=MOVE),
        Binding("right_square_bracket", "move(1)", "Move down", key_display="]", group=MOVE),
    ]

    widths: dict[str, int] = WIDTHS
    # Group name -> the running RayCluster's GroupRow (kube.views); None until read, or without a live cluster.
    live: dict[str, Any] | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return COLUMNS + LIVE_COLUMNS if self.model.from_live else COLUMNS

    def compose_body(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(id="groups", cursor_type="row", zebra_stripes=True)
        for column in self.columns:
            table.add_column(column, key=column, width=self.widths[column])
        yield table
        yield Static("", id="group-detail", markup=False)
        yield Static("", id="rendered-order", markup=False)
        yield Static("", id="totals", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#groups", DataTable).focus()
        if self.model.from_live:
            self.read_live_groups()
            self.set_interval(LIVE_REFRESH, self.read_live_groups)  # the autoscaler moves them meanwhile

    def read_live_groups(self) -> None:
        """When tweaking a running cluster: read its RayCluster's groups and pods once per visit."""
        connection = self.wizard.connection
        if not self.model.from_live or connection is None:
            return
        from raywizard.render.applications import desired_raycluster
        from raywizard.tui.wizard.cluster_jobs import live_groups_job, run_in_worker

        spec = self.model.spec
        try:
            name = str(desired_raycluster(spec)["metadata"]["name"])
        except Exception:  # a spec the chart cannot render has no RayCluster name: the columns say "?"
            self.live = {}
            return
        run_in_worker(self, LiveGroupsRead, live_groups_job(connection, spec.target.namespace, name),
                      group="live-groups")

    def on_live_groups_read(self, event: LiveGroupsRead) -> None:
        self.live = event.value if event.value is not None and not event.error else {}
        if event.error:
            self.notify(f"Cannot read the running worker groups: {event.error}", severity="warning",
                        markup=False)
        self.refresh_table(resources=False)

    def live_cells(self, group: WorkerGroup) -> tuple[str, str]:
        if self.live is None:
            return "…", "…"
        row = self.live.get(group.name)
        if row is None:
            return "–", "–"  # not running (a new group, or one the chart does not render)
        return str(row.replicas), f"{row.ready}/{row.replicas}"

    def on_resize(self) -> None:
        super().on_resize()
        if self.ready:
            self._show_detail()
        widths = column_widths(self.size.width, self.columns)
        if widths == self.widths:
            return
        # A wider terminal gives the free-text columns the room: rebuild the columns (rare: only on resize).
        self.widths = widths
        table: DataTable[Text] = self.query_one("#groups", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for column in self.columns:
            table.add_column(column, key=column, width=widths[column])
        self.refresh_table(resources=True)
        table.move_cursor(row=cursor)

    # -------------------------------------------------------------------------------------------- view
    def refresh_step(self) -> None:
        self.refresh_table(resources=True)
        self._show_detail()
        names = [g.name for g in self.model.spec.rendered_groups()]
        order = " → ".join(names[:8]) + (f" → … (+{len(names) - 8} more)" if len(names) > 8 else "")
        self.query_one("#rendered-order", Static).update(
            f"Rendered order: {order or '(none: workerGroupSpecs renders as null)'}")
        self.query_one("#totals", Static).update(self._totals_text())

    def refresh_table(self, *, resources: bool) -> None:
        """Update changed cells in place. ``resources=False`` is the immediate update after a keystroke (no chart
        merge); the full refresh after the frame fills in the effective resources."""
        spec = self.model.spec
        table: DataTable[Text] = self.query_one("#groups", DataTable)
        rendered = spec.rendered_groups()
        rendered_at = {id(group): position for position, group in enumerate(rendered)}
        merged: dict[str, Any] | None = None
        if resources:
            try:
                from raywizard.validation.effective import effective_values

                merged = effective_values(spec)  # once for all rows, not once per row
            except Exception:
                merged = None
        merged_enabled: dict[str, Any] | None = None
        if resources:
            try:
                merged_enabled = enabled_values(spec)
            except Exception:
                merged_enabled = None
        for index, group in enumerate(spec.worker_groups):
            disabled = id(group) not in rendered_at
            cells = group_cells(spec, group, index, rendered_at, merged_enabled if disabled else merged,
                                resources=resources)
            if self.model.from_live:
                cells = (*cells, *self.live_cells(group))
            key = f"g{index}"
            if index < table.row_count:
                current = table.get_row(key)
                for column, old, new in zip(self.columns, current, cells, strict=True):
                    if new is None:
                        if (old.style == "dim") != disabled:
                            table.update_cell(key, column, cell_text(old.plain, dim=disabled))
                    elif old.plain != new or (old.style == "dim") != disabled:
                        table.update_cell(key, column, cell_text(new, dim=disabled))
            else:
                table.add_row(*(cell_text(cell if cell is not None else "…", dim=disabled) for cell in cells),
                              key=key)
        while table.row_count > len(spec.worker_groups):
            table.remove_row(f"g{table.row_count - 1}")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """The selected group's free-text cells in full (the table cuts them, and at 100 columns the Image column
        is off to the right)."""
        groups = self.model.spec.worker_groups
        detail = self.query_one("#group-detail", Static)
        if not groups:
            detail.update("No worker groups: a adds one.")
            return
        from raywizard.fields.declarations import BY_KEY

        group = groups[min(self.selected, len(groups) - 1)]
        spec = self.model.spec
        if group.image:
            image = group.image.reference
        else:
            from raywizard.validation.effective import cluster_image

            image = f"{cluster_image(spec)} (the cluster's)"
        custom = BY_KEY["workerGroups[].customResources"].format(group.custom_resources) or "none"
        state = "" if group.enabled else " · disabled (x enables it)"
        parts = f"  image {image} · custom resources {custom}"
        if len(parts) > self.size.width - 4:  # one part per line rather than a wrap without the indent
            parts = f"  image {image}\n  custom resources {custom}"
        from raywizard.fields.placement import also_set_text

        also = also_set_text(group)
        if also:
            parts += f"\n  {literal(also)}"
        detail.update(f"▸ {literal(group.name)}{state}\n{parts}")

    def _edited(self) -> None:
        self.refresh_table(resources=False)
        self.wizard.spec_changed(self)

    def _totals_text(self) -> str:
        from raywizard.validation.effective import format_bytes, format_cpus, totals

        try:
            result = totals(self.model.spec)
        except Exception as exc:
            return f"Totals: cannot compute ({exc})"

        def part(cpus: Decimal, memory: Decimal, gpus: Decimal, workers: int) -> str:
            return (f"{workers} worker{'s' if workers != 1 else ''}, {format_cpus(cpus)} CPUs, {format_bytes(memory)}, "
                    f"{format_cpus(gpus)} GPUs")

        low = part(result.cpus_min, result.memory_min, result.gpus_min, result.workers_min)
        high = part(result.cpus_max, result.memory_max, result.gpus_max, result.workers_max)
        return f"Totals incl. head  at min: {low}\n                   at max: {high}"

    def status_extra(self) -> str:
        spec = self.model.spec
        return f"{len(spec.rendered_groups())}/{len(spec.worker_groups)} groups rendered"

    @property
    def selected(self) -> int:
        return max(0, self.query_one("#groups", DataTable).cursor_row)

    def _select(self, index: int) -> None:
        self.query_one("#groups", DataTable).move_cursor(row=index)

    def focus_field(self, path: str) -> bool:
        from raywizard.tui.wizard.wizard_model import group_index_of

        index = group_index_of(path)
        if index is None:
            return False
        self._select(index)
        self.query_one("#groups", DataTable).focus()
        return True

    # ----------------------------------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Actions on the selected group need a group (a hand-written file may have none)."""
        if action in ("duplicate", "edit", "remove", "toggle_disabled", "move"):
            return bool(self.model.spec.worker_groups)
        return True

    def action_add(self) -> None:
        spec = self.model.spec
        group = WorkerGroup(name=spec.unique_group_name("group"), replicas=1, min_replicas=0, max_replicas=3)
        self._open_editor(group, len(spec.worker_groups), adding=True)

    def action_duplicate(self) -> None:
        spec = self.model.spec
        source = spec.worker_groups[self.selected]
        duplicate = source.copy(spec.unique_group_name(source.name))
        duplicate.disabled = None if source.disabled is None else False
        spec.worker_groups.append(duplicate)
        self._edited()
        self._select(len(spec.worker_groups) - 1)
        self.notify(f"Duplicated {source.name} as {duplicate.name}.", markup=False)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        index = self.selected
        self._open_editor(self.model.spec.worker_groups[index].copy(), index, adding=False)

    def _open_editor(self, group: WorkerGroup, index: int, *, adding: bool) -> None:
        from raywizard.tui.wizard.screens.group_edit import GroupEditModal

        def done(result: WorkerGroup | None) -> None:
            if result is None:
                return
            groups = self.model.spec.worker_groups
            if adding:
                groups.append(result)
            else:
                groups[index] = result
            self._edited()
            self._select(index)

        self.app.push_screen(GroupEditModal(self.model.spec, group, index, adding=adding), done)

    def action_remove(self) -> None:
        index = self.selected
        spec = self.model.spec
        if index == 0:
            self.notify("Group 0 is the chart's `worker` group: it cannot be removed. Press x to disable "
                        "it instead (the chart then renders only the other groups).", severity="warning",
                        timeout=6, markup=False)
            return
        name = spec.worker_groups[index].name

        def done(confirmed: bool | None) -> None:
            if confirmed:
                del spec.worker_groups[index]
                self._edited()
                self._select(min(index, len(spec.worker_groups) - 1))

        from raywizard.tui.common.dialogs import ConfirmModal

        self.app.push_screen(ConfirmModal(f"Remove worker group {name!r}?", "Remove"), done)

    def action_toggle_disabled(self) -> None:
        group = self.model.spec.worker_groups[self.selected]
        group.disabled = not group.disabled
        self._edited()

    def action_move(self, offset: int) -> None:
        index = self.selected
        groups = self.model.spec.worker_groups
        target = index + offset
        if index == 0 or target < 1 or target >= len(groups):
            self.notify("Only the additional groups (1…) can be reordered; group 0 is the chart's `worker`. "
                        "The order only changes the file: the chart renders them sorted by name.",
                        severity="information", timeout=6, markup=False)
            return
        groups[index], groups[target] = groups[target], groups[index]
        self._edited()
        self._select(target)
