"""The chart model against real Helm: every corpus values file, at every supported chart version.

tests/data/helm-goldens holds what Helm (helm-python-sdk, the Helm engine in-process) rendered from
tests/data/values-corpus with the ray-cluster chart taken from ray-project/kuberay at each tag;
scripts/make_goldens.py regenerates them. Here the corpus file is read the way raywizard reads a user's file
and rendered by the model; the RayCluster must be the same data Kubernetes would read from Helm's output.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from raywizard.chart import SUPPORTED_CHART_VERSIONS, ChartRenderError, render_raycluster
from raywizard.documents.roundtrip_yaml import load_plain

DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS = DATA / "values-corpus"
GOLDENS = DATA / "helm-goldens"
CASES = sorted(path.stem for path in CORPUS.glob("*.yaml"))
PAIRS = [(case, version) for case in CASES for version in SUPPORTED_CHART_VERSIONS]


def case_settings(text: str) -> tuple[str, str]:
    release = re.search(r"^# release: *(\S+)", text, re.M)
    namespace = re.search(r"^# namespace: *(\S+)", text, re.M)
    return (release.group(1) if release else "raycluster", namespace.group(1) if namespace else "ray-cluster")


def golden(case: str, version: str) -> dict[str, Any] | str:
    """Helm's RayCluster as data, or Helm's error message."""
    error = GOLDENS / case / f"{version}.error"
    if error.exists():
        return error.read_text(encoding="utf-8")
    return yaml.safe_load((GOLDENS / case / f"{version}.yaml").read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_every_pair_has_a_golden() -> None:
    assert len(CASES) >= 25
    for case, version in PAIRS:
        assert (GOLDENS / case / f"{version}.yaml").exists() or (GOLDENS / case / f"{version}.error").exists(), (
            f"no Helm render for {case} at {version}: run scripts/make_goldens.py"
        )
    assert {path.name for path in GOLDENS.iterdir() if path.is_dir()} == set(CASES)


@pytest.mark.parametrize(("case", "version"), PAIRS)
def test_model_renders_what_helm_renders(case: str, version: str) -> None:
    text = (CORPUS / f"{case}.yaml").read_text(encoding="utf-8")
    release, namespace = case_settings(text)
    expected = golden(case, version)
    values = load_plain(text)
    if isinstance(expected, str):
        with pytest.raises(ChartRenderError):
            render_raycluster(values, release_name=release, namespace=namespace, chart_version=version)
        return
    rendered = render_raycluster(values, release_name=release, namespace=namespace, chart_version=version)
    assert rendered == expected


@pytest.mark.parametrize("version", ["1.4.2", "1.5.1", "1.7.0"])
def test_template_command_prints_helms_render(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli.main import main

    for case in CASES:
        path = CORPUS / f"{case}.yaml"
        release, namespace = case_settings(path.read_text(encoding="utf-8"))
        code = main(["template", "--values", str(path), "--release", release, "--namespace", namespace,
                     "--chart-version", version])
        out = capsys.readouterr().out
        assert code == 0, case
        assert yaml.safe_load(io.StringIO(out)) == golden(case, version), case


def test_make_goldens_explains_what_it_needs() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_goldens.py"
    result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "--kuberay" in result.stdout
