"""ClusterSpec -> the three Argo CD Applications of the guide, and back.

The documents are plain dicts in the guide's key order (``documents.py`` merges them into a user's existing
files, keeping comments). ``applications_to_spec`` reads the guide's files (or ours) back into a spec.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from raywizard.diff.ignore_differences import REPLICAS_JQ
from raywizard.model import versions
from raywizard.model.spec import ClusterSpec, CrdSyncMode, IgnoreMode, Target, ValuesLayers
from raywizard.render.helm_values import apply_values, to_values

API_VERSION = "argoproj.io/v1alpha1"
ROLES = ("crds", "operator", "cluster")  # apply order
RAY_GROUP, RAYCLUSTER_KIND = "ray.io", "RayCluster"


# --------------------------------------------------------------------------------------------------- naming
def release_name(spec: ClusterSpec) -> str:
    return spec.target.effective_release_name


def raycluster_name(spec: ClusterSpec) -> str:
    """The RayCluster's name: the chart's fullname rule applied to the Helm release name."""
    from raywizard.chart import ChartRenderError, fullname
    from raywizard.render.helm_values import chart_values

    try:
        return fullname(chart_values(spec), release_name(spec))
    except ChartRenderError:
        # Values or a release name helm cannot use: validation reports it; render a best-effort name meanwhile.
        try:
            return fullname({}, release_name(spec))
        except ChartRenderError:
            return release_name(spec)


def app_name(spec: ClusterSpec, role: str) -> str:
    target = spec.target
    return {"crds": target.crds_app, "operator": target.operator_app, "cluster": target.cluster_app}[role]


# ------------------------------------------------------------------------------------------ ignore rules
def replicas_paths(spec: ClusterSpec) -> list[str]:
    """What the replicas rule lists: one jq expression, or one JSON pointer per rendered group."""
    if spec.ignore_mode is IgnoreMode.JQ:
        return [REPLICAS_JQ]
    if spec.ignore_mode is IgnoreMode.POINTERS:
        return [f"/spec/workerGroupSpecs/{i}/replicas" for i in range(len(spec.rendered_groups()))]
    return []


def ignore_rules(spec: ClusterSpec) -> list[dict[str, Any]]:
    """The RayCluster Application's ``ignoreDifferences``: our rule first, then the user's other entries."""
    rules: list[dict[str, Any]] = []
    paths = replicas_paths(spec) + list(spec.ignore_extra_paths)
    if spec.ignore_mode is not IgnoreMode.NONE and paths:
        key = "jqPathExpressions" if spec.ignore_mode is IgnoreMode.JQ else "jsonPointers"
        rules.append({
            "group": RAY_GROUP,
            "kind": RAYCLUSTER_KIND,
            "name": raycluster_name(spec),
            "namespace": spec.target.namespace,
            key: paths,
        })
    rules.extend(copy.deepcopy(spec.ignore_extra_rules))
    return rules


# -------------------------------------------------------------------------------------------- rendering
def _sync_policy(spec: ClusterSpec, *, crds: bool) -> dict[str, Any]:
    policy: dict[str, Any] = {}
    if spec.sync.automated:
        policy["automated"] = {"prune": spec.sync.prune, "selfHeal": spec.sync.self_heal}
    options: list[str] = []
    if spec.sync.create_namespace:
        options.append("CreateNamespace=true")
    if crds:
        options.append(spec.sync.crd_mode.value)
    options.extend(o for o in spec.sync.options if o not in options)
    if options:
        policy["syncOptions"] = options
    return policy


def _metadata(spec: ClusterSpec, role: str) -> dict[str, Any]:
    return {"name": app_name(spec, role), "namespace": spec.target.argocd_namespace}


def _destination(target: Target) -> dict[str, Any]:
    return {"server": target.server, "namespace": target.namespace}


def _application(metadata: dict[str, Any], spec_body: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": "Application", "metadata": metadata, "spec": spec_body}


def crds_application(spec: ClusterSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project": spec.target.project,
        "destination": _destination(spec.target),
        "source": {
            "repoURL": versions.KUBERAY_REPO_URL,
            "targetRevision": spec.versions.kuberay,
            "path": versions.CRDS_PATH,
        },
    }
    policy = _sync_policy(spec, crds=True)
    if policy:
        body["syncPolicy"] = policy
    return _application(_metadata(spec, "crds"), body)


def operator_application(spec: ClusterSpec) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project": spec.target.project,
        "source": {
            "repoURL": versions.KUBERAY_REPO_URL,
            "targetRevision": spec.versions.kuberay,
            "path": versions.OPERATOR_PATH,
            # The CRDs come from their own Application (with Replace=true): they are too big for client-side apply.
            "helm": {"skipCrds": True},
        },
        "destination": _destination(spec.target),
    }
    policy = _sync_policy(spec, crds=False)
    if policy:
        body["syncPolicy"] = policy
    return _application(_metadata(spec, "operator"), body)


def cluster_application(spec: ClusterSpec) -> dict[str, Any]:
    helm: dict[str, Any] = {}
    if spec.target.release_name:
        helm["releaseName"] = spec.target.release_name
    helm["valuesObject"] = to_values(spec)
    body: dict[str, Any] = {"project": spec.target.project, "destination": _destination(spec.target)}
    rules = ignore_rules(spec)
    if rules:
        body["ignoreDifferences"] = rules
    body["source"] = {
        "repoURL": versions.KUBERAY_HELM_REPO_URL,
        "chart": versions.RAY_CLUSTER_CHART,
        # Quoted as in the guide: a chart version such as "1.10" would otherwise read back as a float.
        "targetRevision": DoubleQuotedScalarString(spec.versions.chart),
        "helm": helm,
    }
    policy = _sync_policy(spec, crds=False)
    if policy:
        body["syncPolicy"] = policy
    return _application(_metadata(spec, "cluster"), body)


def canonical_applications(spec: ClusterSpec) -> list[dict[str, Any]]:
    """The three Applications in apply order, in raywizard's own form (one source, valuesObject)."""
    return [crds_application(spec), operator_application(spec), cluster_application(spec)]


def render_applications(spec: ClusterSpec) -> list[dict[str, Any]]:
    """The three Applications in apply order: CRDs, operator, RayCluster. An Application the spec was read from
    is that document with the spec's edits, in its own form (``render.application_forms``)."""
    canonical = canonical_applications(spec)
    if not spec.app_documents:
        return canonical
    from raywizard.render.application_forms import write_application
    from raywizard.render.helm_values import parameters_now

    out = []
    for role, app in zip(ROLES, canonical, strict=True):
        document, baseline = spec.app_documents.get(role), spec.app_baselines.get(role)
        if document is None or baseline is None:
            out.append(app)
            continue
        values = parameters = None
        if role == "cluster":
            values = (spec.values_document, to_values(spec)) if spec.values_document is not None else None
            if spec.values_layers is not None and spec.values_layers.parameters:
                parameters = (spec.values_layers.parameters, parameters_now(spec))
        written = write_application(document, baseline, app, role, values=values, parameters=parameters)
        if role == "cluster" and spec.app_set is not None:
            from raywizard.render.applicationsets import with_template

            written = with_template(spec.app_set, written)
        out.append(written)
    return out


def desired_raycluster(spec: ClusterSpec) -> dict[str, Any]:
    """The RayCluster that Argo CD will render from the cluster Application (the chart model)."""
    from raywizard.chart import render_raycluster
    from raywizard.render.helm_values import chart_values

    return render_raycluster(
        chart_values(spec),
        release_name=release_name(spec),
        namespace=spec.target.namespace,
        chart_version=spec.versions.chart,
    )


def render_files(spec: ClusterSpec, layout: str | None = None, stem: str = "ray-cluster") -> dict[str, str]:
    """File name -> YAML text for a spec with no existing files (see ``documents.Workspace`` for editing files)."""
    from raywizard.render.emitter import emit, emit_all

    layout = layout or spec.layout.value
    apps = render_applications(spec)
    if layout == "split":
        return {f"{app['metadata']['name']}.yaml": emit(app) for app in apps}
    return {f"{stem}.yaml": emit_all(apps)}


# ---------------------------------------------------------------------------------------- reading back
def role_of(app: Any) -> str | None:
    """Which of our three Applications ``app`` is, from its source (names may be anything)."""
    from raywizard.render.application_forms import role_source
    from raywizard.render.applicationsets import is_application_set, template_application

    if is_application_set(app):
        app = template_application(app)
        return "cluster" if role_source(app, "cluster") is not None else None
    if not isinstance(app, dict) or app.get("kind") != "Application":
        return None
    return next((role for role in ("cluster", "crds", "operator") if role_source(app, role) is not None), None)


def _read_sync(spec: ClusterSpec, policy: Any) -> None:
    policy = policy if isinstance(policy, dict) else {}
    automated = policy.get("automated")
    spec.sync.automated = isinstance(automated, dict)
    if isinstance(automated, dict):
        spec.sync.prune = bool(automated.get("prune", False))
        spec.sync.self_heal = bool(automated.get("selfHeal", False))
    options = [str(o) for o in policy.get("syncOptions") or []]
    spec.sync.create_namespace = "CreateNamespace=true" in options
    for mode in CrdSyncMode:
        if mode.value in options:
            spec.sync.crd_mode = mode
    crd_values = {m.value for m in CrdSyncMode}
    extra = [o for o in options if o != "CreateNamespace=true" and o not in crd_values]
    spec.sync.options = list(dict.fromkeys([*spec.sync.options, *extra]))


def _read_common(spec: ClusterSpec, app: dict[str, Any]) -> None:
    body = app.get("spec") or {}
    destination = body.get("destination") or {}
    spec.target.argocd_namespace = str((app.get("metadata") or {}).get("namespace") or "argocd")
    spec.target.project = str(body.get("project") or "default")
    spec.target.server = str(destination.get("server") or spec.target.server)
    spec.target.namespace = str(destination.get("namespace") or spec.target.namespace)


def _read_ignore(spec: ClusterSpec, rules: Any) -> None:
    spec.ignore_mode = IgnoreMode.NONE
    spec.ignore_extra_paths, spec.ignore_extra_rules = [], []
    for rule in rules if isinstance(rules, list) else []:
        ours = (isinstance(rule, dict) and rule.get("group") == RAY_GROUP and rule.get("kind") == RAYCLUSTER_KIND
                and spec.ignore_mode is IgnoreMode.NONE)
        jq_paths = [str(p) for p in (rule.get("jqPathExpressions") or [])] if isinstance(rule, dict) else []
        pointers = [str(p) for p in (rule.get("jsonPointers") or [])] if isinstance(rule, dict) else []
        if ours and REPLICAS_JQ in jq_paths and not pointers and set(rule) <= {
                "group", "kind", "name", "namespace", "jqPathExpressions"}:
            spec.ignore_mode = IgnoreMode.JQ
            spec.ignore_extra_paths = [p for p in jq_paths if p != REPLICAS_JQ]
            continue
        replica_pointers = [p for p in pointers if p.startswith("/spec/workerGroupSpecs/") and p.endswith("/replicas")]
        if ours and replica_pointers and not jq_paths and set(rule) <= {
                "group", "kind", "name", "namespace", "jsonPointers"}:
            spec.ignore_mode = IgnoreMode.POINTERS
            spec.ignore_extra_paths = [p for p in pointers if p not in replica_pointers]
            continue
        spec.ignore_extra_rules.append(copy.deepcopy(dict(rule)) if isinstance(rule, dict) else rule)


ValueFileReader = Callable[[dict[str, Any] | None, str], dict[str, Any] | None]
"""(the ``ref`` source a ``$ref/path`` value file names, or None; the path) -> the file's values, or None when
it cannot be read (no local checkout of that repository)."""


def _read_layers(app: dict[str, Any], helm: dict[str, Any], read_value_file: ValueFileReader | None
                 ) -> ValuesLayers | None:
    from raywizard.render import argocd_helm

    def listed(key: str) -> list[Any]:
        found = helm.get(key)
        return found if isinstance(found, list) else []

    value_files, parameters, file_parameters = listed("valueFiles"), listed("parameters"), listed("fileParameters")
    if not (value_files or parameters or file_parameters):
        return None
    layers = ValuesLayers(parameters=[copy.deepcopy(p) for p in parameters if isinstance(p, dict)])
    refs = argocd_helm.ref_sources(app)
    for entry in value_files:
        text = str(entry)
        ref: dict[str, Any] | None = None
        path = text
        if text.startswith("$"):
            name, _, path = text[1:].partition("/")
            ref = refs.get(name)
            if ref is None:
                layers.unread.append(f"{text}: no source has ref: {name}")
                continue
        elif text.startswith(("http://", "https://")):
            layers.unread.append(f"{text}: values from a URL: not read")
            continue
        elif text.removeprefix("./") == "values.yaml":
            continue  # the chart's own values.yaml: the defaults the chart model merges anyway
        data = read_value_file(ref, path) if read_value_file is not None else None
        if data is None:
            where = "values from git" if ref is not None else "values in the chart package"
            layers.unread.append(f"{text}: {where}: not read")
            continue
        layers.below = argocd_helm.merge_values(layers.below, data)
    for parameter in file_parameters:
        label = parameter.get("name") if isinstance(parameter, dict) else parameter
        layers.unread.append(f"fileParameters {label}: file contents: not read")
    return layers


def _read_cluster_values(spec: ClusterSpec, app: dict[str, Any], helm: dict[str, Any],
                         read_value_file: ValueFileReader | None) -> None:
    from raywizard.render import argocd_helm

    inline = helm.get("valuesObject")
    if inline is None and isinstance(helm.get("values"), str):
        from raywizard.documents.roundtrip_yaml import load_plain

        inline = load_plain(helm["values"], source="spec.source.helm.values") or {}
    inline = inline if isinstance(inline, dict) else {}
    layers = _read_layers(app, helm, read_value_file)
    if layers is None:
        apply_values(spec, inline)
        return
    merged = argocd_helm.apply_parameters(argocd_helm.merge_values(layers.below, inline), layers.parameters)
    apply_values(spec, merged)  # the fields show what the chart gets; edits are written to the inline values
    spec.values_document = copy.deepcopy(inline)
    spec.values_layers = layers


def applications_to_spec(apps: list[dict[str, Any]], base: ClusterSpec | None = None,
                         read_value_file: ValueFileReader | None = None) -> ClusterSpec:
    """A spec from any subset of the three Applications (what is missing keeps ``base``'s values)."""
    from raywizard.model.errors import InputError
    from raywizard.render import applicationsets
    from raywizard.render.application_forms import role_source

    sets = [app for app in apps if applicationsets.is_application_set(app)]
    try:
        apps = [applicationsets.first_application(app) if app in sets else app for app in apps]
    except applicationsets.GenerateError as exc:
        raise InputError(f"ApplicationSet: {exc}", "fix the list generator's elements") from None
    spec = (base or ClusterSpec()).clone()
    spec.sync.options = []
    by_role = {role_of(app): app for app in apps if role_of(app)}
    for role in ("crds", "operator", "cluster"):  # later roles win for shared settings
        app = by_role.get(role)
        if app is None:
            continue
        _read_common(spec, app)
        _read_sync(spec, (app.get("spec") or {}).get("syncPolicy"))
        name = str((app.get("metadata") or {}).get("name") or "")
        located = role_source(app, role)
        source = located[1] if located else {}
        if role in ("crds", "operator"):
            spec.versions.kuberay = str(source.get("targetRevision") or spec.versions.kuberay)
        if role == "crds":
            spec.target.crds_app = name or spec.target.crds_app
        elif role == "operator":
            spec.target.operator_app = name or spec.target.operator_app
        else:
            spec.target.cluster_app = name or spec.target.cluster_app
            from raywizard.render.argocd_helm import is_git_chart_source

            revision = str(source.get("targetRevision") or spec.versions.chart)
            # From the git repository the chart is at a tag: v1.5.1 is chart 1.5.1.
            spec.versions.chart = revision.removeprefix("v") if is_git_chart_source(source) else revision
            found_helm = source.get("helm")
            helm: dict[str, Any] = found_helm if isinstance(found_helm, dict) else {}
            # Without releaseName, Argo CD names the Helm release after the Application.
            spec.target.release_name = str(helm["releaseName"]) if helm.get("releaseName") else None
            _read_cluster_values(spec, app, helm, read_value_file)
            _read_ignore(spec, (app.get("spec") or {}).get("ignoreDifferences"))
    remember_documents(spec, list(by_role.items()))
    for appset in sets:
        if role_of(appset) == "cluster" and "cluster" in spec.app_documents:
            # Edits go into the template as written (placeholders kept), not into the generated Application.
            spec.app_set = copy.deepcopy(appset)
            spec.app_documents["cluster"] = applicationsets.template_application(appset)
    return spec


def remember_documents(spec: ClusterSpec, apps: list[tuple[str | None, dict[str, Any]]]) -> None:
    """Keep ``apps`` as the documents that rendering edits, with the canonical renders of ``spec`` as read."""
    canonical = dict(zip(ROLES, canonical_applications(spec), strict=True))
    for role, app in apps:
        if role in canonical:
            spec.app_documents[role] = copy.deepcopy(app)
            spec.app_baselines[role] = canonical[role]
