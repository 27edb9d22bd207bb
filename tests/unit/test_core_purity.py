"""The core never imports UI or cluster libraries (start-up time and layering)."""

from __future__ import annotations

import subprocess
import sys

CORE = ["raywizard.spec", "raywizard.fields", "raywizard.problems", "raywizard.validate", "raywizard.versions",
        "raywizard.chart", "raywizard.manifests", "raywizard.documents", "raywizard.presets", "raywizard.diff",
        "raywizard.values", "raywizard.paths", "raywizard.effective", "raywizard.ignore", "raywizard.cli"]
FORBIDDEN = ["textual", "questionary", "rich", "kubernetes", "jq"]


def test_core_modules_import_no_ui_or_cluster_libraries() -> None:
    code = (
        "import sys, importlib\n"
        f"for m in {CORE!r}: importlib.import_module(m)\n"
        "import raywizard.validate as v, raywizard.presets as p, raywizard.manifests as m\n"
        "s = p.load_preset('argocd-guide'); v.validate(s); m.render_files(s); m.desired_raycluster(s)\n"
        f"print(','.join(x for x in {FORBIDDEN!r} if x in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
