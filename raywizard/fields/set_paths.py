"""``--set path=value``: address any declared field by path and set it from text.

Paths are the field keys of ``fields.py``; worker groups are addressed by index or by name:
``image.tag=2.46.0``, ``workerGroups[1].maxReplicas=8``, ``workerGroups.gpu.maxReplicas=8``. A group name that
does not exist is an error (a typo must not add a group); ``workerGroups.+gpu.maxReplicas=8`` says "add the group
``gpu`` if it is missing", so a script can build a spec from flags alone.
"""

from __future__ import annotations

import re
from typing import Any

from raywizard.fields.declarations import BY_KEY, GROUP_FIELDS, SPEC_FIELDS
from raywizard.fields.kit import Field
from raywizard.model.errors import InputError
from raywizard.model.spec import ClusterSpec, WorkerGroup

_GROUP_BY_INDEX = re.compile(r"^workerGroups\[(\d+)\]\.(.+)$")
_GROUP_BY_NAME = re.compile(r"^workerGroups\.(\+?[^.\[\]+][^.\[\]]*)\.(.+)$")


def resolve(spec: ClusterSpec, path: str, *, create: bool = False) -> tuple[Field, WorkerGroup | None, int | None]:
    """The field, the group (for group fields) and its index that ``path`` names."""
    path = path.strip()
    for pattern, by_index in ((_GROUP_BY_INDEX, True), (_GROUP_BY_NAME, False)):
        match = pattern.match(path)
        if not match:
            continue
        selector, leaf = match.groups()
        field = BY_KEY.get(f"workerGroups[].{leaf}")
        if field is None:
            names = ", ".join(f.name for f in GROUP_FIELDS)
            raise InputError(f"unknown worker group setting {leaf!r} in {path!r}", f"use one of: {names}")
        if by_index:
            index = int(selector)
            if index >= len(spec.worker_groups):
                raise InputError(f"{path!r}: there is no worker group {index} (the spec has "
                                 f"{len(spec.worker_groups)})", "use a group name instead to add one")
        else:
            adding = selector.startswith("+")
            selector = selector.removeprefix("+")
            found = spec.group_index(selector)
            if found is None:
                if not (create and adding):
                    raise InputError(f"{path!r}: no worker group named {selector!r}",
                                     f"existing groups: {', '.join(g.name for g in spec.worker_groups)}; "
                                     f"to add one write workerGroups.+{selector}.{leaf}")
                spec.worker_groups.append(WorkerGroup(name=selector, replicas=1, min_replicas=1, max_replicas=1))
                found = len(spec.worker_groups) - 1
            index = found
        return field, spec.worker_groups[index], index
    field = BY_KEY.get(path)
    if field is None or field.per_group:
        known = ", ".join(f.key for f in SPEC_FIELDS)
        raise InputError(f"unknown setting {path!r}", f"use one of: {known}, or workerGroups.<name>.<setting>")
    return field, None, None


def get_path(spec: ClusterSpec, path: str) -> Any:
    field, group, _ = resolve(spec, path)
    return field.get(group if field.per_group else spec)


def set_path(spec: ClusterSpec, path: str, text: str) -> None:
    """Parse ``text`` with the field's own parser and set it; ``InputError`` names the path and the fix."""
    field, group, _ = resolve(spec, path, create=True)
    try:
        value = field.parse(text)
    except ValueError as exc:
        raise InputError(f"--set {path}={text}: {exc}", field.help.split(".")[0]) from None
    field.set(group if field.per_group else spec, value)


def apply_assignments(spec: ClusterSpec, assignments: list[str]) -> ClusterSpec:
    for assignment in assignments:
        path, sep, text = assignment.partition("=")
        if not sep:
            raise InputError(f"--set {assignment!r} is not PATH=VALUE", "write e.g. --set image.tag=2.46.0")
        set_path(spec, path, text)
    return spec
