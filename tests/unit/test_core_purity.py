"""The core never imports UI or cluster libraries (start-up time and layering)."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "raywizard.model.spec",
    "raywizard.fields.declarations",
    "raywizard.model.problems",
    "raywizard.validation.validate",
    "raywizard.model.versions",
    "raywizard.chart",
    "raywizard.render.applications",
    "raywizard.documents.workspace",
    "raywizard.documents.presets",
    "raywizard.diff.report",
    "raywizard.render.helm_values",
    "raywizard.fields.set_paths",
    "raywizard.validation.effective",
    "raywizard.diff.ignore_differences",
    "raywizard.cli.main",
]
FORBIDDEN = ["textual", "questionary", "rich", "kubernetes", "jq"]


def test_core_modules_import_no_ui_or_cluster_libraries() -> None:
    code = (
        "import sys, importlib\n"
        f"for m in {CORE!r}: importlib.import_module(m)\n"
        "import raywizard.validation.validate as v, raywizard.documents.presets as p\n"
        "import raywizard.render.applications as m\n"
        "s = p.load_preset('argocd-guide'); v.validate(s); m.render_files(s); m.desired_raycluster(s)\n"
        f"print(','.join(x for x in {FORBIDDEN!r} if x in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
