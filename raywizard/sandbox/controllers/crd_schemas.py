"""Compact structural schemas for RayCluster (ray.io/v1, KubeRay v1.5.1) and Application (Argo CD v3.5.1).

Written by us from the Go types (`ray-operator/apis/ray/v1/raycluster_types.go`, Argo CD
`pkg/apis/application/v1alpha1/types.go`) and the generated CRDs' required fields, enums and defaults; see
docs/sandbox-fidelity.md. What they keep of the real schemas: every field name down to the pod template's
containers (so unknown fields are pruned there), types, required lists, enums and the defaults that show up on
a live object (`replicas`, `minReplicas`, `maxReplicas`, `numOfHosts`, container port `protocol`).
Approximated: deep Kubernetes sub-objects (probes, affinity, volumes, security contexts, the head Service,
status) are `x-kubernetes-preserve-unknown-fields` objects, so nothing below them is pruned or type-checked.
"""

from __future__ import annotations

from typing import Any

STRING: dict[str, Any] = {"type": "string"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
INT32: dict[str, Any] = {"type": "integer", "format": "int32"}
INT64: dict[str, Any] = {"type": "integer", "format": "int64"}
FREE: dict[str, Any] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
QUANTITY: dict[str, Any] = {"x-kubernetes-int-or-string": True}


def obj(properties: dict[str, Any], *required: str, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def string_map() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": STRING}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


STRINGS = array(STRING)
FREE_LIST = array(FREE)
RESOURCES = obj(
    {
        "claims": array(obj({"name": STRING, "request": STRING}, "name")),
        "limits": {"type": "object", "additionalProperties": QUANTITY},
        "requests": {"type": "object", "additionalProperties": QUANTITY},
    }
)
ENV_VAR = obj({"name": STRING, "value": STRING, "valueFrom": FREE}, "name")
VOLUME_MOUNT = obj(
    {
        "mountPath": STRING,
        "mountPropagation": STRING,
        "name": STRING,
        "readOnly": BOOLEAN,
        "recursiveReadOnly": STRING,
        "subPath": STRING,
        "subPathExpr": STRING,
    },
    "mountPath",
    "name",
)
CONTAINER_PORT = obj(
    {
        "containerPort": INT32,
        "hostIP": STRING,
        "hostPort": INT32,
        "name": STRING,
        "protocol": {"type": "string", "default": "TCP"},
    },
    "containerPort",
)
CONTAINER = obj(
    {
        "args": STRINGS,
        "command": STRINGS,
        "env": array(ENV_VAR),
        "envFrom": FREE_LIST,
        "image": STRING,
        "imagePullPolicy": STRING,
        "lifecycle": FREE,
        "livenessProbe": FREE,
        "name": STRING,
        "ports": array(CONTAINER_PORT),
        "readinessProbe": FREE,
        "resizePolicy": FREE_LIST,
        "resources": RESOURCES,
        "restartPolicy": STRING,
        "restartPolicyRules": FREE_LIST,
        "securityContext": FREE,
        "startupProbe": FREE,
        "stdin": BOOLEAN,
        "stdinOnce": BOOLEAN,
        "terminationMessagePath": STRING,
        "terminationMessagePolicy": STRING,
        "tty": BOOLEAN,
        "volumeDevices": FREE_LIST,
        "volumeMounts": array(VOLUME_MOUNT),
        "workingDir": STRING,
    },
    "name",
)
TOLERATION = obj({"effect": STRING, "key": STRING, "operator": STRING, "tolerationSeconds": INT64, "value": STRING})
POD_SPEC = obj(
    {
        "activeDeadlineSeconds": INT64,
        "affinity": FREE,
        "automountServiceAccountToken": BOOLEAN,
        "containers": array(CONTAINER),
        "dnsConfig": FREE,
        "dnsPolicy": STRING,
        "enableServiceLinks": BOOLEAN,
        "ephemeralContainers": FREE_LIST,
        "hostAliases": FREE_LIST,
        "hostIPC": BOOLEAN,
        "hostNetwork": BOOLEAN,
        "hostPID": BOOLEAN,
        "hostUsers": BOOLEAN,
        "hostname": STRING,
        "hostnameOverride": STRING,
        "imagePullSecrets": array(obj({"name": dict(STRING, default="")})),
        "initContainers": array(CONTAINER),
        "nodeName": STRING,
        "nodeSelector": string_map(),
        "os": FREE,
        "overhead": {"type": "object", "additionalProperties": QUANTITY},
        "preemptionPolicy": STRING,
        "priority": INT32,
        "priorityClassName": STRING,
        "readinessGates": FREE_LIST,
        "resourceClaims": FREE_LIST,
        "resources": RESOURCES,
        "restartPolicy": STRING,
        "runtimeClassName": STRING,
        "schedulerName": STRING,
        "schedulingGates": FREE_LIST,
        "securityContext": FREE,
        "serviceAccount": STRING,
        "serviceAccountName": STRING,
        "setHostnameAsFQDN": BOOLEAN,
        "shareProcessNamespace": BOOLEAN,
        "subdomain": STRING,
        "terminationGracePeriodSeconds": INT64,
        "tolerations": array(TOLERATION),
        "topologySpreadConstraints": FREE_LIST,
        "volumes": FREE_LIST,
    },
    "containers",
)
POD_TEMPLATE = obj(
    {
        "metadata": obj(
            {
                "annotations": string_map(),
                "finalizers": STRINGS,
                "labels": string_map(),
                "name": STRING,
                "namespace": STRING,
            }
        ),
        "spec": POD_SPEC,
    }
)
HEAD_GROUP = obj(
    {
        "enableIngress": BOOLEAN,
        "headService": FREE,
        "labels": string_map(),
        "rayStartParams": string_map(),
        "resources": string_map(),
        "serviceType": STRING,
        "template": POD_TEMPLATE,
    },
    "template",
)
WORKER_GROUP = obj(
    {
        "groupName": STRING,
        "idleTimeoutSeconds": INT32,
        "labels": string_map(),
        "maxReplicas": dict(INT32, default=2147483647),
        "minReplicas": dict(INT32, default=0),
        "numOfHosts": dict(INT32, default=1),
        "rayStartParams": string_map(),
        "replicas": dict(INT32, default=0),
        "resources": string_map(),
        "scaleStrategy": obj({"workersToDelete": STRINGS}),
        "suspend": BOOLEAN,
        "template": POD_TEMPLATE,
    },
    "groupName",
    "maxReplicas",
    "minReplicas",
    "template",
)
AUTOSCALER_OPTIONS = obj(
    {
        "env": array(ENV_VAR),
        "envFrom": FREE_LIST,
        "idleTimeoutSeconds": INT32,
        "image": STRING,
        "imagePullPolicy": STRING,
        "resources": RESOURCES,
        "securityContext": FREE,
        "upscalingMode": enum("Default", "Aggressive", "Conservative"),
        "version": enum("v1", "v2"),
        "volumeMounts": array(VOLUME_MOUNT),
    }
)
RAYCLUSTER_SPEC = obj(
    {
        "authOptions": obj({"mode": enum("disabled", "token")}),
        "autoscalerOptions": AUTOSCALER_OPTIONS,
        "enableInTreeAutoscaling": BOOLEAN,
        "gcsFaultToleranceOptions": obj(
            {
                "externalStorageNamespace": STRING,
                "redisAddress": STRING,
                "redisPassword": FREE,
                "redisUsername": FREE,
            },
            "redisAddress",
        ),
        "headGroupSpec": HEAD_GROUP,
        "headServiceAnnotations": string_map(),
        "managedBy": STRING,
        "rayVersion": STRING,
        "suspend": BOOLEAN,
        "workerGroupSpecs": array(WORKER_GROUP),
    },
    "headGroupSpec",
)


def raycluster_schema() -> dict[str, Any]:
    return obj({"apiVersion": STRING, "kind": STRING, "metadata": FREE, "spec": RAYCLUSTER_SPEC, "status": FREE})


_HELM = obj(
    {
        "apiVersions": STRINGS,
        "fileParameters": array(obj({"name": STRING, "path": STRING})),
        "ignoreMissingValueFiles": BOOLEAN,
        "kubeVersion": STRING,
        "namespace": STRING,
        "parameters": array(obj({"forceString": BOOLEAN, "name": STRING, "value": STRING})),
        "passCredentials": BOOLEAN,
        "releaseName": STRING,
        "skipCrds": BOOLEAN,
        "skipSchemaValidation": BOOLEAN,
        "skipTests": BOOLEAN,
        "valueFiles": STRINGS,
        "values": STRING,
        "valuesObject": FREE,
        "version": STRING,
    }
)
_SOURCE = obj(
    {
        "chart": STRING,
        "directory": obj({"exclude": STRING, "include": STRING, "jsonnet": FREE, "recurse": BOOLEAN}),
        "helm": _HELM,
        "kustomize": FREE,
        "name": STRING,
        "path": STRING,
        "plugin": FREE,
        "ref": STRING,
        "repoURL": STRING,
        "tagPrefix": STRING,
        "targetRevision": STRING,
    },
    "repoURL",
)
_SYNC_POLICY = obj(
    {
        "automated": obj({"allowEmpty": BOOLEAN, "enabled": BOOLEAN, "prune": BOOLEAN, "selfHeal": BOOLEAN}),
        "managedNamespaceMetadata": obj({"annotations": string_map(), "labels": string_map()}),
        "retry": obj(
            {
                "backoff": obj({"duration": STRING, "factor": INT64, "maxDuration": STRING}),
                "limit": INT64,
                "refresh": BOOLEAN,
            }
        ),
        "syncOptions": STRINGS,
    }
)
APPLICATION_SPEC = obj(
    {
        "destination": obj({"name": STRING, "namespace": STRING, "server": STRING}),
        "ignoreDifferences": array(
            obj(
                {
                    "group": STRING,
                    "jqPathExpressions": STRINGS,
                    "jsonPointers": STRINGS,
                    "kind": STRING,
                    "managedFieldsManagers": STRINGS,
                    "name": STRING,
                    "namespace": STRING,
                },
                "kind",
            )
        ),
        "info": array(obj({"name": STRING, "value": STRING}, "name", "value")),
        "project": STRING,
        "revisionHistoryLimit": INT64,
        "source": _SOURCE,
        "sourceHydrator": FREE,
        "sources": array(_SOURCE),
        "syncPolicy": _SYNC_POLICY,
    },
    "destination",
    "project",
)


def application_schema() -> dict[str, Any]:
    return obj(
        {
            "apiVersion": STRING,
            "kind": STRING,
            "metadata": FREE,
            "operation": FREE,
            "spec": APPLICATION_SPEC,
            "status": FREE,
        },
        "metadata",
        "spec",
    )
