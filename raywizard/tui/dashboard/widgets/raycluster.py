"""The RayCluster summary: what `kubectl get raycluster -o wide` and its conditions tell, in a few lines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text
from raywizard.tui.dashboard.rows import field, text_of
from raywizard.tui.dashboard.widgets.cells import status_cell

if TYPE_CHECKING:
    from raywizard.kube.views import RayClusterSummary

KEY_CONDITIONS = ("HeadPodReady", "RayClusterProvisioned", "ReplicaFailure")


def human_memory(value: Any) -> str:
    """A memory quantity as people read it: ``7147483648`` → ``6.7Gi`` (KubeRay sums mixed G/Gi requests into
    plain bytes). A quantity that already has a unit (``5G``, ``6Gi``) is kept as the cluster wrote it."""
    text = text_of(value)
    if not text.isdigit():
        return text
    amount = float(int(text))
    for unit in ("", "Ki", "Mi", "Gi", "Ti", "Pi"):
        if amount < 1024 or unit == "Pi":
            return f"{amount:.1f}".rstrip("0").rstrip(".") + unit if unit else str(int(amount))
        amount /= 1024
    return text  # pragma: no cover - the loop always returns


def condition_cell(conditions: Any, ctype: str, styles: dict[str, str]) -> Text:
    for condition in conditions or ():
        values = [*list(condition), "", "", "", ""]
        if values[0] == ctype:
            status, reason = str(values[1]), str(values[2])
            # ReplicaFailure=True is the bad one; for the others True is good.
            meaning = {"True": "False", "False": "True"}.get(status, status) if ctype == "ReplicaFailure" else status
            cell = status_cell(meaning, styles)
            cell.plain = status  # keep the literal status, with the colour of its meaning
            if reason:
                cell.append(f" {literal(reason, single_line=True)}")
            return cell
    return Text("—")


def raycluster_renderable(summary: RayClusterSummary | None, styles: dict[str, str], service: str = "") -> Table | Text:
    if summary is None:
        return Text("No RayCluster yet (waiting for the cluster Application to sync).", style="italic")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True, min_width=len("conditions"))
    grid.add_column(no_wrap=True, overflow="ellipsis")
    state = text_of(field(summary, "state")) or "(no state yet)"
    name_line = rich_text(field(summary, "name"), single_line=True)
    name_line.append("  ")
    name_line.append_text(status_cell(state, styles))
    age = text_of(field(summary, "age"))
    if age:
        name_line.append(f"  age {literal(age)}")
    grid.add_row("name", name_line)
    desired = field(summary, "desired_workers", default=0)
    available = field(summary, "available_workers", default=0)
    gpus = text_of(field(summary, "gpus"))
    workers = (
        f"{available}/{desired} available · {text_of(field(summary, 'cpus'))} CPU · "
        f"{human_memory(field(summary, 'memory'))}"
    )
    if gpus not in ("", "0"):  # "0 GPU" only took the room that the line needs at 100-120 columns
        workers += f" · {gpus} GPU"
    # A str cell would be parsed as markup by Rich: cluster text goes in as Text.
    grid.add_row("workers", rich_text(workers, single_line=True))
    conditions = field(summary, "conditions", default=())
    for index, ctype in enumerate(KEY_CONDITIONS):
        cell = Text(f"{ctype} ")
        cell.append_text(condition_cell(conditions, ctype, styles))
        grid.add_row("conditions" if index == 0 else "", cell)
    head = text_of(field(summary, "head_pod_ip")) or "—"
    service_ip = text_of(field(summary, "head_service_ip"))
    head_line = Text(f"pod {literal(head)}")
    if service:
        head_line.append(f" · svc {literal(service)}")
    if service_ip:
        head_line.append(f" ({literal(service_ip)})")
    grid.add_row("head", head_line)
    endpoints = field(summary, "endpoints", default={}) or {}
    if endpoints:
        grid.add_row(
            "endpoints",
            rich_text(" ".join(f"{k}:{v}" for k, v in sorted(endpoints.items())), single_line=True),
        )
    return grid


class RayClusterPanel(Static):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self._shown: Any = object()

    def show(self, summary: RayClusterSummary | None, styles: dict[str, str], service: str = "") -> None:
        key = (summary, service)
        if key == self._shown:
            return
        self._shown = key
        self.update(raycluster_renderable(summary, styles, service))
