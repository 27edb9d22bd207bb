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


async def wait_lines(pilot: Any, screen: PodLogsScreen, count: int) -> None:
    for _ in range(100):
        if len(screen.lines) >= count:
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{len(screen.lines)} lines, wanted {count}")


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
        await pilot.pause(0.1)
        assert isinstance(app.screen, ContainerPicker)
        await pilot.press("down", "down", "enter")
        await pilot.pause(0.1)
        await wait_lines(pilot, logs, 10)
        assert asked[-1][1].container == "wait-gcs" and logs.lines[0].startswith("[wait-gcs]")
        # p: the previous instance; t: timestamps; T: the next tail size.
        await pilot.press("p")
        await wait_lines(pilot, logs, 1)
        assert asked[-1][1].previous and "previous run" in logs.lines[0]
        await pilot.press("p", "t")
        await wait_lines(pilot, logs, 10)
        assert asked[-1][1].timestamps and logs.lines[0].startswith("2026-11-25T21:00:00Z ")
        await pilot.press("T")
        await wait_lines(pilot, logs, 12)
        assert asked[-1][1].tail == 100 and len(logs.lines) == 12
        # w: wrap; /: only the lines that match; f: follow off and on.
        await pilot.press("w")
        assert logs.wrap and "wrapped" in logs.status_text
        await pilot.press("slash", *"disk", "enter")
        await pilot.pause(0.1)
        assert logs.filter_text == "disk" and "filter “disk”: 3 lines" in logs.status_text
        await pilot.press("f")
        assert not logs.following and "paused" in logs.status_text
        # ctrl+s: every line read (not only the filtered ones) to a new file.
        await pilot.press("ctrl+s")
        await pilot.pause(0.1)
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
