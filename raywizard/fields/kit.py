"""The building blocks of field declarations (the declarations themselves are in ``fields.py``).

Every user-facing setting is declared once.

A ``Field`` carries its label, its help in Ray / Argo CD terms, how to parse and check a typed value and where it
lives in a ``ClusterSpec``. The Textual form, the questionary question and the CLI ``--set`` path are all rendered
from these declarations, so the three never drift.

Paths: spec-level fields have a fixed key (``target.namespace``). Worker-group fields have a key with ``[]``
(``workerGroups[].maxReplicas``) and are addressed as ``workerGroups[2].maxReplicas`` (index, as in Problems) or
``workerGroups.gpu.maxReplicas`` (by group name, as in ``--set``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from raywizard.model import checks
from raywizard.model.spec import (
    AutoscalerOptions,
    ClusterSpec,
    Image,
    Resources,
    WorkerGroup,
)


class Step(StrEnum):
    """Wizard steps, in order. Field declarations say which step shows them."""

    VERSIONS = "versions"
    TARGET = "target"
    HEAD = "head"
    WORKERS = "workers"
    SYNC = "sync"
    OUTPUT = "output"


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"
    QUANTITY = "quantity"
    RESOURCE_MAP = "resource-map"  # custom Ray resources: "name=1, other=0.5"
    LIST = "list"  # comma separated strings
    NODE_SELECTOR = "node-selector"  # "pool=gpu, zone=a" (fields.placement)
    TOLERATIONS = "tolerations"  # "nvidia.com/gpu=present:NoSchedule, dedicated" (fields.placement)


Owner = Any  # ClusterSpec for spec fields, WorkerGroup for group fields


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    help: str
    step: Step
    kind: Kind
    get: Callable[[Owner], Any]
    set: Callable[[Owner, Any], None]
    optional: bool = False  # blank input means "not set: the chart's default applies"
    choices: Callable[[ClusterSpec], Sequence[str]] | None = None
    check: Callable[[Any], str | None] | None = None  # returns "what is wrong — how to fix" or None
    placeholder: Callable[[ClusterSpec, WorkerGroup | None], str] | None = None

    @property
    def per_group(self) -> bool:
        return self.key.startswith("workerGroups[]")

    @property
    def name(self) -> str:
        """The last path segment: ``maxReplicas``."""
        return self.key.rsplit(".", 1)[-1]

    def path(self, index: int | None = None) -> str:
        return self.key.replace("[]", f"[{index}]") if self.per_group else self.key

    def parse(self, text: str) -> Any:
        """Turn typed text into a value, or raise ``ValueError`` with a message that says how to fix it."""
        text = text.strip()
        if text == "":
            if self.optional:
                return None
            if self.kind in (Kind.LIST, Kind.RESOURCE_MAP):
                return [] if self.kind is Kind.LIST else {}
            raise ValueError(f"{self.label} is required.")
        value: Any
        if self.kind is Kind.INT:
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(f"{self.label} must be a whole number, like 3 (got {text!r}).")
            value = int(text)
        elif self.kind is Kind.BOOL:
            lowered = text.lower()
            if lowered not in ("true", "false", "yes", "no", "on", "off", "1", "0", "y", "n"):
                raise ValueError(f"{self.label} must be true or false (got {text!r}).")
            value = lowered in ("true", "yes", "on", "1", "y")
        elif self.kind is Kind.RESOURCE_MAP:
            value = checks.parse_resource_map(text)
        elif self.kind is Kind.LIST:
            value = [item.strip() for item in text.split(",") if item.strip()]
        elif self.kind is Kind.NODE_SELECTOR:
            from raywizard.fields.placement import parse_node_selector

            value = parse_node_selector(text)
        elif self.kind is Kind.TOLERATIONS:
            from raywizard.fields.placement import parse_tolerations

            value = parse_tolerations(text)
        else:
            value = text
        problem = self.check(value) if self.check and value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    def format(self, value: Any) -> str:
        """The text a form shows for ``value`` (the inverse of ``parse``)."""
        if value is None:
            return ""
        if self.kind is Kind.BOOL:
            return "true" if value else "false"
        if self.kind is Kind.RESOURCE_MAP:
            return ", ".join(f"{k}={checks.format_number(v)}" for k, v in value.items())
        if self.kind is Kind.LIST:
            return ", ".join(value)
        if self.kind is Kind.NODE_SELECTOR:
            from raywizard.fields.placement import format_node_selector

            return format_node_selector(value)
        if self.kind is Kind.TOLERATIONS:
            from raywizard.fields.placement import format_tolerations

            return format_tolerations(value)
        return str(value)

    def choice_list(self, spec: ClusterSpec) -> list[str]:
        return list(self.choices(spec)) if self.choices else []


# ------------------------------------------------------------------------------------------------ accessors
def _image_part(get_image: Callable[[Owner], Image | None], set_image: Callable[[Owner, Image | None], None],
                part: str) -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    def getter(owner: Owner) -> Any:
        image = get_image(owner)
        return getattr(image, part) if image else None

    def setter(owner: Owner, value: Any) -> None:
        # One part at a time: the parts left unset are not written, so the chart's defaults apply to them.
        image = get_image(owner)
        if image is None:
            if value is None:
                return
            image = Image()
        setattr(image, part, value)
        set_image(owner, None if image.is_empty() else image)

    return getter, setter


def _set_image(owner: Owner, image: Image | None) -> None:
    owner.image = image


def _resource(section: str, name: str, *, both: bool = False
              ) -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    """Accessors for ``resources.<section>.<name>`` of a head or group; ``both`` sets requests and limits
    together (GPUs: Kubernetes requires request == limit for extended resources)."""

    def getter(owner: Owner) -> Any:
        resources: Resources | None = owner.resources
        if resources is None:
            return None
        return getattr(resources, section).get(name)

    def setter(owner: Owner, value: Any) -> None:
        resources: Resources = owner.resources or Resources()
        for target in ("requests", "limits") if both else (section,):
            mapping: dict[str, Any] = getattr(resources, target)
            if value is None:
                mapping.pop(name, None)
            else:
                mapping[name] = value
        owner.resources = None if resources.is_empty() else resources

    return getter, setter


def _start_param(name: str) -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    def getter(owner: Owner) -> Any:
        return owner.ray_start_params.get(name)

    def setter(owner: Owner, value: Any) -> None:
        if value is None:
            owner.ray_start_params.pop(name, None)
        else:
            owner.ray_start_params[name] = str(value)

    return getter, setter


def _autoscaler(attr: str) -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    def getter(spec: ClusterSpec) -> Any:
        options = spec.head.autoscaler_options
        return getattr(options, attr) if options else None

    def setter(spec: ClusterSpec, value: Any) -> None:
        if spec.head.autoscaler_options is None:
            if value is None:
                return
            spec.head.autoscaler_options = AutoscalerOptions()
        setattr(spec.head.autoscaler_options, attr, value)

    return getter, setter


def _attr(path: str) -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    *parents, leaf = path.split(".")

    def resolve(owner: Owner) -> Any:
        for part in parents:
            owner = getattr(owner, part)
        return owner

    def getter(owner: Owner) -> Any:
        value = getattr(resolve(owner), leaf)
        return value.value if isinstance(value, Enum) else value

    def setter(owner: Owner, value: Any) -> None:
        target = resolve(owner)
        current = getattr(target, leaf)
        setattr(target, leaf, type(current)(value) if isinstance(current, Enum) else value)

    return getter, setter


def _chart_default(*keys: str) -> Callable[[ClusterSpec, WorkerGroup | None], str]:
    """A placeholder showing the chart default for the spec's chart version, e.g. ``chart default: 2G``."""

    def placeholder(spec: ClusterSpec, group: WorkerGroup | None) -> str:
        from raywizard.validation.effective import chart_default_for

        value = chart_default_for(spec, group, keys)
        return "chart default: none" if value is None else f"chart default: {value}"

    return placeholder


def _head_image() -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    def getter(spec: ClusterSpec) -> Any:
        image = spec.head.image
        return image.reference if image else None

    def setter(spec: ClusterSpec, value: Any) -> None:
        spec.head.image = _image_from_reference(value, spec.head.image)

    return getter, setter


def _group_image() -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    def getter(group: WorkerGroup) -> Any:
        image = group.image
        return image.reference if image else None

    def setter(group: WorkerGroup, value: Any) -> None:
        group.image = _image_from_reference(value, group.image)

    return getter, setter


def _image_from_reference(value: str | None, previous: Image | None) -> Image | None:
    if value is None:
        return None
    repository, tag = checks.split_image_reference(value)
    if previous is not None and previous.repository == repository and previous.tag == tag:
        return previous
    # Only what was typed: a pull policy is kept from the image it replaces, never made up. A group's image
    # without one renders an empty imagePullPolicy, which the API server defaults (docs/chart-values.md).
    return Image(repository, tag, previous.pull_policy if previous else None)


def _versions(spec: ClusterSpec) -> Sequence[str]:
    from raywizard.model.versions import chart_versions

    return chart_versions()


def _tags(spec: ClusterSpec) -> Sequence[str]:
    from raywizard.model.versions import kuberay_tags

    return kuberay_tags()


def _fixed(*options: str) -> Callable[[ClusterSpec], Sequence[str]]:
    return lambda spec: options


def _group_value(key: str) -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    """Accessors for a group's values key the spec keeps as written (in ``extra``): blank removes the key."""

    def getter(group: WorkerGroup) -> Any:
        return group.extra.get(key)

    def setter(group: WorkerGroup, value: Any) -> None:
        if value is None or value == [] or value == {}:
            group.extra.pop(key, None)
        else:
            group.extra[key] = value

    return getter, setter


def _group_attr(attr: str) -> tuple[Callable[[Owner], Any], Callable[[Owner, Any], None]]:
    return (lambda g: getattr(g, attr)), (lambda g, v: setattr(g, attr, v))
