"""A one-line on/off control that reads without colour (``[x] on`` / ``[ ] off``), for NO_COLOR terminals and
compact forms; Space/Enter or a click toggles it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static


class Toggle(Static, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("space,enter", "flip", "Toggle", show=False)]

    value: reactive[bool] = reactive(False)

    @dataclass
    class Changed(Message):
        toggle: Toggle
        value: bool

        @property
        def control(self) -> Toggle:
            return self.toggle

    def __init__(self, value: bool = False, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self.set_reactive(Toggle.value, value)

    def on_mount(self) -> None:
        self._show()

    def watch_value(self, value: bool) -> None:
        self._show()
        self.post_message(self.Changed(self, value))

    def _show(self) -> None:
        self.update("[x] on" if self.value else "[ ] off")

    def action_flip(self) -> None:
        self.value = not self.value

    def on_click(self) -> None:
        self.action_flip()
