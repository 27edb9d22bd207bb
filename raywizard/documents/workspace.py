"""Workspace: a spec together with the files it came from, so that saving edits those files in place.

Open the guide's single file, its split files, or a plain ray-cluster values file; edit ``workspace.spec``;
``render()`` gives the new text of every file (unchanged files byte-identical, edits touching only their lines,
comments and unknown keys kept); ``save()`` writes atomically and keeps ``.bak`` copies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from raywizard.documents.loading import read_documents
from raywizard.documents.roundtrip_yaml import atomic_write, to_plain
from raywizard.documents.shape_check import check_documents
from raywizard.documents.splice import OwnsKeys, edit_documents_text
from raywizard.model.errors import InputError
from raywizard.model.spec import ClusterSpec, Layout
from raywizard.model.textsafe import literal
from raywizard.render import applications as manifests
from raywizard.render.helm_values import spec_from_values, to_values


def _owns_everything(_path: tuple[str, ...]) -> bool:
    # The desired documents are the user's own with the spec's edits applied (render.application_forms), so
    # a key they lack was removed by an edit.
    return True


def _data_with_quotes(value: Any) -> Any:
    """Plain data, except that double-quoted strings stay so (so ``targetRevision: "1.5.1"`` renders
    quoted again where the document is written out anew)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, DoubleQuotedScalarString):
        return DoubleQuotedScalarString(str(value))
    if isinstance(value, dict):
        return {str(k): _data_with_quotes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_data_with_quotes(v) for v in value]
    return to_plain(value)


def _byte_order_mark(path: Path) -> str:
    import codecs

    try:
        with path.open("rb") as handle:
            return "\ufeff" if handle.read(3) == codecs.BOM_UTF8 else ""
    except OSError:
        return ""


def _owns_values_keys(path: tuple[str, ...]) -> bool:
    return path[-1:] != ("image",)


def _one_per_role(apps: list[dict[str, Any]]) -> None:
    """Two RayCluster (or operator, or CRDs) Applications cannot both be edited as one: the second would be
    silently left out of every render. Say so instead."""
    names: dict[str, list[str]] = {}
    for app in apps:
        role = manifests.role_of(app)
        if role is not None:
            names.setdefault(role, []).append(literal((app.get("metadata") or {}).get("name") or "?",
                                                      single_line=True))
    for role, found in names.items():
        if len(found) > 1:
            what = {"cluster": "RayCluster", "operator": "KubeRay operator", "crds": "KubeRay CRDs"}[role]
            raise InputError(f"the files hold {len(found)} {what} Applications ({', '.join(found)}); raywizard "
                             "edits one cluster at a time",
                             "open one of them (with its CRDs and operator Applications, if you keep those), e.g. "
                             "render --generated --layout split -o DIR writes one file per generated Application")


@dataclass
class SourceFile:
    path: Path
    text: str
    docs: list[Any]
    kind: str  # "applications" | "values"
    bom: str = ""  # the UTF-8 byte order mark the file started with (the reader drops it; writing puts it back)


@dataclass
class Workspace:
    spec: ClusterSpec
    files: list[SourceFile] = field(default_factory=list)
    saved_spec: ClusterSpec | None = None  # the spec as last loaded or saved (for "unsaved changes")

    # ------------------------------------------------------------------------------------------ creating
    @classmethod
    def new(cls, spec: ClusterSpec) -> Workspace:
        return cls(spec=spec, files=[], saved_spec=None)

    @classmethod
    def load(cls, paths: list[Path] | Path, base: ClusterSpec | None = None,
             checkouts: list[Path] | None = None) -> Workspace:
        """Open files; ``checkouts``: local git checkouts holding ``$ref/...`` value files of multi-source
        Applications (the repository an Application file is in is looked at anyway)."""
        paths = [paths] if isinstance(paths, Path | str) else list(paths)
        files: list[SourceFile] = []
        apps: list[dict[str, Any]] = []
        values: dict[str, Any] | None = None
        for raw_path in paths:
            path = Path(raw_path)
            text, docs = read_documents(path)
            bom = _byte_order_mark(path)
            plain = [to_plain(d) for d in docs]
            check_documents(plain, source=str(path))
            if plain and all(manifests.role_of(d) for d in plain):
                files.append(SourceFile(path, text, docs, "applications", bom))
                apps.extend(_data_with_quotes(d) for d in docs)
            elif len(plain) == 1 and isinstance(plain[0], dict) and not plain[0].get("kind"):
                files.append(SourceFile(path, text, docs, "values", bom))
                values = plain[0]
            else:
                kinds = sorted({literal(d.get("kind"), single_line=True) for d in plain
                                if isinstance(d, dict)}) or ["nothing"]
                raise InputError(
                    f"{literal(path)}: expected the KubeRay Argo CD Applications, an ApplicationSet of the "
                    f"ray-cluster chart or a ray-cluster values file, found {', '.join(kinds)}",
                    "pass the guide's Application files (single or split), an ApplicationSet whose template has the "
                    "ray-cluster chart source, or a chart values file",
                )
        _one_per_role(apps)
        from raywizard.documents.value_files import local_reader

        reader = local_reader([Path(p) for p in paths], checkouts)
        spec = (manifests.applications_to_spec(apps, base, read_value_file=reader) if apps
                else (base or ClusterSpec()).clone())
        if values is not None:
            spec = spec_from_values(values, spec)
        workspace = cls(spec=spec, files=files)
        workspace.saved_spec = spec.clone()
        return workspace

    # ------------------------------------------------------------------------------------------ state
    @property
    def dirty(self) -> bool:
        return self.saved_spec is None or self.saved_spec != self.spec

    @property
    def paths(self) -> list[Path]:
        return [f.path for f in self.files]

    # ------------------------------------------------------------------------------------------ rendering
    def render(self) -> dict[Path, str]:
        """New text for each source file (or our own file names for a new workspace)."""
        if not self.files:
            return {Path(name): text for name, text in manifests.render_files(self.spec).items()}
        desired_apps = {manifests.role_of(a): a for a in manifests.render_applications(self.spec)}
        out: dict[Path, str] = {}
        for source in self.files:
            if source.kind == "values":
                out[source.path] = self._render_file(source, lambda _doc: to_values(self.spec), _owns_values_keys)
            else:
                out[source.path] = self._render_file(
                    source, lambda doc: desired_apps[manifests.role_of(to_plain(doc))], _owns_everything
                )
        return out

    @staticmethod
    def _render_file(source: SourceFile, desired_for: Callable[[Any], Any], owns: OwnsKeys) -> str:
        return source.bom + edit_documents_text(source.text, desired_for, owns, source=str(source.path))

    def render_applications_text(self) -> str:
        """All three Applications as one YAML stream (for previews and apply), independent of the files."""
        from raywizard.render.emitter import emit_all

        return emit_all(manifests.render_applications(self.spec))

    # ------------------------------------------------------------------------------------------ saving
    def save(self, target: Path | None = None, layout: Layout | str | None = None, *, force: bool = False
             ) -> list[Path]:
        """Write the files. With ``target``: a new file (single) or directory (split) instead of the sources."""
        written: list[Path] = []
        if target is None and self.files:
            for path, text in self.render().items():
                written.append(atomic_write(path, text, force=force))
        else:
            layout_value = Layout(layout or self.spec.layout)
            rendered = manifests.render_files(self.spec, layout_value.value)
            if target is None:
                raise InputError("nowhere to save a new configuration", "pass an output path (-o FILE)")
            if layout_value is Layout.SPLIT:
                directory = Path(target)
                if directory.suffix in (".yaml", ".yml"):
                    directory = directory.parent
                written = [atomic_write(directory / name, text, force=force) for name, text in rendered.items()]
            else:
                (text,) = rendered.values()
                written = [atomic_write(Path(target), text, force=force)]
        self.saved_spec = self.spec.clone()
        return written
