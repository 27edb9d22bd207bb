#!/usr/bin/env python3
"""Render every values file of the corpus with real Helm, at every supported ray-cluster chart version.

The renders are the reference the chart model is tested against (tests/unit/test_chart_goldens.py).
Helm runs in-process through the PyPI package helm-python-sdk (the Helm engine as a shared library, no helm
binary); install it with ``pip install -e '.[goldens]'``. The chart comes from a clone of
ray-project/kuberay: ``helm-chart/ray-cluster`` at tag ``v<version>``, taken out with ``git archive``.

    python scripts/make_goldens.py --kuberay ~/src/kuberay
    python scripts/make_goldens.py --kuberay ~/src/kuberay --version 1.7.0 --case gpu-group

Writes tests/data/helm-goldens/<case>/<version>.yaml (Helm's manifest text) or <version>.error (Helm's
message, when Helm refuses the values). Values are read with Helm's own values reader, so the goldens do not
depend on how raywizard parses YAML. A corpus file may name its release and namespace in comment lines
``# release: NAME`` and ``# namespace: NS`` (default: raycluster, ray-cluster).
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "values-corpus"
GOLDENS = ROOT / "tests" / "data" / "helm-goldens"
CHART_PATH = "helm-chart/ray-cluster"
TEMPLATE = "ray-cluster/templates/raycluster-cluster.yaml"
DEFAULT_RELEASE = "raycluster"
DEFAULT_NAMESPACE = "ray-cluster"


def case_settings(text: str) -> tuple[str, str]:
    """(release, namespace) from the ``# release:`` / ``# namespace:`` comment lines of a corpus file."""
    release = re.search(r"^# release: *(\S+)", text, re.M)
    namespace = re.search(r"^# namespace: *(\S+)", text, re.M)
    return (release.group(1) if release else DEFAULT_RELEASE, namespace.group(1) if namespace else DEFAULT_NAMESPACE)


def extract_chart(kuberay: Path, version: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(kuberay), "archive", f"v{version}", CHART_PATH],
        check=True, capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / CHART_PATH


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from raywizard.chart import SUPPORTED_CHART_VERSIONS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kuberay", type=Path, required=True, help="a git clone of ray-project/kuberay")
    parser.add_argument("--version", action="append", help="only this chart version (repeatable)")
    parser.add_argument("--case", action="append", help="only this corpus case, by file stem (repeatable)")
    args = parser.parse_args(argv)
    try:
        import helm_python as helm
    except ImportError:
        print("helm-python-sdk is not installed: pip install -e '.[goldens]'", file=sys.stderr)
        return 2
    versions = args.version or list(SUPPORTED_CHART_VERSIONS)
    cases = sorted(p for p in CORPUS.glob("*.yaml") if not args.case or p.stem in args.case)
    print(f"Helm {helm.helm_sdk_version()} (helm-python-sdk {helm.__version__}); "
          f"{len(cases)} cases x {len(versions)} versions")
    written = errors = 0
    with tempfile.TemporaryDirectory() as scratch:
        for version in versions:
            chart_dir = extract_chart(args.kuberay, version, Path(scratch) / version)
            with helm.Chart.load(chart_dir) as chart:
                for case in cases:
                    text = case.read_text(encoding="utf-8")
                    release, namespace = case_settings(text)
                    out_dir = GOLDENS / case.stem
                    out_dir.mkdir(parents=True, exist_ok=True)
                    for stale in out_dir.glob(f"{version}.*"):
                        stale.unlink()
                    try:
                        values = helm.values_from_yaml(text)
                        manifests = chart.render(values, name=release, namespace=namespace, is_install=True)
                    except helm.HelmError as exc:
                        (out_dir / f"{version}.error").write_text(f"{exc}\n", encoding="utf-8")
                        errors += 1
                        continue
                    manifest = manifests[TEMPLATE]
                    (out_dir / f"{version}.yaml").write_text(f"# Source: {TEMPLATE}\n{manifest}", encoding="utf-8")
                    written += 1
    print(f"wrote {written} renders and {errors} Helm errors under {GOLDENS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
