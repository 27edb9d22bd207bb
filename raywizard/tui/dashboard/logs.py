"""Pod logs as a k9s user reads them: a container picker (the default container first, then the others, then the
init containers), the previous instance's logs, follow on/off, wrap, timestamps, tail size, a filter inside the
log and save to a file; and the logs of a whole worker group, every line prefixed with its pod.

Each stream is read in a thread worker of its own. A followed log blocks until its next line, so leaving the
screen (or reopening the streams) closes them, which ends those reads: leaving or quitting never waits on a quiet
log. Readers only queue lines; the UI drains the queue on a timer (at most 10 batches a second), so a quiet
stream shows its lines at once and a chatty one cannot flood the UI. Changing an option that the API server
applies (container, previous, timestamps, tail) reopens the streams; lines of the old ones are dropped.
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, RichLog, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text

if TYPE_CHECKING:
    from textual.app import App

    from raywizard.kube.session import ClusterSession

MAX_LOG_LINES = 20_000
BATCH_SECONDS = 0.1  # lines reach the UI at most 10 times a second, in batches
TAILS: tuple[int | None, ...] = (100, 1000, 10_000, None)  # what `T` steps through; None: the whole log
MAX_GROUP_PODS = 50  # streams opened for a group's logs; the status line says when there are more pods
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


@dataclass(frozen=True)
class LogSource:
    """One pod whose logs are read: its containers, the default one first."""

    namespace: str
    pod: str
    containers: tuple[str, ...]
    init_containers: tuple[str, ...] = ()

    @property
    def all_containers(self) -> tuple[str, ...]:
        return self.containers + self.init_containers


@dataclass(frozen=True)
class LogOptions:
    """What the API server is asked for (``GET pods/{name}/log``)."""

    container: str
    previous: bool = False
    timestamps: bool = False
    tail: int | None = 1000


# (namespace, pod, options) -> the lines; raises ClusterError (shown in the status line) when the server refuses.
LogReader = Callable[[str, str, LogOptions], Iterable[str]]


def log_source(pod: Mapping[str, Any]) -> LogSource:
    """The pod's containers in picker order: the one kubectl picks by default (the
    ``kubectl.kubernetes.io/default-container`` annotation, else Ray's own ``ray-*`` container, else the
    first), the other containers (the autoscaler sidecar of a head), then the init containers."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    containers = [str(c.get("name", "")) for c in spec.get("containers") or [] if c.get("name")]
    init = [str(c.get("name", "")) for c in spec.get("initContainers") or [] if c.get("name")]
    wanted = str((meta.get("annotations") or {}).get(DEFAULT_CONTAINER) or "")
    if wanted not in containers:
        wanted = next((c for c in containers if c.startswith("ray-")), containers[0] if containers else "")
    ordered = ([wanted] if wanted else []) + [c for c in containers if c != wanted]
    return LogSource(str(meta.get("namespace", "")), str(meta.get("name", "")), tuple(ordered), tuple(init))


class ContainerPicker(ModalScreen[str | None]):
    """Which container's logs: Enter picks, Escape cancels."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, source: LogSource, current: str | None = None) -> None:
        super().__init__(classes="container-picker")
        self.source = source
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for index, name in enumerate(self.source.containers):
            label = Text(literal(name, single_line=True))
            if index == 0:
                label.append("  default", style="italic")
            options.append(Option(label, id=f"c:{name}"))
        for name in self.source.init_containers:
            label = Text(literal(name, single_line=True))
            label.append("  init container", style="italic")
            options.append(Option(label, id=f"c:{name}"))
        with Vertical(id="picker-dialog"):
            yield Static(rich_text(f"Logs of pod {self.source.namespace}/{self.source.pod}: which container?"),
                         id="picker-title")
            yield OptionList(*options, id="picker-options")

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        names = list(self.source.all_containers)
        if self.current in names:
            picker.highlighted = names.index(self.current)
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id or "")[2:] or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PodLogsScreen(Screen[None]):
    """Logs of one pod, or of several (a group: each line prefixed with its pod's name)."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="logs.back"),
        Binding("c", "pick_container", "Container", id="logs.container"),
        Binding("f", "toggle_follow", "Follow", id="logs.follow"),
        Binding("p", "toggle_previous", "Previous", id="logs.previous"),
        Binding("w", "toggle_wrap", "Wrap", id="logs.wrap"),
        Binding("t", "toggle_timestamps", "Timestamps", id="logs.timestamps"),
        Binding("T", "next_tail", "Tail", key_display="T", id="logs.tail"),
        Binding("slash", "filter", "Filter", key_display="/", id="logs.filter"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
        Binding("g", "top", "Top", show=False, id="logs.top"),
        Binding("G", "bottom", "Bottom", show=False, id="logs.bottom"),
    ]

    def __init__(
        self,
        sources: Sequence[LogSource],
        read: LogReader,
        options: LogOptions,
        *,
        title: str = "",
        more_pods: int = 0,
        save_dir: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(classes="pod-logs")
        self.sources = list(sources)
        self._read = read
        self.options = options
        self._title = title
        self.more_pods = more_pods
        self.save_dir = save_dir
        self._clock = clock or (lambda: datetime.now(UTC))
        self.lines: deque[str] = deque(maxlen=MAX_LOG_LINES)
        self.following = True
        self.wrap = False
        self.filter_text = ""
        self.ended: dict[str, str] = {}  # pod -> "" (ended) or the error
        self.saved_to: Path | None = None
        self._incoming: deque[tuple[int, str]] = deque()
        self._generation = 0
        self._stop_reading = threading.Event()
        self._streams: list[Iterable[str]] = []  # the open logs, closed on reopen and when the screen goes

    @property
    def grouped(self) -> bool:
        return len(self.sources) > 1

    def compose(self) -> ComposeResult:
        yield Static("", id="logs-title")
        yield RichLog(max_lines=MAX_LOG_LINES, markup=False, highlight=False, wrap=False, id="logs")
        yield Input(placeholder="filter lines (Enter keeps, Escape clears)", id="logs-filter")
        yield Static("", id="logs-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#logs-filter").display = False
        self.query_one(RichLog).focus()
        self.set_interval(BATCH_SECONDS, self._drain)
        self._open()

    # -- streams -------------------------------------------------------------------------------------------

    def _open(self) -> None:
        """(Re)open one stream per pod with the current options; the old streams' lines are dropped."""
        self._stop_reading.set()
        self._stop_reading = stop = threading.Event()
        self._generation += 1
        generation = self._generation
        self.lines.clear()
        self._incoming.clear()
        self.ended = {}
        self.query_one(RichLog).clear()
        self._show_title()
        self._close_streams()
        for source in self.sources:
            prefix = f"{source.pod} " if self.grouped else ""
            # One worker per pod (a group's logs read side by side); reopening replaces that pod's reader.
            self.run_worker(
                partial(self._reader, source, prefix, generation, stop),
                name=f"logs of {source.pod}", group=f"pod-logs {source.pod}",
                thread=True, exclusive=True, exit_on_error=False,
            )
        self._update_status()

    def _close_streams(self) -> None:
        """End every open read at once (a followed log waits for its next line otherwise)."""
        streams, self._streams = self._streams, []
        for stream in streams:
            _close(stream)

    def _reader(self, source: LogSource, prefix: str, generation: int, stop: threading.Event) -> None:
        """In a thread worker: queue the lines of one pod's log; the UI drains the queue on a timer."""
        worker = get_current_worker()
        options = self.options
        if options.container not in source.all_containers and source.containers:
            options = replace(options, container=source.containers[0])  # a group's pod without that container
        try:
            stream = self._read(source.namespace, source.pod, options)
            self._streams.append(stream)
            if stop.is_set():  # reopened or left while the request was made
                _close(stream)
                return
            for line in stream:
                if stop.is_set() or worker.is_cancelled:
                    return
                self._incoming.append((generation, prefix + line))
            error = ""
        except Exception as exc:  # shown in the status line; a log stream ending is not a crash
            error = literal(str(exc) or type(exc).__name__, single_line=True)
        if not stop.is_set():
            self._incoming.append((generation, f"\0{source.pod}\0{error}"))

    def _drain(self) -> None:
        if not self._incoming:
            return
        batch: list[str] = []
        while self._incoming:
            generation, line = self._incoming.popleft()
            if generation != self._generation:
                continue
            if line.startswith("\0"):
                _, pod, error = line.split("\0", 2)
                self.ended[pod] = error
                continue
            batch.append(line)
        self._append(batch)

    def _append(self, batch: list[str]) -> None:
        log = self.query_one(RichLog)
        log.auto_scroll = self.following
        for line in batch:
            self.lines.append(line)
            if self._matches(line):
                log.write(self._line_text(line), scroll_end=self.following)
        self._update_status()

    # -- showing -------------------------------------------------------------------------------------------

    def _matches(self, line: str) -> bool:
        return not self.filter_text or self.filter_text.lower() in line.lower()

    def _line_text(self, line: str) -> Text:
        text = rich_text(line.rstrip("\n"), single_line=True)
        if self.filter_text:
            text.highlight_words([self.filter_text], style="reverse", case_sensitive=False)
        return text

    def _rewrite(self) -> None:
        log = self.query_one(RichLog)
        log.clear()
        log.wrap = self.wrap
        for line in self.lines:
            if self._matches(line):
                log.write(self._line_text(line), scroll_end=False)
        if self.following:
            log.scroll_end(animate=False)

    def _show_title(self) -> None:
        options = self.options
        if self._title:
            what = self._title
        else:
            source = self.sources[0]
            what = f"Logs of pod {source.namespace}/{source.pod}"
        parts = [what, f"container {options.container}"]
        if options.previous:
            parts.append("previous instance")
        parts.append(f"tail {options.tail:,}" if options.tail is not None else "whole log")
        if options.timestamps:
            parts.append("timestamps")
        self.query_one("#logs-title", Static).update(rich_text(" · ".join(parts), single_line=True))

    def _update_status(self) -> None:
        parts = [f"{len(self.lines):,} lines", "following" if self.following else "paused (f follows)"]
        if self.wrap:
            parts.append("wrapped")
        if self.filter_text:
            count = sum(1 for line in self.lines if self._matches(line))
            parts.append(f"filter “{literal(self.filter_text)}”: {count:,} lines")
        if self.grouped:
            parts.append(f"{len(self.sources)} pods")
            if self.more_pods:
                parts.append(f"{self.more_pods} more not read")
        errors = [f"{pod}: {error}" for pod, error in self.ended.items() if error]
        if errors:
            parts.append("; ".join(errors[:2]) + (f" (+{len(errors) - 2})" if len(errors) > 2 else ""))
        elif self.ended and len(self.ended) == len(self.sources):
            parts.append("stream ended")
        if self.saved_to is not None:
            parts.append(f"saved {self.saved_to}")
        self.query_one("#logs-status", Static).update(Text(literal(" · ".join(parts), single_line=True)))

    @property
    def status_text(self) -> str:
        return str(self.query_one("#logs-status", Static).render())

    # -- keys ----------------------------------------------------------------------------------------------

    def on_unmount(self) -> None:
        self._stop_reading.set()
        self._close_streams()  # ends the reads in progress: leaving or quitting never waits for a line

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_pick_container(self) -> None:
        source = self.sources[0]

        def picked(container: str | None) -> None:
            if container and container != self.options.container:
                self.options = replace(self.options, container=container)
                self._open()

        self.app.push_screen(ContainerPicker(source, self.options.container), picked)

    def action_toggle_follow(self) -> None:
        self.following = not self.following
        log = self.query_one(RichLog)
        log.auto_scroll = self.following
        if self.following:
            log.scroll_end(animate=False)
        self._update_status()

    def action_toggle_previous(self) -> None:
        self.options = replace(self.options, previous=not self.options.previous)
        self._open()

    def action_toggle_timestamps(self) -> None:
        self.options = replace(self.options, timestamps=not self.options.timestamps)
        self._open()

    def action_next_tail(self) -> None:
        """The next larger tail (100 → 1,000 → 10,000 → the whole log → 100)."""
        tail = self.options.tail
        bigger = [size for size in TAILS if size is None or (tail is not None and size > tail)]
        self.options = replace(self.options, tail=bigger[0] if tail is not None else TAILS[0])
        self._open()

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self._rewrite()
        self._update_status()

    def action_filter(self) -> None:
        box = self.query_one("#logs-filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        self._rewrite()
        self._update_status()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.display = False
        self.query_one(RichLog).focus()

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#logs-filter", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.value = ""
            box.display = False
            self.query_one(RichLog).focus()

    def action_save(self) -> None:
        """The lines read so far (all of them, not only the filtered ones) to a new file in the working
        directory (or ``save_dir``), named after the pod or group, the container and the time."""
        from raywizard.documents.safe_write import atomic_write

        stamp = self._clock().strftime("%Y%m%dT%H%M%SZ")
        base = self.sources[0].pod if not self.grouped else (self._title.rsplit(" ", 1)[-1] or "group")
        name = f"{base}-{self.options.container}{'-previous' if self.options.previous else ''}-{stamp}.log"
        name = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in name)
        path = (self.save_dir or Path.cwd()) / name
        try:
            atomic_write(path, "".join(line.rstrip("\n") + "\n" for line in self.lines), backup=False)
        except Exception as exc:
            self.notify(literal(str(exc), single_line=True), title="Logs not saved", severity="error", markup=False)
            return
        self.saved_to = path
        self.notify(f"{len(self.lines):,} lines saved to {literal(str(path))}", title="Logs saved", markup=False)
        self._update_status()

    def action_top(self) -> None:
        self.following = False
        self.query_one(RichLog).scroll_home(animate=False)
        self._update_status()

    def action_bottom(self) -> None:
        self.query_one(RichLog).scroll_end(animate=False)


def session_reader(session: ClusterSession) -> LogReader:
    """A ``LogReader`` over a ``ClusterSession``: followed unless the previous instance is asked for."""

    def read(namespace: str, pod: str, options: LogOptions) -> Iterable[str]:
        # The open log itself (not an iterator over it): closing it is how the screen ends a read.
        log: Iterable[str] = session.pod_logs(
            namespace, pod, options.container, tail=options.tail, follow=not options.previous,
            previous=options.previous, timestamps=options.timestamps,
        )
        return log

    return read


def open_pod_logs(app: App[Any], session: ClusterSession, pod: Mapping[str, Any]) -> None:
    """``l``: the picker first when the pod has more than one container, then the logs."""
    source = log_source(pod)
    if not source.all_containers:
        app.notify("The pod has no containers to read logs of.", severity="warning", markup=False)
        return
    read = session_reader(session)

    def show(container: str | None) -> None:
        if container:
            app.push_screen(PodLogsScreen([source], read, LogOptions(container)))

    if len(source.all_containers) == 1:
        show(source.containers[0] if source.containers else source.init_containers[0])
    else:
        app.push_screen(ContainerPicker(source, source.containers[0] if source.containers else None), show)


def open_group_logs(app: App[Any], session: ClusterSession, group: str, pods: Sequence[Mapping[str, Any]]) -> None:
    """``L``: every pod of ``group`` (at most ``MAX_GROUP_PODS`` streams), each line prefixed with its pod."""
    sources = sorted((log_source(pod) for pod in pods), key=lambda s: s.pod)
    sources = [s for s in sources if s.all_containers]
    if not sources:
        app.notify(f"No pods in group {literal(group)}.", severity="warning", markup=False)
        return
    shown = sources[:MAX_GROUP_PODS]
    container = shown[0].containers[0] if shown[0].containers else shown[0].all_containers[0]
    app.push_screen(PodLogsScreen(shown, session_reader(session), LogOptions(container, tail=100),
                                  title=f"Logs of group {group}", more_pods=len(sources) - len(shown)))


def _close(stream: object) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):  # a generator being read on another thread refuses: it ends anyway
            close()
