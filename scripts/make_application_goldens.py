#!/usr/bin/env python3
"""Render the RayCluster of every Application in tests/data/applications-corpus with real Helm, given the values
the way Argo CD gives them (see docs/application-forms.md).

For each Application: the ray-cluster source (``spec.source`` or an entry of ``spec.sources``) at its
``targetRevision``; ``--values`` for each ``valueFiles`` entry in order (``$ref/path`` read from
tests/data/applications-corpus/checkout, a plain path from the chart directory, missing files skipped as
``ignoreMissingValueFiles`` allows), then the inline values (``valuesObject``, else the ``values`` string), then
``--set`` and ``--set-string`` (``forceString``) for each parameter, commas escaped as Argo CD escapes them; the
release is ``releaseName`` or the Application's name. For an ApplicationSet, the Application its first list
element generates (``{{name}}`` placeholders replaced, as the controller does without ``goTemplate``).
Helm itself (helm-python-sdk) parses every values file and ``--set`` expression; only the merge of those parts
follows Helm's rule (maps merged key by key, the rest replaced).

    python scripts/make_application_goldens.py --kuberay ~/src/kuberay

Writes tests/data/application-goldens/<case>.yaml.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "applications-corpus"
CHECKOUT = CORPUS / "checkout"
GOLDENS = ROOT / "tests" / "data" / "application-goldens"


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def escaped(value: str) -> str:
    """A parameter value as Argo CD passes it to --set: unescaped commas escaped, except in a {list}."""
    if value.startswith("{") and value.endswith("}"):
        return value
    return re.sub(r"(?<!\\),", r"\\,", value)


def first_generated(appset: dict[str, Any]) -> dict[str, Any]:
    """The Application of an ApplicationSet's first list element: placeholders in the template's text replaced."""
    import yaml

    element = next(g["list"]["elements"][0] for g in appset["spec"]["generators"] if "list" in g)
    text = yaml.safe_dump(appset["spec"]["template"])
    text = re.sub(r"\{\{([^}]*)\}\}", lambda m: str(element.get(m.group(1).strip(), m.group(0))), text)
    template = yaml.safe_load(text)
    return {"kind": "Application", "metadata": template["metadata"], "spec": template["spec"]}


def chart_source(app: dict[str, Any]) -> dict[str, Any]:
    body = app["spec"]
    return next(s for s in [body.get("source"), *(body.get("sources") or [])]
                if s and (s.get("chart") == "ray-cluster" or str(s.get("path", "")).endswith("helm-chart/ray-cluster")))


def helm_values(helm: Any, app: dict[str, Any], source: dict[str, Any], chart_dir: Path) -> dict[str, Any]:
    settings = source.get("helm") or {}
    values: dict[str, Any] = {}
    for entry in settings.get("valueFiles") or []:
        path = CHECKOUT / entry.split("/", 1)[1] if entry.startswith("$") else chart_dir / entry
        if not path.is_file():
            if settings.get("ignoreMissingValueFiles"):
                continue
            raise SystemExit(f"{app['metadata']['name']}: value file {entry} not found")
        values = merge(values, helm.values_from_yaml(path.read_text(encoding="utf-8")))
    if settings.get("valuesObject") is not None:
        values = merge(values, helm.values_from_yaml(json.dumps(settings["valuesObject"])))
    elif settings.get("values"):
        values = merge(values, helm.values_from_yaml(settings["values"]))
    parameters = settings.get("parameters") or []
    for force in (False, True):  # Helm applies every --set, then every --set-string
        for parameter in (p for p in parameters if bool(p.get("forceString")) is force):
            expression = f"{parameter['name']}={escaped(str(parameter.get('value', '')))}"
            parse = helm.parse_set_string_values if force else helm.parse_set_string
            values = merge(values, parse(expression))
    return values


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import yaml
    from make_goldens import TEMPLATE, extract_chart

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kuberay", type=Path, required=True, help="a git clone of ray-project/kuberay")
    args = parser.parse_args(argv)
    try:
        import helm_python as helm
    except ImportError:
        print("helm-python-sdk is not installed: pip install -e '.[goldens]'", file=sys.stderr)
        return 2
    GOLDENS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for case in sorted(CORPUS.glob("*.yaml")):
            app = yaml.safe_load(case.read_text(encoding="utf-8"))
            if app["kind"] == "ApplicationSet":
                app = first_generated(app)
            source = chart_source(app)
            version = str(source["targetRevision"]).removeprefix("v")  # a git tag for a path source
            chart_dir = extract_chart(args.kuberay, version, Path(scratch) / case.stem)
            settings = source.get("helm") or {}
            with helm.Chart.load(chart_dir) as chart:
                manifests = chart.render(helm_values(helm, app, source, chart_dir),
                                         name=settings.get("releaseName") or app["metadata"]["name"],
                                         namespace=app["spec"]["destination"]["namespace"], is_install=True)
            (GOLDENS / case.name).write_text(f"# Source: {TEMPLATE}\n{manifests[TEMPLATE]}", encoding="utf-8")
            print(f"{case.stem}: chart {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
