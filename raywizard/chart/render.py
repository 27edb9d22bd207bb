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

# How the template writes a value after its key: SCALAR ``key: {{ . }}``; BLOCK ``toYaml`` indented under the
# key (any value); LIST ``toYaml`` at the key's own indentation (only a list renders correctly); HEAD_BLOCK is
# BLOCK in the head group and LIST in worker groups (the template indents them differently).
SCALAR, BLOCK, LIST, HEAD_BLOCK = "scalar", "block", "list", "head-block"

# Pod spec keys in template order: (key written, values key, style, only from chart 1.6.0).
_POD_SPEC: tuple[tuple[str, str, str, bool], ...] = (
    ("initContainers", "initContainers", LIST, False),
    ("containers", "", "", False),
    ("imagePullSecrets", "imagePullSecrets", HEAD_BLOCK, False),
    ("volumes", "volumes", HEAD_BLOCK, False),
    ("dnsConfig", "dnsConfig", BLOCK, False),
    ("nodeSelector", "nodeSelector", BLOCK, False),
    ("affinity", "affinity", BLOCK, False),
    ("tolerations", "tolerations", HEAD_BLOCK, False),
    ("priorityClassName", "priorityClassName", SCALAR, False),
    ("priority", "priority", SCALAR, False),
    ("topologySpreadConstraints", "topologySpreadConstraints", LIST, False),
    ("restartPolicy", "restartPolicy", SCALAR, False),
    ("runtimeClassName", "runtimeClassName", SCALAR, True),
    ("serviceAccountName", "serviceAccountName", SCALAR, False),
    ("securityContext", "podSecurityContext", BLOCK, False),
    ("resourceClaims", "resourceClaims", BLOCK, True),
)

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
        self.write(metadata, "annotations", field(group, "annotations", path), BLOCK, f"{path}.annotations")
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
            self.write(container, name, field(group, name, path), LIST, f"{path}.{name}", kind)
        common = field(field(self.values, "common", ""), "containerEnv", "common")
        own_env = field(group, "containerEnv", path)
        if kind == "additional" and not truthy(own_env):
            own_env = []  # additional groups use `containerEnv | default list`
        env = access.concat_lists([(common, "common.containerEnv"), (own_env, f"{path}.containerEnv")])
        self.write(container, "env", env, LIST, f"{path}.containerEnv", kind)
        for name in ("envFrom", "volumeMounts", "ports"):
            self.write(container, name, field(group, name, path), LIST, f"{path}.{name}", kind)
        lifecycle = field(group, "lifecycle", path)
        if kind == "additional":
            # Additional groups write lifecycle before resources, and (1.6+) default resources.
            self.write(container, "lifecycle", lifecycle, BLOCK, f"{path}.lifecycle", kind)
            resources = effective_resources(WorkerGroup(kind, group, path, None), self.values, self.features)
            self.write(container, "resources", resources, BLOCK, f"{path}.resources", kind)
        else:
            self.write(
                container, "resources", field(group, "resources", path), BLOCK, f"{path}.resources", kind
            )
            self.write(container, "lifecycle", lifecycle, BLOCK, f"{path}.lifecycle", kind)
        security = field(group, "securityContext", path)
        self.write(container, "securityContext", security, BLOCK, f"{path}.securityContext", kind)
        return container

    def write(
        self, out: dict[str, Any], out_key: str, value: Any, style: str, path: str, kind: str = "head"
    ) -> None:
        """``{{- with value }} out_key: ... {{- end }}`` in one of the template's styles (see _POD_SPEC)."""
        if not truthy(value):
            return
        if style == HEAD_BLOCK:
            style = BLOCK if kind == "head" else LIST
        if style == SCALAR:
            out[out_key] = scalar(value, path)
        elif style == LIST:
            out[out_key] = list_block(value, path)
        else:
            out[out_key] = block(value, path)

    def pod_spec(self, group: dict[str, Any], path: str, kind: str) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        for out_key, value_key, style, since_16 in _POD_SPEC:
            if since_16 and not self.features.runtime_class_and_claims:
                continue
            if out_key == "containers":
                containers = [self.container(group, path, kind)]
                sidecars = field(group, "sidecarContainers", path)
                if truthy(sidecars):  # appended to the same list
                    containers.extend(list_block(sidecars, f"{path}.sidecarContainers") or [])
                spec["containers"] = containers
            elif value_key == "imagePullSecrets":  # shared by all groups
                self.write(spec, out_key, self.values.get(value_key), style, value_key, kind)
            else:
                self.write(spec, out_key, field(group, value_key, path), style, f"{path}.{value_key}", kind)
        return spec

    def pod_template(self, group: dict[str, Any], path: str, kind: str) -> dict[str, Any]:
        return {"metadata": self.pod_metadata(group, path), "spec": self.pod_spec(group, path, kind)}

    # -- the object -----------------------------------------------------------------------------------------
    def head_group_spec(self) -> dict[str, Any]:
        head = field(self.values, "head", "")
        out: dict[str, Any] = {}
        self.write(out, "headService", field(head, "headService", "head"), BLOCK, "head.headService")
        service_type = field(field(self.values, "service", ""), "type", "service")
        self.write(out, "serviceType", service_type, SCALAR, "service.type")
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
        namespace = options.get("externalStorageNamespace")
        if truthy(namespace):
            out["externalStorageNamespace"] = quoted(namespace)
        for name in ("redisPassword", "redisUsername"):
            self.write(out, name, options.get(name), BLOCK, f"gcsFaultTolerance.{name}")
        return out

    def raycluster(self) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "name": scalar(fullname_from_merged(self.values, self.release_name), "metadata.name"),
            "namespace": scalar(self.namespace, "namespace"),
            "labels": self.chart_labels(),
        }
        self.write(metadata, "annotations", self.values.get("annotations"), BLOCK, "annotations")
        head = field(self.values, "head", "")
        spec: dict[str, Any] = {}
        self.write(spec, "rayVersion", field(head, "rayVersion", "head"), SCALAR, "head.rayVersion")
        autoscaling = field(head, "enableInTreeAutoscaling", "head")
        self.write(spec, "enableInTreeAutoscaling", autoscaling, SCALAR, "head.enableInTreeAutoscaling")
        options = field(head, "autoscalerOptions", "head")
        self.write(spec, "autoscalerOptions", options, BLOCK, "head.autoscalerOptions")
        if self.features.gcs_fault_tolerance:
            gcs_options = self.gcs_fault_tolerance()
            if gcs_options is not None:
                spec["gcsFaultToleranceOptions"] = gcs_options
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
