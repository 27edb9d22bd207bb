"""Random and mutated values files and Applications through load -> validate -> render -> template -> diff: the only
exceptions allowed are the project's own input errors (a clear message), never a crash. Bounded to about a minute."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raywizard.chart import ChartRenderError
from raywizard.diff.report import diff_resource
from raywizard.documents.presets import bundled_dir
from raywizard.documents.roundtrip_yaml import dump_documents, parse_documents, to_plain
from raywizard.documents.workspace import Workspace
from raywizard.model.errors import RaywizardError
from raywizard.render.applications import desired_raycluster, render_applications, render_files
from raywizard.validation.validate import validate

GUIDE = [to_plain(d) for d in parse_documents((bundled_dir() / "argocd-guide.yaml").read_text(encoding="utf-8"))]
VALUES = GUIDE[-1]["spec"]["source"]["helm"]["valuesObject"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**7), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["", "true", "1.5", "CreateNamespace=true", "2Gi", "-"]))
values_trees = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(max_size=8), children, max_size=3)),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, item in node.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=8))] = draw(values_trees)
        else:
            parent[path[-1]] = draw(values_trees)
    return doc


def _through_everything(docs: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "input.yaml"
        path.write_text(dump_documents(docs), encoding="utf-8")
        try:
            workspace = Workspace.load([path])
            validate(workspace.spec)
            render_files(workspace.spec)
            workspace.render()
            desired = desired_raycluster(workspace.spec)
            diff_resource(desired, desired)
            for app in render_applications(workspace.spec):
                diff_resource(None, app)
        except (RaywizardError, ChartRenderError):
            pass  # the project's own input errors: a message for the user


# Bounded by example count (hypothesis has no time budget): a values file takes ~0.15 s and a set of Applications
# ~0.4 s through everything on a busy 2-core machine, so together about a minute (less on an idle one).
_SETTINGS = {"deadline": None, "derandomize": True, "database": None, "suppress_health_check": list(HealthCheck)}
FUZZ_VALUES = settings(max_examples=200, **_SETTINGS)  # type: ignore[arg-type]
FUZZ_APPLICATIONS = settings(max_examples=100, **_SETTINGS)  # type: ignore[arg-type]


@pytest.mark.slow
@FUZZ_VALUES
@given(st.one_of(mutated(VALUES), st.dictionaries(st.sampled_from(list(VALUES)), values_trees, max_size=4)))
def test_random_values_files(values: Any) -> None:
    _through_everything([values])


@pytest.mark.slow
@FUZZ_APPLICATIONS
@given(st.lists(st.sampled_from(range(3)), min_size=1, max_size=3).flatmap(
    lambda roles: st.tuples(*[mutated(GUIDE[r]) for r in roles])))
def test_mutated_applications(apps: tuple[Any, ...]) -> None:
    _through_everything(list(apps))
