"""Pods and services as the KubeRay operator (v1.5.1, `ray-operator/controllers/ray/common/`) builds them."""

from __future__ import annotations

import copy
from typing import Any

from .objects import owner_ref, suffix
from .quantity import Quantity, parse_or_none

KUBERAY_VERSION = "v1.5.1"
DEFAULT_PORTS = (
    ("client", 10001),
    ("dashboard", 8265),
    ("gcs-server", 6379),
    ("metrics", 8080),
    ("serve", 8000),
)
AUTOSCALER_RESOURCES = {
    "limits": {"cpu": "500m", "memory": "512Mi"},
    "requests": {"cpu": "500m", "memory": "512Mi"},
}


def check_name(name: str) -> str:
    """KubeRay `utils.CheckName`: keep the last 50 characters; no leading digit or punctuation."""
    if len(name) > 50:
        name = name[len(name) - 50 :]
    if name and not name[0].isalpha():
        name = "r" + name[1:]
    return name


def pod_name_prefix(prefix: str, node_type: str) -> str:
    """KubeRay `utils.PodName` for generateName: the first 50 characters, lower-cased, then `-head-`/`-worker-`."""
    return f"{prefix[:50]}-{node_type}-".lower()


def autoscaling_v2(spec: dict[str, Any]) -> bool:
    """`utils.IsAutoscalingV2Enabled`: autoscalerOptions.version is v2 (the head env variable alone does not count)."""
    return str((spec.get("autoscalerOptions") or {}).get("version") or "") == "v2"


def ft_enabled(cluster: dict[str, Any]) -> bool:
    annotations = (cluster.get("metadata") or {}).get("annotations") or {}
    return str(annotations.get("ray.io/ft-enabled", "")).lower() == "true" or bool(
        (cluster.get("spec") or {}).get("gcsFaultToleranceOptions")
    )


def _empty_dir(pod_spec: dict[str, Any], container: dict[str, Any], volume: str, path: str, *, memory: bool) -> None:
    """`addEmptyDir`: nothing when the container mounts something at `path` already; a memory volume is as large
    as the container's memory limit (else request)."""
    mounts = list(container.get("volumeMounts") or [])
    if any(m.get("mountPath") == path for m in mounts):
        return
    volumes = list(pod_spec.get("volumes") or [])
    if not any(v.get("name") == volume for v in volumes):
        empty_dir: dict[str, Any] = {}
        if memory:
            empty_dir["medium"] = "Memory"
            resources = container.get("resources") or {}
            size = (resources.get("limits") or {}).get("memory") or (resources.get("requests") or {}).get("memory")
            if size is not None:
                empty_dir["sizeLimit"] = size
        volumes.append({"name": volume, "emptyDir": empty_dir})
        pod_spec["volumes"] = volumes
    mounts.append({"mountPath": path, "name": volume})
    container["volumeMounts"] = mounts


def head_service_name(cluster: dict[str, Any]) -> str:
    spec = cluster.get("spec") or {}
    custom = (((spec.get("headGroupSpec") or {}).get("headService") or {}).get("metadata") or {}).get("name")
    return str(custom or f"{cluster['metadata']['name']}-head-svc")


def ray_labels(cluster_name: str, node_type: str, group: str) -> dict[str, str]:
    return {
        "ray.io/is-ray-node": "yes",
        "ray.io/cluster": cluster_name,
        "ray.io/node-type": node_type,
        "ray.io/group": group,
        "ray.io/identifier": f"{cluster_name}-{node_type}",
        "app.kubernetes.io/name": "kuberay",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }


def _start_command(params: dict[str, Any], container: dict[str, Any], *, head: bool, address: str) -> str:
    params = {str(k): v for k, v in (params or {}).items()}
    limits = (container.get("resources") or {}).get("limits") or {}
    if "num-cpus" not in params and "cpu" in limits:
        cpu = parse_or_none(limits["cpu"])
        if cpu is not None:
            params["num-cpus"] = str(max(1, int(cpu.value))) if cpu.value >= 1 else "1"
    if "memory" not in params and "memory" in limits:
        memory = parse_or_none(limits["memory"])
        if memory is not None:
            params["memory"] = str(int(memory.value))
    params.setdefault("metrics-export-port", "8080")
    params.setdefault("dashboard-agent-listen-port", "52365")
    if head:
        params.setdefault("dashboard-host", "0.0.0.0")
    else:
        params.setdefault("address", address)
    parts = ["ray start", "--head" if head else ""]
    for key in sorted(params):
        value = str(params[key])
        if value.lower() == "true" and key not in ("log-color", "include-dashboard"):
            parts.append(f"--{key}")
        elif value.lower() == "false" and key not in ("log-color", "include-dashboard"):
            continue
        else:
            parts.append(f"--{key}={value}")
    parts.append("--block")
    return " ".join(p for p in parts if p)


def _env(container: dict[str, Any], command: str, *, cluster_name: str, head: bool, fqdn: str) -> None:
    env = list(container.get("env") or [])
    names = {e.get("name") for e in env}

    def add(name: str, value: str | None = None, field_path: str | None = None) -> None:
        if name in names:
            return
        entry: dict[str, Any] = {"name": name}
        if field_path:
            entry["valueFrom"] = {"fieldRef": {"apiVersion": "v1", "fieldPath": field_path}}
        else:
            entry["value"] = value
        env.append(entry)

    add("RAY_CLUSTER_NAME", field_path="metadata.labels['ray.io/cluster']")
    add("RAY_CLOUD_INSTANCE_ID", field_path="metadata.name")
    add("RAY_NODE_TYPE_NAME", field_path="metadata.labels['ray.io/group']")
    add("KUBERAY_GEN_RAY_START_CMD", command)
    if head:
        add("RAY_ADDRESS", "127.0.0.1:6379")
    else:
        add("FQ_RAY_IP", fqdn)
        add("RAY_IP", fqdn.split(".")[0])
        add("RAY_ADDRESS", f"{fqdn}:6379")
    add("RAY_USAGE_STATS_KUBERAY_IN_USE", "1")
    add("RAY_USAGE_STATS_EXTRA_TAGS", f"kuberay_version={KUBERAY_VERSION};kuberay_crd=RayCluster")
    add("RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "1")
    container["env"] = env


def _probes(container: dict[str, Any], *, head: bool) -> None:
    check = "wget -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success" + (
        " && wget -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success" if head else ""
    )
    probe = {
        "exec": {"command": ["bash", "-c", check]},
        "failureThreshold": 10,
        "initialDelaySeconds": 10,
        "periodSeconds": 5,
        "successThreshold": 1,
        "timeoutSeconds": 2,
    }
    container.setdefault("readinessProbe", probe)
    container.setdefault("livenessProbe", dict(probe, failureThreshold=120, initialDelaySeconds=30))


def build_pod(cluster: dict[str, Any], *, group: dict[str, Any] | None) -> dict[str, Any]:
    """The head pod (group None) or a worker pod of `group`, with generateName, labels and the ray
    container."""
    name = cluster["metadata"]["name"]
    namespace = cluster["metadata"].get("namespace", "")
    spec = cluster.get("spec") or {}
    head = group is None
    group_spec = spec.get("headGroupSpec") or {} if head else group or {}
    template = copy.deepcopy(group_spec.get("template") or {})
    template_meta = template.get("metadata") or {}
    group_name = "headgroup" if head else str(group_spec.get("groupName", ""))
    # labelPod: template labels override the operator's, except node type, group and cluster
    labels = ray_labels(name, "head" if head else "worker", group_name)
    for key, value in (template_meta.get("labels") or {}).items():
        if key not in ("ray.io/node-type", "ray.io/group", "ray.io/cluster"):
            labels[key] = value
    annotations = dict(template_meta.get("annotations") or {})
    if head:  # configureGCSFaultTolerance annotates the head only
        annotations["ray.io/ft-enabled"] = "true" if ft_enabled(cluster) else "false"
    autoscaling = bool(spec.get("enableInTreeAutoscaling"))
    autoscaler_v2 = autoscaling and autoscaling_v2(spec)
    pod_spec = dict(template.get("spec") or {})
    containers = [dict(c) for c in pod_spec.get("containers") or []]
    fqdn = f"{head_service_name(cluster)}.{namespace}.svc.cluster.local"
    if containers:
        ray = containers[0]
        params = dict(group_spec.get("rayStartParams") or {})
        if head and autoscaling:
            params["no-monitor"] = "true"  # the autoscaler sidecar replaces Ray's own monitor
        command = _start_command(params, ray, head=head, address=f"{fqdn}:6379")
        ray.setdefault("command", ["/bin/bash", "-c", "--"])
        ray.setdefault("args", [f"ulimit -n 65536; {command}"])
        _env(ray, command, cluster_name=name, head=head, fqdn=fqdn)
        # the template's ports plus a metrics port when none is named so (the head Service, not the pod, gets
        # the default ports)
        ports = [dict(p) for p in ray.get("ports") or []]
        if not any(p.get("name") == "metrics" for p in ports):
            ports.append({"containerPort": 8080, "name": "metrics", "protocol": "TCP"})
        ray["ports"] = ports
        _probes(ray, head=head)
        ray.setdefault("imagePullPolicy", "IfNotPresent")
        if head and autoscaling:
            options = spec.get("autoscalerOptions") or {}
            if autoscaler_v2:
                ray["env"].append({"name": "RAY_enable_autoscaler_v2", "value": "1"})
            containers.append(
                {
                    "name": "autoscaler",
                    "image": options.get("image") or ray.get("image", ""),
                    "imagePullPolicy": options.get("imagePullPolicy") or ray.get("imagePullPolicy", "IfNotPresent"),
                    "command": ["/bin/bash", "-lc", "--"],
                    "args": [
                        "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) "
                        "--cluster-namespace $(RAY_CLUSTER_NAMESPACE)"
                    ],
                    "env": [
                        {
                            "name": "RAY_CLUSTER_NAME",
                            "valueFrom": {
                                "fieldRef": {
                                    "apiVersion": "v1",
                                    "fieldPath": "metadata.labels['ray.io/cluster']",
                                }
                            },
                        },
                        {
                            "name": "RAY_CLUSTER_NAMESPACE",
                            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
                        },
                        {
                            "name": "RAY_HEAD_POD_NAME",
                            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
                        },
                        {"name": "KUBERAY_CRD_VER", "value": "v1"},
                        *list(options.get("env") or []),
                    ],
                    "resources": copy.deepcopy(options.get("resources") or AUTOSCALER_RESOURCES),
                }
            )
            pod_spec["serviceAccountName"] = check_name(str(pod_spec.get("serviceAccountName") or name))
    if not head and containers:
        init = list(pod_spec.get("initContainers") or [])
        init.append(
            {
                "name": "wait-gcs-ready",
                "image": containers[0].get("image", ""),
                "imagePullPolicy": containers[0].get("imagePullPolicy", "IfNotPresent"),
                "command": ["/bin/bash", "-lc", "--"],
                "args": [
                    f"until ray health-check --address {fqdn}:6379 > /dev/null 2>&1; do echo wait for GCS "
                    f"to be ready; sleep 5; done"
                ],
                "env": [
                    {"name": "FQ_RAY_IP", "value": fqdn},
                    {"name": "RAY_IP", "value": fqdn.split(".")[0]},
                ],
                "resources": {
                    "limits": {"cpu": "200m", "memory": "256Mi"},
                    "requests": {"cpu": "200m", "memory": "256Mi"},
                },
            }
        )
        pod_spec["initContainers"] = init
    if containers:
        _empty_dir(pod_spec, containers[0], "shared-mem", "/dev/shm", memory=True)
        if head and autoscaling and len(containers) > 1:
            # the autoscaler writes logs that the head reads
            _empty_dir(pod_spec, containers[0], "ray-logs", "/tmp/ray", memory=False)
            _empty_dir(pod_spec, containers[-1], "ray-logs", "/tmp/ray", memory=False)
    pod_spec["containers"] = containers
    if autoscaler_v2:
        pod_spec["restartPolicy"] = "Never"
    pod_spec.setdefault("enableServiceLinks", False)
    prefix = pod_name_prefix(name if head else f"{name}-{group_name}", "head" if head else "worker")
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": prefix,
            "namespace": namespace,
            "labels": labels,
            "annotations": annotations,
            "ownerReferences": [owner_ref(cluster)],
        },
        "spec": pod_spec,
    }


def invalid_resources(pod: dict[str, Any]) -> str | None:
    """The API server's validation error for requests above limits, with the name it would have generated."""
    name = pod["metadata"].get("name") or f"{pod['metadata'].get('generateName', '')}{suffix()}"
    for field_name in ("initContainers", "containers"):
        for index, container in enumerate((pod.get("spec") or {}).get(field_name) or []):
            resources = container.get("resources") or {}
            for resource_name, request in (resources.get("requests") or {}).items():
                limit = (resources.get("limits") or {}).get(resource_name)
                req, lim = parse_or_none(request), parse_or_none(limit) if limit is not None else None
                if req is not None and lim is not None and req.value > lim.value:
                    return (
                        f'Pod "{name}" is invalid: spec.{field_name}[{index}].resources.requests: Invalid '
                        f'value: "{request}": must be less than or equal to {resource_name} limit of {limit}'
                    )
    return None


def head_service(cluster: dict[str, Any]) -> dict[str, Any]:
    name = cluster["metadata"]["name"]
    spec = cluster.get("spec") or {}
    head_spec = spec.get("headGroupSpec") or {}
    containers = ((head_spec.get("template") or {}).get("spec") or {}).get("containers") or []
    # getServicePorts: the head container's ports (an unnamed one as `<port>-port`), the defaults when it declares
    # none, and a metrics port unless one is named so
    declared = {
        str(p.get("name") or f"{p.get('containerPort')}-port"): p.get("containerPort")
        for p in ((containers[0].get("ports") or []) if containers else [])
    }
    declared = declared or dict(DEFAULT_PORTS)
    declared.setdefault("metrics", 8080)
    ports = list(declared.items())
    service_type = head_spec.get("serviceType") or "ClusterIP"
    selector = {
        k: v
        for k, v in ray_labels(name, "head", "headgroup").items()
        if k
        in (
            "ray.io/cluster",
            "ray.io/node-type",
            "ray.io/identifier",
            "app.kubernetes.io/name",
            "app.kubernetes.io/created-by",
        )
    }
    svc_spec: dict[str, Any] = {
        "ports": [
            {"name": n, "port": p, "targetPort": p, "protocol": "TCP", "appProtocol": "tcp"} for n, p in sorted(ports)
        ],
        "selector": selector,
        "type": service_type,
    }
    if service_type == "ClusterIP":
        svc_spec.update({"clusterIP": "None", "clusterIPs": ["None"], "publishNotReadyAddresses": True})
    labels = dict(selector)
    labels.pop("ray.io/identifier", None)
    labels["ray.io/node-type"] = "head"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": head_service_name(cluster),
            "namespace": cluster["metadata"].get("namespace", ""),
            "labels": labels,
            "ownerReferences": [owner_ref(cluster)],
        },
        "spec": svc_spec,
    }


def template_resources(template: dict[str, Any]) -> dict[str, Quantity]:
    """Per-pod sums of container requests (limits where a request is missing), KubeRay
    `CalculatePodResource`."""
    totals: dict[str, Quantity] = {}
    for container in ((template or {}).get("spec") or {}).get("containers") or []:
        resources = container.get("resources") or {}
        merged = dict(resources.get("limits") or {})
        merged.update(resources.get("requests") or {})
        for key, raw in merged.items():
            quantity = parse_or_none(raw)
            if quantity is not None:
                totals.setdefault(key, Quantity()).add(quantity)
    return totals
