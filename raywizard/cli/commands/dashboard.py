"""`raywizard dashboard`: the live dashboard on its own (the wizard shows the same screen after apply)."""

from __future__ import annotations

import argparse
import sys

HELP = "live dashboard: Applications, RayCluster, worker groups, pods and events (Textual)"
DESCRIPTION = (
    "Watch the Argo CD Applications, the RayCluster, its worker groups (with replica sparklines), pods and "
    "events, live. One key per action: s sync (confirmed), r refresh, R hard refresh (confirmed), l logs, "
    "d/c describe as YAML, p Ray dashboard port-forward, w edit worker groups in the wizard (F2 there comes "
    "back), / filter, o sort, ? all keys, q quit. Keys are remapped by binding id in "
    "~/.config/raywizard/keys.yaml (or the file $RAYWIZARD_KEYS names)."
)
EXAMPLES = """\
examples:
  raywizard dashboard                               the guide's names on the current context
  raywizard dashboard --context prod --namespace ml
  raywizard dashboard --from ray-cluster.yaml       names (namespaces, release) from your Application file
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    add_target_arguments(parser)
    add_cluster_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from raywizard.model.errors import InputError

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise InputError("the dashboard needs a terminal", "use raywizard status --watch for plain output")
    from raywizard.cli.commands._cluster_args import connect, spec_from

    spec = spec_from(args)
    connection = connect(args)
    # The wizard opened by `w` connects to the same cluster: the context the dashboard resolved (also when it
    # came from KUBECONFIG / current-context rather than a flag), so Live diff and Apply work.
    context = getattr(args, "context", None) or getattr(connection, "context_name", None) or None
    try:
        from raywizard.tui.dashboard import DashboardApp

        app = DashboardApp(connection, spec)
        result = app.run()
    finally:
        connection.close()
    if app.return_code:
        return app.return_code  # it ended on an unexpected error: not a success
    if result is None:
        return 0
    # `w` on the dashboard: the live spec, opened in the wizard's worker-group step. What is live counts as
    # saved (as in the wizard's "Tweak running cluster"): only the user's edits are changes.
    from raywizard.documents.workspace import Workspace
    from raywizard.tui.wizard.app import create_app

    workspace = Workspace.new(result)
    workspace.saved_spec = result.clone()
    wizard = create_app(
        workspace=workspace,
        start_step="workers",
        kubeconfig=getattr(args, "kubeconfig", None),
        context=context,
    )
    wizard.came_from_dashboard = True  # F2 there opens the dashboard again, on the wizard's connection
    edited = wizard.run()
    return wizard.return_code or int(edited or 0)  # non-zero after a crash (its message names the recovery)
