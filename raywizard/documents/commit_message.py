"""A commit message from what changed in the Application files: ``raycluster: standard-worker maxReplicas 200 → 8``.

The subject names the Application and the changed fields in the chart's words (a worker group by its name, the
values without the ``spec.source.helm.valuesObject`` prefix); the body lists every change when there are more than
fit a subject line.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from raywizard.diff.report import DiffEntry, compare

SUBJECT_WIDTH = 72
_VALUES_PREFIX = re.compile(r"^\.spec\.sources?(\[\d+\])?\.helm\.(valuesObject|values)")
_GROUP = re.compile(r"^\.additionalWorkerGroups(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[(\"(?:[^\"\\]|\\.)*\")\])")


def _documents(text: str | None) -> dict[tuple[str, str], Any] | None:
    """(kind, name) -> document; None when the text is not YAML we can read."""
    if text is None:
        return {}
    import yaml

    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:
        return None
    found: dict[tuple[str, str], Any] = {}
    for doc in docs:
        if not isinstance(doc, dict):
            return None
        found[(str(doc.get("kind") or ""), str((doc.get("metadata") or {}).get("name") or ""))] = doc
    return found


def _values_of(app: Any) -> Any:
    """An Application with a ``helm.values`` string read as the YAML it holds (so its keys diff one by one)."""
    import copy

    import yaml

    app = copy.deepcopy(app)
    spec = app.get("spec") if isinstance(app, dict) else None
    sources = [spec.get("source"), *list(spec.get("sources") or [])] if isinstance(spec, dict) else []
    for source in sources:
        helm = source.get("helm") if isinstance(source, dict) else None
        if isinstance(helm, dict) and isinstance(helm.get("values"), str):
            with contextlib.suppress(yaml.YAMLError):
                helm["values"] = yaml.safe_load(helm["values"])
    return app


def _short(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, default=str, separators=(",", ":"))
    return text if len(text) <= 30 else text[:27] + "..."


def field_label(path: str, worker_name: str = "") -> str:
    """``.spec.source.helm.valuesObject.additionalWorkerGroups["standard-worker"].maxReplicas`` →
    ``standard-worker maxReplicas``; ``….valuesObject.image.tag`` → ``image.tag``."""
    rest = _VALUES_PREFIX.sub("", path, count=1)
    if rest == path:
        return path.lstrip(".")
    match = _GROUP.match(rest)
    if match:
        name = match.group(1) or json.loads(match.group(2))
        tail = rest[match.end():].lstrip(".")
        return f"{name} {tail}".strip()
    if rest.startswith(".worker.") or rest == ".worker":
        tail = rest[len(".worker"):].lstrip(".")
        return f"{worker_name or 'worker'} {tail}".strip()
    if rest.startswith(".head."):
        return f"head {rest[len('.head.'):]}"
    return rest.lstrip(".") or "values"


def describe_entry(entry: DiffEntry, worker_name: str = "") -> str:
    label = field_label(entry.path, worker_name)
    if entry.change == "added":
        return f"{label} {_short(entry.desired)}" if not isinstance(entry.desired, dict | list) else f"add {label}"
    if entry.change == "removed":
        return f"remove {label}"
    return f"{label} {_short(entry.live)} → {_short(entry.desired)}"


def _worker_name(app: Any) -> str:
    spec = app.get("spec") if isinstance(app, dict) else None
    source = spec.get("source") if isinstance(spec, dict) else None
    helm = source.get("helm") if isinstance(source, dict) else None
    values = helm.get("valuesObject") if isinstance(helm, dict) else None
    worker = values.get("worker") if isinstance(values, dict) else None
    return str(worker.get("groupName") or "workergroup") if isinstance(worker, dict) else "workergroup"


def application_changes(before: dict[tuple[str, str], Any], after: dict[tuple[str, str], Any]
                        ) -> list[tuple[str, list[str]]]:
    """(Application name, the changes described) per Application that changed, in the new files' order."""
    changes: list[tuple[str, list[str]]] = []
    for key, new in after.items():
        name = key[1] or key[0]
        old = before.get(key)
        if old is None:
            changes.append((name, ["add"]))
            continue
        entries = compare(_values_of(old), _values_of(new))
        if entries:
            changes.append((name, [describe_entry(e, _worker_name(new)) for e in entries]))
    for key in before:
        if key not in after:
            changes.append((key[1] or key[0], ["remove"]))
    return changes


def commit_message(files: list[tuple[str, str | None, str | None]]) -> str:
    """The message for changing ``files`` ((path, text before or None, text after or None))."""
    before: dict[tuple[str, str], Any] = {}
    after: dict[tuple[str, str], Any] = {}
    opaque: list[str] = []
    for path, old, new in files:
        old_docs, new_docs = _documents(old), _documents(new)
        if old_docs is None or new_docs is None:
            opaque.append(path)
            continue
        before.update(old_docs)
        after.update(new_docs)
    changes = application_changes(before, after)
    added = [name for name, what in changes if what == ["add"]]
    removed = [name for name, what in changes if what == ["remove"]]
    edited = [(name, what) for name, what in changes if what not in (["add"], ["remove"])]
    parts: list[str] = []
    if added:
        parts.append(f"add Application{'s' if len(added) > 1 else ''} {', '.join(added)}")
    if removed:
        parts.append(f"remove Application{'s' if len(removed) > 1 else ''} {', '.join(removed)}")
    for name, what in edited:
        parts.append(f"{name}: {'; '.join(what)}")
    parts.extend(f"update {path}" for path in opaque)
    if not parts:
        return "Update the Ray Applications"
    subject = "; ".join(parts)
    if len(subject) <= SUBJECT_WIDTH:
        return subject
    if len(edited) == 1 and not added and not removed and not opaque:
        name, what = edited[0]
        subject = f"{name}: {what[0]}" + (f" and {len(what) - 1} more change(s)" if len(what) > 1 else "")
    else:
        names = [*added, *removed, *(n for n, _ in edited), *opaque]
        subject = f"Update {', '.join(names)}"
    if len(subject) > SUBJECT_WIDTH:
        subject = subject[: SUBJECT_WIDTH - 3] + "..."
    body = [f"- {part}" for part in parts]
    return subject + "\n\n" + "\n".join(body)
