"""Wrong types in a user's file, found before anything reads it: a Problem per value, with its field path, the type
found and the type expected.

The readers (``render.helm_values``, ``render.applications``) take what they model and keep the rest untouched; a
map where they expect a list (or the other way round) would otherwise be dropped or, worse, reinterpreted
(``syncOptions: CreateNamespace=true`` read as a list of characters, ``disabled: "false"`` as true). The shapes
below cover exactly the keys those readers interpret; everything else in a file is kept as written and not checked
here. Where a string is expected any scalar is accepted (the readers keep its text), and ``null`` always means
"not set", as it does for Helm and for the API server. See docs/files.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from raywizard.model.errors import InputError
from raywizard.model.problems import Problem, Severity
from raywizard.model.textsafe import literal


@dataclass(frozen=True)
class Scalar:
    """A string, number or boolean (``boolean=True``: only ``true`` or ``false``)."""

    boolean: bool = False


@dataclass(frozen=True)
class Sequence:
    items: Any = None  # the shape of every item; None: anything


@dataclass(frozen=True)
class Mapping:
    fields: dict[str, Any] = field(default_factory=dict)  # shape by key; keys not listed are not checked
    values: Any = None  # the shape of the value of every key not in ``fields``; None: anything


SCALAR, BOOLEAN = Scalar(), Scalar(boolean=True)
_SCALARS = Mapping(values=SCALAR)
_IMAGE = Mapping({"repository": SCALAR, "tag": SCALAR, "pullPolicy": SCALAR})
_RESOURCES = Mapping({"requests": _SCALARS, "limits": _SCALARS})
_GROUP = Mapping({
    "groupName": SCALAR,
    "disabled": BOOLEAN,
    "replicas": SCALAR,
    "minReplicas": SCALAR,
    "maxReplicas": SCALAR,
    "rayStartParams": _SCALARS,
    "resources": _RESOURCES,
    "image": _IMAGE,
})
VALUES = Mapping({
    "image": _IMAGE,
    "head": Mapping({
        "image": _IMAGE,
        "rayStartParams": _SCALARS,
        "enableInTreeAutoscaling": BOOLEAN,
        "autoscalerOptions": Mapping({
            "version": SCALAR,
            "upscalingMode": SCALAR,
            "idleTimeoutSeconds": SCALAR,
            "env": Sequence(Mapping()),
        }),
        "resources": _RESOURCES,
    }),
    "worker": _GROUP,
    "additionalWorkerGroups": Mapping(values=_GROUP),
})
_STRINGS = Sequence(SCALAR)
# The fields of the Argo CD Application CRD that raywizard reads (the API server rejects other types there too).
APPLICATION = Mapping({
    "apiVersion": SCALAR,
    "kind": SCALAR,
    "metadata": Mapping({"name": SCALAR, "namespace": SCALAR}),
    "spec": Mapping({
        "project": SCALAR,
        "destination": Mapping({"server": SCALAR, "namespace": SCALAR, "name": SCALAR}),
        "source": Mapping({
            "repoURL": SCALAR,
            "path": SCALAR,
            "chart": SCALAR,
            "targetRevision": SCALAR,
            "helm": Mapping({
                "releaseName": SCALAR,
                "values": SCALAR,
                "valuesObject": VALUES,
                "skipCrds": BOOLEAN,
            }),
        }),
        "syncPolicy": Mapping({
            "automated": Mapping({"prune": BOOLEAN, "selfHeal": BOOLEAN, "allowEmpty": BOOLEAN}),
            "syncOptions": _STRINGS,
        }),
        "ignoreDifferences": Sequence(Mapping({
            "group": SCALAR,
            "kind": SCALAR,
            "name": SCALAR,
            "namespace": SCALAR,
            "jsonPointers": _STRINGS,
            "jqPathExpressions": _STRINGS,
        })),
    }),
})


class ShapeError(InputError):
    """A file with values of the wrong type; ``problems`` has one Problem per value."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        lines = "\n".join(f"  {p.path}: {p.message}" for p in problems)
        noun = "value has" if len(problems) == 1 else "values have"
        super().__init__(f"{literal(source)}: {len(problems)} {noun} the wrong type:\n{lines}",
                         "change them to the expected type; nothing was read or written")
        self.source = source
        self.problems = problems

    def __str__(self) -> str:
        return f"{self.message}\n  ({self.fix})"


def describe(value: Any) -> str:
    """What a value is, for a message: ``a string ('CreateNamespace=true')``, ``a list``, ``a mapping``."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({literal(repr(shown), single_line=True)})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _expected(shape: Any) -> str:
    if isinstance(shape, Scalar):
        return "true or false" if shape.boolean else "a string or number"
    if isinstance(shape, Sequence):
        if isinstance(shape.items, Scalar):
            return "a list of strings"
        return "a list of mappings" if isinstance(shape.items, Mapping) else "a list"
    return "a mapping"


def _fits(value: Any, shape: Any) -> bool:
    if isinstance(shape, Scalar):
        if shape.boolean:
            return isinstance(value, bool)
        return isinstance(value, str | int | float | bool)
    if isinstance(shape, Sequence):
        return isinstance(value, list)
    return isinstance(value, dict)


def _index(path: str, index: int) -> str:
    return f"{path}[{index}]"


def _join(path: str, key: Any) -> str:
    text = literal(key, single_line=True)
    plain = text.replace("-", "").replace("_", "").replace("/", "").isalnum()
    name = text if plain else f'"{text}"'
    return f"{path}.{name}" if path else name


def check(value: Any, shape: Any, path: str = "") -> list[Problem]:
    """Problems for every value under ``value`` whose type does not fit ``shape`` (null always fits)."""
    if value is None or shape is None:
        return []
    if not _fits(value, shape):
        return [Problem(path or "(document)", f"found {describe(value)}, expected {_expected(shape)}",
                        f"write {_expected(shape)} here (or remove the key)", Severity.ERROR, "wrong-type")]
    problems: list[Problem] = []
    if isinstance(shape, Sequence):
        for index, item in enumerate(value):
            problems += check(item, shape.items, _index(path, index))
    elif isinstance(shape, Mapping):
        for key, item in value.items():
            problems += check(item, shape.fields.get(key, shape.values), _join(path, key))
    return problems


def check_documents(docs: list[Any], *, source: str) -> None:
    """Raise ShapeError when any document has a wrong-typed value: Applications by the CRD fields raywizard
    reads, a single document without ``kind`` as chart values."""
    problems: list[Problem] = []
    several = len(docs) > 1
    for number, doc in enumerate(docs, start=1):
        prefix = f"document {number}: " if several else ""
        if not isinstance(doc, dict):
            problems.append(Problem(f"{prefix}(document)".strip(), f"found {describe(doc)}, expected a mapping "
                                    "(an Argo CD Application or ray-cluster chart values)",
                                    "write the document as a mapping", Severity.ERROR, "wrong-type"))
            continue
        shape = APPLICATION if doc.get("kind") == "Application" else VALUES if not doc.get("kind") else None
        checked, inside = doc, ""
        if doc.get("kind") == "ApplicationSet" and isinstance((doc.get("spec") or {}).get("template"), dict):
            from raywizard.render.applicationsets import template_application

            checked, shape, inside = template_application(doc), APPLICATION, "spec.template."
        for problem in check(checked, shape):
            path = problem.path
            if inside and path.startswith(("spec", "metadata")):
                path = inside + path
            problems.append(Problem(prefix + path, problem.message, problem.fix, problem.severity, problem.code))
    if problems:
        raise ShapeError(source, problems)
