"""The RayCluster ``helm template`` renders from the ray-cluster chart (templates/raycluster-cluster.yaml).

Keys come out in the order the template writes them; maps that the template writes with ``toYaml`` come out
sorted (Go's JSON marshalling sorts keys). Per-version differences are switched by ``ChartFeatures``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from raywizard.chart import access
from raywizard.chart.access import block, field, list_block, quoted, scalar
from raywizard.chart.errors import ChartRenderError
from raywizard.chart.groups import (
    WorkerGroup,
    effective_image,
    effective_resources,
    enabled_worker_groups,
)
from raywizard.chart.naming import chart_label, check_release_name, fullname_from_merged
from raywizard.chart.sprig import template_print, truthy
from raywizard.chart.values import ChartFeatures, chart_features, merged_values

# Template literals (Go ints, printed as such) used by ``| default``.
DEFAULT_MIN_REPLICAS = 0
DEFAULT_MAX_REPLICAS = 2147483647
DEFAULT_NUM_OF_HOSTS = 1


class _Renderer:
    def __init__(self, values: dict[str, Any], release_name: str, namespace: str, features: ChartFeatures):
        self.values = values
        self.release_name = release_name
        self.namespace = namespace
        self.features = features

    # -- shared pieces ------------------------------------------------------------------------------------
    def chart_labels(self) -> dict[str, Any]:
        return {
            "helm.sh/chart": scalar(chart_label(self.features.version), "chart label"),
            "app.kubernetes.io/instance": scalar(self.release_name, "release name"),
            "app.kubernetes.io/managed-by": "Helm",
        }

    def set_with(self, out: dict[str, Any], out_key: str, value: Any, render: Any) -> None:
        """``{{- with value }} out_key: ... {{- end }}``: only truthy values are written."""
        if truthy(value):
            out[out_key] = render(value)

    def ray_start_params(self, out: dict[str, Any], group: dict[str, Any], path: str) -> None:
        params_value = field(group, "rayStartParams", path)
        init_args = field(group, "initArgs", path)  # deprecated alias, written after rayStartParams
        if not (truthy(params_value) or truthy(init_args)):
            if self.features.empty_ray_start_params:
                out["rayStartParams"] = {}
            return
        params: dict[str, Any] = {}
        for source, source_path in (
            (params_value, f"{path}.rayStartParams"),
            (init_args, f"{path}.initArgs"),
        ):
            for name, value in access.map_items(source, source_path):
                params[access.key(name, f"{source_path}.{name}")] = quoted(value)
        out["rayStartParams"] = params

    def pod_metadata(self, group: dict[str, Any], path: str) -> dict[str, Any]:
        labels = self.chart_labels()
        user_labels = field(group, "labels", path)
        if truthy(user_labels):
            if not isinstance(user_labels, dict):
                raise ChartRenderError(f"{path}.labels must be a map, got {user_labels!r}")
            labels.update(block(user_labels, f"{path}.labels") or {})
        metadata: dict[str, Any] = {"labels": labels}
        self.set_with(metadata, "annotations", field(group, "annotations", path), lambda v: block(v, path))
        return metadata

    def container(self, group: dict[str, Any], path: str, kind: str) -> dict[str, Any]:
        image = effective_image(self.values, group, path)
        image_path = f"{path}.image" if truthy(field(group, "image", path)) else "image"
        container: dict[str, Any] = {
            "name": "ray-head" if kind == "head" else "ray-worker",
            "image": scalar(
                template_print(image.get("repository")) + ":" + template_print(image.get("tag")), image_path
            ),
            "imagePullPolicy": scalar(image.get("pullPolicy"), f"{image_path}.pullPolicy"),
        }
        for name in ("command", "args"):
            self.set_with(
                container, name, field(group, name, path), lambda v, n=name: list_block(v, f"{path}.{n}")
            )
        common = field(field(self.values, "common", ""), "containerEnv", "common")
        own_env = field(group, "containerEnv", path)
        if kind == "additional" and not truthy(own_env):
            own_env = []  # additional groups use `containerEnv | default list`
        env = access.concat_lists([(common, "common.containerEnv"), (own_env, f"{path}.containerEnv")])
        self.set_with(container, "env", env, lambda v: list_block(v, f"{path}.containerEnv"))
        for name in ("envFrom", "volumeMounts", "ports"):
            self.set_with(
                container, name, field(group, name, path), lambda v, n=name: list_block(v, f"{path}.{n}")
            )
        if kind == "additional":
            # Additional groups write lifecycle before resources, and (1.6+) default resources.
            self.set_with(container, "lifecycle", field(group, "lifecycle", path), lambda v: block(v, path))
            resources = effective_resources(WorkerGroup(kind, group, path, None), self.values, self.features)
            if resources is not None:
                container["resources"] = block(resources, f"{path}.resources")
        else:
            self.set_with(container, "resources", field(group, "resources", path), lambda v: block(v, path))
            self.set_with(container, "lifecycle", field(group, "lifecycle", path), lambda v: block(v, path))
        self.set_with(
            container, "securityContext", field(group, "securityContext", path), lambda v: block(v, path)
        )
        return container

    def pod_spec(self, group: dict[str, Any], path: str, kind: str) -> dict[str, Any]:
        # The head writes imagePullSecrets/volumes/tolerations indented under their key; worker groups write
        # them at the key's own indentation (only a list renders correctly there).
        nested_lists = kind == "head"
        spec: dict[str, Any] = {}
        self.set_with(
            spec,
            "initContainers",
            field(group, "initContainers", path),
            lambda v: list_block(v, f"{path}.initContainers"),
        )
        containers = [self.container(group, path, kind)]
        sidecars = field(group, "sidecarContainers", path)
        if truthy(sidecars):
            containers.extend(list_block(sidecars, f"{path}.sidecarContainers") or [])
        spec["containers"] = containers

        def maybe_list(name: str, value_path: str) -> Any:
            return (lambda v: block(v, value_path)) if nested_lists else (lambda v: list_block(v, value_path))

        pull_secrets = field(self.values, "imagePullSecrets", "")
        self.set_with(
            spec, "imagePullSecrets", pull_secrets, maybe_list("imagePullSecrets", "imagePullSecrets")
        )
        self.set_with(
            spec, "volumes", field(group, "volumes", path), maybe_list("volumes", f"{path}.volumes")
        )
        for name in ("dnsConfig", "nodeSelector", "affinity"):
            self.set_with(spec, name, field(group, name, path), lambda v, n=name: block(v, f"{path}.{n}"))
        self.set_with(
            spec,
            "tolerations",
            field(group, "tolerations", path),
            maybe_list("tolerations", f"{path}.tolerations"),
        )
        for name in ("priorityClassName", "priority"):
            self.set_with(spec, name, field(group, name, path), lambda v, n=name: scalar(v, f"{path}.{n}"))
        self.set_with(
            spec,
            "topologySpreadConstraints",
            field(group, "topologySpreadConstraints", path),
            lambda v: list_block(v, f"{path}.topologySpreadConstraints"),
        )
        self.set_with(
            spec,
            "restartPolicy",
            field(group, "restartPolicy", path),
            lambda v: scalar(v, f"{path}.restartPolicy"),
        )
        if self.features.runtime_class_and_claims:
            self.set_with(
                spec,
                "runtimeClassName",
                field(group, "runtimeClassName", path),
                lambda v: scalar(v, f"{path}.runtimeClassName"),
            )
        self.set_with(
            spec,
            "serviceAccountName",
            field(group, "serviceAccountName", path),
            lambda v: scalar(v, f"{path}.serviceAccountName"),
        )
        self.set_with(
            spec,
            "securityContext",
            field(group, "podSecurityContext", path),
            lambda v: block(v, f"{path}.podSecurityContext"),
        )
        if self.features.runtime_class_and_claims:
            self.set_with(
                spec,
                "resourceClaims",
                field(group, "resourceClaims", path),
                lambda v: block(v, f"{path}.resourceClaims"),
            )
        return spec

    def pod_template(self, group: dict[str, Any], path: str, kind: str) -> dict[str, Any]:
        return {"metadata": self.pod_metadata(group, path), "spec": self.pod_spec(group, path, kind)}

    # -- the object -----------------------------------------------------------------------------------------
    def head_group_spec(self) -> dict[str, Any]:
        head = field(self.values, "head", "")
        out: dict[str, Any] = {}
        self.set_with(
            out, "headService", field(head, "headService", "head"), lambda v: block(v, "head.headService")
        )
        service_type = field(field(self.values, "service", ""), "type", "service")
        self.set_with(out, "serviceType", service_type, lambda v: scalar(v, "service.type"))
        self.ray_start_params(out, head, "head")
        out["template"] = self.pod_template(head, "head", "head")
        return out

    def worker_group_spec(self, group: WorkerGroup) -> dict[str, Any]:
        values, path = group.values, group.path
        name_path = f"{path}.groupName" if group.kind == "worker" else path

        def with_default(name: str, fallback: int) -> Any:
            value = field(values, name, path)
            return scalar(value, f"{path}.{name}") if truthy(value) else fallback

        out: dict[str, Any] = {
            "groupName": scalar(group.name_source, name_path),
            "replicas": scalar(field(values, "replicas", path), f"{path}.replicas"),
            "minReplicas": with_default("minReplicas", DEFAULT_MIN_REPLICAS),
            "maxReplicas": with_default("maxReplicas", DEFAULT_MAX_REPLICAS),
            "numOfHosts": with_default("numOfHosts", DEFAULT_NUM_OF_HOSTS),
        }
        self.ray_start_params(out, values, path)
        out["template"] = self.pod_template(values, path, group.kind)
        return out

    def gcs_fault_tolerance(self) -> dict[str, Any] | None:
        options = field(self.values, "gcsFaultTolerance", "")
        if not truthy(field(options, "enabled", "gcsFaultTolerance")):
            return None
        out: dict[str, Any] = {"redisAddress": quoted(field(options, "redisAddress", "gcsFaultTolerance"))}
        self.set_with(out, "externalStorageNamespace", options.get("externalStorageNamespace"), quoted)
        for name in ("redisPassword", "redisUsername"):
            self.set_with(out, name, options.get(name), lambda v, n=name: block(v, f"gcsFaultTolerance.{n}"))
        return out

    def raycluster(self) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "name": scalar(fullname_from_merged(self.values, self.release_name), "metadata.name"),
            "namespace": scalar(self.namespace, "namespace"),
            "labels": self.chart_labels(),
        }
        self.set_with(
            metadata, "annotations", self.values.get("annotations"), lambda v: block(v, "annotations")
        )
        head = field(self.values, "head", "")
        spec: dict[str, Any] = {}
        self.set_with(
            spec, "rayVersion", field(head, "rayVersion", "head"), lambda v: scalar(v, "head.rayVersion")
        )
        self.set_with(
            spec,
            "enableInTreeAutoscaling",
            field(head, "enableInTreeAutoscaling", "head"),
            lambda v: scalar(v, "head.enableInTreeAutoscaling"),
        )
        self.set_with(
            spec,
            "autoscalerOptions",
            field(head, "autoscalerOptions", "head"),
            lambda v: block(v, "head.autoscalerOptions"),
        )
        if self.features.gcs_fault_tolerance:
            options = self.gcs_fault_tolerance()
            if options is not None:
                spec["gcsFaultToleranceOptions"] = options
        spec["headGroupSpec"] = self.head_group_spec()
        groups = [self.worker_group_spec(group) for group in enabled_worker_groups(self.values)]
        # `workerGroupSpecs:` with no items below it reads as null.
        spec["workerGroupSpecs"] = groups or None
        return {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": metadata, "spec": spec}


def render_raycluster(
    values: Mapping[str, Any] | None, *, release_name: str, namespace: str, chart_version: str
) -> dict[str, Any]:
    """The RayCluster dict ``helm template <release_name> ray-cluster --version <chart_version>
    --namespace <namespace> -f values`` renders, as Kubernetes reads it (``yamlscalar`` has the YAML rules).

    Raises UnknownChartVersion, or ChartRenderError for values with which Helm fails (or that would render
    YAML this model does not reproduce), naming the values path.
    """
    features = chart_features(chart_version)
    check_release_name(release_name)
    merged = merged_values(values, chart_version)
    return _Renderer(merged, release_name, namespace, features).raycluster()
