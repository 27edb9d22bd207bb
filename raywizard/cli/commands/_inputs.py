"""The spec-input flags shared by render, template, validate, diff, apply and init, and how they layer.

Layering (later wins): built-in defaults < ``--preset`` < ``--from`` files < ``--values`` < explicit flags
(``--release``, ``--namespace``, ...) < ``--set PATH=VALUE``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from raywizard.documents.workspace import Workspace
    from raywizard.model.spec import ClusterSpec


def add_input_arguments(parser: argparse.ArgumentParser, *, layout: bool = True) -> None:
    group = parser.add_argument_group("what to render (later options override earlier ones)")
    source = group.add_mutually_exclusive_group()
    source.add_argument("--preset", metavar="NAME", help="start from a preset (see `raywizard presets`)")
    source.add_argument("--from", dest="from_files", metavar="FILE", action="append", type=Path,
                        help="start from Application file(s) (single or split, like the guide's) or a values file; "
                             "repeat for split files")
    group.add_argument("--checkout", metavar="DIR", action="append", type=Path, default=[],
                       help="a local git checkout holding the $ref/... value files of a multi-source Application "
                            "(repeatable; the repository the --from file is in is used anyway)")
    group.add_argument("--values", metavar="VALUES.yaml", type=Path,
                       help="ray-cluster chart values (as in the RayCluster Application's valuesObject)")
    group.add_argument("--release", metavar="NAME", help="Helm release name (names the RayCluster)")
    group.add_argument("--namespace", metavar="NS", help="namespace of the operator and the RayCluster")
    group.add_argument("--chart-version", metavar="V", help="ray-cluster chart version, e.g. 1.5.1")
    group.add_argument("--kuberay-version", metavar="V", help="KubeRay git tag for CRDs and operator, e.g. v1.5.1")
    group.add_argument("--ignore-differences", choices=("jq", "pointers", "none"),
                       help="how Argo CD ignores the autoscaler's replicas (default: jq)")
    if layout:
        group.add_argument("--layout", choices=("single", "split"), help="one file, or one per Application")
    group.add_argument("--set", dest="assignments", metavar="PATH=VALUE", action="append", default=[],
                       help="set any field (repeatable): --set image.tag=2.46.0, --set workerGroups[0].maxReplicas=8 "
                            "(the first group), --set workerGroups.NAME.maxReplicas=8 (the group NAME); "
                            "workerGroups.+NAME.FIELD=VALUE adds the group NAME if missing")


def workspace_from_args(args: argparse.Namespace) -> Workspace:
    """A Workspace holding the spec the flags describe (and the --from files, for in-place saving)."""
    from raywizard.documents.loading import read_values
    from raywizard.documents.presets import load_preset
    from raywizard.documents.workspace import Workspace
    from raywizard.fields.set_paths import apply_assignments
    from raywizard.model.spec import ClusterSpec, IgnoreMode, Layout
    from raywizard.render.helm_values import apply_values

    base = load_preset(args.preset) if getattr(args, "preset", None) else ClusterSpec()
    files = getattr(args, "from_files", None)
    checkouts = list(getattr(args, "checkout", None) or [])
    workspace = Workspace.load(files, base, checkouts=checkouts) if files else Workspace.new(base)
    spec = workspace.spec
    values_path: Path | None = getattr(args, "values", None)
    if values_path is not None:
        values = read_values(values_path)
        apply_values(spec, values)
    if getattr(args, "release", None):
        spec.target.release_name = args.release
    if getattr(args, "namespace", None):
        spec.target.namespace = args.namespace
    if getattr(args, "chart_version", None):
        spec.versions.chart = args.chart_version.lstrip("v")
    if getattr(args, "kuberay_version", None):
        version = args.kuberay_version
        spec.versions.kuberay = version if version.startswith("v") else f"v{version}"
    if getattr(args, "ignore_differences", None):
        spec.ignore_mode = IgnoreMode(args.ignore_differences)
    if getattr(args, "layout", None):
        spec.layout = Layout(args.layout)
    assignments = list(getattr(args, "assignments", None) or [])
    if spec.app_set is not None:
        from raywizard.validation.appset_placeholders import refuse_templated_setting

        for assignment in assignments:
            path, _, text = assignment.partition("=")
            refuse_templated_setting(spec, path, text)
    apply_assignments(spec, assignments)
    return workspace


def spec_from_args(args: argparse.Namespace) -> ClusterSpec:
    return workspace_from_args(args).spec


def write_output(text_by_name: dict[str, str], output: str | None, *, force: bool = False) -> list[Path]:
    """``-o -`` (or none): stdout, files separated by ``---`` with a ``# Source:`` line when there are several;
    ``-o FILE``: one file (atomic, .bak; a read-only file only with ``force``); ``-o DIR``: one file per name."""
    import sys

    from raywizard.documents.roundtrip_yaml import atomic_write

    if output in (None, "-"):
        if len(text_by_name) == 1:
            sys.stdout.write(next(iter(text_by_name.values())))
        else:
            sys.stdout.write("---\n".join(f"# Source: {name}\n{text}" for name, text in text_by_name.items()))
        return []
    from raywizard.documents.safe_write import missing_directory
    from raywizard.model.textsafe import literal

    target = Path(output)
    single = len(text_by_name) == 1 and not target.is_dir()
    created = missing_directory(target if single else target / next(iter(text_by_name)))
    if single:
        written = [atomic_write(target, next(iter(text_by_name.values())), force=force)]
    else:
        written = [atomic_write(target / name, text, force=force) for name, text in text_by_name.items()]
    if created is not None:
        print(f"created folder {literal(created)}", file=sys.stderr)
    return written
