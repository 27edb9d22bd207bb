"""What the simulated repo-server "renders" for an Application source.

Known sources (docs/domain/kuberay.md, docs/domain/ray-cluster-chart.md#other-versions): the kuberay git repo at tags
v1.4.0…v1.7.0 (and HEAD/master = newest) with paths `helm-chart/kuberay-operator/crds` (plain YAML),
`helm-chart/kuberay-operator` and `helm-chart/ray-cluster` (Helm), and the Helm repo
https://ray-project.github.io/kuberay-helm/ with charts `kuberay-operator` and `ray-cluster`. Anything else fails with
the message shapes of Argo CD's repo-server, which the controller reports as a ComparisonError condition.

Multi-source Applications (``spec.sources``, docs/domain/argocd.md#helm-values-of-an-application): each source is
rendered in order and the objects put together; a ``ref:`` source without a ``path`` renders nothing but resolves
its revision, and a helm source's ``$ref/path`` value file is read from that source's repository at that revision
(local ``file://`` repositories, read with git; any other repository cannot be reached, as for a single source).
"""

from __future__ import annotations

import copy
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import kuberay_releases as releases
from .crds import kuberay_crds
from .git_sources import GitSourceError, GitSources, is_local_repo

GIT_REPO = releases.GIT_REPO_URL
HELM_REPO = releases.HELM_REPO_URL
_DATA = Path(__file__).with_name("data")


class SourceError(Exception):
    """A source that cannot be rendered; `str()` is the condition message Argo CD would show."""


@dataclass
class Rendered:
    objects: list[dict[str, Any]]
    revision: str  # git commit SHA, or the Helm chart version
    source_type: str  # Directory | Helm
    images: list[str] = field(default_factory=list)
    # multi-source: one revision and one source type per entry of spec.sources, in order
    revisions: list[str] | None = None
    source_types: list[str] | None = None


def _prefix(message: str, index: int = 0, count: int = 1) -> str:
    return (
        f"Failed to load target state: failed to generate manifest for source {index + 1} of {count}: rpc error: "
        f"code = Unknown desc = {message}"
    )


_UNPREFIX = "rpc error: code = Unknown desc = "


def _desc(error: SourceError) -> str:
    text = str(error)
    return text.split(_UNPREFIX, 1)[1] if _UNPREFIX in text else text


def _norm_url(url: str) -> str:
    url = url.strip().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def commit_sha(tag: str) -> str:
    """The commit a kuberay tag points to (a stable stand-in for a tag the sandbox has no record of)."""
    return releases.TAG_COMMITS.get(tag) or hashlib.sha1(f"ray-project/kuberay@{tag}".encode()).hexdigest()


def _git_tag(revision: str) -> str:
    revision = (revision or "HEAD").strip()
    if revision in ("HEAD", "master", "main"):
        return releases.LATEST_TAG
    if revision in releases.TAGS:
        return revision
    if len(revision) == 40 and all(c in "0123456789abcdef" for c in revision):
        for tag in releases.TAGS:
            if commit_sha(tag) == revision:
                return tag
    raise SourceError(_prefix(f"unable to resolve '{revision}' to a commit SHA"))


def render_sources(
    sources: list[dict[str, Any]], *, app_name: str, namespace: str, git: GitSources | None = None
) -> Rendered:
    """Manifests for `spec.sources`, or SourceError naming the source (`source 2 of 2`). The `ref` sources are
    resolved first, so a value file may name a source listed after the chart."""
    count = len(sources)
    refs: dict[str, tuple[dict[str, Any], str]] = {}
    revisions: dict[int, str] = {}
    for index, source in enumerate(sources):
        if source.get("ref"):
            try:
                revisions[index] = _revision_of(source, app_name=app_name, git=git)
            except SourceError as exc:
                raise SourceError(_prefix(_desc(exc), index, count)) from None
            refs[str(source["ref"])] = (source, revisions[index])
    types: list[str] = []
    objects: list[dict[str, Any]] = []
    images: list[str] = []
    ordered: list[str] = []
    for index, source in enumerate(sources):
        if source.get("ref") and not source.get("path") and not source.get("chart"):
            ordered.append(revisions[index])
            types.append("Directory")
            continue
        try:
            rendered = render_source(source, app_name=app_name, namespace=namespace, git=git,
                                     value_file=lambda ref_path: _ref_file(ref_path, refs, git))
        except SourceError as exc:
            raise SourceError(_prefix(_desc(exc), index, count)) from None
        ordered.append(rendered.revision)
        types.append(rendered.source_type)
        objects.extend(rendered.objects)
        images.extend(rendered.images)
    return Rendered(objects, ordered[0] if ordered else "", types[0] if types else "", sorted(set(images)),
                    revisions=ordered, source_types=types)


def _revision_of(source: dict[str, Any], *, app_name: str, git: GitSources | None) -> str:
    url = str(source.get("repoURL") or "")
    if git is not None and is_local_repo(url):
        try:
            return git.resolve(app_name, url, str(source.get("targetRevision") or "HEAD"))
        except GitSourceError as exc:
            raise SourceError(_prefix(str(exc))) from None
    if _norm_url(url) == _norm_url(GIT_REPO):
        return commit_sha(_git_tag(str(source.get("targetRevision") or "HEAD")))
    raise SourceError(_prefix("failed to list refs: authentication required: Repository not found."))


def _ref_file(ref_path: str, refs: dict[str, tuple[dict[str, Any], str]], git: GitSources | None) -> str | None:
    """The text of a `$ref/path` value file, None when the file does not exist; SourceError otherwise."""
    name, _, path = ref_path[1:].partition("/")
    if name not in refs:
        raise SourceError(_prefix(f"source referenced {ref_path!r}, but no source has a 'ref' field of {name!r}"))
    source, revision = refs[name]
    url = str(source.get("repoURL") or "")
    if git is None or not is_local_repo(url):
        raise SourceError(_prefix(f"Error: open <path to cached source>/{path}: no such file or directory"))
    return git.file_text(url, revision, path)


def render_source(source: dict[str, Any], *, app_name: str, namespace: str, git: GitSources | None = None,
                  value_file: Any = None) -> Rendered:
    """Manifests for one `spec.source`, or SourceError. Local repositories (file://) are read with `git`.
    ``value_file("$ref/path")``: the text of a multi-source value file (None: missing)."""
    raw_url = str(source.get("repoURL") or "")
    if git is not None and is_local_repo(raw_url) and not source.get("chart"):
        try:
            sha = git.resolve(app_name, raw_url, str(source.get("targetRevision") or "HEAD"))
            return Rendered(git.manifests(raw_url, sha, source), sha, "Directory")
        except GitSourceError as exc:
            raise SourceError(_prefix(str(exc))) from None
    repo = _norm_url(str(source.get("repoURL") or ""))
    helm = dict(source.get("helm") or {})
    if source.get("chart"):
        if repo != _norm_url(HELM_REPO):
            raise SourceError(
                _prefix(
                    f'failed to fetch chart: failed to get index: Get "{repo}/index.yaml": dial tcp: lookup '
                    f"{repo.split('//')[-1].split('/')[0]}: no such host"
                    if repo.startswith("http")
                    else f'failed to fetch chart: repository "{repo}" not found'
                )
            )
        chart = str(source["chart"])
        version = str(source.get("targetRevision") or "").lstrip("v")
        if chart not in ("ray-cluster", "kuberay-operator") or not releases.is_release(version):
            raise SourceError(
                _prefix(
                    f"failed to fetch chart: failed to get command args to log: `helm pull --destination "
                    f"/tmp/{hashlib.sha1(repo.encode()).hexdigest()[:8]} --version {version} "
                    f'--repo {HELM_REPO} {chart}` failed exit status 1: Error: chart "{chart}" '
                    f'version "{version}" not found in {HELM_REPO} repository'
                )
            )
        rendered = _render_chart(chart, version, helm, app_name=app_name, namespace=namespace, value_file=value_file)
        rendered.revision = version
        return rendered
    if repo != _norm_url(GIT_REPO):
        raise SourceError(_prefix("failed to list refs: authentication required: Repository not found."))
    tag = _git_tag(str(source.get("targetRevision") or "HEAD"))
    path = str(source.get("path") or "").strip().strip("/")
    if path == releases.CRDS_PATH:
        return Rendered(kuberay_crds(tag), commit_sha(tag), "Directory")
    if path in (releases.OPERATOR_PATH, releases.RAY_CLUSTER_PATH):
        chart = path.rsplit("/", 1)[-1]
        rendered = _render_chart(chart, tag.lstrip("v"), helm, app_name=app_name, namespace=namespace,
                                 value_file=value_file)
        rendered.revision = commit_sha(tag)
        return rendered
    raise SourceError(_prefix(f"{path or '.'}: app path does not exist"))


def _helm_values(helm: dict[str, Any], value_file: Any = None) -> dict[str, Any]:
    """valueFiles in order (the chart's values.yaml, `$ref/path` files of a multi-source Application) < values
    (string) < valuesObject < parameters."""
    import yaml

    values: dict[str, Any] = {}
    for entry in helm.get("valueFiles") or []:
        name = str(entry)
        if name in ("values.yaml", "./values.yaml"):
            continue  # the chart's defaults, which the chart model merges anyway
        text = value_file(name) if value_file is not None and name.startswith("$") else None
        if text is None:
            if helm.get("ignoreMissingValueFiles"):
                continue
            shown = name.split("/", 1)[1] if name.startswith("$") else name
            raise SourceError(_prefix(f"Error: open <path to cached source>/{shown}: no such file or directory"))
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SourceError(_prefix(f"failed to unmarshal {name}: {exc}")) from exc
        if isinstance(loaded, dict):
            values = _merge(values, loaded)
    if helm.get("values"):
        try:
            loaded = yaml.safe_load(str(helm["values"]))
        except yaml.YAMLError as exc:
            raise SourceError(_prefix(f"failed to unmarshal helm values: {exc}")) from exc
        if isinstance(loaded, dict):
            values = _merge(values, loaded)
    if isinstance(helm.get("valuesObject"), dict):
        values = _merge(values, copy.deepcopy(helm["valuesObject"]))
    for parameter in helm.get("parameters") or []:
        _set_path(values, str(parameter.get("name", "")), parameter.get("value"))
    return values


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


def _set_path(values: dict[str, Any], dotted: str, value: Any) -> None:
    parts = [p for p in dotted.split(".") if p]
    target = values
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    if parts:
        text = str(value)
        target[parts[-1]] = int(text) if text.isdigit() else {"true": True, "false": False}.get(text, text)


def _render_chart(chart: str, version: str, helm: dict[str, Any], *, app_name: str, namespace: str,
                  value_file: Any = None) -> Rendered:
    release = str(helm.get("releaseName") or app_name)
    target_namespace = str(helm.get("namespace") or namespace)
    values = _helm_values(helm, value_file)
    if chart == "kuberay-operator":
        objects = operator_manifests(version, release=release, namespace=target_namespace)
        if not helm.get("skipCrds"):
            objects = kuberay_crds(f"v{version}") + objects
        return Rendered(objects, version, "Helm", images=[f"quay.io/kuberay/operator:v{version}"])
    raycluster = render_ray_cluster(values, release=release, namespace=target_namespace, version=version)
    images = sorted({str(c.get("image")) for c in _pod_containers(raycluster) if c.get("image")})
    return Rendered([raycluster], version, "Helm", images=images)


def render_ray_cluster(values: dict[str, Any], *, release: str, namespace: str, version: str) -> dict[str, Any]:
    from raywizard import chart

    supported = list(getattr(chart, "SUPPORTED_CHART_VERSIONS", []))
    use = version
    if supported and version not in supported:
        # A released chart the model does not carry: render with the closest older one, keep the label honest.
        older = [v for v in supported if _key(v) <= _key(version)]
        use = max(older, key=_key) if older else min(supported, key=_key)
    try:
        rendered = chart.render_raycluster(values, release_name=release, namespace=namespace, chart_version=use)
    except ValueError as exc:
        raise SourceError(
            _prefix(
                f"`helm template . --name-template {release} --namespace {namespace} --kube-version 1.33.1 "
                f"<api versions removed> --include-crds` failed exit status 1: Error: {exc}"
            )
        ) from exc
    if use != version:
        rendered = _relabel(rendered, f"ray-cluster-{use}", f"ray-cluster-{version}")
    return dict(rendered)


def _relabel(obj: Any, old: str, new: str) -> Any:
    if isinstance(obj, dict):
        return {k: _relabel(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_relabel(v, old, new) for v in obj]
    return new if obj == old else obj


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.lstrip("v").split(".") if p.isdigit())


def _pod_containers(raycluster: dict[str, Any]) -> list[dict[str, Any]]:
    spec = raycluster.get("spec") or {}
    templates = [(spec.get("headGroupSpec") or {}).get("template") or {}]
    templates += [(g or {}).get("template") or {} for g in spec.get("workerGroupSpecs") or []]
    return [c for t in templates for c in ((t.get("spec") or {}).get("containers") or [])]


@functools.lru_cache(maxsize=1)
def _operator_template() -> str:
    return (_DATA / "kuberay-operator-v1.5.1.yaml").read_text(encoding="utf-8")


def operator_manifests(version: str, *, release: str, namespace: str) -> list[dict[str, Any]]:
    """The kuberay-operator chart render (the golden v1.5.1 render, release/namespace/version substituted)."""
    return copy.deepcopy(_operator_manifests(version, release, namespace))


@functools.lru_cache(maxsize=32)
def _operator_manifests(version: str, release: str, namespace: str) -> list[dict[str, Any]]:
    import yaml

    text = (
        _operator_template()
        .replace("app.kubernetes.io/instance: ray-operator", f"app.kubernetes.io/instance: {release}")
        .replace("namespace: ray-cluster", f"namespace: {namespace}")
        .replace("kuberay-operator-1.5.1", f"kuberay-operator-{version}")
        .replace("quay.io/kuberay/operator:v1.5.1", f"quay.io/kuberay/operator:v{version}")
    )
    return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict)]
