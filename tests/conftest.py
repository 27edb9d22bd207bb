"""Shared test set-up: where the test data lives (all of it inside the repository, under tests/data), the suite's
plugins (the sandbox fixtures, the thread-leak check, async tests through pytest-asyncio) and its markers."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
# The guide's files as published (the all-in-one file and its three split Applications).
FIXTURES = DATA / "guide"
# Real Helm renders of the ray-cluster and kuberay-operator charts, and the charts' default values.
GOLDEN = DATA / "golden"

pytest_plugins = ["tests.plugins.sandbox", "tests.plugins.threads"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``cluster`` for the cluster tier and every test that uses a sandbox fixture, ``snapshot`` for the tests that
    compare screenshots (``snap_compare``), so that ``-m 'not cluster'`` or ``-m snapshot`` select by what a test
    needs rather than by where it lives."""
    from tests.plugins.sandbox import SANDBOX_FIXTURES

    cluster_tier = REPO / "tests" / "cluster"
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SANDBOX_FIXTURES or cluster_tier in item.path.parents:
            item.add_marker(pytest.mark.cluster)
        if "snap_compare" in fixtures:
            item.add_marker(pytest.mark.snapshot)


@pytest.fixture(autouse=True)
def _isolated_user_presets(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never read or write the developer's own saved presets or recovery files from tests.
    monkeypatch.setenv("RAYWIZARD_USER_PRESETS_DIR", str(tmp_path_factory.mktemp("user-presets")))
    monkeypatch.setenv("RAYWIZARD_STATE_DIR", str(tmp_path_factory.mktemp("state")))
