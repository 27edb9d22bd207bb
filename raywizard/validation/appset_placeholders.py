"""Fields an ApplicationSet's template fills per generated Application (docs/application-forms.md#applicationsets).

The fields of an ApplicationSet show the Application its first list element generates; an edit is written into
the template. Where the template holds a ``{{placeholder}}`` (``image.tag: '{{rayVersion}}'``) the value is not
the template's to give: each generated Application gets its own from its list element. One value typed there
cannot say which Application it is for, and writing it would either change nothing (the first element's value
typed again) or replace the placeholder for every Application. Such an edit is refused, naming the field, the
placeholder and what to edit instead.

``templated_fields`` reads the template as written (placeholders kept) into the fields and lists those whose
value holds a placeholder; ``refuse_templated_setting`` is the ``--set`` check (it sees a value typed again, which
changes nothing); ``templated_edits`` are the validation errors for what the wizard or the questions changed.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from raywizard.fields.declarations import GROUP_FIELDS, SPEC_FIELDS
from raywizard.fields.kit import Field
from raywizard.model.problems import Problem, Severity
from raywizard.model.spec import ClusterSpec

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)


@dataclass(frozen=True)
class TemplatedField:
    path: str  # the field's path: image.tag, workerGroups[1].maxReplicas
    written: str  # the template's value, as written: '{{rayVersion}}', 'ray-{{ env }}'
    per_element: tuple[tuple[str, str], ...]  # (element label, what the field reads there) per list element
    group_name: str = ""  # the placeholder names the group itself: every field of the group is per Application

    def placeholders(self) -> list[str]:
        """The parameters the placeholders name, as a list element spells them (``rayVersion``, ``values.tier``)."""
        names = [match.strip().removeprefix(".") for match in _PLACEHOLDER.findall(self.written)]
        return list(dict.fromkeys(name for name in names if name))

    def reason(self, appset_name: str) -> str:
        what = f"the group's name, {self.group_name!r}" if self.group_name else repr(self.written)
        shown = ", ".join(f"{label}: {value}" for label, value in self.per_element)
        return (f"{self.path} is {what} in the template of the ApplicationSet {appset_name}, a placeholder the "
                "generator fills per Application" + (f" ({shown})" if shown else ""))

    def fix(self) -> str:
        names = " and ".join(self.placeholders()) or "the placeholder's parameter"
        return (f"edit {names} in the generator's parameters (a list generator's elements), one per Application; "
                "to give every Application the same value, replace the placeholder in spec.template yourself")


def _has_placeholder(value: Any) -> bool:
    return bool(_PLACEHOLDER.search(value if isinstance(value, str) else json.dumps(value, default=str)))


def _value(field: Field, spec: ClusterSpec, index: int | None) -> Any:
    if not field.per_group:
        return field.get(spec)
    if index is None or index >= len(spec.worker_groups):
        return None
    return field.get(spec.worker_groups[index])


def _shown(field: Field, value: Any) -> str:
    try:
        return field.format(value)
    except (TypeError, ValueError, AttributeError):
        return str(value)


def _element_label(position: int, app: dict[str, Any]) -> str:
    name = (app.get("metadata") or {}).get("name")
    return str(name) if name else f"element {position}"


@lru_cache(maxsize=8)
def _templated(appset_json: str) -> tuple[TemplatedField, ...]:
    from raywizard.render import applicationsets
    from raywizard.render.applications import applications_to_spec

    appset = json.loads(appset_json)
    try:
        raw = applications_to_spec([applicationsets.template_application(appset)])
        generated = applicationsets.generated_applications(appset)
        elements = [applications_to_spec([copy.deepcopy(app)]) for app in generated]
    except Exception:  # a template the fields cannot read: the load reported it already
        return ()
    labels = [_element_label(i, app) for i, app in enumerate(generated)]
    found: list[TemplatedField] = []

    def add(field: Field, index: int | None, group_name: str = "") -> None:
        path = field.path(index)
        written = group_name or _shown(field, _value(field, raw, index))
        per_element = tuple((label, _shown(field, _value(field, spec, index)))
                            for label, spec in zip(labels, elements, strict=True))
        found.append(TemplatedField(path, written, per_element, group_name))

    for field in SPEC_FIELDS:
        if _has_placeholder(_value(field, raw, None)):
            add(field, None)
    for index, group in enumerate(raw.worker_groups):
        templated_name = group.name if _has_placeholder(group.name) else ""
        for field in GROUP_FIELDS:
            if templated_name or _has_placeholder(_value(field, raw, index)):
                add(field, index, templated_name)
    return tuple(found)


def templated_fields(spec: ClusterSpec) -> dict[str, TemplatedField]:
    """By field path, the fields whose value the ApplicationSet's template leaves to its list elements."""
    if spec.app_set is None:
        return {}
    return {t.path: t for t in _templated(json.dumps(spec.app_set, sort_keys=True, default=str))}


def _appset_name(spec: ClusterSpec) -> str:
    return str(((spec.app_set or {}).get("metadata") or {}).get("name") or "")


def refuse_templated_setting(spec: ClusterSpec, path: str, text: str) -> None:
    """``--set path=text`` on a field the template fills per Application: an ``InputError`` naming it."""
    if spec.app_set is None:
        return
    from raywizard.fields.set_paths import resolve
    from raywizard.model.errors import InputError

    try:
        field, _group, index = resolve(spec.clone(), path)
    except InputError:
        return  # not an existing field or group: setting it reports that
    templated = templated_fields(spec).get(field.path(index))
    if templated is not None:
        raise InputError(f"--set {path}={text}: {templated.reason(_appset_name(spec))}: one value cannot say "
                         "which Application it is for", templated.fix())


def templated_edits(spec: ClusterSpec) -> list[Problem]:
    """An error per field the template fills per Application whose value the fields changed."""
    templated = templated_fields(spec)
    if not templated:
        return []
    from raywizard.render import applicationsets
    from raywizard.render.applications import applications_to_spec

    try:
        as_read = applications_to_spec([applicationsets.first_application(copy.deepcopy(spec.app_set or {}))])
    except Exception:
        return []
    by_path = {f.path(): f for f in SPEC_FIELDS}
    problems = []
    for path, entry in templated.items():
        index: int | None = None
        key = path
        match = re.match(r"^workerGroups\[(\d+)\]\.(.+)$", path)
        if match:
            index, key = int(match.group(1)), f"workerGroups[].{match.group(2)}"
        field = by_path.get(key) or next((f for f in GROUP_FIELDS if f.key == key), None)
        if field is None:
            continue
        if index is not None and index >= min(len(spec.worker_groups), len(as_read.worker_groups)):
            continue
        if (index is not None and field.name != "name"
                and spec.worker_groups[index].name != as_read.worker_groups[index].name):
            continue  # another group at this place now (groups added or removed): not this field
        if _value(field, spec, index) != _value(field, as_read, index):
            problems.append(Problem(path, f"{entry.reason(_appset_name(spec))}: the edit would replace it for "
                                    "every Application",
                                    entry.fix(), Severity.ERROR, "applicationset-placeholder"))
    return problems
