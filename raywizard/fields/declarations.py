"""The declarations of every user-facing setting (see ``fieldkit.py`` for what a declaration holds).

Order matters: it is the order of the wizard's forms and of the questionary questions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from raywizard.fields.kit import (
    Field,
    Kind,
    Step,
    _attr,
    _autoscaler,
    _chart_default,
    _fixed,
    _group_attr,
    _group_image,
    _group_value,
    _head_image,
    _image_part,
    _resource,
    _set_image,
    _start_param,
    _tags,
    _versions,
)
from raywizard.model import checks
from raywizard.model.spec import GPU_RESOURCE, ClusterSpec, Image, Versions, WorkerGroup

Accessors = tuple[Callable[[Any], Any], Callable[[Any, Any], None]]


def _on_head(accessors: Accessors) -> Accessors:
    """Head accessors take the ClusterSpec (head fields are spec fields) and act on ``spec.head``."""
    getter, setter = accessors
    return (lambda spec: getter(spec.head)), (lambda spec, value: setter(spec.head, value))


def _versions_image(spec: ClusterSpec) -> Versions:
    return spec.versions


def _set_versions_image(versions: Versions, image: Image | None) -> None:
    versions.image = image


def _image_field(part: str, key: str, label: str, help_text: str,
                 check: Callable[[Any], str | None] | None = None) -> Field:
    getter, setter = _image_part(lambda s: s.versions.image, lambda s, i: _set_versions_image(s.versions, i), part)
    # Each part is optional on its own: Helm merges the top-level image with the chart's key by key, so a blank
    # part gets the chart's default (docs/domain/ray-cluster-chart.md#defaults).
    return Field(key, label, help_text, Step.VERSIONS, Kind.TEXT if part != "pull_policy" else Kind.CHOICE,
                 getter, setter, optional=True,
                 choices=_fixed("IfNotPresent", "Always", "Never") if part == "pull_policy" else None,
                 check=check, placeholder=_chart_default("image", {"repository": "repository", "tag": "tag",
                                                                   "pull_policy": "pullPolicy"}[part]))


def _cluster_image_placeholder(spec: ClusterSpec, group: WorkerGroup | None) -> str:
    from raywizard.validation.effective import cluster_image

    return f"{cluster_image(spec)} (the cluster's)"


def _resource_fields(prefix: str, step: Step, owner_label: str) -> list[Field]:
    chart_keys = ("head",) if prefix == "head" else ("worker",)
    specs = [
        ("cpuRequest", "requests", "cpu", "CPU request", checks.check_cpu, False),
        ("cpuLimit", "limits", "cpu", "CPU limit", checks.check_cpu, False),
        ("memoryRequest", "requests", "memory", "Memory request", checks.check_memory, False),
        ("memoryLimit", "limits", "memory", "Memory limit", checks.check_memory, False),
        ("gpu", "limits", GPU_RESOURCE, "GPUs", checks.check_gpu, True),
    ]
    fields = []
    for name, section, resource, label, check, both in specs:
        getter, setter = _resource(section, resource, both=both)
        if prefix == "head":
            getter, setter = _on_head((getter, setter))
        help_text = (
            f"Kubernetes {section[:-1]} for {resource} of each {owner_label} pod's Ray container. Ray "
            f"advertises the pod's CPU/GPU limits (or requests) as the node's logical resources. Blank: the "
            f"chart's default for this chart version (shown as placeholder), merged key by key with what you set."
        )
        if both:
            help_text = (f"NVIDIA GPUs ({GPU_RESOURCE}) for each {owner_label} pod, set as request and limit "
                         f"(Kubernetes requires them equal). Ray schedules GPU tasks only on nodes with GPUs.")
        kind = Kind.INT if both else Kind.QUANTITY  # GPUs are counted: written as `nvidia.com/gpu: 1`
        fields.append(Field(f"{prefix}.{name}", label, help_text, step, kind, getter, setter,
                            optional=True, check=check,
                            placeholder=_chart_default(*chart_keys, "resources", section, resource)))
    return fields


def build_fields() -> tuple[Field, ...]:
    g = "workerGroups[]"
    fields: list[Field] = [
        # ---------------------------------------------------------------------------------------- versions
        Field("versions.kuberay", "KubeRay version", "Git tag of ray-project/kuberay used by the CRDs and the "
              "operator Applications (targetRevision). Keep it on the same release as the chart.",
              Step.VERSIONS, Kind.CHOICE, *_attr("versions.kuberay"), choices=_tags),
        Field("versions.chart", "ray-cluster chart version", "Version of the ray-cluster Helm chart from "
              "https://ray-project.github.io/kuberay-helm/ that renders the RayCluster (targetRevision of the "
              "RayCluster Application). Chart defaults differ between versions.",
              Step.VERSIONS, Kind.CHOICE, *_attr("versions.chart"), choices=_versions),
        _image_field("repository", "image.repository", "Ray image repository",
                     "Container image for every Ray pod unless a group overrides it (values image.repository).",
                     None),
        _image_field("tag", "image.tag", "Ray image tag", "Ray version of the cluster (values image.tag). Pin "
                     "a release such as 2.46.0: 'latest' changes under a running cluster and mixes Ray versions.",
                     checks.check_image_tag),
        _image_field("pull_policy", "image.pullPolicy", "Image pull policy",
                     "imagePullPolicy of every Ray container.", None),
        # ------------------------------------------------------------------------------------------ target
        Field("target.argocdNamespace", "Argo CD namespace", "Namespace where Argo CD runs and watches "
              "Application objects (metadata.namespace of the three Applications).", Step.TARGET, Kind.TEXT,
              *_attr("target.argocd_namespace"), check=lambda v: checks.check_dns1123_label(v, what="namespace")),
        Field("target.project", "Argo CD project", "AppProject the Applications belong to (spec.project); "
              "it must allow the KubeRay repositories and the destination.", Step.TARGET, Kind.TEXT,
              *_attr("target.project"), check=lambda v: checks.check_dns1123_subdomain(v, what="project")),
        Field("target.server", "Destination server", "API server URL of the cluster Argo CD deploys to "
              "(spec.destination.server); https://kubernetes.default.svc is the cluster Argo CD runs in.",
              Step.TARGET, Kind.TEXT, *_attr("target.server"), check=checks.check_url),
        Field("target.namespace", "Ray namespace", "Namespace of the operator and the RayCluster "
              "(spec.destination.namespace of all three Applications).", Step.TARGET, Kind.TEXT,
              *_attr("target.namespace"), check=lambda v: checks.check_dns1123_label(v, what="namespace")),
        Field("target.releaseName", "Helm release name", "helm.releaseName of the RayCluster Application. The "
              "RayCluster is named from it (release 'raycluster' → 'raycluster-kuberay'); blank: the "
              "Application name.", Step.TARGET, Kind.TEXT, *_attr("target.release_name"), optional=True,
              check=lambda v: checks.check_dns1123_label(v, what="release name")),
        Field("target.clusterApp", "RayCluster Application name", "metadata.name of the Application that "
              "renders the RayCluster.", Step.TARGET, Kind.TEXT, *_attr("target.cluster_app"),
              check=lambda v: checks.check_dns1123_subdomain(v, what="Application name")),
        Field("target.operatorApp", "Operator Application name", "metadata.name of the KubeRay operator "
              "Application.", Step.TARGET, Kind.TEXT, *_attr("target.operator_app"),
              check=lambda v: checks.check_dns1123_subdomain(v, what="Application name")),
        Field("target.crdsApp", "CRDs Application name", "metadata.name of the KubeRay CRDs Application.",
              Step.TARGET, Kind.TEXT, *_attr("target.crds_app"),
              check=lambda v: checks.check_dns1123_subdomain(v, what="Application name")),
        # -------------------------------------------------------------------------------------------- head
        Field("head.numCpus", "Head num-cpus", "rayStartParams num-cpus of the head: the CPUs Ray may schedule "
              "tasks on there. 0 keeps work off the head, as recommended with autoscaling.", Step.HEAD,
              Kind.TEXT, *_on_head(_start_param("num-cpus")), optional=True,
              check=lambda v: None if str(v).replace(".", "", 1).isdigit() else
              f"num-cpus {v!r} must be a number such as 0 or 4."),
        Field("head.autoscaling", "In-tree autoscaling", "enableInTreeAutoscaling: KubeRay adds the Ray "
              "autoscaler as a sidecar of the head; it changes workerGroupSpecs[].replicas within min/max, "
              "which Argo CD must then ignore.", Step.HEAD, Kind.BOOL,
              lambda s: s.head.enable_in_tree_autoscaling,
              lambda s, v: setattr(s.head, "enable_in_tree_autoscaling", v), optional=True),
        Field("head.autoscaler.version", "Autoscaler version", "autoscalerOptions.version: v2 is the newer "
              "autoscaler (Ray ≥ 2.10).", Step.HEAD, Kind.CHOICE, *_autoscaler("version"), optional=True,
              choices=_fixed("v1", "v2")),
        Field("head.autoscaler.upscalingMode", "Upscaling mode", "autoscalerOptions.upscalingMode: Default, "
              "Aggressive (no rate limit) or Conservative (bounded by pending tasks).", Step.HEAD, Kind.CHOICE,
              *_autoscaler("upscaling_mode"), optional=True,
              choices=_fixed("Default", "Aggressive", "Conservative")),
        Field("head.autoscaler.idleTimeoutSeconds", "Idle timeout (s)", "autoscalerOptions.idleTimeoutSeconds: "
              "how long a worker may stay idle before the autoscaler removes it.", Step.HEAD, Kind.INT,
              *_autoscaler("idle_timeout_seconds"), optional=True, check=checks.check_non_negative),
        *_resource_fields("head", Step.HEAD, "head"),
        Field("head.image", "Head image override", "Image for the head only (REPOSITORY:TAG); blank: the "
              "cluster image.", Step.HEAD, Kind.TEXT, *_head_image(), optional=True,
              check=checks.check_image_reference),
        # ----------------------------------------------------------------------------------- worker groups
        Field(f"{g}.name", "Group name", "groupName: names the worker pods and the ray.io/group label. Group "
              "0 is the chart's `worker`; the others are rendered sorted by name.", Step.WORKERS, Kind.TEXT,
              *_group_attr("name"), check=checks.check_group_name),
        Field(f"{g}.disabled", "Disabled", "A disabled group is kept in the values but not rendered.",
              Step.WORKERS, Kind.BOOL, lambda w: bool(w.disabled), lambda w, v: setattr(w, "disabled", v)),
        Field(f"{g}.replicas", "Replicas", "Initial number of workers. With autoscaling the autoscaler owns "
              "this value afterwards (Argo CD must ignore it).", Step.WORKERS, Kind.INT, *_group_attr("replicas"),
              optional=True, check=checks.check_non_negative),
        Field(f"{g}.minReplicas", "Min replicas", "Fewest workers the autoscaler keeps.", Step.WORKERS, Kind.INT,
              *_group_attr("min_replicas"), optional=True, check=checks.check_non_negative),
        Field(f"{g}.maxReplicas", "Max replicas", "Most workers the autoscaler may create. Note: the chart "
              "renders 0 as 2147483647 (sprig `default`).", Step.WORKERS, Kind.INT, *_group_attr("max_replicas"),
              optional=True, check=checks.check_non_negative),
        *_resource_fields(g, Step.WORKERS, "worker"),
        Field(f"{g}.customResources", "Custom Ray resources", "Logical resources this group advertises "
              "(rayStartParams resources), e.g. standard-worker=1; tasks request them with "
              "@ray.remote(resources=...).", Step.WORKERS, Kind.RESOURCE_MAP, *_group_attr("custom_resources")),
        Field(f"{g}.image", "Image override", "Image for this group only (REPOSITORY:TAG); blank: the cluster "
              "image. A GPU group needs a CUDA image: rayproject/ray tags without a platform suffix are CPU "
              "images, add -gpu (e.g. rayproject/ray:2.46.0-gpu).", Step.WORKERS, Kind.TEXT, *_group_image(),
              optional=True, check=checks.check_image_reference, placeholder=_cluster_image_placeholder),
        Field(f"{g}.nodeSelector", "Node selector", "nodeSelector of this group's pods: node labels they must "
              "run on, LABEL=VALUE comma separated (e.g. pool=gpu); blank: any node. A {...} YAML map is taken "
              "as is.", Step.WORKERS, Kind.NODE_SELECTOR, *_group_value("nodeSelector"), optional=True),
        Field(f"{g}.tolerations", "Tolerations", "tolerations of this group's pods, so they may run on tainted "
              "nodes (a GPU pool usually is): KEY=VALUE:EFFECT, KEY:EFFECT or KEY, comma separated (e.g. "
              "nvidia.com/gpu=present:NoSchedule). A [...] YAML list is taken as is.", Step.WORKERS,
              Kind.TOLERATIONS, *_group_value("tolerations"), optional=True),
        # -------------------------------------------------------------------------------------------- sync
        Field("sync.automated", "Automated sync", "syncPolicy.automated: Argo CD applies changes from the "
              "Applications without a manual sync.", Step.SYNC, Kind.BOOL, *_attr("sync.automated")),
        Field("sync.prune", "Prune", "automated.prune: delete resources that are no longer rendered.",
              Step.SYNC, Kind.BOOL, *_attr("sync.prune")),
        Field("sync.selfHeal", "Self heal", "automated.selfHeal: revert changes made in the cluster. Reverts "
              "the autoscaler too unless replicas are ignored.", Step.SYNC, Kind.BOOL, *_attr("sync.self_heal")),
        Field("sync.createNamespace", "Create namespace", "syncOptions CreateNamespace=true: Argo CD creates "
              "the Ray namespace if missing.", Step.SYNC, Kind.BOOL, *_attr("sync.create_namespace")),
        Field("sync.crdMode", "CRD sync option", "The KubeRay CRDs exceed the 262144-byte annotation limit of "
              "client-side apply: Replace=true (the guide) or ServerSideApply=true.", Step.SYNC, Kind.CHOICE,
              *_attr("sync.crd_mode"), choices=_fixed("Replace=true", "ServerSideApply=true")),
        Field("sync.options", "Extra sync options", "More syncOptions for all three Applications, comma "
              "separated (e.g. ServerSideApply=true, PruneLast=true).", Step.SYNC, Kind.LIST,
              *_attr("sync.options")),
        Field("ignoreDifferences.mode", "Ignore replicas as", "How Argo CD ignores the autoscaler's replicas: "
              "jq (.spec.workerGroupSpecs[].replicas, order independent), pointers (one JSON pointer per rendered "
              "group) or none.", Step.SYNC, Kind.CHOICE, *_attr("ignore_mode"),
              choices=_fixed("jq", "pointers", "none")),
        # ------------------------------------------------------------------------------------------ output
        Field("output.layout", "Output layout", "single: one YAML file with three documents; split: one file "
              "per Application.", Step.OUTPUT, Kind.CHOICE, *_attr("layout"), choices=_fixed("single", "split")),
    ]
    return tuple(fields)


FIELDS: tuple[Field, ...] = build_fields()
BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
SPEC_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if not f.per_group)
GROUP_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.per_group)


def fields_for(step: Step) -> list[Field]:
    return [f for f in FIELDS if f.step is step]


def owner_of(spec: ClusterSpec, field: Field, group: WorkerGroup | None = None) -> object:
    return group if field.per_group else spec


__all__ = [
    "BY_KEY",
    "FIELDS",
    "GROUP_FIELDS",
    "SPEC_FIELDS",
    "Field",
    "Kind",
    "Step",
    "_set_image",
    "_versions_image",
    "fields_for",
    "owner_of",
]
