"""ClusterSpec <-> the ``ray-cluster`` chart's Helm values (the RayCluster Application's ``valuesObject``).

``to_values`` writes only what the spec sets, in the key order of the guide, so that a spec read from the guide
renders back the guide's values exactly. ``from_values`` is its inverse and keeps every key it does not model in
the ``extra`` maps.
"""

from __future__ import annotations

import copy
from typing import Any

from raywizard.model.spec import (
    AutoscalerOptions,
    ClusterSpec,
    HeadSpec,
    Image,
    Resources,
    WorkerGroup,
)

DEFAULT_WORKER_GROUP_NAME = "workergroup"  # the chart's worker.groupName default


# ---------------------------------------------------------------------------------------------- spec -> values
def _image_values(image: Image) -> dict[str, Any]:
    parts = (("repository", image.repository), ("tag", image.tag), ("pullPolicy", image.pull_policy))
    return {key: value for key, value in parts if value is not None}


def _resources_values(resources: Resources) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if resources.limits:
        out["limits"] = dict(resources.limits)
    if resources.requests:
        out["requests"] = dict(resources.requests)
    out.update(copy.deepcopy(resources.extra))
    return out


def _ray_start_params(params: dict[str, str], custom_resources: dict[str, float]) -> dict[str, Any]:
    from raywizard.chart import encode_custom_resources

    out: dict[str, Any] = dict(params)
    if custom_resources:
        try:
            out["resources"] = encode_custom_resources(custom_resources)
        except ValueError:
            # Not whole numbers: validation reports it; still write what the user asked for, in the same form.
            import json

            text = json.dumps({str(k): v for k, v in custom_resources.items()}, separators=(", ", ": "))
            out["resources"] = '"' + text.replace('"', '\\"') + '"'
    return out


def _head_values(head: HeadSpec) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if head.image is not None:
        out["image"] = _image_values(head.image)
    if head.ray_start_params:
        out["rayStartParams"] = dict(head.ray_start_params)
    if head.enable_in_tree_autoscaling is not None:
        out["enableInTreeAutoscaling"] = head.enable_in_tree_autoscaling
    if head.autoscaler_options is not None:
        opts = head.autoscaler_options
        options: dict[str, Any] = {}
        if opts.version is not None:
            options["version"] = opts.version
        if opts.upscaling_mode is not None:
            options["upscalingMode"] = opts.upscaling_mode
        if opts.idle_timeout_seconds is not None:
            options["idleTimeoutSeconds"] = opts.idle_timeout_seconds
        if opts.env:
            options["env"] = copy.deepcopy(opts.env)
        options.update(copy.deepcopy(opts.extra))
        out["autoscalerOptions"] = options
    if head.resources is not None:
        out["resources"] = _resources_values(head.resources)
    for key, value in head.extra.items():
        out.setdefault(key, copy.deepcopy(value))
    return out


def _group_values(group: WorkerGroup, *, primary: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if primary:
        out["groupName"] = group.name
    if group.image is not None:
        out["image"] = _image_values(group.image)
    if group.disabled is not None:
        out["disabled"] = group.disabled
    for key, value in (
        ("replicas", group.replicas),
        ("minReplicas", group.min_replicas),
        ("maxReplicas", group.max_replicas),
    ):
        if value is not None:
            out[key] = value
    if group.ray_start_params or group.custom_resources:
        out["rayStartParams"] = _ray_start_params(group.ray_start_params, group.custom_resources)
    if group.resources is not None:
        out["resources"] = _resources_values(group.resources)
    for key, value in group.extra.items():
        out.setdefault(key, copy.deepcopy(value))
    return out


def to_values(spec: ClusterSpec) -> dict[str, Any]:
    """The chart values (``valuesObject``) for ``spec``: the user's document with the spec's edits, or (for a
    spec that did not come from a document) the fields' values in the guide's key order.

    With ``helm.parameters`` (which Argo CD applies last), an edit of a value a parameter sets goes to the
    parameter (``parameters_now``), not to these inline values, where it would have no effect."""
    from raywizard.render.values_delta import apply_delta

    lens = lens_values(spec)
    if spec.values_document is None or spec.values_baseline is None:
        return lens
    baseline = spec.values_baseline
    document_worker = spec.values_document.get("worker")
    if not (isinstance(document_worker, dict) and "groupName" in document_worker):
        # The lens names the chart's `worker` group; a document that leaves the name to the chart's default
        # keeps doing so when one of the group's other values is edited.
        baseline = copy.deepcopy(baseline)
        for side in (lens, baseline):
            worker = side.get("worker")
            if isinstance(worker, dict) and worker.get("groupName") == DEFAULT_WORKER_GROUP_NAME:
                worker.pop("groupName")
    layers = spec.values_layers
    if layers is not None and layers.parameters:
        from raywizard.render import argocd_helm

        for parameter in layers.parameters:
            path = argocd_helm.parameter_path(str(parameter.get("name") or ""))
            before = argocd_helm.get_at(baseline, path)
            if path and argocd_helm.found(before):
                argocd_helm.set_at(lens, path, copy.deepcopy(before))
    result: dict[str, Any] = apply_delta(spec.values_document, baseline, lens)
    return result


def parameters_now(spec: ClusterSpec) -> list[dict[str, Any]]:
    """``helm.parameters`` with the spec's edits of the values they set."""
    from raywizard.render import argocd_helm

    layers = spec.values_layers
    if layers is None or spec.values_baseline is None:
        return []
    lens = lens_values(spec)
    out = []
    for parameter in layers.parameters:
        parameter = copy.deepcopy(parameter)
        path = argocd_helm.parameter_path(str(parameter.get("name") or ""))
        before, now = argocd_helm.get_at(spec.values_baseline, path), argocd_helm.get_at(lens, path)
        if path and argocd_helm.found(before) and now != before and not isinstance(now, dict | list):
            parameter["value"] = argocd_helm.format_parameter(None if not argocd_helm.found(now) else now)
        out.append(parameter)
    return out


def chart_values(spec: ClusterSpec) -> dict[str, Any]:
    """All the values Argo CD passes to the chart: value files, then the inline values, then parameters."""
    layers = spec.values_layers
    if layers is None:
        return to_values(spec)
    from raywizard.render import argocd_helm

    merged = argocd_helm.merge_values(layers.below, to_values(spec))
    return argocd_helm.apply_parameters(merged, parameters_now(spec))


def lens_values(spec: ClusterSpec) -> dict[str, Any]:
    """The chart values the spec's fields describe, keys in the guide's order (normalised: see ``to_values``)."""
    values: dict[str, Any] = {}
    if spec.versions.image is not None:
        values["image"] = _image_values(spec.versions.image)
    head = _head_values(spec.head)
    if head:
        values["head"] = head
    if spec.worker_groups:
        primary, *additional = spec.worker_groups
        worker = _group_values(primary, primary=True)
        if worker != {"groupName": DEFAULT_WORKER_GROUP_NAME}:
            # A bare default group is the chart's own `worker`: nothing to write for it.
            values["worker"] = worker
        if additional:
            values["additionalWorkerGroups"] = {g.name: _group_values(g, primary=False) for g in additional}
    for key, value in spec.values_extra.items():
        values.setdefault(key, copy.deepcopy(value))
    return values


# ---------------------------------------------------------------------------------------------- values -> spec
def _as_map(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def _image_from(value: Any) -> Image | None:
    if not isinstance(value, dict) or not value:
        return None

    def part(key: str) -> str | None:
        found = value.get(key)
        return None if found is None else str(found)

    return Image(repository=part("repository"), tag=part("tag"), pull_policy=part("pullPolicy"))


def _resources_from(value: Any) -> Resources | None:
    if not isinstance(value, dict):
        return None
    extra = {k: copy.deepcopy(v) for k, v in value.items() if k not in ("requests", "limits")}
    return Resources(
        requests=_as_map(value.get("requests")), limits=_as_map(value.get("limits")), extra=extra
    )


def _split_ray_start_params(value: Any) -> tuple[dict[str, str], dict[str, float]]:
    from raywizard.chart import decode_custom_resources

    params = {str(k): v for k, v in _as_map(value).items()}
    custom: dict[str, float] = {}
    raw = params.get("resources")
    if isinstance(raw, str):
        try:
            custom = decode_custom_resources(raw)
        except ValueError:
            return params, {}  # left as a raw param; validation reports it
        del params["resources"]
    return params, custom


_HEAD_KEYS = {"image", "rayStartParams", "enableInTreeAutoscaling", "autoscalerOptions", "resources"}
_GROUP_KEYS = {"groupName", "image", "disabled", "replicas", "minReplicas", "maxReplicas", "rayStartParams",
               "resources"}
_AUTOSCALER_KEYS = {"version", "upscalingMode", "idleTimeoutSeconds", "env"}


def _head_from(value: Any) -> HeadSpec:
    head = _as_map(value)
    options = head.get("autoscalerOptions")
    autoscaler = None
    if isinstance(options, dict):
        autoscaler = AutoscalerOptions(
            version=options.get("version"),
            upscaling_mode=options.get("upscalingMode"),
            idle_timeout_seconds=options.get("idleTimeoutSeconds"),
            env=copy.deepcopy(list(options.get("env") or [])),
            extra={k: copy.deepcopy(v) for k, v in options.items() if k not in _AUTOSCALER_KEYS},
        )
    autoscaling = head.get("enableInTreeAutoscaling")
    return HeadSpec(
        ray_start_params={str(k): v for k, v in _as_map(head.get("rayStartParams")).items()},
        enable_in_tree_autoscaling=None if autoscaling is None else bool(autoscaling),
        autoscaler_options=autoscaler,
        resources=_resources_from(head.get("resources")),
        image=_image_from(head.get("image")),
        extra={k: copy.deepcopy(v) for k, v in head.items() if k not in _HEAD_KEYS},
    )


def _group_from(name: str, value: Any) -> WorkerGroup:
    group = _as_map(value)
    params, custom = _split_ray_start_params(group.get("rayStartParams"))
    disabled = group.get("disabled")
    extra = {k: copy.deepcopy(v) for k, v in group.items() if k not in _GROUP_KEYS}
    if group.get("rayStartParams") == {}:
        extra["rayStartParams"] = {}  # written explicitly in the file: keep it (1.4 charts render it anyway)
    return WorkerGroup(
        name=name,
        disabled=None if disabled is None else bool(disabled),
        replicas=group.get("replicas"),
        min_replicas=group.get("minReplicas"),
        max_replicas=group.get("maxReplicas"),
        custom_resources=custom,
        ray_start_params=params,
        resources=_resources_from(group.get("resources")),
        image=_image_from(group.get("image")),
        extra=extra,
    )


def apply_values(spec: ClusterSpec, values: dict[str, Any]) -> ClusterSpec:
    """Set the chart-values part of ``spec`` (image, head, worker groups, extras) from ``values``."""
    values = _as_map(values)
    spec.versions.image = _image_from(values.get("image"))
    spec.head = _head_from(values.get("head"))
    # Group 0 is always the chart's `worker`, present in the chart's defaults even when the values omit it.
    worker = _as_map(values.get("worker"))
    groups: list[WorkerGroup] = [_group_from(str(worker.get("groupName") or DEFAULT_WORKER_GROUP_NAME), worker)]
    for name, group in _as_map(values.get("additionalWorkerGroups")).items():
        groups.append(_group_from(str(name), group))
    spec.worker_groups = groups
    spec.values_extra = {
        k: copy.deepcopy(v)
        for k, v in values.items()
        if k not in ("image", "head", "worker", "additionalWorkerGroups")
    }
    spec.values_document = copy.deepcopy(values)
    spec.values_baseline = lens_values(spec)
    spec.values_layers = None
    return spec


def spec_from_values(values: dict[str, Any], base: ClusterSpec | None = None) -> ClusterSpec:
    return apply_values((base or ClusterSpec()).clone(), values)
