"""validate(spec, values) -> Problems: every check the wizard, the prompts and the CLI show.

Never raises for a user mistake: whatever is in a spec, each problem comes back with a field path (as in
``fields.py``), a message in Ray / Argo CD terms and a fix. ``values`` are the chart values as the user's
document holds them (default: the spec's own); checks of what the chart renders read them, coalesced with the
chart's defaults, never the spec's stand-ins. An *error* is only for what Kubernetes, KubeRay, the chart or
Argo CD really reject, or what certainly breaks the cluster; each error rule names that behaviour, described in
docs/chart-values.md ("Validation").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from raywizard.diff.ignore_differences import REPLICAS_JQ, jq_error
from raywizard.fields.declarations import GROUP_FIELDS, SPEC_FIELDS
from raywizard.model import checks, versions
from raywizard.model.problems import Problem, Severity
from raywizard.model.spec import GPU_RESOURCE, ClusterSpec, IgnoreMode, Resources, WorkerGroup

E, W = Severity.ERROR, Severity.WARNING
_RESOURCE_FIELD = {"cpu": "cpu", "memory": "memory", GPU_RESOURCE: "gpu"}


def validate(spec: ClusterSpec, values: dict[str, Any] | None = None) -> list[Problem]:
    from raywizard.chart import SUPPORTED_CHART_VERSIONS
    from raywizard.render.helm_values import chart_values

    if values is None:
        values = chart_values(spec)
    problems: list[Problem] = []
    rendered = _rendered_group_names(spec, values)
    problems += _field_checks(spec, rendered)
    problems += _version_checks(spec)
    problems += _name_checks(spec, values)
    if spec.versions.chart in SUPPORTED_CHART_VERSIONS:  # the checks below need the chart's defaults
        from raywizard.chart import ChartRenderError

        try:
            from raywizard.chart import effective_group_values

            merged = effective_group_values(values, spec.versions.chart)
            problems += _image_checks(spec, values, merged)
            from raywizard.validation.gpu_image import gpu_image_checks

            problems += gpu_image_checks(spec, merged)
            problems += _group_checks(spec, merged, rendered)
            problems += _resource_checks(spec, merged, rendered)
            # Last, the chart itself: values that helm template would reject or render into broken YAML.
            from raywizard.chart import render_raycluster
            from raywizard.render.applications import release_name

            if not any(p.code == "image-part-missing" for p in problems):
                render_raycluster(values, release_name=release_name(spec), namespace=spec.target.namespace,
                                  chart_version=spec.versions.chart)
        except ChartRenderError as exc:
            problems.append(Problem(_path_of_chart_value(exc.message), exc.message,
                                    exc.fix or "change the value", E, "chart-render"))
    problems += _autoscaling_checks(spec)
    problems += _sync_checks(spec)
    problems += _value_file_notes(spec)
    if spec.app_set is not None:
        from raywizard.validation.appset_placeholders import templated_edits

        problems = [_placeholder_problem(p) for p in problems] + _application_set_notes(spec) + templated_edits(spec)
    return problems


def _placeholder_problem(problem: Problem) -> Problem:
    """In an ApplicationSet whose list generator gives no values (another generator, or none), the fields hold
    the template's ``{{placeholders}}`` as written; what they become is the generator's to say, so a check of such
    a value is a warning, not an error."""
    if not problem.is_error or "{{" not in problem.message:
        return problem
    return Problem(problem.path, f"{problem.message} (a placeholder of the ApplicationSet, checked as written)",
                   "the generator's parameters decide the value; render --generated shows it for list elements",
                   W, problem.code, problem.setting)


def _application_set_notes(spec: ClusterSpec) -> list[Problem]:
    """What of an ApplicationSet raywizard does not model (docs/application-forms.md#applicationsets)."""
    if spec.app_set is None:
        return []
    from raywizard.render.applicationsets import describe

    return [Problem("applicationSet.generators", line, "raywizard edits the template and renders list-generator "
                    "Applications only; Argo CD's controller generates the rest", W, "applicationset-not-modelled")
            for line in describe(spec.app_set) if "not modelled" in line or "only {{" in line]


def _value_file_notes(spec: ClusterSpec) -> list[Problem]:
    """Value files of the RayCluster Application that could not be read here: what raywizard shows and renders
    then lacks them (docs/application-forms.md#value-files)."""
    layers = spec.values_layers
    if layers is None:
        return []
    problems = []
    for note in layers.unread:
        if "values from git" in note:
            fix = ("pass a local checkout of the ref source's repository (--checkout DIR), or keep the Application "
                   "file inside that checkout")
        else:
            fix = "raywizard shows and renders the other values only; Argo CD reads this file when it syncs"
        problems.append(Problem("source.helm.valueFiles", f"{note}: the fields and the render leave it out", fix,
                                W, "value-file-not-read"))
    return problems


def _rendered_group_names(spec: ClusterSpec, values: dict[str, Any]) -> set[str]:
    """Names of the worker groups the chart renders from ``values`` (the spec's view when it cannot tell)."""
    from raywizard.chart import SUPPORTED_CHART_VERSIONS, ChartRenderError, rendered_worker_groups

    if spec.versions.chart in SUPPORTED_CHART_VERSIONS:
        try:
            return set(rendered_worker_groups(values, spec.versions.chart))
        except ChartRenderError:
            pass  # reported by the render check
    return {group.name for group in spec.worker_groups if group.enabled}


def _field_checks(spec: ClusterSpec, rendered: set[str]) -> list[Problem]:
    problems = []
    for field in SPEC_FIELDS:
        value = field.get(spec)
        if value is None or value == "":
            # Image parts the file leaves out come from the chart's defaults (see _image_checks).
            left_to_chart = field.path().startswith("image.")
            if not field.optional and not left_to_chart and field.kind.value not in ("bool", "list",
                                                                                     "resource-map"):
                problems.append(Problem(field.path(), f"{field.label} is required.",
                                        f"enter a value for {field.label}", E, "required"))
            continue
        message = field.check(value) if field.check else None
        if message:
            problems.append(Problem(field.path(), message, _fix_from(message), E, "invalid-value"))
    for index, group in enumerate(spec.worker_groups):
        if group.name not in rendered:
            continue  # the chart renders nothing of a disabled group, so nothing of it reaches Kubernetes
        for field in GROUP_FIELDS:
            value = field.get(group)
            if value is None or value == "" or not field.check:
                continue
            message = field.check(value)
            if message:
                problems.append(Problem(field.path(index), message, _fix_from(message), E, "invalid-value"))
    return problems


def _path_of_chart_value(message: str) -> str:
    """Best field path for a chart error that names a values path (``additionalWorkerGroups.x.replicas``)."""
    head = message.split(" ", 1)[0].rstrip(":")
    if head.startswith(("worker", "additionalWorkerGroups")):
        return "workerGroups"
    if head.startswith("image"):
        return "image.tag" if head.endswith("tag") else "image.repository"
    return head.split(".")[0] or "values"


def _fix_from(message: str) -> str:
    """Field checks phrase their fix after a semicolon ("... is not valid; use ..."): lift it out."""
    _, sep, fix = message.partition("; ")
    return fix.rstrip(".") if sep else "correct the value"


def _version_checks(spec: ClusterSpec) -> list[Problem]:
    from raywizard.chart import SUPPORTED_CHART_VERSIONS

    problems = []
    known_tags = versions.kuberay_tags()
    if spec.versions.kuberay not in known_tags:
        problems.append(Problem("versions.kuberay", f"KubeRay version {spec.versions.kuberay!r} is not a release "
                                f"raywizard knows.", f"pick one of {', '.join(known_tags)}", E, "unknown-version"))
    if spec.versions.chart not in SUPPORTED_CHART_VERSIONS:
        problems.append(Problem("versions.chart", f"ray-cluster chart {spec.versions.chart!r} is not a version "
                                f"raywizard can model.", f"pick one of {', '.join(SUPPORTED_CHART_VERSIONS)}",
                                E, "unknown-version"))
    elif (spec.operator_version_given() and spec.versions.kuberay in known_tags
          and not versions.same_release(spec.versions.kuberay, spec.versions.chart)):
        problems.append(Problem(
            "versions.chart",
            f"chart {spec.versions.chart} does not match the KubeRay operator and CRDs {spec.versions.kuberay} "
            f"(the guide's all-in-one file has this mismatch).",
            f"use chart {spec.versions.kuberay.lstrip('v')} or KubeRay v{spec.versions.chart}", W, "version-mismatch"))
    return problems


def _chart_default_image_part(spec: ClusterSpec, part: str) -> str:
    from raywizard.chart import SUPPORTED_CHART_VERSIONS, chart_defaults

    version = spec.versions.chart if spec.versions.chart in SUPPORTED_CHART_VERSIONS else SUPPORTED_CHART_VERSIONS[-1]
    return str(chart_defaults(version)["image"][part])


def _image_path(spec: ClusterSpec, values: dict[str, Any], group: str) -> str:
    """Field path of the image map the chart uses for ``group`` ('head' or a rendered group name)."""
    from raywizard.chart.sprig import truthy

    if group == "head":
        head = values.get("head")
        return "head.image" if isinstance(head, dict) and truthy(head.get("image")) else "image"
    index = spec.group_index(group)
    if index is not None and spec.worker_groups[index].image is not None:
        return f"workerGroups[{index}].image"
    return "image"


def _image_checks(spec: ClusterSpec, values: dict[str, Any], merged: dict[str, dict[str, Any]]) -> list[Problem]:
    """The image each rendered group really gets: the group's own image map, else the top-level one coalesced
    with the chart's (a file that sets only image.tag gets the chart's repository and pullPolicy)."""
    from raywizard.chart.sprig import template_print

    problems: list[Problem] = []
    reported: set[tuple[str, str]] = set()
    for group, group_values in merged.items():
        image = group_values.get("image") or {}
        path = _image_path(spec, values, group)
        for part in ("repository", "tag"):
            # The chart writes `repository:tag`; with a part empty the reference is ':2.49.0' or 'ray:', which
            # the kubelet refuses to pull (InvalidImageName): the pods never start.
            if template_print(image.get(part)).strip() or (path, part) in reported:
                continue
            reported.add((path, part))
            where = f"{path}.{part}" if path == "image" else path
            problems.append(Problem(
                where, f"the Ray image {part} is empty: the chart renders the image "
                f"'{template_print(image.get('repository'))}:{template_print(image.get('tag'))}', which "
                "Kubernetes cannot pull.", f"enter a {part} (the chart's default is "
                f"{_chart_default_image_part(spec, part)})", E, "image-part-missing"))
        tag = template_print(image.get("tag"))
        if tag in versions.MOVING_TAGS and (path, "moving") not in reported:
            reported.add((path, "moving"))
            problems.append(Problem(f"{path}.tag" if path == "image" else path,
                                    f"image tag {tag!r} moves: pods started on different days run different Ray "
                                    "versions, and the autoscaler needs one Ray version cluster-wide.",
                                    "pin a release tag such as 2.46.0", W, "moving-tag"))
    return problems


def _name_checks(spec: ClusterSpec, values: dict[str, Any]) -> list[Problem]:
    from raywizard.chart import ChartRenderError, fullname
    from raywizard.render.applications import release_name

    try:
        name = fullname(values, release_name(spec))
    except ChartRenderError as exc:
        return [Problem("target.releaseName", exc.message, exc.fix or "fix nameOverride/fullnameOverride", E,
                        "chart-render")]
    path = "target.releaseName"
    if len(name) > checks.RAYCLUSTER_NAME_MAX:
        return [Problem(path, f"the RayCluster would be named {name!r} ({len(name)} characters); KubeRay rejects "
                        f"names over {checks.RAYCLUSTER_NAME_MAX} and creates no pods.",
                        "choose a shorter release name", E, "name-too-long")]
    message = checks.check_dns1035_label(name, what="RayCluster name")
    if message:
        return [Problem(path, message + " KubeRay rejects it and creates no pods.", _fix_from(message), E,
                        "invalid-name")]
    return []


def _group_checks(spec: ClusterSpec, merged: dict[str, dict[str, Any]], rendered: set[str]) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for index, group in enumerate(spec.worker_groups):
        if group.enabled and group.name not in rendered:
            # The chart's own example group (smallGroup) is disabled in its defaults; a file that adds keys
            # under that name without `disabled: false` gets the default merged in and no group.
            problems.append(Problem(f"workerGroups[{index}].disabled", f"group {group.name!r} is not rendered: "
                                    "the chart's defaults disable a group of that name and the file does not "
                                    "set disabled: false.", "set disabled: false, or rename the group", W,
                                    "disabled-by-chart"))
        if group.name not in rendered:
            continue
        # Two rendered groups with one name share the ray.io/group pod label, so KubeRay counts each group's
        # pods as the other's and keeps deleting and creating workers.
        if group.name in seen:
            problems.append(Problem(f"workerGroups[{index}].name", f"group name {group.name!r} is used twice "
                                    f"(also group {seen[group.name]}); groups are keyed by name.",
                                    "rename one of the groups", E, "duplicate-group"))
        seen.setdefault(group.name, index)
    if not rendered:
        problems.append(Problem("workerGroups", "every worker group is disabled: the RayCluster gets a head "
                                "and no workers.", "enable or add a worker group", W, "no-workers"))
    for index, group in enumerate(spec.worker_groups):
        if group.name not in rendered:
            continue
        values = merged.get(group.name) or {}
        problems += _replica_checks(spec, index, group, values)
        problems += _custom_resource_checks(spec, index, group)
    return problems


def _replica_checks(spec: ClusterSpec, index: int, group: WorkerGroup, values: dict[str, Any]) -> list[Problem]:
    base = f"workerGroups[{index}]"
    low, current, high = values.get("minReplicas"), values.get("replicas"), values.get("maxReplicas")
    problems = []
    if group.max_replicas == 0:
        problems.append(Problem(f"{base}.maxReplicas", "maxReplicas 0 renders as 2147483647: the chart's "
                                "`default` treats 0 as unset.", "set maxReplicas to at least 1, or disable the "
                                "group", W, "max-zero"))
        high = None
    if current is None:
        problems.append(Problem(f"{base}.replicas", f"group {group.name!r} has no replicas: the chart renders an "
                                "empty value and KubeRay starts 0 workers.", "set replicas (for example to "
                                "minReplicas)", W, "replicas-unset"))
    low_n = low if isinstance(low, int) and not isinstance(low, bool) else 0
    operator = spec.versions.kuberay
    if isinstance(high, int) and not isinstance(high, bool) and low_n > high:
        if _operator_rejects_inverted_bounds(operator):
            # KubeRay 1.6 and later validate the spec before reconciling: a group with minReplicas above
            # maxReplicas fails the whole RayCluster (event InvalidRayClusterSpec), no pod is created.
            problems.append(Problem(f"{base}.minReplicas", f"minReplicas {low_n} is above maxReplicas {high}: "
                                    f"KubeRay {operator} rejects the RayCluster and creates no pods.",
                                    "lower minReplicas or raise maxReplicas", E, "min-gt-max"))
        else:
            # Earlier operators accept it and run maxReplicas workers (docs/chart-values.md, "Replicas").
            problems.append(Problem(f"{base}.minReplicas", f"minReplicas {low_n} is above maxReplicas {high}: "
                                    f"KubeRay {operator} runs {high} worker(s) (maxReplicas) and ignores "
                                    "replicas.", "lower minReplicas or raise maxReplicas", W, "min-gt-max"))
        return problems
    if isinstance(current, int) and not isinstance(current, bool):
        # KubeRay clamps replicas into [minReplicas, maxReplicas] when it counts the workers to run.
        if current < low_n:
            problems.append(Problem(f"{base}.replicas", f"replicas {current} is below minReplicas {low_n}: "
                                    f"KubeRay runs {low_n} worker(s).", f"set replicas to at least {low_n}", W,
                                    "replicas-lt-min"))
        if isinstance(high, int) and not isinstance(high, bool) and current > high:
            problems.append(Problem(f"{base}.replicas", f"replicas {current} is above maxReplicas {high}: "
                                    f"KubeRay runs {high} worker(s).", f"set replicas to at most {high}", W,
                                    "replicas-gt-max"))
    return problems


def _operator_rejects_inverted_bounds(kuberay_tag: str) -> bool:
    minor = versions.minor_of(kuberay_tag)
    return minor is not None and minor >= (1, 6)


def _custom_resource_checks(spec: ClusterSpec, index: int, group: WorkerGroup) -> list[Problem]:
    problems = []
    path = f"workerGroups[{index}].customResources"
    for name, amount in group.custom_resources.items():
        message = checks.check_resource_name(name)
        if message:
            problems.append(Problem(path, message, "rename the resource", E, "bad-resource-name"))
        whole = isinstance(amount, int | float) and not isinstance(amount, bool) and float(amount).is_integer()
        if not whole:
            problems.append(Problem(path, f"custom resource {name}={amount}: the Ray autoscaler reads custom "
                                    "resources as whole numbers.", f"use a whole number, e.g. {name}=1", E,
                                    "fractional-resource"))
    raw = group.ray_start_params.get("resources")
    if raw is not None:
        problems.append(Problem(path, f"rayStartParams.resources {raw!r} is not the quoted JSON that Ray expects "
                                "(e.g. '\"{\\\"gpu-group\\\": 1}\"').", "enter the resources as NAME=AMOUNT pairs",
                                E, "bad-resources-string"))
    return problems


def _resource_checks(spec: ClusterSpec, merged: dict[str, dict[str, Any]], rendered: set[str]) -> list[Problem]:
    from raywizard.validation.effective import effective_resources

    problems = _one_resources_check(spec, "head", effective_resources(spec, None, merged), spec.head.resources)
    for index, group in enumerate(spec.worker_groups):
        if group.name in rendered:
            problems += _one_resources_check(spec, f"workerGroups[{index}]",
                                             effective_resources(spec, group, merged), group.resources)
    return problems


def _one_resources_check(spec: ClusterSpec, base: str, effective: Resources, own: Resources | None) -> list[Problem]:
    problems = []
    parsed: dict[tuple[str, str], Decimal] = {}
    for section in ("requests", "limits"):
        for name, value in getattr(effective, section).items():
            field_name = _RESOURCE_FIELD.get(name)
            path = f"{base}.{field_name}{'Request' if section == 'requests' else 'Limit'}" if field_name in (
                "cpu", "memory") else f"{base}.{field_name or 'resources'}"
            try:
                parsed[(section, name)] = checks.parse_quantity(value)
            except ValueError:
                problems.append(Problem(path, f"{section}.{name} {value!r} is not a Kubernetes quantity.",
                                        "write a quantity such as 2, 500m or 8Gi", E, "bad-quantity"))
    for (section, name), request in parsed.items():
        if section != "requests" or ("limits", name) not in parsed:
            continue
        limit = parsed[("limits", name)]
        if request > limit:
            label = _RESOURCE_FIELD.get(name, name)
            from_defaults = own is None or name not in own.limits
            origin = " (the limit comes from the chart's defaults)" if from_defaults else ""
            problems.append(Problem(
                f"{base}.{label}Request" if label in ("cpu", "memory") else f"{base}.{label}",
                f"{name} request {effective.requests[name]} is above the limit {effective.limits[name]}{origin}; "
                f"Kubernetes rejects every such pod.",
                f"raise the {name} limit to at least {effective.requests[name]} or lower the request",
                E, "request-gt-limit"))
    return problems


def _autoscaling_checks(spec: ClusterSpec) -> list[Problem]:
    problems: list[Problem] = []
    if not spec.head.autoscaling:
        return problems
    num_cpus = spec.head.num_cpus
    if num_cpus is None or str(num_cpus).strip() not in ("0", "0.0"):
        problems.append(Problem("head.numCpus", "with autoscaling, work scheduled on the head competes with the "
                                "GCS and the autoscaler, and head CPUs hide the need to scale workers.",
                                "set head.numCpus to 0", W, "head-cpus", "head.numCpus=0"))
    if spec.ignore_mode is IgnoreMode.NONE:
        fights = spec.sync.automated and spec.sync.self_heal
        problems.append(Problem(
            "ignoreDifferences.mode",
            "autoscaling is on but Argo CD does not ignore workerGroupSpecs[].replicas: "
            + ("selfHeal will revert every scaling decision of the autoscaler (replicas flap)." if fights else
               "the RayCluster shows OutOfSync whenever the autoscaler scales, and a sync resets replicas."),
            "set ignoreDifferences.mode to jq", E if fights else W, "missing-replicas-rule",
            "ignoreDifferences.mode=jq"))
    return problems


def _sync_checks(spec: ClusterSpec) -> list[Problem]:
    problems = []
    if "RespectIgnoreDifferences=true" in spec.sync.options and spec.ignore_mode is not IgnoreMode.NONE:
        problems.append(Problem(
            "sync.options",
            "RespectIgnoreDifferences=true with the replicas rule makes Argo CD sync the whole live "
            "workerGroupSpecs list (JSON merge patch replaces arrays): your changes to worker groups are dropped "
            "(argoproj/argo-cd#27480).", "remove RespectIgnoreDifferences=true", E, "respect-ignore-differences"))
    for expression in spec.ignore_extra_paths:
        if spec.ignore_mode is IgnoreMode.JQ and expression != REPLICAS_JQ:
            message = jq_error(expression)
            if message:
                problems.append(Problem("ignoreDifferences.mode", f"jq expression {expression!r} does not compile: "
                                        f"{message.splitlines()[0]}", "fix or remove the expression", E, "bad-jq"))
    if not spec.sync.automated and (spec.sync.prune is False or spec.sync.self_heal is False):
        pass  # prune/selfHeal only mean something with automated sync; nothing to report
    return problems
