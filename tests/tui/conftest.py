"""Shared fixtures for the Textual tests: the screen size, a copy of the guide's file, no kubeconfig, a steady
cursor. The sandbox fixtures come from tests/plugins/sandbox.py, async tests run through pytest-asyncio."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

SIZE = (100, 32)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A focused Input's cursor blinks on a timer, so a screenshot would depend on the moment it is taken (a loaded
    machine shifts it); with a steady cursor it depends on the screen alone. The widgets dispatch their own private
    mount handler before any public one, so the reactive's default is what can be changed from outside."""
    from textual.widgets import Input, TextArea

    for widget_class in (Input, TextArea):
        monkeypatch.setattr(widget_class.__dict__["cursor_blink"], "_default", False)


@pytest.fixture
def guide_cluster_file(tmp_path: Path) -> Path:
    """A private copy of the guide's RayCluster Application (with its comment)."""
    target = tmp_path / "raycluster.yaml"
    shutil.copyfile(FIXTURES / "raycluster.yaml", target)
    return target


@pytest.fixture
def no_kubeconfig(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests must never pick up the developer's cluster, nor read or write their presets."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent-kubeconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("RAYWIZARD_USER_PRESETS_DIR", str(tmp_path / "user-presets"))
