"""Helpers of ``raywizard.kube.watch`` kept apart to keep that module readable: the GC tuning for event
ingestion, the shared kubeconfig re-read on 401, and tightening an open stream's read timeout."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable
from typing import Any

INGESTION_GC_THRESHOLD = 200_000


def tune_gc() -> None:
    """Raise the cyclic GC's generation-0 threshold (default 700) for event ingestion.

    Every watch event decodes into hundreds of containers; with the default threshold the collector runs after
    every few events and keeps rescanning the growing state: an initial sync of 20,000 3 KB pod events runs at
    ~9,000/s with the default, ~22,000/s with 200,000 (~36,000/s with no GC at all; bench/bench_watch.py).
    Decoded JSON holds no reference cycles (refcounting frees it), so collecting less often costs little
    memory. The price: a young-generation pass then covers up to 200,000 objects, ~50 ms on a slow 2-core
    machine, about once per 6,000 events during a burst (never in steady state, where refcounting frees the
    replaced objects). Process-wide, idempotent, and it only ever raises the threshold."""
    first, *rest = gc.get_threshold()
    if first < INGESTION_GC_THRESHOLD:
        gc.set_threshold(INGESTION_GC_THRESHOLD, *rest)


def freeze_long_lived() -> None:
    """Move every object alive now into the collector's permanent generation, which no collection scans.

    Call it after a large batch of long-lived objects (a dashboard's first fill: 20,000 pod records and as many
    table rows, over a million containers). Otherwise each full collection rescans all of them: up to a second
    on a busy 2-core machine, in the middle of a UI batch. The records and rows hold no reference cycles, so
    refcounting still frees them when they are replaced or removed; only cyclic garbage alive at this moment
    stays (a few objects, once per large batch). Cheap (the generations are spliced, not walked)."""
    gc.freeze()


def _set_read_timeout(response: Any, seconds: float) -> None:
    """Tighten the read timeout of an open stream (urllib3 fixed it when the request started)."""
    connection = getattr(response, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(seconds)


class CredentialRefresher:
    """One kubeconfig re-read shared by the watches of one client: when four watches hit the same 401, the first
    reloads and the others see that the credentials changed since their request started (not "no change")."""

    def __init__(self, reload: Callable[[], bool]) -> None:
        self._reload = reload
        self._lock = threading.Lock()
        self.generation = 0

    def refresh(self, seen_generation: int) -> bool:
        with self._lock:
            if self.generation != seen_generation:
                return True
            if self._reload():
                self.generation += 1
                return True
            return False
