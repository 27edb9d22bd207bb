"""Keys typed ahead of the UI act in typing order, each on the widget focused once the keys before it are done.

Textual's App reads a key from its queue and posts it to the widget focused at that moment; the key then travels
up the widget's ancestors, one message queue per hop, and the App runs the non-priority bindings (Tab's
``focus_next`` among them) only when the key arrives back at the App. When keys arrive in one burst (a paste,
a key macro, ``tmux send-keys``, key repeat on a busy app) the App has handed every queued key to the first
field before the Tab that should move the focus has travelled up: ``4 Tab 4 Tab 8Gi`` typed all into one Input.

``InOrderKeys`` keeps the App's queue of raw keys and lets the next one go only after the previous one has
finished: it follows each key with a marker posted to the same widget after everything the key made that widget
post to itself (an Input's ``Submitted`` that moves the focus on Enter), and the marker bubbles up the same path
behind the key. When the marker reaches the App, the key has been handled wherever it stopped. A widget that
is removed with the marker in its queue would hold the keys behind it forever, so a watchdog looks now and then
whether the widget is still there and lets the keys go when it is not.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Generic, TypeVar

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer

# How often the watchdog looks whether the widget holding a key's marker is still mounted.
MARKER_WATCHDOG = 0.25

ReturnType = TypeVar("ReturnType")


class KeyHandled(Message):
    """Follows one key up the DOM; reaching the App means that key's handling is over."""

    def __init__(self, serial: int) -> None:
        super().__init__()
        self.serial = serial


class InOrderKeys(App[ReturnType], Generic[ReturnType]):
    """An App base class that hands keys to widgets one finished key at a time (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys_waiting: deque[events.Key] = deque()
        self._key_in_flight: int | None = None
        self._key_serial = 0
        self._key_watchdog: Timer | None = None
        self._key_target: MessagePump | None = None

    @property
    def keys_pending(self) -> bool:
        """Whether typed keys are still on their way to the widgets (tests wait for this to turn false)."""
        return self._key_in_flight is not None or bool(self._keys_waiting)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._keys_waiting.append(event)
            await self._deliver_waiting_keys()
            return
        await super().on_event(event)

    async def _deliver_waiting_keys(self) -> None:
        while self._keys_waiting and self._key_in_flight is None:
            key = self._keys_waiting.popleft()
            target = self.focused or self.screen
            await super().on_event(key)  # priority bindings run here; any other key is posted to ``target``
            if key.is_forwarded:
                self._follow(key, target)

    def _follow(self, key: events.Key, target: MessagePump) -> None:
        self._key_serial += 1
        serial = self._key_serial
        self._key_in_flight = serial
        self._key_target = target
        # call_later queues behind the key, and the marker it posts queues behind what the key made the target
        # post to itself; each hop up keeps that order.
        target.call_later(target.post_message, KeyHandled(serial))
        if self._key_watchdog is None:
            self._key_watchdog = self.set_interval(MARKER_WATCHDOG, self._check_key_target)

    async def _check_key_target(self) -> None:
        target = self._key_target
        if self._key_in_flight is not None and (target is None or not target.is_attached
                                                or not getattr(target, "is_running", True)):
            await self._key_done(self._key_in_flight)

    async def _key_done(self, serial: int) -> None:
        if serial != self._key_in_flight:
            return  # a marker or watchdog of a key already let go
        self._key_in_flight = None
        self._key_target = None
        if self._keys_waiting:
            await self._deliver_waiting_keys()
        elif self._key_watchdog is not None:
            self._key_watchdog.stop()
            self._key_watchdog = None

    async def on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        await self._key_done(message.serial)
