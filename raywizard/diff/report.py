"""Desired vs live, the way Argo CD and ``kubectl diff`` see it: a structural report and a unified text diff.

Pure: no kubernetes, no rich. The kube layer fetches live objects (and, for Applications, the server-side
dry-run result) and hands plain dicts to ``diff_resource``.

What is compared (docs/domain/argocd.md#diff):
- server-written noise is stripped from both sides: ``metadata.managedFields/resourceVersion/generation/uid/
  creationTimestamp/selfLink``, ``status``, the Application ``operation`` and Argo CD's tracking annotation;
- live-only fields are dropped like Argo CD's three-way diff does: with a ``last-applied-configuration``
  annotation the fields in live that it does not list are dropped; without one, any field the desired side
  does not set (defaults, the autoscaler's ``scaleStrategy``). ``three_way=False`` (Applications vs their
  dry-run result) keeps them;
- ``ignoreDifferences`` rules normalise both sides (jq ``del`` and JSON pointers). Differences that only the
  rules hide are reported separately as ``ignored``, with the reason.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from raywizard.diff.ignore_differences import REPLICAS_JQ, ignored_paths, normalize_ignored, rule_matches

__all__ = [
    "REPLICAS_JQ",
    "DiffEntry",
    "DiffReport",
    "ResourceDiff",
    "compare",
    "diff_resource",
    "ignored_paths",
    "normalize_ignored",
    "rule_matches",
    "strip_server_fields",
]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
NOISE_METADATA = ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink")
NOISE_ANNOTATIONS = (LAST_APPLIED, "argocd.argoproj.io/tracking-id", "argocd.argoproj.io/refresh")
_MISSING = object()
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class DiffEntry:
    path: str  # jq-style: .spec.workerGroupSpecs[1].maxReplicas
    change: str  # "changed" | "added" (only desired has it) | "removed" (only live has it) | "ignored"
    live: Any = None
    desired: Any = None
    reason: str = ""  # for ignored entries: which rule hides it and why

    def describe(self) -> str:
        leaf = self.path.rsplit(".", 1)[-1] or self.path
        if self.change == "ignored":
            values = f"{_short(self.live)} live / {_short(self.desired)} desired"
            return f"{self.path}: {leaf} {values} — ignored, {self.reason}"
        if self.change == "added":
            return f"{self.path}: added {_short(self.desired)}"
        if self.change == "removed":
            return f"{self.path}: removed (live {_short(self.live)})"
        return f"{self.path}: {_short(self.live)} → {_short(self.desired)}"


@dataclass
class ResourceDiff:
    group: str
    kind: str
    namespace: str
    name: str
    live: dict[str, Any] | None  # normalised, as compared
    desired: dict[str, Any] | None
    entries: list[DiffEntry] = field(default_factory=list)
    ignored: list[DiffEntry] = field(default_factory=list)
    note: str = ""  # e.g. "not checked: the RayCluster CRD is not installed yet"

    @property
    def key(self) -> str:
        return (
            f"{self.group}/{self.kind} {self.namespace}/{self.name}"
            if self.namespace
            else f"{self.group}/{self.kind} {self.name}"
        )

    @property
    def status(self) -> str:
        if self.live is None and self.desired is not None:
            return "added"
        if self.desired is None and self.live is not None:
            return "removed"
        return "changed" if self.entries else "unchanged"

    @property
    def has_changes(self) -> bool:
        return self.status != "unchanged"

    def unified(self, color: bool = False, context: int = 3) -> str:
        if not self.has_changes:
            return ""
        before = _yaml(self.live).splitlines(keepends=True) if self.live is not None else []
        after = _yaml(self.desired).splitlines(keepends=True) if self.desired is not None else []
        lines = list(
            difflib.unified_diff(before, after, f"live/{self.key}", f"desired/{self.key}", n=context)
        )
        header = f"===== {self.key} ====="
        out = [_paint(header, "1", color)]
        for line in lines:
            text = line if line.endswith("\n") else line + "\n"
            if line.startswith(("---", "+++")):
                out.append(_paint(text.rstrip("\n"), "1", color))
            elif line.startswith("@@"):
                out.append(_paint(text.rstrip("\n"), "36", color))
            elif line.startswith("+"):
                out.append(_paint(text.rstrip("\n"), "32", color))
            elif line.startswith("-"):
                out.append(_paint(text.rstrip("\n"), "31", color))
            else:
                out.append(text.rstrip("\n"))
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "status": self.status,
            "changed": [asdict(e) for e in self.entries if e.change == "changed"],
            "added": [asdict(e) for e in self.entries if e.change == "added"],
            "removed": [asdict(e) for e in self.entries if e.change == "removed"],
            "ignored": [asdict(e) for e in self.ignored],
            "note": self.note,
        }


@dataclass
class DiffReport:
    resources: list[ResourceDiff] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return any(r.has_changes for r in self.resources)

    def _all(self, change: str) -> list[tuple[ResourceDiff, DiffEntry]]:
        return [(r, e) for r in self.resources for e in r.entries if e.change == change]

    @property
    def changed(self) -> list[tuple[ResourceDiff, DiffEntry]]:
        return self._all("changed")

    @property
    def added(self) -> list[tuple[ResourceDiff, DiffEntry]]:
        return self._all("added")

    @property
    def removed(self) -> list[tuple[ResourceDiff, DiffEntry]]:
        return self._all("removed")

    @property
    def ignored(self) -> list[tuple[ResourceDiff, DiffEntry]]:
        return [(r, e) for r in self.resources for e in r.ignored]

    def unified(self, color: bool = False) -> str:
        return "".join(r.unified(color) for r in self.resources if r.has_changes)

    def summary_lines(self) -> list[str]:
        lines: list[str] = []
        for resource in self.resources:
            if resource.note:
                lines.append(f"{resource.key}: {resource.note}")
            if resource.status in ("added", "removed"):
                lines.append(
                    f"{resource.key}: {'will be created' if resource.status == 'added' else 'only live'}"
                )
            else:
                lines.extend(f"{resource.key} {e.describe()}" for e in resource.entries)
            lines.extend(f"{resource.key} {e.describe()}" for e in resource.ignored)
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {"hasChanges": self.has_changes, "resources": [r.as_dict() for r in self.resources]}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, default=str)


# --- normalisation ---
def strip_server_fields(obj: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A copy of ``obj`` without the fields the server writes (never part of a diff)."""
    if obj is None:
        return None
    result = copy.deepcopy(dict(obj))
    result.pop("status", None)
    result.pop("operation", None)
    meta = result.get("metadata")
    if isinstance(meta, dict):
        for key in NOISE_METADATA:
            meta.pop(key, None)
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            for key in NOISE_ANNOTATIONS:
                annotations.pop(key, None)
            if not annotations:
                meta.pop("annotations", None)
        if not meta.get("labels"):
            meta.pop("labels", None)
    return result


def without_nulls(value: Any) -> Any:
    """``value`` without its ``null`` map values, as the API server stores a custom resource whose schema does not
    allow them (docs/domain/kubernetes-client.md#null-values-in-custom-resources)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def _last_applied(live: Mapping[str, Any] | None) -> dict[str, Any] | None:
    raw = ((live or {}).get("metadata") or {}).get("annotations", {}).get(LAST_APPLIED)
    if not raw:
        return None
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def drop_live_only(live: Any, reference: Any) -> Any:
    """``live`` restricted to the fields that ``reference`` sets (recursively; lists element by element)."""
    if isinstance(live, dict) and isinstance(reference, dict):
        return {k: drop_live_only(v, reference[k]) for k, v in live.items() if k in reference}
    if isinstance(live, list) and isinstance(reference, list):
        return [drop_live_only(v, reference[i]) if i < len(reference) else v for i, v in enumerate(live)]
    return live


def _restrict_three_way(live: Any, desired: Any, orig: Any) -> Any:
    """Keep live fields that desired sets, or that the last applied config set (those are removals)."""
    if isinstance(live, dict):
        d = desired if isinstance(desired, dict) else {}
        o = orig if isinstance(orig, dict) else {}
        return {
            k: _restrict_three_way(v, d.get(k, _MISSING), o.get(k, _MISSING))
            for k, v in live.items()
            if k in d or k in o
        }
    if isinstance(live, list):
        d_list = desired if isinstance(desired, list) else []
        o_list = orig if isinstance(orig, list) else []
        return [
            _restrict_three_way(
                v, d_list[i] if i < len(d_list) else _MISSING, o_list[i] if i < len(o_list) else _MISSING
            )
            for i, v in enumerate(live)
        ]
    return live


# --- structural comparison ---
def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}"
    return f"{parent}[{json.dumps(key)}]"


def compare(live: Any, desired: Any, path: str = "") -> list[DiffEntry]:
    """Leaf-level differences between two JSON values (lists compared by index)."""
    entries: list[DiffEntry] = []
    if isinstance(live, dict) and isinstance(desired, dict):
        for key in desired:
            if key not in live:
                entries.append(DiffEntry(_path(path, key), "added", None, desired[key]))
            else:
                entries.extend(compare(live[key], desired[key], _path(path, key)))
        for key in live:
            if key not in desired:
                entries.append(DiffEntry(_path(path, key), "removed", live[key], None))
        return entries
    if isinstance(live, list) and isinstance(desired, list):
        for index in range(max(len(live), len(desired))):
            if index >= len(live):
                entries.append(DiffEntry(_path(path, index), "added", None, desired[index]))
            elif index >= len(desired):
                entries.append(DiffEntry(_path(path, index), "removed", live[index], None))
            else:
                entries.extend(compare(live[index], desired[index], _path(path, index)))
        return entries
    if live != desired:
        entries.append(DiffEntry(path or ".", "changed", live, desired))
    return entries


def _ignore_reason(rules: list[dict[str, Any]], path: str) -> str:
    expressions = [str(e) for r in rules for e in r.get("jqPathExpressions") or []]
    pointers = [str(p) for r in rules for p in r.get("jsonPointers") or []]
    if path.startswith(".spec.workerGroupSpecs[") and path.endswith("].replicas"):
        return "owned by the autoscaler (ignoreDifferences)"
    rule = ", ".join(expressions + pointers)
    return f"ignoreDifferences {rule}" if rule else "ignoreDifferences"


def diff_resource(
    live: Mapping[str, Any] | None,
    desired: Mapping[str, Any] | None,
    *,
    rules: list[dict[str, Any]] | None = None,
    three_way: bool = True,
) -> ResourceDiff:
    """Compare ``desired`` with ``live`` like Argo CD; either side may be None (added / only live)."""
    source = desired or live or {}
    meta = source.get("metadata") or {}
    api_version = str(source.get("apiVersion", ""))
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    kind = str(source.get("kind", ""))
    name = str(meta.get("name", ""))
    namespace = str(meta.get("namespace", "") or "")
    rules = [
        r for r in (rules or []) if rule_matches(r, group=group, kind=kind, name=name, namespace=namespace)
    ]

    live_clean = strip_server_fields(live)
    desired_clean = strip_server_fields(desired)
    if live_clean is not None and desired_clean is not None and three_way:
        orig = strip_server_fields(_last_applied(live))
        if orig is not None:
            live_clean = _restrict_three_way(live_clean, desired_clean, orig)
        else:
            live_clean = drop_live_only(live_clean, desired_clean)
    # Argo CD's default is to ignore nothing about apiVersion/kind drift; keep it simple: same object
    # identity.

    def normalise(obj: dict[str, Any] | None) -> dict[str, Any] | None:
        if obj is None or not rules:
            return obj
        return normalize_ignored(obj, rules, group=group, kind=kind, name=name, namespace=namespace)

    live_norm = normalise(live_clean)
    desired_norm = normalise(desired_clean)
    result = ResourceDiff(group, kind, namespace, name, live_norm, desired_norm)
    if live_norm is None or desired_norm is None:
        return result
    result.entries = compare(live_norm, desired_norm)
    if rules:
        kept = {(e.path, e.change) for e in result.entries}
        for entry in compare(live_clean, desired_clean):
            if (entry.path, entry.change) not in kept:
                result.ignored.append(
                    DiffEntry(
                        entry.path, "ignored", entry.live, entry.desired, _ignore_reason(rules, entry.path)
                    )
                )
    return result


# --- text helpers ---
def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _yaml(obj: Any) -> str:
    import yaml  # PyYAML (a dependency of the kubernetes client); imported lazily

    return str(yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000))


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text
