"""ClusterSpec: what the user wants, the single source of truth every surface edits.

A spec describes the three Argo CD Applications of the guide (KubeRay CRDs, KubeRay operator, a RayCluster from the
``ray-cluster`` Helm chart) at the level a user thinks about them. ``None`` on an optional field means "not set":
the chart's default applies and nothing is written for it, so a spec loaded from the guide renders back exactly the
guide's values. Keys we do not model are kept in ``extra`` maps and written back untouched.

Pure data: no I/O, no UI, no kubernetes imports.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Quantity = str | int | float
"""A Kubernetes quantity as written in YAML: ``"1"``, ``1``, ``"512Mi"``, ``0.5``."""

GPU_RESOURCE = "nvidia.com/gpu"


class IgnoreMode(StrEnum):
    """How the RayCluster Application tells Argo CD to ignore the autoscaler's replicas."""

    JQ = "jq"  # jqPathExpressions: .spec.workerGroupSpecs[].replicas (the guide's choice, order independent)
    POINTERS = "pointers"  # jsonPointers: /spec/workerGroupSpecs/<i>/replicas per rendered group
    NONE = "none"  # no rule: only sensible without in-tree autoscaling


class Layout(StrEnum):
    SINGLE = "single"  # one file, documents separated by ---
    SPLIT = "split"  # one file per Application


class CrdSyncMode(StrEnum):
    """How Argo CD writes the KubeRay CRDs, which are too big for client-side apply's annotation."""

    REPLACE = "Replace=true"
    SERVER_SIDE_APPLY = "ServerSideApply=true"


@dataclass
class Image:
    """An ``image`` map of the values. Each part is optional: a part left unset is not written, and the chart's
    default for it applies (Helm merges the top-level ``image`` with the chart's key by key; a group's own image
    is used as a whole, so there a missing part renders empty)."""

    repository: str | None = None
    tag: str | None = None
    pull_policy: str | None = None

    def is_empty(self) -> bool:
        return self.repository is None and self.tag is None and self.pull_policy is None

    @property
    def reference(self) -> str:
        """``REPOSITORY:TAG`` as the chart writes it (an unset part as empty)."""
        return f"{self.repository or ''}:{self.tag or ''}"


@dataclass
class Resources:
    """Container resources as the chart's values hold them: ``requests`` and ``limits`` maps, keys in file order."""

    requests: dict[str, Quantity] = field(default_factory=dict)
    limits: dict[str, Quantity] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not self.requests and not self.limits and not self.extra


@dataclass
class AutoscalerOptions:
    version: str | None = None  # v1 | v2
    upscaling_mode: str | None = None  # Default | Aggressive | Conservative
    idle_timeout_seconds: int | None = None
    env: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class HeadSpec:
    ray_start_params: dict[str, str] = field(default_factory=dict)  # includes num-cpus
    enable_in_tree_autoscaling: bool | None = None
    autoscaler_options: AutoscalerOptions | None = None
    resources: Resources | None = None  # None: the chart's head defaults
    image: Image | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def autoscaling(self) -> bool:
        return bool(self.enable_in_tree_autoscaling)

    @property
    def num_cpus(self) -> str | None:
        return self.ray_start_params.get("num-cpus")


@dataclass
class WorkerGroup:
    """One worker group. Group 0 of ``ClusterSpec.worker_groups`` is the chart's ``worker``; the rest are
    ``additionalWorkerGroups`` entries, keyed (and, by the chart, rendered in sorted order) by name."""

    name: str
    disabled: bool | None = None
    replicas: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    custom_resources: dict[str, float] = field(default_factory=dict)  # rayStartParams.resources
    ray_start_params: dict[str, str] = field(default_factory=dict)  # all other rayStartParams
    resources: Resources | None = None
    image: Image | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return not self.disabled

    def copy(self, name: str | None = None) -> WorkerGroup:
        duplicate = copy.deepcopy(self)
        if name is not None:
            duplicate.name = name
            if set(duplicate.custom_resources) == {self.name}:
                # The guide's convention: a group advertises one custom resource named after itself.
                duplicate.custom_resources = {name: self.custom_resources[self.name]}
        return duplicate


@dataclass
class Versions:
    kuberay: str = "v1.5.1"  # git tag of ray-project/kuberay for the CRDs and operator Applications
    chart: str = "1.5.1"  # ray-cluster Helm chart version (targetRevision)
    image: Image | None = field(default_factory=lambda: Image("rayproject/ray", "2.46.0", "IfNotPresent"))


@dataclass
class Target:
    argocd_namespace: str = "argocd"
    project: str = "default"
    server: str = "https://kubernetes.default.svc"
    namespace: str = "ray-cluster"  # destination namespace of all three Applications
    release_name: str | None = "raycluster"  # helm.releaseName; None: Argo CD uses the Application name
    crds_app: str = "ray-operator-crds"
    operator_app: str = "ray-operator"
    cluster_app: str = "raycluster"

    @property
    def effective_release_name(self) -> str:
        return self.release_name or self.cluster_app


@dataclass
class SyncPolicy:
    automated: bool = True
    prune: bool = True
    self_heal: bool = True
    create_namespace: bool = True
    crd_mode: CrdSyncMode = CrdSyncMode.REPLACE
    options: list[str] = field(default_factory=list)  # further syncOptions for all three Applications


@dataclass
class ValuesLayers:
    """The RayCluster Application's Helm values besides its inline values, in Argo CD's order: the value files
    (below the inline values) and ``helm.parameters`` (above them)."""

    below: dict[str, Any] = field(default_factory=dict)  # the value files that were read, merged in order
    parameters: list[dict[str, Any]] = field(default_factory=list)  # helm.parameters as written
    unread: list[str] = field(default_factory=list)  # value files that could not be read, with the reason


@dataclass
class ClusterSpec:
    versions: Versions = field(default_factory=Versions)
    target: Target = field(default_factory=Target)
    head: HeadSpec = field(default_factory=HeadSpec)
    # Never empty: group 0 is the chart's `worker` (disable it rather than remove it).
    worker_groups: list[WorkerGroup] = field(default_factory=lambda: [WorkerGroup(name="workergroup")])
    sync: SyncPolicy = field(default_factory=SyncPolicy)
    ignore_mode: IgnoreMode = IgnoreMode.JQ
    # More paths ignored on the RayCluster besides replicas (jq expressions or JSON pointers, by ignore_mode),
    # and other ignoreDifferences entries of the RayCluster Application, kept as written.
    ignore_extra_paths: list[str] = field(default_factory=list)
    ignore_extra_rules: list[dict[str, Any]] = field(default_factory=list)
    layout: Layout = Layout.SINGLE
    values_extra: dict[str, Any] = field(default_factory=dict)  # top-level chart values we do not model
    # The chart values as the user's document holds them (plain data, types as written), and the values the
    # fields above gave right after reading it. Writing applies only the fields' changes since then to the
    # document (``render.values_delta``), so what the user wrote and did not edit is written back as it was.
    values_document: dict[str, Any] | None = None
    values_baseline: dict[str, Any] | None = None
    values_layers: ValuesLayers | None = None
    # The user's Applications by role (plain data) and what the fields rendered for them right after reading:
    # rendering applies only the fields' changes to these documents (every key we have no field for is kept).
    app_documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    app_baselines: dict[str, dict[str, Any]] = field(default_factory=dict)
    # An ApplicationSet whose template is the RayCluster Application (``app_documents["cluster"]`` is that
    # template): rendering writes the edited template back into it (``render.applicationsets``).
    app_set: dict[str, Any] | None = None

    def clone(self) -> ClusterSpec:
        return copy.deepcopy(self)

    def operator_version_given(self) -> bool:
        """Whether ``versions.kuberay`` is the user's: their documents hold the operator or CRDs Application, or
        there are no documents and raywizard writes all three. A values file, or a file with only the RayCluster
        Application, names no operator: the version is then only raywizard's default."""
        if not self.app_documents and self.values_document is None:
            return True
        return "crds" in self.app_documents or "operator" in self.app_documents

    def group(self, name: str) -> WorkerGroup | None:
        return next((g for g in self.worker_groups if g.name == name), None)

    def group_index(self, name: str) -> int | None:
        return next((i for i, g in enumerate(self.worker_groups) if g.name == name), None)

    def rendered_groups(self) -> list[WorkerGroup]:
        """Enabled groups in the order the chart renders them: ``worker`` first, the others sorted by name
        (Go templates range over maps in byte order, whatever the order in the file)."""
        if not self.worker_groups:
            return []
        primary, *additional = self.worker_groups
        ordered = ([primary] if primary.enabled else []) + sorted(
            (g for g in additional if g.enabled), key=lambda g: g.name.encode()
        )
        return ordered

    def unique_group_name(self, base: str) -> str:
        taken = {g.name for g in self.worker_groups}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"
