"""Shared test helpers: where the test data lives (all of it inside the repository, under tests/data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
# The guide's files as published (the all-in-one file and its three split Applications).
FIXTURES = DATA / "guide"
# Real Helm renders of the ray-cluster and kuberay-operator charts, and the charts' default values.
GOLDEN = DATA / "golden"


@pytest.fixture(autouse=True)
def _isolated_user_presets(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never read or write the developer's own saved presets or recovery files from tests.
    monkeypatch.setenv("RAYWIZARD_USER_PRESETS_DIR", str(tmp_path_factory.mktemp("user-presets")))
    monkeypatch.setenv("RAYWIZARD_STATE_DIR", str(tmp_path_factory.mktemp("state")))


# The suite leaves daemon threads behind by design (sandbox servers, watches, controllers that a session fixture
# starts). On rare runs CPython's finalisation then aborts (SIGABRT, exit 134) after every test has reported,
# turning a green run red with no failing test. Once pytest has printed its summary, exit with its own status
# and skip interpreter finalisation.
_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _EXIT_STATUS and not hasattr(config, "workerinput") and os.environ.get("RAYWIZARD_TEST_HARD_EXIT", "1") == "1":
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT_STATUS[-1])
