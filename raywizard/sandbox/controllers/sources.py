"""What the simulated repo-server "renders" for an Application source.

Known sources (docs/domain/kuberay.md, docs/domain/ray-cluster-chart.md#other-versions): the kuberay git repo at tags
v1.4.0…v1.7.0 (and HEAD/master = newest) with paths `helm-chart/kuberay-operator/crds` (plain YAML),
`helm-chart/kuberay-operator` and `helm-chart/ray-cluster` (Helm), and the Helm repo
https://ray-project.github.io/kuberay-helm/ with charts `kuberay-operator` and `ray-cluster`. Anything else fails with
the message shapes of Argo CD's repo-server, which the controller reports as a ComparisonError condition.
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


def _prefix(message: str) -> str:
    return (
        "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: "
        f"code = Unknown desc = {message}"
    )


def _norm_url(url: str) -> str:
    url = url.strip().rstrip("/")
    return url[:-4] if url.endswith(".git") else url


def commit_sha(tag: str) -> str:
    """A stable stand-in for the commit a tag points to (the sandbox has no git)."""
    return hashlib.sha1(f"ray-project/kuberay@{tag}".encode()).hexdigest()


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


def render_source(source: dict[str, Any], *, app_name: str, namespace: str, git: GitSources | None = None) -> Rendered:
    """Manifests for one `spec.source`, or SourceError. Local repositories (file://) are read with `git`."""
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
        rendered = _render_chart(chart, version, helm, app_name=app_name, namespace=namespace)
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
        rendered = _render_chart(chart, tag.lstrip("v"), helm, app_name=app_name, namespace=namespace)
        rendered.revision = commit_sha(tag)
        return rendered
    raise SourceError(_prefix(f"{path or '.'}: app path does not exist"))


def _helm_values(helm: dict[str, Any]) -> dict[str, Any]:
    """valueFiles (only the chart's values.yaml exists) < values (string) < valuesObject < parameters."""
    import yaml

    for value_file in helm.get("valueFiles") or []:
        if str(value_file) not in ("values.yaml", "./values.yaml"):
            raise SourceError(_prefix(f"Error: open <path to cached source>/{value_file}: no such file or directory"))
    values: dict[str, Any] = {}
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


def _render_chart(chart: str, version: str, helm: dict[str, Any], *, app_name: str, namespace: str) -> Rendered:
    release = str(helm.get("releaseName") or app_name)
    target_namespace = str(helm.get("namespace") or namespace)
    values = _helm_values(helm)
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
