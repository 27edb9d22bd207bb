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
    labels = dict(template_meta.get("labels") or {})
    labels.update(ray_labels(name, "head" if head else "worker", group_name))
    annotations = dict(template_meta.get("annotations") or {})
    annotations.setdefault("ray.io/ft-enabled", "false")
    pod_spec = dict(template.get("spec") or {})
    containers = [dict(c) for c in pod_spec.get("containers") or []]
    fqdn = f"{head_service_name(cluster)}.{namespace}.svc.cluster.local"
    if containers:
        ray = containers[0]
        command = _start_command(dict(group_spec.get("rayStartParams") or {}), ray, head=head, address=f"{fqdn}:6379")
        ray.setdefault("command", ["/bin/bash", "-c", "--"])
        ray.setdefault("args", [f"ulimit -n 65536; {command}"])
        _env(ray, command, cluster_name=name, head=head, fqdn=fqdn)
        if head and not ray.get("ports"):
            ray["ports"] = [
                {"containerPort": port, "name": port_name, "protocol": "TCP"} for port_name, port in DEFAULT_PORTS
            ]
        elif not head and not ray.get("ports"):
            ray["ports"] = [{"containerPort": 8080, "name": "metrics", "protocol": "TCP"}]
        _probes(ray, head=head)
        ray.setdefault("imagePullPolicy", "IfNotPresent")
        if head and spec.get("enableInTreeAutoscaling"):
            options = spec.get("autoscalerOptions") or {}
            if str(options.get("version", "")).lower() == "v2":
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
            pod_spec.setdefault("serviceAccountName", name)
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
    pod_spec["containers"] = containers
    pod_spec.setdefault("restartPolicy", "Always")
    pod_spec.setdefault("enableServiceLinks", False)
    prefix = f"{name}-head-" if head else check_name(f"{name}-{group_name}").lower() + "-worker-"
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
    declared = (
        [(p.get("name"), p.get("containerPort")) for p in (containers[0].get("ports") or [])] if containers else []
    )
    ports = [(n, p) for n, p in declared if n] or list(DEFAULT_PORTS)
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
