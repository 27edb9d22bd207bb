"""Small screens of the dashboard: the write confirmation and the YAML "describe" view."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Static

from raywizard.tui.common.literal_text import rich_text


class ConfirmWrite(ModalScreen[bool]):
    """Every write from the dashboard (sync, refresh, hard refresh) is confirmed here, naming what it touches."""

    CSS_PATH = "dashboard.tcss"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, details: str) -> None:
        super().__init__(classes="confirm-write")
        self._title = title
        self._details = details

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(rich_text(self._title), id="confirm-title")
            yield Static(rich_text(self._details), id="confirm-details")
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes (y)", variant="warning", id="confirm-yes")
                yield Button("No (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def object_yaml(obj: dict[str, Any]) -> str:
    """``kubectl get -o yaml`` of a raw object, without the managedFields noise. Values stay literal: PyYAML
    double-quotes and escapes control characters, and the text is never parsed as markup.
    """
    import yaml

    cleaned = dict(obj)
    metadata = dict(cleaned.get("metadata") or {})
    metadata.pop("managedFields", None)
    if metadata:
        cleaned["metadata"] = metadata
    return str(yaml.safe_dump(cleaned, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000))


class DescribeScreen(Screen[None]):
    """The raw object as YAML, syntax-highlighted, scrollable; Escape goes back."""

    CSS_PATH = "dashboard.tcss"

    BINDINGS = [Binding("escape,q", "app.pop_screen", "Back")]

    def __init__(self, title: str, obj: dict[str, Any]) -> None:
        super().__init__(classes="describe")
        self._title = title
        self._yaml = object_yaml(obj)

    def compose(self) -> ComposeResult:
        from textual.highlight import highlight

        yield Static(rich_text(self._title), id="describe-title")
        with VerticalScroll(id="describe-body"):
            yield Static(highlight(self._yaml, language="yaml"), id="describe-yaml")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#describe-body").focus()

    @property
    def yaml_text(self) -> str:
        return self._yaml
