"""ApplicationSets whose template holds the ray-cluster source: the template as an Application, the generators
described, and the Applications a list generator makes (docs/application-forms.md#applicationsets).

The template (``spec.template``: ``metadata`` and ``spec`` of an Application) is edited like an Application of
our own; the spec is read from the Application the first list element generates, so its fields, validation and
``template`` show concrete values, while writing carries only the edits back into the template (its
placeholders stay). What Argo CD's ApplicationSet controller does and we model (docs/domain/argocd.md#applicationsets):

- list generator: one parameter set per ``elements`` entry. Without ``goTemplate`` every value is a string and a
  ``values`` map becomes ``values.KEY``; ``{{ name }}`` in any string of the template is replaced (spaces
  inside the braces trimmed, an unknown name left as written).
- with ``goTemplate: true``: field references ``{{ .name }}`` and ``{{ .values.key }}`` only; any other template
  action (functions, pipelines, ``if``/``range``) is not modelled.
- a generated Application gets the ``resources-finalizer.argocd.argoproj.io`` finalizer unless the template lists
  finalizers or ``syncPolicy.preserveResourcesOnDeletion`` is true.

Not modelled: every other generator (cluster, git, matrix, merge, scmProvider, pullRequest,
clusterDecisionResource, plugin), a generator's own ``template``, ``selector``, ``templatePatch`` and
``elementsYaml``; they are named by ``describe`` and kept as written.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from raywizard.model.spec import ClusterSpec

KIND = "ApplicationSet"
API_VERSION = "argoproj.io/v1alpha1"
FINALIZER = "resources-finalizer.argocd.argoproj.io"
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
_GO_FIELD = re.compile(r"^\s*\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*$")


class GenerateError(ValueError):
    """A list element or template Argo CD's controller would refuse (the message says which)."""


def is_application_set(document: Any) -> bool:
    return isinstance(document, dict) and document.get("kind") == KIND


def _body(appset: Any) -> dict[str, Any]:
    body = appset.get("spec") if isinstance(appset, dict) else None
    return body if isinstance(body, dict) else {}


def template_application(appset: dict[str, Any]) -> dict[str, Any]:
    """The template as an Application document (placeholders as written)."""
    template = _body(appset).get("template")
    template = template if isinstance(template, dict) else {}
    metadata = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    body = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    return {"apiVersion": API_VERSION, "kind": "Application", "metadata": copy.deepcopy(metadata),
            "spec": copy.deepcopy(body)}


def with_template(appset: dict[str, Any], application: dict[str, Any]) -> dict[str, Any]:
    """``appset`` with its template's ``metadata`` and ``spec`` taken from ``application`` (key order kept)."""
    out = copy.deepcopy(appset)
    body = out.setdefault("spec", {})
    template = body.get("template")
    if not isinstance(template, dict):
        template = body["template"] = {}
    template["metadata"] = copy.deepcopy(application.get("metadata") or {})
    template["spec"] = copy.deepcopy(application.get("spec") or {})
    return out


def generator_kinds(appset: dict[str, Any]) -> list[str]:
    """The kind of each entry of ``spec.generators`` (``list``, ``git``, ``matrix``, ...)."""
    kinds = []
    for generator in _body(appset).get("generators") or []:
        if isinstance(generator, dict):
            named = [key for key in generator if key not in ("selector", "values")]
            kinds.append(named[0] if named else "(empty)")
    return kinds


def describe(appset: dict[str, Any]) -> list[str]:
    """One line per generator, saying what raywizard makes of it."""
    name = str((appset.get("metadata") or {}).get("name") or "")
    lines = []
    go = bool(_body(appset).get("goTemplate"))
    for index, generator in enumerate(_body(appset).get("generators") or []):
        if not isinstance(generator, dict):
            continue
        kind = generator_kinds({"spec": {"generators": [generator]}})[0]
        where = f"ApplicationSet {name} generators[{index}]"
        if kind == "list":
            listed = generator["list"] if isinstance(generator.get("list"), dict) else {}
            elements = [e for e in listed.get("elements") or [] if isinstance(e, dict)]
            extras = [key for key in ("elementsYaml", "template") if listed.get(key)]
            extras += ["selector"] if generator.get("selector") else []
            line = f"{where}: list generator, {len(elements)} element(s)"
            names = [_element_label(e) for e in elements]
            if names:
                line += ": " + ", ".join(names)
            if extras:
                line += f"; not modelled: {', '.join(extras)}"
            lines.append(line)
        else:
            lines.append(f"{where}: {kind} generator: not modelled (its Applications are not rendered)")
    if not lines:
        lines.append(f"ApplicationSet {name}: no generators: it generates no Applications")
    if go:
        lines.append(f"ApplicationSet {name}: goTemplate: only {{{{ .field }}}} references are substituted")
    if _body(appset).get("templatePatch"):
        lines.append(f"ApplicationSet {name}: templatePatch: not modelled (the generated Applications are shown "
                     "without it)")
    return lines


def _element_label(element: dict[str, Any]) -> str:
    for key in ("name", "cluster", "env", "environment"):
        value = element.get(key)
        if isinstance(value, str):
            return value
    first = next((v for v in element.values() if isinstance(v, str)), None)
    return first if first is not None else "?"


def list_parameters(appset: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameter set of each list-generator element, in order (other generators contribute none)."""
    go = bool(_body(appset).get("goTemplate"))
    out: list[dict[str, Any]] = []
    for generator in _body(appset).get("generators") or []:
        listed = generator.get("list") if isinstance(generator, dict) else None
        if not isinstance(listed, dict):
            continue
        for position, element in enumerate(listed.get("elements") or []):
            if not isinstance(element, dict):
                raise GenerateError(f"list element {position} is not a map")
            out.append(copy.deepcopy(element) if go else _flat_parameters(element, position))
    return out


def _flat_parameters(element: dict[str, Any], position: int) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in element.items():
        if key == "values":
            if not isinstance(value, dict):
                raise GenerateError(f"list element {position}: values is not a map")
            for inner, text in value.items():
                if not isinstance(text, str):
                    raise GenerateError(f"list element {position}: values.{inner} is not a string; without "
                                        "goTemplate every value of a list element must be a string")
                params[f"values.{inner}"] = text
        elif not isinstance(value, str):
            raise GenerateError(f"list element {position}: {key} is not a string; without goTemplate every "
                                "value of a list element must be a string (quote it)")
        else:
            params[str(key)] = value
    return params


def _lookup(params: dict[str, Any], dotted: str) -> Any:
    node: Any = params
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def substitute(text: str, params: dict[str, Any], *, go_template: bool) -> str:
    """``text`` with the placeholders of ``params`` replaced (unknown ones kept as written)."""

    def replace(match: re.Match[str]) -> str:
        tag = match.group(1)
        if go_template:
            field = _GO_FIELD.match(tag)
            value = _lookup(params, field.group(1)) if field else None
        else:
            value = params.get(tag.strip())
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        return match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def _substitute_all(node: Any, params: dict[str, Any], go_template: bool) -> Any:
    if isinstance(node, str):
        return substitute(node, params, go_template=go_template)
    if isinstance(node, dict):
        return {substitute(str(k), params, go_template=go_template): _substitute_all(v, params, go_template)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute_all(v, params, go_template) for v in node]
    return copy.deepcopy(node)


def generate(appset: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The Application the template makes for one parameter set."""
    go = bool(_body(appset).get("goTemplate"))
    app = _substitute_all(template_application(appset), params, go)
    metadata = app["metadata"]
    if not metadata.get("namespace") and (appset.get("metadata") or {}).get("namespace"):
        metadata["namespace"] = appset["metadata"]["namespace"]
    policy = _body(appset).get("syncPolicy")
    preserve = isinstance(policy, dict) and bool(policy.get("preserveResourcesOnDeletion"))
    if not metadata.get("finalizers") and not preserve:
        metadata["finalizers"] = [FINALIZER]
    return dict(app)


def generated_applications(appset: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Application the list generators make, in order."""
    return [generate(appset, params) for params in list_parameters(appset)]


def refuse_on_cluster(spec: ClusterSpec, verb: str) -> None:
    """``diff`` and ``apply`` work on Applications: with an ApplicationSet, say what to do instead (InputError).

    Applying the Applications it generates would fight its controller, which owns them and puts back its own
    render; applying the ApplicationSet itself is a job for kubectl or an app of apps."""
    if spec.app_set is None:
        return
    from raywizard.model.errors import InputError

    name = str((spec.app_set.get("metadata") or {}).get("name") or "")
    raise InputError(
        f"{verb} works on Applications, and this is the ApplicationSet {name}: Argo CD's ApplicationSet controller "
        "creates and owns its Applications",
        "to compare them with the cluster: raywizard render --from FILE --generated --layout split -o DIR, then "
        "raywizard diff --from DIR/NAME.yaml for each; apply the ApplicationSet itself with kubectl apply -f FILE "
        "(or commit it for an app of apps)")


def first_application(appset: dict[str, Any]) -> dict[str, Any]:
    """What the fields read: the first list element's Application, or the template itself without one."""
    params = list_parameters(appset)
    if not params:
        return template_application(appset)
    app = generate(appset, params[0])
    # The finalizer is the controller's, not the template's: keep it out of what the fields edit.
    if not (template_application(appset)["metadata"].get("finalizers")):
        app["metadata"].pop("finalizers", None)
    return app
