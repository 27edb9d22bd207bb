"""The logs screen over a fixed log (a reader that answers as the API server's pods/log does), driven by Pilot:
the container picker with init containers, previous, timestamps, tail, wrap, filter, save, group logs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textual.app import App

from raywizard.tui.dashboard.logs import (
    ContainerPicker,
    LogOptions,
    LogSource,
    PodLogsScreen,
    log_source,
)
from tests.waiting import wait_until

HEAD = LogSource("ray-cluster", "raycluster-kuberay-head-x7k2p", ("ray-head", "autoscaler"), ("wait-gcs",))


def fixed_reader(asked: list[tuple[str, LogOptions]]) -> Any:
    def read(namespace: str, pod: str, options: LogOptions) -> Iterator[str]:
        asked.append((pod, options))
        if options.previous:
            yield f"[{options.container}] previous run: Traceback (most recent call last)"
            return
        lines = [f"[{options.container}] line {i} {'ERROR disk full' if i % 4 == 0 else 'ok'}" for i in range(12)]
        if options.tail is not None:
            lines = lines[-options.tail:]
        for line in lines:
            yield ("2026-11-25T21:00:00Z " if options.timestamps else "") + line

    return read


class LogsApp(App[None]):
    def __init__(self, screen: Any) -> None:
        super().__init__()
        self._first = screen

    def on_mount(self) -> None:
        self.push_screen(self._first)


async def wait_lines(pilot: Any, screen: PodLogsScreen, count: int, first: str = "") -> None:
    """Until the screen holds ``count`` lines (the first starting with ``first``): a reopened stream starts over."""
    await wait_until(pilot, lambda: len(screen.lines) >= count and screen.lines[0].startswith(first),
                     what=f"{count} log lines starting with {first!r}")


def test_picker_order_default_container_first_init_containers_last() -> None:
    pod: dict[str, Any] = {
        "metadata": {"name": "p", "namespace": "n", "annotations": {}},
        "spec": {"containers": [{"name": "autoscaler"}, {"name": "ray-head"}], "initContainers": [{"name": "init"}]},
    }
    assert log_source(pod).all_containers == ("ray-head", "autoscaler", "init")
    pod["metadata"]["annotations"] = {"kubectl.kubernetes.io/default-container": "autoscaler"}
    assert log_source(pod).containers[0] == "autoscaler"


async def test_container_picker_then_options_that_reopen_the_stream(tmp_path: Path) -> None:
    asked: list[tuple[str, LogOptions]] = []
    logs = PodLogsScreen([HEAD], fixed_reader(asked), LogOptions("ray-head", tail=10), save_dir=tmp_path)
    app = LogsApp(logs)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_lines(pilot, logs, 10)
        assert logs.lines[0].startswith("[ray-head] line 2")
        # c: the picker lists every container, init containers too; picking one reopens the stream.
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerPicker), what="the container picker")
        await pilot.press("down", "down", "enter")
        await wait_lines(pilot, logs, 10, first="[wait-gcs]")
        assert asked[-1][1].container == "wait-gcs"
        # p: the previous instance; t: timestamps; T: the next tail size.
        await pilot.press("p")
        await wait_until(pilot, lambda: logs.lines and "previous run" in logs.lines[0], what="the previous run")
        assert asked[-1][1].previous
        await pilot.press("p", "t")
        await wait_lines(pilot, logs, 10, first="2026-11-25T21:00:00Z ")
        assert asked[-1][1].timestamps
        await pilot.press("T")
        await wait_lines(pilot, logs, 12, first="2026-11-25T21:00:00Z ")
        assert asked[-1][1].tail == 100 and len(logs.lines) == 12
        # w: wrap; /: only the lines that match; f: follow off and on.
        await pilot.press("w")
        assert logs.wrap and "wrapped" in logs.status_text
        await pilot.press("slash", *"disk", "enter")
        await wait_until(pilot, lambda: logs.filter_text == "disk", what="the filter")
        assert "filter “disk”: 3 lines" in logs.status_text
        await pilot.press("f")
        assert not logs.following and "paused" in logs.status_text
        # ctrl+s: every line read (not only the filtered ones) to a new file.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: logs.saved_to is not None, what="the saved file")
        assert logs.saved_to is not None and logs.saved_to.parent == tmp_path
        assert logs.saved_to.name.startswith("raycluster-kuberay-head-x7k2p-wait-gcs-")
        assert len(logs.saved_to.read_text(encoding="utf-8").splitlines()) == 12


async def test_group_logs_prefix_each_line_with_its_pod() -> None:
    asked: list[tuple[str, LogOptions]] = []
    workers = [LogSource("ray-cluster", f"worker-{i}", ("ray-worker",)) for i in range(3)]
    logs = PodLogsScreen(workers, fixed_reader(asked), LogOptions("ray-worker", tail=2),
                         title="Logs of group workergroup", more_pods=2)
    app = LogsApp(logs)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_lines(pilot, logs, 6)
        assert sorted(pod for pod, _ in asked) == ["worker-0", "worker-1", "worker-2"]
        assert {line.split(" ", 1)[0] for line in logs.lines} == {"worker-0", "worker-1", "worker-2"}
        assert "3 pods" in logs.status_text and "2 more not read" in logs.status_text
