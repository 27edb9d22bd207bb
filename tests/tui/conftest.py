"""Shared fixtures for the Textual wizard tests: the app factory, a copy of the guide's file, the sandbox."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES

SIZE = (100, 32)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: Any) -> bool | None:
    """Run ``async def`` tests on a fresh event loop (no pytest-asyncio in this project)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True


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


# The sandbox fixture lives with the cluster tests (one SandboxCluster per session, speed 20): reuse it, and the
# fixtures it is built from, whatever their names there.
from tests.cluster import conftest as _cluster_fixtures  # noqa: E402

for _name in ("sandbox", "sandbox_session"):
    if hasattr(_cluster_fixtures, _name):
        globals()[_name] = getattr(_cluster_fixtures, _name)
